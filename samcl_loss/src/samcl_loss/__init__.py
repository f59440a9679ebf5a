"""samcl_loss: the SAM-CL contrastive loss and the RMI loss for semantic segmentation."""

from samcl_loss.auxiliary import AuxiliaryNetwork
from samcl_loss.negatives import random_derangement, swap_classes
from samcl_loss.pixel import DiceLoss, MaskedCrossEntropyLoss
from samcl_loss.rmi import RMILoss, rmi_lower_bounds
from samcl_loss.samcl import SAMCLLoss, SAMCLTerms

__all__ = [
    "AuxiliaryNetwork",
    "DiceLoss",
    "MaskedCrossEntropyLoss",
    "RMILoss",
    "SAMCLLoss",
    "SAMCLTerms",
    "random_derangement",
    "rmi_lower_bounds",
    "swap_classes",
]
__version__ = "0.1.0"
