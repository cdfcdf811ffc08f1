"""Lorenz-96 twin experiment of Sakov & Oke (2008, Tellus A 60, Table 1), as set up in
DAPPER's ``mods/Lorenz96/sakov2008.py``.

Settings: N = 40 sites, F = 8; RK4 with dt = 0.05; all 40 sites observed every step
(Δt_obs = 0.05) with R = I; no model noise; 1000 cycles (Sakov & Oke used far more);
burn-in 20 time units (400 cycles); truth and initial ensemble drawn independently from
N(x0, 0.001 I) with x0 = (1, 0, …, 0).

Expected time-averaged analysis RMSE (DAPPER's reproduction of Table 1, and of
Bocquet et al. 2011 for the LETKF):

    climatology                                          3.6
    optimal interpolation                                0.95
    3D-Var, xB = 0.02                                    0.41
    EnKF perturbed obs, N = 40, infl 1.06                0.22
    EnKF square root (ETKF), N = 28, infl 1.02, rotation 0.18
    DEnKF, N = 40, infl 1.01                             0.18
    LETKF, N = 7, localisation radius 4, infl 1.04, rot. 0.22
    EnKF-N, N = 20 (no tuned inflation)                  0.24  (Bocquet et al. 2015, Fig. 3)
"""

from __future__ import annotations

from dlgd_course.assimilation.ensemble import ETKF, LETKF, DEnKF, EnKF, EnKFN
from dlgd_course.assimilation.static import OptimalInterpolation, Var3D
from dlgd_course.assimilation.twin import SequentialMethod, TwinSetup
from dlgd_course.dynamics import Lorenz96

SETUP = TwinSetup(
    system=Lorenz96(N=40, F=8.0),
    dt=0.05,
    steps_per_observation=1,
    n_cycles=1000,
    observation_variance=1.0,
    initial_mean=(1.0,) + (0.0,) * 39,
    initial_variance=0.001,
    burn_in_time=20.0,
    name="sakov_oke2008",
)

#: Published (DAPPER-reproduced) analysis RMSE of each configuration.
EXPECTED_RMSE: dict[str, float] = {
    "climatology": 3.6,
    "OI": 0.95,
    "3D-Var": 0.41,
    "EnKF-PertObs": 0.22,
    "ETKF": 0.18,
    "DEnKF": 0.18,
    "LETKF": 0.22,
    "EnKF-N": 0.24,
}


def methods() -> dict[str, SequentialMethod]:
    """The configurations of the table above, keyed like ``EXPECTED_RMSE``."""
    return {
        "OI": OptimalInterpolation(),
        "3D-Var": Var3D(xB=0.02),
        "EnKF-PertObs": EnKF(N=40, inflation=1.06),
        "ETKF": ETKF(N=28, inflation=1.02, rotate=True),
        "DEnKF": DEnKF(N=40, inflation=1.01),
        "LETKF": LETKF(N=7, localisation_radius=4.0, inflation=1.04, rotate=True),
        "EnKF-N": EnKFN(N=20),
    }
