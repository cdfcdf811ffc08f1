"""Forecasting models, all mapping a history ``(B, n_past, d)`` to forecasts ``(B, L, d)``.

Every model takes and returns states in physical units; the learned ones normalise
internally with the training-block mean and std they are given. Two families:

* **one-step models** (:class:`OneStepModel`) learn the flow map ``x_{t+1} = M(x_t)``
  and reach lead ``l`` by applying it ``l`` times (persistence, polynomial
  least-squares step maps, the bilinear residual network, the neural ODE);
* **direct models** output every requested lead at once from the whole history
  (climatology, linear autoregression, MLP, LSTM/GRU sequence-to-multi-lead).

References:
    Fablet, Ouala & Herzet (2018), *Bilinear residual neural network for the
    identification and forecasting of geophysical dynamics*, EUSIPCO.
    Chen, Rubanova, Bettencourt & Duvenaud (2018), *Neural ordinary differential
    equations*, NeurIPS.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement

import torch
from torch import Tensor, nn

from dlgd_course.dynamics.integrate import get_stepper
from dlgd_course.forecasting.windows import check_leads
from dlgd_course.nn.normalise import Normaliser
from dlgd_course.own_work import guard_answer


def _check_history(history: Tensor, dim: int) -> None:
    if history.ndim != 3 or history.shape[-1] != dim:
        raise ValueError(f"history must have shape (batch, n_past, {dim}), got {tuple(history.shape)}")


class Forecaster(nn.Module):
    """Base class: ``forecast(history, leads) -> (B, len(leads), d)`` in physical units."""

    dim: int

    def forecast(self, history: Tensor, leads: Sequence[int]) -> Tensor:
        raise NotImplementedError


class OneStepModel(Forecaster):
    """A learned or fixed flow map ``x_{t+1} = step(x_t)``, iterated to reach each lead."""

    def step(self, state: Tensor) -> Tensor:
        """One time step, ``(..., d) -> (..., d)`` in physical units."""
        raise NotImplementedError

    def forecast(self, history: Tensor, leads: Sequence[int]) -> Tensor:
        guard_answer()
        leads = check_leads(leads)
        _check_history(history, self.dim)
        state = history[:, -1]
        out = []
        for n in range(1, max(leads) + 1):
            state = self.step(state)
            if n in leads:
                out.append(state)
        return torch.stack(out, dim=1)


class Persistence(OneStepModel):
    """Persistence: the forecast at every lead is the last observed state."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def step(self, state: Tensor) -> Tensor:
        guard_answer()
        return state


def polynomial_features(x: Tensor, degree: int) -> Tensor:
    """Monomials of ``x`` ``(..., d)`` up to ``degree``: ``[1, x_i, x_i x_j (i<=j), ...]``."""
    guard_answer()
    if degree < 1:
        raise ValueError(f"degree must be >= 1, got {degree}")
    feats = [torch.ones_like(x[..., :1]), x]
    for order in range(2, degree + 1):
        for idx in combinations_with_replacement(range(x.shape[-1]), order):
            feats.append(torch.prod(x[..., list(idx)], dim=-1, keepdim=True))
    return torch.cat(feats, dim=-1)


class PolynomialStepMap(OneStepModel):
    """Least-squares polynomial flow map ``x_{t+1} = W^T phi(x_t)``, ``phi`` = monomials.

    ``degree=1`` is the linear step map, ``degree=2`` the quadratic one of the
    references table (Lorenz-63's tendency is quadratic, so a quadratic map captures
    an Euler-like step and the bulk of an RK4 step). Fitted in closed form with
    :meth:`fit` (float64 normal equations), not by gradient descent.
    """

    def __init__(self, dim: int, degree: int = 2):
        super().__init__()
        self.dim, self.degree = dim, degree
        n_features = polynomial_features(torch.zeros(1, dim), degree).shape[-1]
        self.register_buffer("weights", torch.zeros(n_features, dim, dtype=torch.float64))
        self.register_buffer("scale", torch.ones(dim, dtype=torch.float64))

    def fit(self, series: Tensor, ridge: float = 1e-10) -> PolynomialStepMap:
        """Fit on pairs ``(x_t, x_{t+1})`` of a training series ``(T, d)``; returns ``self``."""
        guard_answer()
        x = series.to(torch.float64)
        scale = x.std(dim=0)
        phi = polynomial_features(x[:-1] / scale, self.degree)
        gram = phi.T @ phi
        gram = gram + ridge * torch.trace(gram) / gram.shape[0] * torch.eye(gram.shape[0], dtype=gram.dtype)
        coef = torch.linalg.solve(gram, phi.T @ x[1:])
        self.scale, self.weights = scale, coef
        return self

    def step(self, state: Tensor) -> Tensor:
        guard_answer()
        phi = polynomial_features(state.to(torch.float64) / self.scale, self.degree)
        return (phi @ self.weights).to(state.dtype)


