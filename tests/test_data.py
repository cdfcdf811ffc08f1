"""Data layer: determinism, dataset layout, observations, cache integrity, CLI."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
import xarray as xr

from dlgd_course.cli import main as dlgd
from dlgd_course.data import (
    cache_path,
    cached,
    observe,
    simulate,
    system_from_dataset,
)
from dlgd_course.dynamics import IntegrationDivergedError, Lorenz96

L63 = {"system": "lorenz63", "n_steps": 300, "dt": 0.01, "seed": 3, "spinup_steps": 100}


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    first, second = simulate(**L63), simulate(**L63)
    assert first.state.values.tobytes() == second.state.values.tobytes()
    assert first.attrs == second.attrs
    other = simulate(**{**L63, "seed": 4})
    assert not np.allclose(other.state.values, first.state.values)


def test_dataset_layout_and_attributes() -> None:
    dataset = simulate("lorenz96", n_steps=40, dt=0.05, seed=0, n_members=3, save_every=4, F=10.0)
    assert dataset.state.dims == ("time", "member", "site")
    assert dataset.state.shape == (11, 3, 40)
    np.testing.assert_allclose(dataset.time.values, np.arange(11) * 0.2)
    assert dataset.attrs["param_F"] == 10.0 and dataset.attrs["param_N"] == 40
    assert dataset.attrs["seed"] == 0 and dataset.attrs["dt"] == 0.05 and dataset.attrs["save_every"] == 4
    assert system_from_dataset(dataset) == Lorenz96(N=40, F=10.0)
    assert list(simulate(**L63).component.values) == ["x", "y", "z"]
    burgers = simulate("burgers", n_steps=10, dt=1e-3, seed=0, n_points=32)
    np.testing.assert_allclose(burgers.x.values, np.arange(32) / 32)


def test_simulate_matches_direct_integration() -> None:
    """The dataset holds exactly what Lorenz96.integrate produces from the seeded initial state."""
    dataset = simulate("lorenz96", n_steps=20, dt=0.05, seed=7)
    system = Lorenz96()
    initial = system.random_initial_state(torch.Generator().manual_seed(7))
    np.testing.assert_array_equal(dataset.state.values, system.integrate(initial, 0.05, 20).numpy())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_steps": 0}, "n_steps must be an integer >= 1"),
        ({"seed": -1}, "seed must be an integer >= 0"),
        ({"n_members": 0}, "n_members"),
        ({"dt": 0.0}, "time step dt"),
        ({"sigma2": 1.0}, "unknown parameter"),
    ],
)
def test_simulate_bad_input(arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate(**{**L63, **arguments})


def test_simulate_reports_divergence() -> None:
    with pytest.raises(IntegrationDivergedError):
        simulate("lorenz96", n_steps=200, dt=0.5, seed=0, stepper="euler")


# --- observations ----------------------------------------------------------------------------


def test_observe_every_kth_step_first_component_with_noise() -> None:
    truth = simulate(**{**L63, "n_steps": 4000})
    observations = observe(
        truth.state, observation_interval=8, observed_components=[0], noise_std=2.0, seed=1
    )
    mask = observations.mask.values
    assert mask[::8, 0].all() and not mask[1::8].any() and not mask[:, 1:].any()
    errors = (observations.observation - truth.state).values[mask]
    assert abs(errors.std() - 2.0) < 0.15 and abs(errors.mean()) < 0.15
    assert np.isnan(observations.observation.values[~mask]).all()


def test_observe_random_fraction_is_seeded() -> None:
    truth = simulate("lorenz96", n_steps=200, dt=0.05, seed=0)
    first = observe(truth.state, observed_fraction=0.25, seed=5)
    again = observe(truth.state, observed_fraction=0.25, seed=5)
    assert (first.mask == again.mask).all()
    assert abs(float(first.mask.mean()) - 0.25) < 0.02


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"observation_interval": 0}, "observation_interval"),
        ({"observed_components": [3]}, "out of range"),
        ({"observed_fraction": 1.5}, "observed_fraction"),
        ({"noise_std": -1.0}, "noise_std"),
    ],
)
def test_observe_bad_input(arguments: dict, message: str) -> None:
    truth = simulate(**L63)
    with pytest.raises(ValueError, match=message):
        observe(truth.state, **arguments)


# --- cache -----------------------------------------------------------------------------------

CACHED = {"n_steps": 200, "dt": 0.01, "seed": 11}


def cached_simulation(**parameters: float) -> xr.Dataset:
    """A Lorenz-63 simulation through the cache, as a theme caches its generated data."""
    return cached("simulation-lorenz63", parameters, lambda: simulate("lorenz63", **parameters))


def test_cache_round_trip_is_exact_and_reused() -> None:
    first = cached_simulation(**CACHED)
    path = cache_path("simulation-lorenz63", CACHED)
    assert path.exists()
    modified = path.stat().st_mtime_ns
    second = cached_simulation(**CACHED)
    assert path.stat().st_mtime_ns == modified, "a valid cache file must be reused, not rewritten"
    xr.testing.assert_identical(first, second)
    np.testing.assert_array_equal(first.state.values, simulate("lorenz63", **CACHED).state.values)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")], "temporary files left behind"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip_data"])
def test_corrupted_cache_is_regenerated(damage: str) -> None:
    parameters = {**CACHED, "seed": 20 + ["truncate", "garbage", "flip_data"].index(damage)}
    reference = cached_simulation(**parameters)
    path = cache_path("simulation-lorenz63", parameters)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a netCDF file")
    else:  # a silently edited value: readable file, wrong data
        edited = xr.load_dataset(path)
        edited["state"][5, 1] = 0.0
        edited.to_netcdf(path, engine="h5netcdf")
    regenerated = cached_simulation(**parameters)
    np.testing.assert_array_equal(regenerated.state.values, reference.state.values)
    xr.testing.assert_identical(cached_simulation(**parameters), reference)


def test_cache_location_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLGD_CACHE_DIR", str(tmp_path / "elsewhere"))
    cached_simulation(**CACHED)
    assert len(list((tmp_path / "elsewhere").glob("simulation-lorenz63-*.nc"))) == 1


# --- command line ----------------------------------------------------------------------------


def test_cli_info(capsys: pytest.CaptureFixture[str]) -> None:
    assert dlgd(["info"]) == 0
    output = capsys.readouterr().out
    assert "torch" in output and "device" in output and os.environ["DLGD_CACHE_DIR"] in output


def test_cli_generate_writes_netcdf(tmp_path: Path) -> None:
    output = tmp_path / "l96.nc"
    arguments = ["data", "generate", "lorenz96", "--n-steps", "20", "--dt", "0.05", "--param", "F=9"]
    assert dlgd([*arguments, "--seed", "2", "-o", str(output)]) == 0
    written = xr.load_dataset(output)
    assert written.state.shape == (21, 40) and written.attrs["param_F"] == 9
    np.testing.assert_array_equal(
        written.state.values, simulate("lorenz96", n_steps=20, dt=0.05, seed=2, F=9).state.values
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["lorenz99"], "unknown system 'lorenz99'"),
        (["lorenz96", "--param", "G=1"], "unknown parameter(s) G"),
        (["lorenz96", "--dt", "-1"], "time step dt must be positive"),
        (["lorenz96", "--dt", "0.6", "--stepper", "euler", "--n-steps", "300"], "diverged"),
    ],
)
def test_cli_errors_are_one_line_messages(
    arguments: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dlgd(["data", "generate", *arguments, "-o", str(tmp_path / "x.nc")]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert not (tmp_path / "x.nc").exists()


def test_cli_rejects_malformed_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        dlgd(["data", "generate", "lorenz96", "--param", "F"])
    assert exit_info.value.code == 2
    assert "NAME=VALUE" in capsys.readouterr().err
