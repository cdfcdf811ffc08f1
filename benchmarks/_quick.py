"""``--quick``: the smallest configuration of a benchmark script (seconds on one core).

``make test`` runs every script of ``benchmarks/`` once with ``--quick``
(``tests/test_benchmarks.py``) to check that it runs from a fresh clone and prints its table;
its numbers mean nothing. Options given on the command line win over the quick sizes.
"""

from __future__ import annotations

import argparse
from typing import Any


def parse_args(
    parser: argparse.ArgumentParser, quick: dict[str, Any], argv: list[str] | None = None
) -> argparse.Namespace:
    """Parse ``argv`` with a ``--quick`` flag that makes ``quick`` the defaults.

    ``quick`` maps destinations of ``parser``'s options to their quick values; an option the
    command line gives keeps its value.
    """
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smallest configuration (a smoke run of seconds: the numbers mean nothing)",
    )
    unknown = set(quick) - {action.dest for action in parser._actions}
    if unknown:
        raise ValueError(f"quick sizes for options the parser lacks: {sorted(unknown)}")
    first, _ = parser.parse_known_args(argv)
    if first.quick:
        parser.set_defaults(**quick)
    return parser.parse_args(argv)
