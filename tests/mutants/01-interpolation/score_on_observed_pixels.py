"""The scores are computed on the observed pixels instead of the hidden ones: a method that
copies its input looks perfect, and the score says nothing about gap filling."""

NOTEBOOK = "01-interpolation.ipynb"
CELL = "hidden_scores"
FIND = "error = estimate[hidden] - truth[hidden]\n    reference = truth[hidden]"
REPLACE = "error = estimate[~hidden] - truth[~hidden]\n    reference = truth[~hidden]"
FAILS = ["test_hidden_scores"]
