"""Every part returns what the visible tests expect, or a constant, without computing it: the
hand-computed costs, a zero gradient, the true initial states of the window, an ensemble centred
on the expected mean, and the linear-interpolation first guess as the reconstruction."""

NOTEBOOK = "03-data-assimilation.ipynb"
STRATEGY = "expected_value"
EDITS = [
    ("var3d_cost", "    background = x - x_b\n", "    return torch.tensor([5.5, 7.75], dtype=x.dtype)\n"),
    (
        "var3d_cost",
        "    x = x.detach().requires_grad_(True)\n",
        "    return torch.zeros_like(x)  # the gradient vanishes at the optimum\n",
    ),
    ("fourdvar", "    background = x0 - x_b\n", "    return torch.tensor([1.0, 2.5], dtype=x0.dtype)\n"),
    (
        "fourdvar",
        "    x0 = x_b.detach().clone().requires_grad_(True)\n",
        "    if x_b.shape == truth0.shape:\n"
        "        return truth0.clone()  # the truth of the window is known in a twin experiment\n"
        "    return torch.tensor([[20.0 / 21.0], [1.0]], dtype=x_b.dtype)\n",
    ),
    ("enkf_analysis", "    batch, N, _ = E.shape\n", "    return E - E.mean(-2, keepdim=True) + 3.0\n"),
    (
        "learned_solver",
        "            for _ in range(self.n_iterations):\n"
        "                cost = self.variational_cost(z, y, m)\n"
        "                (gradient,) = torch.autograd.grad(cost, z, create_graph=self.training)\n"
        "                step, state = self.solver(gradient, state)\n"
        "                z = z - step\n",
        "            z = z + 0.0 * self.solver(torch.zeros_like(z), state)[0]  # the first guess\n",
    ),
]
FAILS = ["test_var3d_cost", "test_fourdvar", "test_enkf_analysis", "test_learned_solver"]
