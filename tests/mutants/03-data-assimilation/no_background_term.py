"""The background term of the 3D-Var cost is forgotten: J keeps only the observation misfit,
so the minimiser fits the observations exactly where they exist and ignores x_b."""

NOTEBOOK = "03-data-assimilation.ipynb"
CELL = "var3d_cost"
FIND = "return 0.5 * ((background @ B_inv) * background).sum(-1) + 0.5 * "
REPLACE = "return 0.5 * "
FAILS = ["test_var3d_cost"]
