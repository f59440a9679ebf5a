"""Examples: train and evaluate the paper's four networks with TiAug and SAM-CL.

Run from the repository root, e.g. ``python -m examples.train --help``.
"""

__all__: list[str] = []
