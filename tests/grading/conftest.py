"""Fixtures of the grading tests (see ``helpers.py``)."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator

import pytest

from grading.corpus import CASES
from grading.helpers import Course, Listener, host_addresses, make_course


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
    secrets = [str(made.data / "gradebook.db"), str(made.data / "submitted" / "full"),
               str(made.root / "solutions")]
    for case in CASES:
        made.submit(case.name, case, hosts=host_addresses(), port=listener.port, secrets=secrets)
    for path in made.root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield made
    server.close()
    shutil.rmtree(made.root, ignore_errors=True)
