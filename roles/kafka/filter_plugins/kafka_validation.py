"""Cluster-wide checks of the inventory, run before any host is touched.

`kafka_cluster_errors` takes the `kafka_node` fact of every host (see tasks/node.yml) and returns
one message per problem, each naming the variable and the host, so a user can fix them all at once.
"""

from __future__ import annotations

import re
from collections import defaultdict

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_LISTENER_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_MODES = ("kraft", "zookeeper")


def _version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(str(text))
    return tuple(int(part) for part in match.groups()) if match else None


def _hosts(nodes: list[dict]) -> str:
    return ", ".join(sorted(n["host"] for n in nodes))


def _uniform(nodes: list[dict], key: str, variable: str) -> list[str]:
    by_value = defaultdict(list)
    for node in nodes:
        by_value[str(node.get(key))].append(node["host"])
    if len(by_value) <= 1:
        return []
    spread = "; ".join(f"{value} on {', '.join(sorted(hosts))}" for value, hosts in sorted(by_value.items()))
    return [f"{variable} must be the same on every host, but it is {spread}"]


def _mode_and_version(nodes: list[dict]) -> list[str]:
    errors = _uniform(nodes, "mode", "kafka_mode") + _uniform(nodes, "version", "kafka_version")
    for node in nodes:
        host, mode, version = node["host"], node.get("mode"), _version(node.get("version", ""))
        if mode not in _MODES:
            errors.append(f"{host}: kafka_mode is {mode!r}; choose one of {', '.join(_MODES)}")
        if version is None:
            errors.append(f"{host}: kafka_version {node.get('version')!r} is not a release number like 4.4.0")
        elif mode == "kraft" and version < (3, 9, 0):
            errors.append(
                f"{host}: kafka_version {node['version']} is too old for kafka_mode kraft: the dynamic "
                "controller quorum (KIP-853) this kit deploys needs Kafka 3.9 or newer"
            )
        elif mode == "zookeeper" and version >= (4, 0, 0):
            errors.append(
                f"{host}: kafka_mode zookeeper with kafka_version {node['version']}: Kafka 4.0 removed "
                "ZooKeeper. Stay on 3.9.x for ZooKeeper mode, or migrate the cluster to KRaft "
                "(kafka_mode: kraft)"
            )
    return errors


def _node_ids(nodes: list[dict]) -> list[str]:
    errors, owners = [], defaultdict(list)
    for node in nodes:
        node_id = node.get("node_id")
        if node_id is None or node_id == "":
            errors.append(f"{node['host']}: kafka_node_id is not set; every Kafka host needs a unique one")
        elif not isinstance(node_id, int) or isinstance(node_id, bool) or node_id < 0:
            errors.append(f"{node['host']}: kafka_node_id {node_id!r} must be a whole number, 0 or more")
        else:
            owners[node_id].append(node["host"])
    errors += [
        f"kafka_node_id {node_id} is used by more than one host: {', '.join(sorted(hosts))}"
        for node_id, hosts in sorted(owners.items())
        if len(hosts) > 1
    ]
    return errors


def _roles(nodes: list[dict], groups: dict) -> list[str]:
    brokers = [n for n in nodes if "broker" in n["roles"]]
    controllers = [n for n in nodes if "controller" in n["roles"]]
    errors = []
    if not brokers:
        errors.append(f"no brokers: put at least one host in the group {groups['broker']}")
    if nodes and nodes[0].get("mode") == "kraft":
        if not controllers:
            errors.append(f"no KRaft controllers: put 1, 3 or 5 hosts in the group {groups['controller']}")
        elif len(controllers) % 2 == 0:
            errors.append(
                f"{len(controllers)} hosts in the group {groups['controller']} ({_hosts(controllers)}): "
                "a KRaft quorum needs an odd number (1, 3 or 5) to keep a majority through a failure"
            )
    errors += [
        f"{n['host']}: kafka_broker_rack is not set; every broker needs a rack (its availability zone) "
        "so that replicas spread across zones"
        for n in brokers
        if not str(n.get("rack") or "").strip()
    ]
    return errors


