"""The sample and ensemble means are not subtracted: the a priori "correlation" is a cosine
similarity (wrong for fields with a mean), and the EKI covariances are raw second moments, so
the gain and the update are wrong."""

NOTEBOOK = "24-turbulence-closure.ipynb"
EDITS = [
    (
        "apriori_metric",
        "p, e = predicted - predicted.mean(), exact - exact.mean()",
        "p, e = predicted, exact",
    ),
    ("eki_update", "theta_anomalies = theta - theta.mean(axis=0)", "theta_anomalies = theta"),
    ("eki_update", "g_anomalies = predictions - predictions.mean(axis=0)", "g_anomalies = predictions"),
]
FAILS = ["test_apriori_metric", "test_eki_update"]
