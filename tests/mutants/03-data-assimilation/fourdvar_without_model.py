"""The window's observations are all compared with the initial state x0: the model is never
run inside the 4D-Var cost (a 3D-Var with several observations of the wrong time)."""

NOTEBOOK = "03-data-assimilation.ipynb"
CELL = "fourdvar"
FIND = "        x = forecast(x)\n"
REPLACE = ""
FAILS = ["test_fourdvar"]
