"""Short-term forecasting (theme 2): leak-free windowed data sets, baselines and networks
for chaotic systems (Lorenz-63), synthetic coastal wind stations with an NWP product,
MeteoNet loaders, a hybrid NWP-correction network, and scores per lead time.

Modules::

    windows      sliding windows and train/val/test splits disjoint in time
    models       persistence, climatology, polynomial step maps, linear autoregression,
                 MLP, LSTM/GRU, bilinear residual network, neural ODE
    lightning    DataModule, LightningModule (a CourseModule), batched forecasts
    metrics      RMSE and MSE skill per lead, plot
    wind         synthetic coastal wind stations + NWP forecasts (MeteoNet layout)
    meteonet     loaders of real MeteoNet station CSV and NWP netCDF files
    hybrid       persistence / raw NWP / NWP corrected by a network for station wind
    experiments  published or reference set-ups with their expected numbers
    lorenz96_forecast  residual periodic-CNN one-step model of Lorenz-96 and its rollout
    report_cases  the three cases of the session-5 report (Lorenz-63, Lorenz-96, coastal wind)
"""

from dlgd_course.forecasting.hybrid import (
    WIND_LEADS,
    HybridModule,
    NWPCorrector,
    WindHybridDataModule,
    hybrid_forecast,
    latest_run_forecast,
)
from dlgd_course.forecasting.lightning import (
    ForecastDataModule,
    ForecastModule,
    forecast_in_batches,
)
from dlgd_course.forecasting.meteonet import (
    load_meteonet_masks,
    load_meteonet_nwp,
    load_meteonet_stations,
    meteonet_dataset,
)
from dlgd_course.forecasting.metrics import plot_skill, rmse_per_lead, skill_score
from dlgd_course.forecasting.models import (
    BilinearTendency,
    Climatology,
    Forecaster,
    LinearAutoregression,
    MLPForecaster,
    MLPTendency,
    Normaliser,
    ODEStepModel,
    OneStepModel,
    Persistence,
    PolynomialStepMap,
    RecurrentForecaster,
    bilinear_residual_network,
    neural_ode,
)
from dlgd_course.forecasting.wind import CoastalStation, synthetic_coastal_wind
from dlgd_course.forecasting.windows import (
    ForecastWindows,
    make_windows,
    split_windows,
    window_length,
)

__all__ = [
    "WIND_LEADS",
    "BilinearTendency",
    "Climatology",
    "CoastalStation",
    "ForecastDataModule",
    "ForecastModule",
    "ForecastWindows",
    "Forecaster",
    "HybridModule",
    "LinearAutoregression",
    "MLPForecaster",
    "MLPTendency",
    "NWPCorrector",
    "Normaliser",
    "ODEStepModel",
    "OneStepModel",
    "Persistence",
    "PolynomialStepMap",
    "RecurrentForecaster",
    "WindHybridDataModule",
    "bilinear_residual_network",
    "forecast_in_batches",
    "hybrid_forecast",
    "latest_run_forecast",
    "load_meteonet_masks",
    "load_meteonet_nwp",
    "load_meteonet_stations",
    "make_windows",
    "meteonet_dataset",
    "neural_ode",
    "plot_skill",
    "rmse_per_lead",
    "skill_score",
    "split_windows",
    "synthetic_coastal_wind",
    "window_length",
]
