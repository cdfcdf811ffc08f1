"""Optimisation tools of Lecture 2 (book/lectures/02-optimisation.md) and its exercise 12.

First-order methods on the quadratic f(x) = ½ xᵀAx (A symmetric positive definite, eigenvalues
μ = λ_min ≤ λ_max = L, condition number κ = L/μ):

- gradient descent x_{k+1} = x_k − η A x_k, best step η = 2/(L + μ), contraction (κ−1)/(κ+1)
  per step;
- heavy-ball momentum (Polyak 1964) x_{k+1} = x_k − η A x_k + β(x_k − x_{k−1}) with
  η = 4/(√L + √μ)², β = ((√κ−1)/(√κ+1))², contraction (√κ−1)/(√κ+1);
- Adam (Kingma & Ba 2015) for any gradient, and torch's L-BFGS with a strong-Wolfe line search
  (Nocedal & Wright 2006) for any scalar loss of a parameter vector.

A proximal method: ISTA (Daubechies, Defrise & De Mol 2004; Beck & Teboulle 2009) for the
sparse-spike deconvolution of a seismic trace, min_r ½‖W r − y‖² + λ‖r‖₁ with W the convolution
by a Ricker wavelet, r ← S_{λη}(r − η Wᵀ(W r − y)), η = 1/‖W‖², S_t the soft-thresholding.

Bilevel learning of a Tikhonov weight (Domke 2012; Lorraine et al. 2020): the denoised field
x̂(λ) = (I + λ DᵀD)⁻¹ y (D the forward difference) and the hypergradient dL/dλ of the outer
loss L = mean((x̂ − x)²), by the implicit function theorem or by unrolling K gradient steps.

All functions work in the dtype and on the device of their tensor arguments.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor

from dlgd_course.own_work import guard_answer


def _check_square(A: Tensor) -> None:
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {tuple(A.shape)}")


def rotated_quadratic(condition_number: float, angle: float, dtype: torch.dtype = torch.float64) -> Tensor:
    """A = R diag(1, κ) Rᵀ with R the rotation by ``angle`` (radians): shape (2, 2).

    ``angle`` = 0 gives an axis-aligned ill-conditioning, π/4 one along the diagonals.
    """
    if condition_number < 1:
        raise ValueError(f"the condition number must be at least 1, got {condition_number}")
    c, s = math.cos(angle), math.sin(angle)
    rotation = torch.tensor([[c, -s], [s, c]], dtype=dtype)
    return rotation @ torch.diag(torch.tensor([1.0, condition_number], dtype=dtype)) @ rotation.T


def spd_matrix(eigenvalues: Tensor, generator: torch.Generator) -> Tensor:
    """Q diag(eigenvalues) Qᵀ with Q a random orthogonal matrix: shape (n, n), n = len(eigenvalues)."""
    n = eigenvalues.shape[0]
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=generator, dtype=eigenvalues.dtype))
    return q @ torch.diag(eigenvalues) @ q.T


def _extreme_eigenvalues(A: Tensor) -> tuple[float, float]:
    _check_square(A)
    eigenvalues = torch.linalg.eigvalsh(A)
    if eigenvalues[0] <= 0:
        raise ValueError(
            f"A must be positive definite, its smallest eigenvalue is {eigenvalues[0].item():.3g}"
        )
    return eigenvalues[0].item(), eigenvalues[-1].item()


def optimal_step(A: Tensor) -> tuple[float, float]:
    """Best fixed step η = 2/(L + μ) of gradient descent on ½ xᵀAx and its contraction factor
    (κ − 1)/(κ + 1) = (L − μ)/(L + μ); A (n, n) symmetric positive definite."""
    guard_answer()
    mu, lipschitz = _extreme_eigenvalues(A)
    return 2.0 / (lipschitz + mu), (lipschitz - mu) / (lipschitz + mu)


def gradient_descent(A: Tensor, x0: Tensor, step: float, n_steps: int) -> Tensor:
    """Iterates x_0 … x_K of x_{k+1} = x_k − η A x_k (gradient descent on ½ xᵀAx): (K + 1, n)."""
    guard_answer()
    path = [x0]
    for _ in range(n_steps):
        path.append(path[-1] - step * (A @ path[-1]))
    return torch.stack(path)


def heavy_ball_parameters(A: Tensor) -> tuple[float, float]:
    """Polyak's optimal heavy-ball step η = 4/(√L + √μ)² and momentum β = ((√κ−1)/(√κ+1))²."""
    guard_answer()
    mu, lipschitz = _extreme_eigenvalues(A)
    root_kappa = math.sqrt(lipschitz / mu)
    return 4.0 / (math.sqrt(lipschitz) + math.sqrt(mu)) ** 2, ((root_kappa - 1) / (root_kappa + 1)) ** 2


def heavy_ball(A: Tensor, x0: Tensor, step: float, beta: float, n_steps: int) -> Tensor:
    """Iterates of x_{k+1} = x_k − η A x_k + β (x_k − x_{k−1}) with x_{−1} = x_0: (K + 1, n)."""
    guard_answer()
    path = [x0]
    previous = x0
    for _ in range(n_steps):
        current = path[-1]
        path.append(current - step * (A @ current) + beta * (current - previous))
        previous = current
    return torch.stack(path)


