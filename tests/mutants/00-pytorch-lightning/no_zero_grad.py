"""The gradients are never reset: loss.backward() accumulates them over the iterations, so
the optimiser follows the sum of all past gradients and overshoots the minimum."""

NOTEBOOK = "00-pytorch-lightning.ipynb"
CELL = "fit_parameters"
FIND = "        optimizer.zero_grad()\n"
REPLACE = ""
FAILS = ["test_fit_parameters"]
