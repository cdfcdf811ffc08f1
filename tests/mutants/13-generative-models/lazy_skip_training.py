"""No training: train_vae computes the losses but never takes an optimiser step."""

NOTEBOOK = "13-generative-models.ipynb"
STRATEGY = "skip_training"
EDITS = [("train_vae", "        optimiser.step()\n", "")]
FAILS = ["test_train_vae"]
