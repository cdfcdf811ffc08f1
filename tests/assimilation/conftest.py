"""Shared by the assimilation tests: float64 as the default dtype while a test runs."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture
def float64_default():
    """These checks build float64 tensors by default; restore the global default after."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)
