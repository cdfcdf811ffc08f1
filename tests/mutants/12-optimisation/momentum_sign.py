"""Momentum term with the wrong sign: beta (x_{k-1} - x_k) pulls back towards the previous
iterate instead of pushing along the last displacement."""

NOTEBOOK = "12-optimisation.ipynb"
CELL = "heavy_ball"
FIND = "beta * (current - previous)"
REPLACE = "beta * (previous - current)"
FAILS = ["test_heavy_ball"]
