"""Skill computed against the reference's lead-1 RMSE at every lead instead of the
reference's RMSE at the same lead."""

NOTEBOOK = "02-forecasting.ipynb"
CELL = "evaluate"
FIND = "skill(r, rmse[reference])"
REPLACE = "skill(r, rmse[reference][0].expand_as(r))"
FAILS = ["test_evaluate"]
