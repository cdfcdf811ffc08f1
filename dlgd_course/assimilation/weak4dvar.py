"""Weak- against strong-constraint 4D-Var with an imperfect model, and joint learning of DA and dynamics.

Windows of ``T`` model steps are assimilated independently (batched over ``B`` windows),
observations ``y_t = x_t + ε_t`` of the masked components, ε ~ N(0, σ_o²)::

    strong:  J(x_0)   = ½‖x_0 − x_b‖²/σ_b² + ½ Σ_t ‖m_t ⊙ (y_t − M^t(x_0))‖²/σ_o²
    weak:    J(x_0:T) = ½‖x_0 − x_b‖²/σ_b² + ½ Σ_t ‖m_t ⊙ (y_t − x_t)‖²/σ_o²
                        + ½ Σ_t ‖x_{t+1} − M(x_t)‖²/σ_q²

(Trémolet 2006, QJRMS 132). The strong form trusts the model over the whole window, so a
model error (e.g. a wrong Lorenz-96 forcing) biases the whole analysed trajectory; the weak
form controls every state and absorbs it in the model-error term of variance σ_q².

Joint learning (Brajard et al. 2020, J. Comput. Sci. 44; Bocquet et al. 2020, Foundations of
Data Science 2) alternates (i) weak-constraint 4D-Var with the current model
``M + c_θ`` on the training windows and (ii) fitting the correction ``c_θ`` to the analysed
increments ``x^a_{t+1} − M(x^a_t)``; here ``c_θ`` is a small circular convolution network
(local and translation-equivariant, as the Lorenz-96 tendency).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from dlgd_course.assimilation.variational import minimise, strong_4dvar_cost, weak_4dvar_cost
from dlgd_course.dynamics import DynamicalSystem

Step = Callable[[Tensor], Tensor]


@dataclass(frozen=True)
class WindowData:
    """Truth and observations of ``B`` independent assimilation windows of ``T`` model steps.

    Attributes:
        truth: ``(T + 1, B, n)`` true states.
        observations: ``(T + 1, B, n)``, zero where not observed.
        mask: ``(T + 1, B, n)`` bool, True where a component is observed.
        background: ``(B, n)`` background of the first state, truth + N(0, σ_b²).
        obs_std, background_std: σ_o and σ_b, in the state's units.
    """

    truth: Tensor
    observations: Tensor
    mask: Tensor
    background: Tensor
    obs_std: float
    background_std: float


def make_windows(
    system: DynamicalSystem,
    dt: float,
    n_windows: int,
    window_steps: int,
    obs_every: int,
    site_stride: int,
    obs_std: float,
    background_std: float,
    generator: torch.Generator,
    spin_up_steps: int = 500,
) -> WindowData:
    """Independent windows on the attractor of ``system``, observed every ``obs_every`` steps at
    every ``site_stride``-th component (from the first), with noise σ_o and background noise σ_b."""
    if window_steps < 1 or obs_every < 1 or site_stride < 1:
        raise ValueError(
            "window_steps, obs_every and site_stride must be >= 1, "
            f"got {window_steps}, {obs_every}, {site_stride}"
        )
    if obs_std <= 0 or background_std <= 0:
        raise ValueError(f"obs_std and background_std must be > 0, got {obs_std} and {background_std}")
    start = system.random_initial_state(generator, batch_shape=(n_windows,), dtype=torch.float64)
    start = system.integrate(start, dt=dt, n_steps=spin_up_steps)[-1]
    truth = system.integrate(start, dt=dt, n_steps=window_steps)
    mask = torch.zeros_like(truth, dtype=torch.bool)
    mask[::obs_every, :, ::site_stride] = True
    noise = obs_std * torch.randn(truth.shape, generator=generator, dtype=truth.dtype)
    observations = torch.where(mask, truth + noise, torch.zeros_like(truth))
    background = truth[0] + background_std * torch.randn(
        truth[0].shape, generator=generator, dtype=truth.dtype
    )
    return WindowData(truth, observations, mask, background, obs_std, background_std)


def strong_constraint_analysis(data: WindowData, step: Step, n_iterations: int = 200) -> Tensor:
    """Strong-constraint 4D-Var analysis trajectory ``(T + 1, B, n)``: the control is ``x_0``
    and the model ``step`` (one model step) is trusted over the window."""
    n = data.truth.shape[-1]
    eye = torch.eye(n, dtype=data.truth.dtype)
    observed_sites = data.mask.any(dim=(0, 1))
    H = eye[observed_sites]
    obs_times = data.mask.any(dim=(1, 2))
    if not obs_times[0]:
        raise ValueError("strong_constraint_analysis expects observations at the first step of the window")
    obs_every = int(torch.nonzero(obs_times)[1]) if obs_times.sum() > 1 else len(obs_times)

    def forecast(x: Tensor) -> Tensor:
        for _ in range(obs_every):
            x = step(x)
        return x

    later = data.observations[obs_times][1:][..., observed_sites]  # (L, B, p)
    B_inv = eye / data.background_std**2
    R_inv = torch.eye(H.shape[0], dtype=H.dtype) / data.obs_std**2

    def cost(x0: Tensor) -> Tensor:
        first = 0.5 * ((data.observations[0] - x0)[:, observed_sites].square()).sum(-1) / data.obs_std**2
        return (strong_4dvar_cost(x0, data.background, later, forecast, H, B_inv, R_inv) + first).sum()

    x0 = minimise(cost, data.background, n_iterations=n_iterations)
    trajectory = [x0]
    with torch.no_grad():
        for _ in range(data.truth.shape[0] - 1):
            trajectory.append(step(trajectory[-1]))
    return torch.stack(trajectory)


def weak_constraint_analysis(
    data: WindowData, step: Step, model_error_std: float, n_iterations: int = 300
) -> Tensor:
    """Weak-constraint 4D-Var analysis trajectory ``(T + 1, B, n)``: every state is a control,
    the model error per step has standard deviation ``model_error_std`` (σ_q)."""
    if model_error_std <= 0:
        raise ValueError(f"model_error_std must be > 0, got {model_error_std}")
    n = data.truth.shape[-1]
    ones = torch.ones(n, dtype=data.truth.dtype)
    with torch.no_grad():  # first guess: the background run through the model
        first_guess = [data.background]
        for _ in range(data.truth.shape[0] - 1):
            first_guess.append(step(first_guess[-1]))

    def cost(trajectory: Tensor) -> Tensor:
        return weak_4dvar_cost(
            trajectory,
            data.observations,
            data.mask,
            step,
            ones / data.obs_std**2,
            ones / model_error_std**2,
            x_b=data.background,
            B_inv_diag=ones / data.background_std**2,
        ).sum()

    return minimise(cost, torch.stack(first_guess), n_iterations=n_iterations)


class CircularCorrection(nn.Module):
    """Model correction ``c_θ(x)`` for one step, ``(..., n) → (..., n)``: circular 1-D
    convolutions (kernel 5) on the periodic domain, so local and translation-equivariant."""

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(1, width, 5, padding=2, padding_mode="circular"),
            nn.Tanh(),
            nn.Conv1d(width, width, 5, padding=2, padding_mode="circular"),
            nn.Tanh(),
            nn.Conv1d(width, 1, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape
        return self.net(x.reshape(-1, 1, shape[-1]) / 4.0).reshape(shape) * 0.1


def corrected_step(step: Step, correction: nn.Module) -> Step:
    """The hybrid model ``x ↦ M(x) + c_θ(x)``."""

    def hybrid(x: Tensor) -> Tensor:
        return step(x) + correction(x)

    return hybrid


def fit_correction(
    analyses: Tensor, step: Step, correction: nn.Module, n_epochs: int = 200, lr: float = 1e-2
) -> float:
    """Fit ``correction`` to the analysed increments ``x^a_{t+1} − M(x^a_t)`` of ``analyses``
    ``(T + 1, B, n)`` by full-batch Adam; returns the final mean squared misfit."""
    with torch.no_grad():
        inputs = analyses[:-1].reshape(-1, analyses.shape[-1])
        targets = analyses[1:].reshape(-1, analyses.shape[-1]) - step(inputs)
    optimiser = torch.optim.Adam(correction.parameters(), lr=lr)
    for _ in range(n_epochs):
        loss = (correction(inputs) - targets).square().mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return loss.item()


def learn_correction_by_assimilation(
    data: WindowData,
    step: Step,
    model_error_std: float,
    n_rounds: int = 3,
    seed: int = 0,
    n_iterations: int = 300,
) -> tuple[nn.Module, list[float]]:
    """Alternate weak-constraint 4D-Var with the hybrid model and fitting its correction.

    Returns the trained correction and the analysis RMSE against the truth after each round
    (the truth is used only to report, never to train).
    """
    if n_rounds < 1:
        raise ValueError(f"n_rounds must be >= 1, got {n_rounds}")
    torch.manual_seed(seed)
    correction = CircularCorrection().to(data.truth.dtype)
    history = []
    for _ in range(n_rounds):
        correction.requires_grad_(False)  # the DA step differentiates with respect to the states only
        analyses = weak_constraint_analysis(
            data, corrected_step(step, correction), model_error_std, n_iterations
        )
        history.append(rmse(analyses, data.truth))
        correction.requires_grad_(True)
        fit_correction(analyses, step, correction)
    return correction, history


def rmse(estimate: Tensor, truth: Tensor) -> float:
    """Root-mean-square error over all states and components."""
    return (estimate - truth).square().mean().sqrt().item()


def forecast_rmse(step: Step, initial: Tensor, truth: Tensor) -> Tensor:
    """RMSE ``(T,)`` of the forecast of ``step`` from ``initial (B, n)`` against ``truth
    (T + 1, B, n)`` at lead steps 1..T (averaged over windows and components)."""
    with torch.no_grad():
        state, errors = initial, []
        for target in truth[1:]:
            state = step(state)
            errors.append((state - target).square().mean().sqrt())
    return torch.stack(errors)
