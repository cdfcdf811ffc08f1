"""The network is not trained (learning rate 0), and a cell of the student's own overwrites the
test RMSE that the visible test reads with half of climatology's."""

NOTEBOOK = "21-interpolation-from-observations.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "observation_training",
        "torch.optim.Adam(self.parameters(), lr=self.lr)",
        "torch.optim.Adam(self.parameters(), lr=0.0)",
    ),
    ("after:observation_training_run", "", 'rmse["U-Net (observations only)"] = 0.5 * rmse["climatology"]'),
]
FAILS = ["test_observation_training"]
