"""A wheelhouse: every wheel needed to install the course on a GPU node without internet.

``make wheelhouse`` (or ``python -m autograder.wheelhouse``) builds the course's own wheel,
downloads binary wheels of torch, ``dlgd-course[grading]`` and pytest (for ``make
gpu-check``) for a target Python and platform, then proves the folder is complete by
resolving the offline install against it alone (``pip install --dry-run --no-index``).
The target defaults to this interpreter and machine; for a GPU node give e.g.
``--python 3.12 --platform manylinux_2_28_x86_64 --torch torch==2.11.0``. On the node::

    pip install --no-index --find-links wheelhouse torch==2.11.0
    pip install --no-index --find-links wheelhouse "dlgd-course[grading]" "pytest>=8,<10"

The project is the course root with its ``pyproject.toml`` (``--root``, else
``$DLGD_COURSE_ROOT``, else the course around the current folder: :mod:`autograder.locate`).
Standard library only (pip is called as a subprocess), so it runs before any environment
exists.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

from autograder.locate import CourseNotFound, course_root

PROJECT = "dlgd-course"
EXTRA = "grading"
# Packages nbgrader's autograding needs in an image that has PyTorch but no Jupyter
# (measured; listed in ARCHITECTURE.md, "GPU runners"). The offline check fails if one is missing.
AUTOGRADING_STACK = (
    "nbgrader",
    "nbconvert",
    "nbclient",
    "nbformat",
    "ipykernel",
    "ipython",
    "jupyter-client",
    "jupyter-core",
    "jupyter-server",
    "traitlets",
    "tornado",
    "pyzmq",
    "sqlalchemy",
    "alembic",
    "mako",
    "rapidfuzz",
    "mistune",
    "bleach",
    "tinycss2",
    "beautifulsoup4",
    "jsonschema",
)
# What ``make gpu-check`` runs besides the course: pytest, with the bounds of the dev extra.
TEST_RUNNER = "pytest"
# pip settings that would let the offline check see anything but the wheelhouse.
_PIP_SOURCES = ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX")


@dataclass(frozen=True)
class Target:
    """The interpreter and platform the wheels are for; ``None`` means this machine's."""

    python: str | None = None
    platform: str | None = None

    def __post_init__(self) -> None:
        if self.python is not None and not re.fullmatch(r"3\.\d{1,2}", self.python):
            raise ValueError(f"python must look like '3.12', got {self.python!r}")
        if self.platform is not None and not re.fullmatch(r"[a-z0-9_]+", self.platform):
            raise ValueError(f"platform must be a wheel platform tag, got {self.platform!r}")

    def pip_options(self) -> list[str]:
        """pip options selecting binary wheels for this target."""
        options = ["--only-binary=:all:"]
        for tag in platform_tags(self.platform) if self.platform else []:
            options += ["--platform", tag]
        if self.python:
            options += [
                "--python-version",
                self.python,
                "--implementation",
                "cp",
                "--abi",
                "cp" + self.python.replace(".", ""),
            ]
        return options

    def describe(self) -> str:
        python = self.python or "{}.{}".format(*sys.version_info[:2])
        return f"CPython {python} on {self.platform or 'this machine'}"


# glibc minor version → legacy manylinux alias (PEP 599, PEP 571, PEP 513)
_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def platform_tags(platform: str) -> list[str]:
    """The wheel platform tags a ``platform`` accepts, newest first.

    pip's ``--platform`` takes each tag literally, so ``manylinux_2_28_x86_64`` would refuse
    the many wheels tagged ``manylinux_2_17``; a PEP 600 tag is expanded to every older glibc
    (down to 2.5 on x86, 2.17 elsewhere) and its legacy aliases.
    """
    match = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", platform)
    if not match:
        return [platform]
    newest, arch = int(match[1]), match[2]
    oldest = 5 if arch in ("x86_64", "i686") else 17
    tags = []
    for minor in range(newest, oldest - 1, -1):
        tags.append(f"manylinux_2_{minor}_{arch}")
        if minor in _LEGACY_MANYLINUX:
            tags.append(f"{_LEGACY_MANYLINUX[minor]}_{arch}")
    return tags


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pip(args: Sequence[str], env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "pip", *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def project_root(root: Path | str | None = None) -> Path:
    """The course root ``root`` (default :func:`~autograder.locate.course_root`), checked to be
    the project: its ``pyproject.toml`` names :data:`PROJECT`. Raises ``ValueError`` otherwise."""
    folder = course_root(root)
    pyproject = folder / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text()).get("project", {}) if pyproject.is_file() else {}
    if project.get("name") != PROJECT:
        raise CourseNotFound(
            f"{folder} is not the {PROJECT} project (no pyproject.toml naming it): pass the "
            f"repository's folder (--root) or set $DLGD_COURSE_ROOT"
        )
    return folder


