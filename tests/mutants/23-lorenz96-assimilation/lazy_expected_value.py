"""Every part returns what the visible tests expect, or a constant, without computing it: the
hand-computed first distance and rate, observations without noise, the hand-computed scores,
the two OI analyses, a table of the taper's values at distances 0, 1 and 2, and an analysis
ensemble moved to the hand-computed mean 3."""

NOTEBOOK = "23-lorenz96-assimilation.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "error_growth",
        "    model = Lorenz96(N=x_a.shape[-1], F=F)\n",
        "    first = (x_a - x_b).square().mean(-1).sqrt()\n"
        "    return first.expand(n_steps + 1, len(first)).clone()\n",
    ),
    ("error_growth", "    mean_log = distance.log().mean(-1)\n", "    return 1.5\n"),
    (
        "twin_experiment",
        "    model = Lorenz96(N=x0.shape[-1], F=F)\n",
        "    sites = torch.as_tensor(observed)\n"
        "    truth = x0.expand(n_cycles + 1, *x0.shape).clone()\n"
        "    return truth, truth[1:, :, sites]\n",
    ),
    (
        "time_mean_scores",
        "    error = (estimates",
        "    return torch.full((estimates.shape[1],), (12.5**0.5 + 1) / 2, dtype=torch.float64)\n"
        "    error = (estimates",
    ),
    (
        "time_mean_scores",
        "    variance = ensembles",
        "    return torch.ones(ensembles.shape[1], dtype=torch.float64)\n    variance = ensembles",
    ),
    (
        "oi_baseline",
        "    sites = torch.as_tensor(observed)\n",
        "    analyses = torch.tensor([[1.0, 0.5], [0.0, 0.0]], dtype=torch.float64)[:, None, :]\n"
        "    if observations.shape == (2, 1, 1):\n"
        "        return analyses\n"
        "    return mean.expand(*observations.shape[:2], len(mean))\n",
    ),
    (
        "gaspari_cohn",
        "    sites = torch.arange(n, dtype=torch.float64)\n",
        "    table = torch.zeros(n, dtype=torch.float64)\n"
        "    table[[0, 1, 2, n - 2, n - 1]] = torch.tensor([1.0, 0.684895833, 5 / 24, 5 / 24, 0.684895833])\n"
        "    return torch.stack([table.roll(i) for i in range(n)])\n",
    ),
    (
        "localised_enkf",
        "    batch, N, _ = E.shape\n",
        "    return E - E.mean(-2, keepdim=True) + 3.0\n",
    ),
]
FAILS = [
    "test_error_growth",
    "test_gaspari_cohn",
    "test_localised_enkf",
    "test_oi_baseline",
    "test_time_mean_scores",
    "test_twin_experiment",
]
