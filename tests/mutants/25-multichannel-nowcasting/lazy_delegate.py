"""Every part calls the course library instead of being written: its class map, samples and
split, per-class IoU, class-map extrapolation, ConvLSTM cell (with the notebook's weights) and
nowcasting forward pass."""

NOTEBOOK = "25-multichannel-nowcasting.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "cloud_classes",
        "    groups = np.array(",
        "    from dlgd_course.nowcasting.multiclass import cloud_classes as library_classes\n"
        "    return library_classes(ct)\n"
        "    groups = np.array(",
    ),
    (
        "samples",
        "    classes = torch.as_tensor(",
        "    from dlgd_course.nowcasting.multiclass import class_samples\n"
        "    return class_samples(ds, n_past, n_leads)\n"
        "    classes = torch.as_tensor(",
    ),
    (
        "samples",
        "    window = n_past + n_leads\n",
        "    from dlgd_course.nowcasting.multiclass import split_class_samples\n"
        "    return split_class_samples(ds, n_past, n_leads)\n"
        "    window = n_past + n_leads\n",
    ),
    (
        "class_iou",
        "    iou = np.full(",
        "    from dlgd_course.nowcasting.multiclass import per_class_iou\n"
        "    return per_class_iou(forecast, target, n_classes)\n"
        "    iou = np.full(",
    ),
    (
        "extrapolation",
        "    motion = motion_field(",
        "    from dlgd_course.nowcasting.multiclass import extrapolate_class_map\n"
        "    return extrapolate_class_map(past_classes, tracer, n_leads, n_classes)\n"
        "    motion = motion_field(",
    ),
    (
        "convlstm_cell",
        "        if state is None:\n",
        "        from dlgd_course.nn import ConvLSTMCell as LibraryCell\n"
        "\n"
        "        library = LibraryCell(self.gates.in_channels - self.hidden_channels, self.hidden_channels)\n"
        "        library.gates = self.gates  # the course's cell with this cell's weights\n"
        "        return library(x, state)\n"
        "        if state is None:\n",
    ),
    (
        "nowcaster",
        "        def pooled(frames):",
        "        from dlgd_course.nowcasting.multiclass import convlstm_nowcast\n"
        "        return convlstm_nowcast(self.cell, self.head, self.extrapolation, past, extrapolated)\n"
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
