"""The localisation is ignored (the unlocalised EnKF, which diverges with 10 members) and a cell
of the student's own overwrites the localised RMSE that the visible test reads."""

NOTEBOOK = "23-lorenz96-assimilation.ipynb"
STRATEGY = "fake_result"
EDITS = [
    ("localised_enkf", "P = localisation * (A.mT @ A) / (N - 1)", "P = (A.mT @ A) / (N - 1)"),
    ("after:size_sweep", "", "sweep_rmse[10, True] = 0.4"),
]
FAILS = ["test_localised_enkf"]
