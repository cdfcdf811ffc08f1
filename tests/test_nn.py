"""The shared networks and the normaliser (dlgd_course.nn.networks, dlgd_course.nn.normalise)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlgd_course.nn import ConvLSTMCell, ConvLSTMSolver, Normaliser, UNet, learned_gradient_descent


@pytest.mark.parametrize("batch_norm", [False, True])
def test_unet_shapes_gradients_and_errors(batch_norm: bool) -> None:
    """(B, C_in, H, W) → (B, C_out, H, W); every parameter gets a gradient; all weights zero
    but the head's bias gives that bias everywhere (no activation after the head)."""
    torch.manual_seed(0)
    net = UNet(5, 3, width=4, batch_norm=batch_norm, activation=torch.nn.ReLU)
    out = net(torch.randn(2, 5, 8, 12))
    assert out.shape == (2, 3, 8, 12)
    out.square().mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()
        net.head.bias.copy_(torch.tensor([1.0, -2.0, 0.5]))
    torch.testing.assert_close(
        net.eval()(torch.randn(1, 5, 4, 4))[0, :, 2, 3], torch.tensor([1.0, -2.0, 0.5])
    )
    with pytest.raises(ValueError, match="multiples of 4"):
        net(torch.randn(1, 5, 6, 8))
    with pytest.raises(ValueError, match="width must be a positive int"):
        UNet(5, 3, width=0)


@pytest.mark.parametrize(("spatial_dims", "shape"), [(1, (2, 3, 10)), (2, (2, 3, 6, 5))])
def test_convlstm_cell_matches_the_lstm_equations(spatial_dims: int, shape: tuple[int, ...]) -> None:
    """A 1 × 1 kernel makes the cell a pointwise LSTM: c' = σ(f) c + σ(i) tanh(g),
    h' = σ(o) tanh(c'), gates [i, f, o, g] = W [x, h] + b; a None state starts from zeros."""
    torch.manual_seed(1)
    cell = ConvLSTMCell(3, 4, kernel_size=1, spatial_dims=spatial_dims)
    x = torch.randn(*shape)
    h0, c0 = torch.randn(shape[0], 4, *shape[2:]), torch.randn(shape[0], 4, *shape[2:])
    h, c = cell(x, (h0, c0))
    weight = cell.gates.weight.reshape(16, 7)
    gates = torch.einsum("gk,bk...->bg...", weight, torch.cat([x, h0], dim=1))
    gates = gates + cell.gates.bias.view(1, 16, *[1] * spatial_dims)
    i, f, o, g = gates.chunk(4, dim=1)
    expected_c = torch.sigmoid(f) * c0 + torch.sigmoid(i) * torch.tanh(g)
    torch.testing.assert_close(c, expected_c)
    torch.testing.assert_close(h, torch.sigmoid(o) * torch.tanh(expected_c))
    zeros = torch.zeros_like(h0)
    torch.testing.assert_close(cell(x, None)[0], cell(x, (zeros, zeros))[0])
    with pytest.raises(ValueError, match="ConvLSTM cell takes"):
        cell(torch.randn(2, 3, *[4] * (3 - spatial_dims)))
    with pytest.raises(ValueError, match="spatial_dims must be 1 or 2"):
        ConvLSTMCell(3, 4, spatial_dims=3)


def test_learned_gradient_descent_with_a_fixed_solver_is_gradient_descent() -> None:
    """With Γ(g, h) = η g the learned iterations are plain gradient descent: on U(x) = ½‖x - a‖²
    each step moves x towards a by the factor (1 - η), K steps by (1 - η)^K; the state is None
    at the first call, then what Γ returned."""
    target = torch.tensor([[1.0, -2.0, 3.0]])
    states = []

    def solver(gradient: torch.Tensor, state: object) -> tuple[torch.Tensor, object]:
        states.append(state)
        return 0.25 * gradient, len(states)

    with torch.no_grad():
        x = learned_gradient_descent(
            lambda x: 0.5 * (x - target).square().sum(), torch.zeros(1, 3), solver, 3, create_graph=False
        )
    torch.testing.assert_close(x, target * (1 - 0.75**3))
    assert states == [None, 1, 2]
    with pytest.raises(ValueError, match="n_iterations"):
        learned_gradient_descent(lambda x: x.sum(), torch.zeros(1), solver, 0, create_graph=False)


