"""tiaug's ground floor: what the transform families share, so that none imports another.

The families (``ambient``, ``blur``, ``export``, ``geometric``, ``noise``, ``occlusion``) are
siblings: each builds on this package, on :mod:`tiaug._checks` and :mod:`tiaug._random`,
never on another family (``tests/tiaug/test_import_graph.py`` fails otherwise). Numpy +
OpenCV only, explicit generators, one job per module:

- :mod:`tiaug.core.kernels`: the one Gaussian kernel and the blur built on it (pixels);
- :mod:`tiaug.core.estimators`: Otsu's split, the room temperature and the per-pixel noise
  a frame shows (degC);
- :mod:`tiaug.core.normal`: Gaussian noise fields (degC);
- :mod:`tiaug.core.signature`: a transform's arguments declared once (a dataclass), from
  which its albumentations schema, signature and documented arguments derive. It needs the
  albumentations extra and is not imported here.

The families re-export what they used to define (``tiaug.blur.functional.gaussian_blur``,
``tiaug.noise.functional.estimate_noise``, ``tiaug.ambient.functional.estimate_ambient``...).
"""

from tiaug.core.estimators import estimate_ambient, estimate_noise, otsu_threshold
from tiaug.core.kernels import (
    TRUNCATE,
    Border,
    gaussian_blur,
    gaussian_kernel,
    gaussian_kernel_radius,
)
from tiaug.core.normal import gaussian_noise

__all__ = [
    "TRUNCATE",
    "Border",
    "estimate_ambient",
    "estimate_noise",
    "gaussian_blur",
    "gaussian_kernel",
    "gaussian_kernel_radius",
    "gaussian_noise",
    "otsu_threshold",
]
