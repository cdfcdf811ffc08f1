"""Host-side steps of grading one submission: find, sanitise, score, record.

nbgrader's ``autograde`` sanitises, executes and scores in one process with the
instructor's rights. Here the steps that need the gradebook stay on the host, with
nbgrader's own preprocessors, and execution moves to a sandbox (:mod:`autograder.sandbox`):

1. :func:`find_submissions` — ``submitted/<student>/<assignment>/`` folders, each with a
   SHA-256 digest of its notebooks;
2. :func:`sanitise` — each notebook located (a misnamed or nested one found when it is the
   only candidate; symbolic links and other non-files never read), read and repaired as
   far as it can be (:func:`read_notebook`: the JSON structure; the course's
   :class:`~autograder.preprocessors.RestoreAssignmentCells`: the nbgrader metadata, from the
   gradebook), then nbgrader's preprocessors (locked and hidden cells restored, outputs
   cleared, the course's kernelspec set). What was repaired is listed in the problems; a
   notebook that is missing or cannot be repaired is scored 0 without being executed, with
   the reason, and the submission is *not graded normally*;
3. (a worker executes the sanitised notebook in a sandbox);
4. :func:`score` — nbgrader's scoring preprocessors on the executed notebook (stderr
   warnings ignored, outputs limited, grades saved), written to ``autograded/``;
5. :func:`record` — a marker ``autograded/<student>/<assignment>/.dlgd-grading.json``
   (digest, scores, problems, reasons for review, timings), written last and atomically: a submission is
   graded when its marker matches its digest, so an interrupted run resumes and a re-run
   skips it unless forced.

The host is the gradebook's only writer (SQLite or PostgreSQL through ``db_url``).

Failures are per submission: what a submission contains never raises out of these steps
(it is recorded as the reason of a 0, see :attr:`GradingRecord.not_graded_normally`); an
error of the infrastructure (the gradebook unreachable, a disk full:
:func:`is_infrastructure_error`) does, so that the submission stays ungraded for a re-run.
The student's submitted files are only read, never written.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import tempfile
import uuid
import warnings
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from traitlets.config import Config

from autograder.grading import NotebookScore, prepare_nbgrader
from autograder.preprocessors import RestoreAssignmentCells, UnrepairableNotebook

MARKER = ".dlgd-grading.json"
# A notebook larger than this is not read (outputs are cleared anyway: a real submission of
# this course is well under 1 MiB without them). Tests lower it.
MAX_NOTEBOOK_BYTES = 64 * 2**20
# How deep notebooks are looked for inside a submitted folder (a student who submitted the
# folder that holds the assignment's folder has it one level down).
MAX_DEPTH = 3
NBFORMAT_MINOR = nbformat.v4.nbformat_minor


@dataclass(frozen=True)
class Submission:
    """One student's submitted assignment folder and the digest of its notebooks."""

    student_id: str
    assignment_id: str
    folder: Path
    digest: str

    @property
    def key(self) -> str:
        return f"{self.assignment_id}/{self.student_id}"


@dataclass
class SanitisedSubmission:
    """Notebooks ready to execute (``notebook_id`` → notebook) and the problems found.

    ``missing``: notebooks scored 0 without being executed (missing, unreadable, not this
    assignment's); ``not_graded_normally``: the reasons, one per such notebook (they are in
    ``problems`` too).
    """

    submission: Submission
    notebooks: dict[str, NotebookNode]
    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    not_graded_normally: list[str] = field(default_factory=list)

    def fail(self, notebook_id: str, reason: str) -> None:
        """Score ``notebook_id`` 0 without executing it, for ``reason``."""
        text = f"{notebook_id}.ipynb: {reason}; scored 0"
        self.notebooks.pop(notebook_id, None)
        if notebook_id not in self.missing:
            self.missing.append(notebook_id)
        self.problems.append(text)
        self.not_graded_normally.append(text)


