"""What infra/ relies on from the roles and the Makefile (issue 15), read from their files: the
program derives values from plugins/module_utils/constants.py and the roles repeat them in their
defaults, so a change on one side only must fail here, not on a first real deployment."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from kafkakit_aws.contract import constants
from kafkakit_aws.inventory import ssm_command_timeout
from kafkakit_aws.userdata import APT_PROXY_FILE

REPO_ROOT = Path(__file__).resolve().parents[2]


def role_defaults(*roles: str) -> dict:
    out: dict = {}
    for role in roles:
        out |= yaml.safe_load((REPO_ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    return out


DEFAULTS = role_defaults("kafka", "kafka_ops", "kafka_metrics", "zookeeper", "host_prep")


def test_role_port_defaults_are_the_constants_the_program_compares_against():
    """Defect 4: the inventory carries a port only when it differs from DEFAULT_PORTS, so the roles'
    defaults must be exactly those ports."""
    for name, variable in constants.PORT_VARIABLES.items():
        assert DEFAULTS[variable] == constants.DEFAULT_PORTS[name], variable


def test_ssm_timeout_is_derived_from_the_roles_own_timeouts():
    """Defect 1: ssm_command_timeout() is computed from the constants; the roles' defaults must
    not wait longer than those."""
    assert DEFAULTS["kafka_stop_timeout_seconds"] == constants.KAFKA_STOP_TIMEOUT_SECONDS
    assert DEFAULTS["kafka_health_timeout_seconds"] == constants.KAFKA_HEALTH_TIMEOUT_SECONDS
    assert DEFAULTS["kafka_ops_health_timeout_seconds"] == constants.KAFKA_HEALTH_TIMEOUT_SECONDS
    assert DEFAULTS["kafka_ops_gate_timeout_seconds"] == constants.KAFKA_RESTART_GATE_TIMEOUT_SECONDS
    assert ssm_command_timeout() >= 2 * 60 + 300 + 3 * 300


def test_first_boot_and_host_prep_write_the_same_apt_proxy_file():
    """Defect 3: host_prep replaces (or removes) the proxy file the user data wrote at first boot."""
    tasks = yaml.safe_load((REPO_ROOT / "roles" / "host_prep" / "tasks" / "apt_proxy.yml").read_text())
    written = [t["ansible.builtin.copy"]["dest"] for t in tasks if "ansible.builtin.copy" in t]
    removed = [t["ansible.builtin.file"]["path"] for t in tasks if "ansible.builtin.file" in t]
    assert written == removed == [APT_PROXY_FILE]


def test_data_volume_mounts_with_nofail():
    """Defect 10: a data volume missing at boot (detached, during a roll) must not stop the boot,
    or SSM never comes up to repair the node."""
    assert "nofail" in DEFAULTS["host_prep_data_mount_opts"].split(",")


def test_make_aws_waits_for_ssm_between_the_inventory_and_the_deploy():
    """Defect 2: make aws runs pulumi up, writes the inventory, waits (bounded) for every SSM
    agent, and only then deploys."""
    makefile = (REPO_ROOT / "Makefile").read_text()
    recipe = re.search(r"^aws:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "Makefile has no aws target"
    steps = [line.strip() for line in recipe.group(1).splitlines()]
    order = ["up --stack", "inventory STACK=", "infra/wait_for_ssm.py", "playbooks/deploy.yml"]
    found = [next(i for i, step in enumerate(steps) if needle in step) for needle in order]
    assert found == sorted(found), steps
    wait = steps[found[2]]
    assert "--inventory inventories/aws/hosts.yml" in wait
    assert re.search(r"--timeout \d+", wait)
