"""Readers and writers: temperature maps, label maps, the Thermal Face Database, dataset folders.

One module per job, every public name re-exported here:

- :mod:`tiaug.io.thermal`: :func:`read_thermal` (degC from ``.npy``, ``.tif``, 16-bit
  ``.png``, raw ``.bin``/``.raw`` frames with a camera preset or scale/offset, FLIR
  radiometric ``.jpg``) and :func:`write_thermal`;
- :mod:`tiaug.io.flir`: FLIR radiometric JPEGs through the optional ``flyr``;
- :mod:`tiaug.io.images`: :func:`read_image`, any picture: degC when radiometric, else
  relative intensities (8/16-bit grey, or a palette's colours turned back into levels,
  :mod:`tiaug.io.palettes`), and :func:`intensity_to_degc`;
- :mod:`tiaug.io.landmarks`: :func:`read_landmarks` (YOLO pose ``.txt``, iBUG ``.pts``,
  Menpo ``.ljson``; layouts in :data:`LANDMARK_LAYOUTS`);
- :mod:`tiaug.io.labelled`: real labelled frames (picture + landmarks or label map) and
  their folders;
- :mod:`tiaug.io.masks`: :func:`read_mask`, :func:`write_mask`;
- :mod:`tiaug.io.tfd`: the Thermal Face Database (images, landmarks, masks, subject split);
- :mod:`tiaug.io.dataset`: the ``OUTDIR/{train,val}/{image,label}`` layout.

Errors are ``FileNotFoundError`` (missing file) or ``ValueError`` with a message naming the
file and the problem.
"""

from tiaug.classes import (
    CLASS_NAMES,
    IBUG68_GROUPS,
    LANDMARK_LAYOUTS,
    TFD_MASK_ORDER,
    LandmarkLayout,
    landmarks_to_mask,
)
from tiaug.io.dataset import list_dataset_pairs
from tiaug.io.flir import read_flir_jpeg
from tiaug.io.images import ThermalImage, intensity_to_degc, read_image
from tiaug.io.labelled import (
    LabelledFrame,
    list_labelled_pairs,
    list_landmarked_frames,
    read_labelled_frame,
)
from tiaug.io.landmarks import Landmarks, read_landmarks, write_landmarks
from tiaug.io.masks import read_mask, write_mask
from tiaug.io.palettes import PALETTES
from tiaug.io.tfd import (
    TFD_VAL_SUBJECTS,
    list_tfd_pairs,
    read_tfd_landmarks,
    read_tfd_pair,
    split_tfd_by_subject,
    tfd_crop_resize,
    tfd_subject,
)
from tiaug.io.thermal import IMAGE_SUFFIXES, read_thermal, write_thermal

__all__ = [
    "CLASS_NAMES",
    "IBUG68_GROUPS",
    "IMAGE_SUFFIXES",
    "LANDMARK_LAYOUTS",
    "PALETTES",
    "TFD_MASK_ORDER",
    "TFD_VAL_SUBJECTS",
    "LabelledFrame",
    "LandmarkLayout",
    "Landmarks",
    "ThermalImage",
    "intensity_to_degc",
    "landmarks_to_mask",
    "list_dataset_pairs",
    "list_labelled_pairs",
    "list_landmarked_frames",
    "list_tfd_pairs",
    "read_flir_jpeg",
    "read_image",
    "read_labelled_frame",
    "read_landmarks",
    "read_mask",
    "read_tfd_landmarks",
    "read_tfd_pair",
    "read_thermal",
    "split_tfd_by_subject",
    "tfd_crop_resize",
    "tfd_subject",
    "write_landmarks",
    "write_mask",
    "write_thermal",
]
