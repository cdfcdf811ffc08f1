"""Device selection, in one place: CUDA when available, else CPU."""

from __future__ import annotations

import os

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
