"""The 4DVarNet-style learned interpolation of Lorenz-63 (only x₁ observed every 8 steps,
noise variance 2, windows of 200 steps, 10 unobserved steps at each end).

Reference figures (Fablet et al. 2021 via REFERENCES.md): the linear-interpolation first
guess has MSE ≈ 55 (nMSE 0.76); 4DVarNet reaches 1.65 / 0.023 after ~10 000 windows of GPU
training. CI trains a small model briefly (see ``benchmarks/da_lorenz63_4dvarnet.py`` for the
larger run) and checks that it beats the first guess by a clear margin.
"""

from __future__ import annotations

import pytest
import pytorch_lightning as pl
import torch

from dlgd_course.assimilation.learned import (
    FourDVarNet,
    InterpolationProblem,
    Lorenz63WindowsDataModule,
    linear_interpolation,
    make_windows,
    reconstruct_windows,
    scores,
    weak_4dvar_interpolation,
)
from dlgd_course.device import single_thread
from dlgd_course.notebook import quiet_trainer


def test_observation_design_matches_the_paper() -> None:
    problem = InterpolationProblem()
    times = problem.observation_times()
    assert times[0] == 10 and times[-1] < 190 and (torch.diff(times) == 8).all()
    mask = problem.mask()
    assert mask[:10].sum() == 0 and mask[190:].sum() == 0 and mask[:, 1:].sum() == 0


def test_linear_interpolation_is_exact_for_linear_signals() -> None:
    problem = InterpolationProblem()
    t = torch.arange(200, dtype=torch.float64)
    observation = torch.zeros(2, 200, 3, dtype=torch.float64)
    observation[..., 0] = 3.0 * t - 5.0
    fill = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    guess = linear_interpolation(problem, observation, fill)
    inside = slice(int(problem.observation_times()[0]), int(problem.observation_times()[-1]) + 1)
    torch.testing.assert_close(guess[:, inside, 0], observation[:, inside, 0])
    assert (guess[..., 1] == 1.0).all() and (guess[..., 2] == 2.0).all()


def test_first_guess_error_matches_the_measured_reference() -> None:
    """Linear interpolation, unobserved components at the training mean: MSE ≈ 55, nMSE ≈ 0.76."""
    problem = InterpolationProblem()
    train, test = make_windows(problem, 256, seed=0), make_windows(problem, 256, seed=1)
    guess = linear_interpolation(problem, test["observation"], train["state"].mean((0, 1)))
    s = scores(guess, test["state"], float(test["state"].var((0, 1)).mean()))
    assert 0.68 < s["nmse"] < 0.84, f"first-guess nMSE {s['nmse']:.3f}, reference 0.76"


@pytest.mark.slow
def test_short_training_beats_linear_interpolation() -> None:
    pl.seed_everything(0, workers=True, verbose=False)
    problem = InterpolationProblem()
    dm = Lorenz63WindowsDataModule(problem, n_train=128, n_val=16, n_test=64, batch_size=16)
    dm.setup()
    model = FourDVarNet(problem, dm.mean, dm.std, n_iterations=4, channels=16, max_epochs=5)
    with single_thread():  # small convolutions: extra threads only slow a shared CPU down
        # 40 optimiser steps; measured MSE ≈ 14 against ≈ 53 for the first guess
        quiet_trainer(5, inference_mode=False).fit(model, datamodule=dm)
        test = dm.data["test"]
        estimate = reconstruct_windows(model, test["observation"], test["mask"])
    learned = scores(estimate, test["state"], dm.test_variance)
    first_guess = scores(
        linear_interpolation(problem, test["observation"], dm.mean), test["state"], dm.test_variance
    )
    assert learned["mse"] < 0.5 * first_guess["mse"], (
        f"4DVarNet-style MSE {learned['mse']:.2f} vs first guess {first_guess['mse']:.2f}"
    )


def test_weak_4dvar_interpolation_beats_the_first_guess() -> None:
    problem = InterpolationProblem()
    train, test = make_windows(problem, 32, seed=0), make_windows(problem, 4, seed=1)
    fill = train["state"].mean((0, 1))
    estimate = weak_4dvar_interpolation(problem, test["observation"], test["mask"], fill, n_iterations=200)
    guess = linear_interpolation(problem, test["observation"], fill)
    error, baseline = (estimate - test["state"]).square().mean(), (guess - test["state"]).square().mean()
    assert error < 0.5 * baseline, f"weak 4D-Var MSE {error:.2f}, first guess {baseline:.2f}"
