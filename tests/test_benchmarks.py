"""Every script of ``benchmarks/`` runs from a fresh clone in its ``--quick`` size (issue 27).

The scripts run in a copy of the checkout as a fresh clone holds it (fixture ``fresh_clone``
of ``tests/conftest.py``: no ``test-artifacts/``, no ``book/_mathjax/``, nothing a test run left
behind); each runs there once, in its own process, with that copy first on ``PYTHONPATH``.
A test checks that its script exits 0, prints its table and writes nothing into the clone;
it never looks at the numbers (timings on a shared machine mean nothing here).

``benchmarks/da_lorenz96_etkf.py`` and ``da_dapper_methods.py`` compare with DAPPER, a
development-only reference
(``make bench-deps``, which ``make test`` runs first and then requires it through
``DLGD_REQUIRE_DAPPER=1``); in a plain pytest run without DAPPER its quick run is skipped.
Another test hides DAPPER and checks that the script then stops at once with the message
saying how to install it. ``benchmarks/grading_throughput.py`` and ``hub_load.py`` need the
local sandbox (root): skipped without it, except under ``DLGD_REQUIRE_SANDBOX=1`` (CI).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TIMEOUT_S = 600

# script → lines of its table that the quick run must print (headers and row names)
TABLES: dict[str, tuple[str, ...]] = {
    "lorenz96_ensemble.py": (
        "member-steps/s",
        "NumPy loop",
        "scipy solve_ivp RK45",
        "dlgd_course cpu float32",
    ),
    "closures_burgers.py": (
        "| closure | rollout RMSE |",
        "| solver-in-the-loop CNN |",
        "long horizon T =",
        "speed-up",
    ),
    "closures_turbulence2d.py": (
        "| closure | energy spectrum error",
        "| CNN (a priori) |",
        "ensemble Kalman inversion",
    ),
    "da_lorenz63_4dvarnet.py": (
        "method",
        "linear interpolation",
        "4DVarNet-style",
        "direct CNN",
        "weak 4D-Var (true model)",
    ),
    "da_lorenz96_etkf.py": ("RMSE dapper", "mean RMSE: DAPPER", "as fast as DAPPER"),
    "da_dapper_methods.py": (
        "RMSE dapper",
        "wiljes2017 EnKF-N N=30",
        "sakov2012 PF N=100",
        "bocquet_sakov2013 iEnKS",
    ),
    "forecasting_l63.py": ("lead 1", "quadratic step map", "neural ODE", "GRU"),
    "forecasting_wind.py": ("lead (min)", "persistence", "NWP", "hybrid"),
    "grading_throughput.py": (
        "subm/min",
        "nbgrader autograde (serial)",
        "dlgd-grade, 2 worker(s)",
        "same scores from all of them: True",
    ),
    "hub_load.py": (
        "| fetch + submit (all students, concurrent) |",
        "| collect |",
        "dlgd-grade, 2 workers",
        "submissions per minute end to end",
        "lost: none; submitted or graded twice: none",
    ),
    "interpolation_table.py": (
        "| method | RMSE log10 |",
        "| OI |",
        "| DINEOF |",
        "| 4DVarNet from OI |",
        "hidden pixels scored",
    ),
    "nowcasting_unet.py": ("iou", "f1", "persistence", "extrapolation", "unet"),
    "trajectories_real.py": (
        "| model | spectral_loss",
        "| crw (free) |",
        "| gan (library default) |",
        "GAN / hmm-3 (free)",
    ),
    "trajectories_table.py": (
        "| model | spectral_loss |",
        "| hmm-3 (return bridge) |",
        "| wgan-gp (closed-loop increments) |",
    ),
}
DAPPER_MESSAGE = "this benchmark compares with DAPPER: install it with `make bench-deps`"


def _sandbox_available() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and shutil.which("unshare") is not None


def _has_dapper() -> bool:
    return importlib.util.find_spec("dapper") is not None


def _files(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    }


def run_script(
    clone: Path, script: str, *arguments: str, extra_path: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """``python benchmarks/<script> <arguments>`` in ``clone``, with the clone's code first on
    ``PYTHONPATH`` (then ``extra_path``) and one thread per process."""
    path = os.pathsep.join((str(clone), *extra_path, os.environ.get("PYTHONPATH", ""))).rstrip(os.pathsep)
    env = os.environ | {
        "PYTHONPATH": path,
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return subprocess.run(
        [sys.executable, str(clone / "benchmarks" / script), *arguments],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )


def test_every_benchmark_script_has_a_quick_run() -> None:
    scripts = {p.name for p in (REPO / "benchmarks").glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(TABLES), (
        f"scripts without a quick run here: {sorted(scripts - set(TABLES))}; "
        f"listed but missing: {sorted(set(TABLES) - scripts)}"
    )


def _params() -> list[object]:
    needs_dapper = pytest.mark.skipif(
        not _has_dapper() and os.environ.get("DLGD_REQUIRE_DAPPER") != "1",
        reason="DAPPER (make bench-deps; make test installs it) is not installed: no comparison to run",
    )
    needs_sandbox = (
        pytest.mark.skipif(
            not _sandbox_available() and os.environ.get("DLGD_REQUIRE_SANDBOX") != "1",
            reason="the local sandbox needs Linux, root and unshare (CI runs as root)",
        ),
        # its sandboxes run under the sandbox uids, which tests/grading checks are free
        # of processes after each run: never at the same time as those
        pytest.mark.xdist_group("grading"),
    )
    marks = {
        "da_lorenz96_etkf.py": needs_dapper,
        "da_dapper_methods.py": needs_dapper,
        "grading_throughput.py": needs_sandbox,
        "hub_load.py": needs_sandbox,
    }
    return [pytest.param(name, marks=marks.get(name, ()), id=name.removesuffix(".py")) for name in TABLES]


@pytest.mark.parametrize("script", _params())
def test_benchmark_runs_quick_from_a_fresh_clone(fresh_clone: Path, script: str) -> None:
    before = _files(fresh_clone)
    result = run_script(fresh_clone, script, "--quick")
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{script} --quick exited {result.returncode}:\n{output[-4000:]}"
    missing = [line for line in TABLES[script] if line not in result.stdout]
    assert not missing, f"{script} --quick did not print {missing}:\n{result.stdout[-4000:]}"
    written = sorted(_files(fresh_clone) - before)
    assert not written, f"{script} wrote into the checkout: {written[:10]}"


def test_dapper_benchmark_without_dapper_stops_with_how_to_install_it(
    fresh_clone: Path, tmp_path: Path
) -> None:
    """Hidden or missing, DAPPER's absence ends the script at once with the install command."""
    hide = tmp_path / "hide-dapper"
    (hide / "dapper").mkdir(parents=True)
    (hide / "dapper" / "__init__.py").write_text('raise ImportError("DAPPER hidden by the test")\n')
    result = run_script(fresh_clone, "da_lorenz96_etkf.py", "--quick", extra_path=(str(hide),))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip().endswith(DAPPER_MESSAGE), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
