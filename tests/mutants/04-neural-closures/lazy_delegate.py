"""Every part calls the course library instead of being written: the library's subgrid term,
its a priori and solver-in-the-loop losses, and its rollout evaluation."""

NOTEBOOK = "04-neural-closures.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "subgrid_term",
        "    u_bar = coarse_grain(u, coarse.n_points)\n"
        "    return coarse_grain(fine.tendency(u), coarse.n_points) - coarse.tendency(u_bar)\n",
        "    from dlgd_course.closures.burgers import subgrid_term\n"
        "    return subgrid_term(u, fine, coarse)\n",
    ),
    (
        "apriori",
        "        loss = torch.mean((self.closure(windows[:, 0]) - subgrid) ** 2)\n",
        "        from dlgd_course.closures.training import APrioriClosure\n"
        "        loss = APrioriClosure(self.closure).loss(batch)\n",
    ),
    (
        "unrolled",
        "    n_unroll = windows.shape[1] - 1\n",
        "    from dlgd_course.closures.training import SolverInTheLoopClosure\n"
        "    return SolverInTheLoopClosure(closure, COARSE, DT).loss((windows, forcing, None))\n",
    ),
    (
        "rollout",
        "        trajectory = coarse_rollout(",
        "        import xarray as xr\n"
        "        from dlgd_course.closures.evaluation import evaluate_closures\n"
        '        data = xr.Dataset({"u_bar": (("time", "member", "x_coarse"), reference.numpy()),\n'
        '                           "forcing_bar": (("member", "x_coarse"), forcing.numpy())})\n'
        '        score = evaluate_closures(SETUP, data, {"mine": closure})["mine"]\n'
        "        return score.rmse, score.blowups\n"
        "        trajectory = coarse_rollout(",
    ),
]
FAILS = ["test_subgrid_term", "test_apriori", "test_unrolled", "test_rollout"]
