"""Exercise 03 — data assimilation: the library code each part must not use.

No later cell needs an earlier part's result (the learned solver trains in a locked cell, but
that is its own part), so no part has a fallback. Routes that end in a listed function are
locked with it: ``Var3D(solver="lbfgs").analyse`` (``var3d_cost``, ``minimise``),
``OptimalInterpolation`` and ``Var3D`` set-ups (``kalman_gain``), ``EnsembleFilter.analyse``
(the filters' ``update``), ``Var4D.analyse`` and ``weak_4dvar_interpolation`` (``minimise``).
"""

from dlgd_course.assimilation.ensemble import ETKF, LETKF, DEnKF, EnKF, EnKFN
from dlgd_course.assimilation.learned import DirectCNN, FourDVarNet, weak_4dvar_interpolation
from dlgd_course.assimilation.smoother import IEnKS
from dlgd_course.assimilation.static import kalman_gain
from dlgd_course.assimilation.variational import (
    Var4D,
    mahalanobis,
    minimise,
    strong_4dvar_cost,
    var3d_cost,
    weak_4dvar_cost,
)
from dlgd_course.nn.networks import learned_gradient_descent
from dlgd_course.own_work import Part

PARTS = {
    # the cost itself, its two quadratic forms, and the 4D-Var cost, which is the 3D-Var cost
    # for one observation time and the identity as model; the gradient comes from autograd
    # through the student's own cost
    "var3d_cost": Part(answers=(var3d_cost, mahalanobis, strong_4dvar_cost)),
    # the strong-constraint cost and its pieces (the 3D-Var cost is one term of it; the weak
    # form with a huge model-error precision approximates it), and every library minimiser
    "fourdvar": Part(
        answers=(strong_4dvar_cost, var3d_cost, mahalanobis, weak_4dvar_cost, minimise, Var4D.analyse),
    ),
    # the EnKF's analysis and every other filter's: the ETKF's, DEnKF's, LETKF's and EnKF-N's
    # analyses have the same mean and (nearly) the Kalman covariance, as the iEnKS's with one
    # iteration; the gain formula is half the work
    "enkf_analysis": Part(
        answers=(
            EnKF.update,
            ETKF.update,
            DEnKF.update,
            LETKF.update,
            EnKFN.update,
            IEnKS.analyse,
            kalman_gain,
        ),
    ),
    # the library's solver loop (super().forward, and the course's learned_gradient_descent
    # it calls), a direct CNN reconstruction, and 4D-Var with the true model, which would
    # reconstruct the windows with no learned solver at all
    "learned_solver": Part(
        answers=(
            FourDVarNet.forward,
            learned_gradient_descent,
            DirectCNN.forward,
            weak_4dvar_interpolation,
            minimise,
            weak_4dvar_cost,
        ),
        trains=True,
    ),
}
