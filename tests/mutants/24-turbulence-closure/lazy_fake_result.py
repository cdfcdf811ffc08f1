"""The network is not trained (learning rate 0) and a cell of the student's own overwrites the
a priori and a posteriori scores that the visible tests read with good-looking numbers."""

NOTEBOOK = "24-turbulence-closure.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "apriori_cnn",
        "torch.optim.Adam(network.parameters(), lr=lr)",
        "torch.optim.Adam(network.parameters(), lr=0.0)",
    ),
    (
        "after:cnn_training",
        "",
        "cnn_losses = [1.0 / (epoch + 1) for epoch in range(N_EPOCHS)]\n"
        "cnn_apriori = (0.8, 0.6)\n"
        "cnn_errors = (0.05, 0.05)",
    ),
]
FAILS = ["test_apriori_cnn"]
