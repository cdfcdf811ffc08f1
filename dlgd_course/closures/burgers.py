"""Closures for the 1-D viscous Burgers equation: DNS, filter, subgrid term, coarse solver.

The fine model (DNS, grid Ω with ``n_fine`` points) is forced viscous Burgers

    ∂u/∂t = H_F[u] + f,   H_F[u] = −∂ₓ(u²/2) + ν ∂ₓ²u,

solved by :func:`dlgd_course.dynamics.burgers_tendency` plus a steady forcing ``f``
(the tendencies are composed here, the solver is not re-implemented). The coarse model
on ω (``n_coarse`` points) is the same discretisation on the coarse grid plus a closure M:

    ∂ū/∂t = H_R[ū] + f̄ + M(ū).

In the notation of the DLGD course (∂ₜx + R = H_R[x]) the closure is R = −M.

Filter and coarse-graining: ū = S G u, where G is a sharp spectral cut-off that keeps the
Fourier modes the coarse solver resolves after its 2/3 de-aliasing (|m| < n_coarse/3) and
S samples on the coarse grid. Because the coarse state then holds exactly the resolved
modes, the *exact* subgrid term

    M* = S G (H_F[u]) − H_R[S G u]          (the forcing is resolved and cancels)

makes the coarse model reproduce the filtered DNS: ∂ₜū = H_R[ū] + f̄ + M*. It contains
the unresolved stress −∂ₓ(τ/2), τ = ūū‾ − ū ū (overline = filter), and any difference
between the fine and coarse discretisations.

Baselines: constant Smagorinsky (Smagorinsky 1963), M = ∂ₓ((C_s Δ)² |∂ₓū| ∂ₓū) with
C_s = 0.16 (DLGD setting) and Δ the coarse grid spacing; dynamic Smagorinsky (Germano et
al. 1991 with Lilly's 1992 least-squares coefficient), C_s² computed per sample from a
test filter at half the resolved wavenumbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from dlgd_course.dynamics import Burgers, burgers_tendency, rk4_step
from dlgd_course.dynamics.burgers import random_sine_series, spectral_derivative, wavenumbers
from dlgd_course.own_work import guard_answer

#: A closure maps coarse states ``(..., n_coarse)`` to a tendency term of the same shape.
Closure = Callable[[Tensor], Tensor]


def resolved_modes(n_points: int) -> int:
    """Number of rfft modes the pseudo-spectral solver on ``n_points`` evolves: ``m < n/3``."""
    return math.floor((n_points - 1) / 3.0) + 1


def project_resolved(field: Tensor) -> Tensor:
    """Zero the Fourier modes ``m >= n/3`` of a periodic ``field (..., n)`` (2/3 rule)."""
    n_points = field.shape[-1]
    field_hat = torch.fft.rfft(field, dim=-1)
    field_hat[..., resolved_modes(n_points) :] = 0
    return torch.fft.irfft(field_hat, n=n_points, dim=-1)


def coarse_grain(u: Tensor, n_coarse: int) -> Tensor:
    """ū = S G u: sharp spectral filter to the modes resolved on ``n_coarse`` points, then sampling.

    Args:
        u: fine field ``(..., n_fine)`` on a periodic grid, ``n_fine >= n_coarse``.
        n_coarse: number of coarse grid points (same domain, same ``x_start``).

    Returns:
        ``(..., n_coarse)``: the filtered field at the coarse grid points.
    """
    n_fine = u.shape[-1]
    if not isinstance(n_coarse, int) or isinstance(n_coarse, bool) or n_coarse < 3:
        raise ValueError(f"n_coarse must be an integer >= 3, got {n_coarse!r}")
    if n_coarse > n_fine:
        raise ValueError(f"n_coarse ({n_coarse}) must not exceed the fine grid size ({n_fine})")
    u_hat = torch.fft.rfft(u, dim=-1)
    coarse_hat = torch.zeros((*u.shape[:-1], n_coarse // 2 + 1), dtype=u_hat.dtype, device=u.device)
    keep = resolved_modes(n_coarse)
    coarse_hat[..., :keep] = u_hat[..., :keep] * (n_coarse / n_fine)
    return torch.fft.irfft(coarse_hat, n=n_coarse, dim=-1)


def random_forcing(
    system: Burgers,
    generator: torch.Generator,
    batch_shape: tuple[int, ...] = (),
    n_modes: int = 3,
    amplitude: float = 1.0,
    dtype: torch.dtype = torch.float64,
) -> Tensor:
    """A steady large-scale forcing ``f(x) = Σ_{m=1}^{n_modes} a_m/m sin(2π m x/L + φ_m)``.

    ``a_m ~ N(0, amplitude²)``, ``φ_m ~ U[0, 2π)``; shape ``(*batch_shape, n_points)``. With
    ``n_modes`` below ``n_coarse/3`` the forcing is resolved on the coarse grid.
    """
    if amplitude < 0 or not math.isfinite(amplitude):
        raise ValueError(f"forcing amplitude must be finite and >= 0, got {amplitude}")
    return amplitude * random_sine_series(system, generator, batch_shape, n_modes, decay=1.0, dtype=dtype)


def forced_tendency(system: Burgers, forcing: Tensor | None) -> Callable[[Tensor], Tensor]:
    """The tendency ``u ↦ H[u] + f`` of ``system`` with the steady ``forcing`` (or none)."""
    if forcing is None:
        return system.tendency
    return lambda u: burgers_tendency(u, system.nu, system.domain_length) + forcing


def subgrid_term(u: Tensor, fine: Burgers, coarse: Burgers) -> Tensor:
    """Exact subgrid tendency M* = S G H_F[u] − H_R[S G u], shape ``(..., coarse.n_points)``.

    ``u (..., fine.n_points)`` is the DNS state (units of u per unit time in the result).
    Adding M* to the coarse tendency reproduces the tendency of the filtered DNS.
    """
    guard_answer()
    fine.check_state(u)
    check_pair(fine, coarse)
    u_bar = coarse_grain(u, coarse.n_points)
    return coarse_grain(fine.tendency(u), coarse.n_points) - coarse.tendency(u_bar)


def check_pair(fine: Burgers, coarse: Burgers) -> None:
    """Raise ``ValueError`` unless ``coarse`` is a coarser grid of the same problem as ``fine``."""
    if coarse.n_points > fine.n_points:
        raise ValueError(f"coarse grid ({coarse.n_points} points) is finer than the DNS ({fine.n_points})")
    for name in ("nu", "domain_length", "x_start"):
        if getattr(fine, name) != getattr(coarse, name):
            raise ValueError(
                f"fine and coarse Burgers differ in {name}: {getattr(fine, name)} vs {getattr(coarse, name)}"
            )


# --- closures -------------------------------------------------------------------------


def _eddy_flux_divergence(u_bar: Tensor, coefficient: Tensor | float, delta: float, length: float) -> Tensor:
    """∂ₓ(c Δ² |∂ₓū| ∂ₓū) for a coefficient ``c`` (scalar or ``(..., 1)``), projected."""
    gradient = spectral_derivative(u_bar, length)
    flux = coefficient * delta**2 * gradient.abs() * gradient
    return project_resolved(spectral_derivative(flux, length))


@dataclass(frozen=True)
class SmagorinskyClosure:
    """Constant-coefficient Smagorinsky: M = ∂ₓ((C_s Δ)² |∂ₓū| ∂ₓū), Δ = L / n_coarse.

    Smagorinsky (1963); C_s = 0.16 in the DLGD Burgers setting.
    """

    coarse: Burgers
    C_s: float = 0.16  # noqa: N815 (name of the paper)

    def __post_init__(self) -> None:
        if not math.isfinite(self.C_s) or self.C_s < 0:
            raise ValueError(f"Smagorinsky constant C_s must be finite and >= 0, got {self.C_s}")

    def __call__(self, u_bar: Tensor) -> Tensor:
        return _eddy_flux_divergence(u_bar, self.C_s**2, self.coarse.grid_spacing, self.coarse.domain_length)


@dataclass(frozen=True)
class DynamicSmagorinskyClosure:
    """Dynamic Smagorinsky (Germano et al. 1991; Lilly 1992) for 1-D Burgers.

    Model of the subgrid flux τ/2 = (ūū‾ − ūū)/2 ≈ −c Δ²|∂ₓū|∂ₓū. With a test filter ^
    (sharp cut-off at ``1/test_ratio`` of the resolved modes) the Germano identity gives
    L = (ûū^ − û û)/2 and M = Δ² (|∂ₓū|∂ₓū)^ − (αΔ)² |∂ₓû|∂ₓû, α = ``test_ratio``, and the
    least-squares coefficient c = ⟨L M⟩ / ⟨M M⟩ (domain average per sample, clipped at 0).
    """

    coarse: Burgers
    test_ratio: float = 2.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.test_ratio) and self.test_ratio > 1):
            raise ValueError(f"test_ratio must be finite and > 1 (coarser filter), got {self.test_ratio}")

    def coefficient(self, u_bar: Tensor) -> Tensor:
        """c = C_s² per sample, shape ``(..., 1)``."""
        n_points = u_bar.shape[-1]
        length, delta = self.coarse.domain_length, self.coarse.grid_spacing
        keep = max(1, math.floor(resolved_modes(n_points) / self.test_ratio))

        def test_filter(field: Tensor) -> Tensor:
            field_hat = torch.fft.rfft(field, dim=-1)
            field_hat[..., keep:] = 0
            return torch.fft.irfft(field_hat, n=n_points, dim=-1)

        u_hat = test_filter(u_bar)
        leonard = 0.5 * (test_filter(u_bar * u_bar) - u_hat * u_hat)
        gradient = spectral_derivative(u_bar, length)
        gradient_hat = spectral_derivative(u_hat, length)
        model = (
            delta**2 * test_filter(gradient.abs() * gradient)
            - (self.test_ratio * delta) ** 2 * gradient_hat.abs() * gradient_hat
        )
        numerator = (leonard * model).mean(dim=-1, keepdim=True)
        denominator = (model * model).mean(dim=-1, keepdim=True).clamp_min(1e-30)
        return (numerator / denominator).clamp_min(0.0)

    def __call__(self, u_bar: Tensor) -> Tensor:
        return _eddy_flux_divergence(
            u_bar, self.coefficient(u_bar), self.coarse.grid_spacing, self.coarse.domain_length
        )


class FluxCNN(nn.Module):
    """A learned closure in flux form: M(ū) = −∂ₓ F_θ(ū), F_θ a periodic 1-D CNN.

    The divergence form conserves the domain mean of u exactly (as the true subgrid term
    does); the output is projected onto the resolved modes. Input ``(..., n_coarse)``.

    Args:
        coarse: the coarse Burgers problem (domain length for the derivative).
        hidden: channels of the hidden layers.
        n_layers: number of convolutions (>= 2).
        kernel_size: odd kernel width, in grid points.
        input_scale: typical |ū| (the network sees ū / input_scale).
        output_scale: typical |F| (the network's output is multiplied by it).
    """

    def __init__(
        self,
        coarse: Burgers,
        hidden: int = 16,
        n_layers: int = 3,
        kernel_size: int = 5,
        input_scale: float = 1.0,
        output_scale: float = 0.01,
    ) -> None:
        super().__init__()
        if n_layers < 2 or kernel_size % 2 == 0:
            raise ValueError(
                f"FluxCNN needs n_layers >= 2 and an odd kernel_size, got {n_layers}, {kernel_size}"
            )
        self.domain_length = coarse.domain_length
        self.input_scale = float(input_scale)
        self.output_scale = float(output_scale)
        layers: list[nn.Module] = []
        channels = [2] + [hidden] * (n_layers - 1) + [1]
        for index, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:], strict=True)):
            layers.append(nn.Conv1d(c_in, c_out, kernel_size, padding="same", padding_mode="circular"))
            if index < n_layers - 1:
                layers.append(nn.GELU())
        self.net = nn.Sequential(*layers)

    def flux(self, u_bar: Tensor) -> Tensor:
        """F_θ(ū), shape of ``u_bar``. Inputs: ū and Δ∂ₓū (both scaled)."""
        batch_shape, n_points = u_bar.shape[:-1], u_bar.shape[-1]
        u_flat = u_bar.reshape(-1, 1, n_points)
        gradient = spectral_derivative(u_flat, self.domain_length) * (self.domain_length / n_points)
        features = torch.cat([u_flat, gradient], dim=1) / self.input_scale
        return (self.output_scale * self.net(features)).reshape(*batch_shape, n_points)

    def forward(self, u_bar: Tensor) -> Tensor:
        flux = self.flux(u_bar)
        n_points = flux.shape[-1]
        k = wavenumbers(n_points, self.domain_length, flux.dtype, flux.device)
        keep = torch.arange(k.shape[0], device=flux.device) < resolved_modes(n_points)
        divergence_hat = -1j * k * keep * torch.fft.rfft(flux, dim=-1)
        return torch.fft.irfft(divergence_hat, n=n_points, dim=-1)


# --- coarse solver and rollouts -------------------------------------------------------


def coarse_rollout(
    coarse: Burgers,
    u0: Tensor,
    dt: float,
    n_steps: int,
    closure: Closure | None = None,
    forcing: Tensor | None = None,
    closure_per_stage: bool = False,
) -> Tensor:
    """Roll the coarse model ∂ₜū = H_R[ū] + f̄ + M(ū) out with RK4 (differentiable).

    By default the closure is evaluated once per step, at ū_n, and held fixed during the
    four RK4 stages (first order in Δt for the closure part, one network call per step);
    ``closure_per_stage=True`` evaluates it at every stage (fourth order, 4× the cost).

    Args:
        coarse: the coarse Burgers problem.
        u0: initial coarse states ``(..., n_coarse)``.
        dt: coarse time step (model time units).
        n_steps: number of steps.
        closure: M, a callable on ``(..., n_coarse)`` (``None``: no closure).
        forcing: coarse forcing f̄ broadcastable to ``u0`` (``None``: unforced).
        closure_per_stage: evaluate the closure at every RK4 stage.

    Returns:
        ``(n_steps + 1, ..., n_coarse)``, the initial state first. Members that blow up
        hold NaN/inf from then on (other members are unaffected); see :func:`blown_up`.
    """
    coarse.check_state(u0)
    if not isinstance(n_steps, int) or isinstance(n_steps, bool) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer, got {n_steps!r}")
    if dt <= 0 or not math.isfinite(dt):
        raise ValueError(f"dt must be positive and finite, got {dt}")
    base = forced_tendency(coarse, forcing)
    states = [u0]
    state = u0
    for _ in range(n_steps):
        if closure is None:
            tendency = base
        elif closure_per_stage:
            tendency = lambda u: base(u) + closure(u)  # noqa: E731
        else:
            frozen = closure(state)
            tendency = lambda u, m=frozen: base(u) + m  # noqa: E731
        state = rk4_step(tendency, state, dt)
        states.append(state)
    return torch.stack(states)


def blown_up(trajectory: Tensor, reference: Tensor, factor: float = 5.0) -> Tensor:
    """Members whose rollout became non-finite or exceeded ``factor`` × max|reference|.

    ``trajectory`` and ``reference`` are ``(time, member, n)``; returns a bool ``(member,)``.
    """
    if trajectory.shape != reference.shape or trajectory.ndim != 3:
        raise ValueError(
            f"trajectory and reference must both be (time, member, n); got "
            f"{tuple(trajectory.shape)} and {tuple(reference.shape)}"
        )
    limit = factor * reference.abs().amax(dim=(0, 2))
    finite = torch.isfinite(trajectory).all(dim=(0, 2))
    bounded = torch.nan_to_num(trajectory, nan=math.inf).abs().amax(dim=(0, 2)) <= limit
    return ~(finite & bounded)


def energy_spectrum(u: Tensor) -> Tensor:
    """E(m) = |û_m|²/n² (×2 for 0 < m < n/2): energy per rfft mode, ``(..., n//2 + 1)``.

    Σ_m E(m) = ⟨u²⟩ (Parseval), so the spectrum of ``u/√2`` sums to the kinetic energy.
    """
    guard_answer()
    n_points = u.shape[-1]
    power = torch.fft.rfft(u, dim=-1).abs() ** 2 / n_points**2
    weights = torch.full((n_points // 2 + 1,), 2.0, dtype=power.dtype, device=u.device)
    weights[0] = 1.0
    if n_points % 2 == 0:
        weights[-1] = 1.0
    return power * weights
