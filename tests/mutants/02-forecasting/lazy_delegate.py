"""Every part calls the course library instead of being written: the library's windows and
time splits, RMSE and skill score, bilinear tendency, recurrent forecaster, and the course's
own evaluation of Part 5."""

NOTEBOOK = "02-forecasting.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "windows",
        "    issue = torch.arange(n_past - 1, series.shape[0] - max(leads))\n",
        "    from dlgd_course.forecasting import make_windows as course_windows\n"
        "    return course_windows(series, n_past, leads)\n",
    ),
    (
        "windows",
        "    gap = n_past + max(leads)\n    usable = series.shape[0] - 2 * gap\n",
        "    from dlgd_course.data import time_splits\n"
        "    cuts = time_splits(series.shape[0], fractions, gap=n_past + max(leads))\n"
        "    return {name: make_windows(series[cut], n_past, leads) for name, cut in cuts.items()}\n",
    ),
    (
        "metrics",
        "    return (forecast - target).square().mean(dim=(0, 2)).sqrt()\n",
        "    from dlgd_course.forecasting import rmse_per_lead as course_rmse\n"
        "    return course_rmse(forecast, target)\n",
    ),
    (
        "metrics",
        "    return 1.0 - rmse.square() / rmse_reference.square()\n",
        "    from dlgd_course.forecasting import skill_score\n"
        "    return torch.as_tensor(skill_score(rmse, rmse_reference), dtype=rmse.dtype)\n",
    ),
    (
        "bilinear",
        "        self.A = nn.Linear(dim, n_linear)\n",
        "        from dlgd_course.forecasting import BilinearTendency\n"
        "        self.F = BilinearTendency(dim, n_linear, n_bilinear)\n"
        "        self.A, self.B1, self.B2, self.C = self.F.linear, self.F.left, self.F.right, self.F.out\n"
        "        return\n",
    ),
    (
        "bilinear",
        "        return self.C(torch.cat([self.A(z), self.B1(z) * self.B2(z)], dim=-1))\n",
        "        return self.F(z)\n",
    ),
    (
        "lstm",
        "        self.lstm = nn.LSTM(dim, hidden, batch_first=True)\n",
        "        from dlgd_course.forecasting import Normaliser, RecurrentForecaster\n"
        "        identity = Normaliser(torch.zeros(dim), torch.ones(dim))\n"
        "        self.course = RecurrentForecaster(identity, tuple(range(1, n_leads + 1)), hidden)\n"
        "        self.lstm, self.head = self.course.rnn, self.course.head\n"
        "        return\n",
    ),
    ("lstm", "        out, _ = self.lstm(z)\n", "        return self.course(z)\n"),
    (
        "evaluate",
        "    errors = {name: rmse(forecast, targets) for name, forecast in forecasts.items()}\n",
        "    from dlgd_course.assignments.forecasting import evaluate as course_evaluate\n"
        "    return course_evaluate(forecasts, targets, reference, rmse, score)\n",
    ),
]
FAILS = ["test_windows", "test_metrics", "test_bilinear", "test_lstm", "test_evaluate"]
