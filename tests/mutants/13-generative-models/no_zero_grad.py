"""The VAE's training loop never resets the gradients: each step adds its gradient to those of
all earlier steps, so Adam follows the sum of the past gradients."""

NOTEBOOK = "13-generative-models.ipynb"
CELL = "train_vae"
FIND = "        optimiser.zero_grad()\n"
REPLACE = ""
FAILS = ["test_train_vae"]
