"""Every part returns what the visible tests expect, or a constant, without computing it: the
visible blocks, NWP values, RMSE and skill, persistence and grid indices, the raw NWP as the
"corrected" forecast, persistence as the Lorenz-96 step and powers of two as the rollout."""

NOTEBOOK = "22-coastal-wind-forecasting.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "split",
        "    usable = n_times - 2 * window\n",
        '    return {"train": slice(0, 48), "val": slice(58, 74), "test": slice(84, 100)}\n',
    ),
    (
        "latest_run",
        '    runs = ds["run"].values\n',
        "    return np.array([[103.5, 109.0], [9.4, 14.9]])[..., None] + np.array([0.0, 1000.0])\n",
    ),
    (
        "metrics",
        "    error = (forecast - target).transpose(0, 1).reshape(forecast.shape[1], -1)  # (L, N k)\n",
        "    return torch.tensor([12.5**0.5, 1.0])\n",
    ),
    (
        "metrics",
        "    return 1.0 - rmse.square() / rmse_reference.square()\n",
        "    return torch.tensor([0.75, 0.0, -3.0])\n",
    ),
    (
        "baselines",
        "    return np.repeat(ff[issue_index][:, None, :], len(leads), axis=1)\n",
        "    out = np.zeros((2, 3, 2))\n"
        "    out[:, :, 0] = [[3, 3, 3], [7, 7, 7]]\n"
        "    out[1, :, 1] = 107\n"
        "    return out\n",
    ),
    (
        "baselines",
        "    i = np.abs(grid_lat[None, :] - lat[:, None]).argmin(axis=1)\n",
        "    return np.array([1, 0]), np.array([2, 0])\n",
    ),
    ("hybrid", "        return nwp + self.net(features)\n", "        return nwp + 0 * self.net(features)\n"),
    (
        "lorenz96",
        "        return state + self.std * self.net(z[:, None, :])[:, 0]\n",
        "        return state + 0 * self.net(z[:, None, :])[:, 0]\n",
    ),
    (
        "lorenz96",
        "    state, states = x0, []\n",
        "    return torch.stack([x0 * 2**lead for lead in leads], dim=1)\n",
    ),
]
FAILS = ["test_split", "test_latest_run", "test_metrics", "test_baselines", "test_hybrid", "test_lorenz96"]
