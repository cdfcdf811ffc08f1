"""Skill computed against the reference's lead-1 RMSE at every lead instead of the
reference's RMSE at the same lead."""

NOTEBOOK = "02-forecasting.ipynb"
CELL = "evaluate"
FIND = "score(error, errors[reference])"
REPLACE = "score(error, errors[reference][0].expand_as(error))"
FAILS = ["test_evaluate"]
