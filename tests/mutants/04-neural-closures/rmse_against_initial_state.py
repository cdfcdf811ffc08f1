"""Rollout error measured against the initial filtered state instead of the filtered DNS at
the same time: it scores how far each model drifts, not how well it tracks the DNS."""

NOTEBOOK = "04-neural-closures.ipynb"
CELL = "rollout"
FIND = "((trajectory - reference)[:, ~bad] ** 2)"
REPLACE = "((trajectory - reference[0])[:, ~bad] ** 2)"
FAILS = ["test_rollout"]
