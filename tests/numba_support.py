"""Running compiled code with numba's bounds checks, which compiled code otherwise skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_bounds_checked(script: str, tmp_path: Path) -> str:
    """Run `script` in a fresh Python whose numba loops are compiled with bounds checks (into a cache of
    their own): an index out of range is an IndexError and the process fails. Its standard output."""
    env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
