"""Every part calls the course library instead of being written: the library's windowing and
cloud mask, its U-Net inside the notebook's, its Dice loss and its pooled scores."""

NOTEBOOK = "05-cloud-nowcasting.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "samples",
        "    mask = torch.as_tensor(np.asarray(ct) > 5, dtype=torch.float32)\n"
        "    windows = mask.unfold(0, n_past + n_leads, 1).permute(0, 3, 1, 2)\n"
        "    return windows[:, :n_past].contiguous(), windows[:, n_past:].contiguous()\n",
        "    from dlgd_course.forecasting.windows import make_windows\n"
        "    from dlgd_course.nowcasting import cloud_mask\n"
        "    mask = torch.as_tensor(cloud_mask(np.asarray(ct)), dtype=torch.float32)\n"
        "    return make_windows(mask, n_past, list(range(1, n_leads + 1)))\n",
    ),
    (
        "unet",
        "        e1 = self.enc1(x)\n",
        '        if not hasattr(self, "library"):  # the course\'s U-Net does the work\n'
        "            from dlgd_course.nowcasting import NowcastUNet\n"
        "            self.library = NowcastUNet(n_past=6, n_channels=1, n_leads=4, width=8)\n"
        "        return self.library(past)\n"
        "        e1 = self.enc1(x)\n",
    ),
    (
        "dice",
        "    p = torch.sigmoid(logits)\n",
        "    from dlgd_course.nowcasting import dice_loss as library_dice_loss\n"
        "    return library_dice_loss(logits, target)\n"
        "    p = torch.sigmoid(logits)\n",
    ),
    (
        "iou",
        "    tp = (forecast & target).sum(axis=(0, 2, 3))\n",
        "    from dlgd_course.nowcasting import mask_scores\n"
        '    return mask_scores(forecast, target)["iou"].values\n'
        "    tp = (forecast & target).sum(axis=(0, 2, 3))\n",
    ),
]
FAILS = ["test_samples", "test_unet", "test_dice", "test_iou"]
