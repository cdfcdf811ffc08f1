"""The one batched-inference helper: a model applied to a whole split, batch by batch."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
from torch import Tensor

from dlgd_course.device import default_device


@torch.no_grad()
def predict_in_batches(
    model: torch.nn.Module,
    *inputs: Tensor,
    batch_size: int = 256,
    apply: Callable[..., Tensor] | None = None,
) -> Tensor:
    """``apply(*batch)`` (default ``model(*batch)``) over the first dimension of ``inputs``.

    The model is put in eval mode (its training mode is restored afterwards) and runs on its
    own device: that of its parameters, else of its buffers, else the course's
    :func:`~dlgd_course.device.default_device`. Each batch goes to that device and each output
    comes back to the CPU.

    Args:
        model: the network (or LightningModule) whose mode and device are used.
        inputs: tensors ``(N, ...)`` sharing their first dimension ``N``.
        batch_size: samples per forward pass (a memory bound; results do not depend on it).
        apply: what to call on a batch, e.g. ``lambda h: model.forecast(h, leads)``.

    Returns:
        the outputs concatenated along the first dimension, ``(N, ...)`` on the CPU.
    """
    if not inputs:
        raise ValueError("predict_in_batches needs at least one input tensor")
    n = inputs[0].shape[0]
    if any(x.shape[0] != n for x in inputs):
        raise ValueError(f"inputs differ in their first dimension: {[tuple(x.shape) for x in inputs]}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    tensor = next(itertools.chain(model.parameters(), model.buffers()), None)
    device = tensor.device if tensor is not None else default_device()
    call = model if apply is None else apply
    was_training = model.training
    model.eval()
    try:
        outputs = [
            call(*(x[start : start + batch_size].to(device) for x in inputs)).cpu()
            for start in range(0, n, batch_size)
        ]
    finally:
        model.train(was_training)
    if not outputs:
        raise ValueError("predict_in_batches got empty inputs (N = 0)")
    return torch.cat(outputs)
