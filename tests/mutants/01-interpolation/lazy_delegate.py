"""Every part calls the course library instead of being written: the library's training
windows for the pairs, its donor-mask hiding, its scores, its matrix-free OI, and its masked
loss, forecasting windows and LightningModule for the U-Net."""

NOTEBOOK = "01-interpolation.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "osse_pair",
        "    observed = mask.astype(bool)\n    inputs = np.where(observed, z_obs, 0.0)\n",
        "    from dlgd_course.interpolation import GappyWindows\n"
        '    windows = GappyWindows(z_obs, mask, n_days=1, pairs="osse", truth=z_true)\n'
        "    days = [windows[t] for t in range(len(windows))]\n"
        "    inputs, observed, target, _ = (np.concatenate([d[k].numpy() for d in days]) for k in range(4))\n"
        "    return inputs, observed, target, 1 - observed\n",
    ),
    (
        "observation_pair",
        "    input_mask = observed & donor_mask.astype(bool)\n",
        "    from dlgd_course.interpolation import hide_observed_pixels\n"
        "    input_mask = np.concatenate([hide_observed_pixels(mask[t:t + 1], "
        "donor_masks=donor_mask[t:t + 1])[0]\n"
        "                                 for t in range(len(mask))])\n",
    ),
    (
        "hidden_scores",
        "    error = estimate[hidden] - truth[hidden]\n",
        "    from dlgd_course.interpolation import score_arrays\n"
        "    scores = score_arrays(estimate[hidden], truth[hidden])\n"
        '    return {"rmse": scores["rmse"], "r2": scores["r2"]}\n',
    ),
    (
        "oi_fill",
        "    t, i, j = (c.ravel()",
        "    from dlgd_course.interpolation import GaussianCovariance, optimal_interpolation\n"
        "    covariance = GaussianCovariance(variance, length_scale, time_scale, noise_variance)\n"
        "    return optimal_interpolation(anomaly, covariance, rtol=1e-10).numpy()\n"
        "    t, i, j = (c.ravel()",
    ),
    (
        "unet",
        "    return (weight * (prediction - target) ** 2).sum() / weight.sum()\n",
        "    from dlgd_course.interpolation import lightning\n"
        "    return lightning.masked_mse(prediction, target, weight)\n",
    ),
    (
        "unet",
        "    n_windows = pair[0].shape[0] - N_DAYS + 1\n",
        "    from dlgd_course.forecasting.windows import make_windows as cut\n"
        "    return TensorDataset(*(torch.cat(cut(torch.as_tensor(a, dtype=torch.float32), "
        "N_DAYS - 1, (1,)), dim=1)\n"
        "                           for a in pair))\n",
    ),
    (
        "unet",
        "    quiet_trainer(max_epochs=EPOCHS).fit(module, window_loader)\n",
        "    from dlgd_course.interpolation import InterpolationModule\n"
        "    wrapper = InterpolationModule(module.net, lr=module.lr, max_epochs=EPOCHS)\n"
        "    quiet_trainer(max_epochs=EPOCHS).fit(wrapper, window_loader)\n",
    ),
]
FAILS = ["test_osse_pair", "test_observation_pair", "test_hidden_scores", "test_oi_fill", "test_unet"]
