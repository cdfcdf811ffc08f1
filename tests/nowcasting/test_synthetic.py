"""Synthetic satellite scenes (dlgd_course.nowcasting.synthetic)."""

from __future__ import annotations

import numpy as np
import pytest

from dlgd_course.nowcasting import (
    CLOUD_TYPES,
    CloudSceneConfig,
    cloud_mask,
    phase_correlation,
    simulate_clouds,
    split_in_time,
)


@pytest.fixture(scope="module")
def scene():
    return simulate_clouds(96, size=64, seed=3)


def test_layout_and_dtypes(scene) -> None:
    """Dims (time, y, x), uint8 CT with 16 possible classes, 15-minute datetime steps."""
    assert scene["CT"].dims == ("time", "y", "x") and scene["CT"].shape == (96, 64, 64)
    assert scene["CT"].dtype == np.uint8 and int(scene["CT"].max()) < len(CLOUD_TYPES) == 16
    steps = np.diff(scene["time"].values) / np.timedelta64(1, "m")
    assert np.all(steps == 15)
    for name in ("ir108", "vis06", "wv062"):
        assert scene[name].dtype == np.float32 and scene[name].shape == (96, 64, 64)


def test_deterministic_in_seed() -> None:
    """Same seed -> identical scene; another seed -> a different one."""
    a, b, c = (simulate_clouds(8, size=32, seed=s) for s in (1, 1, 2))
    assert a.identical(b)
    assert not np.array_equal(a["CT"].values, c["CT"].values)


def test_cloud_mask_is_ct_above_5_and_partly_cloudy(scene) -> None:
    """Mask = CT > 5; scenes are neither clear nor overcast (10-80 % cloud over a day)."""
    mask = cloud_mask(scene["CT"]).values
    assert np.array_equal(mask, scene["CT"].values > 5)
    assert 0.1 < mask.mean() < 0.8
    assert len(np.unique(scene["CT"].values)) >= 8  # clear land/sea, low, high, convective


def test_channels_are_physical(scene) -> None:
    """Clouds are colder than clear sky in IR; visible is zero at night and bright at noon."""
    mask = scene["CT"].values > 5
    ir = scene["ir108"].values
    assert ir[mask].mean() < ir[~mask].mean() - 10
    hours = scene["time"].dt.hour.values
    vis = scene["vis06"].values
    assert vis[hours == 1].max() == 0.0
    assert vis[hours == 12].mean() > 0.1
    assert vis[hours == 12][mask[hours == 12]].mean() > vis[hours == 12][~mask[hours == 12]].mean()


def test_clouds_move_with_the_wind() -> None:
    """With the high layer and the cells switched off and a steady wind, the night-time IR
    frames are advected by the low-layer wind: the median phase-correlation displacement
    of consecutive frames is within 0.3 px of it."""
    config = CloudSceneConfig(threshold_high=50.0, cells_per_day=0.0, wind_std=0.0, wind_low=(1.0, -2.0))
    scene = simulate_clouds(16, size=64, seed=4, config=config)
    ir = scene["ir108"].values
    shifts = np.array([phase_correlation(ir[t], ir[t + 1]) for t in range(15)])
    assert np.allclose(scene["wind_low"].values, [1.0, -2.0])
    assert np.allclose(np.median(shifts, axis=0), [1.0, -2.0], atol=0.3)


def test_split_in_time_is_disjoint_with_gap(scene) -> None:
    """Blocks are consecutive, ordered, separated by the gap, and cover 70/15/15 %."""
    parts = split_in_time(scene, gap=10)
    t = {k: v["time"].values for k, v in parts.items()}
    step = np.timedelta64(15, "m")
    assert t["val"][0] - t["train"][-1] == 11 * step
    assert t["test"][0] - t["val"][-1] == 11 * step
    assert sum(len(v) for v in t.values()) == 96 - 20
    assert len(t["train"]) == pytest.approx(0.7 * 76, abs=1)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n_frames"):
        simulate_clouds(0)
    with pytest.raises(ValueError, match="fractions"):
        split_in_time(simulate_clouds(30, size=16), fractions=(0.5, 0.5))
    with pytest.raises(ValueError, match="too short"):
        split_in_time(simulate_clouds(21, size=16), gap=10)
    with pytest.raises(ValueError, match="too few"):
        split_in_time(simulate_clouds(23, size=16), gap=10)
    with pytest.raises(ValueError, match="shorter than one window"):
        split_in_time(simulate_clouds(96, size=16), gap=5)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"wind_low": (1.0,)}, "wind_low must be a finite"),
        ({"tau_high": 0.0}, "tau_high must be > 0"),
        ({"length_low": -2.0}, "length_low must be > 0"),
        ({"cells_per_day": -1.0}, "cells_per_day must be >= 0"),
        ({"cell_life": (14.0, 6.0)}, "cell_life must be a"),
        ({"threshold_high": float("nan")}, "threshold_high must be finite"),
    ],
)
def test_cloud_scene_config_rejects_bad_values_when_made(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CloudSceneConfig(**overrides)
