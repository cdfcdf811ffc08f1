"""Neural interpolators of gappy space-time windows.

Both take ``y`` (batch, days, lat, lon) — normalised log10 anomalies, zero in gaps — and the
mask ``m`` (same shape, 1 where observed), optionally a first guess ``x_b`` of the window
(same shape, e.g. the OI analysis), and return the filled window (batch, days, lat, lon).

* :class:`MaskedUNet`: a U-Net (Ronneberger et al. 2015, MICCAI) on the ``2 × days``
  channels ``[y, m]``; built with ``first_guess=True`` it reads ``[y, m, x_b]`` and returns
  ``x_b + UNet(y, m, x_b)``, a learned correction of the first guess.
* :class:`LearnedVariationalInterpolator`: 4DVarNet (Fablet et al. 2021, JAMES 13,
  e2021MS002572; Beauchamp et al. 2023, GMD 16, 2119-2147). The state ``x`` minimises the
  variational cost

      U(x) = α_obs ‖m ∘ (x - y)‖² + α_prior ‖x - Φ(x)‖²,

  with a trainable prior ``Φ`` (a convolutional auto-encoder), by ``K`` steps of a trainable
  gradient-based solver: a ConvLSTM Γ reads the normalised gradient ∇U(x_k) and proposes
  the update, ``x_{k+1} = x_k - Γ(∇U(x_k), h_k)``, from ``x_0 = m ∘ y`` or, when given,
  the first guess ``x_0 = x_b``. Prior and solver are trained end to end on the
  reconstruction error (double back-propagation through ∇U).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["ConvLSTMCell", "LearnedVariationalInterpolator", "MaskedUNet"]


def _check_inputs(
    y: torch.Tensor, mask: torch.Tensor, n_days: int, first_guess: torch.Tensor | None = None
) -> None:
    if y.ndim != 4 or y.shape != mask.shape:
        raise ValueError(
            f"y and mask must both be (batch, days, lat, lon), got {tuple(y.shape)} and {tuple(mask.shape)}"
        )
    if first_guess is not None and first_guess.shape != y.shape:
        raise ValueError(
            f"first_guess must have the shape of y {tuple(y.shape)}, got {tuple(first_guess.shape)}"
        )
    if y.shape[1] != n_days:
        raise ValueError(f"model built for {n_days} days, got windows of {y.shape[1]}")
    if y.shape[-1] % 4 or y.shape[-2] % 4:
        raise ValueError(f"lat and lon sizes must be multiples of 4, got {tuple(y.shape[-2:])}")


def _double_conv(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.GELU(),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.GELU(),
    )


class MaskedUNet(nn.Module):
    """Two-level U-Net on ``[y, m]`` (and ``x_b`` if ``first_guess``): (B, days, H, W) × 2 (× 3)
    → (B, days, H, W); H, W multiples of 4."""

    def __init__(self, n_days: int = 5, channels: int = 16, first_guess: bool = False) -> None:
        super().__init__()
        self.n_days, self.uses_first_guess = n_days, first_guess
        c = channels
        self.enc1 = _double_conv((3 if first_guess else 2) * n_days, c)
        self.enc2 = _double_conv(c, 2 * c)
        self.bottom = _double_conv(2 * c, 4 * c)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.dec2 = _double_conv(4 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.dec1 = _double_conv(2 * c, c)
        self.head = nn.Conv2d(c, n_days, 1)

    def forward(
        self, y: torch.Tensor, mask: torch.Tensor, first_guess: torch.Tensor | None = None
    ) -> torch.Tensor:
        _check_inputs(y, mask, self.n_days, first_guess)
        if (first_guess is not None) != self.uses_first_guess:
            raise ValueError(
                f"this U-Net was built with first_guess={self.uses_first_guess}: "
                f"{'pass' if self.uses_first_guess else 'do not pass'} a first guess"
            )
        inputs = [y * mask, mask] + ([first_guess] if self.uses_first_guess else [])
        e1 = self.enc1(torch.cat(inputs, dim=1))
        e2 = self.enc2(nn.functional.max_pool2d(e1, 2))
        b = self.bottom(nn.functional.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        correction = self.head(d1)
        return correction + first_guess if self.uses_first_guess else correction


class ConvLSTMCell(nn.Module):
    """Convolutional LSTM cell (Shi et al. 2015): gates from a 3×3 conv of ``[input, h]``."""

    def __init__(self, in_channels: int, hidden_channels: int) -> None:
        super().__init__()
        self.hidden_channels = hidden_channels
        self.gates = nn.Conv2d(in_channels + hidden_channels, 4 * hidden_channels, 3, padding=1)

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        h, c = state
        i, f, o, g = torch.chunk(self.gates(torch.cat([x, h], dim=1)), 4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class _Prior(nn.Module):
    """Φ: a two-scale convolutional auto-encoder over the days of the window."""

    def __init__(self, n_days: int, channels: int) -> None:
        super().__init__()
        self.fine = _double_conv(n_days, channels)
        self.coarse = nn.Sequential(
            nn.AvgPool2d(4),
            _double_conv(n_days, channels),
            nn.Upsample(scale_factor=4, mode="bilinear", align_corners=False),
        )
        self.out = nn.Conv2d(2 * channels, n_days, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.cat([self.fine(x), self.coarse(x)], dim=1))


class LearnedVariationalInterpolator(nn.Module):
    """4DVarNet-style interpolator: prior Φ + ConvLSTM gradient solver, ``n_iterations`` steps."""

    def __init__(
        self, n_days: int = 5, prior_channels: int = 24, solver_channels: int = 24, n_iterations: int = 6
    ) -> None:
        super().__init__()
        if n_iterations < 1:
            raise ValueError(f"n_iterations must be >= 1, got {n_iterations}")
        self.n_days = n_days
        self.n_iterations = n_iterations
        self.prior = _Prior(n_days, prior_channels)
        self.solver = ConvLSTMCell(n_days, solver_channels)
        self.update = nn.Conv2d(solver_channels, n_days, 1)
        self.log_alpha_obs = nn.Parameter(torch.zeros(()))
        self.log_alpha_prior = nn.Parameter(torch.zeros(()))

    def cost(self, x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """U(x) per batch element, shape (B,): mean squares of the two terms."""
        obs_term = (mask * (x - y) ** 2).mean(dim=(1, 2, 3))
        prior_term = ((x - self.prior(x)) ** 2).mean(dim=(1, 2, 3))
        return self.log_alpha_obs.exp() * obs_term + self.log_alpha_prior.exp() * prior_term

    def forward(
        self, y: torch.Tensor, mask: torch.Tensor, first_guess: torch.Tensor | None = None
    ) -> torch.Tensor:
        _check_inputs(y, mask, self.n_days, first_guess)
        y = y * mask
        x = y.clone() if first_guess is None else first_guess.clone()
        batch, _, height, width = y.shape
        h = y.new_zeros(batch, self.solver.hidden_channels, height, width)
        c = torch.zeros_like(h)
        with torch.enable_grad():
            for _ in range(self.n_iterations):
                if not x.requires_grad:
                    x = x.detach().requires_grad_(True)
                grad = torch.autograd.grad(self.cost(x, y, mask).sum(), x, create_graph=self.training)[0]
                grad = grad / grad.pow(2).mean(dim=(1, 2, 3), keepdim=True).add(1e-12).sqrt()
                h, c = self.solver(grad, (h, c))
                x = x - self.update(h)
        return x if self.training else x.detach()