@dataclass
class GradingRecord:
    """What :func:`record` writes for one graded submission.

    ``needs_review``: why an instructor should look at it (the submission changed how cells
    run, see :mod:`autograder.kernel_guard`); empty when nothing is suspect.
    ``not_graded_normally``: notebooks scored 0 because the grader could not grade them (not
    found, unreadable, not this assignment's, an error of the grader on this submission), one
    reason each; empty for a submission graded normally. Markers written before a field
    existed read it as empty. ``scores``: notebook → grade_id → ``score``, ``max_score``,
    ``written`` (a written answer, graded by hand) and ``needs_manual_grade`` (nbgrader's flag);
    :func:`autograder.report.load_records` brings them up to date with the gradebook (manual
    grades are given after grading).
    """

    student_id: str
    assignment_id: str
    digest: str
    scores: dict[str, dict[str, dict[str, float]]]
    problems: list[str]
    execution_seconds: float
    wall_seconds: float
    needs_review: list[str] = field(default_factory=list)
    not_graded_normally: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(cell["score"] for cells in self.scores.values() for cell in cells.values())

    @property
    def max_score(self) -> float:
        return sum(cell["max_score"] for cells in self.scores.values() for cell in cells.values())

    @property
    def awaiting_manual_grade(self) -> int:
        """How many written answers no instructor has graded yet."""
        return sum(
            bool(cell.get("written") and cell.get("needs_manual_grade"))
            for cells in self.scores.values()
            for cell in cells.values()
        )

    @classmethod
    def from_json(cls, text: str) -> GradingRecord:
        """A marker's record; keys of another version of the grader are ignored
        (``ValueError`` or ``TypeError`` when it is not a marker)."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a grading marker holds a JSON object")
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def is_infrastructure_error(error: BaseException) -> bool:
    """Whether ``error`` is the grading infrastructure's (the gradebook's database, the disk
    the grader writes to, the course's own install such as its offline MathJax), not a
    submission's: the submission is then left ungraded for a re-run instead of being scored 0,
    and a step over the whole class stops with the message."""
    from sqlalchemy.exc import SQLAlchemyError

    from autograder.offline_math import MathJaxMissing

    if isinstance(error, SQLAlchemyError | MemoryError | MathJaxMissing):
        return True
    return isinstance(error, OSError) and error.errno in {errno.ENOSPC, errno.EIO, errno.EROFS, errno.EDQUOT}


def describe(error: BaseException) -> str:
    """``ExceptionName: first line of the message`` (at most 300 characters)."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= 300 else text[:297] + "..."


def _coursedir(config: Config, assignment_id: str = "", student_id: str = "*") -> object:
    from nbgrader.coursedir import CourseDirectory

    config = Config(config)
    if assignment_id:
        config.CourseDirectory.assignment_id = assignment_id
    config.CourseDirectory.student_id = student_id
    return CourseDirectory(config=config)


def gradebook(config: Config) -> object:
    """The course's nbgrader ``Gradebook`` (open it with ``with``)."""
    from nbgrader.api import Gradebook

    prepare_nbgrader()
    return Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id)


def expected_notebooks(config: Config, assignment_id: str) -> list[str]:
    """Notebook ids of ``assignment_id`` in the gradebook; ``ValueError`` when it is not there."""
    from nbgrader.api import MissingEntry

    with gradebook(config) as gb:  # type: ignore[attr-defined]
        try:
            return [notebook.name for notebook in gb.find_assignment(assignment_id).notebooks]
        except MissingEntry:
            raise ValueError(
                f"assignment {assignment_id!r} is not in the gradebook "
                f"{config.CourseDirectory.db_url}: generate it first (nbgrader generate_assignment)"
            ) from None


def _notebook_entries(folder: Path) -> list[tuple[str, Path]]:
    """``(path relative to folder, path)`` of every entry named ``*.ipynb`` in ``folder`` and its
    subfolders down to :data:`MAX_DEPTH` (hidden subfolders such as ``.ipynb_checkpoints`` and
    symbolic links to folders not entered), sorted; files, links and anything else alike."""
    found: list[tuple[str, Path]] = []

    def walk(current: Path, prefix: str, depth: int) -> None:
        try:
            with os.scandir(current) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError:
            return
        for entry in listed:
            relative = prefix + entry.name
            if entry.name.lower().endswith(".ipynb"):
                found.append((relative, Path(entry.path)))
            elif depth < MAX_DEPTH and not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                walk(Path(entry.path), relative + "/", depth + 1)

    walk(folder, "", 1)
    return sorted(found)


