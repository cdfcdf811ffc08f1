"""Every part returns what a visible test expects, or a constant, without computing it: the
data unsplit, a perfect a priori score, a perfect a posteriori score, epoch losses that halve
without training, and the hand-computed EKI ensemble."""

NOTEBOOK = "24-turbulence-closure.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "split",
        "    n = omega_bar.shape[-1]\n",
        "    n = omega_bar.shape[-1]\n"
        "    return omega_bar.reshape(-1, n, n), subgrid.reshape(-1, n, n), omega_bar, subgrid\n",
    ),
    (
        "apriori_metric",
        "    predicted = np.asarray(predicted, dtype=np.float64).ravel()\n",
        "    return 1.0, 0.0\n",
    ),
    ("aposteriori_metric", "    half = reference.shape[0] // 2\n", "    return 0.0, 0.0\n"),
    (
        "apriori_cnn",
        "    generator = torch.Generator().manual_seed(seed)\n",
        "    return [1.0 / (epoch + 1) for epoch in range(n_epochs)]\n",
    ),
    ("eki_update", "    J = len(theta)\n", "    return np.array([[2.0], [8 / 3]])\n"),
]
FAILS = [
    "test_eki_update",
    "test_apriori_cnn",
    "test_aposteriori_metric",
    "test_apriori_metric",
    "test_split",
]
