"""Neural interpolators of gappy space-time windows.

Both take ``y`` (batch, days, lat, lon) — normalised log10 anomalies, zero in gaps — and the
mask ``m`` (same shape, 1 where observed), optionally a first guess ``x_b`` of the window
(same shape, e.g. the OI analysis), and return the filled window (batch, days, lat, lon).

* :class:`MaskedUNet`: the course's U-Net (:class:`~dlgd_course.nn.UNet`, Ronneberger et al.
  2015, MICCAI) on the ``2 × days`` channels ``[y, m]``; built with ``first_guess=True`` it
  reads ``[y, m, x_b]`` and returns ``x_b + UNet(y, m, x_b)``, a learned correction of the
  first guess.
* :class:`WindowOIFirstGuess`: such a network given, as its first guess, the optimal
  interpolation of each window's own observations
  (:func:`~dlgd_course.interpolation.optimal_interpolation.optimal_interpolation`), computed
  inside ``forward`` from ``y`` on ``m`` alone: it reads nothing a plain window network does
  not, so that a pixel withheld from ``m`` (observation-only training) cannot leak into its
  first guess.
* :class:`LearnedVariationalInterpolator`: 4DVarNet (Fablet et al. 2021, JAMES 13,
  e2021MS002572; Beauchamp et al. 2023, GMD 16, 2119-2147). The state ``x`` minimises the
  variational cost

      U(x) = α_obs ‖m ∘ (x - y)‖² + α_prior ‖x - Φ(x)‖²,

  with a trainable prior ``Φ`` (a convolutional auto-encoder), by ``K`` steps of a trainable
  gradient-based solver (:func:`~dlgd_course.nn.learned_gradient_descent`): a ConvLSTM Γ
  reads the normalised gradient ∇U(x_k) and proposes the update,
  ``x_{k+1} = x_k - Γ(∇U(x_k), h_k)``, from ``x_0 = m ∘ y`` or, when given, the first
  guess ``x_0 = x_b``. Prior and solver are trained end to end on the reconstruction error
  (double back-propagation through ∇U).
"""

from __future__ import annotations

import torch
from torch import nn

from dlgd_course.interpolation.optimal_interpolation import GaussianCovariance, optimal_interpolation
from dlgd_course.nn.networks import ConvLSTMSolver, UNet, double_conv, learned_gradient_descent

__all__ = ["LearnedVariationalInterpolator", "MaskedUNet", "WindowOIFirstGuess"]


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


class MaskedUNet(UNet):
    """Two-level U-Net (GELU, no batch normalisation) on ``[y, m]`` (and ``x_b`` if
    ``first_guess``): (B, days, H, W) × 2 (× 3) → (B, days, H, W); H, W multiples of 4."""

    def __init__(self, n_days: int = 5, channels: int = 16, first_guess: bool = False) -> None:
        super().__init__((3 if first_guess else 2) * n_days, n_days, width=channels, activation=nn.GELU)
        self.n_days, self.uses_first_guess = n_days, first_guess

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
        correction = super().forward(torch.cat(inputs, dim=1))
        return correction + first_guess if self.uses_first_guess else correction


class WindowOIFirstGuess(nn.Module):
    """``net(y, m, x_b)`` with ``x_b`` the OI analysis of every window from ``y`` where ``m``
    is 1 (``covariance`` in the units of ``y``, background 0): (B, days, H, W) × 2 →
    (B, days, H, W). ``net`` is a window model built for a first guess (e.g.
    ``MaskedUNet(first_guess=True)``), the only trainable part; no gradient flows through OI.
    """

    def __init__(self, net: nn.Module, covariance: GaussianCovariance) -> None:
        super().__init__()
        if not getattr(net, "uses_first_guess", False):
            raise ValueError("net must be a window model built with first_guess=True")
        self.net, self.covariance = net, covariance

    def forward(self, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        _check_inputs(y, mask, self.net.n_days)
        with torch.no_grad():
            observed = torch.where(mask > 0, y, torch.full_like(y, float("nan")))
            # CG to a relative residual of 1e-3: a first guess needs no more (and costs a third less)
            first_guess = optimal_interpolation(observed, self.covariance, rtol=1e-3).to(y.dtype)
        return self.net(y, mask, first_guess)


class _Prior(nn.Module):
    """Φ: a two-scale convolutional auto-encoder over the days of the window."""

    def __init__(self, n_days: int, channels: int) -> None:
        super().__init__()
        self.fine = double_conv(n_days, channels)
        self.coarse = nn.Sequential(
            nn.AvgPool2d(4),
            double_conv(n_days, channels),
            nn.Upsample(scale_factor=4, mode="bilinear", align_corners=False),
        )
        self.out = nn.Conv2d(2 * channels, n_days, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.cat([self.fine(x), self.coarse(x)], dim=1))


class LearnedVariationalInterpolator(nn.Module):
    """4DVarNet-style interpolator: prior Φ + ConvLSTM gradient solver Γ (``solver``),
    ``n_iterations`` steps."""

    def __init__(
        self, n_days: int = 5, prior_channels: int = 24, solver_channels: int = 24, n_iterations: int = 6
    ) -> None:
        super().__init__()
        if n_iterations < 1:
            raise ValueError(f"n_iterations must be >= 1, got {n_iterations}")
        self.n_days = n_days
        self.n_iterations = n_iterations
        self.prior = _Prior(n_days, prior_channels)
        self.solver = ConvLSTMSolver(n_days, solver_channels, spatial_dims=2, normalise_gradient=True)
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
        x0 = y.clone() if first_guess is None else first_guess.clone()
        x = learned_gradient_descent(
            lambda x: self.cost(x, y, mask).sum(), x0, self.solver, self.n_iterations, self.training
        )
        return x if self.training else x.detach()
