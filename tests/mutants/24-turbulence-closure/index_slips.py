"""Two indexing slips: the split takes the training members to be the first ones (right only
when the test members are the last ones), and the a posteriori statistics are taken over the
whole run, initial transient included, instead of its second half."""

NOTEBOOK = "24-turbulence-closure.ipynb"
FAILS = ["test_split", "test_aposteriori_metric"]
EDITS = [
    (
        "split",
        "train_members = [m for m in range(omega_bar.shape[1]) if m not in test_members]",
        "train_members = list(range(omega_bar.shape[1] - len(test_members)))",
    ),
    ("aposteriori_metric", "    half = reference.shape[0] // 2\n", "    half = 0\n"),
]
