"""Does ``examples.predict`` find the face in real frames? The face-window search on a folder
of real labelled frames, against the labelled face.

    python -m benchmarks.face_window_real CKPT --data ../shared/data/real-dev \\
        --out benchmarks/results/face_window_real.md

For every frame (each searched on its own, as ``--search-every 1`` does), the window that
:func:`examples.facebox.find_face_window` picks is compared with the box of the labelled face
(the jaw hull and the parts): the share of the face box inside the window, and whether the
window holds the face box's centre. Writes a Markdown table per sequence and a summary line.
"""

from __future__ import annotations

import datetime
import platform
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

from examples.checkpoint import load_trained_model
from examples.cli import OneLineParser
from examples.data import UsageError
from examples.facebox import find_face_window
from examples.predict import prepare
from examples.real import list_real_frames
from tiaug import io as tio


def face_box(mask: np.ndarray, ignore_index: int = 255) -> tuple[int, int, int, int]:
    """(top, left, rows, columns) of the labelled pixels (neither background nor ignored).

    Raises:
        ValueError: no labelled pixel.
    """
    rows, cols = np.nonzero((mask != 0) & (mask != ignore_index))
    if rows.size == 0:
        raise ValueError("no labelled face in the mask")
    return rows.min(), cols.min(), rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def coverage(window: tuple[int, ...], box: tuple[int, ...]) -> float:
    """Share of ``box`` inside ``window``."""
    top, left = max(window[0], box[0]), max(window[1], box[1])
    bottom = min(window[0] + window[2], box[0] + box[2])
    right = min(window[1] + window[3], box[1] + box[3])
    return max(0, bottom - top) * max(0, right - left) / (box[2] * box[3])


def main() -> None:
    parser = OneLineParser(
        prog="python -m benchmarks.face_window_real", description=__doc__.splitlines()[0]
    )
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    try:
        frames = list_real_frames(args.data)
    except UsageError as error:
        parser.error(str(error))
    torch.set_num_threads(1)
    device = torch.device("cpu")
    model, config = load_trained_model(args.checkpoint, device)
    per_sequence: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for picture, labels in frames:
        try:
            frame = tio.read_labelled_frame(picture, labels)
        except ValueError as error:
            parser.error(" ".join(str(error).split()))
        image = frame.image.pixels.astype(np.float32)
        try:
            box = face_box(frame.mask)
        except ValueError as error:
            parser.error(f"{labels}: {error}")
        window = find_face_window(model, image, config.size, prepare, device)
        centre = (box[0] + box[2] / 2, box[1] + box[3] / 2)
        inside = (window[0] <= centre[0] < window[0] + window[2]) and (
            window[1] <= centre[1] < window[1] + window[3]
        )
        per_sequence[picture.parent.name].append((coverage(window, box), inside))
    lines = [
        "# Face-window search on real frames",
        "",
        f"`python -m benchmarks.face_window_real {args.checkpoint} --data {args.data}`; "
        f"{datetime.date.today()}, {platform.processor() or platform.machine()}.",
        "",
        "| sequence | frames | face box inside the window (min / mean) | centre inside |",
        "| --- | ---: | ---: | ---: |",
    ]
    everything = [v for values in per_sequence.values() for v in values]
    for name, values in sorted(per_sequence.items()):
        shares = [c for c, _ in values]
        lines.append(
            f"| {name} | {len(values)} | {min(shares):.2f} / {np.mean(shares):.2f} "
            f"| {sum(i for _, i in values)}/{len(values)} |"
        )
    shares = [c for c, _ in everything]
    lines += [
        "",
        f"All {len(everything)} frames: face box inside the window {min(shares):.2f} at least, "
        f"{np.mean(shares):.2f} on average; the window overlaps the face in "
        f"{sum(c > 0 for c in shares)}/{len(shares)} frames and holds its centre in "
        f"{sum(i for _, i in everything)}/{len(everything)}.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
