"""The log-variance is read as the log of the standard deviation in the reparameterisation,
z = mu + exp(log_var) * noise: the codes are drawn with the variance in place of sigma."""

NOTEBOOK = "13-generative-models.ipynb"
CELL = "elbo"
FIND = "    return mu + torch.exp(0.5 * log_var) * noise\n"
REPLACE = "    return mu + torch.exp(log_var) * noise\n"
FAILS = ["test_elbo"]
