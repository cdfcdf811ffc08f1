"""Cloud-mask nowcasting table (dlgd_course.nowcasting.experiment): test IoU and F1 per lead
of persistence, phase-correlation extrapolation and the U-Net on synthetic scenes.

Run: ``.venv/bin/python benchmarks/nowcasting_unet.py [size n_days max_epochs]``
(defaults 128 20 10; ``--quick``: 32 px, 3 days, one epoch, a smoke run whose numbers mean
nothing).
"""

from __future__ import annotations

import argparse
import logging
import warnings

from dlgd_course.nowcasting import experiment

from _quick import parse_args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, nargs="?", default=128, help="pixels per side")
    parser.add_argument("n_days", type=int, nargs="?", default=20)
    parser.add_argument("max_epochs", type=int, nargs="?", default=10)
    args = parse_args(parser, {"size": 32, "n_days": 3, "max_epochs": 1})
    warnings.filterwarnings("ignore")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    size, n_days, epochs = args.size, args.n_days, args.max_epochs
    result = experiment.run(size=size, n_days=n_days, max_epochs=epochs)
    print(
        f"{size}x{size} px, {n_days} days, {result['n_train']} training windows, "
        f"{result['n_test']} test windows, U-Net trained in {result['train_seconds']:.0f} s"
    )
    leads = result["scores"]["unet"]["lead"].values
    for metric in ("iou", "f1", "accuracy"):
        print(f"{metric:14s} " + " ".join(f"{int(m):>5d}" for m in leads) + "  (lead, min)")
        for name, scores in result["scores"].items():
            print(f"  {name:12s} " + " ".join(f"{v:5.3f}" for v in scores[metric].values))


if __name__ == "__main__":
    main()