def _digest(folder: Path) -> str:
    """SHA-256 of the notebooks of a submitted folder (names and bytes; a link by its target).
    Top-level notebooks hash as before nested ones were looked for: markers stay valid."""
    digest = hashlib.sha256()
    if os.path.islink(folder):  # never followed (sanitise reports it)
        digest.update(b"\0symlink:" + os.fsencode(os.readlink(folder)))
        return digest.hexdigest()
    for relative, path in _notebook_entries(folder):
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                digest.update(b"\0symlink:" + os.fsencode(os.readlink(path)))
            elif not stat.S_ISREG(info.st_mode):
                digest.update(f"\0not a file: {stat.S_IFMT(info.st_mode)}".encode())
            else:
                with open(path, "rb") as stream:
                    while chunk := stream.read(1 << 20):
                        digest.update(chunk)
        except OSError as error:
            digest.update(f"\0unreadable: {error.errno}".encode())
    return digest.hexdigest()


def find_submissions(
    config: Config, assignment_id: str, students: list[str] | None = None
) -> list[Submission]:
    """Submitted folders of ``assignment_id`` (all students, or those named), sorted by student.

    Never reads through a symbolic link nor opens anything but a regular file; an odd entry
    (a file where the folder should be, a folder named ``*.ipynb``) is still listed, and
    :func:`sanitise` reports it.
    """
    root = Path(config.CourseDirectory.submitted_directory)
    if not root.is_absolute():
        root = Path(config.CourseDirectory.root) / root
    found = []
    for folder in sorted(root.glob(f"*/{assignment_id}")):
        student_id = folder.parent.name
        if students is not None and student_id not in students:
            continue
        found.append(Submission(student_id, assignment_id, folder, _digest(folder)))
    if students is not None:
        unknown = sorted(set(students) - {s.student_id for s in found})
        if unknown:
            raise ValueError(f"no submission of {assignment_id} from: {', '.join(unknown)}")
    return found


def autograded_folder(config: Config, submission: Submission) -> Path:
    coursedir = _coursedir(config)
    return Path(
        coursedir.format_path(  # type: ignore[attr-defined]
            config.CourseDirectory.autograded_directory, submission.student_id, submission.assignment_id
        )
    )


def read_record(config: Config, submission: Submission) -> GradingRecord | None:
    """The marker of a submission's last grading, or ``None`` (never graded, or unreadable)."""
    path = autograded_folder(config, submission) / MARKER
    try:
        return GradingRecord.from_json(path.read_text())
    except (OSError, ValueError, TypeError, KeyError):
        return None


def is_graded(config: Config, submission: Submission) -> bool:
    record = read_record(config, submission)
    return record is not None and record.digest == submission.digest


def _resources(config: Config, submission: Submission, notebook_id: str) -> dict:
    return {
        "unique_key": notebook_id,
        "output_files_dir": f"{notebook_id}_files",
        "nbgrader": {
            "student": submission.student_id,
            "assignment": submission.assignment_id,
            "notebook": notebook_id,
            "db_url": config.CourseDirectory.db_url,
        },
    }


def _apply(preprocessors: list, config: Config, nb: NotebookNode, resources: dict) -> NotebookNode:
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's gradebook autoflush warnings
        for cls in preprocessors:
            preprocessor = cls(config=config)
            preprocessor.log.setLevel("CRITICAL")  # what they warn about is in the problems
            nb, resources = preprocessor(nb, resources)  # a disabled one returns nb unchanged
    return nb


# --- reading a notebook ------------------------------------------------------------------------

_CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


def _read_file(path: Path) -> bytes:
    """The bytes of a regular file, never through a symbolic link, at most
    :data:`MAX_NOTEBOOK_BYTES`; :class:`UnrepairableNotebook` otherwise."""
    size = _check_entry(path)
    if size > MAX_NOTEBOOK_BYTES:
        raise UnrepairableNotebook(
            f"{path.name} is {size:,} bytes, over the grader's limit of {MAX_NOTEBOOK_BYTES:,} bytes"
        )
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(handle, "rb") as stream:
        data = stream.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise UnrepairableNotebook(f"{path.name} is over the grader's limit of {MAX_NOTEBOOK_BYTES:,} bytes")
    return data


