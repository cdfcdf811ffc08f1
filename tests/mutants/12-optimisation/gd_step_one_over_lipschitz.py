"""The safe step 1/L instead of the best fixed step 2/(L + mu): gradient descent still
converges, but at the rate 1 - mu/L = 1 - 1/kappa instead of (kappa - 1)/(kappa + 1)."""

NOTEBOOK = "12-optimisation.ipynb"
CELL = "gradient_descent"
FIND = "return 2.0 / (lipschitz + mu), (lipschitz - mu) / (lipschitz + mu)"
REPLACE = "return 1.0 / lipschitz, 1.0 - mu / lipschitz"
FAILS = ["test_gradient_descent"]
