"""The observation-error covariance is left out of the gain, K = P Hᵀ (H P Hᵀ)⁻¹, in OI and in
the localised EnKF: the analyses then fit the noisy observations exactly, as if they were
perfect, and the cycled filter keeps the observation noise."""

NOTEBOOK = "23-lorenz96-assimilation.ipynb"
EDITS = [
    ("oi_baseline", "H @ covariance @ H.T + R, H @ covariance", "H @ covariance @ H.T, H @ covariance"),
    ("localised_enkf", "H @ P @ H.T + R, H @ P", "H @ P @ H.T, H @ P"),
]
FAILS = ["test_oi_baseline", "test_localised_enkf"]
