"""The outer loss summed over all values instead of averaged, in both hypergradients: the
implicit one forgets the factor 1/(m n) of dL/dx_hat, the unrolled one back-propagates the
sum; both are m n times too large."""

NOTEBOOK = "12-optimisation.ipynb"
EDITS = [
    ("implicit_hypergradient", "(2 * (x_hat - clean) / x_hat.numel()).T", "(2 * (x_hat - clean)).T"),
    ("unrolled_hypergradient", "loss = (x - clean).pow(2).mean()", "loss = (x - clean).pow(2).sum()"),
]
FAILS = ["test_implicit_hypergradient", "test_unrolled_hypergradient"]
