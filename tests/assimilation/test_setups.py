"""Published twin-experiment benchmarks, reproduced within 10 % (20 % for the configurations
a setup module does not list as ``ROBUST``).

Targets: analysis RMSE of Sakov, Oliver & Bertino (2012, Table 1; Lorenz-63),
Sakov & Oke (2008, Table 1; Lorenz-96), Bocquet et al. (2015, Fig. 3; EnKF-N on Lorenz-96),
de Wiljes et al. (2018, Fig. 1; Lorenz-63 with x alone observed) and Bocquet & Sakov (2013,
Fig. 4; 4D-Var on Lorenz-96 observed every 0.2), as reproduced by DAPPER
(see the docstrings of ``dlgd_course.assimilation.setups`` and ``REFERENCES.md``). Each
figure is the time average over 1000 cycles after the published burn-in, averaged over a
batch of independent experiments (truth, observations, initial ensemble): 8 for Lorenz-63,
whose seed-to-seed spread is ~15 % for the ensemble filters, 4 for Lorenz-96 (~5 %).
"""

from __future__ import annotations

import pytest

from dlgd_course.assimilation import make_twin_data, run_twin_experiment, score
from dlgd_course.assimilation.setups import bocquet_sakov2013, sakov2012, sakov_oke2008, wiljes2017
from dlgd_course.assimilation.variational import Var4D

MODULES = (sakov2012, sakov_oke2008, wiljes2017)
N_EXPERIMENTS = {"sakov2012": 8, "sakov_oke2008": 4, "wiljes2017": 8}
# the iEnKS runs its window ten times per cycle: tests/assimilation/test_filters_smoothers.py
# checks it on a shorter run
CASES = [(module, key) for module in MODULES for key in module.methods() if key != "iEnKS"]


@pytest.fixture(scope="module")
def twin_data() -> dict:
    return {
        module.SETUP.name: make_twin_data(
            module.SETUP.replace(n_cycles=1000), N_EXPERIMENTS[module.SETUP.name], seed=3
        )
        for module in MODULES
    }


@pytest.mark.slow
@pytest.mark.parametrize(("module", "key"), CASES, ids=[f"{m.SETUP.name}-{k}" for m, k in CASES])
def test_published_rmse_within_ten_percent(module, key, twin_data) -> None:
    data = twin_data[module.SETUP.name]
    ds = run_twin_experiment(module.methods()[key], data, seed=11, keep_states=False)
    assert not ds["diverged"].any(), f"{key} diverged on {module.SETUP.name}"
    rmse = score(ds)
    expected = module.EXPECTED_RMSE[key]
    tolerance = 0.1 if key in getattr(module, "ROBUST", module.EXPECTED_RMSE) else 0.2
    assert abs(rmse - expected) <= tolerance * expected, (
        f"{module.SETUP.name} {key}: analysis RMSE {rmse:.3f}, published {expected} (±{tolerance:.0%})"
    )
    if "analysis_spread" in ds:
        # A well-tuned filter's spread matches its error (both ~RMSE): within a factor 1.5; a
        # regularised particle filter's jitter widens it on purpose (measured 1.2–1.6 × RMSE
        # here, as DAPPER's rmv.a above rmse.a): within a factor 2.
        spread = score(ds, "analysis_spread")
        factor = 2.0 if key == "PF" else 1.5
        assert rmse / factor < spread < factor * rmse, f"{key}: spread {spread:.3f} vs RMSE {rmse:.3f}"


def test_climatology_matches_published_rmse(twin_data) -> None:
    """The climatological RMSE (7.6 for Lorenz-63, 3.6 for Lorenz-96) from the truth runs."""
    for module in (sakov2012, sakov_oke2008):
        ds_clim = twin_data[module.SETUP.name].truth
        after = ds_clim[1 + round(module.SETUP.burn_in_time / module.SETUP.observation_interval) :]
        rmse = float(((after - after.mean((0, 1))).square().mean(-1)).sqrt().mean())
        expected = module.EXPECTED_RMSE["climatology"]
        assert abs(rmse - expected) <= 0.1 * expected, (
            f"{module.SETUP.name}: climatological RMSE {rmse:.2f}, published {expected}"
        )


@pytest.mark.slow
def test_4dvar_background_scale_is_set_per_setup() -> None:
    """Lorenz-96 observed every 0.2 (Bocquet & Sakov 2013, Fig. 4, as reproduced by DAPPER):
    strong 4D-Var with a lag of 4 and the setup's background scaling xB = 0.02 gives 0.37.

    A short run (300 cycles, 200 after the burn-in, 2 experiments; measured 0.405) is held to
    15 %. The method's default xB = 0.1, tuned for Lorenz-63, must do worse here: that is why
    the setup module carries its own."""
    setup = bocquet_sakov2013.SETUP.replace(n_cycles=300)
    data = make_twin_data(setup, 2, seed=3)
    tuned = bocquet_sakov2013.methods()["4D-Var lag 4"]
    rmse = score(run_twin_experiment(tuned, data, seed=11, keep_states=False))
    expected = bocquet_sakov2013.EXPECTED_RMSE["4D-Var lag 4"]
    assert abs(rmse - expected) <= 0.15 * expected, f"4D-Var lag 4: RMSE {rmse:.3f}, published {expected}"
    default = score(run_twin_experiment(Var4D(lag=4), data, seed=11, keep_states=False))
    assert default > 1.05 * rmse, f"default xB 0.1: {default:.3f} against {rmse:.3f} with xB 0.02"
