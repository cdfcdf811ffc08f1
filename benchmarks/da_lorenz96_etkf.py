"""ETKF on the Lorenz-96 setup of Sakov & Oke (2008): this library against DAPPER.

Configuration (``dlgd_course.assimilation.setups.sakov_oke2008``, DAPPER's
``mods/Lorenz96/sakov2008``): 40 sites, F = 8, RK4 dt = 0.05, every site observed every
step with R = I, 1000 cycles, burn-in 20 time units; square-root EnKF with N = 28,
inflation 1.02 and random rotation (published analysis RMSE 0.18).

For each seed DAPPER simulates truth and observations, then both libraries assimilate
the *same* data in the same process, single-threaded (BLAS limited to one thread), and
the script prints both time-averaged analysis RMSEs and wall times (assimilation only,
median of ``--repeats`` runs) and their ratio.

Needs DAPPER, a development-only reference: ``make bench-deps`` installs it. Without it the
script stops at once with that message (exit status 1): there is no comparison without DAPPER.

    .venv/bin/python benchmarks/da_lorenz96_etkf.py [--seeds 3] [--N 28] [--repeats 3]
    .venv/bin/python benchmarks/da_lorenz96_etkf.py --quick   # 1 seed, 100 cycles: a smoke run

Measured (2-core shared CPU, DAPPER 1.7.1, 3 seeds × 1001 cycles, 1 repeat): RMSE DAPPER
0.179, dlgd_course 0.179; dlgd_course 3.5x as fast (4.9x before the harness recorded
forecast scores and rank histograms at every cycle).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

try:
    import dapper.da_methods as da
except ImportError:
    raise SystemExit("this benchmark compares with DAPPER: install it with `make bench-deps`") from None

import dapper.tools.progressbar as dapper_progressbar  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from dapper.mods.Lorenz96.sakov2008 import HMM as DAPPER_HMM  # noqa: E402
from dapper.tools.seeding import set_seed  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from dlgd_course.assimilation import ETKF, TwinData, run_twin_experiment, score  # noqa: E402
from dlgd_course.assimilation.setups import sakov_oke2008  # noqa: E402

from _quick import parse_args  # noqa: E402

dapper_progressbar.disable_progbar = True


def dapper_hmm(cycles: int, burn_in: float):
    """DAPPER's sakov2008 set-up with ``cycles`` observation cycles and ``burn_in`` time units."""
    hmm = DAPPER_HMM.copy()
    hmm.tseq.BurnIn = burn_in
    hmm.tseq.Ko = cycles
    return hmm


def run_dapper(hmm, xx: np.ndarray, yy: np.ndarray, N: int, inflation: float) -> tuple[float, float]:
    """DAPPER's EnKF('Sqrt', rot=True) on (xx, yy): (analysis RMSE after burn-in, seconds)."""
    xp = da.EnKF("Sqrt", N=N, infl=inflation, rot=True)
    start = time.perf_counter()
    xp.assimilate(hmm, xx, yy, liveplots=False)
    elapsed = time.perf_counter() - start
    xp.stats.average_in_time()
    return float(xp.avrgs.err.rms.a.val), elapsed


def run_ours(
    xx: np.ndarray, yy: np.ndarray, N: int, inflation: float, seed: int, burn_in: float
) -> tuple[float, float]:
    """This library's ETKF on the same truth and observations: (RMSE, seconds)."""
    n_cycles = len(yy)
    setup = sakov_oke2008.SETUP.replace(n_cycles=n_cycles, burn_in_time=burn_in)
    data = TwinData(
        setup=setup,
        truth=torch.from_numpy(np.asarray(xx, dtype=np.float64))[:, None, :],
        observations=torch.from_numpy(np.stack(yy).astype(np.float64))[:, None, :],
        seed=seed,
    )
    method = ETKF(N=N, inflation=inflation, rotate=True)
    start = time.perf_counter()
    ds = run_twin_experiment(method, data, seed=seed, keep_states=False)
    elapsed = time.perf_counter() - start
    return score(ds), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--N", type=int, default=28)
    parser.add_argument("--inflation", type=float, default=1.02)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=DAPPER_HMM.tseq.Ko, help="observation cycles")
    parser.add_argument("--burn-in", type=float, default=DAPPER_HMM.tseq.BurnIn, help="model time units")
    args = parse_args(parser, {"seeds": 1, "repeats": 1, "cycles": 100, "burn_in": 1.0})
    print(
        f"Lorenz-96 Sakov & Oke 2008, ETKF N={args.N}, infl {args.inflation}, rotation; "
        f"published analysis RMSE {sakov_oke2008.EXPECTED_RMSE['ETKF']}"
    )
    print(
        f"{'seed':>4} {'cycles':>6} {'RMSE dapper':>11} {'RMSE ours':>9} "
        f"{'t dapper [s]':>12} {'t ours [s]':>10} {'ratio':>6}"
    )
    rmse_d, rmse_o, time_d, time_o = [], [], [], []
    with threadpool_limits(limits=1):
        for seed in range(1, args.seeds + 1):
            set_seed(seed)
            hmm = dapper_hmm(args.cycles, args.burn_in)
            xx, yy = hmm.simulate()
            runs_d = [run_dapper(hmm, xx, yy, args.N, args.inflation) for _ in range(args.repeats)]
            runs_o = [
                run_ours(xx, yy, args.N, args.inflation, seed, args.burn_in) for _ in range(args.repeats)
            ]
            td = statistics.median(t for _, t in runs_d)
            to = statistics.median(t for _, t in runs_o)
            rmse_d.append(runs_d[0][0])
            rmse_o.append(runs_o[0][0])
            time_d.append(td)
            time_o.append(to)
            print(
                f"{seed:>4} {len(yy):>6} {runs_d[0][0]:>11.4f} {runs_o[0][0]:>9.4f} "
                f"{td:>12.3f} {to:>10.3f} {td / to:>6.2f}"
            )
    mean_d, mean_o = float(np.mean(rmse_d)), float(np.mean(rmse_o))
    print(
        f"mean RMSE: DAPPER {mean_d:.4f}, dlgd_course {mean_o:.4f} "
        f"(difference {100 * (mean_o - mean_d) / mean_d:+.1f} %)"
    )
    print(
        f"total time: DAPPER {sum(time_d):.2f} s, dlgd_course {sum(time_o):.2f} s; "
        f"dlgd_course is {sum(time_d) / sum(time_o):.2f}x as fast as DAPPER"
    )


if __name__ == "__main__":
    main()
