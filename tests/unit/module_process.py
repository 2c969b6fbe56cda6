"""Run one of the collection's modules as Ansible runs it: its arguments as JSON on stdin, its
answer as JSON on stdout, module_utils found through the collection's path."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_module(name: str, args: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "plugins" / "modules" / f"{name}.py")],
        input=json.dumps({"ANSIBLE_MODULE_ARGS": args}),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT / "collections")},
    )
