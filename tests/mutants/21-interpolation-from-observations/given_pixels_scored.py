"""The pixels given to the method are counted where only the others should be: the score takes
every pixel with a reference (the given ones too, which a method copies), and the training loss
every observed pixel of the window (the network's own inputs too)."""

NOTEBOOK = "21-interpolation-from-observations.ipynb"
EDITS = [
    (
        "hidden_rmse",
        "scored = ~np.asarray(input_mask, dtype=bool) & np.isfinite(reference)",
        "scored = np.isfinite(reference)",
    ),
    (
        "observation_training",
        "return (target_mask * (estimate - y) ** 2).sum() / target_mask.sum()",
        "observed = input_mask + target_mask\n"
        "        return (observed * (estimate - y) ** 2).sum() / observed.sum()",
    ),
]
FAILS = ["test_hidden_rmse", "test_observation_training"]
