"""The loss ignores the weights: it averages the error over every pixel, including those whose
target is a filler 0 (gaps of observation-only pairs) or that the network already sees."""

NOTEBOOK = "01-interpolation.ipynb"
CELL = "unet"
FIND = "return (weight * (prediction - target) ** 2).sum() / weight.sum()"
REPLACE = "return ((prediction - target) ** 2).mean()"
FAILS = ["test_unet"]
