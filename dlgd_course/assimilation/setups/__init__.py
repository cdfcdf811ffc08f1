"""Published twin-experiment setups, one module per paper (like DAPPER's ``mods/``).

Each module defines ``SETUP`` (a :class:`~dlgd_course.assimilation.twin.TwinSetup`),
``EXPECTED_RMSE`` (published analysis RMSE per method) and ``methods()`` (the tuned
configurations behind those numbers).
"""

from dlgd_course.assimilation.setups import bocquet_sakov2013, sakov2012, sakov_oke2008, wiljes2017

SETUPS = {
    "sakov2012": sakov2012,
    "sakov_oke2008": sakov_oke2008,
    "wiljes2017": wiljes2017,
    "bocquet_sakov2013": bocquet_sakov2013,
}

__all__ = ["SETUPS", "bocquet_sakov2013", "sakov2012", "sakov_oke2008", "wiljes2017"]
