"""No assimilation: the analysis returns the forecast ensemble unchanged, so every filter is a
free ensemble run (nothing in this notebook trains; skipping the analysis is the equivalent)."""

NOTEBOOK = "23-lorenz96-assimilation.ipynb"
STRATEGY = "skip_training"
EDITS = [("localised_enkf", "    batch, N, _ = E.shape\n", "    return E\n")]
FAILS = ["test_localised_enkf"]
