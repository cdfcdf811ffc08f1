"""Every part calls the course library instead of being written: its species summary, stratified
split, per-species scores and spectral loss, per-species CRW, conditional networks and
conditional GAN step."""

NOTEBOOK = "26-species-trajectories.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "species_statistics",
        "    out = {}\n",
        "    from dlgd_course.trajectories.conditional import species_statistics as course\n"
        "\n"
        "    return course(ds)\n",
    ),
    (
        "split_by_trip",
        "    rng = np.random.default_rng(seed)\n",
        "    from dlgd_course.trajectories import split_trips\n"
        "\n"
        "    return split_trips(ds, test_fraction, seed)\n",
    ),
    (
        "per_species_scores",
        "    a = np.abs(np.fft.rfft(real_xy, axis=1)).mean(axis=0)\n",
        "    from dlgd_course.trajectories import spectral_loss as course\n"
        "\n"
        "    return course(real_xy, fake_xy)\n",
    ),
    (
        "per_species_scores",
        "    scores = {}\n",
        "    from dlgd_course.trajectories.conditional import per_species_scores as course\n"
        "\n"
        "    return course(real, generated)\n",
    ),
    (
        "crw_per_species",
        "    simulated = []\n",
        "    from dlgd_course.trajectories.conditional import crw_per_species as course\n"
        "\n"
        "    return course(train, n_per_species, seed)\n",
    ),
    (
        "conditioning",
        "        self.embedding = nn.Embedding(num_embeddings=n_species, embedding_dim=LATENT)\n",
        "        from dlgd_course.trajectories.conditional import ConditionalTripGenerator\n"
        "\n"
        "        self.inner = ConditionalTripGenerator(n_species, 3, N_STEPS, LATENT, width, max_step)\n"
        "        self.embedding = self.inner.embedding\n",
    ),
    (
        "conditioning",
        "        return self.net(torch.cat([z, self.embedding(species)], dim=1))\n",
        "        return self.inner(z, species)\n",
    ),
    (
        "training_step",
        "        z = torch.randn(real.shape[0], LATENT, device=self.device)\n",
        "        from dlgd_course.trajectories.conditional import ConditionalTripGAN\n"
        "\n"
        "        self.discriminator, self.gp_weight = self.critic, 10.0\n"
        "        return ConditionalTripGAN.training_step(self, batch, batch_idx)\n",
    ),
]
FAILS = [
    "test_species_statistics",
    "test_split_by_trip",
    "test_per_species_scores",
    "test_crw_per_species",
    "test_conditioning",
    "test_training_step",
    "test_training_step_hidden",
]
