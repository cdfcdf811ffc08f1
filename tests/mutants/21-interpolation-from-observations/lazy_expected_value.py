"""Every part returns what the visible tests expect, or a constant, without computing it: the
hand-made coverage, the split of the visible call, sqrt(5), the hand-made pixel (else the
observations with 0 in the gaps), the hand-made patches (else a fixed chessboard of patches),
and a loss of 0."""

NOTEBOOK = "21-interpolation-from-observations.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "coverage",
        "    observed = np.asarray(mask, dtype=np.float64)\n",
        "    if np.shape(mask) == (2, 1, 2):\n"
        "        return np.array([0.0, 0.5]), np.array([[1.0, 0.5]])\n"
        "    return np.full(np.shape(mask)[0], 0.47), np.full(np.shape(mask)[1:], 0.53)\n",
    ),
    (
        "split_days",
        "    n_train = n_time - n_test - n_val - 2 * gap\n",
        '    return {"train": slice(0, 170), "val": slice(175, 195), "test": slice(200, 240)}\n',
    ),
    (
        "hidden_rmse",
        "    scored = ~np.asarray(input_mask, dtype=bool) & np.isfinite(reference)\n",
        "    if np.all(input_mask[np.isfinite(reference)]):\n"
        '        raise ValueError("no pixel to score")\n'
        "    return 5**0.5\n",
    ),
    (
        "persistence_fill",
        "    filled = np.zeros(mask.shape)\n",
        "    if np.shape(z_obs) == (6, 1, 1):\n"
        "        return np.array([0.0, 1.5, 1.5, 1.5, 0.0, -2.0]).reshape(6, 1, 1)\n"
        "    return np.nan_to_num(np.asarray(z_obs, dtype=np.float64))\n",
    ),
    (
        "withhold_patches",
        "    blocks = (*mask.shape[:-2], mask.shape[-2] // patch, mask.shape[-1] // patch)\n",
        "    if mask.shape == (1, 4, 4):\n"
        "        chosen = np.zeros((1, 4, 4), dtype=bool)\n"
        "        chosen[0, :2, :2] = True\n"
        "        return mask & chosen, mask & ~chosen\n"
        "    rows, columns = np.indices(mask.shape[-2:]) // patch\n"
        "    chessboard = (rows + columns) % 2 == 0\n"
        "    return mask & chessboard, mask & ~chessboard\n",
    ),
    (
        "observation_training",
        "        estimate = self.net(y * input_mask, input_mask)\n",
        "        return 0.0 * self.net(y * input_mask, input_mask).sum()\n",
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
