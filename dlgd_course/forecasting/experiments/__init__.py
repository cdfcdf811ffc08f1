"""Reference forecasting set-ups, one module per published (or course-measured) setting,
with the expected numbers in the module docstring and a ``run`` function that measures them.

    fablet2018     Lorenz-63, dt = 0.01: baselines, bilinear residual network, neural ODE,
                   MLP, LSTM/GRU (Fablet, Ouala & Herzet 2018)
    coastal_wind   synthetic MeteoNet-like stations: persistence, raw NWP, NWP corrected by
                   a network, t + 30 min to t + 6 h
"""
