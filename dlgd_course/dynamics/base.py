"""The common interface of the course's dynamical systems.

A system is a frozen dataclass whose fields are the parameters of the paper that
defines it (named as in the paper), plus the size of the state. It provides the
tendency ``f`` of ``dx/dt = f(x)``; stepping and integration are delegated to
:mod:`dlgd_course.dynamics.integrate`, so the physics is written once.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import torch
from torch import Tensor

from dlgd_course.dynamics.integrate import (
    Stepper,
    check_finite,
    check_time_step,
    get_stepper,
    integrate,
)


class DynamicalSystem:
    """Base class: subclasses are frozen dataclasses implementing :meth:`tendency`."""

    name: ClassVar[str] = ""
    #: Names of the state dimensions, outermost first (for xarray), e.g. ``("component",)``.
    state_dims: ClassVar[tuple[str, ...]] = ("component",)
    #: Fields that must be strictly positive, checked at construction.
    positive_parameters: ClassVar[tuple[str, ...]] = ()
    #: Fields that must be integers >= their minimum, checked at construction.
    integer_parameters: ClassVar[dict[str, int]] = {}

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if field.name in self.integer_parameters:
                minimum = self.integer_parameters[field.name]
                if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                    raise ValueError(
                        f"{self.name}: parameter {field.name} must be an integer >= {minimum}, got {value!r}"
                    )
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{self.name}: parameter {field.name} must be a number, got {value!r}")
            elif not math.isfinite(value):
                raise ValueError(f"{self.name}: parameter {field.name} must be finite, got {value}")
            if field.name in self.positive_parameters and value <= 0:
                raise ValueError(f"{self.name}: parameter {field.name} must be > 0, got {value}")

    # --- to be provided by subclasses -------------------------------------------------
    @property
    def state_shape(self) -> tuple[int, ...]:
        raise NotImplementedError

    def tendency(self, state: Tensor) -> Tensor:
        raise NotImplementedError

    def initial_state_distribution(self, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
        """Mean and standard deviation of :meth:`random_initial_state`'s Gaussian draw, each
        broadcasting to ``state_shape`` (a rough guess of the attractor's range)."""
        raise NotImplementedError

    def random_initial_state(
        self,
        generator: torch.Generator,
        batch_shape: tuple[int, ...] = (),
        dtype: torch.dtype = torch.float64,
    ) -> Tensor:
        """A random state ``(*batch_shape, *state_shape)``: ``mean + std · N(0, I)`` with the
        :meth:`initial_state_distribution` of the system (spin up before use)."""
        mean, std = self.initial_state_distribution(dtype)
        noise = torch.randn((*batch_shape, *self.state_shape), generator=generator, dtype=dtype)
        return mean + std * noise

    # --- shared behaviour -------------------------------------------------------------
    def parameters(self) -> dict[str, Any]:
        """The parameters as a plain dict (used for dataset attributes and cache keys)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    def check_state(self, state: Tensor) -> None:
        """Raise ``ValueError`` if ``state`` is not a finite tensor ``(..., *state_shape)``."""
        if not isinstance(state, Tensor):
            raise ValueError(f"{self.name}: state must be a torch.Tensor, got {type(state).__name__}")
        if not state.is_floating_point():
            raise ValueError(f"{self.name}: state must have a floating dtype, got {state.dtype}")
        shape = tuple(state.shape)
        expected = self.state_shape
        if len(shape) < len(expected) or shape[len(shape) - len(expected) :] != expected:
            raise ValueError(
                f"{self.name}: state must have shape (..., {', '.join(map(str, expected))}), got {shape}"
            )
        check_finite(state, f"{self.name} state")

    def step(self, state: Tensor, dt: float, stepper: str | Stepper = "rk4") -> Tensor:
        """Advance ``state`` by one step of length ``dt`` with ``stepper``."""
        self.check_state(state)
        return get_stepper(stepper)(self.tendency, state, check_time_step(dt))

    def integrate(
        self,
        initial_state: Tensor,
        dt: float,
        n_steps: int,
        stepper: str | Stepper = "rk4",
        save_every: int = 1,
    ) -> Tensor:
        """Trajectory ``(n_steps // save_every + 1, ..., *state_shape)``; see :func:`integrate`."""
        self.check_state(initial_state)
        return integrate(self.tendency, initial_state, dt, n_steps, stepper, save_every)
