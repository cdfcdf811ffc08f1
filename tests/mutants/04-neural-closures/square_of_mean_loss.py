"""Square of the mean instead of mean of squares: (mean(M_θ − M*))². Both terms have zero
spatial mean, so the loss is ~0 whatever θ is and the network never learns."""

NOTEBOOK = "04-neural-closures.ipynb"
CELL = "apriori"
FIND = "loss = torch.mean((self.closure(windows[:, 0]) - subgrid) ** 2)"
REPLACE = "loss = torch.mean(self.closure(windows[:, 0]) - subgrid) ** 2"
FAILS = ["test_apriori"]
