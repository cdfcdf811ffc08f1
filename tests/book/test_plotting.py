"""dlgd_course.plotting: the helpers draw what they are given and reject malformed input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from dlgd_course.dynamics import Lorenz63  # noqa: E402
from dlgd_course.plotting import (  # noqa: E402
    as_numpy,
    field_panels,
    hovmoller,
    lorenz63_attractor,
    loss_curves,
    time_series,
    tracks,
)


def test_as_numpy_accepts_tensors_with_gradients() -> None:
    values = torch.ones(3, requires_grad=True) * 2
    np.testing.assert_array_equal(as_numpy(values), np.full(3, 2.0))


def test_lorenz63_attractor_draws_the_trajectory() -> None:
    trajectory = Lorenz63().integrate(torch.tensor([1.0, 1.0, 1.0]), dt=0.01, n_steps=100)
    fig = plt.figure()
    ax = lorenz63_attractor(trajectory, ax=fig.add_subplot(projection="3d"))
    xs, ys, zs = ax.lines[0].get_data_3d()
    np.testing.assert_allclose(zs, trajectory[:, 2].numpy())
    with pytest.raises(ValueError, match=r"shape \(time, 3\)"):
        lorenz63_attractor(trajectory[:, :2], ax=ax)
    with pytest.raises(ValueError, match="3-D axes"):
        lorenz63_attractor(trajectory, ax=plt.figure().add_subplot())
    plt.close("all")


def test_hovmoller_checks_shapes_and_centres_the_colour_scale() -> None:
    field = torch.linspace(-1, 3, 20).reshape(4, 5)
    ax = hovmoller(field, torch.arange(5), torch.arange(4))
    mesh = ax.collections[0]
    assert mesh.get_clim() == (-3.0, 3.0)
    with pytest.raises(ValueError, match="field of shape"):
        hovmoller(field.T, torch.arange(5), torch.arange(4))
    plt.close("all")


def test_time_series_and_loss_curves() -> None:
    t = np.arange(10)
    ax = time_series(t, {"a": t**2, "b": torch.tensor(t) * 1.0})
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    with pytest.raises(ValueError, match="series 'c'"):
        time_series(t, {"c": np.arange(3)})
    ax = loss_curves({"train": [1.0, 0.5, 0.1]})
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="empty"):
        loss_curves({"train": []})
    plt.close("all")


def test_field_panels_share_one_colour_scale_and_leave_gaps_blank() -> None:
    gappy = np.array([[0.0, np.nan], [2.0, 1.0]])
    axes = field_panels({"observed": gappy, "truth": torch.full((2, 2), 4.0)})
    assert [ax.get_title() for ax in axes] == ["observed", "truth"]
    image = axes[0].images[0]
    assert image.get_clim() == (0.0, 4.0)
    assert bool(image.get_array().mask[0, 1]) and not bool(image.get_array().mask[0, 0])
    assert field_panels({"mask": gappy}, vmin=-1.0, vmax=1.0)[0].images[0].get_clim() == (-1.0, 1.0)
    with pytest.raises(ValueError, match=r"'cube' should have shape \(rows, columns\)"):
        field_panels({"cube": np.zeros((2, 2, 2))})
    with pytest.raises(ValueError, match="2 fields but 1 axes"):
        field_panels({"a": gappy, "b": gappy}, axes=[plt.figure().add_subplot()])
    plt.close("all")


def test_tracks_draws_one_line_per_path_and_the_origin() -> None:
    x = np.array([[0.0, 1.0, 0.0], [0.0, -2.0, 0.0]])
    ax = tracks(x, 2 * x)
    assert len(ax.lines) == 3
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.0, -4.0, 0.0])
    assert len(tracks(x, x, origin_marker=False).lines) == 2
    with pytest.raises(ValueError, match=r"same shape \(path, step\)"):
        tracks(x, x[:, :2])
    plt.close("all")
