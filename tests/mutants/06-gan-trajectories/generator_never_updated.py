"""The generator's optimiser step is skipped (the discriminator is updated, the generator
loss is computed and back-propagated but never applied): only the discriminator learns, the
one-step comparison fails and the trained GAN's generator is still the untrained network."""

NOTEBOOK = "06-gan-trajectories.ipynb"
CELL = "training_step"
FIND = "        update(opt_g, loss_g)\n"
REPLACE = "        self.manual_backward(loss_g)\n"
FAILS = ["test_training_step", "test_training_step_hidden"]