def read_notebook(data: bytes) -> tuple[NotebookNode, list[str]]:
    """A submitted notebook's bytes as a valid nbformat-4 notebook, and what was repaired.

    Repairs what a student's editor or hand can do to the JSON: an older nbformat (converted),
    a newer minor version (read as 4.5), cells that are not objects (removed) or of an unknown
    type (kept as raw cells, not run), sources given as lists or not text, metadata that is
    not an object or breaks the schema, outputs and attachments where the type has none,
    missing or duplicated cell ids. Outputs are dropped (they are cleared before execution).
    Raises :class:`UnrepairableNotebook` for what is not a notebook: not JSON, not an
    object, no list of cells, an nbformat newer than 4.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnrepairableNotebook(f"not a valid notebook (not UTF-8 text: {describe(error)})") from None
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise UnrepairableNotebook(f"not a valid notebook ({describe(error)})") from None
    if not isinstance(raw, dict):
        raise UnrepairableNotebook(
            f"not a valid notebook (the file holds a JSON {type(raw).__name__}, not a notebook object)"
        )
    notes: list[str] = []
    major, minor = raw.get("nbformat"), raw.get("nbformat_minor")
    if not isinstance(major, int) or isinstance(major, bool):
        raise UnrepairableNotebook(f"not a valid notebook (no nbformat version: {major!r})")
    if major > 4:
        raise UnrepairableNotebook(f"nbformat {major}.{minor} is newer than supported (4.x)")
    if major < 4:
        try:
            raw = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as error:
            raise UnrepairableNotebook(
                f"not a valid notebook (nbformat {major} could not be converted to 4: {describe(error)})"
            ) from None
        notes.append(f"nbformat {major} converted to 4")
    elif not isinstance(minor, int) or isinstance(minor, bool) or minor < 0:
        notes.append(f"nbformat_minor {minor!r} is not a version: read as 4.{NBFORMAT_MINOR}")
    elif minor > NBFORMAT_MINOR:
        notes.append(
            f"nbformat 4.{minor} is newer than this grader's 4.{NBFORMAT_MINOR}: read as 4.{NBFORMAT_MINOR}"
        )
    cells = raw.get("cells")
    if not isinstance(cells, list):
        raise UnrepairableNotebook(f"not a valid notebook (no list of cells: {type(cells).__name__})")
    repaired = []
    removed, retyped, untexted, unmeta, retyped_types = [], [], [], [], set()
    seen_ids: set[str] = set()
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):  # kept as an empty raw cell: cell numbers stay the student's
            removed.append(index)
            cell = {"cell_type": "raw", "source": ""}
        cell_type = cell.get("cell_type")
        if cell_type not in ("code", "markdown", "raw"):
            retyped.append(index)
            retyped_types.add(repr(cell_type)[:40])
            cell_type = "raw"
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        elif not isinstance(source, str):
            untexted.append(index)
            source = ""
        metadata = cell.get("metadata", {})
        if not isinstance(metadata, dict):
            unmeta.append(index)
            metadata = {}
        cell_id = cell.get("id")
        if not isinstance(cell_id, str) or not _CELL_ID.match(cell_id) or cell_id in seen_ids:
            cell_id = uuid.uuid4().hex[:8]
            while cell_id in seen_ids:
                cell_id = uuid.uuid4().hex[:8]
        seen_ids.add(cell_id)
        new = {"cell_type": cell_type, "id": cell_id, "metadata": metadata, "source": source}
        if cell_type == "code":
            new |= {"outputs": [], "execution_count": None}
        elif isinstance(cell.get("attachments"), dict):
            new["attachments"] = cell["attachments"]
        repaired.append(new)
    metadata = raw.get("metadata")
    if not isinstance(metadata, dict):
        notes.append("the notebook's metadata is not an object: emptied")
        metadata = {}
    nb = {"cells": repaired, "metadata": metadata, "nbformat": 4, "nbformat_minor": NBFORMAT_MINOR}
    dropped = _drop_invalid(nb)
    for indices, verbs, what in (
        (removed, ("is", "are"), "not a JSON object: replaced by an empty raw cell"),
        (
            retyped,
            ("has", "have"),
            f"an unknown cell type ({', '.join(sorted(retyped_types))}): kept as raw (not run)",
        ),
        (untexted, ("has", "have"), "a source that is not text: emptied"),
        (unmeta, ("has", "have"), "metadata that is not an object: emptied"),
    ):
        if indices:
            notes.append(f"{_numbered(indices)} {verbs[len(indices) > 1]} {what}")
    if dropped:
        notes.append(
            "invalid metadata removed: "
            + ", ".join(dropped[:8])
            + (f" and {len(dropped) - 8} more" if len(dropped) > 8 else "")
        )
    try:
        node = nbformat.from_dict(nb)
        nbformat.validate(node)
    except Exception as error:
        raise UnrepairableNotebook(f"not a valid notebook ({describe(error)})") from None
    return node, notes


def _numbered(indices: list[int]) -> str:
    numbers = [str(index + 1) for index in indices]
    shown = ", ".join(numbers[:8]) + (f" and {len(numbers) - 8} more" if len(numbers) > 8 else "")
    return f"cell{'s' if len(numbers) > 1 else ''} {shown}"


def _drop_invalid(nb: dict) -> list[str]:
    """Remove what breaks nbformat's schema in cell and notebook metadata (and invalid
    attachments); returns what was removed, e.g. ``cell 3 metadata 'tags'``."""
    from nbformat.validator import iter_validate

    dropped: list[str] = []
    for _ in range(50):  # each pass removes at least one key
        errors = list(iter_validate(nb))
        if not errors:
            break
        progress = False
        for error in errors:
            path = list(error.absolute_path if hasattr(error, "absolute_path") else error.path)
            target = _invalid_key(nb, path)
            if target is None:
                continue
            container, key, label = target
            if key in container:
                del container[key]
                dropped.append(label)
                progress = True
        if not progress:
            break
    return dropped


def _invalid_key(nb: dict, path: list) -> tuple[dict, str, str] | None:
    if len(path) >= 2 and path[0] == "metadata" and isinstance(path[1], str):
        return nb["metadata"], path[1], f"notebook metadata {path[1]!r}"
    if len(path) >= 3 and path[0] == "cells" and isinstance(path[1], int) and path[1] < len(nb["cells"]):
        cell = nb["cells"][path[1]]
        if path[2] == "metadata" and len(path) >= 4 and isinstance(path[3], str):
            return cell["metadata"], path[3], f"cell {path[1] + 1} metadata {path[3]!r}"
        if path[2] == "attachments":
            return cell, "attachments", f"cell {path[1] + 1} attachments"
    return None


# --- locating the notebooks of a submission ----------------------------------------------------


def _cell_ids(config: Config, assignment_id: str, notebook_id: str) -> set[str]:
    with gradebook(config) as gb:  # type: ignore[attr-defined]
        return {cell.name for cell in gb.find_notebook(notebook_id, assignment_id).source_cells}


def _ids_in(path: Path) -> set[str]:
    """The nbgrader grade ids a candidate file carries (empty when it cannot be read)."""
    try:
        raw = json.loads(_read_file(path))
        return {
            cell["metadata"]["nbgrader"]["grade_id"]
            for cell in raw["cells"]
            if isinstance(cell, dict)
            and isinstance(cell.get("metadata"), dict)
            and isinstance(cell["metadata"].get("nbgrader"), dict)
            and isinstance(cell["metadata"]["nbgrader"].get("grade_id"), str)
        }
    except Exception:
        return set()


def locate_notebooks(
    config: Config, submission: Submission, expected: list[str]
) -> tuple[dict[str, Path], dict[str, str], list[str]]:
    """Where each expected notebook is in a submitted folder: ``(found, missing, notes)``.

    ``found``: notebook id → file (at the top under its name; else the only file of that
    name in a subfolder or under another case; else, for a notebook still missing, the
    candidate that carries the most of its cells, or the only candidate left). ``missing``:
    notebook id → why not found. ``notes``: what was done (a file graded under another name
    or from a subfolder, notebooks submitted beside them and not graded).
    """
    folder = submission.folder
    info = os.lstat(folder) if os.path.lexists(folder) else None
    if info is None or not stat.S_ISDIR(info.st_mode):
        what = "a symbolic link" if info and stat.S_ISLNK(info.st_mode) else "not a folder"
        return (
            {},
            {nb: f"missing from the submission (the submitted {folder.name} is {what})" for nb in expected},
            [],
        )
    entries = _notebook_entries(folder)
    regular = [(relative, path) for relative, path in entries if stat.S_ISREG(os.lstat(path).st_mode)]
    found: dict[str, Path] = {}
    missing: dict[str, str] = {}
    notes: list[str] = []
    claimed: set[str] = set()
    odd: dict[str, str] = {}
    for notebook_id in expected:
        name = f"{notebook_id}.ipynb"
        top = folder / name
        if os.path.lexists(top):
            try:
                _check_entry(top)
                found[notebook_id] = top
                claimed.add(name)
                continue
            except UnrepairableNotebook as error:
                odd[notebook_id] = str(error)
        same = [(r, p) for r, p in regular if r not in claimed and Path(r).name == name]
        if len(same) != 1:
            same = [(r, p) for r, p in regular if r not in claimed and Path(r).name.lower() == name.lower()]
        if len(same) == 1:
            relative, path = same[0]
            found[notebook_id] = path
            claimed.add(relative)
            notes.append(
                f"{notebook_id}.ipynb: graded {relative}"
                + (f" ({odd.pop(notebook_id)})" if notebook_id in odd else "")
            )
    still = [nb for nb in expected if nb not in found]
    left = [(r, p) for r, p in regular if r not in claimed]
    for notebook_id in still:
        left = [(r, p) for r, p in left if r not in claimed]
        ids = _cell_ids(config, submission.assignment_id, notebook_id)
        matches = sorted(((len(ids & _ids_in(p)), r, p) for r, p in left), reverse=True)
        choice = None
        if matches and matches[0][0] > 0 and (len(matches) == 1 or matches[1][0] < matches[0][0]):
            choice = matches[0]
        elif len(still) == 1 and len(left) == 1:
            choice = matches[0]
        if choice is not None:
            _, relative, path = choice
            found[notebook_id] = path
            claimed.add(relative)
            notes.append(
                f"{notebook_id}.ipynb: not found under that name; graded {relative} instead"
                + (f" ({odd.pop(notebook_id)})" if notebook_id in odd else "")
            )
        elif notebook_id in odd:
            missing[notebook_id] = odd.pop(notebook_id)
        else:
            others = [r for r, _ in entries if r not in claimed]
            where = f"found {', '.join(others[:8])}" if others else "no notebook at all"
            missing[notebook_id] = f"missing from the submission ({where})"
    extra = [relative for relative, _ in regular if relative not in claimed]
    if extra and found:
        notes.append(
            f"also submitted, not graded: {', '.join(extra[:8])}"
            + (f" and {len(extra) - 8} more" if len(extra) > 8 else "")
        )
    return found, missing, notes


def _check_entry(path: Path) -> int:
    """The size of ``path``, a regular file (not followed if a link);
    :class:`UnrepairableNotebook` naming what it is otherwise."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise UnrepairableNotebook(f"{path.name} is a symbolic link (to {os.readlink(path)}): not read")
    if stat.S_ISDIR(info.st_mode):
        raise UnrepairableNotebook(f"{path.name} is a folder, not a notebook file")
    if not stat.S_ISREG(info.st_mode):
        raise UnrepairableNotebook(f"{path.name} is not a regular file: not read")
    return info.st_size


