"""Apply a trained checkpoint to new thermal images and recordings: masks and region temperatures.

    python -m examples.predict runs/unet/best.pt face.npy clip.tif frames/ --out predictions

Each INPUT is an image, a recording or a folder of frames (:mod:`examples.recordings`):
temperatures (radiometric files, or integer counts with ``--camera``) or the grey levels of
exports without temperatures. Written under OUT:

- ``regions.csv``: one row per frame and class: pixel count, mean, median, 5th and 95th
  percentile and maximum, in degC for temperatures and as grey levels (``*_level``
  columns) for exports without temperatures (empty when the class is absent);
- ``NAME/labels/FFFFF.png``: the label map of frame FFFFF (0 background, 1 face, 2 mouth,
  3 eyes, 4 eyebrows, 5 nose) at the input's own size;
- ``NAME/overlays/FFFFF.png``: the frame in grey with the predicted classes laid over it;
- ``NAME/regions.png`` (recordings): each region's median temperature over time.

Every frame is prepared exactly as the training run's validation images were (its
``SegmentationDataset`` without augmentation, at the run's size, read from the checkpoint);
the logits are resized back to the frame's size (bilinear) before the argmax. A network
trained on crops around the face (``face_crop``) is given the window of each recording
where it is most confident on the first frame, or on every N-th (``--search-every``;
:mod:`examples.facebox`). Frames go through the network in batches, under autocast on CUDA
(``--amp``).
"""

from __future__ import annotations

import argparse
import bisect
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from examples.checkpoint import load_trained_model
from examples.cli import OneLineParser, run_command
from examples.config import AMPS, TrainConfig, resolve_amp
from examples.data import SegmentationDataset, UsageError, make_output_folder
from examples.distributed import resolve_device
from examples.facebox import Box, find_face_window
from examples.recordings import Recording, common_unit, open_recording
from examples.regions import RegionWriter
from tiaug.cameras import list_cameras

__all__ = [
    "FrameDataset",
    "label_frames",
    "main",
    "predict_labels",
    "prepare",
    "run_prediction",
]


def prepare(frame: np.ndarray, size: tuple[int, int]) -> torch.Tensor:
    """The network input (1, H, W) for a frame (degC or grey levels): the validation set's
    preprocessing."""
    labels = np.zeros(frame.shape, dtype=np.uint8)
    image, _ = SegmentationDataset([(frame, labels)], size, "none")[0]
    return image


class Frame(NamedTuple):
    """One frame read by :class:`FrameDataset` (``error`` set instead when it is unreadable).

    ``image`` is the network input made from the ``window`` (top, left, rows, columns) of the
    frame, or from the whole frame when ``window`` is None.
    """

    recording: int
    number: int
    temperature: np.ndarray | None
    image: torch.Tensor | None
    window: Box | None
    error: str | None


def _crop(frame: np.ndarray, window: Box | None) -> np.ndarray:
    if window is None:
        return frame
    top, left, rows, cols = window
    return np.ascontiguousarray(frame[top : top + rows, left : left + cols])


class FrameDataset(Dataset):
    """Every frame of the recordings, in order, read and prepared for a network of ``size``.

    Args:
        recordings: the inputs.
        size: the network's (rows, columns).
        windows: per recording, ``{first frame: window}``: from that frame on (until the next
            key) the window of each frame is prepared; before the first key, or without
            windows, the whole frame.
    """

    def __init__(
        self,
        recordings: Sequence[Recording],
        size: tuple[int, int],
        windows: Sequence[dict[int, Box]] | None = None,
    ) -> None:
        self.recordings = list(recordings)
        self.size = size
        self.windows = [dict(sorted(w.items())) for w in windows or [{}] * len(self.recordings)]
        self.keys = [(r, i) for r, rec in enumerate(self.recordings) for i in range(rec.length)]

    def __len__(self) -> int:
        return len(self.keys)

    def window(self, recording: int, number: int) -> Box | None:
        """The window prepared for frame ``number`` of ``recording`` (None: the whole frame)."""
        windows = self.windows[recording]
        starts = list(windows)
        index = bisect.bisect_right(starts, number) - 1
        return windows[starts[index]] if index >= 0 else None

    def __getitem__(self, key: int) -> Frame:
        r, number = self.keys[key]
        window = self.window(r, number)
        try:
            frame = self.recordings[r].frame(number)
        except (OSError, ValueError) as error:
            return Frame(r, number, None, None, window, str(error))
        return Frame(r, number, frame, prepare(_crop(frame, window), self.size), window, None)


