"""Make the scripts, the lab and the unit tests' own helpers importable (tests/conftest.py has
installed the collection finder)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "scripts", ROOT / "lab", Path(__file__).parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
