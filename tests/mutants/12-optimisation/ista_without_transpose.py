"""The gradient of 0.5 |W r - y|^2 taken as W (W r - y) instead of W^T (W r - y): the same for
the symmetric convolution matrix of the figure, wrong (here: a shape error) for a
non-square W."""

NOTEBOOK = "12-optimisation.ipynb"
CELL = "ista"
FIND = "step * (W.T @ (W @ r - y))"
REPLACE = "step * (W @ (W @ r - y))"
FAILS = ["test_ista"]
