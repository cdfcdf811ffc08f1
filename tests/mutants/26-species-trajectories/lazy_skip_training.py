"""No training: the step computes and records both losses but never steps the optimisers (the
GAN that the training cell "trains" stays the initial one)."""

NOTEBOOK = "26-species-trajectories.ipynb"
STRATEGY = "skip_training"
EDITS = [
    ("training_step", "        opt_d.step()\n", ""),
    ("training_step", "            opt_g.step()\n", ""),
]
FAILS = ["test_training_step", "test_training_step_hidden"]
