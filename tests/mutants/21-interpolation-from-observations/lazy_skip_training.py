"""No training: train_observation_only runs the Trainer on 0 batches ("to save time") and returns
the network with its initial weights."""

NOTEBOOK = "21-interpolation-from-observations.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "observation_training",
        "quiet_trainer(max_epochs=1).fit(module, loader)",
        "quiet_trainer(max_epochs=1, limit_train_batches=0).fit(module, loader)",
    ),
]
FAILS = ["test_observation_training"]
