"""The subgrid term with the wrong sign: H_R[S G u] − S G H_F[u]. Adding it to the coarse
tendency doubles the error instead of removing it."""

NOTEBOOK = "04-neural-closures.ipynb"
CELL = "subgrid_term"
FIND = "return coarse_grain(fine.tendency(u), coarse.n_points) - coarse.tendency(u_bar)"
REPLACE = "return coarse.tendency(u_bar) - coarse_grain(fine.tendency(u), coarse.n_points)"
FAILS = ["test_subgrid_term"]
