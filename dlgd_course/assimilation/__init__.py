"""Data assimilation: twin experiments, variational and ensemble methods, a learned solver.

twin         observation operators, truth and observations, run states, cycling → scores Dataset
static       climatology, optimal interpolation, 3D-Var
variational  3D-Var / strong- and weak-constraint 4D-Var costs, autograd minimisation
ensemble     EnKF (perturbed obs), ETKF, DEnKF, LETKF with Gaspari–Cohn localisation, EnKF-N
particle     particle filter: bootstrap or optimal proposal, resampling, regularisation
smoother     iterative ensemble Kalman smoother (iEnKS): lag, Gauss–Newton or MDA, EnKF-N option
learned      4DVarNet-style learned variational interpolation of Lorenz-63
weak4dvar    weak- vs strong-constraint 4D-Var on windows, a model correction learned from analyses
lorenz96_localisation  half-observed Lorenz-96: localisation matrix, localised EnKF analysis, scores
setups       published configurations (Sakov 2012, Sakov & Oke 2008, Acevedo 2017, Bocquet & Sakov 2013)
"""

from dlgd_course.assimilation.ensemble import (
    ETKF,
    LETKF,
    DEnKF,
    EnKF,
    EnKFN,
    EnsembleFilter,
    gaspari_cohn,
    mean_preserving_rotation,
)
from dlgd_course.assimilation.particle import ParticleFilter
from dlgd_course.assimilation.smoother import IEnKS
from dlgd_course.assimilation.static import OptimalInterpolation, Var3D, kalman_gain
from dlgd_course.assimilation.twin import (
    Assimilation,
    EnsembleRun,
    FilterDivergenceWarning,
    ObservationOperator,
    RunState,
    SequentialMethod,
    TwinData,
    TwinSetup,
    climatology,
    compare,
    make_twin_data,
    plot_scores,
    run_twin_experiment,
    score,
    time_average,
)
from dlgd_course.assimilation.variational import (
    Var4D,
    minimise,
    strong_4dvar_cost,
    var3d_cost,
    weak_4dvar_cost,
)
from dlgd_course.assimilation.weak4dvar import (
    CircularCorrection,
    WindowData,
    corrected_step,
    learn_correction_by_assimilation,
    make_windows,
    strong_constraint_analysis,
    weak_constraint_analysis,
)

__all__ = [
    "Assimilation",
    "CircularCorrection",
    "DEnKF",
    "ETKF",
    "EnKF",
    "EnKFN",
    "EnsembleFilter",
    "EnsembleRun",
    "FilterDivergenceWarning",
    "IEnKS",
    "LETKF",
    "ObservationOperator",
    "OptimalInterpolation",
    "ParticleFilter",
    "RunState",
    "SequentialMethod",
    "TwinData",
    "TwinSetup",
    "Var3D",
    "Var4D",
    "WindowData",
    "climatology",
    "compare",
    "corrected_step",
    "gaspari_cohn",
    "kalman_gain",
    "learn_correction_by_assimilation",
    "make_twin_data",
    "make_windows",
    "mean_preserving_rotation",
    "minimise",
    "plot_scores",
    "run_twin_experiment",
    "score",
    "strong_4dvar_cost",
    "strong_constraint_analysis",
    "time_average",
    "var3d_cost",
    "weak_4dvar_cost",
    "weak_constraint_analysis",
]