def _timestamp(folder: Path) -> tuple[object | None, str | None]:
    """The submission time from ``timestamp.txt`` (as nbgrader parses it), and a note when it
    is missing or unreadable (no time is recorded then: no late penalty)."""
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    try:
        info = os.lstat(path)
    except OSError:
        return None, "no timestamp.txt: no submission time recorded"
    try:
        if not stat.S_ISREG(info.st_mode) or info.st_size > 4096:
            raise ValueError("not a small text file")
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        if not text:
            raise ValueError("empty")
        return parse_utc(text), None
    except Exception as error:  # dateutil raises ValueError, OverflowError, ...
        return None, f"timestamp.txt unreadable ({describe(error)}): no submission time recorded"


def register(config: Config, submission: Submission) -> list[str]:
    """Create the student and the submission in the gradebook (with the submission time);
    returns notes about the timestamp."""
    folder = submission.folder
    real_folder = folder.is_dir() and not folder.is_symlink()
    timestamp, note = _timestamp(folder) if real_folder else (None, None)
    with gradebook(config) as gb:  # type: ignore[attr-defined]
        gb.update_or_create_student(submission.student_id)
        gb.update_or_create_submission(
            submission.assignment_id, submission.student_id, **({"timestamp": timestamp} if timestamp else {})
        )
    return [note] if note else []


