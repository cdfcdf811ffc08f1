"""The learned step is added instead of subtracted, x + Γ(∇U): not the 4DVarNet iteration
(the state moves up the gradient of the variational cost at initialisation)."""

NOTEBOOK = "03-data-assimilation.ipynb"
CELL = "learned_solver"
FIND = "z = z - step"
REPLACE = "z = z + step"
FAILS = ["test_learned_solver"]