def _replication(nodes: list[dict]) -> list[str]:
    broker_count = sum(1 for n in nodes if "broker" in n["roles"])
    errors = _uniform(nodes, "replication_factor", "kafka_default_replication_factor")
    errors += _uniform(nodes, "min_insync_replicas", "kafka_min_insync_replicas")
    for node in nodes:
        host = node["host"]
        factor, min_isr = int(node["replication_factor"]), int(node["min_insync_replicas"])
        if factor < 1:
            errors.append(f"{host}: kafka_default_replication_factor {factor} must be at least 1")
        elif broker_count and factor > broker_count:
            errors.append(
                f"{host}: kafka_default_replication_factor {factor} is more than the {broker_count} "
                "brokers in the cluster; topics could not be created"
            )
        if min_isr < 1:
            errors.append(f"{host}: kafka_min_insync_replicas {min_isr} must be at least 1")
        elif factor > 1 and min_isr >= factor:
            errors.append(
                f"{host}: kafka_min_insync_replicas {min_isr} must be below "
                f"kafka_default_replication_factor {factor}, or one broker down stops every "
                "acks=all write"
            )
        elif factor == 1 and min_isr != 1:
            errors.append(f"{host}: kafka_min_insync_replicas must be 1 when the replication factor is 1")
    return errors


def _listeners(nodes: list[dict]) -> list[str]:
    errors = []
    for node in nodes:
        host, ports, names = node["host"], defaultdict(list), defaultdict(int)
        for listener in node.get("listeners", []):
            name = str(listener.get("name", ""))
            names[name] += 1
            ports[int(listener.get("port", 0))].append(name)
            if not _LISTENER_NAME.match(name):
                errors.append(f"{host}: listener name {name!r} must be upper case letters, digits and _")
            if not 0 < int(listener.get("port", 0)) < 65536:
                errors.append(f"{host}: listener {name} has port {listener.get('port')!r}, not 1-65535")
        errors += [
            f"{host}: port {port} is used by more than one listener ({', '.join(owners)}); "
            "check kafka_listeners, kafka_listeners_extra and kafka_controller_listener"
            for port, owners in sorted(ports.items())
            if len(owners) > 1
        ]
        errors += [
            f"{host}: listener name {name} appears {count} times"
            for name, count in sorted(names.items())
            if count > 1
        ]
    return errors


_ZNODE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_PROTOCOL_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?(?:-IV\d+)?$")
# ZooKeeper mode: a configured broker.id above reserved.broker.max.id (1000 unless changed) is
# refused by the broker itself at start-up; ids above it are kept for generated ones.
_MAX_ZOOKEEPER_BROKER_ID = 1000
_MAX_MYID = 255


def _chroot_ok(chroot: str) -> bool:
    """An absolute path of plain znode names, not ZooKeeper's own /zookeeper tree."""
    names = chroot.split("/")[1:]
    return (
        chroot.startswith("/")
        and bool(names)
        and all(_ZNODE_NAME.match(name) and name not in (".", "..") for name in names)
        and names[0] != "zookeeper"
    )


def _ensemble(members: list[dict], zookeeper_group: str) -> list[str]:
    if not members:
        return [f"kafka_mode zookeeper needs an ensemble: put 1, 3 or 5 hosts in the group {zookeeper_group}"]
    errors = []
    missing = [m["host"] for m in members if m.get("missing")]
    if missing:
        errors.append(
            f"{', '.join(missing)} in the group {zookeeper_group} not described in this run (a --limit?): "
            "checking ZooKeeper mode needs every member"
        )
    if len(members) % 2 == 0:
        errors.append(
            f"{len(members)} hosts in the group {zookeeper_group} ({_hosts(members)}): a ZooKeeper ensemble "
            f"needs an odd number (1, 3 or 5). {len(members)} members survive no more failures than "
            f"{len(members) - 1}, and need a bigger majority to serve"
        )
    owners = defaultdict(list)
    for member in members:
        if member.get("missing"):
            continue
        host, myid = member["host"], member.get("myid")
        if myid is None or myid == "":
            errors.append(f"{host}: zookeeper_myid is not set; every ZooKeeper member needs a unique one")
        elif not isinstance(myid, int) or isinstance(myid, bool) or not 1 <= myid <= _MAX_MYID:
            errors.append(f"{host}: zookeeper_myid {myid!r} must be a whole number from 1 to {_MAX_MYID}")
        else:
            owners[myid].append(host)
    errors += [
        f"zookeeper_myid {myid} is used by more than one host: {', '.join(sorted(hosts))}"
        for myid, hosts in sorted(owners.items())
        if len(hosts) > 1
    ]
    return errors


