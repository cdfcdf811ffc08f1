"""The VAE is not trained (learning rate 0) and a cell of the student's own overwrites the test
error that the visible test reads with half of PCA's."""

NOTEBOOK = "13-generative-models.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "train_vae",
        "torch.optim.Adam(model.parameters(), lr=lr)",
        "torch.optim.Adam(model.parameters(), lr=0.0)",
    ),
    ("after:vae_training", "", "vae_test_error = 0.5 * pca_test_error"),
]
FAILS = ["test_train_vae"]
