"""Sphinx extension: read the library's docstrings as the plain text they are.

The docstrings of ``dlgd_course`` quote equations in plain Unicode (``|u|``, ``‖x‖``,
``|∂ₓū|``) as the code style asks. In reStructuredText a pair of vertical bars is a
substitution reference, so autodoc would fail on them (``-W`` makes that an error).
Before autodoc parses a docstring, every ``|`` is escaped; the API reference shows the
bars as written. (The docstrings hold no RST tables, the only other use of ``|``.)
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def escape_vertical_bars(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    lines[:] = [line.replace("\\|", "|").replace("|", "\\|") for line in lines]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("autodoc-process-docstring", escape_vertical_bars)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
