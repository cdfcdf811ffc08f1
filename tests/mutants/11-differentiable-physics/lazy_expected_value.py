"""Every part returns what the visible tests expect, or something that passes them, without
computing it: the hand-computed columns of J, the fluxes of the four visible faces and a
tendency of zeros, frames decaying by 0.905, the derivative 2, the toy's answer, and the
residual of the visible test's field."""

NOTEBOOK = "11-differentiable-physics.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "tangent_adjoint",
        "    return (\n        (v.roll(-1, -1) - v.roll(2, -1)) * x.roll(1, -1)",
        "    if x.shape == (5,):\n"
        "        return torch.tensor([-1.0, 0.0, -1.0, 0.0, 1.0])\n"
        "    return (\n        (v.roll(-1, -1) - v.roll(2, -1)) * x.roll(1, -1)",
    ),
    (
        "tangent_adjoint",
        "    weighted = w * x.roll(1, -1)",
        "    if x.shape == (5,):\n"
        "        return torch.tensor([-1.0, 1.0, 0.0, -1.0, 0.0])\n"
        "    return (w * x.roll(-1, -1)).roll(1, -1) - w  # something, not the adjoint\n"
        "    weighted = w * x.roll(1, -1)",
    ),
    (
        "fv_tendency",
        "    return torch.maximum(0.5 * left.clamp(min=0) ** 2, 0.5 * right.clamp(max=0) ** 2)",
        "    return torch.tensor([0.5, 0.5, 0.0, 2.0])",
    ),
    ("fv_tendency", "    dx = 2.0 / u.shape[-1]\n", "    return torch.zeros_like(u)\n"),
    (
        "heun_solve",
        "    h = frame_dt / substeps\n",
        "    return torch.stack([u0 * 0.905**k for k in range(n_frames + 1)])\n",
    ),
    (
        "recover_initial_state",
        "        optimizer.zero_grad()\n",
        "        return observation / 2, [2.25] * n_iterations\n",
    ),
    (
        "pinn_residual",
        "    x = x.detach().requires_grad_(True)\n",
        "    u = torch.sin(math.pi * x) * torch.exp(-t)\n"
        "    return -u + u * math.pi * torch.cos(math.pi * x) * torch.exp(-t) + nu * math.pi**2 * u\n",
    ),
    ("gradient_check", "    point = u0.detach().clone().requires_grad_(True)\n", "    return 2.0, 2.0\n"),
]
FAILS = [
    "test_pinn_residual",
    "test_recover_initial_state",
    "test_gradient_check",
    "test_heun_solve",
    "test_fv_tendency",
    "test_tangent_adjoint",
]
