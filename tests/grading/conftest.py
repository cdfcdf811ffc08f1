"""Fixtures of the grading tests (see ``helpers.py``)."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator

import pytest

from grading.corpus import CASES, CASES_00
from grading.helpers import (
    ASSIGNMENT_00,
    SOURCE_00,
    Course,
    Listener,
    host_addresses,
    host_markers,
    make_course,
    remove_markers,
)


@pytest.fixture
def course() -> Iterator[Course]:
    made = make_course("course")
    yield made
    shutil.rmtree(made.root, ignore_errors=True)


@pytest.fixture(scope="module")
def corpus_course() -> Iterator[Course]:
    """The corpus submitted by one student per case (student id = case name)."""
    made = make_course("corpus")
    server = socket.create_server(("0.0.0.0", 0))
    listener = Listener(server)
    threading.Thread(target=listener.serve, daemon=True).start()
    made.listener = listener
    secrets = [
        str(made.data / "gradebook.db"),
        str(made.data / "submitted" / "full"),
        str(made.root / "solutions"),
    ]
    markers = [str(marker) for marker in host_markers(made)]
    for case in CASES:
        made.submit(
            case.name, case, hosts=host_addresses(), port=listener.port, secrets=secrets, markers=markers
        )
    for path in made.root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield made
    server.close()
    remove_markers(made)
    shutil.rmtree(made.root, ignore_errors=True)


@pytest.fixture(scope="module")
def corpus_course_00() -> Iterator[Course]:
    """The cases of ``CASES_00`` submitted on assignment 00's real notebook."""
    made = make_course("corpus-00", ASSIGNMENT_00, SOURCE_00)
    for case in CASES_00:
        made.submit(case.name, case)
    for path in made.root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield made
    shutil.rmtree(made.root, ignore_errors=True)