def build_project_wheel(dest: Path, root: Path | str | None = None) -> Path:
    """Build the course's own (pure-Python) wheel from the project :func:`project_root` of
    ``root`` into ``dest``, replacing older ones."""
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("dlgd_course-*.whl"):
        old.unlink()
    _pip(["wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(project_root(root))])
    (wheel,) = dest.glob("dlgd_course-*.whl")
    return wheel


def wheel_requirements(wheel: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(name).decode())
    return metadata.get_all("Requires-Dist") or []


def pytest_requirement(root: Path | str | None = None) -> str:
    """pytest's requirement as the dev extra of the project :func:`project_root` of ``root``
    bounds it (e.g. ``pytest>=8,<10``)."""
    root = project_root(root)
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for requirement in extras.get("dev", []):
        name = re.match(r"[A-Za-z0-9_.-]+", requirement)
        if name and _normalise(name.group()) == TEST_RUNNER:
            return requirement.replace(" ", "")
    raise ValueError(f"{root}/pyproject.toml has no {TEST_RUNNER} requirement in its dev extra")


def offline_requirements(torch_spec: str, root: Path | str | None = None) -> list[str]:
    """What a GPU node installs from the wheelhouse: torch, the course with grading, pytest."""
    return [torch_spec, f"{PROJECT}[{EXTRA}]", pytest_requirement(root)]


def resolve(requirements: Sequence[str], target: Target, *, wheelhouse: Path | None) -> dict[str, str]:
    """Resolve an install for ``target`` without installing: name → version.

    ``wheelhouse`` given: offline, against that folder alone (pip's configured indexes and
    find-links are ignored). ``None``: against pip's configured indexes.
    """
    env = dict(os.environ)
    sources: list[str] = []
    if wheelhouse is not None:
        for name in _PIP_SOURCES:
            env.pop(name, None)
        env["PIP_CONFIG_FILE"] = os.devnull
        sources = ["--no-index", "--find-links", str(wheelhouse)]
    with tempfile.TemporaryDirectory(prefix="dlgd-wheelhouse-") as tmp:
        report = Path(tmp) / "report.json"
        _pip(
            [
                "install",
                "--dry-run",
                "--ignore-installed",
                "--quiet",
                "--report",
                str(report),
                "--target",
                str(Path(tmp) / "target"),
                *sources,
                *target.pip_options(),
                *requirements,
            ],
            env=env,
        )
        installed = json.loads(report.read_text())["install"]
    return {_normalise(item["metadata"]["name"]): item["metadata"]["version"] for item in installed}


def missing_autograding_packages(resolved: dict[str, str]) -> list[str]:
    """The packages of :data:`AUTOGRADING_STACK` (and torch) that a resolution lacks."""
    return [name for name in ("torch", *AUTOGRADING_STACK) if _normalise(name) not in resolved]


def build(
    dest: Path, torch_spec: str, target: Target, root: Path | str | None = None
) -> tuple[list[str], dict[str, str]]:
    """Fill ``dest`` with the wheels of the offline install and check it resolves offline.

    Returns the requirements of the offline install and its resolution (name → version).
    Raises ``RuntimeError`` when a download fails or the folder misses a package nbgrader's
    autograding needs.
    """
    wheel = build_project_wheel(dest, root)
    requirements = offline_requirements(torch_spec, root)
    # the local wheel stands in for dlgd-course, whose wheel is on no index
    _pip(
        [
            "download",
            "--quiet",
            "--dest",
            str(dest),
            *target.pip_options(),
            torch_spec,
            f"{wheel}[{EXTRA}]",
            requirements[2],
        ]
    )
    resolved = resolve(requirements, target, wheelhouse=dest)
    missing = missing_autograding_packages(resolved)
    if missing:
        raise RuntimeError(f"the wheelhouse {dest} resolves without {', '.join(missing)}")
    return requirements, resolved


def install_commands(dest: Path, requirements: Sequence[str]) -> list[str]:
    """The two commands that install from the wheelhouse on a machine without internet."""
    pip = "pip install --no-index --find-links " + shlex.quote(str(dest))
    return [
        f"{pip} {shlex.quote(requirements[0])}",
        f"{pip} {' '.join(shlex.quote(r) for r in requirements[1:])}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.wheelhouse", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--root", type=Path, help="the project (default: the course around the current one)")
    parser.add_argument("--dest", type=Path, help="output folder (default: <root>/wheelhouse)")
    parser.add_argument("--python", help="target Python, e.g. 3.12 (default: this interpreter's)")
    parser.add_argument("--platform", help="target wheel platform, e.g. manylinux_2_28_x86_64")
    parser.add_argument("--torch", default="torch==2.13.0", help="torch requirement (default torch==2.13.0)")
    parser.add_argument("--no-deps", action="store_true", help="only build the course's own wheel")
    parser.add_argument(
        "--print-pytest-requirement",
        action="store_true",
        help="print pytest's requirement (for the container recipes) and stop",
    )
    args = parser.parse_args(argv)
    try:
        root = project_root(args.root)
    except CourseNotFound as error:
        parser.error(str(error))
    if args.print_pytest_requirement:
        print(pytest_requirement(root))
        return 0
    target = Target(args.python, args.platform)
    dest = (args.dest or root / "wheelhouse").resolve()
    start = time.perf_counter()
    if args.no_deps:
        print(f"built {build_project_wheel(dest, root)}")
        return 0
    requirements, resolved = build(dest, args.torch, target, root)
    wheels = list(dest.glob("*.whl"))
    size = sum(w.stat().st_size for w in wheels) / 2**20
    print(
        f"{len(wheels)} wheels, {size:.0f} MiB in {dest} for {target.describe()} "
        f"({time.perf_counter() - start:.0f} s); offline install resolves {len(resolved)} packages, "
        f"torch {resolved['torch']}"
    )
    print("Install on a machine without internet (inside a virtual environment):")
    for command in install_commands(dest, requirements):
        print("  " + command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
