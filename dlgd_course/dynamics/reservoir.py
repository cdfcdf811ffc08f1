"""Echo-state network (reservoir computing) forecaster of an observed time series.

Reservoir update and readout (Jaeger 2001, GMD Report 148; Pathak et al. 2017, Chaos 27,
121102 for chaotic systems), for inputs ``u_t`` of ``m`` observed components::

    r_{t+1} = (1 − a) r_t + a tanh(W r_t + W_in u_t + b),        r ∈ R^N
    û_{t+1} = W_out [r_{t+1}; r_{t+1}²]          (squares of the states; Pathak et al. square half)

``W`` is a sparse random matrix rescaled to spectral radius ρ, ``W_in`` uniform in
[−σ, σ]; only ``W_out`` is trained, by ridge regression on a teacher-forced run. Forecasts
close the loop: the prediction is fed back as the next input.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class EchoStateNetwork:
    """A reservoir of ``size`` nodes for inputs of ``n_inputs`` components (normalised by the
    caller), with spectral radius, input scale, leak rate ``a``, mean degree and ridge λ."""

    n_inputs: int
    size: int = 400
    spectral_radius: float = 0.9
    input_scale: float = 0.5
    leak: float = 1.0
    degree: float = 3.0
    ridge: float = 1e-6
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n_inputs < 1 or self.size < 1:
            raise ValueError(f"n_inputs and size must be >= 1, got {self.n_inputs} and {self.size}")
        if not 0 < self.leak <= 1:
            raise ValueError(f"leak must be in (0, 1], got {self.leak}")
        if self.spectral_radius <= 0 or self.ridge < 0:
            raise ValueError(
                f"spectral_radius must be > 0 and ridge >= 0, got {self.spectral_radius}, {self.ridge}"
            )
        generator = torch.Generator().manual_seed(self.seed)
        density = min(1.0, self.degree / self.size)
        weights = torch.rand(self.size, self.size, generator=generator, dtype=torch.float64) * 2 - 1
        weights = weights * (
            torch.rand(self.size, self.size, generator=generator, dtype=torch.float64) < density
        )
        radius = torch.linalg.eigvals(weights).abs().max()
        object.__setattr__(self, "weights", weights * (self.spectral_radius / radius))
        w_in = torch.rand(self.size, self.n_inputs, generator=generator, dtype=torch.float64) * 2 - 1
        object.__setattr__(self, "input_weights", self.input_scale * w_in)
        bias = torch.rand(self.size, generator=generator, dtype=torch.float64) * 2 - 1
        object.__setattr__(self, "bias", 0.1 * bias)

    def update(self, reservoir: Tensor, inputs: Tensor) -> Tensor:
        """One reservoir step: ``reservoir (B, N)``, ``inputs (B, m)`` → ``(B, N)``."""
        drive = reservoir @ self.weights.T + inputs @ self.input_weights.T + self.bias
        return (1 - self.leak) * reservoir + self.leak * torch.tanh(drive)

    def listen(self, series: Tensor) -> Tensor:
        """Drive the reservoir with ``series (T, B, m)`` from rest; returns the states ``(T, B, N)``
        after each input."""
        self._check(series)
        reservoir = torch.zeros(series.shape[1], self.size, dtype=series.dtype)
        states = []
        for inputs in series:
            reservoir = self.update(reservoir, inputs)
            states.append(reservoir)
        return torch.stack(states)

    @staticmethod
    def features(reservoir: Tensor) -> Tensor:
        """Readout features ``[r; r²]``, ``(..., N)`` → ``(..., 2N)``."""
        return torch.cat([reservoir, reservoir.square()], -1)

    def fit(self, series: Tensor, washout: int = 100) -> Tensor:
        """Ridge-regression readout ``(m, 2N)`` from a teacher-forced run over ``series (T, B, m)``,
        discarding the first ``washout`` states: minimises Σ‖u_{t+1} − W_out φ(r_{t+1})‖² + λ‖W_out‖²."""
        self._check(series)
        if not 0 <= washout < series.shape[0] - 1:
            raise ValueError(f"washout must be in [0, {series.shape[0] - 1}), got {washout}")
        states = self.listen(series[:-1])[washout:]
        design = self.features(states).reshape(-1, 2 * self.size)
        targets = series[1 + washout :].reshape(-1, self.n_inputs)
        gram = design.T @ design + self.ridge * torch.eye(2 * self.size, dtype=design.dtype)
        return torch.linalg.solve(gram, design.T @ targets).T

    def forecast(self, readout: Tensor, history: Tensor, n_steps: int) -> Tensor:
        """Closed-loop forecast ``(n_steps, B, m)`` after synchronising on ``history (T, B, m)``."""
        reservoir = self.listen(history)[-1]
        predictions = []
        with torch.no_grad():
            for _ in range(n_steps):
                prediction = self.features(reservoir) @ readout.T
                predictions.append(prediction)
                reservoir = self.update(reservoir, prediction)
        return torch.stack(predictions)

    def _check(self, series: Tensor) -> None:
        if series.ndim != 3 or series.shape[-1] != self.n_inputs:
            raise ValueError(f"series must have shape (T, B, {self.n_inputs}), got {tuple(series.shape)}")
