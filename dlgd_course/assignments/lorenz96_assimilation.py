"""Exercise 23 — Lorenz-96 data assimilation with localisation and partial observations: the
library code each part must not use, and the references that later cells fall back on.

Later cells need the twin data of Part 2, the scores of Part 3, the OI baseline of Part 4 and
the localisation matrix of Part 5; they get them with
:func:`~dlgd_course.own_work.own_or_reference`, whose fallbacks are the references of
:mod:`dlgd_course.assimilation.lorenz96_localisation` with the notebook's signatures. These
parts are ``exact``: a wrong result is replaced like a missing one, so a mistake in one part
never spoils another's data. Routes that end in a listed function are locked with it:
``OptimalInterpolation`` and ``Var3D`` (``kalman_gain``), the ``LETKF`` (``gaspari_cohn``,
``periodic_distance``), ``EnsembleFilter.analyse`` (the filters' ``update``).
"""

from dlgd_course.assignments.data_assimilation import PARTS as DATA_ASSIMILATION_PARTS
from dlgd_course.assimilation import variational
from dlgd_course.assimilation.ensemble import gaspari_cohn, periodic_distance
from dlgd_course.assimilation.lorenz96_localisation import (
    climatological_oi,
    error_growth,
    gaspari_cohn_localisation,
    growth_rate,
    localised_enkf_analysis,
    lorenz96_twin_experiment,
    time_mean_rmse,
    time_mean_spread,
)
from dlgd_course.assimilation.static import kalman_gain
from dlgd_course.interpolation.optimal_interpolation import optimal_interpolation
from dlgd_course.lectures.inverse_problems import blue_analysis, stochastic_enkf_analysis
from dlgd_course.own_work import Part

PARTS = {
    # the distance of two trajectories and the fitted slope of its logarithm
    "error_growth": Part(answers=(error_growth, growth_rate)),
    # the truth after the spin-up and its observations
    "twin_experiment": Part(
        answers=(lorenz96_twin_experiment,), fallback=lorenz96_twin_experiment, exact=True
    ),
    # the two scores by subset of sites after the burn-in
    "time_mean_scores": Part(
        answers=(time_mean_rmse, time_mean_spread),
        fallback={"time_mean_rmse": time_mean_rmse, "time_mean_spread": time_mean_spread},
        exact=True,
    ),
    # the climatological OI, the gain formula and every library analysis with it (OI of the
    # lecture and of gridded records), and 3D-Var by minimisation, the same state for a linear H
    "oi_baseline": Part(
        answers=(
            climatological_oi,
            kalman_gain,
            blue_analysis,
            optimal_interpolation,
            variational.var3d_cost,
            variational.minimise,
        ),
        fallback=climatological_oi,
        exact=True,
    ),
    # the matrix, the library's taper and ring distance (the LETKF's localisation uses them)
    "gaspari_cohn": Part(
        answers=(gaspari_cohn_localisation, gaspari_cohn, periodic_distance),
        fallback=gaspari_cohn_localisation,
        exact=True,
    ),
    # the localised analysis, exercise 03's EnKF analysis answers (every filter's update and
    # the gain formula) and the lecture's stochastic analysis
    "localised_enkf": Part(
        answers=(
            localised_enkf_analysis,
            *DATA_ASSIMILATION_PARTS["enkf_analysis"].answers,
            stochastic_enkf_analysis,
        ),
    ),
}
