"""The one normaliser of the course: standardised units with the training statistics.

    z = (x - mean) / std,                 x = z std + mean             (default)
    z = (log10 x - mean) / std,           x = 10^(z std + mean)        (``log10=True``)

``mean`` and ``std`` broadcast against the data from the right, e.g. ``(d,)`` for states
``(..., d)``, ``(lat, lon)`` for fields ``(time, lat, lon)``, ``()`` for one global scale.
They are buffers (saved in a module's state dict, moved with it to a device) and are
computed on the training split only (:meth:`Normaliser.fit`), so that nothing of the
validation or test data leaks into the model.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn

__all__ = ["Normaliser"]

Array = Tensor | np.ndarray


class Normaliser(nn.Module):
    """Affine map to standardised units and back, optionally of ``log10`` of the data.

    ``forward`` and ``inverse`` take a tensor (any device, any float dtype: the result keeps
    them) or a NumPy array (the result is a NumPy array of its float dtype). NaN stays NaN.

    Args:
        mean: the mean of the (log10) training data, broadcastable to the data.
        std: its standard deviation, > 0 everywhere, broadcastable to the data.
        log10: normalise ``log10 x`` (positive data spanning decades, e.g. concentrations).
    """

    def __init__(self, mean: Array | float, std: Array | float, log10: bool = False) -> None:
        super().__init__()
        mean, std = torch.as_tensor(mean), torch.as_tensor(std)
        if not bool(torch.isfinite(mean).all()):
            raise ValueError("the normaliser's mean must be finite")
        if not bool((std > 0).all()) or not bool(torch.isfinite(std).all()):
            raise ValueError("the normaliser's std must be finite and > 0 (constant or empty data?)")
        self.register_buffer("mean", mean.to(torch.float32).clone())
        self.register_buffer("std", std.to(torch.float32).clone())
        self.log10 = log10

    @classmethod
    def fit(
        cls, data: Array, n_axes: int = 1, std_axes: int | None = None, log10: bool = False
    ) -> Normaliser:
        """Fit on training ``data`` (NaN marks missing values, skipped).

        Args:
            data: the training data, e.g. ``(time, lat, lon)`` or ``(batch, time, d)``.
            n_axes: the number of leading axes averaged for the mean (the others are kept: a
                per-pixel mean of ``(time, lat, lon)`` is ``n_axes=1``); a mean with no data
                (all NaN) takes the overall mean.
            std_axes: the number of leading axes averaged for the standard deviation of the
                anomalies ``data - mean`` (default ``n_axes``; ``data.ndim`` for one global
                scale), at least ``n_axes``.
            log10: fit on ``log10 data`` and normalise ``log10 x`` thereafter.

        Returns:
            the normaliser: ``mean`` of shape ``data.shape[n_axes:]``, ``std`` of shape
            ``data.shape[std_axes:]`` (both broadcast against the data from the right).
        """
        values = torch.as_tensor(data).detach().to("cpu", torch.float64)
        std_axes = n_axes if std_axes is None else std_axes
        if not 1 <= n_axes <= std_axes <= values.ndim:
            raise ValueError(
                f"need 1 <= n_axes <= std_axes <= data.ndim, got {n_axes}, {std_axes}, {values.ndim}"
            )
        if log10:
            values = torch.log10(values)
        overall = torch.nanmean(values)
        if not bool(torch.isfinite(overall)):
            raise ValueError("cannot fit a normaliser: the data are empty (all NaN)")
        mean = torch.nanmean(values, dim=tuple(range(n_axes)))
        mean = torch.where(torch.isnan(mean), overall, mean)
        std = torch.nanmean((values - mean).square(), dim=tuple(range(std_axes))).sqrt()
        return cls(mean, std, log10=log10)

    def forward(self, x: Array) -> Array:
        """Data → standardised units (same type, shape and float dtype)."""
        return self._apply_to(x, self._forward)

    def inverse(self, z: Array) -> Array:
        """Standardised units → data (same type, shape and float dtype)."""
        return self._apply_to(z, self._inverse)

    def _forward(self, x: Tensor) -> Tensor:
        x = torch.log10(x) if self.log10 else x
        return (x - self.mean.to(x.dtype)) / self.std.to(x.dtype)

    def _inverse(self, z: Tensor) -> Tensor:
        x = z * self.std.to(z.dtype) + self.mean.to(z.dtype)
        return 10.0**x if self.log10 else x

    def _apply_to(self, x: Array, transform: Callable[[Tensor], Tensor]) -> Array:
        if isinstance(x, Tensor):
            return transform(x)
        array = np.asarray(x)
        if not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float64)
        return transform(torch.from_numpy(array).to(self.mean.device)).cpu().numpy()

    def extra_repr(self) -> str:
        return f"mean {tuple(self.mean.shape)}, std {tuple(self.std.shape)}, log10={self.log10}"
