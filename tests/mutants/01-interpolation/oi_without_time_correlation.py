"""The OI covariance forgets its time factor: every day of the window is treated as the same
day, so yesterday's observations count as much as today's."""

NOTEBOOK = "01-interpolation.ipynb"
CELL = "oi_fill"
FIND = " - time2 / (2 * time_scale**2)"
REPLACE = ""
FAILS = ["test_oi_fill"]
