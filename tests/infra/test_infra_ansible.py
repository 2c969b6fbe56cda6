"""The inventories, seen by Ansible itself: the generated hosts.yml, the aws_ec2 dynamic
inventory config, and the deploy playbook's validation play."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from contract_harness import SECRETS
from infra_harness import ATTACHMENT, INSTANCE, ProgramRun, resolve_listener_protocols
from kafkakit_aws import outputs
from kafkakit_aws.inventory import hosts_of

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
WRITER = REPO_ROOT / "infra" / "write_inventory.py"
AWS_EC2_CONFIG = REPO_ROOT / "inventories" / "aws" / "aws_ec2.yml"
GROUPS = ("kafka_broker", "kafka_controller", "zookeeper")


def ansible_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
    }


def write_inventory(run: ProgramRun, path: Path) -> Path:
    """What `make inventory` does, fed from the mocked stack's output."""
    result = subprocess.run(
        [sys.executable, str(WRITER), "--input", "-", "--output", str(path)],
        input=json.dumps(run.outputs[outputs.ANSIBLE_INVENTORY]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return path


def ansible_inventory_list(tmp_path: Path, *sources: Path) -> dict:
    command = [str(VENV_BIN / "ansible-inventory"), "--list"]
    for source in sources:
        command += ["-i", str(source)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=ansible_env(tmp_path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def group_hosts(listing: dict, group: str) -> list[str]:
    return sorted((listing.get(group) or {}).get("hosts", []))


def plain(value):
    """ansible-inventory marks composed strings unsafe: {"__ansible_unsafe": "..."}, in lists and
    dicts too (the listeners)."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def run_validate(
    hosts_file: Path, tmp_path: Path, offline_validate, *args: str
) -> subprocess.CompletedProcess:
    """playbooks/validate.yml (which deploy.yml imports first) on `hosts_file`, contacting no host."""
    env, extra = offline_validate
    return subprocess.run(
        [
            str(VENV_BIN / "ansible-playbook"),
            "-i",
            str(hosts_file),
            *extra,
            *args,
            str(REPO_ROOT / "playbooks" / "validate.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env={**ansible_env(tmp_path), **env},
    )


@pytest.mark.parametrize("scenario", ["prod", "dev", "zookeeper", "ssh"])
def test_generated_inventory_is_accepted_by_ansible_inventory(scenario, request, tmp_path):
    run: ProgramRun = request.getfixturevalue(scenario)
    inventory = run.outputs[outputs.ANSIBLE_INVENTORY]
    hosts_file = write_inventory(run, tmp_path / "hosts.yml")
    listing = ansible_inventory_list(tmp_path, hosts_file)

    for group in GROUPS:
        assert group_hosts(listing, group) == sorted(hosts_of(inventory, group))
    hostvars = listing["_meta"]["hostvars"]
    all_vars = inventory["all"]["vars"]
    node_ids = {}
    for name, hvars in hostvars.items():
        for key, value in all_vars.items():
            assert hvars[key] == value  # group vars of `all` reach every host
        if "kafka_node_id" in hvars:
            assert isinstance(hvars["kafka_node_id"], int)
            node_ids[name] = hvars["kafka_node_id"]
        assert hvars["host_prep_data_device"].startswith(
            "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol"
        )
    assert len(set(node_ids.values())) == len(node_ids)
    if all_vars["ansible_connection"] == "amazon.aws.aws_ssm":
        assert all(h["ansible_host"].startswith("i-") for h in hostvars.values())
    else:
        assert all(h["ansible_user"] == "admin" for h in hostvars.values())


def fake_ec2_hosts(run: ProgramRun, region: str = "eu-west-1") -> dict:
    """The host vars amazon.aws.aws_ec2 would return for the program's instances (the
    describe-instances fields it snake_cases, with tags as a dict)."""
    attached = {a.state["instanceId"]: a.state for a in run.of_type(ATTACHMENT)}
    hosts = {}
    for instance in run.of_type(INSTANCE):
        tags = instance.state["tags"]
        attachment = attached[instance.id]
        hosts[tags["kafka-kit:node"]] = {
            "instance_id": instance.id,
            "private_ip_address": instance.state["privateIp"],
            "placement": {
                "availability_zone": instance.state["availabilityZone"],
                "region": region,
            },
            "tags": tags,
            "block_device_mappings": [
                {"device_name": "/dev/xvda", "ebs": {"volume_id": "vol-0000000000000root"}},
                {
                    "device_name": attachment["deviceName"],
                    "ebs": {"volume_id": attachment["volumeId"]},
                },
            ],
        }
    return hosts


@pytest.mark.parametrize("scenario", ["prod", "dev", "zookeeper", "ssh", "clients_mtls"])
def test_dynamic_inventory_config_builds_the_same_groups_and_vars(scenario, request, tmp_path):
    """inventories/aws/aws_ec2.yml's groups/keyed_groups/compose, applied by the constructed
    plugin (the same code aws_ec2 uses) to the host data aws_ec2 would fetch for this stack,
    give every group and host var of the generated inventory. The EXTERNAL listener's protocol,
    a reference in hosts.yml and computed from tags by the compose, is compared as the kafka
    role's default resolves it."""
    run: ProgramRun = request.getfixturevalue(scenario)
    config = yaml.safe_load(AWS_EC2_CONFIG.read_text())
    assert config["plugin"] == "amazon.aws.aws_ec2"
    assert config["hostnames"] == ["tag:kafka-kit:node"]
    assert "tag:kafka-kit:cluster" in config["filters"]
    ec2 = tmp_path / "ec2.yml"
    ec2.write_text(yaml.safe_dump({"all": {"hosts": fake_ec2_hosts(run)}}))
    constructed = tmp_path / "kafka.constructed.yml"
    constructed.write_text(
        yaml.safe_dump(
            {
                "plugin": "ansible.builtin.constructed",
                **{k: config[k] for k in ("strict", "groups", "keyed_groups", "compose")},
            }
        )
    )
    listing = ansible_inventory_list(tmp_path, ec2, constructed)

    inventory = run.outputs[outputs.ANSIBLE_INVENTORY]
    for group in GROUPS:
        assert group_hosts(listing, group) == sorted(hosts_of(inventory, group))
    dynamic = listing["_meta"]["hostvars"]
    for group in GROUPS:
        for name, static_vars in hosts_of(inventory, group).items():
            expected = resolve_listener_protocols({name: {**inventory["all"]["vars"], **static_vars}})[name]
            got = {key: plain(dynamic[name].get(key)) for key in expected}
            assert got == expected, name


def test_aws_ec2_config_and_example_stacks_are_yamllint_clean():
    files = [AWS_EC2_CONFIG, *(REPO_ROOT.glob("Pulumi*.yaml"))]
    result = subprocess.run(
        [str(VENV_BIN / "yamllint"), "--strict", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_playbook_validate_accepts_generated_inventory(
    request, tmp_path, offline_validate, operator_secrets
):
    """The deploy playbook's validation step (`playbooks/validate.yml`, which deploy.yml imports
    first) passes without contacting any host, for a dedicated-controller, a combined, a
    ZooKeeper stack and one with EXTERNAL listeners, in the secure profile (the default) with the
    operator's passwords."""
    for name in ("prod", "dev", "zookeeper", "clients_mtls"):
        run: ProgramRun = request.getfixturevalue(name)
        hosts_file = write_inventory(run, tmp_path / f"{name}.yml")
        result = run_validate(hosts_file, tmp_path, offline_validate, *operator_secrets)
        assert result.returncode == 0, f"{name}:\n{result.stdout}\n{result.stderr}"


def test_passwords_in_a_vault_beside_the_inventory_reach_the_validation(prod, tmp_path, offline_validate):
    """Where inventories/aws/README.md keeps the passwords: an Ansible Vault file in
    group_vars/all/ beside hosts.yml. Without it the secure profile is refused."""
    hosts_file = write_inventory(prod, tmp_path / "hosts.yml")
    refused = run_validate(hosts_file, tmp_path, offline_validate)
    assert refused.returncode != 0
    assert "kafka_admin_password is empty" in refused.stdout

    vault = tmp_path / "group_vars" / "all" / "vault.yml"
    vault.parent.mkdir(parents=True)
    vault.write_text(yaml.safe_dump(SECRETS))
    password_file = tmp_path / "vault-password"
    password_file.write_text("the tests' vault password\n")
    vault_args = ("--vault-password-file", str(password_file))
    encrypt = subprocess.run(
        [str(VENV_BIN / "ansible-vault"), "encrypt", *vault_args, str(vault)],
        capture_output=True,
        text=True,
        check=False,
        env=ansible_env(tmp_path),
    )
    assert encrypt.returncode == 0, encrypt.stderr
    assert vault.read_text().startswith("$ANSIBLE_VAULT")
    result = run_validate(hosts_file, tmp_path, offline_validate, *vault_args)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
