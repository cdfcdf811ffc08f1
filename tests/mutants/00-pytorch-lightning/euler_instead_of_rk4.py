"""Forward Euler instead of RK4: the stages are computed but only k1 is used, so the step
is first-order accurate."""

NOTEBOOK = "00-pytorch-lightning.ipynb"
CELL = "rk4_step"
FIND = "return state + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)"
REPLACE = "return state + dt * k1"
FAILS = ["test_rk4_step"]
