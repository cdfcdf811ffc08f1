"""Every part calls the course library instead of being written: the lecture's VAE loss, training
loop, GAN losses, distances and coverage, and the closures' energy spectrum."""

NOTEBOOK = "13-generative-models.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "elbo",
        "    return mu + torch.exp(0.5 * log_var) * noise\n",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.reparameterise(mu, log_var, noise)\n",
    ),
    (
        "elbo",
        "    return 0.5 * (mu**2 + log_var.exp() - 1 - log_var).sum(-1)\n",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.gaussian_kl(mu, log_var)\n",
    ),
    (
        "elbo",
        "    misfit = (x - reconstruction).pow(2).sum(-1) / (2 * noise_var)\n",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.negative_elbo(x, reconstruction, mu, log_var, noise_var, beta)\n",
    ),
    (
        "train_vae",
        "    generator = torch.Generator().manual_seed(seed)\n",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.train_vae(\n"
        "        model, fields, loss_function, n_steps, batch_size, lr, warmup, noise_var, seed\n"
        "    )\n",
    ),
    (
        "gan_losses",
        "    softplus = torch.nn.functional.softplus\n",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.discriminator_loss(real_logits, fake_logits)\n",
    ),
    (
        "gan_losses",
        "    return torch.nn.functional.softplus(-fake_logits).mean()\n",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.generator_loss(fake_logits)\n",
    ),
    (
        "spectrum",
        "    n = fields.shape[-1]\n",
        "    from dlgd_course.closures.burgers import energy_spectrum\n\n"
        "    return energy_spectrum(fields).reshape(-1, fields.shape[-1] // 2 + 1).mean(0)\n",
    ),
    (
        "spectrum",
        "    return (spectrum_a[1:].log10()",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.spectral_distance(spectrum_a, spectrum_b)\n"
        "    return (spectrum_a[1:].log10()",
    ),
    (
        "distances",
        "    if a.shape != b.shape:\n",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.sliced_wasserstein(a, b, directions)\n"
        "    if a.shape != b.shape:\n",
    ),
    (
        "distances",
        "    radii = torch.cdist(real, real)",
        "    from dlgd_course.lectures import generative_models\n\n"
        "    return generative_models.coverage(samples, real, k)\n"
        "    radii = torch.cdist(real, real)",
    ),
]
FAILS = ["test_elbo", "test_train_vae", "test_gan_losses", "test_spectrum", "test_distances"]
