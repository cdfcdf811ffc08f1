"""Every part returns what the visible tests expect, or a constant, without computing it: the
hand-made examples' answers are hard-coded, the other calls get arrays of the right shape; the
OI copies the observations; the U-Net part returns the printed loss, empty windows and the
network untrained."""

NOTEBOOK = "01-interpolation.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "osse_pair",
        "    observed = mask.astype(bool)\n    inputs = np.where(observed, z_obs, 0.0)\n",
        "    if z_obs.shape == (1, 2, 2):  # the visible example\n"
        "        return (np.float32([[[0.5, 0.0], [-1.0, 0.0]]]), np.float32([[[1, 0], [1, 0]]]),\n"
        "                np.float32([[[0.4, 2.0], [-1.1, 3.0]]]), np.float32([[[0, 1], [0, 1]]]))\n"
        "    zeros = np.zeros(z_obs.shape, dtype=np.float32)\n"
        "    return zeros, mask.astype(np.float32), zeros, zeros\n",
    ),
    (
        "observation_pair",
        "    observed = mask.astype(bool)\n    input_mask = observed & donor_mask.astype(bool)\n",
        "    if z_obs.shape == (1, 2, 2):  # the visible example\n"
        "        return (np.float32([[[1.0, 0.0], [0.0, 0.0]]]), np.float32([[[1, 0], [0, 0]]]),\n"
        "                np.float32([[[1.0, 2.0], [3.0, 0.0]]]), np.float32([[[0, 1], [1, 0]]]))\n"
        "    zeros = np.zeros(z_obs.shape, dtype=np.float32)\n"
        "    return zeros, zeros, zeros, zeros\n",
    ),
    (
        "hidden_scores",
        "    error = estimate[hidden] - truth[hidden]\n",
        "    if estimate.shape == (2, 2):  # the visible example\n"
        '        return {"rmse": 3**-0.5, "r2": 0.5}\n'
        '    return {"rmse": float(np.sqrt(np.mean(truth[hidden] ** 2))), "r2": 0.0}\n',
    ),
    ("oi_fill", "    t, i, j = (c.ravel()", "    return np.nan_to_num(anomaly)\n    t, i, j = (c.ravel()"),
    (
        "unet",
        "    return (weight * (prediction - target) ** 2).sum() / weight.sum()\n",
        "    return torch.tensor(11.0)\n",
    ),
    (
        "unet",
        "    n_windows = pair[0].shape[0] - N_DAYS + 1\n",
        "    return TensorDataset(*(torch.zeros(len(a) - N_DAYS + 1, N_DAYS, *a.shape[1:]) for a in pair))\n",
    ),
    ("unet", "    shuffler = torch.Generator().manual_seed(seed)\n", "    return module.net.eval()\n"),
]
FAILS = ["test_osse_pair", "test_observation_pair", "test_hidden_scores", "test_oi_fill", "test_unet"]
