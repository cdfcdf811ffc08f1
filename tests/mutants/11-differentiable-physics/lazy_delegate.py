"""Every part calls the course library instead of being written: the reference tangent and
adjoint, the lecture's flux and tendency, the library's Heun step, gradient check, Adam
minimiser and PINN residual."""

NOTEBOOK = "11-differentiable-physics.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "tangent_adjoint",
        "    return (\n        (v.roll(-1, -1) - v.roll(2, -1)) * x.roll(1, -1)",
        "    from dlgd_course.assignments import differentiable_physics as course\n\n"
        "    return course.l96_jvp(x, v)\n"
        "    return (\n        (v.roll(-1, -1) - v.roll(2, -1)) * x.roll(1, -1)",
    ),
    (
        "tangent_adjoint",
        "    weighted = w * x.roll(1, -1)",
        "    from dlgd_course.assignments import differentiable_physics as course\n\n"
        "    return course.l96_vjp(x, w)\n"
        "    weighted = w * x.roll(1, -1)",
    ),
    (
        "fv_tendency",
        "    return torch.maximum(0.5 * left.clamp(min=0) ** 2, 0.5 * right.clamp(max=0) ** 2)",
        "    from dlgd_course.lectures.burgers_fv import godunov_flux as lecture_flux\n\n"
        "    return lecture_flux(left, right)",
    ),
    ("fv_tendency", "    dx = 2.0 / u.shape[-1]\n", "    return burgers_tendency(u, nu)\n"),
    (
        "heun_solve",
        "            predictor = u + h * tendency(u)\n"
        "            u = 0.5 * (u + predictor + h * tendency(predictor))\n",
        "            from dlgd_course.dynamics import heun_step\n\n"
        "            u = heun_step(tendency, u, h)\n",
    ),
    (
        "gradient_check",
        "    point = u0.detach().clone().requires_grad_(True)\n",
        "    from dlgd_course.assignments import differentiable_physics as course\n\n"
        "    return course.directional_derivatives(loss, u0, direction, eps)\n",
    ),
    (
        "recover_initial_state",
        "        optimizer.zero_grad()\n",
        "        from dlgd_course.assimilation import minimise\n\n"
        "        def cost(u):\n"
        "            prior = (((u.roll(-1, -1) - u) / dx) ** 2).mean()\n"
        "            return ((observe(u) - observation) ** 2).mean() + smoothness * prior\n\n"
        "        found = minimise(cost, u0, optimiser='adam', n_iterations=n_iterations, lr=lr)\n"
        "        return found, [((observe(u0) - observation) ** 2).mean().item()] * n_iterations\n",
    ),
    (
        "pinn_residual",
        "    x = x.detach().requires_grad_(True)\n",
        "    from dlgd_course.assignments import differentiable_physics as course\n\n"
        "    return course.pinn_residual(model, x, t, nu)\n",
    ),
]
FAILS = [
    "test_tangent_adjoint",
    "test_fv_tendency",
    "test_heun_solve",
    "test_gradient_check",
    "test_recover_initial_state",
    "test_pinn_residual",
]
