"""4DVarNet-style learned interpolation of Lorenz-63 (only x₁ observed) against baselines.

Problem and models: ``dlgd_course.assimilation.learned`` (Fablet et al. 2021 setting:
windows of 200 steps, x₁ observed every 8 steps with noise variance 2, first/last 10 steps
unobserved). Trains the 4DVarNet-style model and a direct CNN with Lightning on
``--n-train`` windows for ``--epochs`` epochs, then scores them, the linear-interpolation
first guess and weak-constraint 4D-Var (true model) on the same ``--n-test`` test windows:
MSE in state units and MSE / test variance. Published (REFERENCES.md): first guess
55.0 / 0.76, 4DVarNet 1.65 / 0.023 (early checkpoint) to 0.95 / 0.013 (best), trained on
~10 000 windows on a GPU.

    .venv/bin/python benchmarks/da_lorenz63_4dvarnet.py [--n-train 1024 --epochs 30]
    .venv/bin/python benchmarks/da_lorenz63_4dvarnet.py --quick   # smoke run, seconds; numbers mean nothing

Measured on the 2-core CPU machine (shared, one torch thread; defaults): MSE / nMSE on 256
test windows — linear interpolation 52.8 / 0.73, direct CNN 4.54 / 0.062 (55 s training),
4DVarNet-style 4.28 / 0.059 (468 s training); on the first 64 windows weak 4D-Var with the
true model 13.7 / 0.19.
"""

from __future__ import annotations

import argparse
import time

import pytorch_lightning as pl
import torch

from dlgd_course.assimilation.learned import (
    DirectCNN,
    FourDVarNet,
    InterpolationProblem,
    Lorenz63WindowsDataModule,
    linear_interpolation,
    reconstruct_windows,
    scores,
    weak_4dvar_interpolation,
)
from dlgd_course.notebook import quiet_trainer

from _quick import parse_args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=1024)
    parser.add_argument("--n-test", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--iterations", type=int, default=5, help="solver iterations")
    parser.add_argument("--n-4dvar", type=int, default=64, help="test windows for 4D-Var")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (small convolutions: 1 is fastest)"
    )
    parser.add_argument("--n-val", type=int, default=64)
    args = parse_args(
        parser, {"n_train": 16, "n_val": 8, "n_test": 8, "epochs": 1, "iterations": 1, "n_4dvar": 2}
    )
    torch.set_num_threads(args.threads)
    pl.seed_everything(args.seed, workers=True, verbose=False)
    problem = InterpolationProblem()
    dm = Lorenz63WindowsDataModule(
        problem, n_train=args.n_train, n_val=args.n_val, n_test=args.n_test, seed=args.seed
    )
    dm.setup()
    test = dm.data["test"]
    truth, observation, mask = test["state"], test["observation"], test["mask"]
    rows = {}
    rows["linear interpolation"] = (linear_interpolation(problem, observation, dm.mean), None)

    model = FourDVarNet(problem, dm.mean, dm.std, n_iterations=args.iterations, max_epochs=args.epochs)
    start = time.perf_counter()
    quiet_trainer(args.epochs, inference_mode=False).fit(model, datamodule=dm)
    rows["4DVarNet-style"] = (reconstruct_windows(model, observation, mask), time.perf_counter() - start)

    cnn = DirectCNN(problem, dm.mean, dm.std)
    start = time.perf_counter()
    quiet_trainer(args.epochs, inference_mode=False).fit(cnn, train_dataloaders=dm.train_dataloader())
    rows["direct CNN"] = (reconstruct_windows(cnn, observation, mask), time.perf_counter() - start)

    print(
        f"train windows {args.n_train}, test windows {args.n_test}, epochs {args.epochs}, "
        f"solver iterations {args.iterations}, device {model.device}, "
        f"threads {torch.get_num_threads()}"
    )
    print(f"{'method':<34} {'MSE':>8} {'nMSE':>8} {'train time [s]':>14}")
    for name, (estimate, seconds) in rows.items():
        s = scores(estimate, truth, dm.test_variance)
        time_text = f"{seconds:14.1f}" if seconds is not None else f"{'-':>14}"
        print(f"{name:<34} {s['mse']:8.3f} {s['nmse']:8.4f} {time_text}")
    k = args.n_4dvar
    start = time.perf_counter()
    var = weak_4dvar_interpolation(problem, observation[:k], mask[:k], dm.mean)
    seconds = time.perf_counter() - start
    subset = {name: scores(est[:k], truth[:k], dm.test_variance) for name, (est, _) in rows.items()}
    subset["weak 4D-Var (true model)"] = scores(var, truth[:k], dm.test_variance)
    print(f"-- first {k} test windows (4D-Var solved in {seconds:.1f} s) --")
    for name, s in subset.items():
        print(f"{name:<34} {s['mse']:8.3f} {s['nmse']:8.4f}")


if __name__ == "__main__":
    main()
