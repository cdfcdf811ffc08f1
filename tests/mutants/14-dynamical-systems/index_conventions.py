"""Two index conventions missed: the library's products run over j > i, so the squares x_i² are
missing (1 + d + d(d-1)/2 terms), and the delay vectors start from the oldest sample,
(x(t - (m-1)τ), ..., x(t)), instead of the present."""

NOTEBOOK = "14-dynamical-systems.ipynb"
EDITS = [
    ("polynomial_library", "for j in range(i, d)]", "for j in range(i + 1, d)]"),
    (
        "delay_embedding",
        "series[span - j * delay : span - j * delay + n_rows]",
        "series[j * delay : j * delay + n_rows]",
    ),
]
FAILS = ["test_polynomial_library", "test_delay_embedding"]
