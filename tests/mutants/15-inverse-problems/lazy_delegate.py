"""Every part calls the course library instead of being written: the lecture's covariance, OI,
3D-Var, 4D-Var cost and EnKF analysis, the library's minimiser, and the course's learned
gradient descent as the corrector."""

NOTEBOOK = "15-inverse-problems.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "gaussian_covariance",
        "    distance = (grid[:, None] - grid[None, :]).abs()\n",
        "    from dlgd_course.lectures.inverse_problems import periodic_gaussian_covariance\n"
        "    return periodic_gaussian_covariance(grid, length, variance)\n",
    ),
    (
        "optimal_interpolation",
        "    K = torch.linalg.solve(",
        "    from dlgd_course.lectures.inverse_problems import blue_analysis\n"
        "    return blue_analysis(x_b, B, H, R, y)\n"
        "    K = torch.linalg.solve(",
    ),
    (
        "three_d_var",
        "    L = torch.linalg.cholesky(B)\n",
        "    from dlgd_course.lectures.inverse_problems import control_variable_3dvar\n"
        "    return control_variable_3dvar(x_b, B, observe, R, y, n_iterations)\n",
    ),
    (
        "fourdvar_cost",
        "    window = Lorenz63()",
        "    from dlgd_course.lectures.inverse_problems import lorenz63_4dvar_cost\n"
        "    return lorenz63_4dvar_cost(x0, x0_b, B_inv, y_x, obs_every, obs_variance, dt)\n"
        "    window = Lorenz63()",
    ),
    (
        "fourdvar_analysis",
        "    x0 = x0_b.detach().clone().requires_grad_(True)\n",
        "    from dlgd_course.assimilation import minimise\n"
        "    return minimise(cost, x0_b, n_iterations=n_iterations)\n",
    ),
    (
        "enkf_analysis",
        "    anomalies = ensemble - ensemble.mean(dim=0)\n",
        "    from dlgd_course.lectures.inverse_problems import stochastic_enkf_analysis\n"
        "    return stochastic_enkf_analysis(ensemble, y, H, R, perturbations)\n",
    ),
    (
        "learned_solver",
        "        return first_guess + self.net(inputs).squeeze(1)\n",
        "        from dlgd_course.nn.networks import learned_gradient_descent\n"
        "\n"
        "        prior = first_guess + self.net(inputs).squeeze(1)\n"
        "        return learned_gradient_descent(\n"
        "            lambda x: (mask * (x - observed)).pow(2).sum() + (x - prior).pow(2).sum(),\n"
        "            first_guess,\n"
        "            lambda gradient, state: (0.4 * gradient, state),\n"
        "            n_iterations=2,\n"
        "            create_graph=self.training,\n"
        "        )\n",
    ),
]
FAILS = [
    "test_gaussian_covariance",
    "test_optimal_interpolation",
    "test_three_d_var",
    "test_fourdvar_cost",
    "test_fourdvar_analysis",
    "test_enkf_analysis",
    "test_learned_solver",
]
