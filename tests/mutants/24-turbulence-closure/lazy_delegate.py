"""Every part calls the course library instead of being written: the split, both metrics, the
a priori training loop and the EKI update of dlgd_course.closures.kolmogorov_les."""

NOTEBOOK = "24-turbulence-closure.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "split",
        "    n = omega_bar.shape[-1]\n",
        "    from dlgd_course.closures import kolmogorov_les\n"
        "\n"
        "    return kolmogorov_les.split_members(omega_bar, subgrid, test_members)\n"
        "    n = omega_bar.shape[-1]\n",
    ),
    (
        "apriori_metric",
        "    predicted = np.asarray(predicted, dtype=np.float64).ravel()\n",
        "    from dlgd_course.closures import kolmogorov_les\n"
        "\n"
        "    return kolmogorov_les.apriori_scores(predicted, exact)\n",
    ),
    (
        "aposteriori_metric",
        "    half = reference.shape[0] // 2\n",
        "    from dlgd_course.closures.kochkov2021_kolmogorov import spectrum_errors\n"
        "\n"
        "    half = reference.shape[0] // 2\n"
        "    spectrum_error, _ = spectrum_errors(les[half:], reference[half:], 5)\n"
        "    ratio = np.mean(les[half:] ** 2) / np.mean(reference[half:] ** 2)\n"
        "    return spectrum_error, abs(float(ratio) - 1.0)\n",
    ),
    (
        "apriori_cnn",
        "    generator = torch.Generator().manual_seed(seed)\n",
        "    from dlgd_course.closures import kolmogorov_les\n"
        "\n"
        "    return kolmogorov_les.fit_apriori_closure(\n"
        "        network, inputs, targets, n_epochs, batch_size, lr, seed\n"
        "    )\n",
    ),
    (
        "eki_update",
        "    J = len(theta)\n",
        "    from dlgd_course.closures import kolmogorov_les\n"
        "\n"
        "    return kolmogorov_les.eki_update(theta, predictions, target, noise_std, perturbations)\n",
    ),
]
FAILS = [
    "test_split",
    "test_apriori_metric",
    "test_aposteriori_metric",
    "test_apriori_cnn",
    "test_eki_update",
]