def _release_order(config: Config, assignment_id: str, notebook_id: str) -> list[str]:
    """Grade ids in the order of the released notebook (empty when it cannot be read)."""
    root = Path(str(config.CourseDirectory.root))
    for directory in (config.CourseDirectory.release_directory, config.CourseDirectory.source_directory):
        path = root / str(directory) / assignment_id / f"{notebook_id}.ipynb"
        try:
            nb = nbformat.read(path, as_version=4)
            metas = [cell.metadata.get("nbgrader") for cell in nb.cells]
            return [meta["grade_id"] for meta in metas if isinstance(meta, dict) and "grade_id" in meta]
        except Exception:
            continue
    return []


def sanitise(config: Config, submission: Submission) -> SanitisedSubmission:
    """Register the submission in the gradebook and sanitise its notebooks (see module doc).

    Raises only for the infrastructure (:func:`is_infrastructure_error`); whatever the
    submission holds ends as a repaired notebook or a notebook scored 0, with the reason.
    """
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        OverwriteCells,
        OverwriteKernelspec,
    )

    expected = expected_notebooks(config, submission.assignment_id)
    result = SanitisedSubmission(submission, {})
    result.problems += register(config, submission)
    found, missing, notes = locate_notebooks(config, submission, expected)
    result.problems += notes
    config = Config(config)
    config.OverwriteCells.add_missing_cells = False  # RestoreAssignmentCells puts them back
    for notebook_id in expected:
        if notebook_id in missing:
            result.fail(notebook_id, missing[notebook_id])
            continue
        try:
            nb, repairs = read_notebook(_read_file(found[notebook_id]))
            kernel = nb.metadata.get("kernelspec", {}).get("name")
            resources = _resources(config, submission, notebook_id)
            resources["dlgd_cell_order"] = _release_order(config, submission.assignment_id, notebook_id)
            nb = _apply(
                [
                    RestoreAssignmentCells,
                    ClearOutput,
                    DeduplicateIds,
                    OverwriteKernelspec,
                    OverwriteCells,
                    CheckCellMetadata,
                ],
                config,
                nb,
                resources,
            )
            repairs += resources.get("dlgd_repairs", [])
        except UnrepairableNotebook as error:
            result.fail(notebook_id, str(error))
            continue
        except Exception as error:
            if is_infrastructure_error(error):
                raise
            result.fail(notebook_id, f"the grader could not sanitise it ({describe(error)})")
            continue
        result.problems += [f"{notebook_id}.ipynb: {repair}" for repair in repairs]
        if kernel != nb.metadata.get("kernelspec", {}).get("name"):
            result.problems.append(
                f"{notebook_id}.ipynb: kernel {kernel!r} replaced by the course's "
                f"{nb.metadata['kernelspec']['name']!r}"
            )
        result.notebooks[notebook_id] = nb
    return result


