"""The L-BFGS closures never reset the gradient: each evaluation adds its gradient to those of
all earlier evaluations, so the line search and the quasi-Newton updates of 3D-Var and 4D-Var
work with a wrong gradient and stop away from the minimum."""

NOTEBOOK = "15-inverse-problems.ipynb"
EDITS = [
    ("three_d_var", "        lbfgs.zero_grad()\n", ""),
    ("fourdvar_analysis", "        lbfgs.zero_grad()\n", ""),
]
FAILS = ["test_three_d_var", "test_fourdvar_analysis"]
