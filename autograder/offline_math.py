"""Math in the HTML pages nbgrader makes for the course, typeset offline by the course's own
MathJax (issue 27).

nbgrader's feedback page (``GenerateFeedback``) and the formgrader's manual-grading page
load MathJax 2 from a CDN (``{{ mathjax() }}`` of nbconvert's templates, whatever
``HTMLExporter.mathjax_url`` says): on a laptop or a hub without internet their equations
stay raw TeX. :func:`configure` makes both pages use the MathJax 3 copy that ``make mathjax``
installs for the book (the npm package ``mathjax@3`` in the git-ignored ``book/_mathjax/``):

- the template folder ``autograder/templates`` comes first in
  ``HTMLExporter.extra_template_basedirs`` (before nbgrader's own templates); its
  ``classic/mathjax.html.j2`` replaces nbconvert's macro ``mathjax()``, which every page
  based on the classic template calls;
- that macro calls the Jinja filter ``dlgd_offline_mathjax`` (:func:`offline_mathjax`,
  registered in ``HTMLExporter.filters``), which writes the MathJax configuration and the
  whole of ``tex-svg-full.js`` *inline* into the page, and the piece of MathJax 2's interface
  that the formgrader's own script waits for (its startup signal).

The formgrader applies its own template settings over the configuration files of the Jupyter
path; only the ``nbgrader_config.py`` of the course root, read last, overrides them. The
course root's ``nbgrader_config.py`` calls :func:`autograder.course.course_config` (and so
:func:`configure`, with that root).

Inline, because nbgrader releases only the HTML file of the feedback (the exchange copies
``<hash>.html`` and nothing beside it) and a student opens it wherever fetch-feedback put it:
from a file browser (``file://``), through JupyterLab or a hub. A script beside the file
would not travel, and a server path would not exist on the student's laptop. The SVG output
with every TeX extension built in needs neither font files nor later downloads; the price is
about 2.3 MB per feedback page. JupyterLab's HTML viewer runs no script until the student
clicks *Trust HTML* (or opens the file in a new browser tab): that is JupyterLab's safety
rule, kept as it is.

The MathJax copy is looked up in ``$DLGD_MATHJAX_DIR`` (a folder holding ``tex-svg-full.js``)
or else ``book/_mathjax/mathjax/es5`` of the course root; a page rendered without it fails with
:class:`MathJaxMissing`, which says how to install it, rather than releasing raw TeX.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from markupsafe import Markup
from traitlets.config import Config

from autograder.locate import course_root

MATHJAX_ENV_VAR = "DLGD_MATHJAX_DIR"
#: The combined MathJax 3 component: TeX input with all extensions, SVG output, no fonts to load.
MATHJAX_SCRIPT = "tex-svg-full.js"
TEMPLATES = Path(__file__).resolve().parent / "templates"
FILTER_NAME = "dlgd_offline_mathjax"

# nbconvert's MathJax 2 settings of notebooks (inline $...$ and \(...\), display $$...$$ and
# \[...\], escapes, environments, AMS numbering), in MathJax 3's words.
MATHJAX_CONFIG: dict[str, object] = {
    "tex": {
        "inlineMath": [["$", "$"], ["\\(", "\\)"]],
        "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
        "processEscapes": True,
        "processEnvironments": True,
        "tags": "ams",
    },
    "svg": {"fontCache": "global"},
}


class MathJaxMissing(FileNotFoundError):
    """The course's offline MathJax is not installed where :func:`mathjax_dir` looks."""


def mathjax_dir(root: Path | str | None = None) -> Path:
    """The folder holding the course's MathJax 3 components: ``$DLGD_MATHJAX_DIR``, or else
    ``book/_mathjax/mathjax/es5`` of the course root ``root`` (default
    :func:`~autograder.locate.course_root`)."""
    configured = os.environ.get(MATHJAX_ENV_VAR)
    if configured:
        return Path(configured).expanduser().resolve()
    return course_root(root) / "book" / "_mathjax" / "mathjax" / "es5"