class Climatology(Forecaster):
    """Climatology: the training-block mean at every lead."""

    def __init__(self, mean: Tensor):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32).clone())
        self.dim = self.mean.shape[-1]

    def forecast(self, history: Tensor, leads: Sequence[int]) -> Tensor:
        leads = check_leads(leads)
        _check_history(history, self.dim)
        shape = (history.shape[0], len(leads), self.dim)
        return self.mean.to(history.dtype).expand(shape).clone()


class DirectModel(Forecaster):
    """A model trained for a fixed set of leads: ``forecast`` checks they are the same."""

    leads: tuple[int, ...]

    def forecast(self, history: Tensor, leads: Sequence[int]) -> Tensor:
        leads = check_leads(leads)
        if leads != self.leads:
            raise ValueError(f"model trained for leads {self.leads}, asked for {leads}")
        _check_history(history, self.dim)
        return self(history)


class LinearAutoregression(DirectModel):
    """Direct linear autoregression: ``x_{t+l} = A_l [x_{t-p+1}, ..., x_t] + b_l`` per lead.

    Fitted in closed form on training windows with :meth:`fit`.
    """

    def __init__(self, dim: int, n_past: int, leads: Sequence[int]):
        super().__init__()
        self.dim, self.n_past, self.leads = dim, n_past, check_leads(leads)
        n_in = dim * n_past + 1
        self.register_buffer("weights", torch.zeros(n_in, len(self.leads) * dim, dtype=torch.float64))

    def fit(self, history: Tensor, targets: Tensor, ridge: float = 1e-8) -> LinearAutoregression:
        """Least squares on training windows ``history (N, n_past, d)``, ``targets (N, L, d)``."""
        guard_answer()
        x = self._features(history)
        y = targets.to(torch.float64).reshape(targets.shape[0], -1)
        gram = x.T @ x
        gram = gram + ridge * torch.trace(gram) / gram.shape[0] * torch.eye(gram.shape[0], dtype=gram.dtype)
        self.weights = torch.linalg.solve(gram, x.T @ y)
        return self

    def _features(self, history: Tensor) -> Tensor:
        _check_history(history, self.dim)
        if history.shape[1] != self.n_past:
            raise ValueError(f"expected n_past={self.n_past} past states, got {history.shape[1]}")
        flat = history.to(torch.float64).reshape(history.shape[0], -1)
        return torch.cat([flat, torch.ones_like(flat[:, :1])], dim=1)

    def forward(self, history: Tensor) -> Tensor:
        guard_answer()
        out = self._features(history) @ self.weights
        return out.reshape(history.shape[0], len(self.leads), self.dim).to(history.dtype)


class MLPForecaster(DirectModel):
    """MLP on the flattened normalised history; outputs increments from the last state.

    ``z_{t+l} = z_t + g_l(z_{t-p+1..t})`` for every lead ``l`` at once.
    """

    def __init__(
        self, normaliser: Normaliser, n_past: int, leads: Sequence[int], hidden: int = 128, n_layers: int = 2
    ):
        super().__init__()
        self.norm, self.n_past, self.leads = normaliser, n_past, check_leads(leads)
        self.dim = normaliser.mean.shape[-1]
        layers: list[nn.Module] = []
        width = self.dim * n_past
        for _ in range(n_layers):
            layers += [nn.Linear(width, hidden), nn.GELU()]
            width = hidden
        layers.append(nn.Linear(width, len(self.leads) * self.dim))
        self.net = nn.Sequential(*layers)

    def forward(self, history: Tensor) -> Tensor:
        guard_answer()
        z = self.norm(history)
        dz = self.net(z.flatten(1)).view(-1, len(self.leads), self.dim)
        return self.norm.inverse(z[:, -1:] + dz)


