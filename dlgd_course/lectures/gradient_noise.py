"""Mini-batch gradient noise and the sharpness of a minimum (Lecture 2).

For a loss L(θ) = 1/n Σ_i ℓ_i(θ) with per-sample gradients g_i, a mini-batch of B samples drawn
uniformly with replacement gives the unbiased estimate g_B = 1/B Σ_{i∈batch} g_i of ∇L, with

    E ‖g_B - ∇L‖² = tr Σ / B,    Σ = 1/n Σ_i (g_i - ∇L)(g_i - ∇L)ᵀ,

so SGD with learning rate η behaves like gradient descent plus noise of covariance η² Σ / B per
step; the ratio η / B sets the temperature of the stationary distribution (Jastrzębski et al.
2018, "Three factors influencing minima in SGD"). The sharpness of the minimum reached is the
largest eigenvalue λ_max of the Hessian ∇²L, estimated here by power iteration on
Hessian-vector products (Keskar et al. 2017 relate large batches to sharp minima).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn


def per_sample_gradients(
    model: nn.Module, loss: Callable[[Tensor, Tensor], Tensor], inputs: Tensor, targets: Tensor
) -> Tensor:
    """Gradients g_i of ``loss(model(x_i), y_i)`` for every sample, flattened: ``(n, n_parameters)``.

    ``inputs (n, ...)`` and ``targets (n, ...)`` are split along their first axis; ``loss`` maps a
    batch of one prediction and one target to a scalar."""
    if len(inputs) != len(targets):
        raise ValueError(f"{len(inputs)} inputs but {len(targets)} targets")
    parameters = {name: value.detach() for name, value in model.named_parameters()}

    def sample_loss(params: dict[str, Tensor], x: Tensor, y: Tensor) -> Tensor:
        return loss(torch.func.functional_call(model, params, (x.unsqueeze(0),)), y.unsqueeze(0))

    gradients = torch.func.vmap(torch.func.grad(sample_loss), in_dims=(None, 0, 0))(
        parameters, inputs, targets
    )
    return torch.cat([gradient.flatten(1) for gradient in gradients.values()], dim=1)


def minibatch_noise(
    sample_gradients: Tensor, batch_size: int, n_draws: int, generator: torch.Generator
) -> float:
    """Monte Carlo estimate of E ‖g_B - ∇L‖² over ``n_draws`` batches of ``batch_size`` samples drawn
    with replacement from the rows of ``sample_gradients (n, n_parameters)``."""
    if batch_size < 1 or n_draws < 1:
        raise ValueError(f"batch_size and n_draws must be positive, got {batch_size} and {n_draws}")
    full = sample_gradients.mean(0)
    batches = torch.randint(0, len(sample_gradients), (n_draws, batch_size), generator=generator)
    return (sample_gradients[batches].mean(1) - full).pow(2).sum(-1).mean().item()


def sharpness(loss: Tensor, parameters: list[Tensor], n_iterations: int = 30, seed: int = 0) -> float:
    """λ_max of the Hessian of the scalar ``loss`` with respect to ``parameters`` (the largest in
    magnitude, by ``n_iterations`` power iterations from a random start drawn with ``seed``)."""
    if n_iterations < 1:
        raise ValueError(f"n_iterations must be positive, got {n_iterations}")
    gradients = torch.autograd.grad(loss, parameters, create_graph=True)
    generator = torch.Generator(device=parameters[0].device).manual_seed(seed)
    direction = [
        torch.randn(p.shape, generator=generator, dtype=p.dtype, device=p.device) for p in parameters
    ]
    eigenvalue = 0.0
    for _ in range(n_iterations):
        norm = torch.sqrt(sum((d * d).sum() for d in direction))
        direction = [d / norm for d in direction]
        product = torch.autograd.grad(gradients, parameters, direction, retain_graph=True)
        eigenvalue = sum((h * d).sum() for h, d in zip(product, direction, strict=True)).item()
        direction = [h.detach() for h in product]
    return eigenvalue
