"""Lorenz-63 forecasting after Fablet, Ouala & Herzet (2018), *Bilinear residual neural
network for the identification and forecasting of geophysical dynamics* (EUSIPCO).

Setting: σ, ρ, β = 10, 28, 8/3; RK4 with dt = 0.01; one trajectory of 20 000 steps
after 1 000 spin-up steps; train / val / test = 70 / 15 / 15 % of the time axis, in this
order, with gaps of one window; RMSE over the three components of the test windows at
leads 1, 4 and 8 steps.

Expected test RMSE (REFERENCES.md, course-measured baselines):

    model                                 lead 1    lead 4    lead 8
    persistence                           0.641     2.53      4.89
    linear least-squares step map         0.527     2.15      4.32
    quadratic least-squares step map      0.0142    0.0558    0.110

Target of issue 6: the bilinear residual network and the neural ODE reach the
quadratic-model regime, lead-1 RMSE <= 0.015. Measured with :func:`run` (seed 0,
default epochs, CPU, ``benchmarks/forecasting_l63.py``):

    model                         lead 1    lead 4    lead 8    training CPU s
    persistence                   0.613     2.43      4.69
    climatology                   8.64      8.64      8.65
    linear step map               0.507     2.07      4.19
    quadratic step map            0.0154    0.0603    0.119
    linear autoregression (10)    0.0035    0.071     0.505
    bilinear residual network     0.0029    0.0103    0.0184     8
    neural ODE (MLP 2x128)        0.0084    0.0330    0.0616    15
    MLP (direct)                  0.0140    0.0259    0.0486     4
    LSTM (direct)                 0.0157    0.0253    0.0397    11
    GRU (direct)                  0.0146    0.0291    0.0454    14

The direct autoregression on 10 past states is very accurate at lead 1 (it acts as a
high-order finite-difference extrapolation at dt = 0.01) but degrades fast with the lead.

Neural ODE: the network tendency is integrated with the library's RK4 stepper
(:func:`dlgd_course.dynamics.rk4_step`) rather than ``torchdiffeq``: on a fixed grid
with one step per sample the two compute the same thing, backpropagating through
four tendency evaluations needs no adjoint method, and the course keeps a single
integrator for the true and the learned dynamics.
"""

from __future__ import annotations

import time

import torch

from dlgd_course.data import simulate
from dlgd_course.forecasting.lightning import ForecastDataModule, ForecastModule, forecast_in_batches
from dlgd_course.forecasting.metrics import rmse_per_lead
from dlgd_course.forecasting.models import (
    Climatology,
    LinearAutoregression,
    MLPForecaster,
    Normaliser,
    Persistence,
    PolynomialStepMap,
    RecurrentForecaster,
    bilinear_residual_network,
    neural_ode,
)
from dlgd_course.notebook import quiet_trainer, seed_everything

DT = 0.01
N_STEPS = 20_000
SPINUP_STEPS = 1_000
LEADS = (1, 2, 3, 4, 5, 6, 7, 8)
REPORTED_LEADS = (1, 4, 8)
N_PAST = 10  # history of the direct models (MLP, LSTM/GRU, linear autoregression)

#: REFERENCES.md, "Forecasting Lorenz systems" (course-measured test RMSE at leads 1, 4, 8).
EXPECTED = {
    "persistence": (0.641, 2.53, 4.89),
    "linear step map": (0.527, 2.15, 4.32),
    "quadratic step map": (0.0142, 0.0558, 0.110),
}
#: Issue 6 target for the bilinear residual network and the neural ODE at lead 1.
TARGET_LEAD1 = 0.015

#: Training settings: (epochs, learning rate) of each learned model.
EPOCHS = {
    "bilinear": (60, 1e-2),
    "neural ODE": (60, 3e-3),
    "MLP": (30, 2e-3),
    "LSTM": (30, 3e-3),
    "GRU": (30, 3e-3),
}


