"""The nbgrader course ``dlgd``: directories, configuration and the assignments it holds.

The course root (the repository, or a copy of its ``nbgrader_config.py`` and ``solutions/``;
found by :func:`autograder.locate.course_root`) is the nbgrader course root: ``solutions/`` is
the source directory and ``exercises/`` the release directory. Instructor-side state (gradebook, exchange,
``submitted/``, ``autograded/``, ``feedback/``) lives outside the repository in a per-user
data directory, ``$DLGD_COURSE_DATA`` or else ``$XDG_DATA_HOME/dlgd-course`` (default
``~/.local/share/dlgd-course``); the exchange is ``<data>/exchange`` unless ``$DLGD_EXCHANGE``
names a shared one (a JupyterHub's, see :mod:`autograder.hub`).

Known nbgrader 0.9.6 traps handled here:

- anything on stderr makes a passing test cell score 0: ``IgnorePattern`` drops stderr
  chunks that are warnings or Lightning banners (enabled, pattern :data:`IGNORED_STDERR`);
- ``nbgrader validate`` ignores ``IgnorePattern`` (its preprocessor list is not
  configurable) and exits 0 even when tests fail: :func:`autograder.grading.validate_notebook`
  adds ``IgnorePattern`` and returns a verdict with an exit code;
- the only execution limit is per cell: ``Execute.timeout`` (:data:`CELL_TIMEOUT_S`);
- feedback shows hidden tests by default: ``GenerateFeedback`` runs
  :class:`~autograder.preprocessors.StripHiddenTests` (hidden test source and the
  tracebacks that quote it are removed);
- the feedback and formgrade pages load MathJax from a CDN (raw TeX offline): they get the
  course's own MathJax inline instead (:mod:`autograder.offline_math`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from traitlets.config import Config

from autograder.locate import SOURCE_DIRECTORY, course_root
from dlgd_course.selfcheck import IGNORED_STDERR

COURSE_ID = "dlgd"
RELEASE_DIRECTORY = "exercises"
DATA_ENV_VAR = "DLGD_COURSE_DATA"
#: The nbgrader exchange's root when it is not ``<data>/exchange``: a hub's shared exchange.
EXCHANGE_ENV_VAR = "DLGD_EXCHANGE"

# Per-cell execution limit (s). A whole solution notebook must autograde in <= 120 s on a
# 2-core CPU; one cell may take all of it (training), so the per-cell limit is the same.
CELL_TIMEOUT_S = 120

ASSIGNMENT_NAME = re.compile(r"^\d\d-[a-z0-9]+(-[a-z0-9]+)*$")


def data_dir() -> Path:
    """The instructor-side data directory (not created here)."""
    configured = os.environ.get(DATA_ENV_VAR)
    if configured:
        return Path(configured).expanduser().resolve()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser().resolve() / "dlgd-course"


def assignments(root: Path | str | None = None) -> list[str]:
    """Assignment ids: the folders of ``<root>/solutions`` that hold ``<id>/<id>.ipynb``
    (``root``: the course root, default :func:`~autograder.locate.course_root`).

    Raises ``ValueError`` for a folder whose name breaks the ``NN-slug`` convention or that
    lacks its notebook.
    """
    source = course_root(root) / SOURCE_DIRECTORY
    if not source.is_dir():
        raise ValueError(f"the course root {source.parent} has no {SOURCE_DIRECTORY}/ folder")
    found = []
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        if not ASSIGNMENT_NAME.match(folder.name):
            raise ValueError(
                f"assignment folder {folder} is not named NN-slug (two digits, lower-case words)"
            )
        if not (folder / f"{folder.name}.ipynb").is_file():
            raise ValueError(f"assignment folder {folder} lacks its notebook {folder.name}.ipynb")
        found.append(folder.name)
    return found


def course_config(
    root: Path | str | None = None,
    data: Path | str | None = None,
    *,
    source_directory: str = SOURCE_DIRECTORY,
    release_directory: str = RELEASE_DIRECTORY,
    cell_timeout: int = CELL_TIMEOUT_S,
    db_url: str | None = None,
) -> Config:
    """nbgrader configuration of the course with its root at ``root`` (default
    :func:`~autograder.locate.course_root`).

    ``data`` (default :func:`data_dir`) holds ``gradebook.db``, ``exchange/``,
    ``submitted/``, ``autograded/`` and ``feedback/``. Directory names may be absolute.
    ``db_url`` replaces the SQLite gradebook, e.g. ``postgresql+psycopg://user@host/dlgd``.
    """
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from autograder.offline_math import configure as offline_math
    from autograder.preprocessors import StripHiddenTests

    if cell_timeout <= 0:
        raise ValueError(f"cell_timeout must be positive seconds, got {cell_timeout!r}")
    data_path = Path(data).resolve() if data is not None else data_dir()
    c = Config()
    c.CourseDirectory.course_id = COURSE_ID
    root_path = course_root(root)
    c.CourseDirectory.root = str(root_path)
    c.CourseDirectory.source_directory = source_directory
    c.CourseDirectory.release_directory = release_directory
    c.CourseDirectory.submitted_directory = str(data_path / "submitted")
    c.CourseDirectory.autograded_directory = str(data_path / "autograded")
    c.CourseDirectory.feedback_directory = str(data_path / "feedback")
    if db_url is not None and not db_url.startswith(("sqlite:", "postgresql", "mysql")):
        raise ValueError(
            f"db_url {db_url!r} is not an SQLAlchemy URL (sqlite:///..., postgresql+psycopg://...)"
        )
    c.CourseDirectory.db_url = db_url or f"sqlite:///{data_path / 'gradebook.db'}"
    c.Exchange.root = os.environ.get(EXCHANGE_ENV_VAR) or str(data_path / "exchange")
    c.Exchange.path_includes_course = True
    c.merge(execution_settings(cell_timeout))
    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, StripHiddenTests]
    return offline_math(c, root_path)


def execution_settings(cell_timeout: int = CELL_TIMEOUT_S) -> Config:
    """How the course runs a notebook, wherever it runs (autograding, *Validate*, a student's
    server without the course): the per-cell limit, the stderr filter and the stub of an
    unwritten answer. Needs no course root."""
    c = Config()
    c.Execute.timeout = cell_timeout
    c.Execute.interrupt_on_timeout = True
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = IGNORED_STDERR
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    return c


def ensure_state_directories(config: Config) -> None:
    """Create the folder of a SQLite gradebook and the exchange root when missing
    (nbgrader fails with 'unable to open database file' otherwise)."""
    db_url = str(config.CourseDirectory.get("db_url", ""))
    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    exchange = config.get("Exchange", {}).get("root")
    if exchange:
        Path(str(exchange)).mkdir(parents=True, exist_ok=True)
