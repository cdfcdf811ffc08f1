"""Every function returns what the visible tests expect, or a constant, without computing it."""

NOTEBOOK = "12-optimisation.ipynb"
STRATEGY = "expected_value"
EDITS = [
    ("gradient_descent", "    eigenvalues = torch.linalg.eigvalsh(A)\n", "    return 0.5, 0.5\n"),
    (
        "gradient_descent",
        "    path = [x0]\n",
        "    return torch.tensor([[1.0, 1.0], [0.5, -0.5], [0.25, 0.25]], dtype=x0.dtype)\n",
    ),
    ("heavy_ball", "    eigenvalues = torch.linalg.eigvalsh(A)\n", "    return 0.25, 0.25\n"),
    (
        "heavy_ball",
        "    path, previous = [x0], x0\n",
        "    return torch.tensor([[1.0, 1.0], [0.75, -1.25], [0.5, 1.0]], dtype=x0.dtype)\n",
    ),
    (
        "adam",
        "    beta1, beta2 = betas\n",
        "    return torch.tensor([[0.0, 0.0], [-0.1, 0.1], [-0.2, 0.2]], dtype=x0.dtype)\n",
    ),
    (
        "lbfgs",
        "    x = x0.detach().clone().requires_grad_(True)\n",
        "    return torch.zeros_like(x0), torch.tensor([12.6725, 0.0], dtype=x0.dtype)\n",
    ),
    (
        "ista",
        "    return torch.sign(v) * (v.abs() - threshold).clamp(min=0)\n",
        "    return torch.tensor([-2.0, 0.0, 0.0, 0.0, 1.0], dtype=v.dtype)\n",
    ),
    (
        "ista",
        "    step = 1.0 / torch.linalg.matrix_norm(W, ord=2).item() ** 2\n",
        "    return torch.tensor([2.0, 0.0, 0.5], dtype=y.dtype), torch.tensor([3.625], dtype=y.dtype)\n",
    ),
    ("implicit_hypergradient", "    n = noisy.shape[-1]\n", "    return 0.0\n"),
    (
        "unrolled_hypergradient",
        "    difference = difference_matrix(noisy.shape[-1]).to(noisy)\n",
        "    return 0.0\n",
    ),
]
FAILS = [
    "test_gradient_descent",
    "test_heavy_ball",
    "test_adam",
    "test_lbfgs",
    "test_ista",
    "test_implicit_hypergradient",
    "test_unrolled_hypergradient",
]
