"""samcl_loss: the SAM-CL contrastive loss and the RMI loss for semantic segmentation."""

from samcl_loss.auxiliary import AuxiliaryNetwork, PointwiseConv2d
from samcl_loss.cross_entropy import MaskedCrossEntropyLoss, masked_cross_entropy
from samcl_loss.dice import DiceLoss, dice_loss
from samcl_loss.negatives import NEGATIVES, random_derangement, swap_classes
from samcl_loss.rmi import RMILoss, min_input_size, rmi_loss, rmi_lower_bounds
from samcl_loss.samcl import PREDICTIONS, BaseLoss, SAMCLLoss, samcl_loss
from samcl_loss.terms import SAMCLTerms

__all__ = [
    "NEGATIVES",
    "PREDICTIONS",
    "AuxiliaryNetwork",
    "BaseLoss",
    "DiceLoss",
    "MaskedCrossEntropyLoss",
    "PointwiseConv2d",
    "RMILoss",
    "SAMCLLoss",
    "SAMCLTerms",
    "dice_loss",
    "masked_cross_entropy",
    "min_input_size",
    "random_derangement",
    "rmi_loss",
    "rmi_lower_bounds",
    "samcl_loss",
    "swap_classes",
]
__version__ = "0.3.0"
