"""Exercise 00 — PyTorch and Lightning on Lorenz-63: the library code each part must not use.

No later cell needs an earlier part's result, so no part has a fallback.
"""

from dlgd_course.assimilation.variational import minimise
from dlgd_course.dynamics.integrate import rk4_step
from dlgd_course.dynamics.lorenz63 import lorenz63_tendency
from dlgd_course.forecasting.models import PolynomialStepMap
from dlgd_course.forecasting.windows import fit_normalisation, make_windows
from dlgd_course.own_work import Part

PARTS = {
    "standardize": Part(answers=(fit_normalisation,)),
    "lorenz63_tendency": Part(answers=(lorenz63_tendency,)),
    "rk4_step": Part(answers=(rk4_step,)),
    # the loop must be the student's: the library's L-BFGS/Adam minimiser would fit theta
    "fit_parameters": Part(answers=(minimise,), trains=True),
    # a "network" that integrates the true model, or a fitted polynomial map, is no flow map
    # learned by the student; nor are the library's forecasting windows the student's pairs
    "flow_map": Part(
        answers=(
            make_windows,
            rk4_step,
            lorenz63_tendency,
            PolynomialStepMap.fit,
            PolynomialStepMap.step,
        ),
        trains=True,
    ),
}
