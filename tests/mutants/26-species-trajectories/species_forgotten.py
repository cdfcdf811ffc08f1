"""The species is forgotten where it matters: the split draws the test trips from all trips at once
(not per species, so the species' shares drift), the CRW is fitted to the pooled trips of all
species, and the critic sees the trip without the species' one-hot channels."""

NOTEBOOK = "26-species-trajectories.ipynb"
EDITS = [
    (
        "split_by_trip",
        "        index = np.flatnonzero(labels == name)\n",
        "        index = np.arange(len(labels))\n",
    ),
    (
        "crw_per_species",
        '        own = train.isel(trip=np.flatnonzero(train["species"].values == name))\n',
        "        own = train\n",
    ),
    ("conditioning", "            3 + n_species, N_STEPS,", "            3, N_STEPS,"),
    (
        "conditioning",
        "        return self.net(torch.cat([x, one_hot[:, :, None].expand(-1, -1, x.shape[-1])], dim=1))\n",
        "        return self.net(x)\n",
    ),
]
FAILS = ["test_split_by_trip", "test_crw_per_species", "test_conditioning"]