@functools.lru_cache(maxsize=4)
def _script_text(path: Path, mtime_ns: int) -> str:
    source = path.read_text(encoding="utf-8")
    # Inside <script>, "</script" ends the element and "<!--" changes how it is parsed; MathJax
    # has them only in strings and regular expressions, where \x3C is the same "<".
    return (
        source.replace("</script", "\\x3C/script")
        .replace("</SCRIPT", "\\x3C/SCRIPT")
        .replace("<!--", "\\x3C!--")
    )


def mathjax_script(root: Path | str | None = None) -> str:
    """The source of :data:`MATHJAX_SCRIPT` of the course root ``root`` (see
    :func:`mathjax_dir`), safe to inline in a ``<script>`` element.

    Raises :class:`MathJaxMissing` when it is not installed.
    """
    path = mathjax_dir(root) / MATHJAX_SCRIPT
    if not path.is_file():
        raise MathJaxMissing(
            f"the course's offline MathJax ({path}) is missing, so the page's equations could not be "
            f"typeset without internet: run `make mathjax` in the course folder, or set "
            f"{MATHJAX_ENV_VAR} to a folder holding {MATHJAX_SCRIPT} of the npm package mathjax@3"
        )
    return _script_text(path, path.stat().st_mtime_ns)


# nbgrader's formgrade.js waits for MathJax 2's startup signal (``MathJax.Hub.Startup.signal
# .Interest``, message "End") before it finishes setting up the page (keyboard shortcuts,
# scrolling); MathJax 3 has no ``Hub``: this sends "End" once MathJax 3 has typeset the page.
_STARTUP = """window.MathJax.startup = {ready: function () {
  MathJax.startup.defaultReady();
  MathJax.startup.promise.then(function () { window.dlgdMathJaxEnded(); });
}};"""
_HUB_SHIM = """(function () {
  var waiting = [], ended = false;
  window.dlgdMathJaxEnded = function () {
    ended = true;
    waiting.splice(0).forEach(function (listener) { listener("End"); });
  };
  MathJax.Hub = MathJax.Hub || {Startup: {signal: {Interest: function (listener) {
    if (ended) { listener("End"); } else { waiting.push(listener); }
  }}}};
})();"""


def offline_mathjax(_value: object = None, *, root: str | None = None) -> Markup:
    """Jinja filter ``dlgd_offline_mathjax``: the ``<script>`` elements that configure and load
    the MathJax of the course root ``root`` inline (the filter's argument is ignored)."""
    config = json.dumps(MATHJAX_CONFIG).replace("</", "<\\/")
    return Markup(
        "<!-- MathJax 3 of the course, inline so that it typesets offline (autograder/offline_math.py).\n"
        "     MathJax: Copyright (c) The MathJax Consortium, Apache License 2.0. -->\n"
        f"<script>window.MathJax = {config};\n{_STARTUP}</script>\n"
        f"<script>{mathjax_script(root)}</script>\n"
        f"<script>{_HUB_SHIM}</script>\n"
    )


def nbgrader_template_dir() -> Path:
    """nbgrader's own template folder (feedback, formgrade), which nbgrader puts in
    ``HTMLExporter.extra_template_basedirs`` unless the configuration sets it."""
    import nbgrader

    return Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"


def configure(c: Config, root: Path | str) -> Config:
    """Make the pages that nbgrader renders with ``c`` typeset math offline with the MathJax
    of the course root ``root``; returns ``c``.

    Sets ``HTMLExporter.extra_template_basedirs`` (:data:`TEMPLATES`, then nbgrader's own) and
    registers the filter :func:`offline_mathjax` bound to ``root``; the template names that
    nbgrader picks (``feedback``, ``formgrade``) are left alone.
    """
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), str(nbgrader_template_dir())]
    filters = dict(c.HTMLExporter.get("filters", {}))
    filters[FILTER_NAME] = functools.partial(offline_mathjax, root=str(root))
    c.HTMLExporter.filters = filters
    return c