def trajectory(seed: int = 0) -> torch.Tensor:
    """The Lorenz-63 series ``(N_STEPS + 1, 3)`` (float32) of this set-up."""
    ds = simulate("lorenz63", n_steps=N_STEPS, dt=DT, seed=seed, spinup_steps=SPINUP_STEPS)
    return torch.as_tensor(ds["state"].values, dtype=torch.float32)


def data_module(seed: int = 0, n_past: int = N_PAST) -> ForecastDataModule:
    """Leak-free windows of :func:`trajectory` (history ``n_past`` states, leads 1..8)."""
    return ForecastDataModule(trajectory(seed), n_past=n_past, leads=LEADS, batch_size=256, seed=seed)


def baselines(data: ForecastDataModule) -> dict[str, torch.Tensor]:
    """Test RMSE per lead of the closed-form baselines."""
    history, targets = data.split_tensors("test")
    train = data.series[data.slices["train"]]
    ar = LinearAutoregression(3, data.n_past, LEADS).fit(*data.split_tensors("train"))
    models = {
        "persistence": Persistence(3),
        "climatology": Climatology(data.mean),
        "linear step map": PolynomialStepMap(3, degree=1).fit(train),
        "quadratic step map": PolynomialStepMap(3, degree=2).fit(train),
        "linear autoregression": ar,
    }
    return {
        name: rmse_per_lead(forecast_in_batches(m, history, LEADS), targets) for name, m in models.items()
    }


def build(name: str, data: ForecastDataModule) -> tuple[torch.nn.Module, tuple[int, ...]]:
    """A learned model of this set-up and the leads its loss uses."""
    norm = Normaliser(data.mean, data.std)
    if name == "bilinear":
        return bilinear_residual_network(norm, DT, n_linear=6, n_bilinear=6), (1,)
    if name == "neural ODE":
        return neural_ode(norm, DT, hidden=128), (1,)
    if name == "MLP":
        return MLPForecaster(norm, data.n_past, LEADS, hidden=128), LEADS
    if name in ("LSTM", "GRU"):
        return RecurrentForecaster(norm, LEADS, hidden=64, cell=name.lower()), LEADS
    raise ValueError(f"unknown model {name!r}; choose one of {sorted(EPOCHS)}")


def train_forecaster(
    name: str, data: ForecastDataModule, epochs: int | None = None, seed: int = 0
) -> tuple[torch.nn.Module, dict[str, float]]:
    """Train model ``name`` on the training block, the processes seeded with ``seed`` first.

    Returns the model and ``{"seconds": wall-clock, "cpu_seconds": process CPU time}``.
    """
    seed_everything(seed)
    model, train_leads = build(name, data)
    default_epochs, lr = EPOCHS[name]
    epochs = default_epochs if epochs is None else epochs
    module = ForecastModule(model, LEADS, data.std, train_leads=train_leads, lr=lr, max_epochs=epochs)
    start, cpu_start = time.perf_counter(), time.process_time()
    quiet_trainer(epochs, limit_val_batches=0).fit(module, data)
    timing = {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu_start}
    return model.cpu(), timing


def run(
    seed: int = 0, models: tuple[str, ...] = tuple(EPOCHS), epochs: dict[str, int] | None = None
) -> dict[str, dict]:
    """Test RMSE per lead (``LEADS``) of every baseline and learned model.

    Returns ``{name: {"rmse": tensor (8,), "seconds": ..., "cpu_seconds": ...}}`` (training
    times, 0 for the closed-form baselines).
    """
    epochs = epochs or {}
    data = data_module(seed)
    results = {name: {"rmse": r, "seconds": 0.0, "cpu_seconds": 0.0} for name, r in baselines(data).items()}
    history, targets = data.split_tensors("test")
    for name in models:
        model, timing = train_forecaster(name, data, epochs.get(name), seed)
        results[name] = {"rmse": rmse_per_lead(forecast_in_batches(model, history, LEADS), targets), **timing}
    return results
