"""Every member assimilates the same, unperturbed observation: the mean is right but the
analysis ensemble is too narrow ((I - KH) P (I - KH)ᵀ instead of (I - KH) P)."""

NOTEBOOK = "03-data-assimilation.ipynb"
CELL = "enkf_analysis"
FIND = "innovation = y[:, None, :] + D - E @ H.T"
REPLACE = "innovation = y[:, None, :] - E @ H.T"
FAILS = ["test_enkf_analysis"]
