"""The generated batch is detached once, where it is drawn, and reused for the generator's loss:
that loss has no gradient, the generator's update raises and the GAN is never trained."""

NOTEBOOK = "26-species-trajectories.ipynb"
CELL = "training_step"
FIND = "        fake = self.generator(z, species)\n"
REPLACE = "        fake = self.generator(z, species).detach()\n"
FAILS = ["test_training_step", "test_training_step_hidden"]