def adam(
    gradient: Callable[[Tensor], Tensor],
    x0: Tensor,
    lr: float,
    n_steps: int,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> Tensor:
    """Iterates of Adam (Kingma & Ba 2015) from x0 for the gradient function: (K + 1, n).

    m_k = β₁ m_{k−1} + (1−β₁) g_k, v_k = β₂ v_{k−1} + (1−β₂) g_k², m̂ = m_k/(1−β₁ᵏ),
    v̂ = v_k/(1−β₂ᵏ), x_k = x_{k−1} − lr m̂/(√v̂ + ε), with g_k = gradient(x_{k−1}).
    """
    guard_answer()
    beta1, beta2 = betas
    first, second = torch.zeros_like(x0), torch.zeros_like(x0)
    path = [x0]
    for k in range(1, n_steps + 1):
        g = gradient(path[-1])
        first = beta1 * first + (1 - beta1) * g
        second = beta2 * second + (1 - beta2) * g**2
        corrected_first = first / (1 - beta1**k)
        corrected_second = second / (1 - beta2**k)
        path.append(path[-1] - lr * corrected_first / (corrected_second.sqrt() + eps))
    return torch.stack(path)


def lbfgs_minimise(
    loss: Callable[[Tensor], Tensor], x0: Tensor, max_iter: int = 100
) -> tuple[Tensor, Tensor]:
    """Minimise ``loss`` from x0 with ``torch.optim.LBFGS`` (lr 1, strong-Wolfe line search,
    history 100, ``tolerance_grad`` 1e-10, ``tolerance_change`` 1e-14), one ``step`` of at most
    ``max_iter`` iterations. Returns the minimiser (n,) and the loss at every evaluation, (n_evaluations,).
    """
    guard_answer()
    x = x0.detach().clone().requires_grad_(True)
    optimiser = torch.optim.LBFGS(
        [x],
        lr=1.0,
        max_iter=max_iter,
        line_search_fn="strong_wolfe",
        tolerance_grad=1e-10,
        tolerance_change=1e-14,
    )
    values: list[float] = []

    def closure() -> Tensor:
        optimiser.zero_grad()
        value = loss(x)
        value.backward()
        values.append(value.item())
        return value

    optimiser.step(closure)
    return x.detach(), torch.tensor(values, dtype=x0.dtype)


class FlatMLP:
    """A 1 → hidden → hidden → 1 tanh network whose weights are one flat vector θ, so that any
    optimiser of a vector (``adam``, ``lbfgs_minimise``) trains it: ``model(theta, inputs)``
    maps inputs (N, 1) to outputs (N, 1)."""

    def __init__(self, hidden: int = 16) -> None:
        if hidden < 1:
            raise ValueError(f"hidden must be positive, got {hidden}")
        self.hidden = hidden
        self.shapes = [(hidden, 1), (hidden,), (hidden, hidden), (hidden,), (1, hidden), (1,)]
        self.n_parameters = sum(math.prod(shape) for shape in self.shapes)

    def initial(self, generator: torch.Generator, dtype: torch.dtype = torch.float64) -> Tensor:
        """Random θ (n_parameters,): weights of variance 1/fan-in, zero biases."""
        pieces = []
        for shape in self.shapes:
            if len(shape) == 2:
                pieces.append(
                    torch.randn(shape, generator=generator, dtype=dtype).flatten() / math.sqrt(shape[1])
                )
            else:
                pieces.append(torch.zeros(shape, dtype=dtype))
        return torch.cat(pieces)

    def __call__(self, theta: Tensor, inputs: Tensor) -> Tensor:
        if theta.shape != (self.n_parameters,):
            raise ValueError(f"theta must have shape ({self.n_parameters},), got {tuple(theta.shape)}")
        weights, start = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            weights.append(theta[start : start + size].reshape(shape))
            start += size
        w1, b1, w2, b2, w3, b3 = weights
        hidden = torch.tanh(inputs @ w1.T + b1)
        hidden = torch.tanh(hidden @ w2.T + b2)
        return hidden @ w3.T + b3


def ricker_convolution(n_samples: int, dt: float = 0.004, peak_frequency: float = 25.0) -> Tensor:
    """Matrix W (n_samples, n_samples) of the convolution with a Ricker wavelet
    w(t) = (1 − 2π²f²t²) exp(−π²f²t²) (f the peak frequency in Hz, t in s, sample interval dt):
    (W r)_i = Σ_j w((i − j) dt) r_j, a seismic trace made of the reflectivity series r."""
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2, got {n_samples}")
    lag = (torch.arange(n_samples, dtype=torch.float64)[:, None] - torch.arange(n_samples)[None, :]) * dt
    argument = (math.pi * peak_frequency * lag) ** 2
    return (1 - 2 * argument) * torch.exp(-argument)


def sparse_reflectivity(n_samples: int, n_spikes: int, generator: torch.Generator) -> Tensor:
    """Reflectivity series (n_samples,) float64: ``n_spikes`` spikes at distinct random positions
    (at least 4 samples from the ends), amplitudes ±(0.5 … 1)."""
    if not 0 < n_spikes <= n_samples - 8:
        raise ValueError(f"n_spikes must be between 1 and n_samples - 8, got {n_spikes}")
    positions = 4 + torch.randperm(n_samples - 8, generator=generator)[:n_spikes]
    signs = torch.randint(0, 2, (n_spikes,), generator=generator) * 2 - 1
    amplitudes = 0.5 + 0.5 * torch.rand(n_spikes, generator=generator, dtype=torch.float64)
    reflectivity = torch.zeros(n_samples, dtype=torch.float64)
    reflectivity[positions] = signs * amplitudes
    return reflectivity


def soft_threshold(v: Tensor, threshold: float) -> Tensor:
    """Proximal operator of t‖·‖₁: S_t(v) = sign(v) max(|v| − t, 0), elementwise, any shape."""
    guard_answer()
    return torch.sign(v) * (v.abs() - threshold).clamp(min=0)


def ista(W: Tensor, y: Tensor, lam: float, n_iterations: int) -> tuple[Tensor, Tensor]:
    """ISTA for min_r ½‖W r − y‖² + λ‖r‖₁ from r = 0 with step η = 1/‖W‖₂²: returns r (n,) and
    the objective after each iteration (n_iterations,). W (m, n), y (m,)."""
    guard_answer()
    step = 1.0 / torch.linalg.matrix_norm(W, ord=2).item() ** 2
    r = torch.zeros(W.shape[1], dtype=y.dtype, device=y.device)
    objective = []
    for _ in range(n_iterations):
        r = soft_threshold(r - step * (W.T @ (W @ r - y)), lam * step)
        objective.append(0.5 * (W @ r - y).pow(2).sum() + lam * r.abs().sum())
    return r, torch.stack(objective) if objective else torch.zeros(0, dtype=y.dtype)


def difference(x: Tensor) -> Tensor:
    """Forward difference D x along the last axis: (..., n) → (..., n − 1)."""
    return x[..., 1:] - x[..., :-1]


def difference_adjoint(p: Tensor) -> Tensor:
    """Dᵀ p, the adjoint of :func:`difference`: (..., n − 1) → (..., n)."""
    zero = torch.zeros_like(p[..., :1])
    return torch.cat([zero, p], -1) - torch.cat([p, zero], -1)


def _difference_normal_matrix(n: int, like: Tensor) -> Tensor:
    """DᵀD (n, n), the 1-D Laplacian with Neumann ends."""
    eye = torch.eye(n, dtype=like.dtype, device=like.device)
    return difference_adjoint(difference(eye))


def implicit_hypergradient(noisy: Tensor, clean: Tensor, lam: float) -> float:
    """dL/dλ of L(λ) = mean((x̂(λ) − clean)²), x̂ = (I + λ DᵀD)⁻¹ noisy (rows of (m, n) are fields),
    by the implicit function theorem: ∂x̂/∂λ = −(I + λDᵀD)⁻¹ DᵀD x̂, so with the adjoint
    a = (I + λDᵀD)⁻¹ ∂L/∂x̂, dL/dλ = −Σ a · DᵀD x̂ (one more linear solve)."""
    guard_answer()
    normal = _difference_normal_matrix(noisy.shape[-1], noisy)
    system = torch.eye(noisy.shape[-1], dtype=noisy.dtype, device=noisy.device) + lam * normal
    x_hat = torch.linalg.solve(system, noisy.T).T
    adjoint = torch.linalg.solve(system, (2 * (x_hat - clean) / x_hat.numel()).T).T  # system symmetric
    return -(adjoint * (x_hat @ normal)).sum().item()


def unrolled_denoise(noisy: Tensor, lam: Tensor | float, n_steps: int) -> Tensor:
    """K gradient steps on E(x) = ½‖x − y‖² + (λ/2)‖Dx‖² from x = y, step 1/(1 + 4λ) (1/Lipschitz):
    x ← x − (x − y + λ DᵀD x)/(1 + 4λ); rows of noisy (m, n) are fields. Differentiable in λ."""
    guard_answer()
    step = 1.0 / (1.0 + 4.0 * lam)
    x = noisy
    for _ in range(n_steps):
        x = x - step * ((x - noisy) + lam * difference_adjoint(difference(x)))
    return x


def unrolled_hypergradient(noisy: Tensor, clean: Tensor, lam: float, n_steps: int) -> float:
    """dL/dλ of L = mean((x_K(λ) − clean)²) with x_K the K-step :func:`unrolled_denoise`, by
    back-propagation through the K steps (the step size depends on λ too)."""
    guard_answer()
    weight = torch.tensor(lam, dtype=noisy.dtype, device=noisy.device, requires_grad=True)
    loss = (unrolled_denoise(noisy, weight, n_steps) - clean).pow(2).mean()
    return torch.autograd.grad(loss, weight)[0].item()
