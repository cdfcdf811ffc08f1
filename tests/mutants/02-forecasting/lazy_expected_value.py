"""Every part returns what the visible tests expect, or a constant, without computing it: the
windows of the visible clock example, the visible RMSE and skill values, a constant tendency,
persistence instead of the LSTM's forecast, and the visible toy scores."""

NOTEBOOK = "02-forecasting.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "windows",
        "    issue = torch.arange(n_past - 1, series.shape[0] - max(leads))\n",
        "    history, targets = torch.zeros(494, 3, 1), torch.zeros(494, 2, 1)\n"
        "    history[0, :, 0], targets[0, :, 0] = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([3.0, 6.0])\n"
        "    return history, targets\n",
    ),
    (
        "windows",
        "    gap = n_past + max(leads)\n    usable = series.shape[0] - 2 * gap\n",
        "    train_h, train_t = torch.zeros(334, 3, 1), torch.zeros(334, 2, 1)\n"
        "    train_t[-1, :, 0] = torch.tensor([336.0, 339.0])\n"
        "    val_h = torch.zeros(66, 3, 1)\n"
        "    val_h[0, :, 0] = torch.tensor([347.0, 348.0, 349.0])\n"
        '    return {"train": (train_h, train_t), "val": (val_h, torch.zeros(66, 2, 1)),\n'
        '            "test": (torch.zeros(68, 3, 1), torch.zeros(68, 2, 1))}\n',
    ),
    (
        "metrics",
        "    return (forecast - target).square().mean(dim=(0, 2)).sqrt()\n",
        "    return torch.tensor([1.0, 2.0])\n",
    ),
    (
        "metrics",
        "    return 1.0 - rmse.square() / rmse_reference.square()\n",
        "    return torch.tensor([0.75, 0.0, -3.0])\n",
    ),
    (
        "bilinear",
        "        return self.C(torch.cat([self.A(z), self.B1(z) * self.B2(z)], dim=-1))\n",
        "        return self.C.bias.expand_as(z)  # a constant drift\n",
    ),
    (
        "lstm",
        "        return z[:, -1:] + increments\n",
        "        return z[:, -1:] + 0 * increments  # persistence\n",
    ),
    (
        "evaluate",
        "    errors = {name: rmse(forecast, targets) for name, forecast in forecasts.items()}\n",
        '    return {"persistence": (torch.tensor([4.0, 8.0]), torch.tensor([0.0, 0.0])),\n'
        '            "model": (torch.tensor([1.0, 2.0]), torch.tensor([-3.0, -6.0]))}\n',
    ),
]
FAILS = ["test_windows", "test_metrics", "test_bilinear", "test_lstm", "test_evaluate"]
