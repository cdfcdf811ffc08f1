"""IoU computed per sample and averaged instead of pooled over samples: a nearly clear
sample weighs as much as a cloudy one."""

NOTEBOOK = "05-cloud-nowcasting.ipynb"
CELL = "iou"
FIND = """    tp = (forecast & target).sum(axis=(0, 2, 3))
    union = (forecast | target).sum(axis=(0, 2, 3))
    return tp / union"""
REPLACE = """    tp = (forecast & target).sum(axis=(2, 3))
    union = (forecast | target).sum(axis=(2, 3))
    return (tp / np.maximum(union, 1)).mean(axis=0)"""
FAILS = ["test_iou"]
