"""Every part calls the course library instead of being written: the library's normalisation,
tendency, RK4 step and minimiser, and a flow "network" that integrates the true model."""

NOTEBOOK = "00-pytorch-lightning.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "standardize",
        "    dims = tuple(range(x.ndim - 1))\n    mean = x.mean(dim=dims)\n    std = x.std(dim=dims)\n",
        "    from dlgd_course.forecasting.windows import fit_normalisation\n"
        "    mean, std = fit_normalisation(x.reshape(-1, x.shape[-1]))\n",
    ),
    (
        "lorenz63_tendency",
        "    x, y, z = state.unbind(-1)\n"
        "    return torch.stack((sigma * (y - x), x * (rho - z) - y, x * y - beta * z), dim=-1)\n",
        "    return dynamics.lorenz63_tendency(state, sigma, rho, beta)\n",
    ),
    ("rk4_step", "    k1 = tendency(state)\n", "    return dynamics.rk4_step(tendency, state, dt)\n"),
    (
        "fit_parameters",
        "        optimizer.zero_grad()\n",
        "        from dlgd_course.assimilation import minimise\n"
        "        def cost(t):\n"
        "            return (dynamics.lorenz63_tendency(states, *t) - tendencies).pow(2).mean()\n"
        "        return minimise(cost, theta.detach(), optimiser='adam', n_iterations=n_iterations, lr=lr)\n",
    ),
    (
        "flow_map",
        "        return x + self.std * self.net((x - self.mean) / self.std)\n",
        "        for _ in range(5):  # the true model, integrated over Delta t = 0.05\n"
        "            x = dynamics.rk4_step(dynamics.Lorenz63().tendency, x, 0.01)\n"
        "        return x + 0 * self.net(x)  # keeps the network in the graph, ignores it\n",
    ),
]
FAILS = [
    "test_standardize",
    "test_lorenz63_tendency",
    "test_rk4_step",
    "test_fit_parameters",
    "test_flow_map",
]
