"""Every part calls the course library's implementation instead of being written (the
lecture module's optimisers, proximal method and hypergradients, and its minimiser)."""

NOTEBOOK = "12-optimisation.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "gradient_descent",
        "    eigenvalues = torch.linalg.eigvalsh(A)\n",
        "    from dlgd_course.lectures.optimisation import optimal_step as library_step\n\n"
        "    return library_step(A)\n",
    ),
    (
        "gradient_descent",
        "    path = [x0]\n",
        "    from dlgd_course.lectures import optimisation\n\n"
        "    return optimisation.gradient_descent(A, x0, step, n_steps)\n",
    ),
    (
        "heavy_ball",
        "    eigenvalues = torch.linalg.eigvalsh(A)\n",
        "    from dlgd_course.lectures import optimisation\n\n"
        "    return optimisation.heavy_ball_parameters(A)\n",
    ),
    (
        "heavy_ball",
        "    path, previous = [x0], x0\n",
        "    from dlgd_course.lectures import optimisation\n\n"
        "    return optimisation.heavy_ball(A, x0, step, beta, n_steps)\n",
    ),
    (
        "adam",
        "    beta1, beta2 = betas\n",
        "    from dlgd_course.lectures import optimisation\n\n"
        "    return optimisation.adam(gradient, x0, lr, n_steps, betas, eps)\n",
    ),
    (
        "lbfgs",
        "    x = x0.detach().clone().requires_grad_(True)\n",
        "    from dlgd_course.assimilation import minimise\n\n"
        "    values = []\n\n"
        "    def recorded(x):\n"
        "        value = loss(x)\n"
        "        values.append(value.item())\n"
        "        return value\n\n"
        "    x = minimise(recorded, x0.detach().clone(), optimiser='lbfgs', n_iterations=max_iter)\n"
        "    return x, torch.tensor(values, dtype=x0.dtype)\n",
    ),
    (
        "ista",
        "    return torch.sign(v) * (v.abs() - threshold).clamp(min=0)\n",
        "    from dlgd_course.lectures import optimisation\n\n"
        "    return optimisation.soft_threshold(v, threshold)\n",
    ),
    (
        "ista",
        "    step = 1.0 / torch.linalg.matrix_norm(W, ord=2).item() ** 2\n",
        "    from dlgd_course.lectures import optimisation\n\n"
        "    return optimisation.ista(W, y, lam, n_iterations)\n",
    ),
    (
        "implicit_hypergradient",
        "    n = noisy.shape[-1]\n",
        "    from dlgd_course.lectures import optimisation\n\n"
        "    return optimisation.implicit_hypergradient(noisy, clean, lam)\n",
    ),
    (
        "unrolled_hypergradient",
        "    difference = difference_matrix(noisy.shape[-1]).to(noisy)\n",
        "    from dlgd_course.lectures import optimisation\n\n"
        "    return optimisation.unrolled_hypergradient(noisy, clean, lam, n_steps)\n",
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
