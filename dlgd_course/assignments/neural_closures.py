"""Exercise 04 — neural closures for a coarse Burgers model: the library code each part must
not use, and the reference results that later cells fall back on.

Parts: ``subgrid_term`` (the exact subgrid term M*), ``apriori`` (the a priori
``training_step``), ``unrolled`` (the solver-in-the-loop loss) and ``rollout`` (the rollout
RMSE with blow-ups counted). The instructions tell the student to use ``coarse_grain``,
``coarse_rollout``, ``blown_up`` and the systems' ``tendency``: those are not locked.

Later cells need the trained a priori network (the start of solver-in-the-loop training and a
row of the comparison), the solver-in-the-loop network and the rollout scores of the
comparison: the fallbacks below compute them with the library when the student's part does not
work, with the signatures of the notebook's locked training functions and of ``rollout_rmse``.
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor, nn

from dlgd_course.closures.burgers import Closure, blown_up, coarse_rollout, subgrid_term
from dlgd_course.closures.data import BurgersClosureSetup
from dlgd_course.closures.evaluation import evaluate_closures
from dlgd_course.closures.training import (
    APrioriClosure,
    ClosureDataModule,
    SolverInTheLoopClosure,
)
from dlgd_course.notebook import quiet_trainer
from dlgd_course.own_work import Part, guard_answer

#: The notebook's setting (200 -> 25 points, nu = 0.001, coarse dt = 0.01).
SETUP = BurgersClosureSetup()


def _fresh_copy(network: nn.Module) -> nn.Module:
    """A copy of ``network`` with freshly initialised parameters (seed 0): the reference does
    not start from weights that the student's failed training may have left."""
    network = copy.deepcopy(network).train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for module in network.modules():
            if module is not network and hasattr(module, "reset_parameters"):
                module.reset_parameters()
    return network


def fit_apriori(network: nn.Module, data: ClosureDataModule) -> nn.Module:
    """Reference of part ``apriori``: a copy of ``network``, re-initialised and trained a
    priori (regression of M*) with the library's loss, 3 epochs of Adam at 3e-3, as the
    notebook's locked cell trains the student's module. ``network`` is left untouched."""
    guard_answer()
    trained = _fresh_copy(network)
    quiet_trainer(max_epochs=3).fit(APrioriClosure(trained, lr=3e-3), data)
    return trained.eval()


def fit_solver_in_the_loop(network: nn.Module, data: ClosureDataModule) -> nn.Module:
    """Reference of part ``unrolled``: a copy of ``network``, re-initialised, trained a priori
    (3 epochs at 3e-3 on the same members) and then through the coarse solver with the
    library's unrolled loss (2 epochs at 1e-3 on ``data``'s windows), as in the notebook.
    ``network`` is left untouched."""
    guard_answer()
    trained = _fresh_copy(network)
    train, val = data.sets["train"], data.sets["val"]
    quiet_trainer(max_epochs=3).fit(
        APrioriClosure(trained, lr=3e-3),
        ClosureDataModule(train, val, n_unroll=1, batch_size=data.batch_size),
    )
    quiet_trainer(max_epochs=2).fit(
        SolverInTheLoopClosure(trained, SETUP.coarse, SETUP.coarse_dt, lr=1e-3), data
    )
    return trained.eval()


def rollout_rmse(closure: Closure | None, reference: Tensor, forcing: Tensor) -> tuple[float, int]:
    """Reference of part ``rollout``: roll the coarse model with ``closure`` out from
    ``reference[0]`` over the horizon of ``reference (time, member, x)``; return the RMSE over
    the members that did not blow up (``inf`` if all did) and the number of blow-ups."""
    guard_answer()
    with torch.no_grad():
        trajectory = coarse_rollout(
            SETUP.coarse, reference[0], SETUP.coarse_dt, reference.shape[0] - 1, closure, forcing
        )
    bad = blown_up(trajectory, reference)
    if bool(bad.all()):
        return float("inf"), int(bad.sum())
    return float(((trajectory - reference)[:, ~bad] ** 2).mean().sqrt()), int(bad.sum())


PARTS = {
    # the library computes M* (simulate_closure_data stores it by calling subgrid_term)
    "subgrid_term": Part(answers=(subgrid_term,)),
    # the a priori loss: the course's Lightning module (also the 2-D Kolmogorov flow's), whose
    # loss is the same mean squared error for any closure
    "apriori": Part(
        answers=(APrioriClosure.loss, fit_apriori),
        fallback=fit_apriori,
        trains=True,
    ),
    "unrolled": Part(
        answers=(SolverInTheLoopClosure.loss, fit_solver_in_the_loop),
        fallback=fit_solver_in_the_loop,
        trains=True,
    ),
    # evaluate_closures scores rollouts (RMSE without the blown-up members, blow-ups counted)
    "rollout": Part(answers=(evaluate_closures, rollout_rmse), fallback=rollout_rmse),
}
