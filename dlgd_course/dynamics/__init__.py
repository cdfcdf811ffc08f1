"""Differentiable dynamical systems: tendencies, time steppers, integrator, Lyapunov exponents.

Every system is batched over leading dimensions, device- and dtype-agnostic and
differentiable with autograd. Build one by name with :func:`make_system`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dlgd_course.dynamics.base import DynamicalSystem
from dlgd_course.dynamics.burgers import Burgers, burgers_tendency, cole_hopf_solution
from dlgd_course.dynamics.integrate import (
    STEPPER_ORDER,
    STEPPERS,
    IntegrationDivergedError,
    euler_step,
    heun_step,
    integrate,
    rk4_step,
)
from dlgd_course.dynamics.latent_ode import AugmentedNeuralODE, train_augmented_ode, valid_time
from dlgd_course.dynamics.lorenz63 import SAKOV2012_INITIAL_STATE, Lorenz63, lorenz63_tendency
from dlgd_course.dynamics.lorenz96 import Lorenz96, lorenz96_tendency
from dlgd_course.dynamics.lorenz96_two_level import TwoLevelLorenz96, two_level_lorenz96_tendency
from dlgd_course.dynamics.lyapunov import kaplan_yorke_dimension, lyapunov_spectrum
from dlgd_course.dynamics.reservoir import EchoStateNetwork

SYSTEMS: dict[str, type[DynamicalSystem]] = {
    cls.name: cls for cls in (Lorenz63, Lorenz96, TwoLevelLorenz96, Burgers)
}


def make_system(name: str, **parameters: Any) -> DynamicalSystem:
    """Build the system called ``name`` (see ``SYSTEMS``) with the given parameters.

    Raises ``ValueError`` naming an unknown system or an unknown parameter.
    """
    try:
        cls = SYSTEMS[name]
    except KeyError:
        raise ValueError(f"unknown system {name!r}; choose one of {sorted(SYSTEMS)}") from None
    known = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(unknown)} for system {name!r}; "
            f"its parameters are {', '.join(sorted(known))}"
        )
    return cls(**parameters)


__all__ = [
    "SAKOV2012_INITIAL_STATE",
    "STEPPERS",
    "STEPPER_ORDER",
    "SYSTEMS",
    "AugmentedNeuralODE",
    "Burgers",
    "DynamicalSystem",
    "EchoStateNetwork",
    "IntegrationDivergedError",
    "Lorenz63",
    "Lorenz96",
    "TwoLevelLorenz96",
    "burgers_tendency",
    "cole_hopf_solution",
    "euler_step",
    "heun_step",
    "integrate",
    "kaplan_yorke_dimension",
    "lorenz63_tendency",
    "lorenz96_tendency",
    "lyapunov_spectrum",
    "make_system",
    "rk4_step",
    "train_augmented_ode",
    "two_level_lorenz96_tendency",
    "valid_time",
]
