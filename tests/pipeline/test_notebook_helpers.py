"""Tests of dlgd_course.notebook: seeding, quiet Lightning training, device choice."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator

import pytest
import pytorch_lightning as pl
import torch

from dlgd_course import default_device
from dlgd_course.notebook import (
    QUIET_LOGGERS,
    accelerator_options,
    quiet_trainer,
    seed_everything,
    setup_notebook,
)

TRAIN_SCRIPT = textwrap.dedent(
    """
    import torch, pytorch_lightning as pl
    from torch.utils.data import DataLoader, TensorDataset
    {setup}

    class Model(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(3, 3)
        def training_step(self, batch, batch_idx):
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)
        def validation_step(self, batch, batch_idx):
            x, y = batch
            self.log("val", torch.nn.functional.mse_loss(self.layer(x), y))
        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters())

    x = torch.randn(64, 3)
    loader = DataLoader(TensorDataset(x, x), batch_size=8)
    trainer = {trainer}
    trainer.fit(Model(), loader, loader)
    print("trained")
    """
)


def _run(setup: str, trainer: str) -> subprocess.CompletedProcess[str]:
    script = TRAIN_SCRIPT.format(setup=setup, trainer=trainer)
    # One thread: two torch processes with two threads each on two cores crawl.
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_quiet_training_writes_nothing_to_stderr() -> None:
    """nbgrader scores a test cell 0 when anything reaches stderr: training must be silent."""
    quiet = _run(
        "from dlgd_course.notebook import setup_notebook, quiet_trainer\nsetup_notebook(0)",
        "quiet_trainer(max_epochs=2)",
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "trained" in quiet.stdout
    assert quiet.stderr == "", f"stderr was not empty:\n{quiet.stderr}"


def test_quiet_trainer_alone_writes_nothing_to_stderr() -> None:
    """Without setup_notebook (a library function training a model), the Trainer itself keeps
    Lightning's banners and hints off stderr while it is built and while it fits."""
    quiet = _run("from dlgd_course.notebook import quiet_trainer", "quiet_trainer(max_epochs=2)")
    assert quiet.returncode == 0, quiet.stderr
    assert "trained" in quiet.stdout
    assert quiet.stderr == "", f"stderr was not empty:\n{quiet.stderr}"


def test_plain_lightning_trainer_does_write_to_stderr() -> None:
    """Control: without the helpers Lightning does write to stderr (the trap is real)."""
    loud = _run("", "pl.Trainer(max_epochs=2)")
    assert loud.returncode == 0, loud.stderr
    assert loud.stderr.strip() != ""


@pytest.fixture
def restore_logging_and_warnings() -> Iterator[None]:
    """setup_notebook changes process-wide state: give it back to the other tests."""
    saved = {
        name: (logging.getLogger(name).level, logging.getLogger(name).propagate) for name in QUIET_LOGGERS
    }
    with warnings.catch_warnings():
        yield
    for name, (level, propagate) in saved.items():
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).propagate = propagate


@pytest.mark.usefixtures("restore_logging_and_warnings")
def test_setup_notebook_seeds_and_returns_default_device() -> None:
    device = setup_notebook(seed=123)
    first = torch.randn(5)
    assert device == default_device()
    setup_notebook(seed=123)
    assert torch.equal(first, torch.randn(5))
    seed_everything(124)
    assert not torch.equal(first, torch.randn(5))


def test_quiet_trainer_options() -> None:
    trainer = quiet_trainer(max_epochs=3)
    assert trainer.max_epochs == 3
    assert trainer.logger is None
    assert trainer.checkpoint_callback is None
    assert trainer.progress_bar_callback is None
    assert quiet_trainer(max_epochs=1, max_steps=5).max_steps == 5


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_quiet_trainer_rejects_bad_epochs(bad: object) -> None:
    with pytest.raises(ValueError, match="max_epochs"):
        quiet_trainer(max_epochs=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 1.5, "0"])
def test_setup_notebook_rejects_bad_seed(bad: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        setup_notebook(seed=bad)  # type: ignore[arg-type]


def test_quiet_trainer_leaves_the_process_settings_as_they_were() -> None:
    """Training quietly changes no logger and no warning filter for the rest of the process
    (only setup_notebook, a notebook's own choice, does)."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    before = [(logger.level, logger.propagate) for logger in loggers], list(warnings.filters)
    trainer = quiet_trainer(max_epochs=1)
    after = [(logger.level, logger.propagate) for logger in loggers], list(warnings.filters)
    assert after == before
    assert isinstance(trainer, pl.Trainer)


@pytest.mark.parametrize(
    ("requested", "accelerator"),
    [("cpu", "CPUAccelerator"), (None, "CUDAAccelerator" if torch.cuda.is_available() else "CPUAccelerator")],
)
def test_quiet_trainer_runs_on_the_course_device(
    monkeypatch: pytest.MonkeyPatch, requested: str | None, accelerator: str
) -> None:
    """The Trainer runs where default_device() says: CUDA when visible, DLGD_DEVICE overrides."""
    if requested is None:
        monkeypatch.delenv("DLGD_DEVICE", raising=False)
    else:
        monkeypatch.setenv("DLGD_DEVICE", requested)
    trainer = quiet_trainer(max_epochs=1)
    assert type(trainer.accelerator).__name__ == accelerator
    assert trainer.num_devices == 1


def test_accelerator_options_name_the_device() -> None:
    assert accelerator_options(torch.device("cpu")) == {"accelerator": "cpu", "devices": 1}
    assert accelerator_options(torch.device("cuda:1")) == {"accelerator": "gpu", "devices": [1]}
    assert quiet_trainer(max_epochs=1, accelerator="cpu").num_devices == 1
