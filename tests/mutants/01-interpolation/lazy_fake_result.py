"""The U-Nets are not trained (learning rate 0), and a cell of the student's own overwrites
their reconstructions with the truth and the RMSEs that the visible test reads."""

NOTEBOOK = "01-interpolation.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "unet",
        "torch.optim.Adam(self.parameters(), lr=self.lr)",
        "torch.optim.Adam(self.parameters(), lr=0.0)",
    ),
    (
        "after:unet_training",
        "",
        'estimates["U-Net (OSSE)"] = estimates["U-Net (observations only)"] = z_true[test_days]\n'
        'rmse = {name: 0.0 if name.startswith("U-Net") else value for name, value in rmse.items()}',
    ),
]
FAILS = ["test_unet"]
