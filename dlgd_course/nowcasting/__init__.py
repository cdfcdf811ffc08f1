"""Cloud-cover nowcasting as segmentation (theme 5): from the last 6 satellite frames
(15 min apart) predict the cloud mask ``CT > 5`` of the next 4.

Modules::

    synthetic   geostationary-like sequences: advected, growing/decaying cloud layers,
                convective cells, 16-class cloud type, IR / visible / water-vapour channels
    meteonet    loaders of real MeteoNet files: cloud type (lazy netCDF), rain radar (npz)
    baselines   persistence, phase-correlation motion + semi-Lagrangian extrapolation,
                pysteps' optical-flow extrapolation of class maps
    models      U-Net over stacked past frames and channels
    lightning   windows, streaming DataModule, BCE + Dice LightningModule, prediction
    metrics     accuracy, IoU (= CSI), F1 per lead time, plot
    multiclass  four cloud classes, samples split in time, per-class IoU, class-map
                extrapolation, ConvLSTM nowcaster correcting it (exercise 25)
"""

from dlgd_course.nowcasting.baselines import (
    PYSTEPS_MISSING,
    extrapolation_forecast,
    motion_field,
    persistence_forecast,
    phase_correlation,
    pysteps_class_extrapolation,
    pysteps_installed,
    semi_lagrangian,
)
from dlgd_course.nowcasting.lightning import (
    NORMALISATION,
    CloudWindows,
    NowcastDataModule,
    NowcastModule,
    baseline_inputs,
    dice_loss,
    predict_masks,
)
from dlgd_course.nowcasting.meteonet import open_meteonet_cloud_type, open_meteonet_rainfall
from dlgd_course.nowcasting.metrics import mask_scores, plot_scores
from dlgd_course.nowcasting.models import NowcastUNet
from dlgd_course.nowcasting.synthetic import (
    CLOUD_TYPES,
    STEP_MINUTES,
    CloudSceneConfig,
    cloud_mask,
    simulate_clouds,
    split_in_time,
)

__all__ = [
    "CLOUD_TYPES",
    "NORMALISATION",
    "STEP_MINUTES",
    "CloudSceneConfig",
    "CloudWindows",
    "NowcastDataModule",
    "NowcastModule",
    "NowcastUNet",
    "baseline_inputs",
    "cloud_mask",
    "dice_loss",
    "extrapolation_forecast",
    "mask_scores",
    "motion_field",
    "open_meteonet_cloud_type",
    "open_meteonet_rainfall",
    "persistence_forecast",
    "phase_correlation",
    "plot_scores",
    "predict_masks",
    "PYSTEPS_MISSING",
    "pysteps_class_extrapolation",
    "pysteps_installed",
    "semi_lagrangian",
    "simulate_clouds",
    "split_in_time",
]
