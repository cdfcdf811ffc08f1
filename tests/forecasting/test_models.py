"""Forecasting models (dlgd_course.forecasting.models): shapes, batching, exactness checks.

The bilinear architecture check reproduces the argument of Fablet, Ouala & Herzet (2018):
a bilinear residual network embedded in RK4 represents Lorenz-63 exactly.
"""

from __future__ import annotations

import pytest
import torch

from dlgd_course.dynamics import Lorenz63
from dlgd_course.forecasting import (
    BilinearTendency,
    Climatology,
    LinearAutoregression,
    MLPForecaster,
    Normaliser,
    ODEStepModel,
    Persistence,
    PolynomialStepMap,
    RecurrentForecaster,
    bilinear_residual_network,
    neural_ode,
)

LEADS = (1, 4, 8)


@pytest.fixture
def normaliser() -> Normaliser:
    return Normaliser(torch.tensor([0.0, 0.0, 23.5]), torch.tensor([7.9, 9.0, 8.6]))


def test_bilinear_network_represents_lorenz63_exactly() -> None:
    """With hand-set weights the BiNN step equals the library's RK4 step of Lorenz-63."""
    system = Lorenz63()
    tendency = BilinearTendency(3, n_linear=3, n_bilinear=2).double()
    sigma, rho, beta = system.sigma, system.rho, system.beta
    with torch.no_grad():
        for layer in (tendency.linear, tendency.left, tendency.right, tendency.out):
            layer.bias.zero_()
        tendency.linear.weight.copy_(torch.eye(3))
        tendency.left.weight.copy_(torch.tensor([[1.0, 0, 0], [1.0, 0, 0]]))  # x, x
        tendency.right.weight.copy_(torch.tensor([[0, 0, 1.0], [0, 1.0, 0]]))  # z, y
        tendency.out.weight.copy_(
            torch.tensor(
                [
                    [-sigma, sigma, 0, 0, 0],  # sigma (y - x)
                    [rho, -1.0, 0, -1.0, 0],  # rho x - y - x z
                    [0, 0, -beta, 0, 1.0],  # x y - beta z
                ]
            )
        )
    model = ODEStepModel(Normaliser(torch.zeros(3), torch.ones(3)), tendency, dt=0.01).double()
    x = system.random_initial_state(torch.Generator().manual_seed(0), (5,))
    assert torch.allclose(model.step(x), system.step(x, 0.01), atol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda n: bilinear_residual_network(n, 0.01),
        lambda n: neural_ode(n, 0.01, hidden=16),
        lambda n: MLPForecaster(n, n_past=5, leads=LEADS, hidden=16),
        lambda n: RecurrentForecaster(n, LEADS, hidden=8, cell="lstm"),
        lambda n: RecurrentForecaster(n, LEADS, hidden=8, cell="gru"),
    ],
)
def test_learned_models_shapes_and_gradients(make, normaliser: Normaliser) -> None:
    model = make(normaliser)
    history = 10.0 * torch.randn(6, 5, 3)
    out = model.forecast(history, LEADS)
    assert out.shape == (6, 3, 3) and out.dtype == torch.float32
    out.square().mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    # Batching: one sample alone gives the same forecast as inside the batch.
    assert torch.allclose(model.forecast(history[2:3], LEADS), out[2:3], atol=1e-5)


def test_direct_model_refuses_other_leads(normaliser: Normaliser) -> None:
    model = RecurrentForecaster(normaliser, LEADS, hidden=4)
    with pytest.raises(ValueError, match="trained for leads"):
        model.forecast(torch.zeros(2, 5, 3), (1, 2))
    with pytest.raises(ValueError, match="history must have shape"):
        model.forecast(torch.zeros(2, 5, 4), LEADS)
    with pytest.raises(ValueError, match="cell"):
        RecurrentForecaster(normaliser, LEADS, cell="rnn")


def test_persistence_and_climatology() -> None:
    history = torch.randn(4, 3, 3)
    assert torch.equal(Persistence(3).forecast(history, LEADS), history[:, -1:].expand(4, 3, 3))
    mean = torch.tensor([1.0, 2.0, 3.0])
    assert torch.equal(Climatology(mean).forecast(history, LEADS)[3, 2], mean)


def test_linear_autoregression_recovers_a_linear_system() -> None:
    """On x_{t+1} = A x_t the direct AR(1) predictor at lead l is A^l, fitted exactly."""
    generator = torch.Generator().manual_seed(0)
    a = torch.linalg.qr(torch.randn(3, 3, generator=generator, dtype=torch.float64))[0] * 0.99
    x = [torch.randn(3, generator=generator, dtype=torch.float64)]
    for _ in range(300):
        x.append(a @ x[-1] + 0.01 * torch.randn(3, generator=generator, dtype=torch.float64))
    series = torch.stack(x)
    history = series[:-8, None]
    targets = torch.stack([series[1:-7], series[4:-4], series[8:]], dim=1)
    model = LinearAutoregression(3, n_past=1, leads=LEADS).fit(history, targets)
    clean = torch.stack([torch.linalg.matrix_power(a, k) @ series[0] for k in LEADS])
    assert torch.allclose(model.forecast(series[None, :1], LEADS)[0], clean, atol=0.05)


def test_polynomial_step_map_is_exact_for_a_quadratic_map() -> None:
    """A degree-2 least-squares map recovers a quadratic map (Euler step of Lorenz-63)."""
    system = Lorenz63()
    x = system.integrate(
        system.random_initial_state(torch.Generator().manual_seed(1)), 0.01, 2000, stepper="euler"
    )
    model = PolynomialStepMap(3, degree=2).fit(x)
    assert torch.allclose(model.step(x[:50]), x[1:51], atol=1e-7)
