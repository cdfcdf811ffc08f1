"""A one-dimensional Fourier neural operator (Li et al. 2021, "Fourier neural operator for
parametric partial differential equations", ICLR).

A spectral convolution multiplies the lowest ``n_modes`` Fourier coefficients of each channel by
learned complex matrices and drops the others,

    (K v)(x) = F⁻¹[ R_k · (F v)_k ]_{k < n_modes}(x),    R_k ∈ ℂ^{channels_out × channels_in},

and a Fourier layer adds a pointwise linear map, v ← σ(K v + W v). The network lifts the input
field to ``width`` channels (with the coordinate x as an extra input), applies ``n_layers``
Fourier layers and projects back to one channel. The coefficients are normalised by the number
of grid points (``norm="forward"``), so R_k acts on the amplitude of the mode e^{iπkx} whatever
the resolution: the same weights apply to a field sampled on any periodic grid with more than
2 ``n_modes`` points (discretisation invariance), unlike a convolution whose kernel spans a fixed
number of grid points.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class SpectralConv1d(nn.Module):
    """(K v) for ``v (batch, channels_in, n)`` → ``(batch, channels_out, n)``, ``n > 2 n_modes``."""

    def __init__(self, channels_in: int, channels_out: int, n_modes: int) -> None:
        super().__init__()
        if n_modes < 1:
            raise ValueError(f"n_modes must be positive, got {n_modes}")
        self.n_modes = n_modes
        scale = 1 / (channels_in * channels_out)
        self.weight = nn.Parameter(
            scale * torch.randn(channels_in, channels_out, n_modes, dtype=torch.cfloat)
        )

    def forward(self, v: Tensor) -> Tensor:
        n_points = v.shape[-1]
        if n_points <= 2 * self.n_modes:
            raise ValueError(f"a grid of {n_points} points cannot hold {self.n_modes} Fourier modes")
        coefficients = torch.fft.rfft(v, norm="forward")[..., : self.n_modes]
        mixed = torch.einsum("bik,iok->bok", coefficients, self.weight.to(coefficients.dtype))
        return torch.fft.irfft(mixed, n=n_points, norm="forward")


class FNO1d(nn.Module):
    """Fourier neural operator on a periodic 1-D grid: ``u (batch, n)`` sampled at cell centres
    of [-1, 1) → ``(batch, n)``, for any ``n > 2 n_modes``."""

    def __init__(self, width: int = 24, n_modes: int = 12, n_layers: int = 3) -> None:
        super().__init__()
        self.lift = nn.Conv1d(2, width, 1)
        self.spectral = nn.ModuleList(SpectralConv1d(width, width, n_modes) for _ in range(n_layers))
        self.pointwise = nn.ModuleList(nn.Conv1d(width, width, 1) for _ in range(n_layers))
        self.project = nn.Sequential(nn.Conv1d(width, 64, 1), nn.GELU(), nn.Conv1d(64, 1, 1))

    def forward(self, u: Tensor) -> Tensor:
        n_points = u.shape[-1]
        x = -1 + 2 * (torch.arange(n_points, dtype=u.dtype, device=u.device) + 0.5) / n_points
        v = self.lift(torch.stack([u, x.expand_as(u)], dim=-2))
        for layer, (spectral, pointwise) in enumerate(zip(self.spectral, self.pointwise, strict=True)):
            v = spectral(v) + pointwise(v)
            if layer < len(self.spectral) - 1:
                v = nn.functional.gelu(v)
        return self.project(v).squeeze(-2)
