"""The Ansible inventory built from per-host facts (pure; the program applies it to Outputs).

Shape (Ansible's YAML inventory):

    all:
      vars:      kafka_mode, kafka_version, connection settings (SSM or SSH)
      children:
        kafka_broker:     {hosts: {kafka-broker-1: {host vars}, ...}}
        kafka_controller: {hosts: {...}}   # combined nodes appear here and in kafka_broker
        zookeeper:        {hosts: {...}}   # ZooKeeper mode only

All three groups are always present (possibly with no hosts). A host in two groups carries the
same host vars in both. Host vars:
  ansible_host                   instance id (SSM) or private IP (SSH)
  ansible_aws_ssm_instance_id    SSM only
  kafka_node_id                  brokers and controllers: KRaft node.id / ZooKeeper-mode broker.id
  kafka_broker_rack              brokers: the availability zone
  kafka_advertised_host          brokers and controllers: the private DNS name
  zookeeper_myid                 ZooKeeper hosts: 1..255
  zookeeper_advertised_host      ZooKeeper hosts: the private DNS name
  host_prep_data_device          /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol...
  aws_instance_id, aws_private_ip, aws_availability_zone   for operators
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import yaml

from .topology import GROUP_BROKER, GROUP_CONTROLLER, GROUP_ZOOKEEPER, GROUPS, nvme_device_path

TAG_PREFIX: Final = "kafka-kit:"
SSM_CONNECTION: Final = "amazon.aws.aws_ssm"
SSH_USER: Final = "admin"
"""The login user of Debian's AMIs."""


@dataclass(frozen=True)
class Connection:
    kind: str
    """ssm or ssh"""
    region: str
    ssm_bucket_name: str | None = None
    ssm_bucket_endpoint_url: str | None = None


@dataclass(frozen=True)
class HostFacts:
    name: str
    groups: tuple[str, ...]
    zone: str
    node_id: int | None
    zookeeper_myid: int | None
    instance_id: str
    private_ip: str
    data_volume_id: str
    dns_name: str


class InventoryError(ValueError):
    pass


def group_vars(mode: str, kafka_version: str, connection: Connection) -> dict[str, Any]:
    out: dict[str, Any] = {"kafka_mode": mode, "kafka_version": kafka_version}
    if connection.kind == "ssm":
        out.update(
            {
                "ansible_connection": SSM_CONNECTION,
                "ansible_aws_ssm_region": connection.region,
                "ansible_aws_ssm_bucket_name": connection.ssm_bucket_name,
                "ansible_aws_ssm_bucket_endpoint_url": connection.ssm_bucket_endpoint_url,
            }
        )
    else:
        out.update({"ansible_connection": "ssh", "ansible_user": SSH_USER})
    return out


