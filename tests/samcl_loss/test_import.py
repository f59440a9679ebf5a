"""``import samcl_loss`` stays light: no dynamo, well under 0.2 s on top of torch."""

import subprocess
import sys


def _cumulative_us(report: str, module: str) -> int:
    """Cumulative import time of a top-level ``module`` from ``python -X importtime``."""
    for line in report.splitlines():
        fields = [f.strip() for f in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1])
    raise AssertionError(f"{module} not in the import-time report")


def test_import_is_light():
    code = "import sys, samcl_loss; print('torch._dynamo' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"  # no dynamo, sympy or triton at import
    own = _cumulative_us(result.stderr, "samcl_loss") - _cumulative_us(result.stderr, "torch")
    assert own < 200_000  # microseconds
