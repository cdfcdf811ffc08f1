"""Small matplotlib helpers shared by the book chapters and the exercise notebooks.

Every function draws on an ``Axes`` passed by the caller (or a new one) and returns it, so
figures stay under the caller's control. Inputs may be NumPy arrays or torch tensors (on any
device, with or without gradients).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes

__all__ = [
    "as_numpy",
    "field_panels",
    "hovmoller",
    "loss_curves",
    "lorenz63_attractor",
    "time_series",
    "tracks",
]


def as_numpy(values: Any) -> np.ndarray:
    """Convert a tensor (any device, with gradients) or an array-like to a NumPy array."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def _new_axes(ax: Axes | None, projection: str | None = None) -> Axes:
    if ax is not None:
        return ax
    fig = plt.figure(figsize=(5, 4))
    return fig.add_subplot(1, 1, 1, projection=projection)


def lorenz63_attractor(trajectory: Any, ax: Axes | None = None, **plot_kwargs: Any) -> Axes:
    """Draw a Lorenz-63 trajectory of shape ``(time, 3)`` in 3-D (x, y, z in model units).

    ``ax`` must be a 3-D axes (``projection="3d"``); a new one is created when omitted.
    """
    xyz = as_numpy(trajectory)
    if xyz.ndim != 2 or xyz.shape[-1] != 3:
        raise ValueError(f"lorenz63_attractor: expected a trajectory of shape (time, 3), got {xyz.shape}")
    ax = _new_axes(ax, projection="3d")
    if not hasattr(ax, "plot3D"):
        raise ValueError("lorenz63_attractor: ax must be a 3-D axes (projection='3d')")
    options = {"lw": 0.5} | plot_kwargs
    ax.plot(xyz[:, 0], xyz[:, 1], xyz[:, 2], **options)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_zlabel("$z$")
    return ax


def hovmoller(
    field: Any,
    x: Any,
    t: Any,
    ax: Axes | None = None,
    cmap: str = "RdBu_r",
    symmetric: bool = True,
    colorbar_label: str | None = None,
) -> Axes:
    """Space-time (Hovmöller) diagram of ``field`` with shape ``(time, space)``.

    ``x`` (shape ``(space,)``) and ``t`` (shape ``(time,)``) give the coordinates; time runs
    upwards. With ``symmetric`` the colour scale is centred on zero.
    """
    values, xs, ts = as_numpy(field), as_numpy(x), as_numpy(t)
    if values.ndim != 2 or values.shape != (ts.size, xs.size):
        raise ValueError(
            f"hovmoller: field of shape (time, space) = ({ts.size}, {xs.size}) expected, got {values.shape}"
        )
    ax = _new_axes(ax)
    vmax = float(np.nanmax(np.abs(values))) if symmetric else None
    mesh = ax.pcolormesh(
        xs,
        ts,
        values,
        cmap=cmap,
        shading="auto",
        vmin=-vmax if symmetric else None,
        vmax=vmax,
    )
    ax.figure.colorbar(mesh, ax=ax, label=colorbar_label)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$t$")
    return ax


def time_series(
    t: Any,
    series: Mapping[str, Any],
    ax: Axes | None = None,
    styles: Mapping[str, Mapping[str, Any]] | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Plot several named series of shape ``(time,)`` against ``t``; NaNs leave gaps.

    ``styles`` maps a name to extra keyword arguments of ``Axes.plot`` (e.g. markers for
    observations).
    """
    ts = as_numpy(t)
    ax = _new_axes(ax)
    for name, values in series.items():
        ys = as_numpy(values)
        if ys.shape != ts.shape:
            raise ValueError(f"time_series: series {name!r} has shape {ys.shape}, time has {ts.shape}")
        ax.plot(ts, ys, label=name, **(styles or {}).get(name, {}))
    ax.set_xlabel("$t$")
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


def loss_curves(
    histories: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    logy: bool = True,
    xlabel: str = "iteration",
    ylabel: str = "loss",
) -> Axes:
    """Plot optimisation histories (name -> sequence of losses), on a log scale by default."""
    ax = _new_axes(ax)
    for name, history in histories.items():
        values = as_numpy(history).astype(float).ravel()
        if values.size == 0:
            raise ValueError(f"loss_curves: history {name!r} is empty")
        ax.plot(np.arange(values.size), values, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


def field_panels(
    fields: Mapping[str, Any],
    axes: Sequence[Axes] | None = None,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar_label: str | None = None,
) -> list[Axes]:
    """Show named 2-D fields of shape ``(rows, columns)`` side by side on one colour scale.

    NaNs (gaps) are left blank. The scale runs from ``vmin`` to ``vmax``, by default the
    smallest and largest finite value over all the fields; ``axes`` holds one axes per field
    (a new row of panels when omitted). Returns the axes, titled with the names.
    """
    if not fields:
        raise ValueError("field_panels: no field to show")
    images = {name: as_numpy(values).astype(float) for name, values in fields.items()}
    for name, image in images.items():
        if image.ndim != 2:
            raise ValueError(
                f"field_panels: field {name!r} should have shape (rows, columns), got {image.shape}"
            )
    if axes is None:
        fig, new_axes = plt.subplots(1, len(images), figsize=(2.6 * len(images) + 0.8, 2.8), squeeze=False)
        axes = list(new_axes[0])
    if len(axes) != len(images):
        raise ValueError(f"field_panels: {len(images)} fields but {len(axes)} axes")
    finite = np.concatenate([image[np.isfinite(image)] for image in images.values()])
    low = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    high = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    for ax, (name, image) in zip(axes, images.items(), strict=True):
        mesh = ax.imshow(np.ma.masked_invalid(image), origin="lower", cmap=cmap, vmin=low, vmax=high)
        ax.set_title(name, fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].figure.colorbar(mesh, ax=list(axes), label=colorbar_label, shrink=0.8)
    return list(axes)


def tracks(
    x: Any,
    y: Any,
    ax: Axes | None = None,
    origin_marker: bool = True,
    **plot_kwargs: Any,
) -> Axes:
    """Draw paths in the plane, ``x`` and ``y`` of shape ``(path, step)`` (km east and north).

    With ``origin_marker`` the point (0, 0) (the colony of central-place trips) is marked;
    the axes keep equal scales in x and y.
    """
    xs, ys = as_numpy(x), as_numpy(y)
    if xs.ndim != 2 or xs.shape != ys.shape:
        raise ValueError(
            f"tracks: x and y should have the same shape (path, step), got {xs.shape} and {ys.shape}"
        )
    ax = _new_axes(ax)
    options = {"lw": 0.8, "alpha": 0.8} | plot_kwargs
    for path_x, path_y in zip(xs, ys, strict=True):
        ax.plot(path_x, path_y, **options)
    if origin_marker:
        ax.plot([0.0], [0.0], "k*", ms=10)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    return ax
