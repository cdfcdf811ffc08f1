"""The OSSE target is the (gappy, noisy) observation instead of the synthetic truth: the
network is asked to predict NaN under the clouds."""

NOTEBOOK = "01-interpolation.ipynb"
CELL = "osse_pair"
FIND = "target = z_true"
REPLACE = "target = z_obs"
FAILS = ["test_osse_pair"]
