"""No training: the fitting loop does nothing, and the flow map's optimiser has learning rate 0."""

NOTEBOOK = "00-pytorch-lightning.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "fit_parameters",
        "        optimizer.zero_grad()\n        predicted",
        "        break\n        predicted",
    ),
    (
        "flow_map",
        "torch.optim.Adam(self.parameters(), lr=self.lr)",
        "torch.optim.Adam(self.parameters(), lr=0.0)",
    ),
]
FAILS = ["test_fit_parameters", "test_flow_map"]
