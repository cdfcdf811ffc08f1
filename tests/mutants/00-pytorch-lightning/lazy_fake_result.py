"""The flow map is not trained (learning rate 0) and a cell of the student's own overwrites the
test RMSE that the visible test reads."""

NOTEBOOK = "00-pytorch-lightning.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "flow_map",
        "torch.optim.Adam(self.parameters(), lr=self.lr)",
        "torch.optim.Adam(self.parameters(), lr=0.0)",
    ),
    ("after:flow_map_training", "", "test_rmse = 0.001 * persistence_rmse"),
]
FAILS = ["test_flow_map"]
