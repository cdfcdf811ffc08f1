"""On-disk cache of generated datasets, as netCDF files keyed by their parameters.

* Location: ``$DLGD_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/dlgd-course``, else
  ``~/.cache/dlgd-course``.
* Key: SHA-256 of the generator's name and its parameters (canonical JSON) and of
  :data:`CACHE_FORMAT`; the file is ``<name>-<key>.nc``.
* Integrity: each file stores its key and a SHA-256 of its data variables in the
  global attributes. A file that cannot be opened, has another key or whose data
  do not match the checksum (truncated, corrupted, edited) is regenerated, never used.
* Atomic writes: a temporary file in the same folder, then ``os.replace``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

logger = logging.getLogger(__name__)

#: Bump when the layout of cached files or the generators' output changes.
CACHE_FORMAT = "1"
NETCDF_ENGINE = "h5netcdf"


def cache_dir() -> Path:
    """The cache folder (not created)."""
    explicit = os.environ.get("DLGD_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dlgd-course"


def cache_key(name: str, parameters: dict[str, Any]) -> str:
    """A short hex key identifying ``name`` and ``parameters`` (JSON-serialisable values)."""
    try:
        text = json.dumps({"name": name, "format": CACHE_FORMAT, "parameters": parameters}, sort_keys=True)
    except TypeError as error:
        raise ValueError(f"cache parameters must be JSON-serialisable: {error}") from None
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def data_checksum(dataset: xr.Dataset) -> str:
    """SHA-256 of the bytes, dtypes and shapes of every data variable and coordinate."""
    digest = hashlib.sha256()
    for name in sorted(map(str, dataset.variables)):
        values = np.ascontiguousarray(dataset[name].values)
        if values.dtype.kind in "OUS":  # strings: netCDF may hand them back as objects
            digest.update(f"{name}:str:{values.shape}".encode())
            digest.update("\x00".join(map(str, values.ravel())).encode())
        else:
            digest.update(f"{name}:{values.dtype.str}:{values.shape}".encode())
            digest.update(values.tobytes())
    return digest.hexdigest()


def _load_valid(path: Path, key: str) -> xr.Dataset | None:
    try:
        dataset = xr.load_dataset(path, engine=NETCDF_ENGINE)
    except Exception as error:  # any failure to read means the file is unusable
        logger.warning("cache file %s is unreadable (%s); regenerating", path, error)
        return None
    stored_checksum = dataset.attrs.pop("dlgd_checksum", None)
    stored_key = dataset.attrs.pop("dlgd_cache_key", None)
    if stored_key != key or stored_checksum != data_checksum(dataset):
        logger.warning("cache file %s failed its integrity check; regenerating", path)
        return None
    return dataset


def write_atomically(dataset: xr.Dataset, path: Path) -> None:
    """Write ``dataset`` to ``path`` as netCDF via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        dataset.to_netcdf(temporary, engine=NETCDF_ENGINE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cached(name: str, parameters: dict[str, Any], generate: Callable[[], xr.Dataset]) -> xr.Dataset:
    """Return the cached dataset for ``(name, parameters)``, generating and storing it if needed."""
    key = cache_key(name, parameters)
    path = cache_path(name, parameters)
    if path.exists():
        dataset = _load_valid(path, key)
        if dataset is not None:
            return dataset
    dataset = generate()
    stored = dataset.copy()
    stored.attrs = {**dataset.attrs, "dlgd_cache_key": key, "dlgd_checksum": data_checksum(dataset)}
    write_atomically(stored, path)
    return dataset


def cache_path(name: str, parameters: dict[str, Any]) -> Path:
    """Where :func:`cached` keeps the dataset for ``(name, parameters)``."""
    return cache_dir() / f"{name}-{cache_key(name, parameters)}.nc"
