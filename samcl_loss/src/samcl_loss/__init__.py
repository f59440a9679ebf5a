"""samcl_loss: the SAM-CL contrastive loss and the RMI loss for semantic segmentation."""

__all__: list[str] = []
__version__ = "0.1.0"
