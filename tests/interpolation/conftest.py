"""One torch thread for these small-tensor tests (the fixture ``one_torch_thread`` of
``tests/conftest.py``, applied to every test here)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread(one_torch_thread: None) -> None:
    """Every interpolation test runs on one torch thread."""
