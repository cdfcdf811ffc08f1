"""EnKF-N, particle filters and the iEnKS on published setups: this library against DAPPER.

Cases (the setups of ``dlgd_course.assimilation.setups`` and DAPPER's ``mods/``, same
settings and method parameters; DAPPER's published figure in brackets):

* ``wiljes2017`` (Lorenz-63, x alone observed every 0.12 with R = 8): EnKF-N N = 30 with
  rotation [2.52], bootstrap particle filter N = 35, ρ = 1.4, NER 0.3 [2.05];
* ``sakov2012`` (Lorenz-63, all observed every 0.25 with R = 2): EnKF-N N = 10 with rotation
  [0.54], bootstrap particle filter N = 100, ρ = 2.4, NER 0.3 [0.38];
* ``wiljes2017``: optimal-proposal particle filter N = 35, Q_s = 1 [none published: the
  comparison is with DAPPER's ``OptPF`` on the same data]; iEnKS N = 10, inflation 1.02 [2.0];
* ``sakov2012``: iEnKS (IEnKF) N = 10, inflation 1.02, rotation [0.31];
* ``sakov2008`` (Lorenz-96, 40 sites observed every 0.05 with R = I): EnKF-N N = 20 [0.24];
* ``bocquet_sakov2013`` (the same, observed every 0.2; Bocquet & Sakov 2013, Fig. 4): iEnKS
  N = 20, lag 4, xN = 2 [0.31]. (DAPPER 1.7.1's 4D-Var fails on this setup: the setup
  module's 4D-Var figures are checked against the published numbers in the tests.)

For each seed DAPPER simulates truth and observations, then both libraries assimilate the
*same* data in the same process, single-threaded (BLAS limited to one thread); the script
prints both time-averaged analysis RMSEs (mean over seeds), the wall times (assimilation
only, summed over seeds) and their ratio, and the time this library takes for all seeds'
experiments in one batch (its way of running several experiments) with that ratio.

Needs DAPPER, a development-only reference: ``make bench-deps`` installs it. Without it the
script stops at once with that message (exit status 1).

    .venv/bin/python benchmarks/da_dapper_methods.py [--seeds 2] [--cycles 2000]
    .venv/bin/python benchmarks/da_dapper_methods.py --quick   # 1 seed, 60 cycles: a smoke run

Measured (2-core shared CPU, DAPPER 1.7.1, 2 seeds, 2000 cycles; 1000 for Lorenz-96): see
``book/projects/data-assimilation.md``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("MPLBACKEND", "Agg")

try:
    import dapper.da_methods as da
except ImportError:
    raise SystemExit("this benchmark compares with DAPPER: install it with `make bench-deps`") from None

import dapper.tools.progressbar as dapper_progressbar  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from dapper.mods import HiddenMarkovModel  # noqa: E402
from dapper.mods.Lorenz63 import wiljes2017 as dapper_wiljes2017  # noqa: E402
from dapper.mods.Lorenz63.sakov2012 import HMM as SAKOV2012_HMM  # noqa: E402
from dapper.mods.Lorenz96.sakov2008 import HMM as SAKOV2008_HMM  # noqa: E402
from dapper.tools.seeding import set_seed  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from dlgd_course.assimilation import (  # noqa: E402
    EnKFN,
    SequentialMethod,
    TwinData,
    TwinSetup,
    run_twin_experiment,
    score,
)
from dlgd_course.assimilation.particle import ParticleFilter  # noqa: E402
from dlgd_course.assimilation.setups import (  # noqa: E402
    bocquet_sakov2013,
    sakov2012,
    sakov_oke2008,
    wiljes2017,
)
from dlgd_course.assimilation.smoother import IEnKS  # noqa: E402

from _quick import parse_args  # noqa: E402

dapper_progressbar.disable_progbar = True
# DAPPER 1.7.1's wiljes2017 module gives its HMM a time-independent observation operator that
# its simulate() cannot call; the same settings rebuilt from the module's observation dict:
WILJES2017_HMM = HiddenMarkovModel(
    SAKOV2012_HMM.Dyn, dict(dapper_wiljes2017.Obs), dapper_wiljes2017.HMM.tseq, SAKOV2012_HMM.X0
)


@dataclass(frozen=True)
class Case:
    """One method on one setup, in both libraries."""

    label: str
    hmm: object
    setup: TwinSetup
    ours: SequentialMethod
    theirs: Callable[[], object]
    published: float


CASES = [
    Case("wiljes2017 EnKF-N N=30", WILJES2017_HMM, wiljes2017.SETUP, EnKFN(N=30, rotate=True),
         lambda: da.EnKF_N(N=30, rot=True), 2.52),
    Case("wiljes2017 PF N=35", WILJES2017_HMM, wiljes2017.SETUP,
         ParticleFilter(N=35, resampling_threshold=0.3, regularisation=1.4),
         lambda: da.PartFilt(N=35, reg=1.4, NER=0.3), 2.05),
    Case("sakov2012 EnKF-N N=10", SAKOV2012_HMM, sakov2012.SETUP, EnKFN(N=10, rotate=True),
         lambda: da.EnKF_N(N=10, rot=True), 0.54),
    Case("sakov2012 PF N=100", SAKOV2012_HMM, sakov2012.SETUP,
         ParticleFilter(N=100, resampling_threshold=0.3, regularisation=2.4),
         lambda: da.PartFilt(N=100, reg=2.4, NER=0.3), 0.38),
    Case("wiljes2017 OptPF N=35", WILJES2017_HMM, wiljes2017.SETUP,
         ParticleFilter(N=35, resampling_threshold=0.3, regularisation=1.4, proposal_scale=1.0),
         lambda: da.OptPF(N=35, Qs=1.0, reg=1.4, NER=0.3), float("nan")),
    Case("wiljes2017 iEnKS N=10", WILJES2017_HMM, wiljes2017.SETUP, IEnKS(N=10, inflation=1.02, rotate=True),
         lambda: da.iEnKS("Sqrt", N=10, infl=1.02, rot=True), 2.0),
    Case("sakov2012 iEnKS N=10", SAKOV2012_HMM, sakov2012.SETUP, IEnKS(N=10, inflation=1.02, rotate=True),
         lambda: da.iEnKS("Sqrt", N=10, infl=1.02, rot=True), 0.31),
    Case("sakov2008 EnKF-N N=20", SAKOV2008_HMM, sakov_oke2008.SETUP, EnKFN(N=20),
         lambda: da.EnKF_N(N=20), 0.24),
    Case("bocquet_sakov2013 iEnKS", SAKOV2008_HMM, bocquet_sakov2013.SETUP,
         bocquet_sakov2013.methods()["iEnKS"], lambda: da.iEnKS("Sqrt", N=20, Lag=4, xN=2.0), 0.31),
]  # fmt: skip


def run_dapper(case: Case, hmm, xx: np.ndarray, yy: np.ndarray) -> tuple[float, float]:
    """DAPPER's method on (xx, yy): (analysis RMSE after burn-in, seconds)."""
    xp = case.theirs()
    start = time.perf_counter()
    xp.assimilate(hmm, xx, yy, liveplots=False)
    elapsed = time.perf_counter() - start
    xp.stats.average_in_time()
    return float(xp.avrgs.err.rms.a.val), elapsed


