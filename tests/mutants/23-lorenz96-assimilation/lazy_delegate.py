"""Every part calls the course library instead of being written: the course's error growth and
fit, twin experiment, scores and OI, its Gaspari-Cohn taper and ring distance, and the gain
formula inside the localised analysis."""

NOTEBOOK = "23-lorenz96-assimilation.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "error_growth",
        "    model = Lorenz96(N=x_a.shape[-1], F=F)\n",
        "    from dlgd_course.assimilation.lorenz96_localisation import error_growth as course_growth\n"
        "\n"
        "    return course_growth(x_a, x_b, n_steps, dt, F)\n",
    ),
    (
        "error_growth",
        "    mean_log = distance.log().mean(-1)\n",
        "    from dlgd_course.assimilation.lorenz96_localisation import growth_rate as course_rate\n"
        "\n"
        "    return course_rate(distance, dt, upper)\n",
    ),
    (
        "twin_experiment",
        "    model = Lorenz96(N=x0.shape[-1], F=F)\n",
        "    from dlgd_course.assimilation.lorenz96_localisation import lorenz96_twin_experiment\n"
        "\n"
        "    return lorenz96_twin_experiment(x0, n_spinup, n_cycles, observed, obs_std, seed, dt, F)\n",
    ),
    (
        "time_mean_scores",
        "    error = (estimates",
        "    from dlgd_course.assimilation import lorenz96_localisation\n"
        "\n"
        "    return lorenz96_localisation.time_mean_rmse(estimates, truth, components, burn_in)\n"
        "    error = (estimates",
    ),
    (
        "time_mean_scores",
        "    variance = ensembles",
        "    from dlgd_course.assimilation import lorenz96_localisation\n"
        "\n"
        "    return lorenz96_localisation.time_mean_spread(ensembles, components, burn_in)\n"
        "    variance = ensembles",
    ),
    (
        "oi_baseline",
        "    K = torch.linalg.solve(H @ covariance @ H.T + R, H @ covariance).T\n",
        "    from dlgd_course.assimilation import kalman_gain\n\n    K = kalman_gain(covariance, H, R)\n",
    ),
    (
        "gaspari_cohn",
        "    sites = torch.arange(n, dtype=torch.float64)\n",
        "    from dlgd_course.assimilation.ensemble import gaspari_cohn, periodic_distance\n"
        "\n"
        "    sites = torch.arange(n, dtype=torch.float64)\n"
        "    return gaspari_cohn(periodic_distance(n, sites, sites) / half_width)\n",
    ),
    (
        "localised_enkf",
        "    K = torch.linalg.solve(H @ P @ H.T + R, H @ P).mT\n",
        "    from dlgd_course.assimilation import kalman_gain\n\n    K = kalman_gain(P, H, R)\n",
    ),
]
FAILS = [
    "test_error_growth",
    "test_twin_experiment",
    "test_time_mean_scores",
    "test_oi_baseline",
    "test_gaspari_cohn",
    "test_localised_enkf",
]
