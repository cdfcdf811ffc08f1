"""No training: train_corrector computes the losses but never takes an optimiser step."""

NOTEBOOK = "15-inverse-problems.ipynb"
STRATEGY = "skip_training"
EDITS = [("learned_solver", "        optimiser.step()\n", "")]
FAILS = ["test_learned_solver"]
