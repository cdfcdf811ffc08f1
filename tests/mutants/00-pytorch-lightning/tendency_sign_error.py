"""Sign error in the first Lorenz-63 equation: sigma * (x - y) instead of sigma * (y - x)."""

NOTEBOOK = "00-pytorch-lightning.ipynb"
CELL = "lorenz63_tendency"
FIND = "sigma * (y - x)"
REPLACE = "sigma * (x - y)"
FAILS = ["test_lorenz63_tendency"]
