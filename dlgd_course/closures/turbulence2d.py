"""2-D incompressible turbulence in vorticity form, pseudo-spectral, in NumPy/SciPy FFTs.

This is the course's *non-differentiable* model: the solver is plain NumPy, so no
gradient flows through it, and a closure can only be learned offline (a priori) and
then tested a posteriori inside the solver, or calibrated with derivative-free methods.

Forced Kolmogorov flow on the periodic square [0, 2π)² (as in Kochkov et al. 2021,
PNAS 118, e2101784118, at a CPU-friendly Reynolds number):

    ∂ω/∂t + u·∇ω = ν ∇²ω − μ ω + F,   F = k_f cos(k_f y),   u = (∂ψ/∂y, −∂ψ/∂x),  −∇²ψ = ω.

Spatial discretisation: Fourier pseudo-spectral, 2/3-rule de-aliasing of the advection
term (modes with |k_x| or |k_y| >= n/3 removed). The state is the real vorticity field
``ω (..., n, n)`` on the grid (axis −2 = y, axis −1 = x); time stepping is RK4 via
:func:`dlgd_course.dynamics.rk4_step` (the stepper is written for tensors but only uses
arithmetic, so it advances NumPy arrays as well).

Filter / coarse-graining: as for Burgers, a sharp spectral cut-off to the modes the
coarse solver resolves, sampled on the coarse grid. The exact subgrid term is

    M* = S G N_F[ω] − N_R[S G ω],   N[ω] = −u·∇ω  (the linear terms commute with S G),

i.e. the divergence of the subgrid vorticity flux −∇·(uω‾ − ū ω̄) plus the difference
of the two discretisations. Baseline closure: Smagorinsky eddy viscosity in vorticity
form, M = ∇·(ν_e ∇ω̄), ν_e = (C_s Δ)² |S̄|, |S̄| = (2 S̄_ij S̄_ij)^{1/2}.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft
import torch
from torch import nn

from dlgd_course.dynamics import rk4_step

ArrayClosure = Callable[[np.ndarray], np.ndarray]
FFT_WORKERS = 2


def _wavenumbers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer wavenumbers ``k_y (n, 1)`` and ``k_x (1, n//2+1)`` of ``rfft2`` on [0, 2π)²."""
    k_y = np.fft.fftfreq(n, 1.0 / n)[:, None]
    k_x = np.arange(n // 2 + 1)[None, :]
    return k_y, k_x


def _resolved(n: int) -> np.ndarray:
    """Boolean mask of the ``rfft2`` modes kept by the 2/3 rule on an ``n × n`` grid."""
    k_y, k_x = _wavenumbers(n)
    return (np.abs(k_y) < n / 3.0) & (k_x < n / 3.0)


def _check_field(omega: np.ndarray) -> int:
    if not isinstance(omega, np.ndarray) or omega.ndim < 2 or omega.shape[-1] != omega.shape[-2]:
        raise ValueError(
            f"vorticity must be a NumPy array (..., n, n), got "
            f"{getattr(omega, 'shape', type(omega).__name__)}"
        )
    if omega.shape[-1] % 2:
        raise ValueError(f"grid size must be even, got {omega.shape[-1]}")
    return omega.shape[-1]


@dataclass(frozen=True)
class KolmogorovFlow:
    """Forced 2-D vorticity equation on [0, 2π)², ``n × n`` grid points.

    Parameters: viscosity ``nu`` (ν), linear drag ``mu`` (μ), forcing wavenumber ``k_f``.
    """

    n: int = 128
    nu: float = 2e-3
    mu: float = 0.1
    k_f: int = 4

    def __post_init__(self) -> None:
        if self.n < 8 or self.n % 2:
            raise ValueError(f"grid size n must be even and >= 8, got {self.n}")
        if self.nu <= 0 or self.mu < 0:
            raise ValueError(f"need nu > 0 and mu >= 0, got nu={self.nu}, mu={self.mu}")
        if not 0 < self.k_f < self.n / 3:
            raise ValueError(f"forcing wavenumber k_f must be in (0, n/3), got {self.k_f}")

    @property
    def grid_spacing(self) -> float:
        return 2 * math.pi / self.n

    def forcing(self) -> np.ndarray:
        """F = k_f cos(k_f y) on the grid, shape ``(n, n)``."""
        y = np.arange(self.n) * self.grid_spacing
        return np.repeat((self.k_f * np.cos(self.k_f * y))[:, None], self.n, axis=1)

    def velocity(self, omega: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(u, v) = (∂ψ/∂y, −∂ψ/∂x) with −∇²ψ = ω, each ``(..., n, n)``."""
        k_y, k_x = _wavenumbers(self.n)
        k2 = k_x**2 + k_y**2
        k2[0, 0] = 1.0
        psi_hat = sfft.rfft2(omega, workers=FFT_WORKERS) / k2
        psi_hat[..., 0, 0] = 0.0
        u = sfft.irfft2(1j * k_y * psi_hat, s=omega.shape[-2:], workers=FFT_WORKERS)
        v = sfft.irfft2(-1j * k_x * psi_hat, s=omega.shape[-2:], workers=FFT_WORKERS)
        return u, v

    def advection(self, omega: np.ndarray) -> np.ndarray:
        """N[ω] = −u·∇ω, de-aliased (2/3 rule), shape ``(..., n, n)``."""
        n = self.n
        k_y, k_x = _wavenumbers(n)
        keep = _resolved(n)
        omega_hat = sfft.rfft2(omega, workers=FFT_WORKERS) * keep
        k2 = k_x**2 + k_y**2
        k2[0, 0] = 1.0
        psi_hat = omega_hat / k2
        shape = omega.shape[-2:]
        u = sfft.irfft2(1j * k_y * psi_hat, s=shape, workers=FFT_WORKERS)
        v = sfft.irfft2(-1j * k_x * psi_hat, s=shape, workers=FFT_WORKERS)
        omega_x = sfft.irfft2(1j * k_x * omega_hat, s=shape, workers=FFT_WORKERS)
        omega_y = sfft.irfft2(1j * k_y * omega_hat, s=shape, workers=FFT_WORKERS)
        product_hat = sfft.rfft2(u * omega_x + v * omega_y, workers=FFT_WORKERS) * keep
        return -sfft.irfft2(product_hat, s=shape, workers=FFT_WORKERS)

    def linear(self, omega: np.ndarray) -> np.ndarray:
        """ν ∇²ω − μ ω + F."""
        k_y, k_x = _wavenumbers(self.n)
        laplacian = sfft.irfft2(
            -(k_x**2 + k_y**2) * sfft.rfft2(omega, workers=FFT_WORKERS),
            s=omega.shape[-2:],
            workers=FFT_WORKERS,
        )
        return self.nu * laplacian - self.mu * omega + self.forcing()

    def tendency(self, omega: np.ndarray, closure: ArrayClosure | None = None) -> np.ndarray:
        """∂ω/∂t = N[ω] + ν∇²ω − μω + F (+ closure(ω)), for ``ω (..., n, n)``."""
        _check_field(omega)
        result = self.advection(omega) + self.linear(omega)
        if closure is not None:
            result = result + closure(omega)
        return result

    def max_stable_dt(self, max_speed: float, cfl: float = 0.5) -> float:
        """RK4 step below ``cfl`` × the advective limit Δx/|u|max and the viscous limit."""
        advective = self.grid_spacing / max(max_speed, 1e-12)
        viscous = 2.78 / (self.nu * 2 * (self.n / 3) ** 2)
        return cfl * min(advective, viscous)

    def random_initial_state(self, seed: int, batch: int = 1, peak: int = 4) -> np.ndarray:
        """Random vorticity ``(batch, n, n)`` with energy near wavenumber ``peak``, rms 1."""
        rng = np.random.default_rng(seed)
        k_y, k_x = _wavenumbers(self.n)
        k = np.sqrt(k_x**2 + k_y**2)
        amplitude = k * np.exp(-((k / peak) ** 2)) * _resolved(self.n)
        phases = rng.uniform(0, 2 * np.pi, size=(batch, *amplitude.shape))
        omega = sfft.irfft2(amplitude * np.exp(1j * phases), s=(self.n, self.n))
        return omega / omega.std(axis=(-2, -1), keepdims=True)


def integrate_flow(
    flow: KolmogorovFlow,
    omega0: np.ndarray,
    dt: float,
    n_steps: int,
    save_every: int = 1,
    closure: ArrayClosure | None = None,
) -> np.ndarray:
    """RK4 trajectory ``(n_steps // save_every + 1, ..., n, n)``; non-finite members stay NaN."""
    _check_field(omega0)
    if omega0.shape[-1] != flow.n:
        raise ValueError(f"vorticity grid {omega0.shape[-1]} does not match the flow's n={flow.n}")
    if dt <= 0 or n_steps < 0 or save_every < 1:
        raise ValueError(f"need dt > 0, n_steps >= 0, save_every >= 1; got {dt}, {n_steps}, {save_every}")
    state = omega0.astype(np.float64)
    snapshots = [state]
    with np.errstate(all="ignore"):
        for step in range(1, n_steps + 1):
            state = rk4_step(lambda w: flow.tendency(w, closure), state, dt)
            if step % save_every == 0:
                snapshots.append(state)
    return np.stack(snapshots)


def coarse_grain2d(omega: np.ndarray, n_coarse: int) -> np.ndarray:
    """S G ω: keep the modes resolved on ``n_coarse × n_coarse`` (2/3 rule), sample there."""
    n = _check_field(omega)
    if n_coarse > n or n_coarse % 2:
        raise ValueError(f"n_coarse must be even and <= {n}, got {n_coarse}")
    omega_hat = sfft.rfft2(omega, workers=FFT_WORKERS)
    coarse_hat = np.zeros((*omega.shape[:-2], n_coarse, n_coarse // 2 + 1), dtype=complex)
    half = n_coarse // 2
    coarse_hat[..., :half, :] = omega_hat[..., :half, : half + 1]
    coarse_hat[..., half:, :] = omega_hat[..., n - half :, : half + 1]
    coarse_hat *= _resolved(n_coarse) * (n_coarse / n) ** 2
    return sfft.irfft2(coarse_hat, s=(n_coarse, n_coarse), workers=FFT_WORKERS)


def subgrid_term2d(omega: np.ndarray, fine: KolmogorovFlow, coarse: KolmogorovFlow) -> np.ndarray:
    """Exact subgrid tendency M* = S G N_F[ω] − N_R[S G ω], ``(..., n_c, n_c)``."""
    omega_bar = coarse_grain2d(omega, coarse.n)
    return coarse_grain2d(fine.advection(omega), coarse.n) - coarse.advection(omega_bar)


def energy_spectrum2d(omega: np.ndarray) -> np.ndarray:
    """Shell-summed kinetic energy spectrum E(k), k = 0..n/2, averaged over leading dims.

    E(k) = Σ_{k−½ ≤ |k| < k+½} |ω̂_k|²/(2 |k|² n⁴) with conjugate-symmetric weights, so
    Σ_k E(k) = ⟨u² + v²⟩/2. The enstrophy spectrum is k² E(k).
    """
    n = _check_field(omega)
    k_y, k_x = _wavenumbers(n)
    k2 = (k_x**2 + k_y**2).astype(float)
    weight = np.where((k_x == 0) | (k_x == n // 2), 1.0, 2.0)
    omega_hat = sfft.rfft2(omega, workers=FFT_WORKERS)
    density = np.abs(omega_hat) ** 2 / np.where(k2 == 0, np.inf, k2) * weight / (2 * n**4)
    density = density.reshape(-1, *density.shape[-2:]).mean(axis=0)
    shells = np.rint(np.sqrt(k2)).astype(int)
    spectrum = np.bincount(shells.ravel(), weights=density.ravel(), minlength=n // 2 + 1)
    return spectrum[: n // 2 + 1]


@dataclass(frozen=True)
class Smagorinsky2D:
    """M = ∇·(ν_e ∇ω̄), ν_e = (C_s Δ)² |S̄| (Smagorinsky 1963), Δ the coarse spacing.

    ``C_s`` is a number, or an array broadcasting against the leading dims of ω̄ (one
    constant per ensemble member, as in :func:`eki_calibrate_smagorinsky`).
    """

    flow: KolmogorovFlow
    C_s: float | np.ndarray = 0.17  # noqa: N815

    def __post_init__(self) -> None:
        c_s = np.asarray(self.C_s, dtype=float)
        if not (np.isfinite(c_s).all() and (c_s >= 0).all()):
            raise ValueError(f"Smagorinsky constant C_s must be finite and >= 0, got {self.C_s}")

    def __call__(self, omega: np.ndarray) -> np.ndarray:
        n = self.flow.n
        k_y, k_x = _wavenumbers(n)
        keep = _resolved(n)
        shape = omega.shape[-2:]
        u, v = self.flow.velocity(omega)
        u_hat, v_hat = sfft.rfft2(u), sfft.rfft2(v)
        u_x, u_y = sfft.irfft2(1j * k_x * u_hat, s=shape), sfft.irfft2(1j * k_y * u_hat, s=shape)
        v_x = sfft.irfft2(1j * k_x * v_hat, s=shape)
        strain = np.sqrt(2 * u_x**2 + 2 * (-u_x) ** 2 + (u_y + v_x) ** 2)
        nu_e = (self.C_s * self.flow.grid_spacing) ** 2 * strain
        omega_hat = sfft.rfft2(omega)
        flux_x = nu_e * sfft.irfft2(1j * k_x * omega_hat, s=shape)
        flux_y = nu_e * sfft.irfft2(1j * k_y * omega_hat, s=shape)
        divergence = 1j * k_x * sfft.rfft2(flux_x) + 1j * k_y * sfft.rfft2(flux_y)
        return sfft.irfft2(divergence * keep, s=shape)


class VorticityCNN(nn.Module):
    """Periodic 2-D CNN closure ω̄ ↦ M(ω̄) (``(B, n, n)`` → ``(B, n, n)``), trained offline.

    ``input_scale`` / ``output_scale``: typical |ω̄| and |M*| (fixed normalisation).
    """

    def __init__(
        self,
        hidden: int = 32,
        n_layers: int = 4,
        kernel_size: int = 5,
        input_scale: float = 1.0,
        output_scale: float = 1.0,
    ) -> None:
        super().__init__()
        if n_layers < 2 or kernel_size % 2 == 0:
            raise ValueError(f"need n_layers >= 2 and odd kernel_size, got {n_layers}, {kernel_size}")
        self.input_scale, self.output_scale = float(input_scale), float(output_scale)
        channels = [1] + [hidden] * (n_layers - 1) + [1]
        layers: list[nn.Module] = []
        for index, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:], strict=True)):
            layers.append(nn.Conv2d(c_in, c_out, kernel_size, padding="same", padding_mode="circular"))
            if index < n_layers - 1:
                layers.append(nn.GELU())
        self.net = nn.Sequential(*layers)

    def forward(self, omega: torch.Tensor) -> torch.Tensor:
        out = self.net(omega.unsqueeze(-3) / self.input_scale).squeeze(-3)
        return self.output_scale * (out - out.mean(dim=(-2, -1), keepdim=True))

    def as_array_closure(self, flow: KolmogorovFlow) -> ArrayClosure:
        """The network as a NumPy closure for the LES (no gradient; output projected)."""
        keep = _resolved(flow.n)
        parameter = next(self.parameters())

        def closure(omega: np.ndarray) -> np.ndarray:
            batch = omega.reshape(-1, flow.n, flow.n)
            with torch.no_grad():
                x = torch.as_tensor(batch, dtype=parameter.dtype, device=parameter.device)
                out = self(x).cpu().numpy().astype(np.float64).reshape(omega.shape)
            return sfft.irfft2(sfft.rfft2(out) * keep, s=omega.shape[-2:])

        return closure