def test_convlstm_solver_trains_through_the_iterations() -> None:
    """With create_graph the loss after K learned steps has a gradient for the solver's
    parameters and for the cost's own (double back-propagation); the normalised gradient makes
    the step independent of the cost's scale."""
    torch.manual_seed(2)
    solver = ConvLSTMSolver(2, 4, spatial_dims=1, normalise_gradient=True)
    scale = torch.nn.Parameter(torch.tensor(1.0))
    a = torch.randn(3, 2, 7)
    x = learned_gradient_descent(
        lambda x: scale * (x - a).square().sum(), torch.zeros(3, 2, 7), solver, 2, create_graph=True
    )
    (x - a).square().mean().backward()
    assert all(p.grad is not None for p in solver.parameters())
    assert scale.grad is not None
    with torch.no_grad():
        one = learned_gradient_descent(lambda x: (x - a).square().sum(), a * 0, solver, 2, create_graph=False)
        ten = learned_gradient_descent(lambda x: 10 * (x - a).square().sum(), a * 0, solver, 2, False)
    torch.testing.assert_close(one, ten)


def test_normaliser_round_trips_tensors_and_arrays() -> None:
    """z = (x - mean) / std and back, for tensors (dtype kept) and NumPy arrays (NaN kept);
    bad statistics are refused."""
    normaliser = Normaliser(torch.tensor([1.0, -2.0]), torch.tensor([2.0, 0.5]))
    x = torch.tensor([[3.0, -1.0], [1.0, -2.0]], dtype=torch.float64)
    z = normaliser(x)
    assert z.dtype == torch.float64
    torch.testing.assert_close(z, torch.tensor([[1.0, 2.0], [0.0, 0.0]], dtype=torch.float64))
    torch.testing.assert_close(normaliser.inverse(z), x)
    array = np.array([[3.0, np.nan]])
    out = normaliser(array)
    assert isinstance(out, np.ndarray) and np.isnan(out[0, 1]) and out[0, 0] == 1.0
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        Normaliser(torch.zeros(2), torch.tensor([1.0, 0.0]))


def test_normaliser_fit_log10_per_pixel_mean_and_global_std() -> None:
    """Fitted on log10 of (time, lat, lon) with gaps: the mean of each pixel over time (the
    overall mean for a pixel never observed) and one std of the anomalies; inverse(forward)
    is the identity."""
    rng = np.random.default_rng(0)
    field = 10 ** rng.normal(0.5, 0.3, size=(20, 4, 4))
    field[rng.random(field.shape) < 0.3] = np.nan
    field[:, 0, 0] = np.nan
    normaliser = Normaliser.fit(field, n_axes=1, std_axes=3, log10=True)
    logs = np.log10(field)
    mean = np.nansum(logs, axis=0) / np.maximum(np.isfinite(logs).sum(axis=0), 1)
    mean[0, 0] = np.nanmean(logs)
    np.testing.assert_allclose(normaliser.mean.numpy(), mean, rtol=1e-6)
    assert normaliser.std.shape == () and float(normaliser.std) == pytest.approx(
        np.nanstd(logs - mean), rel=1e-6
    )
    np.testing.assert_allclose(normaliser.inverse(normaliser(field)), field, rtol=1e-6)
    states = torch.randn(8, 5, 3) * torch.tensor([1.0, 2.0, 3.0])
    per_component = Normaliser.fit(states, n_axes=2)
    assert per_component.mean.shape == per_component.std.shape == (3,)
    with pytest.raises(ValueError, match="n_axes"):
        Normaliser.fit(states, n_axes=2, std_axes=1)
