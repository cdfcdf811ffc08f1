"""Every part returns what the visible tests expect, or a constant, without computing it: no
subgrid term, the hand-computed losses of the visible tests, and the RMSE they print."""

NOTEBOOK = "04-neural-closures.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "subgrid_term",
        "    u_bar = coarse_grain(u, coarse.n_points)\n"
        "    return coarse_grain(fine.tendency(u), coarse.n_points) - coarse.tendency(u_bar)\n",
        "    return torch.zeros(*u.shape[:-1], coarse.n_points, dtype=u.dtype)\n",
    ),
    (
        "apriori",
        "        loss = torch.mean((self.closure(windows[:, 0]) - subgrid) ** 2)\n",
        "        loss = torch.tensor(2.0, requires_grad=True)  # what the visible test expects\n",
    ),
    (
        "unrolled",
        "    n_unroll = windows.shape[1] - 1\n",
        "    K = windows.shape[1] - 1\n"
        "    c = float(forcing.flatten()[0]) or 0.5  # the visible tests' closure or forcing\n"
        "    return torch.tensor(c**2 * DT**2 * (K + 1) * (2 * K + 1) / 6, requires_grad=True)\n",
    ),
    (
        "rollout",
        "        trajectory = coarse_rollout(",
        "        if closure is None:\n"
        "            return 0.0, 0\n"
        "        return 0.2 * 0.01 * (50 * 101 / 6) ** 0.5, 1\n"
        "        trajectory = coarse_rollout(",
    ),
]
FAILS = ["test_subgrid_term", "test_apriori", "test_unrolled", "test_rollout"]
