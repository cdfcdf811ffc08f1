"""Leakage from the future, twice: the time blocks follow each other without gaps (the last
training windows reach into the validation block), and the NWP look-up forgets the 3 hours a
run takes to arrive (it uses runs that were not yet delivered at the issue time)."""

NOTEBOOK = "22-coastal-wind-forecasting.ipynb"
EDITS = [
    (
        "split",
        "    start_val = n_train + window\n    start_test = start_val + n_val + window\n",
        "    start_val = n_train\n    start_test = start_val + n_val\n",
    ),
    (
        "latest_run",
        'delay = np.timedelta64(int(ds.attrs["availability_delay_hours"]), "h")',
        'delay = np.timedelta64(0, "h")',
    ),
]
FAILS = ["test_split", "test_latest_run"]
