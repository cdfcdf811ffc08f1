"""Every part returns what the visible tests expect, or a constant, without computing it: the
hand-computed covariance row, analyses and gradient, a zero cost, the quadratic's minimiser,
the two EnKF members, and a "corrector" that only puts the observations back at the stations."""

NOTEBOOK = "15-inverse-problems.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "gaussian_covariance",
        "    distance = (grid[:, None] - grid[None, :]).abs()\n",
        "    row = variance * torch.tensor([1.0, 0.6065, 0.1353, 0.6065], dtype=grid.dtype)\n"
        "    return torch.stack([row.roll(i) for i in range(4)])\n",
    ),
    (
        "optimal_interpolation",
        "    K = torch.linalg.solve(",
        "    x_a = torch.tensor([1.0, 0.5], dtype=x_b.dtype) * (y[..., :1] / 2.0)\n"
        "    return x_a, torch.tensor([[0.5, 0.25], [0.25, 0.875]], dtype=x_b.dtype)\n"
        "    K = torch.linalg.solve(",
    ),
    (
        "three_d_var",
        "    L = torch.linalg.cholesky(B)\n",
        "    return torch.tensor([1.0, 0.5], dtype=x_b.dtype).expand(len(x_b)) if len(x_b) == 2 else x_b\n",
    ),
    (
        "fourdvar_cost",
        "    window = Lorenz63()",
        "    return (x0 - x0_b).pow(2).sum() * 0.0\n    window = Lorenz63()",
    ),
    (
        "fourdvar_cost",
        "    gradient = torch.zeros_like(x)\n",
        "    return torch.tensor([4.0, 5.0, 3.0], dtype=x.dtype)\n",
    ),
    (
        "fourdvar_analysis",
        "    x0 = x0_b.detach().clone().requires_grad_(True)\n",
        "    return torch.tensor([1.0, -2.0, 0.0], dtype=x0_b.dtype)\n",
    ),
    (
        "enkf_analysis",
        "    anomalies = ensemble - ensemble.mean(dim=0)\n",
        "    return torch.tensor([[1.7], [2.3]], dtype=ensemble.dtype).expand(ensemble.shape)\n",
    ),
    (
        "learned_solver",
        "        return first_guess + self.net(inputs).squeeze(1)\n",
        "        return torch.where(mask.bool(), observed, first_guess) + 0 * self.net(inputs).squeeze(1)\n",
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
