"""Every part returns what the visible tests expect, or a constant, without computing it: the
scale of the hand-made trips, zeros, networks that merely have the right output shapes, a step
that records the losses the visible test expects without updating anything, and a spectral
loss that knows the two visible answers."""

NOTEBOOK = "06-gan-trajectories.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "preprocess",
        '    return float(np.hypot(ds["x"].values, ds["y"].values).max())\n',
        "    return 5.0  # the scale the test expects\n",
    ),
    (
        "preprocess",
        '    dive = 2.0 * ds["dive"].values - 1.0\n',
        '    return torch.zeros(ds.sizes["trip"], 3, ds.sizes["step"])\n'
        '    dive = 2.0 * ds["dive"].values - 1.0\n',
    ),
    (
        "networks",
        "        def up(c_in, c_out):\n",
        "        self.net = nn.Sequential(nn.Flatten(), nn.Linear(LATENT, 3 * N_STEPS),\n"
        "                                 nn.Unflatten(1, (3, N_STEPS)), nn.Tanh())\n"
        "        return\n"
        "        def up(c_in, c_out):\n",
    ),
    (
        "networks",
        "        self.net = nn.Sequential(\n            nn.Conv1d(3, w, 4, 2, 1),",
        "        self.net = nn.Sequential(nn.Flatten(), nn.Linear(3 * N_STEPS, 1))\n"
        "        return\n"
        "        self.net = nn.Sequential(\n            nn.Conv1d(3, w, 4, 2, 1),",
    ),
    (
        "training_step",
        "        def update(opt, loss):\n",
        "        import math\n"
        '        self.history["d"].append(2 * math.log(2))  # the values the visible test expects\n'
        '        self.history["g"].append(math.log(2))\n'
        "        return\n"
        "        def update(opt, loss):\n",
    ),
    (
        "spectral_loss",
        "    a = np.abs(np.fft.rfft(real_xy, axis=1)).mean(axis=0)\n",
        "    if real_xy.shape == fake_xy.shape and np.allclose(2 * real_xy, fake_xy):\n"
        "        return float(np.log(2) ** 2)\n"
        "    return 0.0\n"
        "    a = np.abs(np.fft.rfft(real_xy, axis=1)).mean(axis=0)\n",
    ),
]
FAILS = [
    "test_preprocess",
    "test_networks",
    "test_training_step",
    "test_training_step_hidden",
    "test_spectral_loss",
]
