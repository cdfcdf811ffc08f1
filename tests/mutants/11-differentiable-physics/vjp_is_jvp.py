"""The adjoint computed with the Jacobian instead of its transpose: l96_vjp returns J w, which
agrees with J^T w only where J is symmetric (it is not: the stencil is one-sided)."""

NOTEBOOK = "11-differentiable-physics.ipynb"
CELL = "tangent_adjoint"
FIND = "return weighted.roll(1, -1) - weighted.roll(-2, -1) + slopes.roll(-1, -1) - w"
REPLACE = "return l96_jvp(x, w)"
FAILS = ["test_tangent_adjoint"]
