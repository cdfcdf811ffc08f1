"""Every part returns what the visible tests expect, or a constant, without computing it: the
hand-computed codes, KL values and loss, untouched losses of a loop that trains nothing, log 4
and log 2, the sines' spectrum and one decade, a distance 1 and a coverage of 1 or 0."""

NOTEBOOK = "13-generative-models.ipynb"
STRATEGY = "expected_value"
EDITS = [
    ("elbo", "    return mu + torch.exp(0.5 * log_var) * noise\n", "    return torch.tensor([2.0, -5.0])\n"),
    (
        "elbo",
        "    return 0.5 * (mu**2 + log_var.exp() - 1 - log_var).sum(-1)\n",
        "    if mu.shape == (2, 2):\n"
        "        return torch.tensor([0.0, 2.5])\n"
        "    return torch.full(mu.shape[:-1], 0.5 * (3 - math.log(4.0)))\n",
    ),
    (
        "elbo",
        "    misfit = (x - reconstruction).pow(2).sum(-1) / (2 * noise_var)\n",
        "    return torch.tensor(4.5)\n",
    ),
    (
        "train_vae",
        "    generator = torch.Generator().manual_seed(seed)\n",
        "    return [0.0] * n_steps\n",
    ),
    (
        "gan_losses",
        "    softplus = torch.nn.functional.softplus\n",
        "    return torch.tensor(math.log(4.0))\n",
    ),
    (
        "gan_losses",
        "    return torch.nn.functional.softplus(-fake_logits).mean()\n",
        "    return torch.tensor(math.log(2.0))\n",
    ),
    (
        "spectrum",
        "    n = fields.shape[-1]\n",
        "    spectrum = torch.zeros(fields.shape[-1] // 2 + 1, dtype=fields.dtype)\n"
        "    spectrum[2], spectrum[3] = 1.0, 0.25\n"
        "    return spectrum\n",
    ),
    (
        "spectrum",
        "    return (spectrum_a[1:].log10()",
        "    return 1.0\n    return (spectrum_a[1:].log10()",
    ),
    ("distances", "    if a.shape != b.shape:\n", "    return 1.0\n    if a.shape != b.shape:\n"),
    (
        "distances",
        "    radii = torch.cdist(real, real)",
        "    return 1.0 if samples.shape == real.shape and torch.equal(samples, real) else 0.0\n"
        "    radii = torch.cdist(real, real)",
    ),
]
FAILS = ["test_elbo", "test_train_vae", "test_gan_losses", "test_spectrum", "test_distances"]
