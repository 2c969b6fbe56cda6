"""Run the cluster_model action's evaluation in-process on an inventory given as a dict: the same
resolution (role defaults, inventory, extra vars, argument specs) and the same contract as
`ansible-playbook playbooks/validate.yml`, in milliseconds instead of a playbook run.
tests/test_bad_input.py runs a selection of the same cases through the real playbooks."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import yaml
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.vars.manager import VariableManager
from ansible_collections.kafkakit.kafka.plugins.action import cluster_model


def evaluate(inventory: dict, extra_vars: dict | None = None, require_kafka: bool = True):
    """(model, problems) of `inventory` (an Ansible YAML inventory as a dict)."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "hosts.yml"
        path.write_text(yaml.safe_dump(inventory))
        loader = DataLoader()
        manager = InventoryManager(loader=loader, sources=[str(path)])
        variables = VariableManager(loader=loader, inventory=manager)
        if extra_vars:
            variables._extra_vars = dict(extra_vars)

        def raw_get(host: str) -> dict:
            return variables.get_vars(host=manager.get_host(host), include_hostvars=False)

        groups = manager.get_groups_dict()
        hosts = groups.get("all", [])
        return cluster_model.evaluate(
            loader,
            Templar(loader=loader),
            raw_get,
            groups,
            overlay={},
            current=hosts[0] if hosts else None,
            require_kafka=require_kafka,
        )


def problems_of(inventory: dict, **kwargs) -> list[str]:
    return evaluate(inventory, **kwargs)[1]


# --- Inventories ------------------------------------------------------------------------------------
# Passwords strong enough for the secure profile (the default); the tests' own, never real ones.
SECRETS = {
    "kafka_admin_password": "test-admin-password-0123",
    "kafka_broker_password": "test-broker-password-0123",
    "kafka_zookeeper_password": "test-zookeeper-password-0123",
}


def combined(count: int = 3) -> dict:
    """`count` combined nodes on their own (closed) ports, one rack each."""
    hosts = {
        f"kafka-{i}": {"kafka_node_id": i, "kafka_broker_rack": f"zone-{i}", "ansible_port": 2200 + i}
        for i in range(1, count + 1)
    }
    members = {name: None for name in hosts}
    return {
        "all": {
            "vars": {"ansible_host": "127.0.0.1", **SECRETS},
            "hosts": hosts,
            "children": {
                "kafka_broker": {"hosts": dict(members)},
                "kafka_controller": {"hosts": {h: None for h in list(members)[:3]}},
            },
        }
    }


def dedicated(controllers: int = 3, brokers: int = 3) -> dict:
    inventory = combined(brokers)
    inventory["all"]["children"]["kafka_controller"]["hosts"] = {}
    for i in range(1, controllers + 1):
        inventory["all"]["hosts"][f"controller-{i}"] = {"kafka_node_id": 1000 + i, "ansible_port": 2300 + i}
        inventory["all"]["children"]["kafka_controller"]["hosts"][f"controller-{i}"] = None
    return inventory


def zookeeper_mode(members: int = 3, brokers: int = 3) -> dict:
    hosts = {
        f"broker-{i}": {"kafka_node_id": i, "kafka_broker_rack": f"zone-{i}", "ansible_port": 2200 + i}
        for i in range(1, brokers + 1)
    }
    hosts.update(
        {f"zookeeper-{i}": {"zookeeper_myid": i, "ansible_port": 2400 + i} for i in range(1, members + 1)}
    )
    return {
        "all": {
            "vars": {"ansible_host": "127.0.0.1", "kafka_mode": "zookeeper", **SECRETS},
            "hosts": hosts,
            "children": {
                "kafka_broker": {"hosts": {name: None for name in hosts if name.startswith("broker-")}},
                "kafka_controller": {"hosts": {}},
                "zookeeper": {"hosts": {name: None for name in hosts if name.startswith("zookeeper-")}},
            },
        }
    }


def with_host_var(inventory: dict, host: str, **variables) -> dict:
    changed = copy.deepcopy(inventory)
    changed["all"]["hosts"][host].update(variables)
    return changed


def with_group_var(inventory: dict, **variables) -> dict:
    changed = copy.deepcopy(inventory)
    changed["all"]["vars"].update(variables)
    return changed


def without_host_var(inventory: dict, host: str, variable: str) -> dict:
    changed = copy.deepcopy(inventory)
    del changed["all"]["hosts"][host][variable]
    return changed


def in_group(inventory: dict, group: str, host: str, **variables) -> dict:
    """`host` (added on a port of its own if it is new) also in `group`, with `variables`."""
    changed = copy.deepcopy(inventory)
    changed["all"]["hosts"].setdefault(host, {"ansible_port": 2500 + len(changed["all"]["hosts"])}).update(
        variables
    )
    changed["all"]["children"].setdefault(group, {"hosts": {}})["hosts"][host] = None
    return changed
