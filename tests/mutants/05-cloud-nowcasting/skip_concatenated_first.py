"""Skip connection concatenated before the upsampled features: same shapes, but the decoder
weights see the channels in another order than the U-Net specified (upsampled first)."""

NOTEBOOK = "05-cloud-nowcasting.ipynb"
CELL = "unet"
FIND = "torch.cat([self.up2(b), e2], dim=1)"
REPLACE = "torch.cat([e2, self.up2(b)], dim=1)"
FAILS = ["test_unet"]
