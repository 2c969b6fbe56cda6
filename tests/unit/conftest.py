"""Make the roles' filter plugins and the scripts importable as plain modules."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for plugin_dir in [*sorted(ROOT.glob("roles/*/filter_plugins")), ROOT / "scripts"]:
    if str(plugin_dir) not in sys.path:
        sys.path.insert(0, str(plugin_dir))
