"""Closure tests: one torch thread for the training tests (two kernels with two threads each
on two cores slow small training loops by orders of magnitude)."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture
def one_thread():
    """Run the test with ``torch.set_num_threads(1)``, restoring the previous value."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