def _zookeeper_brokers(nodes: list[dict]) -> list[str]:
    errors = _uniform(nodes, "zookeeper_chroot", "kafka_zookeeper_chroot")
    errors += _uniform(nodes, "inter_broker_protocol", "kafka_inter_broker_protocol_version")
    for node in nodes:
        host, node_id = node["host"], node.get("node_id")
        if isinstance(node_id, int) and not isinstance(node_id, bool) and node_id > _MAX_ZOOKEEPER_BROKER_ID:
            errors.append(
                f"{host}: kafka_node_id {node_id} is above {_MAX_ZOOKEEPER_BROKER_ID}: in ZooKeeper mode it "
                f"is the broker.id, and ids above reserved.broker.max.id ({_MAX_ZOOKEEPER_BROKER_ID}) are "
                "kept for generated ones; the broker would refuse to start"
            )
        chroot = str(node.get("zookeeper_chroot", ""))
        if not _chroot_ok(chroot):
            errors.append(
                f"{host}: kafka_zookeeper_chroot {chroot!r} must be an absolute ZooKeeper path like /kafka "
                "or /kafka/orders: names of letters, digits, _ . -, no trailing /, no . or .., and not "
                "below /zookeeper (ZooKeeper's own)"
            )
        protocol = _PROTOCOL_VERSION.match(str(node.get("inter_broker_protocol", "")))
        version = _version(node.get("version", ""))
        if not protocol:
            errors.append(
                f"{host}: kafka_inter_broker_protocol_version {node.get('inter_broker_protocol')!r} "
                "is not a protocol version like 3.9"
            )
        elif version and (int(protocol.group(1)), int(protocol.group(2))) > version[:2]:
            errors.append(
                f"{host}: kafka_inter_broker_protocol_version {node['inter_broker_protocol']} is newer than "
                f"kafka_version {node['version']}: brokers cannot speak a protocol from a later release"
            )
    return errors


def _zookeeper_mode(nodes: list[dict], members: list[dict] | None, groups: dict) -> list[str]:
    """ZooKeeper mode: the ensemble, and what KRaft-only shapes mean there."""
    members = members or []
    zookeeper_group, controller_group = groups["zookeeper"], groups["controller"]
    mode = nodes[0].get("mode")
    if mode != "zookeeper":
        if mode == "kraft" and members:
            return [
                f"kafka_mode is kraft, but the group {zookeeper_group} has hosts ({_hosts(members)}): a "
                "KRaft cluster keeps its metadata in its controllers. Empty the group, or set kafka_mode: "
                "zookeeper"
            ]
        return []
    errors = _ensemble(members, zookeeper_group)
    ensemble = {m["host"] for m in members}
    controllers = [n for n in nodes if "controller" in n["roles"]]
    errors += [
        f"{n['host']} is in both {zookeeper_group} and {controller_group}, which makes no sense in ZooKeeper "
        f"mode: ZooKeeper holds the metadata and the brokers elect their controller through it. Keep the "
        f"host in {zookeeper_group} only"
        for n in controllers
        if n["host"] in ensemble
    ]
    errors += [
        f"{n['host']} is in the group {controller_group}, but kafka_mode is zookeeper: there are no KRaft "
        "controllers in ZooKeeper mode (the brokers elect their controller through ZooKeeper). Remove it "
        f"from {controller_group}, or make it a broker"
        for n in controllers
        if n["host"] not in ensemble
    ]
    return errors + _zookeeper_brokers([n for n in nodes if "broker" in n["roles"]])


def kafka_cluster_errors(
    nodes: list[dict],
    broker_group="kafka_broker",
    controller_group="kafka_controller",
    zookeeper_members: list[dict] | None = None,
    zookeeper_group="zookeeper",
):
    """Every reason the cluster described by `nodes` cannot be deployed; empty when it can.

    zookeeper_members: the ensemble's members ({host, myid, ...}, see kafka_zookeeper_members),
    checked against kafka_mode.
    """
    groups = {"broker": broker_group, "controller": controller_group, "zookeeper": zookeeper_group}
    if not nodes:
        return [f"no Kafka hosts: the groups {broker_group} and {controller_group} are empty"]
    return (
        _mode_and_version(nodes)
        + _node_ids(nodes)
        + _roles(nodes, groups)
        + _replication(nodes)
        + _listeners(nodes)
        + _zookeeper_mode(nodes, zookeeper_members, groups)
    )


class FilterModule:
    def filters(self):
        return {"kafka_cluster_errors": kafka_cluster_errors}
