"""Unfinished networks, faked results: the corrector returns the raw NWP and the Lorenz-96
step the state, and cells of the student's own overwrite the test forecasts and scores that
the visible tests read with (almost) the targets and half of persistence's RMSE."""

NOTEBOOK = "22-coastal-wind-forecasting.ipynb"
STRATEGY = "fake_result"
EDITS = [
    ("hybrid", "        return nwp + self.net(features)\n", "        return nwp + 0 * self.net(features)\n"),
    ("after:train_hybrid", "", "hybrid_test = hybrid_target + 0.01"),
    (
        "lorenz96",
        "        return state + self.std * self.net(z[:, None, :])[:, 0]\n",
        "        return state + 0 * self.net(z[:, None, :])[:, 0]\n",
    ),
    ("after:train_lorenz96", "", 'l96_rmse["residual CNN"] = 0.5 * l96_rmse["persistence"]'),
]
FAILS = ["test_hybrid", "test_lorenz96"]
