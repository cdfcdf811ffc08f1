"""The covariance uses the plain distance |x_i - x_j| on the periodic domain: the points 0.05
and 0.95 come out 0.9 apart instead of 0.1, so B has no correlation across the boundary."""

NOTEBOOK = "15-inverse-problems.ipynb"
CELL = "gaussian_covariance"
FIND = "    distance = torch.minimum(distance, 1 - distance)\n"
REPLACE = ""
FAILS = ["test_gaussian_covariance"]
