"""Hidden-pixel scores of OI, DINEOF, masked U-Net and 4DVarNet-style interpolator (theme 1).

OSSE on the synthetic coastal sediment fields: ``--days`` daily 64×64 fields (seed 0),
split into train / validation / test periods; the learned models are trained on OSSE
pairs (truth as target). Every method sees the same cloud-masked, noisy observations of
the test period; scores are computed on the cloud-covered (hidden) pixels of the test
period only, against the truth. OI's covariance is fitted on the training observations;
DINEOF runs on training + test observations (it is unsupervised) and is scored on the test
period.

    .venv/bin/python benchmarks/interpolation_table.py            # 730 days, 64x64
    .venv/bin/python benchmarks/interpolation_table.py --days 240 --size 32 --epochs 4

Measured (``--days 400 --size 32 --test-days 60 --val-days 20``, U-Net 20 epochs, 4DVarNet
30 epochs, one CPU thread on a loaded 2-core machine; 35 384 hidden test pixels):

    method     RMSE log10  R2 log10  RMSE mg/L   time
    OI         0.127       0.894     3.68        3 s
    DINEOF     0.222       0.675     7.35        59 s (4 modes)
    U-Net      0.120       0.905     3.76        79 s training
    4DVarNet   0.123       0.900     3.80        242 s training (0.127 after 20 epochs)

The 730-day 64x64 default has not been run to completion on CPU.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dlgd_course.interpolation import (
    InterpolationDataModule,
    LearnedVariationalInterpolator,
    MaskedUNet,
    SedimentConfig,
    dineof,
    fit_gaussian_covariance,
    hidden_pixel_scores,
    observe_sediment,
    optimal_interpolation,
    reconstruct,
    simulate_sediment,
    train,
)
from dlgd_course.notebook import seed_everything


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20, help="U-Net epochs")
    parser.add_argument("--epochs-4dvarnet", type=int, default=30)
    parser.add_argument("--methods", default="oi,dineof,unet,4dvarnet")
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--test-days", type=int, default=90)
    parser.add_argument("--val-days", type=int, default=30)
    args = parser.parse_args()
    seed_everything(0)

    start = time.perf_counter()
    config = SedimentConfig(n_lat=args.size, n_lon=args.size)
    data = observe_sediment(simulate_sediment(args.days, seed=0, config=config), seed=0)
    n_train = args.days - args.test_days - args.val_days
    datamodule = InterpolationDataModule(data, (n_train, args.val_days), n_days=args.window,
                                         pairs="osse", batch_size=16)
    norm = datamodule.normalizer
    test = data.isel(time=datamodule.ranges["test"])
    truth, obs, mask = test["truth"].values, test["observation"].values, test["mask"].values
    hidden = ~mask
    print(f"data: {args.days} days of {args.size}x{args.size}, train {n_train} / val "
          f"{args.val_days} / test {args.test_days} days; missing fraction "
          f"{1 - data['mask'].values.mean():.2f} (test {hidden.mean():.2f}); "
          f"generated in {time.perf_counter() - start:.1f} s")

    results: dict[str, tuple[dict[str, float], str]] = {}
    log_mean = norm.mean.astype(np.float64)

    methods = args.methods.split(",")
    start = time.perf_counter()
    train_anomaly = np.log10(data["observation"].values[datamodule.ranges["train"]]) - log_mean
    if "oi" in methods:
        covariance = fit_gaussian_covariance(train_anomaly)
        oi_log = optimal_interpolation(np.log10(obs), covariance, background=log_mean).numpy()
        results["OI"] = (hidden_pixel_scores(10.0**oi_log, truth, hidden),
                         f"{time.perf_counter() - start:.1f} s; {covariance}")

    if "dineof" in methods:
        start = time.perf_counter()
        keep = np.r_[0:n_train, n_train + args.val_days:args.days]
        anomaly = np.log10(data["observation"].values[keep]) - log_mean
        result = dineof(anomaly, max_modes=20)
        din_log = result.reconstruction.numpy()[n_train:] + log_mean
        results["DINEOF"] = (hidden_pixel_scores(10.0**din_log, truth, hidden),
                             f"{time.perf_counter() - start:.1f} s; {result.n_modes} modes")

    z_obs = norm.forward(obs)
    for key, name, model, epochs in (
        ("unet", "U-Net", MaskedUNet(n_days=args.window, channels=24), args.epochs),
        ("4dvarnet", "4DVarNet", LearnedVariationalInterpolator(n_days=args.window),
         args.epochs_4dvarnet),
    ):
        if key not in methods:
            continue
        seed_everything(0)
        model, seconds = train(model, datamodule, max_epochs=epochs)
        z = reconstruct(model, z_obs, mask, n_days=args.window)
        n_params = sum(p.numel() for p in model.parameters())
        results[name] = (hidden_pixel_scores(norm.inverse(z), truth, hidden),
                         f"trained {epochs} epochs in {seconds:.0f} s, {n_params} parameters")

    print("\n| method | RMSE log10 | nRMSE log10 | EV log10 | R2 log10 | RMSE mg/L | nRMSE | R2 | notes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (s, note) in results.items():
        print(f"| {name} | {s['rmse_log']:.4f} | {s['nrmse_log']:.3f} | "
              f"{s['explained_variance_log']:.3f} | {s['r2_log']:.3f} | {s['rmse']:.3f} | "
              f"{s['nrmse']:.3f} | {s['r2']:.3f} | {note} |")
    print(f"\nhidden pixels scored: {int(hidden.sum())}")


if __name__ == "__main__":
    main()
