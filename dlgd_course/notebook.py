"""Helpers for the course notebooks: reproducible set-up and a quiet Lightning Trainer.

nbgrader scores a test cell 0 as soon as anything reaches stderr, and Lightning writes
its banners ("GPU available: ...", "`Trainer.fit` stopped: ...") and warnings there.
Every exercise therefore starts with::

    from dlgd_course.notebook import setup_notebook
    device = setup_notebook(seed=0)

and trains through :func:`quiet_trainer`, whose Trainer keeps Lightning quiet while it
builds, fits, validates, tests or predicts, and gives the process's logging and warning
settings back afterwards (only :func:`setup_notebook` changes them for the whole notebook).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from typing import Any

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


#: The largest seed NumPy (and so Lightning) accepts.
MAX_SEED = 2**32 - 1


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy and torch (all devices) with ``seed``, the course's one way.

    Delegates to ``pytorch_lightning.seed_everything(seed, workers=True)``, which also seeds
    the data loaders' worker processes (``PL_SEED_WORKERS``) and sets ``PL_GLOBAL_SEED``;
    training entry points call it once before they build their networks.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be an int in [0, {MAX_SEED}], got {seed!r}")
    pl.seed_everything(seed, workers=True, verbose=False)


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


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Within the block, what :func:`quiet_logs` silences stays off stderr; the loggers'
    levels, their propagation and the warning filters are restored on leaving it."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    saved = [(logger.level, logger.propagate) for logger in loggers]
    with warnings.catch_warnings():
        try:
            quiet_logs()
            yield
        finally:
            for logger, (level, propagate) in zip(loggers, saved, strict=True):
                logger.setLevel(level)
                logger.propagate = propagate


def accelerator_options(device: torch.device | None = None) -> dict[str, Any]:
    """Lightning's ``accelerator`` and ``devices`` for ``device``: one device, the one asked
    for (default: :func:`~dlgd_course.device.default_device`, which honours ``DLGD_DEVICE``)."""
    device = default_device() if device is None else torch.device(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return {"accelerator": "gpu", "devices": [index]}
    if device.type == "mps":
        return {"accelerator": "mps", "devices": 1}
    if device.type == "cpu":
        return {"accelerator": "cpu", "devices": 1}
    raise ValueError(f"no Lightning accelerator for the device {device}")


class QuietTrainer(pl.Trainer):
    """A Lightning ``Trainer`` whose construction, ``fit``, ``validate``, ``test`` and
    ``predict`` run inside :func:`quiet` (nothing reaches stderr, nothing changes for the rest
    of the process)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with quiet():
            super().__init__(*args, **kwargs)

    def fit(self, *args: Any, **kwargs: Any) -> None:
        with quiet():
            return super().fit(*args, **kwargs)

    def validate(self, *args: Any, **kwargs: Any) -> Any:
        with quiet():
            return super().validate(*args, **kwargs)

    def test(self, *args: Any, **kwargs: Any) -> Any:
        with quiet():
            return super().test(*args, **kwargs)

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        with quiet():
            return super().predict(*args, **kwargs)


def setup_notebook(seed: int = 0) -> torch.device:
    """Prepare a course notebook: seed every generator, quiet the logs, pick the device.

    Returns ``dlgd_course.default_device()`` (CUDA when visible, else CPU; the
    environment variable ``DLGD_DEVICE`` overrides).
    """
    seed_everything(seed)
    quiet_logs()
    return default_device()


def quiet_trainer(max_epochs: int, **kwargs: Any) -> pl.Trainer:
    """A Lightning ``Trainer`` that writes nothing (:class:`QuietTrainer`): no progress bar,
    logger, checkpoint or model summary; on the course's device (:func:`accelerator_options`:
    CUDA when visible, ``DLGD_DEVICE`` overrides); deterministic where possible.

    ``kwargs`` are passed to ``pl.Trainer`` and override these defaults (an ``accelerator``
    given there runs on one device of its kind unless ``devices`` says otherwise). The process's
    logging and warning settings are left as they were.
    """
    if not isinstance(max_epochs, int) or isinstance(max_epochs, bool) or max_epochs < 1:
        raise ValueError(f"max_epochs must be a positive int, got {max_epochs!r}")
    # an accelerator given by the caller comes with one device of its kind unless it says more
    devices = {"devices": 1} if "accelerator" in kwargs else accelerator_options()
    options: dict[str, Any] = {
        "max_epochs": max_epochs,
        **devices,
        "enable_progress_bar": False,
        "logger": False,
        "enable_checkpointing": False,
        "enable_model_summary": False,
        "deterministic": "warn",
        "num_sanity_val_steps": 0,
    }
    options.update(kwargs)
    return QuietTrainer(**options)
