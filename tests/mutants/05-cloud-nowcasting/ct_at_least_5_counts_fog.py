"""Cloud mask CT >= 5 instead of CT > 5: very low clouds and fog (class 5) counted as cloudy."""

NOTEBOOK = "05-cloud-nowcasting.ipynb"
CELL = "samples"
FIND = "np.asarray(ct) > 5"
REPLACE = "np.asarray(ct) >= 5"
FAILS = ["test_samples"]
