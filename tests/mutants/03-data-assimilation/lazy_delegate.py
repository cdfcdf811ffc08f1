"""Every part calls the course library instead of being written: the library's 3D-Var and
4D-Var costs and minimiser, an EnKF object's own analysis, and the library's 4DVarNet loop
(``super().forward``)."""

NOTEBOOK = "03-data-assimilation.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "var3d_cost",
        "    background = x - x_b\n",
        "    from dlgd_course.assimilation.variational import var3d_cost as course_cost\n"
        "    return course_cost(x, x_b, y, H, B_inv, R_inv)\n",
    ),
    (
        "fourdvar",
        "    background = x0 - x_b\n",
        "    from dlgd_course.assimilation import strong_4dvar_cost\n"
        "    return strong_4dvar_cost(x0, x_b, observations, forecast, H, B_inv, R_inv)\n",
    ),
    (
        "fourdvar",
        "    x0 = x_b.detach().clone().requires_grad_(True)\n",
        "    from dlgd_course.assimilation import minimise\n"
        "    return minimise(lambda z: fourdvar_cost(z, x_b, observations, forecast, H, B_inv, R_inv).sum(),\n"  # noqa: E501
        "                    x_b, n_iterations=n_iterations)\n",
    ),
    (
        "enkf_analysis",
        "    batch, N, _ = E.shape\n",
        "    from types import SimpleNamespace\n"
        "    from dlgd_course.assimilation import EnKF\n"
        "    run = SimpleNamespace(observe=lambda x: x @ H.T, R=R, generator=generator,\n"
        "                          setup=SimpleNamespace(R_chol=torch.linalg.cholesky(R)))\n"
        "    return EnKF(N=E.shape[1]).update(run, E, y)\n",
    ),
    (
        "learned_solver",
        "            for _ in range(self.n_iterations):\n",
        "            return super().forward(observation, mask)  # the course's solver loop\n"
        "            for _ in range(self.n_iterations):\n",
    ),
]
FAILS = ["test_var3d_cost", "test_fourdvar", "test_enkf_analysis", "test_learned_solver"]