def failed_submission(config: Config, submission: Submission, reason: str) -> SanitisedSubmission:
    """A submission the grader could not process at all: every notebook scored 0 for ``reason``."""
    result = SanitisedSubmission(submission, {})
    for notebook_id in expected_notebooks(config, submission.assignment_id):
        result.fail(notebook_id, reason)
    return result


def _with_outputs(sanitised: NotebookNode, executed: NotebookNode) -> NotebookNode:
    """The sanitised notebook (sources and metadata the grader wrote) with the executed one's
    outputs; ``ValueError`` when they are not the same cells."""
    if len(sanitised.cells) != len(executed.cells):
        raise ValueError(
            f"the executed notebook has {len(executed.cells)} cells, the sanitised one {len(sanitised.cells)}"
        )
    nb = nbformat.from_dict(json.loads(json.dumps(sanitised)))
    for cell, ran in zip(nb.cells, executed.cells, strict=True):
        if cell.cell_type == "code":
            outputs = ran.get("outputs", [])
            if ran.get("cell_type") != "code" or not isinstance(outputs, list):
                raise ValueError("the executed notebook's cells differ from the sanitised ones")
            cell.outputs = outputs
            count = ran.get("execution_count")
            cell.execution_count = count if isinstance(count, int) and not isinstance(count, bool) else None
    _replace_invalid_outputs(nb)
    return nb


INVALID_OUTPUT = "[grader: an output that is not a valid notebook output was removed]\n"


