"""One torch thread for these small-tensor tests: on a shared 2-core machine two threads
per process contend with the other pytest workers and slow tiny matrix products down."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def single_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
