"""No training: train_neural_ode computes the losses but never takes an optimiser step."""

NOTEBOOK = "14-dynamical-systems.ipynb"
STRATEGY = "skip_training"
EDITS = [("train_neural_ode", "        optimiser.step()\n", "")]
FAILS = ["test_train_neural_ode"]
