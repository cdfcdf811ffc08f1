"""The Godunov flux takes the smaller of the two one-sided fluxes: at a shock (u- > 0 > u+)
it picks the wrong state, and the right-moving shock of -sin(pi x) stalls."""

NOTEBOOK = "11-differentiable-physics.ipynb"
CELL = "fv_tendency"
FIND = "return torch.maximum(0.5 * left.clamp(min=0) ** 2, 0.5 * right.clamp(max=0) ** 2)"
REPLACE = "return torch.minimum(0.5 * left.clamp(min=0) ** 2, 0.5 * right.clamp(max=0) ** 2)"
FAILS = ["test_fv_tendency"]