def run_ours(case: Case, hmm, runs: list[tuple[np.ndarray, np.ndarray]], seed: int) -> tuple[float, float]:
    """This library's method on the same truths and observations ``runs``, all experiments in
    one batch: (mean analysis RMSE, seconds)."""
    setup = case.setup.replace(
        n_cycles=len(runs[0][1]), burn_in_time=hmm.tseq.BurnIn, steps_per_observation=hmm.tseq.dko
    )
    truth = np.stack([np.asarray(xx, dtype=np.float64)[:: hmm.tseq.dko] for xx, _ in runs], 1)
    observations = np.stack([np.stack([np.atleast_1d(y) for y in yy]) for _, yy in runs], 1)
    data = TwinData(
        setup=setup,
        truth=torch.from_numpy(truth),  # at the observation times
        observations=torch.from_numpy(observations.astype(np.float64)),
        seed=seed,
    )
    start = time.perf_counter()
    ds = run_twin_experiment(case.ours, data, seed=seed, keep_states=False)
    return score(ds), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--cycles", type=int, default=2000, help="observation cycles (Lorenz-96: half)")
    parser.add_argument("--only", default="", help="run the cases whose label contains this text")
    args = parse_args(parser, {"seeds": 1, "cycles": 30})
    print(f"{'case':<24} {'published':>9} {'RMSE dapper':>11} {'RMSE ours':>9} {'t dapper [s]':>12} "
          f"{'t ours [s]':>10} {'speed-up':>8} {'t batched [s]':>13} {'speed-up':>8}")  # fmt: skip
    for case in CASES:
        if args.only not in case.label:
            continue
        rmse_d, rmse_o, time_d, time_o, runs = [], [], [], [], []
        with threadpool_limits(limits=1):
            for seed in range(1, args.seeds + 1):
                set_seed(seed)
                hmm = case.hmm.copy()
                hmm.tseq.dko = case.setup.steps_per_observation  # the setup's observation interval
                hmm.tseq.Ko = args.cycles // 2 if case.setup.state_size > 3 else args.cycles
                hmm.tseq.BurnIn = min(hmm.tseq.BurnIn, 0.2 * hmm.tseq.T)
                xx, yy = hmm.simulate()
                runs.append((xx, yy))
                rmse, elapsed = run_dapper(case, hmm, xx, yy)
                rmse_d.append(rmse)
                time_d.append(elapsed)
                rmse, elapsed = run_ours(case, hmm, [(xx, yy)], seed)
                rmse_o.append(rmse)
                time_o.append(elapsed)
            # every seed's experiment in one batch: the library's way of running several
            _, batched = run_ours(case, hmm, runs, seed=0)
        print(
            f"{case.label:<24} {case.published:>9.2f} {np.mean(rmse_d):>11.3f} {np.mean(rmse_o):>9.3f} "
            f"{sum(time_d):>12.2f} {sum(time_o):>10.2f} {sum(time_d) / sum(time_o):>7.2f}x "
            f"{batched:>13.2f} {sum(time_d) / batched:>7.2f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
