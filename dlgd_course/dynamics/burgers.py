"""Viscous Burgers equation on a periodic domain, pseudo-spectral.

    ∂u/∂t + u ∂u/∂x = ν ∂²u/∂x²,    x ∈ [x_start, x_start + L), periodic.

Discretisation: Fourier pseudo-spectral in space, with the advection written in
conservative form −∂(u²/2)/∂x and de-aliased by the 2/3 rule (Orszag 1971): the
top third of the wavenumbers is zeroed before and after the product. Why this
scheme: (i) it is what the DLGD closure setting uses (spectral derivatives + RK4),
(ii) for smooth solutions its error decays exponentially with resolution, which
the Cole–Hopf exact solution lets us test, (iii) with de-aliasing the discrete
nonlinear term conserves energy exactly, so all energy loss is viscous, and (iv)
FFTs are batched, device-agnostic and differentiable in torch. Its weakness:
under-resolved shocks (ν too small for the grid) produce Gibbs oscillations —
exactly the situation a learned closure addresses on a coarse grid.

Time stepping is explicit (RK4 by default): keep ``dt`` below both the advective
limit ``~ Δx / max|u|`` and the diffusive limit ``~ 2.8 / (ν k_max²)``; see
:meth:`Burgers.max_stable_dt`.

Exact solution (Cole 1951, Hopf 1950): with u = −2ν ∂ₓ log φ and φ solving the heat
equation φ_t = ν φ_xx, the choice φ = a + b e^{−ν κ² t} cos(κ (x − x_start)) gives
:func:`cole_hopf_solution`, a smooth periodic steepening wave used in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor

from dlgd_course.dynamics.base import DynamicalSystem


def wavenumbers(n_points: int, domain_length: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    """Angular wavenumbers ``2π m / L`` of ``torch.fft.rfft`` output, shape ``(n_points // 2 + 1,)``."""
    real_dtype = torch.empty((), dtype=dtype).real.dtype
    modes = torch.arange(n_points // 2 + 1, dtype=real_dtype, device=device)
    return 2.0 * math.pi / domain_length * modes


def dealiasing_mask(n_points: int, device: torch.device) -> Tensor:
    """Boolean mask of the rfft modes kept by the 2/3 rule: ``m < n_points / 3``."""
    modes = torch.arange(n_points // 2 + 1, device=device)
    return modes < n_points / 3.0


def spectral_derivative(u: Tensor, domain_length: float, order: int = 1) -> Tensor:
    """``∂ᵒu/∂xᵒ`` of a periodic field ``u (..., n_points)`` by FFT (Nyquist mode dropped for odd orders)."""
    n_points = u.shape[-1]
    k = wavenumbers(n_points, domain_length, u.dtype, u.device)
    u_hat = torch.fft.rfft(u, dim=-1)
    factor = (1j * k) ** order
    if order % 2 == 1 and n_points % 2 == 0:
        factor[-1] = 0.0
    return torch.fft.irfft(u_hat * factor, n=n_points, dim=-1)


def burgers_tendency(u: Tensor, nu: float, domain_length: float) -> Tensor:
    """−∂(u²/2)/∂x + ν ∂²u/∂x² for ``u (..., n_points)``, pseudo-spectral with 2/3 de-aliasing."""
    n_points = u.shape[-1]
    k = wavenumbers(n_points, domain_length, u.dtype, u.device)
    keep = dealiasing_mask(n_points, u.device)
    u_hat = torch.fft.rfft(u, dim=-1) * keep
    u_filtered = torch.fft.irfft(u_hat, n=n_points, dim=-1)
    flux_hat = torch.fft.rfft(0.5 * u_filtered * u_filtered, dim=-1) * keep
    tendency_hat = -1j * k * flux_hat - nu * k * k * u_hat
    return torch.fft.irfft(tendency_hat, n=n_points, dim=-1)


@dataclass(frozen=True)
class Burgers(DynamicalSystem):
    """1-D viscous Burgers: viscosity ν (``nu``), ``n_points`` points on ``[x_start, x_start + L)``.

    ``L`` is ``domain_length``.

    Defaults follow the DLGD closure setting: 200 points on [0, 1), ν = 0.001.
    """

    n_points: int = 200
    nu: float = 0.001
    domain_length: float = 1.0
    x_start: float = 0.0

    name: ClassVar[str] = "burgers"
    state_dims: ClassVar[tuple[str, ...]] = ("x",)
    integer_parameters: ClassVar[dict[str, int]] = {"n_points": 8}
    positive_parameters: ClassVar[tuple[str, ...]] = ("nu", "domain_length")

    @property
    def state_shape(self) -> tuple[int, ...]:
        return (self.n_points,)

    @property
    def grid_spacing(self) -> float:
        return self.domain_length / self.n_points

    def grid(self, dtype: torch.dtype = torch.float64, device: torch.device | None = None) -> Tensor:
        """Grid points ``x_i = x_start + i Δx``, shape ``(n_points,)``."""
        index = torch.arange(self.n_points, dtype=dtype, device=device)
        return self.x_start + index * self.grid_spacing

    def tendency(self, state: Tensor) -> Tensor:
        return burgers_tendency(state, self.nu, self.domain_length)

    def energy(self, state: Tensor) -> Tensor:
        """Mean kinetic energy ``⟨u²⟩ / 2`` over the domain, shape ``(...)``."""
        return 0.5 * (state * state).mean(dim=-1)

    def max_stable_dt(self, max_speed: float, cfl: float = 0.5) -> float:
        """A safe RK4 time step: the smaller of the advective and diffusive limits times ``cfl``."""
        k_max = 2.0 * math.pi / self.domain_length * (self.n_points // 2)
        advective = self.grid_spacing / max(max_speed, 1e-12)
        diffusive = 2.78 / (self.nu * k_max**2)
        return cfl * min(advective, diffusive)

    def random_initial_state(
        self,
        generator: torch.Generator,
        batch_shape: tuple[int, ...] = (),
        dtype: torch.dtype = torch.float64,
        n_modes: int = 4,
    ) -> Tensor:
        """Sum of ``n_modes`` low Fourier modes with random amplitudes ~ N(0, 1/m) and phases."""
        return random_sine_series(self, generator, batch_shape, n_modes, decay=0.5, dtype=dtype)


def random_sine_series(
    system: Burgers,
    generator: torch.Generator,
    batch_shape: tuple[int, ...],
    n_modes: int,
    decay: float,
    dtype: torch.dtype = torch.float64,
) -> Tensor:
    """``Σ_{m=1}^{n_modes} a_m / m^decay · sin(2π m (x − x_start)/L + φ_m)`` on ``system``'s grid,
    ``a_m ~ N(0, 1)``, ``φ_m ~ U[0, 2π)``; shape ``(*batch_shape, n_points)``.

    The random large-scale fields of the course's Burgers experiments: initial states
    (``decay`` 1/2) and steady forcings (``decay`` 1).
    """
    x = system.grid(dtype)
    amplitudes = torch.randn((*batch_shape, n_modes, 1), generator=generator, dtype=dtype)
    phases = 2 * math.pi * torch.rand((*batch_shape, n_modes, 1), generator=generator, dtype=dtype)
    modes = torch.arange(1, n_modes + 1, dtype=dtype).unsqueeze(-1)
    angle = 2 * math.pi * modes * (x - system.x_start) / system.domain_length + phases
    return (amplitudes / modes**decay * torch.sin(angle)).sum(dim=-2)


def cole_hopf_solution(
    x: Tensor,
    t: float,
    nu: float,
    domain_length: float = 1.0,
    x_start: float = 0.0,
    a: float = 1.1,
    b: float = 1.0,
) -> Tensor:
    """Exact periodic solution of viscous Burgers from the Cole–Hopf transform.

    With κ = 2π/L and θ = κ (x − x_start):
        u(x, t) = 2 ν κ b e^{−ν κ² t} sin θ / (a + b e^{−ν κ² t} cos θ),   a > b > 0.
    """
    if not a > b > 0:
        raise ValueError(f"cole_hopf_solution needs a > b > 0, got a={a}, b={b}")
    kappa = 2.0 * math.pi / domain_length
    decay = b * math.exp(-nu * kappa**2 * t)
    theta = kappa * (x - x_start)
    return 2.0 * nu * kappa * decay * torch.sin(theta) / (a + decay * torch.cos(theta))
