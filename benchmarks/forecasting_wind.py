"""Station wind table (dlgd_course.forecasting.experiments.coastal_wind): test RMSE (m/s)
per lead of persistence, raw NWP and the NWP corrected by a network.

Run: ``.venv/bin/python benchmarks/forecasting_wind.py``.
"""

from __future__ import annotations

import logging
import warnings

from dlgd_course.forecasting.experiments import coastal_wind


def main() -> None:
    warnings.filterwarnings("ignore")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    results = coastal_wind.run(seed=0)
    header = " ".join(f"{m:>6d}" for m in coastal_wind.LEAD_MINUTES)
    print(f"{'lead (min)':12s} {header}  train s")
    for name, result in results.items():
        values = " ".join(f"{float(v):6.3f}" for v in result["rmse"])
        print(f"{name:12s} {values}  {result['seconds']:.1f} (cpu {result['cpu_seconds']:.1f})")


if __name__ == "__main__":
    main()
