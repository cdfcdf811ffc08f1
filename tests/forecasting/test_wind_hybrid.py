"""Station wind hybrid (dlgd_course.forecasting.experiments.coastal_wind).

Figure checked: the issue-6 target "the NWP forecast corrected by a network beats both
persistence and raw NWP at every lead from 30 min to 6 h" on the synthetic coastal
wind (a reduced run: 60 days, samples every 12 min, 10 epochs), and the expected shape
of the baselines (persistence best at 30 min, NWP best at 6 h).
"""

from __future__ import annotations

import pytest
import torch

from dlgd_course.forecasting.experiments import coastal_wind


@pytest.mark.slow
def test_hybrid_beats_persistence_and_nwp_at_every_lead() -> None:
    # Measured (CPU, seed 0): hybrid 1.08 vs persistence 1.17 at 30 min, 1.40 vs NWP 1.78 at 6 h.
    results = coastal_wind.run(seed=0, n_days=60, stride=2, epochs=10)
    persistence = results["persistence"]["rmse"]
    nwp = results["NWP"]["rmse"]
    hybrid = results["hybrid"]["rmse"]
    assert persistence[0] < nwp[0] and nwp[-1] < persistence[-1], (
        f"persistence {persistence.tolist()} / NWP {nwp.tolist()} should cross over"
    )
    best = torch.minimum(persistence, nwp)
    assert (hybrid < best).all(), (
        f"hybrid {hybrid.tolist()} should beat min(persistence, NWP) {best.tolist()} at leads "
        f"{coastal_wind.LEAD_MINUTES} min"
    )
