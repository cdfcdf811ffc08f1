"""The observation-error covariance R is left out of the gain, K = B Hᵀ (H B Hᵀ)⁻¹, in OI and in
the EnKF: the analysis then fits the noisy observations exactly, as if they were perfect."""

NOTEBOOK = "15-inverse-problems.ipynb"
EDITS = [
    (
        "optimal_interpolation",
        "torch.linalg.solve(H @ B @ H.T + R, H @ B)",
        "torch.linalg.solve(H @ B @ H.T, H @ B)",
    ),
    ("enkf_analysis", "torch.linalg.inv(H @ P @ H.T + R)", "torch.linalg.inv(H @ P @ H.T)"),
]
FAILS = ["test_optimal_interpolation", "test_enkf_analysis"]
