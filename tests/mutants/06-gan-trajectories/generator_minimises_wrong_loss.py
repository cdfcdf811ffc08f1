"""The generator minimises the discriminator's loss on its trips with target 0 (it learns
to look *fake*): the adversarial game is turned into cooperation, the generator update
differs from the expected one, and the GAN it trains dives far too often (0.57 of the steps
instead of 0.17)."""

NOTEBOOK = "06-gan-trajectories.ipynb"
CELL = "training_step"
FIND = "loss_g = bce(d_gen, torch.ones_like(d_gen))"
REPLACE = "loss_g = bce(d_gen, torch.zeros_like(d_gen))"
FAILS = ["test_training_step", "test_training_step_hidden"]
