"""Counting at the boundaries goes wrong: the split discards one gap instead of two (the
validation block ends the day before the test block), and persistence keeps a value for
max_age - 1 days only (the age of a pixel observed yesterday is taken to be 2)."""

NOTEBOOK = "21-interpolation-from-observations.ipynb"
EDITS = [
    ("split_days", "n_train = n_time - n_test - n_val - 2 * gap", "n_train = n_time - n_test - n_val - gap"),
    (
        "persistence_fill",
        "filled[day] = np.where(age <= max_age, last, 0.0)",
        "filled[day] = np.where(age < max_age, last, 0.0)",
    ),
]
FAILS = ["test_split_days", "test_persistence_fill"]
