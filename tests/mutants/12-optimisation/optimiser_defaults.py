"""The optimisers' hyper-parameters left at their defaults instead of the arguments: Adam
ignores `betas` and `eps`, and L-BFGS is built without `max_iter` (torch's default, 20
iterations). The visible tests use the defaults or converge within 20 iterations; the hidden
ones do not."""

NOTEBOOK = "12-optimisation.ipynb"
EDITS = [
    ("adam", "    beta1, beta2 = betas\n", "    beta1, beta2 = 0.9, 0.999\n    eps = 1e-8\n"),
    ("lbfgs", "        max_iter=max_iter,\n", ""),
]
FAILS = ["test_adam", "test_lbfgs"]
