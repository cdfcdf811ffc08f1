"""Space-time interpolation of gappy satellite fields of suspended sediment (theme 1).

sediment               synthetic coastal sediment fields (river plumes, tide, wind)
clouds                 correlated, persistent cloud masks; noisy gappy observations
io                     loaders for real gappy products (netCDF, arrays) → same layout
optimal_interpolation  OI, separable space-time Gaussian covariance (matrix-free CG); record or windows
dineof                 DINEOF (iterative EOF gap filling, cross-validated rank)
models                 masked-input U-Net (may correct its window's OI), 4DVarNet-style interpolator
lightning              training pairs (OSSE / observations only), DataModule, LightningModule
metrics                hidden-pixel RMSE, nRMSE, explained variance, R² (log10 and mg/L)
observation_only       persistence gap filling, withheld patches of observations as targets
"""

from dlgd_course.interpolation.clouds import cloud_masks, hide_observed_pixels, observe_sediment
from dlgd_course.interpolation.dineof import DineofResult, dineof
from dlgd_course.interpolation.io import from_arrays, load_gappy_netcdf
from dlgd_course.interpolation.lightning import (
    GappyWindows,
    InterpolationDataModule,
    InterpolationModule,
    reconstruct,
    train_interpolator,
)
from dlgd_course.interpolation.metrics import hidden_pixel_scores, score_arrays
from dlgd_course.interpolation.models import LearnedVariationalInterpolator, MaskedUNet, WindowOIFirstGuess
from dlgd_course.interpolation.optimal_interpolation import (
    GaussianCovariance,
    cross_validate_scales,
    fit_gaussian_covariance,
    optimal_interpolation,
    windowed_optimal_interpolation,
)
from dlgd_course.interpolation.sediment import SEDIMENT_ATTRS, SedimentConfig, simulate_sediment

__all__ = [
    "DineofResult",
    "GappyWindows",
    "GaussianCovariance",
    "InterpolationDataModule",
    "InterpolationModule",
    "LearnedVariationalInterpolator",
    "MaskedUNet",
    "SEDIMENT_ATTRS",
    "SedimentConfig",
    "WindowOIFirstGuess",
    "cloud_masks",
    "cross_validate_scales",
    "dineof",
    "fit_gaussian_covariance",
    "from_arrays",
    "hidden_pixel_scores",
    "hide_observed_pixels",
    "load_gappy_netcdf",
    "observe_sediment",
    "optimal_interpolation",
    "reconstruct",
    "score_arrays",
    "simulate_sediment",
    "train_interpolator",
    "windowed_optimal_interpolation",
]
