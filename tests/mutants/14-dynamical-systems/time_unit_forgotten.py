"""The time unit is forgotten twice: the central difference divides by 2 instead of 2Δ (a
derivative per sample, not per time unit), and the Lyapunov exponent averages the logarithms per
step instead of per time unit (n_steps instead of n_steps · dt)."""

NOTEBOOK = "14-dynamical-systems.ipynb"
EDITS = [
    (
        "central_difference",
        "(samples[2:] - samples[:-2]) / (2 * spacing)",
        "(samples[2:] - samples[:-2]) / 2",
    ),
    ("largest_lyapunov_exponent", "return total / (n_steps * dt)", "return total / n_steps"),
]
FAILS = ["test_central_difference", "test_largest_lyapunov_exponent"]
