"""Procedural thermal faces with six-class masks: the package's built-in data.

- :func:`synth_face`: one random face (float32 degC image, uint8 mask, 68 landmarks).
- :class:`SyntheticFaces`: an indexable, deterministic collection (backs a Dataset).
- :func:`write_dataset`: writes ``OUTDIR/{train,val}/{image,label}`` plus ``meta.json``.

Geometry lives in :mod:`tiaug.synth.face`, temperatures in :mod:`tiaug.synth.thermal`; the
mask is built from the landmarks by :func:`tiaug.classes.landmarks_to_mask`, the recipe of
the Thermal Face Database reader (:func:`tiaug.io.read_tfd_pair`).
"""

from tiaug.classes import CLASS_NAMES
from tiaug.synth.dataset import WrittenSample, write_dataset
from tiaug.synth.generator import SYNTH_VERSION, SyntheticFaces, SynthFace, synth_face

__all__ = [
    "CLASS_NAMES",
    "SYNTH_VERSION",
    "SynthFace",
    "SyntheticFaces",
    "WrittenSample",
    "synth_face",
    "write_dataset",
]
