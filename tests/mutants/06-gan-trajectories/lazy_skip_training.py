"""No training: the step computes both losses and records them, but never updates the
discriminator or the generator (the GAN that the training cell "trains" stays the initial one)."""

NOTEBOOK = "06-gan-trajectories.ipynb"
STRATEGY = "skip_training"
EDITS = [
    ("training_step", "        update(opt_d, loss_d)\n", ""),
    ("training_step", "        update(opt_g, loss_g)\n", ""),
]
FAILS = ["test_training_step", "test_training_step_hidden"]
