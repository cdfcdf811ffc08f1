"""Results fed instead of earned: the a priori training_step does not learn, and a cell of the
student's own trains apriori_net with the library after the locked training cell; the rollout
score is a fixed number and a cell of the student's own overwrites the comparison table."""

NOTEBOOK = "04-neural-closures.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "apriori",
        "        loss = torch.mean((self.closure(windows[:, 0]) - subgrid) ** 2)\n",
        "        loss = 0.0 * self.closure(windows[:, 0]).sum()\n",
    ),
    (
        "after:apriori_training",
        "",
        "from dlgd_course.closures.training import APrioriClosure\n"
        "\n"
        "apriori_net.train()\n"
        "quiet_trainer(max_epochs=3).fit(APrioriClosure(apriori_net, 3e-3), apriori_data)\n"
        "apriori_net.eval()\n"
        "print(relative_mse(apriori_net))",
    ),
    (
        "rollout",
        "        trajectory = coarse_rollout(",
        "        return 0.02, 0\n        trajectory = coarse_rollout(",
    ),
    (
        "after:comparison",
        "",
        'results = {"no closure": (0.6155, 0), "Smagorinsky C_s=0.16": (0.3814, 0),\n'
        '           "dynamic Smagorinsky": (0.0849, 0), "a priori CNN": (0.0340, 0),\n'
        '           "solver-in-the-loop CNN": (0.0284, 0)}',
    ),
]
FAILS = ["test_apriori", "test_rollout"]
