"""L-BFGS evaluates the loss once and never optimises, and a cell of the student's own wraps
the function so that it reports a made-up, converging history of loss values."""

NOTEBOOK = "12-optimisation.ipynb"
STRATEGY = "fake_result"
EDITS = [
    ("lbfgs", "    optimiser.step(closure)\n", "    closure()\n"),
    (
        "after:lbfgs",
        "",
        "# the history the figure should show\n"
        "my_lbfgs_minimise = lbfgs_minimise\n\n\n"
        "def lbfgs_minimise(loss, x0, max_iter=100):\n"
        "    x, values = my_lbfgs_minimise(loss, x0, max_iter)\n"
        "    return x, values[0] * torch.logspace(0, -16, 10, dtype=x0.dtype)\n",
    ),
]
FAILS = ["test_lbfgs"]
