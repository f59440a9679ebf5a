"""Geometric transforms for the TiAug presets: random rescale with aspect, centre crop/pad."""

from tiaug.geometric.transforms import CenterCropPad, RandomRescale

__all__ = ["CenterCropPad", "RandomRescale"]
