"""Suite-wide settings: a private dataset cache per test session, and deterministic torch."""

from __future__ import annotations

import os

import pytest
import torch


@pytest.fixture(scope="session", autouse=True)
def private_dataset_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep generated datasets out of the user's cache (``DLGD_CACHE_DIR``) during the tests."""
    previous = os.environ.get("DLGD_CACHE_DIR")
    os.environ["DLGD_CACHE_DIR"] = str(tmp_path_factory.mktemp("dlgd-cache"))
    yield
    if previous is None:
        os.environ.pop("DLGD_CACHE_DIR", None)
    else:
        os.environ["DLGD_CACHE_DIR"] = previous


@pytest.fixture
def generator() -> torch.Generator:
    """A CPU generator with a fixed seed."""
    return torch.Generator().manual_seed(1234)
