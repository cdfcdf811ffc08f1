"""Observation-only pairs whose target mask is everything not shown to the network,
including pixels that were never observed (cloudy on the day itself), where there is no
truth to learn from."""

NOTEBOOK = "01-interpolation.ipynb"
CELL = "observation_pair"
FIND = "target_mask = observed & ~input_mask"
REPLACE = "target_mask = ~input_mask"
FAILS = ["test_observation_pair"]