def host_vars(host: HostFacts, connection: Connection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if connection.kind == "ssm":
        out["ansible_host"] = host.instance_id
        out["ansible_aws_ssm_instance_id"] = host.instance_id
    else:
        out["ansible_host"] = host.private_ip
    if host.node_id is not None:
        out["kafka_node_id"] = host.node_id
        out["kafka_advertised_host"] = host.dns_name
    if GROUP_BROKER in host.groups:
        out["kafka_broker_rack"] = host.zone
    if host.zookeeper_myid is not None:
        out["zookeeper_myid"] = host.zookeeper_myid
        out["zookeeper_advertised_host"] = host.dns_name
    out["host_prep_data_device"] = nvme_device_path(host.data_volume_id)
    out["aws_instance_id"] = host.instance_id
    out["aws_private_ip"] = host.private_ip
    out["aws_availability_zone"] = host.zone
    return out


def build_inventory(
    *, mode: str, kafka_version: str, connection: Connection, hosts: Sequence[HostFacts]
) -> dict[str, Any]:
    children: dict[str, Any] = {group: {"hosts": {}} for group in GROUPS}
    for host in hosts:
        facts = host_vars(host, connection)
        for group in host.groups:
            children[group]["hosts"][host.name] = copy.deepcopy(facts)
    inventory = {"all": {"vars": group_vars(mode, kafka_version, connection), "children": children}}
    problems = check_inventory(inventory)
    if problems:
        raise InventoryError("; ".join(problems))
    return inventory


def hosts_of(inventory: Mapping[str, Any], group: str) -> dict[str, dict[str, Any]]:
    children = inventory.get("all", {}).get("children", {}) or {}
    hosts = (children.get(group) or {}).get("hosts") or {}
    return {name: dict(hvars or {}) for name, hvars in hosts.items()}


def check_inventory(inventory: Mapping[str, Any]) -> list[str]:
    """Contract checks shared by the program, the inventory writer and the tests."""
    all_group = inventory.get("all") if isinstance(inventory, Mapping) else None
    if not isinstance(all_group, Mapping) or not isinstance(all_group.get("children"), Mapping):
        return ["the inventory has no all.children mapping"]
    problems = [f"group {g} is missing" for g in GROUPS if g not in all_group["children"]]
    all_vars = all_group.get("vars") or {}
    mode = all_vars.get("kafka_mode")
    if mode not in ("kraft", "zookeeper"):
        problems.append(f"all.vars.kafka_mode must be kraft or zookeeper, got {mode!r}")
    if not all_vars.get("kafka_version"):
        problems.append("all.vars.kafka_version is missing")
    problems += _check_group_shape(inventory, mode)
    problems += _check_kafka_hosts(inventory)
    problems += _check_zookeeper_hosts(inventory)
    everyone = {
        **hosts_of(inventory, GROUP_BROKER),
        **hosts_of(inventory, GROUP_CONTROLLER),
        **hosts_of(inventory, GROUP_ZOOKEEPER),
    }
    for name, hvars in everyone.items():
        for var in ("ansible_host", "host_prep_data_device"):
            if not hvars.get(var):
                problems.append(f"{name}: {var} is missing")
    return problems


def _check_group_shape(inventory: Mapping[str, Any], mode: Any) -> list[str]:
    problems = []
    brokers = hosts_of(inventory, GROUP_BROKER)
    controllers = hosts_of(inventory, GROUP_CONTROLLER)
    ensemble = hosts_of(inventory, GROUP_ZOOKEEPER)
    if not brokers:
        problems.append("group kafka_broker has no hosts")
    if mode == "kraft":
        if ensemble:
            problems.append("kraft mode must not have zookeeper hosts")
        if len(controllers) % 2 == 0:
            problems.append(
                f"kafka_controller must have an odd number of hosts in kraft mode, has {len(controllers)}"
            )
    if mode == "zookeeper":
        if controllers:
            problems.append("zookeeper mode must not have kafka_controller hosts")
        if len(ensemble) % 2 == 0:
            problems.append(f"zookeeper must have an odd number of hosts, has {len(ensemble)}")
    return problems


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_kafka_hosts(inventory: Mapping[str, Any]) -> list[str]:
    problems = []
    brokers = hosts_of(inventory, GROUP_BROKER)
    node_ids: dict[int, str] = {}
    for name, hvars in {**brokers, **hosts_of(inventory, GROUP_CONTROLLER)}.items():
        node_id = hvars.get("kafka_node_id")
        if not _is_int(node_id) or node_id < 0:
            problems.append(f"{name}: kafka_node_id must be a non-negative integer")
        elif node_id in node_ids:
            problems.append(f"{name}: kafka_node_id {node_id} is also {node_ids[node_id]}'s")
        else:
            node_ids[node_id] = name
        if not hvars.get("kafka_advertised_host"):
            problems.append(f"{name}: kafka_advertised_host is missing")
        if name in brokers and not hvars.get("kafka_broker_rack"):
            problems.append(f"{name}: kafka_broker_rack is missing")
    return problems


def _check_zookeeper_hosts(inventory: Mapping[str, Any]) -> list[str]:
    problems = []
    myids: dict[int, str] = {}
    for name, hvars in hosts_of(inventory, GROUP_ZOOKEEPER).items():
        myid = hvars.get("zookeeper_myid")
        if not _is_int(myid) or not 1 <= myid <= 255:
            problems.append(f"{name}: zookeeper_myid must be an integer from 1 to 255")
        elif myid in myids:
            problems.append(f"{name}: zookeeper_myid {myid} is also {myids[myid]}'s")
        else:
            myids[myid] = name
        if not hvars.get("zookeeper_advertised_host"):
            problems.append(f"{name}: zookeeper_advertised_host is missing")
    return problems


def normalise(inventory: Any) -> dict[str, Any]:
    """Undo JSON's number widening (1.0 -> 1) on the integer host vars."""
    inventory = copy.deepcopy(inventory)
    for group in (inventory.get("all", {}).get("children") or {}).values():
        for hvars in ((group or {}).get("hosts") or {}).values():
            for var in ("kafka_node_id", "zookeeper_myid"):
                value = (hvars or {}).get(var)
                if isinstance(value, float) and value.is_integer():
                    hvars[var] = int(value)
    return inventory


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent block sequences under their key (yamllint's default "consistent" style).
        super().increase_indent(flow, False)


def render_yaml(inventory: Mapping[str, Any], header: str = "") -> str:
    body = yaml.dump(dict(inventory), Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return f"---\n{comment}{body}"


def instance_tags(
    *,
    mode: str,
    kafka_version: str,
    connection: str,
    region: str,
    ssm_bucket_name: Any,
    ssm_bucket_endpoint_url: str,
) -> dict[str, Any]:
    """The cluster-wide tags every instance carries so the amazon.aws.aws_ec2 dynamic inventory
    (inventories/aws/aws_ec2.yml) can compose the same group vars as build_inventory.
    `ssm_bucket_name` may be a Pulumi Output."""
    out: dict[str, Any] = {
        f"{TAG_PREFIX}mode": mode,
        f"{TAG_PREFIX}kafka-version": kafka_version,
    }
    if connection == "ssm":
        out[f"{TAG_PREFIX}ansible-connection"] = SSM_CONNECTION
        out[f"{TAG_PREFIX}ssm-region"] = region
        out[f"{TAG_PREFIX}ssm-bucket"] = ssm_bucket_name
        out[f"{TAG_PREFIX}ssm-bucket-endpoint"] = ssm_bucket_endpoint_url
    else:
        out[f"{TAG_PREFIX}ansible-connection"] = "ssh"
        out[f"{TAG_PREFIX}ssh-user"] = SSH_USER
    return out


def host_summary(hosts: Sequence[HostFacts]) -> dict[str, dict[str, Any]]:
    """The `hosts` stack output: per-host facts keyed by inventory hostname."""
    return {
        h.name: {
            "groups": list(h.groups),
            "instance_id": h.instance_id,
            "private_ip": h.private_ip,
            "availability_zone": h.zone,
            "rack": h.zone if GROUP_BROKER in h.groups else None,
            "dns_name": h.dns_name,
            "node_id": h.node_id,
            "zookeeper_myid": h.zookeeper_myid,
            "data_volume_id": h.data_volume_id,
            "data_device": nvme_device_path(h.data_volume_id),
        }
        for h in hosts
    }


def bootstrap_servers(hosts: Sequence[HostFacts], port: int) -> str:
    return ",".join(f"{h.dns_name}:{port}" for h in hosts if GROUP_BROKER in h.groups)


def zookeeper_connect(hosts: Sequence[HostFacts], port: int) -> str:
    return ",".join(f"{h.dns_name}:{port}" for h in hosts if GROUP_ZOOKEEPER in h.groups)
