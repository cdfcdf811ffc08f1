"""Two sign slips: the viscous term of the PINN residual is added (u_t + u u_x + nu u_xx, an
anti-diffusion), and the smoothness prior is subtracted from the cost of the inverse problem
(the optimiser then rewards rough initial states)."""

NOTEBOOK = "11-differentiable-physics.ipynb"
EDITS = [
    ("pinn_residual", "return u_t + u * u_x - nu * u_xx", "return u_t + u * u_x + nu * u_xx"),
    (
        "recover_initial_state",
        "(misfit + smoothness * prior).backward()",
        "(misfit - smoothness * prior).backward()",
    ),
]
FAILS = ["test_pinn_residual", "test_recover_initial_state"]
