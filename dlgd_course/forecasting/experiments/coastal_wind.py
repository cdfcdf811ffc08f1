"""Station wind from t + 30 min to t + 6 h on the synthetic MeteoNet-like coast
(:func:`dlgd_course.forecasting.wind.synthetic_coastal_wind`): persistence, raw NWP,
and the NWP corrected by a network fed with the last hour of observations
(:mod:`dlgd_course.forecasting.hybrid`). Course set-up, no published numbers.

Setting: ``N_DAYS`` days, 3 stations, seed 0; runs every 6 h available after 3 h;
samples issued every ``STRIDE`` × 6 min; train / val / test = 60 / 20 / 20 % of the
time axis with gaps of one window (1 h of history + 6 h of lead); MLP corrector
(2 × 128 GELU), Adam 2e-3 with cosine decay, ``EPOCHS`` epochs.

Issue-6 target: the hybrid beats both persistence and raw NWP at every lead from
30 min to 6 h. Measured test RMSE of the wind speed (m s⁻¹) with :func:`run` (seed 0,
defaults, ``benchmarks/forecasting_wind.py``; training 1.5 s of CPU):

    lead          30 min  1 h    2 h    3 h    4 h    5 h    6 h
    persistence   1.207   1.451  1.721  1.891  1.975  2.074  2.177
    raw NWP       1.892   1.888  1.895  1.898  1.904  1.901  1.892
    hybrid        1.087   1.229  1.363  1.409  1.434  1.443  1.442
"""

from __future__ import annotations

import time

from dlgd_course.forecasting.hybrid import (
    WIND_LEADS,
    HybridModule,
    NWPCorrector,
    WindHybridDataModule,
    hybrid_forecast,
)
from dlgd_course.forecasting.metrics import rmse_per_lead
from dlgd_course.forecasting.wind import STEP_MINUTES, synthetic_coastal_wind
from dlgd_course.notebook import quiet_trainer, seed_everything

N_DAYS = 90
STRIDE = 2
N_PAST = 10
EPOCHS = 8
LEAD_MINUTES = tuple(lead * STEP_MINUTES for lead in WIND_LEADS)


def run(seed: int = 0, n_days: int = N_DAYS, stride: int = STRIDE, epochs: int = EPOCHS) -> dict[str, dict]:
    """Test RMSE per lead of persistence, raw NWP and the hybrid.

    Returns ``{name: {"rmse": tensor (len(WIND_LEADS),), "seconds", "cpu_seconds"}}`` (training
    wall-clock and process CPU time, 0 for the baselines).
    """
    ds = synthetic_coastal_wind(n_days=n_days, seed=seed)
    data = WindHybridDataModule(ds, n_past=N_PAST, leads=WIND_LEADS, stride=stride, seed=seed)
    seed_everything(seed)
    model = NWPCorrector(data.samples["train"]["features"].shape[1], len(WIND_LEADS))
    start, cpu_start = time.perf_counter(), time.process_time()
    quiet_trainer(epochs, limit_val_batches=0).fit(HybridModule(model, max_epochs=epochs), data)
    timing = {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu_start}
    none = {"seconds": 0.0, "cpu_seconds": 0.0}
    test = data.samples["test"]
    target = test["target"][..., None]
    return {
        "persistence": {"rmse": rmse_per_lead(test["persistence"][..., None], target), **none},
        "NWP": {"rmse": rmse_per_lead(test["nwp"][..., None], target), **none},
        "hybrid": {
            "rmse": rmse_per_lead(hybrid_forecast(model.cpu(), data, "test")[..., None], target),
            **timing,
        },
    }
