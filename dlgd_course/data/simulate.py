"""Synthetic trajectories of the course's dynamical systems as ``xarray.Dataset``.

Every random draw comes from a ``torch.Generator`` seeded by ``seed`` and the
integration runs on the CPU in float64, so the same arguments give the same bytes
on every machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import xarray as xr

import dlgd_course
from dlgd_course.dynamics import DynamicalSystem, make_system
from dlgd_course.dynamics.integrate import Stepper, check_time_step

#: Labels of the state coordinate for systems whose components have names.
COMPONENT_LABELS: dict[str, list[str]] = {"lorenz63": ["x", "y", "z"]}


def _check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def resolve_system(system: str | DynamicalSystem, parameters: dict[str, Any]) -> DynamicalSystem:
    """A system instance from a name and parameters, or the instance itself (then no parameters)."""
    if isinstance(system, DynamicalSystem):
        if parameters:
            raise ValueError(
                f"parameters {sorted(parameters)} given together with a system instance; "
                "set them on the instance instead"
            )
        return system
    if not isinstance(system, str):
        raise ValueError(f"system must be a name or a DynamicalSystem, got {type(system).__name__}")
    return make_system(system, **parameters)


def state_coordinates(system: DynamicalSystem) -> dict[str, Any]:
    """Coordinates of the state dimensions of ``system`` (labels, indices or grid)."""
    (dim,) = system.state_dims
    if system.name in COMPONENT_LABELS:
        return {dim: COMPONENT_LABELS[system.name]}
    if system.name == "burgers":
        return {dim: (dim, system.grid().numpy(), {"long_name": "position", "units": "1"})}
    if system.name == "lorenz96_two_level":
        K, J = system.K, system.J  # noqa: N806
        level = np.array(["slow"] * K + ["fast"] * (K * J))
        sector = np.concatenate([np.arange(K), np.repeat(np.arange(K), J)])
        return {
            dim: np.arange(K + K * J),
            "level": (dim, level, {"long_name": "slow X_k or fast Y_jk"}),
            "sector": (dim, sector, {"long_name": "index k of the slow variable"}),
        }
    return {dim: np.arange(system.state_shape[0])}


def simulate(
    system: str | DynamicalSystem,
    n_steps: int,
    dt: float,
    seed: int,
    n_members: int | None = None,
    spinup_steps: int = 0,
    save_every: int = 1,
    stepper: str | Stepper = "rk4",
    **parameters: Any,
) -> xr.Dataset:
    """Simulate ``system`` from a random initial state drawn with ``seed``.

    Args:
        system: a name in ``dlgd_course.dynamics.SYSTEMS`` or a system instance.
        n_steps: integration steps after spin-up; ``n_steps // save_every + 1`` snapshots.
        dt: time step in the system's time units.
        seed: seed of the initial-state draw.
        n_members: ensemble size; ``None`` for a single trajectory (no ``member`` dim).
        spinup_steps: steps run and discarded first, to reach the attractor.
        save_every: keep every ``save_every``-th state.
        stepper: ``"euler"``, ``"heun"`` or ``"rk4"``.
        **parameters: the system's parameters (e.g. ``F=8.0``), when ``system`` is a name.

    Returns:
        Dataset with variable ``state`` of dims ``("time", ["member",] *state_dims)``,
        a ``time`` coordinate in model time units and attributes recording every setting.
    """
    model = resolve_system(system, parameters)
    n_steps = _check_count("n_steps", n_steps, 1)
    spinup_steps = _check_count("spinup_steps", spinup_steps, 0)
    save_every = _check_count("save_every", save_every, 1)
    seed = _check_count("seed", seed, 0)
    dt = check_time_step(dt)
    batch_shape: tuple[int, ...] = ()
    if n_members is not None:
        batch_shape = (_check_count("n_members", n_members, 1),)

    generator = torch.Generator().manual_seed(seed)
    initial_state = model.random_initial_state(generator, batch_shape, dtype=torch.float64)
    with torch.no_grad():
        if spinup_steps:
            initial_state = model.integrate(initial_state, dt, spinup_steps, stepper, spinup_steps)[-1]
        trajectory = model.integrate(initial_state, dt, n_steps, stepper, save_every).numpy()

    dims = ("time", *(("member",) if n_members is not None else ()), *model.state_dims)
    coords: dict[str, Any] = {
        "time": ("time", np.arange(trajectory.shape[0]) * dt * save_every, {"units": "model time units"}),
        **state_coordinates(model),
    }
    if n_members is not None:
        coords["member"] = np.arange(n_members)
    stepper_name = stepper if isinstance(stepper, str) else getattr(stepper, "__name__", "custom")
    attrs: dict[str, Any] = {
        "title": f"{model.name} trajectory simulated by dlgd_course",
        "system": model.name,
        "dt": dt,
        "n_steps": n_steps,
        "spinup_steps": spinup_steps,
        "save_every": save_every,
        "stepper": stepper_name,
        "seed": seed,
        "n_members": n_members if n_members is not None else 0,
        "dlgd_course_version": dlgd_course.__version__,
        **{f"param_{name}": value for name, value in model.parameters().items()},
    }
    state = xr.DataArray(
        trajectory,
        dims=dims,
        attrs={"long_name": f"{model.name} state", "units": "1"},
    )
    return xr.Dataset({"state": state}, coords=coords, attrs=attrs)


def system_from_dataset(dataset: xr.Dataset) -> DynamicalSystem:
    """Rebuild the system that produced ``dataset`` from its attributes."""
    prefix = "param_"
    parameters = {
        key[len(prefix) :]: (value.item() if isinstance(value, np.generic) else value)
        for key, value in dataset.attrs.items()
        if key.startswith(prefix)
    }
    return make_system(dataset.attrs["system"], **parameters)
