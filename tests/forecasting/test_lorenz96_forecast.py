"""The learned Lorenz-96 one-step model and the rollout (dlgd_course.forecasting.lorenz96_forecast)."""

import pytest
import torch

from dlgd_course.forecasting.lorenz96_forecast import PeriodicResidualStep, periodic_conv, rollout


def test_step_is_residual_and_periodic():
    torch.manual_seed(0)
    model = PeriodicResidualStep(torch.full((12,), 2.0), torch.full((12,), 3.0), channels=4)
    x = 3 * torch.randn(5, 12)
    with torch.no_grad():
        # same statistics at every site: shifting the sites shifts the step (circular padding)
        assert torch.allclose(model.step(x.roll(4, 1)), model.step(x).roll(4, 1), atol=1e-5)
        expected = x + 3.0 * model.net(((x - 2.0) / 3.0)[:, None])[:, 0]
        assert torch.allclose(model.step(x), expected, atol=1e-6)
        model.net[-1].weight.zero_()
        model.net[-1].bias.zero_()
        assert torch.allclose(model.step(x), x)


def test_rollout_applies_the_step_lead_times():
    x0 = torch.linspace(-1.0, 1.0, 6).reshape(2, 3)
    states = rollout(lambda x: 2 * x + 1, x0, (1, 3))
    assert states.shape == (2, 2, 3)
    assert torch.allclose(states[:, 0], 2 * x0 + 1)
    assert torch.allclose(states[:, 1], 8 * x0 + 7)  # x -> 2x + 1 three times


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="odd"):
        periodic_conv(1, 1, 4)
    with pytest.raises(ValueError, match="std"):
        PeriodicResidualStep(torch.zeros(4), torch.zeros(4))
    with pytest.raises(ValueError, match="batch"):
        rollout(lambda x: x, torch.zeros(3), (1,))
    with pytest.raises(ValueError, match="increasing"):
        rollout(lambda x: x, torch.zeros(2, 3), (2, 1))
