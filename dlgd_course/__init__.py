"""dlgd_course — the library of the course *Deep Learning and Geophysical Dynamics*.

Subpackages:
    dynamics   differentiable dynamical systems (Lorenz-63, Lorenz-96, two-level
               Lorenz-96, viscous Burgers), time steppers, integrator, Lyapunov exponents
    data       synthetic trajectories as xarray Datasets, observation operators,
               netCDF cache, Lightning DataModules
"""

from importlib.metadata import PackageNotFoundError, version

from dlgd_course.device import default_device

try:
    __version__ = version("dlgd-course")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "default_device"]
