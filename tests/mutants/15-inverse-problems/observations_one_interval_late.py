"""The 4D-Var cost compares the k-th observation with the state one observation interval later
(the window's first observation is taken to come after the first interval, not at its start)."""

NOTEBOOK = "15-inverse-problems.ipynb"
EDITS = [
    ("fourdvar_cost", "n_steps=obs_every * (len(y_x) - 1))", "n_steps=obs_every * len(y_x))"),
    ("fourdvar_cost", "window[::obs_every, 0]", "window[obs_every::obs_every, 0]"),
]
FAILS = ["test_fourdvar_cost"]
