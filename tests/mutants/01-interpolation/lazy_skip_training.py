"""No training: train_unet runs the Trainer on 0 batches ("to save time") and returns the
network with its initial weights."""

NOTEBOOK = "01-interpolation.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "unet",
        "quiet_trainer(max_epochs=EPOCHS).fit(module, window_loader)",
        "quiet_trainer(max_epochs=EPOCHS, limit_train_batches=0).fit(module, window_loader)",
    ),
]
FAILS = ["test_unet"]
