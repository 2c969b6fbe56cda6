"""docs/variables.md is generated from the roles' defaults and must not drift from them."""

import subprocess
import sys
from pathlib import Path

from role_docs import documented_variables

ROOT = Path(__file__).resolve().parents[2]


def test_variables_page_matches_the_role_defaults():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "role_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_role_default_is_documented_with_a_comment():
    for defaults in sorted(ROOT.glob("roles/*/defaults/main.yml")):
        role = defaults.parent.parent.name
        for name, comment, _ in documented_variables(defaults, role):
            assert name == role or name.startswith(f"{role}_"), f"{defaults}: {name} lacks the role prefix"
            assert comment, f"{defaults}: {name} has no comment"
