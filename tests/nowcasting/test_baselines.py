"""Persistence, phase correlation and semi-Lagrangian extrapolation
(dlgd_course.nowcasting.baselines)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from scipy import ndimage

from dlgd_course.nowcasting import (
    extrapolation_forecast,
    mask_scores,
    motion_field,
    persistence_forecast,
    phase_correlation,
    pysteps_class_extrapolation,
    pysteps_installed,
    semi_lagrangian,
)
from dlgd_course.nowcasting.baselines import proesmans_pyramid_levels


def _smooth_field(seed: int, n: int = 64) -> np.ndarray:
    rng = np.random.default_rng(seed)
    field = ndimage.gaussian_filter(rng.standard_normal((n, n)), 3, mode="wrap")
    return field / field.std()


def test_persistence_repeats_last_frame() -> None:
    past = np.random.default_rng(0).random((2, 6, 8, 8)) > 0.5
    out = persistence_forecast(past, 4)
    assert out.shape == (2, 4, 8, 8) and np.array_equal(out[:, 3], past[:, -1])


@pytest.mark.parametrize("shift", [(3.0, -5.0), (1.5, 2.25), (-0.4, 0.7)])
def test_phase_correlation_recovers_shift(shift) -> None:
    """A periodic smooth field shifted by (dy, dx) (Fourier shift, sub-pixel) is found
    within 0.2 px."""
    f0 = _smooth_field(1)
    f1 = ndimage.fourier_shift(np.fft.fft2(f0), shift)
    f1 = np.fft.ifft2(f1).real
    assert np.allclose(phase_correlation(f0, f1, window=False), shift, atol=0.2)


def test_blockwise_motion_separates_two_regions() -> None:
    """Top half moving right, bottom half moving down: 32-px blocks resolve both."""
    f0 = _smooth_field(2, 128)
    frames = [f0]
    for _ in range(3):
        top = np.roll(frames[-1], (0, 2), axis=(0, 1))
        bottom = np.roll(frames[-1], (2, 0), axis=(0, 1))
        frames.append(np.where(np.arange(128)[:, None] < 64, top, bottom))
    motion = motion_field(np.stack(frames), block=32)
    assert np.allclose(motion[:, 16, 64], [0, 2], atol=0.5)
    assert np.allclose(motion[:, 112, 64], [2, 0], atol=0.5)


def test_semi_lagrangian_translates() -> None:
    """Uniform motion of (1, 2) px per frame: lead n equals the field rolled by (n, 2n)
    away from the inflow edges."""
    field = _smooth_field(3)
    motion = np.broadcast_to(np.array([1.0, 2.0])[:, None, None], (2, 64, 64))
    out = semi_lagrangian(field, motion, 3)
    for n in (1, 2, 3):
        expected = np.roll(field, (n, 2 * n), axis=(0, 1))
        assert np.allclose(out[n - 1, 8:, 8:], expected[8:, 8:])


def test_extrapolation_beats_persistence_on_moving_clouds() -> None:
    """Masks of a field translating by (1, 1.5) px per frame: extrapolation is almost
    exact (IoU > 0.9 at lead 4) while persistence loses overlap."""
    base = _smooth_field(4, 96)
    frames = (
        np.stack(
            [np.fft.ifft2(ndimage.fourier_shift(np.fft.fft2(base), (t, 1.5 * t))).real for t in range(10)]
        )
        > 0.3
    )
    past, future = frames[None, :6], frames[None, 6:]
    extrapolated = mask_scores(extrapolation_forecast(past, 4, block=None), future)
    persistent = mask_scores(persistence_forecast(past, 4), future)
    assert extrapolated["iou"].values[-1] > 0.9
    assert np.all(extrapolated["iou"].values > persistent["iou"].values)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        phase_correlation(np.zeros((8, 8)), np.zeros((8, 9)))
    with pytest.raises(ValueError, match="at least 2 frames"):
        motion_field(np.zeros((1, 16, 16)))
    with pytest.raises(ValueError, match="block"):
        motion_field(np.zeros((3, 16, 16)), block=4)
    with pytest.raises(ValueError, match="tracer shape"):
        extrapolation_forecast(np.zeros((6, 16, 16)), 4, tracer=np.zeros((5, 16, 16)))


def test_pysteps_extrapolation_moves_classes_with_the_tracer() -> None:
    # a smooth field moving 1 pixel down and 2 right per frame; its classes are its terciles
    field = _smooth_field(4, 96)
    frames = np.stack([np.roll(field, (t, 2 * t), axis=(0, 1))[16:80, 16:80] for t in range(6)])
    classes = np.digitize(frames, np.quantile(frames[:4], [1 / 3, 2 / 3]))
    forecast = pysteps_class_extrapolation(classes[:4], frames[:4], 2, 3)
    assert forecast.shape == (2, 64, 64) and forecast.dtype == np.int64
    # the Proesmans flow recovers the shift: the classes of the next two frames are right in the
    # interior (edges excluded), far better than persistence
    interior = (slice(None), slice(8, -8), slice(8, -8))
    hits = (forecast == classes[4:])[interior].mean()
    persisted = (classes[3] == classes[4:])[interior].mean()
    assert hits > 0.9 and hits > persisted + 0.1, (hits, persisted)


def test_proesmans_pyramid_stops_at_four_pixels() -> None:
    """pysteps' default 6 levels take 32 x 32 frames to 1 x 1, where its compiled code reads outside
    its arrays: the motion of report 35 was NaN on the CI machine and zero here."""
    assert proesmans_pyramid_levels((32, 32)) == 4  # 32, 16, 8, 4
    assert proesmans_pyramid_levels((64, 48)) == 4  # 48, 24, 12, 6
    assert proesmans_pyramid_levels((512, 512)) == 6  # pysteps' default where the frames allow it
    assert proesmans_pyramid_levels((5, 40)) == 1


def test_pysteps_extrapolation_rejects_bad_shapes() -> None:
    classes = np.zeros((3, 16, 16), np.int64)
    with pytest.raises(ValueError, match="3 dimensions"):
        pysteps_class_extrapolation(classes[0], classes[0], 2, 2)
    with pytest.raises(ValueError, match="n_past >= 2"):
        pysteps_class_extrapolation(classes, np.zeros((3, 16, 8)), 2, 2)
    with pytest.raises(ValueError, match="n_past >= 2"):
        pysteps_class_extrapolation(classes[:1], classes[:1], 2, 2)
    with pytest.raises(ValueError, match="n_leads"):
        pysteps_class_extrapolation(classes, classes, 0, 2)
    tracer = np.zeros((3, 16, 16))
    tracer[-1, 4, 4] = np.nan
    with pytest.raises(ValueError, match="tracer must be finite"):
        pysteps_class_extrapolation(classes, tracer, 2, 2)


def test_pysteps_extrapolation_without_pysteps_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """pysteps is optional (source only, C with OpenMP): without it the function says how to get it,
    and ``pysteps_installed`` is what the notebooks test before showing its row."""
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pysteps" else real_find_spec(name, *a)
    )
    assert not pysteps_installed()
    classes = np.zeros((4, 8, 8), dtype=np.int64)
    with pytest.raises(ModuleNotFoundError, match=r"dlgd-course\[pysteps\].*C compiler with OpenMP"):
        pysteps_class_extrapolation(classes, classes.astype(float), 2, 2)