class RecurrentForecaster(DirectModel):
    """LSTM or GRU encoder over the history, linear head to every lead (sequence to multi-lead).

    The last hidden state ``h_t`` gives increments ``z_{t+l} - z_t = W h_t + c`` for all leads.
    """

    def __init__(
        self,
        normaliser: Normaliser,
        leads: Sequence[int],
        hidden: int = 64,
        n_layers: int = 1,
        cell: str = "lstm",
    ):
        super().__init__()
        if cell not in ("lstm", "gru"):
            raise ValueError(f"cell must be 'lstm' or 'gru', got {cell!r}")
        self.norm, self.leads = normaliser, check_leads(leads)
        self.dim = normaliser.mean.shape[-1]
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(self.dim, hidden, num_layers=n_layers, batch_first=True)
        self.head = nn.Linear(hidden, len(self.leads) * self.dim)

    def forward(self, history: Tensor) -> Tensor:
        guard_answer()
        z = self.norm(history)
        out, _ = self.rnn(z)
        dz = self.head(out[:, -1]).view(-1, len(self.leads), self.dim)
        return self.norm.inverse(z[:, -1:] + dz)


class BilinearTendency(nn.Module):
    """Bilinear network for an ODE right-hand side (Fablet, Ouala & Herzet 2018).

    ``F(z) = C [A z + a, (B1 z + b1) ⊙ (B2 z + b2)] + c``: a linear block and a block of
    products of two linear maps, combined by a last linear layer. It represents any
    quadratic vector field exactly (Lorenz-63 and Lorenz-96 are quadratic).
    """

    def __init__(self, dim: int, n_linear: int = 3, n_bilinear: int = 3):
        super().__init__()
        self.linear = nn.Linear(dim, n_linear)
        self.left = nn.Linear(dim, n_bilinear)
        self.right = nn.Linear(dim, n_bilinear)
        self.out = nn.Linear(n_linear + n_bilinear, dim)

    def forward(self, z: Tensor) -> Tensor:
        guard_answer()
        return self.out(torch.cat([self.linear(z), self.left(z) * self.right(z)], dim=-1))


class MLPTendency(nn.Module):
    """Generic neural-ODE right-hand side: a tanh MLP ``R^d -> R^d``."""

    def __init__(self, dim: int, hidden: int = 64, n_layers: int = 2):
        super().__init__()
        layers: list[nn.Module] = []
        width = dim
        for _ in range(n_layers):
            layers += [nn.Linear(width, hidden), nn.Tanh()]
            width = hidden
        layers.append(nn.Linear(width, dim))
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)


class ODEStepModel(OneStepModel):
    """Residual one-step model ``z_{t+1} = Φ_dt(z_t)`` with Φ one step of an ODE solver
    applied to a learned tendency (in normalised units).

    With :class:`BilinearTendency` and RK4 this is the bilinear residual network of
    Fablet, Ouala & Herzet (2018) (the RK4 scheme is the residual architecture); with
    :class:`MLPTendency` it is a neural ODE (Chen et al. 2018) on a fixed time grid.
    The step is the library's stepper (:mod:`dlgd_course.dynamics.integrate`), so the
    gradient flows through the same RK4 code that integrates the true dynamics.
    """

    def __init__(self, normaliser: Normaliser, tendency: nn.Module, dt: float, stepper: str = "rk4"):
        super().__init__()
        self.norm, self.tendency, self.dt = normaliser, tendency, float(dt)
        self.stepper_name = stepper
        self._stepper = get_stepper(stepper)
        self.dim = normaliser.mean.shape[-1]

    def step(self, state: Tensor) -> Tensor:
        guard_answer()
        z = self.norm(state)
        return self.norm.inverse(self._stepper(self.tendency, z, self.dt))


def bilinear_residual_network(
    normaliser: Normaliser, dt: float, n_linear: int = 3, n_bilinear: int = 3
) -> ODEStepModel:
    """The BiNN of Fablet et al. (2018): RK4 step of a :class:`BilinearTendency`."""
    dim = normaliser.mean.shape[-1]
    return ODEStepModel(normaliser, BilinearTendency(dim, n_linear, n_bilinear), dt, "rk4")


def neural_ode(normaliser: Normaliser, dt: float, hidden: int = 64, n_layers: int = 2) -> ODEStepModel:
    """A neural ODE: RK4 step of a :class:`MLPTendency`."""
    dim = normaliser.mean.shape[-1]
    return ODEStepModel(normaliser, MLPTendency(dim, hidden, n_layers), dt, "rk4")
