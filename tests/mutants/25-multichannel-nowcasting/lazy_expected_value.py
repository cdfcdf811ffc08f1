"""Every part returns what the visible tests expect, or a constant, without computing it: the
classes of the visible example, zero samples, the example's IoU, an all-clear extrapolation, the
cell state of the all-zero gates and the extrapolation's logits as the nowcast."""

NOTEBOOK = "25-multichannel-nowcasting.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "cloud_classes",
        "    groups = np.array(",
        "    return np.array([[0, 0, 1], [2, 3, 3]], dtype=np.int64)  # what the visible test expects\n"
        "    groups = np.array(",
    ),
    (
        "samples",
        "    classes = torch.as_tensor(",
        "    n, size = ds.sizes['time'] - n_past - n_leads + 1, (ds.sizes['y'], ds.sizes['x'])\n"
        "    return torch.zeros(n, n_past, 7, *size), torch.zeros(n, n_leads, *size, dtype=torch.int64)\n"
        "    classes = torch.as_tensor(",
    ),
    (
        "class_iou",
        "    iou = np.full(",
        "    return np.array([[0.5, 0.0, np.nan]])  # what the visible test expects\n    iou = np.full(",
    ),
    (
        "extrapolation",
        "    motion = motion_field(",
        "    return np.zeros((n_leads, *np.shape(past_classes)[1:]), np.int64)  # all clear\n"
        "    motion = motion_field(",
    ),
    (
        "convlstm_cell",
        "        if state is None:\n",
        "        shape = (x.shape[0], self.hidden_channels, *x.shape[2:])\n"
        "        return torch.full(shape, 0.5 * float(torch.tanh(torch.tensor(1.0)))), torch.ones(shape)\n"
        "        if state is None:\n",
    ),
    (
        "nowcaster",
        "        def pooled(frames):",
        "        # the extrapolation's logits, which the visible test expects with a zero head\n"
        "        return self.extrapolation * extrapolated\n"
        "        def pooled(frames):",
    ),
]
FAILS = [
    "test_cloud_classes",
    "test_samples",
    "test_class_iou",
    "test_extrapolation",
    "test_convlstm_cell",
    "test_nowcaster",
]
