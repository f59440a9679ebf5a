"""tiaug: thermal (LWIR) image augmentation, albumentations-compatible, numpy only."""

from tiaug.cameras import CAMERAS, Camera, get_camera, list_cameras

__all__ = ["CAMERAS", "Camera", "get_camera", "list_cameras"]
__version__ = "0.1.0"
