"""Every part calls the course library instead of being written: the registry's coverage and
score, the course's time splitter, the library's persistence fill and patch withholding, and
the library's masked loss and training of interpolators."""

NOTEBOOK = "21-interpolation-from-observations.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "coverage",
        "    observed = np.asarray(mask, dtype=np.float64)\n",
        "    from dlgd_course.assignments import interpolation_from_observations\n"
        "\n"
        "    return interpolation_from_observations.coverage(mask)\n",
    ),
    (
        "split_days",
        "    n_train = n_time - n_test - n_val - 2 * gap\n",
        "    from dlgd_course.data.splits import time_splits\n"
        "\n"
        "    usable = n_time - 2 * gap\n"
        "    fractions = ((usable - n_test - n_val) / usable, n_val / usable, n_test / usable)\n"
        "    return time_splits(n_time, fractions, gap)\n"
        "    n_train = n_time - n_test - n_val - 2 * gap\n",
    ),
    (
        "hidden_rmse",
        "    scored = ~np.asarray(input_mask, dtype=bool) & np.isfinite(reference)\n",
        "    from dlgd_course.interpolation.metrics import score_arrays\n"
        "\n"
        "    scored = ~np.asarray(input_mask, dtype=bool) & np.isfinite(reference)\n"
        "    return score_arrays(estimate[scored], reference[scored])['rmse']\n",
    ),
    (
        "persistence_fill",
        "    filled = np.zeros(mask.shape)\n",
        "    from dlgd_course.interpolation.observation_only import persistence_fill as library_fill\n"
        "\n"
        "    return library_fill(z_obs, mask, max_age)\n",
    ),
    (
        "withhold_patches",
        "    mask = np.asarray(mask, dtype=bool)\n",
        "    from dlgd_course.interpolation.observation_only import withhold_patches as library_withhold\n"
        "\n"
        "    return library_withhold(mask, fraction, patch, seed)\n",
    ),
    (
        "observation_training",
        "        estimate = self.net(y * input_mask, input_mask)\n",
        "        from dlgd_course.interpolation.lightning import masked_mse\n"
        "\n"
        "        return masked_mse(self.net(y * input_mask, input_mask), y, target_mask)\n",
    ),
]
FAILS = [
    "test_coverage",
    "test_split_days",
    "test_hidden_rmse",
    "test_persistence_fill",
    "test_withhold_patches",
    "test_observation_training",
]