@torch.inference_mode()
def predict_labels(
    model: nn.Module,
    images: torch.Tensor,
    shapes: Sequence[tuple[int, int]],
    amp_dtype: torch.dtype | None = None,
) -> list[np.ndarray]:
    """uint8 label maps, one per image (N, 1, h, w), each resized to its ``shapes`` entry."""
    with torch.autocast(images.device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
        logits = model(images)
    return [
        F.interpolate(logits[i : i + 1].float(), size=shape, mode="bilinear", align_corners=False)
        .argmax(1)[0]
        .to(torch.uint8)
        .cpu()
        .numpy()
        for i, shape in enumerate(shapes)
    ]


def label_frames(
    model: nn.Module,
    frames: Sequence[Frame],
    device: torch.device,
    amp_dtype: torch.dtype | None = None,
) -> list[np.ndarray]:
    """Label maps of read frames at their own sizes (background outside their windows)."""
    images = torch.stack([f.image for f in frames if f.image is not None]).to(device)
    shapes = [_crop(f.temperature, f.window).shape for f in frames if f.temperature is not None]
    results = []
    for frame, found in zip(frames, predict_labels(model, images, shapes, amp_dtype), strict=True):
        assert frame.temperature is not None
        if frame.window is None:
            results.append(found)
            continue
        top, left, rows, cols = frame.window
        full = np.zeros(frame.temperature.shape, dtype=np.uint8)
        full[top : top + rows, left : left + cols] = found
        results.append(full)
    return results


def _windows(
    model: nn.Module,
    recordings: Sequence[Recording],
    config: TrainConfig,
    every: int,
    device: torch.device,
    amp_dtype: torch.dtype | None,
) -> list[dict[int, Box]]:
    """For a network trained on face crops, per recording the face window
    (:func:`examples.facebox.find_face_window`) of its first frame and of every ``every``-th
    frame (0: the first frame only), kept until the next search; otherwise no windows."""
    if config.face_crop is None:
        return [{} for _ in recordings]
    windows = []
    for rec in recordings:
        starts = range(0, rec.length, every or rec.length)
        windows.append(
            {
                start: find_face_window(
                    model, rec.frame(start), config.size, prepare, device, amp_dtype
                )
                for start in starts
            }
        )
    return windows


def _device(name: str) -> torch.device:
    try:
        return resolve_device(name)
    except ValueError as error:
        raise UsageError(str(error)) from None


def run_prediction(args: argparse.Namespace) -> Path:
    """Predict every frame of ``args.inputs``; returns the path of ``regions.csv``."""
    if args.batch < 1 or min(args.workers, args.search_every) < 0:
        raise UsageError(
            f"--batch must be >= 1, --workers and --search-every >= 0, got {args.batch}, "
            f"{args.workers}, {args.search_every}"
        )
    if args.fps is not None and not args.fps > 0:
        raise UsageError(f"--fps must be > 0, got {args.fps}")
    device = _device(args.device)
    amp_dtype = resolve_amp(args.amp, device)
    try:
        model, config = load_trained_model(args.checkpoint, device)
        recordings = [open_recording(path, args.camera) for path in args.inputs]
        common_unit(recordings)
        windows = _windows(model, recordings, config, args.search_every, device, amp_dtype)
    except FileNotFoundError as error:
        raise UsageError(f"{error.filename}: no such file or folder") from None
    except ValueError as error:
        raise UsageError(" ".join(str(error).split())) from None
    make_output_folder(args.out, "--out")
    dataset = FrameDataset(recordings, config.size, windows)
    loader = DataLoader(
        dataset,
        batch_size=args.batch,
        num_workers=args.workers,
        collate_fn=list,
    )
    writer = RegionWriter(args.out, recordings, args.fps)
    try:
        with tqdm(total=len(dataset), unit="frame", disable=None) as bar:
            for frames in loader:
                failed = next((f for f in frames if f.error is not None), None)
                if failed is not None:
                    raise UsageError(" ".join(str(failed.error).split()))
                for frame, found in zip(
                    frames, label_frames(model, frames, device, amp_dtype), strict=True
                ):
                    assert frame.temperature is not None
                    writer.add(frame.recording, frame.number, frame.temperature, found)
                bar.update(len(frames))
    finally:
        writer.close()
    writer.plot()
    return args.out / "regions.csv"


def _parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m examples.predict",
        description="Label maps, overlays and region temperatures of thermal images and "
        "recordings, from a checkpoint of examples.train.",
    )
    add = parser.add_argument
    add("checkpoint", type=Path, help="best.pt or last.pt written by examples.train")
    add("inputs", type=Path, nargs="+", metavar="INPUT", help="image, recording or folder")
    add("--out", type=Path, required=True, help="output folder")
    cameras = list_cameras()
    add("--camera", choices=cameras, metavar="NAME", help=f"converts counts: {', '.join(cameras)}")
    add("--batch", type=int, default=8, help="frames per forward pass")
    add("--workers", type=int, default=0, help="DataLoader workers reading frames")
    add("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    add("--amp", default="auto", choices=AMPS, help="mixed precision")
    add("--fps", type=float, default=None, help="frames per second: plot against seconds")
    add(
        "--search-every",
        type=int,
        default=0,
        metavar="N",
        help="networks trained on face crops: search the face window again every N frames "
        "(default 0: on the first frame of each recording only)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; bad inputs give one line on stderr and exit status 2."""
    args = _parser().parse_args(argv)

    def work() -> str:
        path = run_prediction(args)
        return f"region temperatures: {path}; label maps and overlays in {args.out}"

    return run_command("python -m examples.predict", work)


if __name__ == "__main__":
    sys.exit(main())
