"""Input validation shared by the assimilation methods: covariances, operators, ensembles."""

from __future__ import annotations

import torch
from torch import Tensor


def as_covariance(matrix: Tensor | float, size: int, name: str) -> Tensor:
    """A symmetric positive-definite ``(size, size)`` float64 matrix from a matrix or a variance.

    A scalar ``v`` means ``v I``. Raises ``ValueError`` naming ``name`` when the matrix has
    the wrong shape, is not symmetric, or is singular / not positive definite.
    """
    if not isinstance(matrix, Tensor):
        matrix = torch.as_tensor(matrix, dtype=torch.float64)
    matrix = matrix.to(torch.float64)
    if matrix.ndim == 0:
        if not torch.isfinite(matrix) or matrix <= 0:
            raise ValueError(f"{name}: a variance must be positive and finite, got {float(matrix)}")
        return float(matrix) * torch.eye(size, dtype=torch.float64)
    if tuple(matrix.shape) != (size, size):
        raise ValueError(f"{name}: expected a ({size}, {size}) covariance, got {tuple(matrix.shape)}")
    if not torch.isfinite(matrix).all():
        raise ValueError(f"{name}: covariance contains NaN/inf")
    if not torch.allclose(matrix, matrix.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name}: covariance is not symmetric")
    eigenvalues = torch.linalg.eigvalsh(matrix)
    if eigenvalues[0] <= 1e-12 * max(float(eigenvalues[-1]), 1e-300):
        raise ValueError(
            f"{name}: covariance is singular or not positive definite "
            f"(smallest eigenvalue {float(eigenvalues[0]):.3g})"
        )
    return matrix


def check_operator(H: Tensor, state_size: int) -> Tensor:
    """A linear observation operator ``(p, state_size)`` as float64; ``ValueError`` otherwise."""
    if not isinstance(H, Tensor):
        H = torch.as_tensor(H, dtype=torch.float64)
    if H.ndim != 2 or H.shape[1] != state_size or H.shape[0] < 1:
        raise ValueError(
            f"observation operator must have shape (p, {state_size}) with p >= 1, got {tuple(H.shape)}"
        )
    return H.to(torch.float64)


def check_observation(observation: Tensor, batch_shape: tuple[int, ...], n_obs: int) -> None:
    """Raise ``ValueError`` unless ``observation`` has shape ``(*batch_shape, n_obs)``."""
    if tuple(observation.shape) != (*batch_shape, n_obs):
        raise ValueError(
            f"observations do not match the state: expected shape {(*batch_shape, n_obs)} "
            f"(batch, number of observed values), got {tuple(observation.shape)}"
        )


def check_ensemble_size(N: int) -> int:
    """An ensemble needs at least two members to have anomalies."""
    if isinstance(N, bool) or not isinstance(N, int) or N < 2:
        raise ValueError(f"ensemble size N must be an integer >= 2, got {N!r}")
    return N


def check_inflation(inflation: float) -> float:
    """Multiplicative inflation factor, >= 1 and finite."""
    if not isinstance(inflation, (int, float)) or not 1.0 <= inflation < float("inf"):
        raise ValueError(f"inflation must be a number >= 1, got {inflation!r}")
    return float(inflation)
