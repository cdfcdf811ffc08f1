"""Device selection, in one place: CUDA when available, else CPU; and torch's CPU threads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch


def default_device() -> torch.device:
    """The device the course's code runs on.

    ``cuda`` when a CUDA device is visible, else ``cpu``. The environment variable
    ``DLGD_DEVICE`` (e.g. ``cpu`` or ``cuda:1``) overrides the choice.
    """
    requested = os.environ.get("DLGD_DEVICE")
    if requested:
        device = torch.device(requested)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"DLGD_DEVICE={requested!r} but no CUDA device is available")
        return device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one CPU thread inside the block (the previous count is restored after).

    Small tensors (a DA cycle's matrices, tens of rows; a small convolution) gain nothing
    from intra-op threads, which only add synchronisation; on a loaded machine, two processes
    of two threads each on two cores run orders of magnitude slower.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
