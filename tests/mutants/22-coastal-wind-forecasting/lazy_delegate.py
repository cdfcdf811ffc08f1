"""Every part calls the course library instead of being written: the course's time splitter,
its NWP look-up, RMSE and skill score, its persistence model and nearest-grid-point reference,
its NWP corrector, and its Lorenz-96 residual step and rollout."""

NOTEBOOK = "22-coastal-wind-forecasting.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "split",
        "    usable = n_times - 2 * window\n",
        "    from dlgd_course.data import time_splits\n"
        "\n"
        "    return time_splits(n_times, fractions, gap=window)\n",
    ),
    (
        "latest_run",
        '    runs = ds["run"].values\n',
        "    from dlgd_course.forecasting import latest_run_forecast\n"
        "\n"
        '    return latest_run_forecast(ds, "nwp_ff", issue_index, leads)\n',
    ),
    (
        "metrics",
        "    error = (forecast - target).transpose(0, 1).reshape(forecast.shape[1], -1)  # (L, N k)\n",
        "    from dlgd_course.forecasting import rmse_per_lead as course_rmse\n"
        "\n"
        "    return course_rmse(forecast, target)\n",
    ),
    (
        "metrics",
        "    return 1.0 - rmse.square() / rmse_reference.square()\n",
        "    from dlgd_course.forecasting import skill_score\n"
        "\n"
        "    return torch.as_tensor(skill_score(rmse, rmse_reference), dtype=rmse.dtype)\n",
    ),
    (
        "baselines",
        "    return np.repeat(ff[issue_index][:, None, :], len(leads), axis=1)\n",
        "    from dlgd_course.forecasting import Persistence\n"
        "\n"
        "    last = torch.as_tensor(ff[issue_index])[:, None]\n"
        "    return Persistence(ff.shape[1]).forecast(last, tuple(range(1, len(leads) + 1))).numpy()\n",
    ),
    (
        "baselines",
        "    i = np.abs(grid_lat[None, :] - lat[:, None]).argmin(axis=1)\n",
        "    from dlgd_course.assignments import coastal_wind_forecasting as course\n"
        "\n"
        "    return course.nearest_grid_point(grid_lat, grid_lon, lat, lon)\n",
    ),
    (
        "hybrid",
        "        self.net = nn.Sequential(\n",
        "        from dlgd_course.forecasting import NWPCorrector\n"
        "\n"
        "        self.course = NWPCorrector(n_features, n_leads, hidden)\n"
        "        self.net = self.course.net\n"
        "        return\n"
        "        self.net = nn.Sequential(\n",
    ),
    ("hybrid", "        return nwp + self.net(features)\n", "        return self.course(features, nwp)\n"),
    (
        "lorenz96",
        "        def conv(n_in, n_out, width):\n",
        "        from dlgd_course.forecasting.lorenz96_forecast import PeriodicResidualStep\n"
        "\n"
        "        self.course = PeriodicResidualStep(mean, std, channels)\n"
        "        self.net = self.course.net\n"
        "        return\n"
        "\n"
        "        def conv(n_in, n_out, width):\n",
    ),
    (
        "lorenz96",
        "        z = (state - self.mean) / self.std\n",
        "        return self.course.step(state)\n",
    ),
    (
        "lorenz96",
        "    state, states = x0, []\n",
        "    from dlgd_course.forecasting.lorenz96_forecast import rollout as course_rollout\n"
        "\n"
        "    return course_rollout(step, x0, leads)\n",
    ),
]
FAILS = ["test_split", "test_latest_run", "test_metrics", "test_baselines", "test_hybrid", "test_lorenz96"]
