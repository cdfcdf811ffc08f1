"""Exercise 15 — inverse problems and data assimilation (Lecture 5): the library code each part
must not use, and the references that later cells fall back on.

The locked cells of the learned solver need the background covariance (part
``gaussian_covariance``) and the OI first guesses (part ``optimal_interpolation``): they obtain
them with :func:`~dlgd_course.own_work.own_or_reference`, whose fallbacks are the lecture's
references with the notebook's signatures. Both parts are ``exact``: a wrong covariance or
analysis is replaced like a missing one and cannot spoil the learned solver's data. Routes that
end in a listed function are locked with it: ``OptimalInterpolation`` and ``Var3D`` set-ups
(``kalman_gain``), ``Var3D(solver="lbfgs")`` (``var3d_cost``, ``minimise``),
``EnsembleFilter.analyse`` (the filters' ``update``), ``weak_4dvar_interpolation``
(``minimise``).
"""

from dlgd_course.assignments.data_assimilation import PARTS as DATA_ASSIMILATION_PARTS
from dlgd_course.assimilation import variational
from dlgd_course.assimilation.static import kalman_gain
from dlgd_course.interpolation.optimal_interpolation import GaussianCovariance, optimal_interpolation
from dlgd_course.lectures.inverse_problems import (
    blue_analysis,
    control_variable_3dvar,
    lorenz63_4dvar_cost,
    periodic_gaussian_covariance,
    stochastic_enkf_analysis,
)
from dlgd_course.own_work import Part

PARTS = {
    # the lecture's covariance, and the interpolation theme's Gaussian kernel
    "gaussian_covariance": Part(
        answers=(periodic_gaussian_covariance, GaussianCovariance.kernel),
        fallback=periodic_gaussian_covariance,
        exact=True,
    ),
    # the gain formula, every library analysis with it (OI of gridded records too), and 3D-Var by
    # minimisation, which gives the same state for a linear H
    "optimal_interpolation": Part(
        answers=(
            blue_analysis,
            kalman_gain,
            optimal_interpolation,
            control_variable_3dvar,
            variational.var3d_cost,
            variational.minimise,
        ),
        fallback=blue_analysis,
        exact=True,
    ),
    # the cost, its quadratic forms and every library minimiser; for a linear H the gain
    # formula gives the same state
    "three_d_var": Part(
        answers=(
            control_variable_3dvar,
            variational.var3d_cost,
            variational.mahalanobis,
            variational.strong_4dvar_cost,
            variational.minimise,
            blue_analysis,
            kalman_gain,
        ),
    ),
    # the lecture's 4D-Var cost, the library's strong- and weak-constraint costs and their
    # pieces; the Lorenz-63 model itself is the student's tool (no library finite differences)
    "fourdvar_cost": Part(
        answers=(
            lorenz63_4dvar_cost,
            variational.strong_4dvar_cost,
            variational.weak_4dvar_cost,
            variational.var3d_cost,
            variational.mahalanobis,
        ),
    ),
    # every library minimiser (the cost to minimise is given: the hidden test passes the
    # lecture's 4D-Var cost, which stays available)
    "fourdvar_analysis": Part(answers=(variational.minimise, variational.Var4D.analyse)),
    # exercise 03's EnKF analysis answers (every filter's update and the gain formula), the
    # lecture's analysis and OI's
    "enkf_analysis": Part(
        answers=(
            *DATA_ASSIMILATION_PARTS["enkf_analysis"].answers,
            stochastic_enkf_analysis,
            blue_analysis,
        ),
    ),
    # exercise 03's learned solvers: the library's learned reconstructions (4DVarNet's solver
    # loop and the course's learned gradient descent it calls, a direct CNN) and weak-constraint
    # 4D-Var interpolation with its cost and minimiser
    "learned_solver": Part(answers=DATA_ASSIMILATION_PARTS["learned_solver"].answers, trains=True),
}
