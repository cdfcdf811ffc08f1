"""Helpers for the course notebooks: reproducible set-up and a quiet Lightning Trainer.

nbgrader scores a test cell 0 as soon as anything reaches stderr, and Lightning writes
its banners ("GPU available: ...", "`Trainer.fit` stopped: ...") and warnings there.
Every exercise therefore starts with::

    from dlgd_course.notebook import setup_notebook
    device = setup_notebook(seed=0)

and trains through :func:`quiet_trainer`.
"""

from __future__ import annotations

import logging
import os
import random
import warnings
from typing import Any

import numpy as np
import pytorch_lightning as pl
import torch

from dlgd_course.device import default_device

# Loggers that Lightning and torch write banners and hints to (INFO and WARNING level).
QUIET_LOGGERS = (
    "pytorch_lightning",
    "lightning",
    "lightning.pytorch",
    "lightning_fabric",
    "lightning.fabric",
    "torch",
    "torch._dynamo",
    "torch.distributed",
)

# Warning categories/messages that a correct notebook may trigger and that tell a student
# nothing (data loader worker hints, the "no validation step" notice, the CUDA/MPS tips).
_QUIET_MESSAGES = (
    r".*does not have many workers.*",
    r".*num_workers.*",
    r".*GPU available.*",
    r".*TPU available.*",
    r".*LOCAL_RANK.*",
    r".*`Trainer\.fit` stopped.*",
    r".*The number of training batches.*",
    r".*Consider setting `persistent_workers.*",
    r".*Tensor Cores.*",
    r".*TF32.*",
    r".*does not have a deterministic implementation.*",
)


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and torch (all devices) with ``seed``."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    os.environ["PL_GLOBAL_SEED"] = str(seed)


def quiet_logs() -> None:
    """Keep Lightning's and torch's INFO/WARNING chatter and known hints off stderr.

    Errors still propagate; only log records below ``ERROR`` and the warnings listed in
    this module are dropped.
    """
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
    for message in _QUIET_MESSAGES:
        warnings.filterwarnings("ignore", message=message)
    # Lightning's own warning classes (PossibleUserWarning and friends) are UserWarnings
    # raised from its modules.
    for module in (r"pytorch_lightning.*", r"lightning.*", r"lightning_fabric.*"):
        warnings.filterwarnings("ignore", module=module)


def setup_notebook(seed: int = 0) -> torch.device:
    """Prepare a course notebook: seed every generator, quiet the logs, pick the device.

    Returns ``dlgd_course.default_device()`` (CUDA when visible, else CPU; the
    environment variable ``DLGD_DEVICE`` overrides).
    """
    seed_everything(seed)
    quiet_logs()
    return default_device()


def quiet_trainer(max_epochs: int, **kwargs: Any) -> pl.Trainer:
    """A Lightning ``Trainer`` that writes nothing: no progress bar, logger, checkpoint
    or model summary; ``accelerator="auto"`` on one device; deterministic where possible.

    ``kwargs`` are passed to ``pl.Trainer`` and override these defaults.
    """
    if not isinstance(max_epochs, int) or isinstance(max_epochs, bool) or max_epochs < 1:
        raise ValueError(f"max_epochs must be a positive int, got {max_epochs!r}")
    quiet_logs()
    options: dict[str, Any] = {
        "max_epochs": max_epochs,
        "accelerator": "auto",
        "devices": 1,
        "enable_progress_bar": False,
        "logger": False,
        "enable_checkpointing": False,
        "enable_model_summary": False,
        "deterministic": "warn",
        "num_sanity_val_steps": 0,
    }
    options.update(kwargs)
    return pl.Trainer(**options)
