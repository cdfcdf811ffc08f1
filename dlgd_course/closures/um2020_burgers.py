"""Solver-in-the-loop (Um et al. 2020) on the DLGD Burgers closure setting.

Setting (REFERENCES.md, "Burgers equation"): DNS on 200 points of [0, 1), ν = 0.001,
dt = 0.001, RK4 with spectral derivatives, horizon T = 2.5; coarse grid of 25 points with
coarse step 0.01 (10 DNS steps); constant Smagorinsky baseline C_s = 0.16. Families of
random initial states (4 modes) and random steady forcings (3 modes, amplitude 1);
train, validation and test families come from different seeds.

Closures compared in rollout against the filtered DNS over the full test horizon:
no closure, constant Smagorinsky, dynamic Smagorinsky, a priori CNN (regression of M*),
solver-in-the-loop CNN (a priori weights, then trained through ``n_unroll`` = 10 coarse
steps of the differentiable solver).

Expected numbers (our measurement, :func:`run_experiment` defaults, 32 test members,
CPU, ``benchmarks/closures_burgers.py``; RMSE of u over T = 2.5, std of ū ≈ 0.51):
no closure 0.602, constant Smagorinsky 0.341, dynamic Smagorinsky 0.103, a priori CNN
0.034, solver-in-the-loop 0.023, no blow-up (factors 26× and 15×). Over T = 10 (16 new
members) no blow-up either: 0.92 / 0.64 / 0.075 / 0.026 / 0.019. Coarse + CNN vs DNS,
float32, one thread: 7–8× faster for 128 members, 11–20× for 512 (machine load varies).
The reduced test (16 members, fewer epochs) asserts factors of 5 and 3.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

import pytorch_lightning as pl

from dlgd_course.closures.burgers import (
    DynamicSmagorinskyClosure,
    FluxCNN,
    SmagorinskyClosure,
)
from dlgd_course.closures.data import BurgersClosureSetup, simulate_closure_data
from dlgd_course.closures.evaluation import RolloutScore, evaluate_closures, measure_speedup
from dlgd_course.closures.training import (
    APrioriClosure,
    ClosureDataModule,
    SolverInTheLoopClosure,
)
from dlgd_course.notebook import quiet_trainer, seed_everything

SETUP = BurgersClosureSetup()
C_S = 0.16


@dataclass(frozen=True)
class TrainingConfig:
    """Sizes and optimiser settings of :func:`run_experiment` (defaults: the benchmark)."""

    n_train: int = 32
    n_val: int = 8
    n_test: int = 32
    apriori_epochs: int = 4
    apriori_lr: float = 3e-3
    n_unroll: int = 10
    unrolled_epochs: int = 3
    unrolled_lr: float = 1e-3
    unrolled_stride: int = 5
    batch_size: int = 64
    hidden: int = 8
    seed: int = 0

    def __post_init__(self) -> None:
        """Check that sizes, epochs and steps are positive ints, the seed a non-negative int and
        the learning rates positive numbers."""
        for name, value in vars(self).items():
            if name.endswith("_lr"):
                if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                    raise ValueError(f"{name} must be a positive number, got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, int) or value < (name != "seed"):
                bound = "a non-negative" if name == "seed" else "a positive"
                raise ValueError(f"{name} must be {bound} int, got {value!r}")


def _trainer(max_epochs: int) -> pl.Trainer:
    return quiet_trainer(max_epochs=max_epochs)


def run_experiment(
    config: TrainingConfig = TrainingConfig(),
    setup: BurgersClosureSetup = SETUP,
    speedup_members: int = 128,
) -> dict[str, Any]:
    """Generate data, train both closures, roll everything out; return scores and timings.

    Returns ``{"scores": {name: RolloutScore}, "train_seconds": {...}, "speed": {...},
    "closures": {...}}``.
    """
    seed_everything(config.seed)
    start = time.perf_counter()
    train = simulate_closure_data(setup, config.n_train, seed=config.seed + 1)
    val = simulate_closure_data(setup, config.n_val, seed=config.seed + 2)
    test = simulate_closure_data(setup, config.n_test, seed=config.seed + 3)
    data_seconds = time.perf_counter() - start

    u_scale = float(train["u_bar"].std())
    network = FluxCNN(setup.coarse, hidden=config.hidden, input_scale=u_scale, output_scale=0.1)
    start = time.perf_counter()
    _trainer(config.apriori_epochs).fit(
        APrioriClosure(network, config.apriori_lr),
        ClosureDataModule(train, val, n_unroll=1, batch_size=config.batch_size, seed=config.seed),
    )
    apriori_seconds = time.perf_counter() - start
    apriori = copy.deepcopy(network).eval()

    unrolled = copy.deepcopy(network)
    start = time.perf_counter()
    _trainer(config.unrolled_epochs).fit(
        SolverInTheLoopClosure(unrolled, setup.coarse, setup.coarse_dt, config.unrolled_lr),
        ClosureDataModule(
            train,
            val,
            n_unroll=config.n_unroll,
            batch_size=config.batch_size,
            stride=config.unrolled_stride,
            seed=config.seed,
        ),
    )
    unrolled_seconds = time.perf_counter() - start
    unrolled.eval()

    closures = {
        "no closure": None,
        f"Smagorinsky C_s={C_S}": SmagorinskyClosure(setup.coarse, C_s=C_S),
        "dynamic Smagorinsky": DynamicSmagorinskyClosure(setup.coarse),
        "a priori CNN": apriori,
        "solver-in-the-loop CNN": unrolled,
    }
    scores: dict[str, RolloutScore] = evaluate_closures(setup, test, closures)
    speed = measure_speedup(setup, unrolled, n_members=speedup_members) if speedup_members else {}
    return {
        "scores": scores,
        "train_seconds": {
            "data": data_seconds,
            "a priori": apriori_seconds,
            "solver-in-the-loop": unrolled_seconds,
        },
        "speed": speed,
        "closures": closures,
        "test": test,
    }
