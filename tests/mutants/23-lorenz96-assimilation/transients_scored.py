"""What should be left out is kept: the truth starts at the random initial state (the model's
spin-up is not discarded), the scores average over every cycle (the filter's burn-in is not
skipped), and the growth rate is fitted over the whole run, the saturated distances included."""

NOTEBOOK = "23-lorenz96-assimilation.ipynb"
EDITS = [
    ("error_growth", "kept = mean_log < math.log(upper)", "kept = mean_log < math.inf"),
    ("twin_experiment", "start = model.integrate(x0, dt, n_spinup)[-1]", "start = x0"),
    (
        "time_mean_scores",
        "(estimates[burn_in:, :, sites] - truth[burn_in:, :, sites])",
        "(estimates[:, :, sites] - truth[:, :, sites])",
    ),
    ("time_mean_scores", "ensembles[burn_in:, :, :, sites]", "ensembles[:, :, :, sites]"),
]
FAILS = ["test_error_growth", "test_twin_experiment", "test_time_mean_scores"]
