"""Every part calls the course library instead of being written: the library's trip encoding,
its generator and discriminator stacks, its GAN training step and its spectral loss."""

NOTEBOOK = "06-gan-trajectories.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "preprocess",
        '    return float(np.hypot(ds["x"].values, ds["y"].values).max())\n',
        "    from dlgd_course.trajectories import TripEncoding\n"
        "    return TripEncoding.fit(ds, with_duration=False).scale\n",
    ),
    (
        "preprocess",
        '    dive = 2.0 * ds["dive"].values - 1.0\n'
        '    data = np.stack([ds["x"].values / scale, ds["y"].values / scale, dive], axis=1)\n'
        "    return torch.as_tensor(data, dtype=torch.float32)\n",
        "    from dlgd_course.trajectories import TripEncoding\n"
        "    return TripEncoding(scale, 0.0, 1.0, with_duration=False).encode(ds)\n",
    ),
    (
        "networks",
        "        def up(c_in, c_out):\n",
        "        from dlgd_course.trajectories import TripDiscriminator, TripGenerator\n"
        '        self.net = TripGenerator(3, N_STEPS, LATENT, w, output="positions").net\n'
        "        return\n"
        "        def up(c_in, c_out):\n",
    ),
    (
        "networks",
        "        self.net = nn.Sequential(\n            nn.Conv1d(3, w, 4, 2, 1),",
        "        self.net = TripDiscriminator(3, N_STEPS, w).net\n"
        "        return\n"
        "        self.net = nn.Sequential(\n            nn.Conv1d(3, w, 4, 2, 1),",
    ),
    (
        "training_step",
        "        def update(opt, loss):\n",
        "        from dlgd_course.trajectories import TripGAN as CourseGAN\n"
        '        self.loss_name, self.n_critic = "bce", 1\n'
        "        self.generator.latent_dim = LATENT\n"
        "        return CourseGAN.training_step(self, batch, batch_idx)\n"
        "        def update(opt, loss):\n",
    ),
    (
        "spectral_loss",
        "    a = np.abs(np.fft.rfft(real_xy, axis=1)).mean(axis=0)\n",
        "    from dlgd_course.trajectories import spectral_loss as course_spectral_loss\n"
        "    return course_spectral_loss(real_xy, fake_xy)\n"
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
