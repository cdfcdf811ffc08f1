"""Synthetic sediment fields, cloud masks, training pairs and the loaders of real products."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import scipy.stats
import xarray as xr

from dlgd_course.interpolation import (
    SedimentConfig,
    cloud_masks,
    from_arrays,
    hide_observed_pixels,
    load_gappy_netcdf,
    observe_sediment,
    simulate_sediment,
)

SMALL = SedimentConfig(n_lat=24, n_lon=24)


@pytest.fixture(scope="module")
def small_truth() -> xr.Dataset:
    return simulate_sediment(120, seed=3, config=SMALL, spinup_days=20)


def test_sediment_is_positive_skewed_and_log_normal_like(small_truth: xr.Dataset) -> None:
    """Concentrations are positive, strongly right-skewed in mg/L and much less skewed in
    log space (near log-normal, as in ocean-colour SPM products, Gohin 2011)."""
    c = small_truth["truth"].values
    assert c.shape == (120, 24, 24)
    assert np.all(c > 0)
    skew_linear = scipy.stats.skew(c.ravel())
    skew_log = scipy.stats.skew(np.log10(c).ravel())
    assert skew_linear > 2.0, skew_linear
    assert abs(skew_log) < skew_linear / 2, (skew_linear, skew_log)
    assert small_truth["truth"].attrs["units"] == "mg/L"
    assert small_truth["truth"].attrs["standard_name"].startswith("mass_concentration")


def test_sediment_has_coastal_gradient_and_day_to_day_memory(small_truth: xr.Dataset) -> None:
    """Plumes and resuspension make the coast (lon = 0) more turbid than offshore; advection
    gives daily fields that are correlated but not frozen (lag-1 correlation of log anomalies
    between 0.5 and 0.99)."""
    logs = np.log10(small_truth["truth"].values)
    assert logs[:, :, :4].mean() > logs[:, :, -4:].mean() + 0.3
    anomaly = logs - logs.mean(axis=0)
    lag1 = np.corrcoef(anomaly[1:].ravel(), anomaly[:-1].ravel())[0, 1]
    assert 0.5 < lag1 < 0.99, lag1


def test_sediment_is_deterministic_in_the_seed() -> None:
    """Same seed, same bytes; another seed, another field."""
    a = simulate_sediment(5, seed=1, config=SMALL, spinup_days=2)["truth"].values
    b = simulate_sediment(5, seed=1, config=SMALL, spinup_days=2)["truth"].values
    c = simulate_sediment(5, seed=2, config=SMALL, spinup_days=2)["truth"].values
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_sediment_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="n_days"):
        simulate_sediment(0, config=SMALL)
    with pytest.raises(ValueError, match="diffusion unstable"):
        simulate_sediment(3, config=SedimentConfig(n_lat=16, n_lon=16, diffusivity_km2_per_day=5.0))


def test_cloud_masks_are_correlated_persistent_and_span_coverages() -> None:
    """Daily missing fractions range from below 10 % to above 90 % (real L3 products); clouds
    are spatially correlated (a cloudy pixel's neighbour is cloudy far more often than the
    daily fraction) and persistent from day to day."""
    masks = cloud_masks(400, (32, 32), seed=0)
    fraction = masks.mean(axis=(1, 2))
    assert fraction.min() < 0.1 and fraction.max() > 0.9, (fraction.min(), fraction.max())
    assert 0.45 < fraction.mean() < 0.75
    mid = (fraction > 0.2) & (fraction < 0.8)
    neighbour = (masks[mid, :, 1:] & masks[mid, :, :-1]).sum() / masks[mid, :, :-1].sum()
    assert neighbour > fraction[mid].mean() + 0.25
    same = (masks[1:] == masks[:-1]).mean()
    independent = np.mean(fraction[1:] * fraction[:-1] + (1 - fraction[1:]) * (1 - fraction[:-1]))
    assert same > independent + 0.05, (same, independent)


def test_observations_have_gaps_noise_and_clear_days(small_truth: xr.Dataset) -> None:
    """Observations are NaN exactly under clouds, carry log-normal noise of the requested
    size, and the held-out clear days are fully observed."""
    ds = observe_sediment(small_truth, seed=0, noise_std=0.05, clear_day_fraction=0.1)
    obs, mask = ds["observation"].values, ds["mask"].values
    assert np.array_equal(np.isfinite(obs), mask)
    assert ds["clear_day"].values.any()
    assert mask[ds["clear_day"].values].all()
    error = np.log10(obs[mask]) - np.log10(ds["truth"].values[mask])
    assert abs(error.std() - 0.05) < 0.005
    with pytest.raises(ValueError, match="noise_std"):
        observe_sediment(small_truth, noise_std=-1.0)


def test_hiding_observed_pixels_builds_pairs_from_observations_only() -> None:
    """Input mask ⊂ observed, hidden = observed minus input, and nothing unobserved is hidden
    (there is no truth there on a real product)."""
    mask = ~cloud_masks(50, (16, 16), seed=1)
    input_mask, hidden = hide_observed_pixels(mask, seed=0)
    assert np.all(input_mask <= mask) and np.all(hidden <= mask)
    assert not np.any(input_mask & hidden)
    assert np.array_equal(input_mask | hidden, mask)
    assert 0.1 < hidden.sum() / mask.sum() < 0.9
    with pytest.raises(ValueError, match="time, lat, lon"):
        hide_observed_pixels(mask[0])


def test_loaders_give_the_synthetic_layout(tmp_path) -> None:
    """A netCDF product with _FillValue gaps, one with NaN gaps and latitude/longitude names,
    and plain arrays + masks all give the same Dataset (observation NaN in gaps, mask)."""
    rng = np.random.default_rng(0)
    field = 10 ** rng.normal(0.5, 0.3, size=(4, 5, 6))
    mask = rng.random(field.shape) > 0.4
    with_fill = np.where(mask, field, -999.0)
    path = tmp_path / "fill.nc"
    xr.Dataset(
        {"spm": (("time", "lat", "lon"), with_fill, {"units": "mg/L"})},
        coords={"time": np.arange(4) * 1.0, "lat": np.arange(5.0), "lon": np.arange(6.0)},
    ).to_netcdf(path, engine="h5netcdf", encoding={"spm": {"_FillValue": -999.0}})
    loaded = load_gappy_netcdf(path)
    path_nan = tmp_path / "nan.nc"
    xr.Dataset(
        {"SPM": (("time", "latitude", "longitude"), np.where(mask, field, np.nan))},
        coords={"time": np.arange(4) * 1.0},
    ).to_netcdf(path_nan, engine="h5netcdf")
    loaded_nan = load_gappy_netcdf(path_nan, variable="SPM")
    arrays = from_arrays(field, masks=mask)
    for ds in (loaded, loaded_nan, arrays):
        assert ds["observation"].dims == ("time", "lat", "lon")
        assert np.array_equal(ds["mask"].values, mask)
        np.testing.assert_allclose(ds["observation"].values[mask], field[mask], rtol=1e-6)
        assert np.isnan(ds["observation"].values[~mask]).all()


def test_loaders_reject_bad_files_with_named_problems(tmp_path) -> None:
    field = np.ones((3, 4, 4))
    with pytest.raises(ValueError, match="no such file"):
        load_gappy_netcdf(tmp_path / "missing.nc")
    junk = tmp_path / "junk.nc"
    junk.write_text("not netcdf")
    with pytest.raises(ValueError, match="not a readable netCDF"):
        load_gappy_netcdf(junk)
    two = tmp_path / "two.nc"
    xr.Dataset({"a": (("time", "lat", "lon"), field), "b": (("time", "lat", "lon"), field)}).to_netcdf(
        two, engine="h5netcdf"
    )
    with pytest.raises(ValueError, match="exactly one 3-D variable"):
        load_gappy_netcdf(two)
    with pytest.raises(ValueError, match="no variable 'c'"):
        load_gappy_netcdf(two, variable="c")
    wrong_dims = tmp_path / "dims.nc"
    xr.Dataset({"a": (("time", "depth", "lon"), field)}).to_netcdf(wrong_dims, engine="h5netcdf")
    with pytest.raises(ValueError, match="no 'lat' dimension"):
        load_gappy_netcdf(wrong_dims)
    negative = tmp_path / "negative.nc"
    xr.Dataset({"a": (("time", "lat", "lon"), -field)}).to_netcdf(negative, engine="h5netcdf")
    with pytest.raises(ValueError, match="<= 0"):
        load_gappy_netcdf(negative)
    empty = tmp_path / "empty.nc"
    xr.Dataset({"a": (("time", "lat", "lon"), field * np.nan)}).to_netcdf(empty, engine="h5netcdf")
    with pytest.raises(ValueError, match="no observed pixel"):
        load_gappy_netcdf(empty)
    with h5py.File(tmp_path / "plain.h5", "w") as f:
        f["x"] = field
    with pytest.raises(ValueError, match="no 'time' dimension|dims"):
        load_gappy_netcdf(tmp_path / "plain.h5")
    with pytest.raises(ValueError, match="masks shape"):
        from_arrays(field, masks=np.ones((3, 4, 5), dtype=bool))
    with pytest.raises(ValueError, match="marked observed but are not finite"):
        from_arrays(field * np.nan, masks=np.ones(field.shape, dtype=bool))
    with pytest.raises(ValueError, match="strictly increasing"):
        from_arrays(field, time=np.array([0, 2, 1]))
