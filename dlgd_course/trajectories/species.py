"""Species settings of the synthetic booby foraging trips.

The three data sets of the BirdGAN study (Roy, Fablet & Lanco Bertrand, 2022, "Using
generative adversarial networks (GAN) to simulate central-place foraging trajectories",
*Methods in Ecology and Evolution* 13, 1275-1287) are GPS tracks of red-footed boobies
(*Sula sula*, Fernando de Noronha, Brazil, 30 trips), masked boobies (*Sula dactylatra*,
Fernando de Noronha, 50 trips) and
Peruvian boobies (*Sula variegata*, Isla Pescadores, Peru, 78 trips).

The numbers below are *synthetic* settings chosen to give each species its own scale
(the order of magnitude of published booby foraging ranges and durations), not values
fitted to the real tracks.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SpeciesParameters:
    """Parameters of the three-phase trip model of one species.

    Speeds in m/s, distances in km, durations in hours, the sampling interval in s.
    ``range_km`` is the median distance of the search area from the colony (log-normal
    across trips with log-std ``range_log_std``); ``search_hours`` the median duration of
    the area-restricted-search phase (log-normal, ``search_log_std``);
    ``dive_rate_per_hour`` the rate of dives while searching; the outbound heading
    (degrees clockwise from north) is von Mises around ``heading_deg`` with concentration
    ``heading_kappa`` (open sea lies on one side of the colony).
    """

    name: str
    common_name: str
    region: str
    colony_lon: float
    colony_lat: float
    n_trips: int
    sampling_interval_s: float
    commute_speed: float
    search_speed: float
    commute_kappa: float
    search_kappa: float
    range_km: float
    range_log_std: float
    search_hours: float
    search_log_std: float
    dive_rate_per_hour: float
    heading_deg: float
    heading_kappa: float

    def __post_init__(self) -> None:
        """Check the colony's position, that counts, speeds, scales and the sampling interval are
        positive and that the concentrations, spreads and the dive rate are not negative."""
        positive = ("sampling_interval_s", "commute_speed", "search_speed", "range_km", "search_hours")
        non_negative = (
            "commute_kappa",
            "search_kappa",
            "range_log_std",
            "search_log_std",
            "dive_rate_per_hour",
            "heading_kappa",
        )
        if not (-180 <= self.colony_lon <= 180 and -90 <= self.colony_lat <= 90):
            raise ValueError(f"{self.name}: colony out of range, got {self.colony_lon}, {self.colony_lat}")
        if isinstance(self.n_trips, bool) or not isinstance(self.n_trips, int) or self.n_trips < 1:
            raise ValueError(f"{self.name}: n_trips must be a positive int, got {self.n_trips!r}")
        for name in (*positive, *non_negative, "heading_deg"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0 or (value == 0 and name in positive):
                bound = "> 0" if name in positive else ">= 0"
                raise ValueError(f"{self.name}: {name} must be finite and {bound}, got {value}")

    def parameters(self) -> dict:
        """All settings as a plain dict (stored in Dataset attrs)."""
        return asdict(self)


SPECIES: dict[str, SpeciesParameters] = {
    "sula_sula": SpeciesParameters(
        name="sula_sula",
        common_name="red-footed booby",
        region="Brazil",
        colony_lon=-32.42,
        colony_lat=-3.85,
        n_trips=30,
        sampling_interval_s=30.0,
        commute_speed=11.0,
        search_speed=5.0,
        commute_kappa=40.0,
        search_kappa=1.0,
        range_km=45.0,
        range_log_std=0.35,
        search_hours=2.0,
        search_log_std=0.4,
        dive_rate_per_hour=6.0,
        heading_deg=60.0,
        heading_kappa=2.0,
    ),
    "sula_dactylatra": SpeciesParameters(
        name="sula_dactylatra",
        common_name="masked booby",
        region="Brazil",
        colony_lon=-32.42,
        colony_lat=-3.85,
        n_trips=50,
        sampling_interval_s=20.0,
        commute_speed=12.0,
        search_speed=6.0,
        commute_kappa=30.0,
        search_kappa=1.5,
        range_km=30.0,
        range_log_std=0.4,
        search_hours=1.5,
        search_log_std=0.4,
        dive_rate_per_hour=8.0,
        heading_deg=200.0,
        heading_kappa=1.5,
    ),
    "sula_variegata": SpeciesParameters(
        name="sula_variegata",
        common_name="Peruvian booby",
        region="Peru",
        colony_lon=-77.26,
        colony_lat=-11.77,
        n_trips=78,
        sampling_interval_s=15.0,
        commute_speed=10.0,
        search_speed=4.0,
        commute_kappa=20.0,
        search_kappa=0.8,
        range_km=12.0,
        range_log_std=0.45,
        search_hours=0.8,
        search_log_std=0.45,
        dive_rate_per_hour=15.0,
        heading_deg=250.0,
        heading_kappa=3.0,
    ),
}

# The two published data sets: Brazil pools the two Fernando de Noronha species.
REGIONS: dict[str, tuple[str, ...]] = {
    "brazil": ("sula_sula", "sula_dactylatra"),
    "peru": ("sula_variegata",),
}


def get_species(name: str) -> SpeciesParameters:
    """The :class:`SpeciesParameters` called ``name`` (ValueError for an unknown name)."""
    if name not in SPECIES:
        raise ValueError(f"unknown species {name!r}; choose one of {sorted(SPECIES)}")
    return SPECIES[name]
