"""Two slips of session 1: very low clouds and fog (CT 5) grouped with the low clouds instead of
clear sky, and the samples of the whole scene cut first and split 70/15/15 afterwards, so that
windows straddle the blocks and training windows reach into the test hours."""

NOTEBOOK = "25-multichannel-nowcasting.ipynb"
EDITS = [
    (
        "cloud_classes",
        "groups = np.array([0, 0, 0, 0, 0, 0, 1, 1,",
        "groups = np.array([0, 0, 0, 0, 0, 1, 1, 1,",
    ),
    (
        "samples",
        "    window = n_past + n_leads\n"
        "    blocks = split_in_time(ds, gap=window, window=window)\n"
        "    return {name: make_samples(block, n_past, n_leads) for name, block in blocks.items()}\n",
        "    inputs, targets = make_samples(ds, n_past, n_leads)\n"
        "    n = len(inputs)\n"
        "    cuts = {\n"
        '        "train": slice(0, int(0.7 * n)),\n'
        '        "val": slice(int(0.7 * n), int(0.85 * n)),\n'
        '        "test": slice(int(0.85 * n), n),\n'
        "    }\n"
        "    return {name: (inputs[cut], targets[cut]) for name, cut in cuts.items()}\n",
    ),
]
FAILS = ["test_cloud_classes", "test_samples"]
