"""Per-trip quantities taken over the pooled values: the range of a species is the largest distance
of all its trips (not the median of each trip's largest distance), and the spectral loss averages
the log-moduli of the trips instead of taking the log of their mean modulus."""

NOTEBOOK = "26-species-trajectories.ipynb"
EDITS = [
    (
        "species_statistics",
        "float(np.median(np.hypot(x, y).max(axis=1)))",
        "float(np.hypot(x, y).max())",
    ),
    (
        "per_species_scores",
        "    a = np.abs(np.fft.rfft(real_xy, axis=1)).mean(axis=0)\n",
        "    a = np.exp(np.log(np.abs(np.fft.rfft(real_xy, axis=1))).mean(axis=0))\n",
    ),
    (
        "per_species_scores",
        "    b = np.abs(np.fft.rfft(fake_xy, axis=1)).mean(axis=0)\n",
        "    b = np.exp(np.log(np.abs(np.fft.rfft(fake_xy, axis=1))).mean(axis=0))\n",
    ),
]
FAILS = ["test_species_statistics", "test_per_species_scores"]
