"""Exercise 24 — a closure for the non-differentiable 2-D turbulence LES: the library code each
part must not use, and the references that later cells fall back on.

Parts: ``split`` (the leak-free split by member), ``apriori_metric`` (correlation and relative
RMSE of a predicted subgrid term), ``aposteriori_metric`` (energy-spectrum and enstrophy errors
of an LES), ``apriori_cnn`` (the a priori training loop) and ``eki_update`` (one ensemble
Kalman inversion step). The instructions tell the student to use the solver (``run_les``,
``Smagorinsky2D``, ``VorticityCNN``) and ``energy_spectrum2d``: those are not locked.

The locked cells need the split (every later cell), the two metrics (the baselines, the CNN's
and the calibrated constant's scores) and the EKI update (the calibration): the fallbacks are
the library's references with the notebook's signatures. ``split`` and ``aposteriori_metric``
are ``exact``: a wrong split or metric is replaced like a missing one, so it cannot spoil the
data or the scores that the tests of the CNN and of the calibration read.
"""

from dlgd_course.closures.kochkov2021_kolmogorov import eki_calibrate_smagorinsky, spectrum_errors
from dlgd_course.closures.kolmogorov_les import (
    a_posteriori_errors,
    apriori_scores,
    eki_update,
    fit_apriori_closure,
    split_members,
)
from dlgd_course.closures.training import APrioriClosure
from dlgd_course.own_work import Part

PARTS = {
    "split": Part(answers=(split_members,), fallback=split_members, exact=True),
    "apriori_metric": Part(answers=(apriori_scores,), fallback=apriori_scores),
    # the library's spectrum errors (the energy one is the metric's first half)
    "aposteriori_metric": Part(
        answers=(a_posteriori_errors, spectrum_errors), fallback=a_posteriori_errors, exact=True
    ),
    # the reference loop and the course's Lightning a priori loss (run_experiment's route)
    "apriori_cnn": Part(answers=(fit_apriori_closure, APrioriClosure.loss), trains=True),
    # the update, and the library's whole calibration of C_s
    "eki_update": Part(answers=(eki_update, eki_calibrate_smagorinsky), fallback=eki_update),
}
