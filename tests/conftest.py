"""Suite-wide settings: a private dataset cache per test session, deterministic torch, and the
integrity table of the graded notebooks.

The pipeline tests (tests/pipeline) record every student they grade in
``test-artifacts/integrity/``; at the end of the session the xdist controller (or the only
process) turns them into ``test-artifacts/integrity.md``: per assignment, the honest score, the
points each lazy strategy kept on the parts it faked (of the points at stake there), the points
each mistake kept on the cells it breaks, and the score with each part left blank.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parent.parent
INTEGRITY_DIR = REPO / "test-artifacts" / "integrity"

# The tests grade copies of the course outside the repository, which have no MathJax of their
# own (`make mathjax` installs it into the repository's book/_mathjax): name the repository's
# copy, as an instructor with a course outside a checkout does (autograder.offline_math).
os.environ.setdefault("DLGD_MATHJAX_DIR", str(REPO / "book" / "_mathjax" / "mathjax" / "es5"))


# Set by the outermost session: a pytest run started by a test (``make gpu-check`` runs one)
# neither clears the records nor writes the table.
_OWNER_VARIABLE = "DLGD_INTEGRITY_SESSION"


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput") and _OWNER_VARIABLE not in os.environ:
        os.environ[_OWNER_VARIABLE] = str(os.getpid())
        for old in INTEGRITY_DIR.glob("*.json"):
            old.unlink()


def pytest_sessionfinish(session: pytest.Session) -> None:
    owner = os.environ.get(_OWNER_VARIABLE) == str(os.getpid())
    if owner and not hasattr(session.config, "workerinput") and any(INTEGRITY_DIR.glob("*.json")):
        (INTEGRITY_DIR.parent / "integrity.md").write_text(integrity_table())


def _score(record: dict | None) -> str:
    return f"{record['score']:g}/{record['total']:g}" if record else "–"


def _kept(record: dict) -> str:
    """Points a mutant kept on the cells it must lose, of those at stake."""
    stake = record["at_stake"]
    kept = sum(record["scores"][cell] for cell in stake)
    full = sum(1 for cell in stake if record["scores"][cell] > 0)
    return f"{kept:g}" + (f" ({full} cells)" if full else "")


def integrity_table() -> str:
    """Markdown table of the recorded students (see the module's documentation)."""
    by_assignment: dict[str, dict[str, dict]] = defaultdict(dict)
    for path in sorted(INTEGRITY_DIR.glob("*.json")):
        record = json.loads(path.read_text())
        by_assignment[record["assignment"]][record["student"]] = record
    lines = [
        "| assignment | honest | untouched | lazy: points kept on the faked parts | "
        "mistakes: points kept on the broken cells | each part blank: score (expected) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for assignment, students in sorted(by_assignment.items()):
        kinds: dict[str, dict[str, dict]] = defaultdict(dict)
        for name, record in students.items():
            kind, _, label = name.partition(":")
            kinds[kind][label] = record
        complete = students.get("complete", {}).get("scores", {})
        lazy = "; ".join(
            f"{name} {_kept(r)} of {sum(complete.get(c, 0) for c in r['at_stake']):g}"
            for name, r in sorted(kinds["lazy"].items())
        )
        mistakes = ", ".join(_kept(r) for _, r in sorted(kinds["mistake"].items()))
        blanks = []
        for part, record in sorted(kinds["blank"].items()):
            own = sum(v for k, v in complete.items() if k in (f"test_{part}", f"test_{part}_hidden"))
            blanks.append(f"{part} {record['score']:g} ({record['total'] - own:g})")
        lines.append(
            f"| {assignment} | {_score(students.get('complete'))} | "
            f"{_score(students.get('empty'))} | {lazy or '–'} | {mistakes or '–'} | "
            f"{'; '.join(blanks) or '–'} |"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session", autouse=True)
def private_dataset_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep generated datasets out of the user's cache (``DLGD_CACHE_DIR``) during the tests."""
    previous = os.environ.get("DLGD_CACHE_DIR")
    os.environ["DLGD_CACHE_DIR"] = str(tmp_path_factory.mktemp("dlgd-cache"))
    yield
    if previous is None:
        os.environ.pop("DLGD_CACHE_DIR", None)
    else:
        os.environ["DLGD_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files of a fresh clone of the working tree (those git tracks or would track, as they
    are now: no ``test-artifacts/``, no ``book/_mathjax/``, no build output) in a new temporary
    folder, for the checks of what a newcomer's clone does (benchmarks, packaging)."""
    import shutil

    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    clone = tmp_path_factory.mktemp("fresh-clone")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # listed but deleted in the working tree: not in a clone either
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    assert not (clone / "test-artifacts").exists() and (clone / "pyproject.toml").is_file()
    return clone


@pytest.fixture(scope="session")
def course_wheel(fresh_clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course's wheel, what ``make wheel`` builds and students install, built from a copy of
    the fresh clone (so that nothing of a test run gets into it)."""
    import shutil

    base = tmp_path_factory.mktemp("course-wheel")
    project, dist = base / "project", base / "dist"
    shutil.copytree(fresh_clone, project)
    built = subprocess.run(
        [sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_wheel({str(dist)!r})"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("*.whl")
    return wheel


@pytest.fixture(scope="session")
def course_mathjax() -> Path:
    """The course's offline MathJax, which nbgrader's feedback pages inline
    (:mod:`autograder.offline_math`): installed with ``make mathjax`` when missing (an install
    step, like pip; ``make test`` runs it first)."""
    from autograder.offline_math import MATHJAX_SCRIPT, mathjax_dir

    script = mathjax_dir() / MATHJAX_SCRIPT
    if not script.is_file():
        subprocess.run(["make", "-C", str(REPO), "mathjax"], check=True)
    return script


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """The test runs torch on one CPU thread (restored after): small tensors gain nothing from
    threads, and on the shared 2-core machine extra threads contend with the other workers."""
    from dlgd_course.device import single_thread

    with single_thread():
        yield


@pytest.fixture
def generator() -> torch.Generator:
    """A CPU generator with a fixed seed."""
    return torch.Generator().manual_seed(1234)
