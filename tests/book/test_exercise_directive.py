"""book/_ext/dlgd_exercises.py: which student notebooks the `exercise-downloads` directive lists."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _extension():
    path = REPO / "book" / "_ext" / "dlgd_exercises.py"
    spec = importlib.util.spec_from_file_location("dlgd_exercises", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _notebook(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_lists_student_notebooks_of_matching_assignments_only(tmp_path: Path) -> None:
    extension = _extension()
    book = tmp_path / "book"
    book.mkdir()
    _notebook(tmp_path / "exercises" / "03-data-assimilation" / "03-data-assimilation.ipynb")
    _notebook(tmp_path / "exercises" / "03-data-assimilation" / ".ipynb_checkpoints" / "x.ipynb")
    _notebook(tmp_path / "exercises" / "04-neural-closures" / "04-neural-closures.ipynb")
    _notebook(tmp_path / "solutions" / "03-data-assimilation" / "03-data-assimilation.ipynb")
    found = extension.released_notebooks(book, "03-*")
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "exercises/03-data-assimilation/03-data-assimilation.ipynb"
    ]
    assert extension.released_notebooks(book, "05-*") == []


def test_real_tree_exercise_00_is_found() -> None:
    extension = _extension()
    if not (REPO / "exercises").exists():
        pytest.skip("no exercises/ folder yet")
    found = extension.released_notebooks(REPO / "book", "*")
    assert all("solutions" not in p.parts for p in found)
    assert {p.parent.name for p in found} == {p.parent.name for p in (REPO / "exercises").glob("*/*.ipynb")}
