"""Throughput of a Lorenz-96 ensemble (N=40, F=8, RK4, dt=0.01, 1 000 steps).

Runs, side by side in one process:
  * the library: ``Lorenz96().integrate`` on the whole ensemble as one batched tensor
    (CPU, and CUDA when available),
  * a plain NumPy loop integrating one member after another with the same RK4,
  * ``scipy.integrate.solve_ivp`` (RK45, rtol=1e-6, atol=1e-8) member by member over
    the same time span,
and prints member-steps per second (one step = dt = 0.01 of model time) and the
ratio of each to the NumPy loop. The per-member baselines are timed on a subset of
members (their cost is linear in the number of members).

    python benchmarks/lorenz96_ensemble.py [--members 100 1000 10000] [--steps 1000]
    python benchmarks/lorenz96_ensemble.py --quick   # smoke run (make test): 10 / 100 members, 50 steps
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from scipy.integrate import solve_ivp

from dlgd_course.dynamics import Lorenz96

from _quick import parse_args

N, F, DT = 40, 8.0, 0.01


def numpy_tendency(x: np.ndarray) -> np.ndarray:
    return (np.roll(x, -1) - np.roll(x, 2)) * np.roll(x, 1) - x + F


def numpy_member_loop(initial: np.ndarray, n_steps: int) -> np.ndarray:
    """RK4 in NumPy, one member at a time (what a first implementation usually looks like)."""
    finals = np.empty_like(initial)
    for member, x in enumerate(initial):
        for _ in range(n_steps):
            k1 = numpy_tendency(x)
            k2 = numpy_tendency(x + 0.5 * DT * k1)
            k3 = numpy_tendency(x + 0.5 * DT * k2)
            k4 = numpy_tendency(x + DT * k3)
            x = x + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        finals[member] = x
    return finals


def scipy_member_loop(initial: np.ndarray, n_steps: int) -> np.ndarray:
    finals = np.empty_like(initial)
    for member, x in enumerate(initial):
        solution = solve_ivp(lambda _t, y: numpy_tendency(y), (0.0, n_steps * DT), x, rtol=1e-6, atol=1e-8)
        finals[member] = solution.y[:, -1]
    return finals


def library(initial: torch.Tensor, n_steps: int) -> torch.Tensor:
    return Lorenz96(N=N, F=F).integrate(initial, DT, n_steps, save_every=n_steps)[-1]


def timed(function, *arguments, repeats: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        result = function(*arguments)
        if isinstance(result, torch.Tensor) and result.is_cuda:
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument(
        "--baseline-members", type=int, default=20, help="members timed for the per-member loops"
    )
    arguments = parse_args(parser, {"members": [10, 100], "steps": 50, "baseline_members": 2})
    n_steps = arguments.steps
    rng = np.random.default_rng(0)

    subset = F + rng.standard_normal((arguments.baseline_members, N))
    numpy_time, numpy_final = timed(numpy_member_loop, subset, n_steps)
    scipy_time, _ = timed(scipy_member_loop, subset, n_steps)
    library_check = library(torch.as_tensor(subset), n_steps).numpy()
    agreement = np.abs(library_check - numpy_final).max()
    numpy_rate = arguments.baseline_members * n_steps / numpy_time
    scipy_rate = arguments.baseline_members * n_steps / scipy_time

    print(
        f"Lorenz-96 N={N}, F={F}, RK4 dt={DT}, {n_steps} steps; torch {torch.__version__}, "
        f"{torch.get_num_threads()} CPU threads"
    )
    print(f"library vs NumPy loop, same initial states: max |difference| = {agreement:.2e}")
    header = f"{'members':>8} {'method':<22} {'member-steps/s':>15} {'vs NumPy loop':>14}"
    print(header)
    print("-" * len(header))
    print(f"{'(per member)':>8} {'NumPy loop':<22} {numpy_rate:15.3g} {1.0:14.2f}")
    print(
        f"{'(per member)':>8} {'scipy solve_ivp RK45':<22} {scipy_rate:15.3g} {scipy_rate / numpy_rate:14.2f}"
    )
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for members in arguments.members:
        initial = torch.as_tensor(F + rng.standard_normal((members, N)))
        for device in devices:
            for dtype in (torch.float64, torch.float32):
                start_state = initial.to(device=device, dtype=dtype)
                library(start_state, 10)  # warm-up
                seconds, _ = timed(library, start_state, n_steps, repeats=2)
                rate = members * n_steps / seconds
                name = f"dlgd_course {device} {str(dtype).removeprefix('torch.')}"
                print(f"{members:>8} {name:<22} {rate:15.3g} {rate / numpy_rate:14.1f}")


if __name__ == "__main__":
    main()
