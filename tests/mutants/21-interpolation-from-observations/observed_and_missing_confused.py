"""Observed and missing are confused: coverage returns the observed fraction of each day as its
missing fraction, and withhold_patches takes every pixel of a withheld patch as a target, also
those that were never observed (there is nothing to learn there)."""

NOTEBOOK = "21-interpolation-from-observations.ipynb"
EDITS = [
    (
        "coverage",
        "return 1.0 - observed.mean(axis=(1, 2)), observed.mean(axis=0)",
        "return observed.mean(axis=(1, 2)), observed.mean(axis=0)",
    ),
    ("withhold_patches", "return mask & ~withheld, mask & withheld", "return mask & ~withheld, withheld"),
]
FAILS = ["test_coverage", "test_withhold_patches"]
