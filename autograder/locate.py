"""Where the course is: the folder that the instructor's tools work on.

The grading tools never guess the course from where their own code lies (``__file__``):
installed from a wheel, that is ``site-packages``. The course root is, in this order,

1. the folder given explicitly (``--course-root`` of ``dlgd-grade``, ``--root`` of the
   other tools, or the ``root`` argument of a function);
2. ``$DLGD_COURSE_ROOT``;
3. the current folder or the nearest folder above it that holds both ``nbgrader_config.py``
   and ``solutions/`` (a clone of the repository is one; nbgrader itself runs from there).

Standard library only: :mod:`autograder.wheelhouse` uses it before any environment exists.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT_ENV_VAR = "DLGD_COURSE_ROOT"
CONFIG_FILE = "nbgrader_config.py"
SOURCE_DIRECTORY = "solutions"


class CourseNotFound(ValueError):
    """No course root was given and none was found from the current folder upwards."""


def course_root(explicit: Path | str | None = None, start: Path | str | None = None) -> Path:
    """The course root, resolved (see the module doc); ``start`` (default: the current
    folder) is where the upward search begins.

    Raises :class:`CourseNotFound` (a ``ValueError``) naming what to set when an explicit or
    configured root is not a folder, or when no course is found.
    """
    for given, origin in ((explicit, "the course root given"), (os.environ.get(ROOT_ENV_VAR), ROOT_ENV_VAR)):
        if given:
            root = Path(given).expanduser().resolve()
            if not root.is_dir():
                raise CourseNotFound(f"{origin} ({root}) is not a folder")
            return root
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file() and (folder / SOURCE_DIRECTORY).is_dir():
            return folder
    raise CourseNotFound(
        f"no course found from {here} upwards (a folder holding {CONFIG_FILE} and "
        f"{SOURCE_DIRECTORY}/): run from the course folder, pass its path (--course-root or "
        f"--root), or set {ROOT_ENV_VAR}"
    )


def course_root_option(value: str) -> Path:
    """The argparse ``type`` of a tool's ``--root`` option (give it ``default=""``, which
    argparse converts too): :func:`course_root` of ``value``, ``""`` meaning not given; a
    course that is not found is a usage error that names what to set."""
    try:
        return course_root(value or None)
    except CourseNotFound as error:
        raise argparse.ArgumentTypeError(str(error)) from None
