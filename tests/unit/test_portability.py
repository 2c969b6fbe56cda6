"""What the roles need of the controller's Ansible: nothing the checkout's ansible.cfg alone gives.
An installed collection runs under the user's configuration, often without pipelining, and SSM
(the AWS path) has none."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TASK_FILES = sorted(ROOT.glob("roles/*/tasks/**/*.yml")) + sorted(ROOT.glob("playbooks/*.yml"))


def test_no_task_becomes_an_unprivileged_user():
    """become_user to a user other than root needs pipelining or ACLs on the host for Ansible's
    temporary files (it failed the first deploy from an installed collection); the roles run as
    root and drop privileges with runuser where a file must belong to the service user."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in TASK_FILES
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.match(r"\s*become_user:", line) and "root" not in line
    ]
    assert len(TASK_FILES) > 30 and offenders == []
