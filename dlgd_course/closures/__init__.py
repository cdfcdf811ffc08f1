"""Closures: learn the subgrid term of a coarse model from filtered fine simulations.

Differentiable case, 1-D forced viscous Burgers (torch)::

    burgers         filter/coarse-graining, exact subgrid term, coarse solver with a
                    pluggable closure, constant and dynamic Smagorinsky, flux-form CNN
    data            DNS families (random initial states and forcings) as xarray
    training        Lightning: a priori regression and solver-in-the-loop (Um et al. 2020)
    evaluation      rollouts against the filtered DNS, spectra, blow-ups, speed-up
    um2020_burgers  the DLGD Burgers closure experiment (expected numbers in its docstring)

Non-differentiable case, 2-D Kolmogorov flow (NumPy/SciPy FFTs)::

    turbulence2d            solver, filter, exact subgrid term, Smagorinsky, CNN closure
    kochkov2021_kolmogorov  offline CNN vs Smagorinsky a posteriori in the NumPy LES
    kolmogorov_les          split by run, a priori and a posteriori scores, the training loop and
                            the ensemble Kalman update that calibrates C_s (exercise 24)
"""
