"""Leaky split: the whole series is windowed first and the *windows* are split by fraction,
without a gap. Windows on both sides of each boundary overlap in time (test targets sit
inside training histories), so the test score flatters the model."""

NOTEBOOK = "02-forecasting.ipynb"
CELL = "windows"
FIND = """    return {name: make_windows(block, n_past, leads) for name, block in blocks.items()}"""
REPLACE = """    history, targets = make_windows(series, n_past, leads)
    n_train = int(fractions[0] * history.shape[0])
    n_val = int(fractions[1] * history.shape[0])
    cuts = {"train": slice(0, n_train), "val": slice(n_train, n_train + n_val),
            "test": slice(n_train + n_val, None)}
    return {name: (history[cut], targets[cut]) for name, cut in cuts.items()}"""
FAILS = ["test_windows"]