def _replace_invalid_outputs(nb: NotebookNode) -> None:
    """Replace the outputs that break nbformat's schema (a kernel message the student's code
    made up: data that is not text, a stream without text) by a line on stdout, so that
    scoring and feedback read only valid outputs; a stdout line leaves the score as it was."""
    from nbformat.validator import iter_validate

    bad: set[tuple[int, int]] = set()
    for error in iter_validate(nb):
        path = list(error.absolute_path)
        if len(path) >= 4 and path[0] == "cells" and path[2] == "outputs" and isinstance(path[3], int):
            bad.add((path[1], path[3]))
    for cell_index, output_index in bad:
        nb.cells[cell_index].outputs[output_index] = nbformat.v4.new_output(
            "stream", name="stdout", text=INVALID_OUTPUT
        )


def score(
    config: Config,
    submission: Submission,
    notebook_id: str,
    executed: NotebookNode,
    sanitised: NotebookNode | None = None,
) -> NotebookScore:
    """Score an executed notebook with nbgrader's preprocessors; save it to ``autograded/``.

    With ``sanitised`` (the notebook sent to the sandbox), only the outputs of ``executed``
    are used: sources and nbgrader metadata are the grader's.
    """
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from autograder.grading import read_scores

    if sanitised is not None:
        executed = _with_outputs(sanitised, executed)
    resources = _resources(config, submission, notebook_id)
    nb = _apply(
        [
            IgnorePattern,
            ClearMetadataPreprocessor,
            LimitOutput,
            SaveAutoGrades,
            AssignLatePenalties,
            CheckCellMetadata,
        ],
        config,
        executed,
        resources,
    )
    folder = autograded_folder(config, submission)
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / f"{notebook_id}.ipynb", nbformat.writes(nb))
    return read_scores(gradebook(config), submission.assignment_id, notebook_id, submission.student_id)


def score_missing(config: Config, submission: Submission, notebook_id: str) -> NotebookScore:
    """Zero every graded cell of a notebook that could not be executed (and remove an
    autograded copy of it from an earlier grading, so that feedback does not show it)."""
    from nbgrader.api import MissingEntry

    from autograder.grading import read_scores

    with gradebook(config) as gb:  # type: ignore[attr-defined]
        try:
            notebook = gb.find_submission_notebook(
                notebook_id, submission.assignment_id, submission.student_id
            )
        except MissingEntry:
            gb.update_or_create_student(submission.student_id)
            gb.update_or_create_submission(submission.assignment_id, submission.student_id)
            notebook = gb.find_submission_notebook(
                notebook_id, submission.assignment_id, submission.student_id
            )
        for grade in notebook.grades:
            grade.auto_score = 0
            # nbgrader's rule (SaveAutoGrades): a manual grade given earlier stays, flagged
            grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()
    (autograded_folder(config, submission) / f"{notebook_id}.ipynb").unlink(missing_ok=True)
    return read_scores(gradebook(config), submission.assignment_id, notebook_id, submission.student_id)


def record(
    config: Config,
    submission: Submission,
    scores: dict[str, NotebookScore],
    problems: list[str],
    execution_seconds: float,
    wall_seconds: float,
    needs_review: list[str] | None = None,
    not_graded_normally: list[str] | None = None,
) -> GradingRecord:
    """Write the submission's marker (last step of its grading)."""
    entry = GradingRecord(
        student_id=submission.student_id,
        assignment_id=submission.assignment_id,
        digest=submission.digest,
        scores={nb: {cell.grade_id: cell.entry() for cell in s.cells.values()} for nb, s in scores.items()},
        problems=problems,
        execution_seconds=execution_seconds,
        wall_seconds=wall_seconds,
        needs_review=list(needs_review or []),
        not_graded_normally=list(not_graded_normally or []),
    )
    folder = autograded_folder(config, submission)
    folder.mkdir(parents=True, exist_ok=True)
    # as nbgrader's autograde: the submission's time and secret go along, since releasing
    # feedback names the student's report after them (without them, the release stops here)
    for name in FEEDBACK_KEYS:
        source = submission.folder / name
        if source.is_file() and not source.is_symlink() and source.stat().st_size <= 4096:
            _atomic_write(folder / name, source.read_text(encoding="utf-8", errors="replace"))
    _atomic_write(folder / MARKER, json.dumps(asdict(entry), indent=1))
    return entry


#: Files of a submission that nbgrader's feedback release reads from the autograded folder.
FEEDBACK_KEYS = ("timestamp.txt", "submission_secret.txt")


def _atomic_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.replace(temporary, path)
