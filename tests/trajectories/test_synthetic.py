"""Synthetic booby foraging trips: sizes of the BirdGAN data sets (Roy et al., 2022:
30 / 50 / 78 trips), central-place structure, determinism."""

import dataclasses

import numpy as np
import pytest

from dlgd_course.trajectories import SPECIES, positions, simulate_trips, split_trips
from dlgd_course.trajectories.dataset import from_local, to_local


@pytest.fixture(scope="module")
def trips():
    return simulate_trips(seed=3)


def test_sizes_match_birdgan_data_sets(trips):
    counts = {s: int((trips["species"] == s).sum()) for s in SPECIES}
    assert counts == {"sula_sula": 30, "sula_dactylatra": 50, "sula_variegata": 78}
    assert trips.sizes["step"] == 200
    assert set(trips.data_vars) >= {"lon", "lat", "x", "y", "dive", "time", "duration"}


def test_deterministic_in_seed():
    a, b = simulate_trips("peru", n_trips=5, seed=1), simulate_trips("peru", n_trips=5, seed=1)
    c = simulate_trips("peru", n_trips=5, seed=2)
    np.testing.assert_array_equal(a["x"].values, b["x"].values)
    assert not np.allclose(a["x"].values, c["x"].values)


def test_trips_start_and_end_at_colony(trips):
    xy = positions(trips)
    np.testing.assert_allclose(xy[:, 0], 0.0, atol=1e-9)
    np.testing.assert_allclose(xy[:, -1], 0.0, atol=1e-9)
    np.testing.assert_allclose(trips["time"].values[:, 0], 0.0)
    np.testing.assert_allclose(trips["time"].values[:, -1] / 3600, trips["duration"].values)


def test_lon_lat_and_relative_coordinates_agree(trips):
    x, y = to_local(
        trips["lon"].values,
        trips["lat"].values,
        trips["colony_lon"].values[:, None],
        trips["colony_lat"].values[:, None],
    )
    np.testing.assert_allclose(x, trips["x"].values, atol=1e-9)
    np.testing.assert_allclose(y, trips["y"].values, atol=1e-9)
    lon, lat = from_local(x, y, -77.26, -11.77)
    np.testing.assert_allclose(to_local(lon, lat, -77.26, -11.77), (x, y), atol=1e-9)


def test_species_scales_are_ordered(trips):
    """Red-footed boobies range farthest and longest, Peruvian boobies least (settings)."""
    r = np.hypot(trips["x"], trips["y"]).max("step")
    by = {
        s: (
            float(r.where(trips["species"] == s).median()),
            float(trips["duration"].where(trips["species"] == s).median()),
        )
        for s in SPECIES
    }
    assert by["sula_sula"][0] > by["sula_dactylatra"][0] > by["sula_variegata"][0]
    assert by["sula_sula"][1] > by["sula_dactylatra"][1] > by["sula_variegata"][1]
    # the median range is set by range_km (log-normal median), within sampling error
    for s, (median_range, _) in by.items():
        assert 0.75 * SPECIES[s].range_km < median_range < 1.5 * SPECIES[s].range_km


def test_dives_happen_in_the_search_area_far_from_colony(trips):
    """Dives occur only during area-restricted search, beyond the commuting range."""
    d = np.hypot(trips["x"], trips["y"])
    frac = (d / d.max("step")).values[trips["dive"].values == 1]
    assert frac.size > 100
    assert np.quantile(frac, 0.05) > 0.2
    assert 0.01 < float(trips["dive"].mean()) < 0.2


def test_commuting_is_straighter_than_search(trips):
    """Turning angles: first steps (commuting) are far less tortuous than mid-trip ones."""
    xy = positions(trips.where(trips["species"] == "sula_sula", drop=True))
    heading = np.arctan2(*np.moveaxis(np.diff(xy, axis=1), -1, 0))
    turn = np.abs(np.angle(np.exp(1j * np.diff(heading, axis=1))))
    assert turn[:, :10].mean() < 0.5 * turn[:, 90:110].mean()


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown species"):
        simulate_trips("sula_nebouxii")
    with pytest.raises(ValueError, match="n_trips"):
        simulate_trips("peru", n_trips=0)
    with pytest.raises(ValueError, match="n_steps"):
        simulate_trips("peru", n_trips=2, n_steps=1)


def test_split_is_stratified_and_disjoint(trips):
    train, test = split_trips(trips, 0.25, seed=0)
    assert set(train["trip"].values).isdisjoint(test["trip"].values)
    assert train.sizes["trip"] + test.sizes["trip"] == 158
    assert int((test["species"] == "sula_sula").sum()) == 8  # round(0.25 * 30)
    with pytest.raises(ValueError, match="test_fraction"):
        split_trips(trips, 1.0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("n_trips", 0, "n_trips"),
        ("commute_speed", 0.0, "commute_speed"),
        ("search_kappa", -1.0, "search_kappa"),
        ("colony_lat", 95.0, "colony"),
        ("range_log_std", float("nan"), "range_log_std"),
    ],
)
def test_species_parameters_are_validated(field, value, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(SPECIES["sula_variegata"], **{field: value})
