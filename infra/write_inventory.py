"""Write the stack's `ansible_inventory` output as an Ansible YAML inventory file.

    python infra/write_inventory.py --stack prod                 # runs `pulumi stack output`
    pulumi stack output --json ansible_inventory | python infra/write_inventory.py --input -

The inventory is checked against the contract (groups, unique node ids, ZooKeeper myids, required
host vars) before anything is written; the file is replaced atomically. Exit status: 0 written,
1 invalid inventory, 2 usage or `pulumi` failure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kafkakit_aws.inventory import check_inventory, normalise, render_yaml
from kafkakit_aws.outputs import ANSIBLE_INVENTORY

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = PROJECT_DIR / "inventories" / "aws" / "hosts.yml"


class CliError(Exception):
    def __init__(self, message: str, status: int = 2):
        super().__init__(message)
        self.status = status


def read_stack_output(stack: str, pulumi: str) -> str:
    command = [pulumi, "stack", "output", "--json", "--stack", stack, ANSIBLE_INVENTORY]
    try:
        result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise CliError(f"{pulumi} not found: install the Pulumi CLI or pass --pulumi") from None
    if result.returncode != 0:
        raise CliError(f"`{' '.join(command)}` failed:\n{result.stderr.strip()}")
    return result.stdout


def parse(text: str, source: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(f"{source} is not JSON: {error}") from None
    if isinstance(data, dict) and ANSIBLE_INVENTORY in data and "all" not in data:
        data = data[ANSIBLE_INVENTORY]  # the whole `pulumi stack output --json`
    if not isinstance(data, dict):
        raise CliError(f"{source} holds no inventory object", status=1)
    inventory = normalise(data)
    problems = check_inventory(inventory)
    if problems:
        raise CliError(
            f"{source} is not a valid inventory:\n" + "\n".join(f"  - {p}" for p in problems),
            status=1,
        )
    return inventory


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="read the output of this Pulumi stack")
    source.add_argument("--input", help="read JSON from this file ('-': standard input)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="%(default)s")
    parser.add_argument("--pulumi", default="pulumi", help="the Pulumi CLI (%(default)s)")
    args = parser.parse_args(argv)
    try:
        if args.stack:
            text, where = read_stack_output(args.stack, args.pulumi), f"stack {args.stack}"
        elif args.input == "-":
            text, where = sys.stdin.read(), "standard input"
        else:
            try:
                text, where = Path(args.input).read_text(), args.input
            except OSError as error:
                raise CliError(f"cannot read {args.input}: {error.strerror}") from None
        inventory = parse(text, where)
        header = (
            f"Generated from the {ANSIBLE_INVENTORY} output of "
            f"{'Pulumi stack ' + args.stack if args.stack else where}\n"
            "by infra/write_inventory.py (make inventory). Do not edit: regenerate."
        )
        write_atomically(args.output, render_yaml(inventory, header))
    except CliError as error:
        print(f"write_inventory: {error}", file=sys.stderr)
        return error.status
    hosts = {name for group in inventory["all"]["children"].values() for name in (group.get("hosts") or {})}
    print(f"write_inventory: wrote {args.output} ({len(hosts)} hosts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
