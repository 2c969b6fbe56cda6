"""The cluster contract: every rule an inventory must meet before any host is touched.

`errors(cluster, hosts)` checks the model (model.build) whole and returns one message per problem,
each naming the host, the variable and the value given, so that a user can fix them all at once.
Rules are small functions by kind (shape, identities, endpoints, configuration, paths, sizing,
ZooKeeper, topics); tests/unit/test_contract.py holds a case for each, tests/test_bad_input.py
runs them through the real playbooks.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections import defaultdict
from pathlib import PurePosixPath

from ansible_collections.kafkakit.kafka.plugins.module_utils import (
    access,
    certificates,
    constants,
    model,
    security,
    sizing,
    topics,
)

# Directories the kit must never use as (or put) a data dir, log dir or config dir: the roles own
# and chown what they are given.
SYSTEM_DIRS = frozenset(
    {"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc", "/root", "/run",
     "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/local", "/var", "/var/lib", "/var/log", "/var/tmp",
     "/data"}
)  # fmt: skip
_UNSPECIFIED_ADDRESSES = {"0.0.0.0", "::", "[::]"}
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_ZNODE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_PROTOCOL_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?(?:-IV\d+)?$")

# Cluster-wide variables: one value on every Kafka host.
UNIFORM_KAFKA = (
    "kafka_mode", "kafka_version", "kafka_scala_version", "kafka_cluster_id", "kafka_broker_group",
    "kafka_controller_group", "kafka_zookeeper_group", "kafka_default_replication_factor",
    "kafka_min_insync_replicas", "kafka_unclean_leader_election", "kafka_auto_create_topics",
    "kafka_inter_broker_listener_name", "kafka_zookeeper_chroot", "kafka_inter_broker_protocol_version",
    "kafka_dynamic_properties", "kafka_topics_list", "kafka_cluster_name", "kafka_monitoring_group",
    "kafka_access_acls", "kafka_security_profile", "kafka_client_authentication",
    "kafka_zookeeper_migration",
)  # fmt: skip
UNIFORM_ZOOKEEPER = (
    "zookeeper_version", "zookeeper_ensemble_group", "zookeeper_tick_time", "zookeeper_init_limit",
    "zookeeper_sync_limit", "zookeeper_properties",
)  # fmt: skip


def _hosts(nodes) -> str:
    return ", ".join(sorted(n["host"] for n in nodes))


def uniform(entries: list[tuple[str, dict]], variable: str) -> list[str]:
    """`variable` has one value across `entries` ((host, variables) pairs)."""
    by_value = defaultdict(list)
    for host, variables in entries:
        if variable in variables:
            by_value[repr(variables[variable])].append(host)
    if len(by_value) <= 1:
        return []
    spread = "; ".join(f"{value} on {', '.join(sorted(hosts))}" for value, hosts in sorted(by_value.items()))
    return [f"{variable} must be the same on every host of the cluster, but it is {spread}"]


# --- Shape ------------------------------------------------------------------------------------------
def shape(cluster: dict, groups: dict, require_kafka: bool = True) -> list[str]:
    names, mode = cluster["groups"], cluster["mode"]
    nodes = cluster["_nodes"]
    errors = []
    if not nodes and not require_kafka and cluster["_members"]:
        return []  # an ensemble on its own (the zookeeper role run alone)
    if not nodes:
        return [
            f"no Kafka hosts: the groups {names['broker']} (kafka_broker_group) and {names['controller']} "
            "(kafka_controller_group) are empty or not in the inventory; its groups are "
            f"{', '.join(sorted(g for g in groups if g not in ('all', 'ungrouped'))) or 'none'}"
        ]
    if not cluster["brokers"]:
        errors.append(
            f"no brokers: the group {names['broker']} (kafka_broker_group) has no hosts; put at least one "
            "host in it"
        )
    controllers = [n for n in nodes if "controller" in n["roles"]]
    if mode == "kraft":
        if not controllers:
            errors.append(
                f"no KRaft controllers: the group {names['controller']} (kafka_controller_group) has no "
                "hosts; put 1, 3 or 5 hosts in it"
            )
        elif not constants.quorum_size_ok(len(controllers)):
            errors.append(
                f"{len(controllers)} hosts in the group {names['controller']} ({_hosts(controllers)}): a "
                "KRaft quorum needs an odd number (1, 3 or 5) to keep a majority through a failure"
            )
    return errors


def mode_and_version(cluster: dict) -> list[str]:
    errors = []
    for node in cluster["_nodes"]:
        host, mode, given = node["host"], node["mode"], node["version"]
        version = constants.parse_version(given)
        if mode not in constants.MODES:
            errors.append(f"{host}: kafka_mode {mode!r} must be one of {', '.join(constants.MODES)}")
        if version is None:
            errors.append(f"{host}: kafka_version {given!r} is not a release number like 4.4.0")
        elif mode == "kraft" and version < constants.KRAFT_MIN_VERSION:
            errors.append(
                f"{host}: kafka_version {given} is too old for kafka_mode kraft: the dynamic controller "
                "quorum (KIP-853) this kit deploys needs Kafka 3.9 or newer"
            )
        elif mode == "zookeeper" and version >= constants.ZOOKEEPER_MODE_BEFORE_VERSION:
            errors.append(
                f"{host}: kafka_mode zookeeper with kafka_version {given}: Kafka 4.0 removed ZooKeeper. Stay "
                "on 3.9.x for ZooKeeper mode, or migrate the cluster to KRaft (kafka_mode: kraft)"
            )
        scala = str(node["vars"].get("kafka_scala_version", ""))
        if scala not in constants.SCALA_VERSIONS:
            errors.append(
                f"{host}: kafka_scala_version {scala!r} must be one of {', '.join(constants.SCALA_VERSIONS)}"
            )
        elif version and scala == "2.12" and version >= constants.SCALA_2_12_BEFORE_VERSION:
            errors.append(
                f"{host}: kafka_scala_version 2.12 does not exist for Kafka {given}: 4.x ships only 2.13"
            )
    return errors


# --- Identities ---------------------------------------------------------------------------------
def node_ids(cluster: dict) -> list[str]:
    errors, owners = [], defaultdict(list)
    for node in cluster["_nodes"]:
        host, given = node["host"], node["vars"].get("kafka_node_id")
        if given is None or given == "":
            errors.append(f"{host}: kafka_node_id is not set; every Kafka host needs a unique one")
        elif node["node_id"] is None or not constants.NODE_ID_MIN <= node["node_id"] <= constants.NODE_ID_MAX:
            errors.append(
                f"{host}: kafka_node_id {given!r} must be a whole number from {constants.NODE_ID_MIN} to "
                f"{constants.NODE_ID_MAX} (a Java int)"
            )
        else:
            owners[node["node_id"]].append(host)
            if (
                cluster["mode"] == "zookeeper"
                and "broker" in node["roles"]
                and node["node_id"] > constants.ZOOKEEPER_BROKER_ID_MAX
            ):
                errors.append(
                    f"{host}: kafka_node_id {given} is above {constants.ZOOKEEPER_BROKER_ID_MAX}: in "
                    "ZooKeeper mode it is the broker.id, and ids above reserved.broker.max.id "
                    f"({constants.ZOOKEEPER_BROKER_ID_MAX}) are kept for generated ones; the broker would "
                    "refuse to start"
                )
    errors += [
        f"kafka_node_id {node_id} is used by more than one host: {', '.join(sorted(hosts))}"
        for node_id, hosts in sorted(owners.items())
        if len(hosts) > 1
    ]
    errors += [
        f"{n['host']}: kafka_broker_rack is not set; every broker needs a rack (its availability zone) so "
        "that replicas spread across zones"
        for n in cluster["_nodes"]
        if "broker" in n["roles"] and not n["rack"]
    ]
    return errors


def machines(hosts: dict[str, dict], cluster: dict) -> list[str]:
    """Two inventory hosts that are one machine (the same address and port) would share a disk,
    a service and ports: one node would silently be configured twice."""
    owners = defaultdict(list)
    for host in cluster["kafka_hosts"] + cluster["zookeeper_hosts"]:
        variables = hosts[host]
        if variables.get("ansible_connection") in ("local", "docker", "community.docker.docker"):
            continue
        address = str(variables.get("ansible_host") or host)
        owners[(address, str(variables.get("ansible_port") or 22))].append(host)
    return [
        f"{', '.join(sorted(set(names)))} are one machine ({address}:{port}, from ansible_host and "
        "ansible_port): each node needs a host of its own"
        for (address, port), names in sorted(owners.items())
        if len(set(names)) > 1
    ]


# --- Durability -----------------------------------------------------------------------------------
def replication(cluster: dict) -> list[str]:
    errors, broker_count = [], len(cluster["brokers"])
    for node in cluster["_nodes"][:1]:
        host, variables = node["host"], node["vars"]
        factor, min_isr = (
            variables.get("kafka_default_replication_factor"),
            variables.get("kafka_min_insync_replicas"),
        )
        if not isinstance(factor, int) or not isinstance(min_isr, int):
            continue  # the type check has said so
        if factor < 1:
            errors.append(f"{host}: kafka_default_replication_factor {factor} must be at least 1")
        elif broker_count and factor > broker_count:
            errors.append(
                f"{host}: kafka_default_replication_factor {factor} is more than the {broker_count} brokers "
                "in the cluster; topics could not be created"
            )
        errors += _min_isr_errors(host, "kafka_min_insync_replicas", min_isr, factor)
    return errors


def _min_isr_errors(host: str, variable: str, min_isr, factor: int) -> list[str]:
    if not isinstance(min_isr, int) or isinstance(min_isr, bool):
        if not str(min_isr).strip().isdigit():
            return [f"{host}: {variable} {min_isr!r} must be a whole number"]
        min_isr = int(str(min_isr).strip())
    if min_isr < 1:
        return [f"{host}: {variable} {min_isr} must be at least 1"]
    if factor > 1 and min_isr >= factor:
        return [
            f"{host}: {variable} {min_isr} must be below kafka_default_replication_factor {factor}, or one "
            "broker down stops every acks=all write"
        ]
    if factor == 1 and min_isr != 1:
        return [f"{host}: {variable} {min_isr} must be 1 when the replication factor is 1"]
    return []


# --- Endpoints ------------------------------------------------------------------------------------
def _address_error(value: str) -> str | None:
    if not value.strip():
        return "is empty: clients and other nodes would be told no host"
    if value in _UNSPECIFIED_ADDRESSES:
        return "is an unspecified address: it can be bound, not dialled"
    try:
        ipaddress.ip_address(value.strip("[]"))
        return None
    except ValueError:
        pass
    if ":" in value:
        return "carries a port: the port is the listener's own (port)"
    if not _HOSTNAME.match(value):
        return "is not a host name or an IP address"
    return None


def _listener_errors(host: str, item: dict, source: str, user: str) -> list[str]:
    """What is wrong with one listener on its own: its name, protocol and port."""
    name, port, errors = item["name"], item["port"], []
    if not constants.LISTENER_NAME_PATTERN.match(name):
        errors.append(f"{host}: {source} name {name!r} must be upper case letters, digits and _")
    if item["protocol"] not in constants.SECURITY_PROTOCOLS:
        errors.append(
            f"{host}: {source} {name} protocol {item['protocol']!r} is not one Kafka knows: "
            f"{', '.join(constants.SECURITY_PROTOCOLS)}"
        )
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port <= constants.PORT_MAX:
        errors.append(f"{host}: {source} {name} port {port!r} must be a whole number from 1024 to 65535")
    elif port < constants.UNPRIVILEGED_PORT_MIN:
        errors.append(
            f"{host}: {source} {name} port {port} is below {constants.UNPRIVILEGED_PORT_MIN}: Kafka runs as "
            f"{user}, which cannot bind it"
        )
    return errors


def _node_listeners(node: dict, mode: str, served: dict) -> list[str]:
    """One node's listeners: each on its own, then ports and names unique, the inter-broker
    listener one of them; `served` collects every advertised endpoint for the cluster check."""
    host, variables, controller = node["host"], node["vars"], node["controller_listener"]
    names, ports, errors = defaultdict(int), defaultdict(list), []
    controllers = [id(item) for item in node["controller_listeners"]]
    # A broker must know the controller listeners' names and protocols.
    own = model.known_listeners(node) if mode == "kraft" else list(node["listeners"])
    for item in own:
        source = (
            "kafka_controller_listener" if item is controller
            else "kafka_controller_listeners_extra" if id(item) in controllers
            else "kafka_listeners/kafka_listeners_extra"
        )  # fmt: skip
        names[item["name"]] += 1
        found = _listener_errors(host, item, source, variables.get("kafka_user", "kafka"))
        errors += found
        if any(" port " in problem for problem in found) or (
            id(item) in controllers and "controller" not in node["roles"]
        ):
            continue  # a broker-only node does not listen on the controller listener
        ports[item["port"]].append(item["name"])
        problem = _address_error(item["advertised_host"])
        if problem:
            errors.append(
                f"{host}: {source} {item['name']} advertised_host {item['advertised_host']!r} {problem}"
            )
        else:
            served[(item["advertised_host"].lower(), item["port"])].append(f"{host} ({item['name']})")
    errors += [
        f"{host}: port {port} is used by more than one listener ({', '.join(owners)}); check "
        "kafka_listeners, kafka_listeners_extra and kafka_controller_listener"
        for port, owners in sorted(ports.items())
        if len(owners) > 1
    ]
    own_name = (
        "; kafka_controller_listener needs a name of its own (controller.listener.names cannot be a broker "
        "listener)"
    )
    errors += [
        f"{host}: listener name {name} is used {count} times"
        + (own_name if name in {item["name"] for item in node["controller_listeners"]} else "")
        for name, count in sorted(names.items())
        if count > 1
    ]
    if "broker" in node["roles"]:
        wanted = variables.get("kafka_inter_broker_listener_name")
        listed = [item["name"] for item in node["broker_listeners"]]
        if wanted not in listed:
            errors.append(
                f"{host}: kafka_inter_broker_listener_name {wanted!r} is not one of its broker listeners "
                f"({', '.join(listed) or 'none'})"
            )
    return errors


def listeners(cluster: dict) -> list[str]:
    served: dict = defaultdict(list)
    errors = []
    for node in cluster["_nodes"]:
        errors += _node_listeners(node, cluster["mode"], served)
    errors += [
        f"{', '.join(owners)} all advertise {address}:{port}: clients would reach one node for another; give "
        "each its own advertised_host (or port)"
        for (address, port), owners in sorted(served.items())
        if len(owners) > 1
    ]
    return errors


# --- The effective configuration ------------------------------------------------------------------
def overrides(cluster: dict) -> list[str]:
    """kafka_server_properties may not set what the kit derives (its source is named instead), and
    every value must be one a .properties file can hold."""
    errors = []
    for node in cluster["_nodes"]:
        host, given = node["host"], node["vars"].get("kafka_server_properties", {})
        for key, value in sorted(given.items(), key=lambda item: str(item[0])):
            if model.owns(key):
                errors.append(
                    f"{host}: kafka_server_properties sets {key}, which the kit derives from "
                    f"{model.owner_of(key)}: set that instead"
                )
            errors += _value_errors(host, "kafka_server_properties", key, value)
    first = cluster["_nodes"][0] if cluster["_nodes"] else None
    if first:
        dynamic = first["vars"].get("kafka_dynamic_properties", {})
        for key, value in sorted(dynamic.items(), key=lambda item: str(item[0])):
            errors += _value_errors(first["host"], "kafka_dynamic_properties", key, value)
        if "min.insync.replicas" in dynamic:
            errors.append(
                f"{first['host']}: kafka_dynamic_properties sets min.insync.replicas, which the kit keeps "
                "equal to kafka_min_insync_replicas: set that instead"
            )
        for key in ("default.replication.factor", "offsets.topic.replication.factor"):
            if key in dynamic:
                errors.append(
                    f"{first['host']}: kafka_dynamic_properties sets {key}, which the kit derives from "
                    "kafka_default_replication_factor: set that instead"
                )
    return errors


def _value_errors(host: str, variable: str, key, value) -> list[str]:
    if not isinstance(key, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", key):
        return [f"{host}: {variable} key {key!r} is not a Kafka setting name"]
    if isinstance(value, dict):
        return [
            f"{host}: {variable} {key} is a nested mapping, which renders as a junk line; write each entry "
            f"as its own dotted key ({key}.<name>: value)"
        ]
    if value is None:
        return [f"{host}: {variable} {key} has no value; remove the key to keep Kafka's default"]
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        return [f"{host}: {variable} {key} holds nested data; a list value is a list of plain values"]
    return []


# --- Disks and paths ------------------------------------------------------------------------------
def _path_error(path) -> str | None:
    text = str(path)
    if not text.startswith("/"):
        return "is relative: give an absolute path"
    normal = str(PurePosixPath(text))
    if normal in SYSTEM_DIRS or ".." in PurePosixPath(text).parts:
        return "is a system directory: give a directory of its own (the role owns and changes it)"
    return None


def paths(cluster: dict, hosts: dict[str, dict]) -> list[str]:
    errors = []
    for node in cluster["_nodes"]:
        host, variables = node["host"], node["vars"]
        device = str(variables.get("host_prep_data_device") or "")
        mount = str(variables.get("host_prep_data_mount") or "/data")
        if device and not device.startswith("/dev/"):
            errors.append(f"{host}: host_prep_data_device {device!r} must be a block device path under /dev/")
        for index, data_dir in enumerate(node["data_dirs"]):
            problem = _path_error(data_dir)
            label = f"kafka_data_dirs[{index}] {data_dir!r}"
            if problem:
                errors.append(f"{host}: {label} {problem}")
            elif device and not str(PurePosixPath(data_dir)).startswith(mount.rstrip("/") + "/"):
                errors.append(
                    f"{host}: {label} is not on the data disk: host_prep_data_device {device} is mounted on "
                    f"{mount} (host_prep_data_mount); data there would fill the root disk"
                )
        if len(set(node["data_dirs"])) != len(node["data_dirs"]):
            errors.append(f"{host}: kafka_data_dirs lists a directory twice: {node['data_dirs']}")
        for variable in ("kafka_app_log_dir", "kafka_config_dir"):
            value = variables.get(variable)
            problem = _path_error(value) if value is not None else None
            if problem:
                errors.append(f"{host}: {variable} {value!r} {problem}")
    for member in cluster["_members"]:
        host, variables = member["host"], member["vars"]
        for variable in (
            "zookeeper_data_dir",
            "zookeeper_data_log_dir",
            "zookeeper_log_dir",
            "zookeeper_config_dir",
        ):
            value = variables.get(variable)
            problem = _path_error(value) if value is not None else None
            if problem:
                errors.append(f"{host}: {variable} {value!r} {problem}")
    return errors


# --- Sizing ---------------------------------------------------------------------------------------
_COUNTS = ("kafka_num_network_threads", "kafka_num_io_threads", "kafka_num_replica_fetchers",
           "kafka_num_recovery_threads_per_data_dir")  # fmt: skip


def sizing_values(cluster: dict) -> list[str]:
    errors = []
    for node in cluster["_nodes"]:
        host, variables = node["host"], node["vars"]
        heap = variables.get("kafka_heap_size")
        problem = sizing.heap_error(heap)
        if problem:
            errors.append(f"{host}: kafka_heap_size {heap!r} {problem}")
        for variable in _COUNTS:
            value = variables.get(variable)
            problem = sizing.count_error(value)
            if problem:
                errors.append(f"{host}: {variable} {value!r} {problem}")
    for member in cluster["_members"]:
        heap = member["vars"].get("zookeeper_heap_size")
        problem = sizing.heap_error(heap)
        if problem:
            errors.append(f"{member['host']}: zookeeper_heap_size {heap!r} {problem}")
    return errors


def gate_sources(cluster: dict) -> list[str]:
    """A gate told to read the metrics needs an exporter on every Kafka node."""
    if cluster["gate_exporters"]["every_node"]:
        return []
    every, exporting = len(cluster["kafka_hosts"]), len(cluster["gate_exporters"]["all"])
    return [
        f"{node['host']}: {variable} is metrics, but {every - exporting} of the {every} Kafka nodes "
        "export no metrics (kafka_metrics_enabled): set it to auto or tools"
        for node in cluster["_nodes"]
        for variable in ("kafka_gate_source", "kafka_ops_gate_source")
        if node["vars"].get(variable) == "metrics"
    ]


# --- ZooKeeper mode -------------------------------------------------------------------------------
def _chroot_ok(chroot: str) -> bool:
    """An absolute path of plain znode names, not ZooKeeper's own /zookeeper tree."""
    names = chroot.split("/")[1:]
    return (
        chroot.startswith("/")
        and bool(names)
        and all(_ZNODE_NAME.match(name) and name not in (".", "..") for name in names)
        and names[0] != "zookeeper"
    )


def zookeeper_mode(cluster: dict) -> list[str]:
    names, mode, members = cluster["groups"], cluster["mode"], cluster["_members"]
    if mode != "zookeeper":
        if members:
            return [
                f"kafka_mode is kraft, but the group {names['zookeeper']} (kafka_zookeeper_group) has hosts "
                f"({_hosts(members)}): a KRaft cluster keeps its metadata in its controllers. Empty the "
                "group, or set kafka_mode: zookeeper"
            ]
        return []
    errors = []
    if not members:
        return [
            f"kafka_mode zookeeper needs an ensemble: put 1, 3 or 5 hosts in the group {names['zookeeper']} "
            "(kafka_zookeeper_group)"
        ]
    if not constants.quorum_size_ok(len(members)):
        errors.append(
            f"{len(members)} hosts in the group {names['zookeeper']} ({_hosts(members)}): a ZooKeeper "
            f"ensemble needs an odd number (1, 3 or 5). {len(members)} members survive no more failures than "
            f"{len(members) - 1}, and need a bigger majority to serve"
        )
    owners = defaultdict(list)
    for member in members:
        host, given = member["host"], member["vars"].get("zookeeper_myid")
        if given is None or given == "":
            errors.append(f"{host}: zookeeper_myid is not set; every ZooKeeper member needs a unique one")
        elif member["myid"] is None or not constants.MYID_MIN <= member["myid"] <= constants.MYID_MAX:
            errors.append(
                f"{host}: zookeeper_myid {given!r} must be a whole number from {constants.MYID_MIN} to "
                f"{constants.MYID_MAX}"
            )
        else:
            owners[member["myid"]].append(host)
        problem = _address_error(member["advertised_host"])
        if problem:
            errors.append(f"{host}: zookeeper_advertised_host {member['advertised_host']!r} {problem}")
        group = member["vars"].get("zookeeper_ensemble_group")
        if group is not None and group != names["zookeeper"]:
            errors.append(
                f"{host}: zookeeper_ensemble_group {group!r} is not kafka_zookeeper_group "
                f"{names['zookeeper']!r}: the brokers would connect to another ensemble than the one deployed"
            )
    errors += [
        f"zookeeper_myid {myid} is used by more than one host: {', '.join(sorted(hosts))}"
        for myid, hosts in sorted(owners.items())
        if len(hosts) > 1
    ]
    ensemble = {m["host"] for m in members}
    errors += [
        f"{host} is in the group {names['controller']} (kafka_controller_group) and the ensemble "
        f"{names['zookeeper']}, but kafka_mode is zookeeper: a controller staged for the migration to KRaft "
        f"needs a host of its own. Remove it from {names['controller']}; keep it in {names['zookeeper']} only"
        for host, _ in cluster["_staged"]
        if host in ensemble
    ]
    for node in cluster["_nodes"]:
        if "controller" in node["roles"] and not node["migrating"]:
            errors.append(
                f"{node['host']} is in the group {names['controller']} (kafka_controller_group), but "
                "kafka_mode is zookeeper: there are no KRaft controllers in ZooKeeper mode (the brokers "
                f"elect their controller through ZooKeeper). Remove it from {names['controller']}"
                + (
                    f"; keep it in {names['zookeeper']} only"
                    if node["host"] in ensemble
                    else ", or make it a broker"
                )
            )
    errors += _zookeeper_brokers(cluster)
    return errors


def migration(cluster: dict) -> list[str]:
    """What the migration to KRaft needs before it starts (KIP-866; docs/migration.md): dedicated
    controllers, an odd number of them, node ids apart from the brokers', every broker on 3.9 with
    inter.broker.protocol.version 3.9, and the controllers' metrics, which say how far it got."""
    nodes, names = cluster["_nodes"], cluster["groups"]
    phase = str((nodes[0]["vars"] if nodes else {}).get("kafka_zookeeper_migration", "none"))
    if phase == "none":
        return []
    if cluster["mode"] != "zookeeper":
        return [
            f"kafka_zookeeper_migration is {phase}, but kafka_mode is {cluster['mode']}: the KRaft inventory "
            "is the migration's last step (it finalizes it). Set kafka_zookeeper_migration: none"
        ]
    errors = []
    controllers = [n for n in nodes if "controller" in n["roles"]]
    if not constants.quorum_size_ok(len(controllers)):
        errors.append(
            f"kafka_zookeeper_migration is {phase}, but the group {names['controller']} "
            f"(kafka_controller_group) has {len(controllers)} hosts ({_hosts(controllers) or 'none'}): "
            "the migration needs 1, 3 or 5 dedicated KRaft controllers"
        )
    errors += [
        f"{n['host']}: in both {names['broker']} and {names['controller']} with kafka_zookeeper_migration "
        f"{phase}: Kafka migrates to dedicated controllers only (combined nodes are not supported); give the "
        "quorum hosts of its own"
        for n in controllers
        if "broker" in n["roles"]
    ]
    for node in nodes:
        host, variables = node["host"], node["vars"]
        version = constants.parse_version(node["version"])
        if version and version[:2] != (3, 9):
            errors.append(
                f"{host}: kafka_version {node['version']} with kafka_zookeeper_migration {phase}: the "
                "migration runs on Kafka 3.9.x, the last line with ZooKeeper; upgrade to 3.9 first "
                "(upgrade.yml)"
            )
        protocol = str(variables.get("kafka_inter_broker_protocol_version", ""))
        if "broker" in node["roles"] and not protocol.startswith("3.9"):
            errors.append(
                f"{host}: kafka_inter_broker_protocol_version {protocol!r} with kafka_zookeeper_migration "
                f"{phase}: the migration needs 3.9 on every broker (finalize_upgrade.yml sets it)"
            )
        if "controller" in node["roles"] and not variables.get("kafka_metrics_enabled", False):
            errors.append(
                f"{host}: kafka_metrics_enabled is false with kafka_zookeeper_migration {phase}: the "
                "playbook waits on the controllers' ZkMigrationState, which their exporter gives"
            )
    return errors


def _zookeeper_brokers(cluster: dict) -> list[str]:
    errors = []
    for node in cluster["_nodes"]:
        if "broker" not in node["roles"]:
            continue
        host, variables = node["host"], node["vars"]
        chroot = str(variables.get("kafka_zookeeper_chroot", ""))
        if not _chroot_ok(chroot):
            errors.append(
                f"{host}: kafka_zookeeper_chroot {chroot!r} must be an absolute ZooKeeper path like /kafka "
                "or /kafka/orders: names of letters, digits, _ . -, no trailing /, no . or .., and not "
                "below /zookeeper (ZooKeeper's own)"
            )
        given = variables.get("kafka_inter_broker_protocol_version")
        protocol = _PROTOCOL_VERSION.match(str(given))
        version = constants.parse_version(node["version"])
        if not protocol:
            errors.append(
                f"{host}: kafka_inter_broker_protocol_version {given!r} is not a protocol version like 3.9"
            )
        elif version and (int(protocol.group(1)), int(protocol.group(2))) > version[:2]:
            errors.append(
                f"{host}: kafka_inter_broker_protocol_version {given} is newer than kafka_version "
                f"{node['version']}: brokers cannot speak a protocol from a later release"
            )
    return errors


def ports_on_shared_hosts(cluster: dict) -> list[str]:
    """Every port a host binds, once: Kafka's listeners, ZooKeeper's ports, the exporters' (a node
    exporter shared by the JVMs of one host counts once)."""
    bound: dict[str, dict] = defaultdict(lambda: defaultdict(set))
    for node in cluster["_nodes"]:
        for item in node["listeners"]:
            bound[node["host"]][item["port"]].add(f"Kafka listener {item['name']}")
        for variable, port in node["exporter_ports"].items():
            bound[node["host"]][port].add(variable)
    for member in cluster["_members"]:
        for name in ("client_port", "peer_port", "election_port"):
            bound[member["host"]][member[name]].add(f"zookeeper_{name}")
        for variable, port in member["exporter_ports"].items():
            bound[member["host"]][port].add(variable)
    errors = []
    for host, ports in sorted(bound.items()):
        for port, owners in sorted(ports.items(), key=lambda kv: str(kv[0])):
            if len(owners) > 1:
                errors.append(f"{host}: port {port} is used twice ({', '.join(sorted(owners))})")
            if (
                isinstance(port, int)
                and not isinstance(port, bool)
                and port < constants.UNPRIVILEGED_PORT_MIN
            ):
                privileged = [o for o in owners if o.startswith(("kafka_metrics", "zookeeper_"))]
                errors += [
                    f"{host}: {owner} {port} is below 1024: the service cannot bind it"
                    for owner in privileged
                ]
    return errors


# --- Topics -----------------------------------------------------------------------------------------
def declared_topics(cluster: dict) -> list[str]:
    if not cluster["_nodes"]:
        return []
    first = cluster["_nodes"][0]["vars"]
    if not first.get("kafka_topics_list"):
        return []
    min_isr = first.get("kafka_min_insync_replicas")
    _, problems = topics.check_topics(
        first.get("kafka_topics_list"),
        len(cluster["brokers"]),
        first.get("kafka_topics_default_partitions", 3),
        first.get("kafka_topics_default_replication_factor", 3),
        extra_config_names=first.get("kafka_topics_extra_config_names", []),
        cluster_min_isr=min_isr if isinstance(min_isr, int) else None,
    )
    return [f"kafka_topics_list: {problem}" for problem in problems]


def declared_access(cluster: dict) -> list[str]:
    """kafka_access_users and kafka_access_acls, whole, before any host: the same checks the
    modules make, and lists the cluster's security can honour."""
    if not cluster["_nodes"]:
        return []
    first = cluster["_nodes"][0]
    users_declared = first["vars"].get("kafka_access_users") or []
    acls_declared = first["vars"].get("kafka_access_acls") or []
    if not users_declared and not acls_declared:
        return []
    sec, host = cluster["security"], first["host"]
    _, problems = access.check_users(users_declared, (sec["admin_user"], sec["broker_user"]))
    errors = [f"{host}: kafka_access_users: {problem}" for problem in problems]
    _, problems = access.check_acls(acls_declared)
    errors += [f"{host}: kafka_access_acls: {problem}" for problem in problems]
    if sec["profile"] != "secure" and acls_declared:
        errors.append(
            f"{host}: kafka_access_acls is set but kafka_security_profile is {sec['profile']}: without the "
            "secure profile no authorizer runs, so ACLs neither grant nor deny anything"
        )
    if users_declared and (sec["profile"] != "secure" or sec["client_auth"] != "scram"):
        errors.append(
            f"{host}: kafka_access_users is set but clients authenticate by "
            f"{'nothing' if sec['profile'] != 'secure' else sec['client_auth']}: no SCRAM user could log in "
            "(their principals are the certificates' subjects; grant those in kafka_access_acls)"
        )
    return errors


def inventory_problems(groups: dict) -> list[str]:
    """Hosts an inventory plugin could not describe (constants.INVENTORY_PROBLEM_GROUPS)."""
    return [
        f"{host}: in the inventory group {group}: {reason}"
        for group, reason in constants.INVENTORY_PROBLEM_GROUPS.items()
        for host in sorted(groups.get(group, []))
    ]


# --- Security ---------------------------------------------------------------------------------------
def secure_profile(cluster: dict) -> list[str]:
    """The secure profile holds together: TLS on every listener (plaintext only for listeners named
    in kafka_security_plaintext_listeners), mTLS between controllers, credentials that are set and
    strong, principals that look like principals, the site's CA whole."""
    sec, nodes = cluster["security"], cluster["_nodes"]
    if not nodes or sec["profile"] != "secure":
        return []
    first = nodes[0]
    errors = []
    allowed_plaintext = set(first["vars"].get("kafka_security_plaintext_listeners", []))
    for node in nodes:
        host = node["host"]
        for index, controller in enumerate(
            node["controller_listeners"] if cluster["mode"] == "kraft" else []
        ):
            if controller["protocol"] == "SSL" or (
                controller["protocol"] == "PLAINTEXT" and controller["name"] in allowed_plaintext
            ):
                continue
            variable = "kafka_controller_listeners_extra" if index else "kafka_controller_listener"
            errors.append(
                f"{host}: {variable} {controller['name']} protocol {controller['protocol']} in the secure "
                "profile: the controller listener must be SSL with client certificates (SCRAM cannot work "
                "between controllers: a quorum without a leader cannot check SCRAM credentials; PLAINTEXT "
                "only while the cluster moves, named in kafka_security_plaintext_listeners)"
            )
        errors += _anonymous_peers(node, cluster, allowed_plaintext)
        for item in node["broker_listeners"] if "broker" in node["roles"] else []:
            if item["protocol"] == "SASL_PLAINTEXT":
                errors.append(
                    f"{host}: listener {item['name']} is SASL_PLAINTEXT: passwords would cross the network "
                    "in the clear; use SASL_SSL"
                )
            elif item["protocol"] == "PLAINTEXT" and item["name"] not in allowed_plaintext:
                errors.append(
                    f"{host}: listener {item['name']} is PLAINTEXT in the secure profile: anyone who reaches "
                    f"port {item['port']} reads and writes every topic. Make it SASL_SSL or SSL, name it in "
                    "kafka_security_plaintext_listeners while clients move over, or set "
                    "kafka_security_profile: plaintext"
                )
    needs_broker_password = any(model.secret_properties(n, cluster) for n in nodes)
    for variable, needed in (
        ("kafka_admin_password", True),
        ("kafka_broker_password", needs_broker_password),
        ("kafka_zookeeper_password", cluster["mode"] == "zookeeper"),
    ):
        if not needed:
            continue
        problem = security.password_problem(first["vars"].get(variable))
        if problem:
            errors.append(f"{first['host']}: {variable} {problem}")
    for principal in first["vars"].get("kafka_super_users_extra", []):
        if not isinstance(principal, str) or not principal.startswith("User:") or ";" in principal:
            errors.append(
                f"{first['host']}: kafka_super_users_extra entry {principal!r} is not a principal like "
                "User:ops (super.users separates them with ';')"
            )
    return errors


def _anonymous_peers(node: dict, cluster: dict, allowed_plaintext: set) -> list[str]:
    """While a cluster moves from plaintext (docs/security.md), nodes that still talk to each other
    over PLAINTEXT are User:ANONYMOUS to the authorizer: unless that is a super user, it cuts their
    replication and their controller traffic on the first restart."""
    if "User:ANONYMOUS" in cluster["security"]["super_users"]:
        return []
    peers = [node["controller_listener"]] if cluster["mode"] == "kraft" else []
    peers += [item for item in [model.inter_broker_listener(node)] if item and "broker" in node["roles"]]
    return [
        f"{node['host']}: {item['name']} is PLAINTEXT and carries the nodes' own traffic, whose principal "
        "is then User:ANONYMOUS: add it to kafka_super_users_extra while the cluster moves to the secure "
        "listeners, or the authorizer stops replication and the quorum"
        for item in peers
        if item["protocol"] == "PLAINTEXT" and item["name"] in allowed_plaintext
    ]


def site_ca(cluster: dict, hosts: dict) -> list[str]:
    """Your CA (kafka_tls_ca_cert, kafka_tls_ca_key): both or neither, readable on the controller,
    a CA, not expired, and the key its own."""
    if cluster["security"]["profile"] != "secure" or not cluster["_nodes"]:
        return []
    first = cluster["_nodes"][0]
    cert_path, key_path = (
        first["vars"].get("kafka_tls_ca_cert", ""),
        first["vars"].get("kafka_tls_ca_key", ""),
    )
    rotation = str(first["vars"].get("kafka_tls_ca_rotation") or "")
    if not cert_path and not key_path:
        return ca_rotation(first["host"], rotation, str(first["vars"].get("kafka_tls_ca_dir", "")))
    host = first["host"]
    if rotation:
        return [
            f"{host}: kafka_tls_ca_rotation is {rotation!r}, but the nodes use your site's CA "
            "(kafka_tls_ca_cert): rotate it with kafka_tls_trusted_cas (trust both), then "
            "kafka_tls_ca_cert and kafka_tls_ca_key (reissue), then drop the old one from "
            "kafka_tls_trusted_cas"
        ]
    if not cert_path or not key_path:
        return [
            f"{host}: set both kafka_tls_ca_cert and kafka_tls_ca_key (the site's CA), or neither (the kit's)"
        ]
    errors = [f"{host}: {problem}" for problem in certificates.ca_problems(cert_path, key_path)]
    return errors


def ca_rotation(host: str, step: str, ca_dir: str) -> list[str]:
    """Switch follows trust (the argument specs check the step's name)."""
    if step != "switch":
        return []
    if not any(os.path.exists(os.path.join(ca_dir, name)) for name in ("next-ca.pem", "previous-ca.pem")):
        return [
            f"{host}: kafka_tls_ca_rotation is switch, but {ca_dir} holds no next CA: run "
            "rotate_certificates.yml with kafka_tls_ca_rotation=trust first, so that every node trusts it"
        ]
    return []


def site_certificates(cluster: dict) -> list[str]:
    """Node certificates your site issued (kafka_tls_certificate, kafka_tls_private_key): the key
    its own, PKCS#8, valid for kafka_tls_renew_days more, for both server and client, carrying
    every name peers dial, issued by a CA the nodes trust."""
    if cluster["security"]["profile"] != "secure":
        return []
    errors = []
    for node in cluster["_nodes"]:
        cert, key = (
            node["vars"].get("kafka_tls_certificate", ""),
            node["vars"].get("kafka_tls_private_key", ""),
        )
        if not cert and not key:
            continue
        host = node["host"]
        if not cert or not key:
            errors.append(f"{host}: set both kafka_tls_certificate and kafka_tls_private_key, or neither")
            continue
        names = security.node_names(node, node["vars"].get("kafka_tls_extra_names"))
        named = [node["vars"].get("kafka_tls_ca_cert", ""), *node["vars"].get("kafka_tls_trusted_cas", [])]
        trusted = [p for p in named if p]
        errors += [
            f"{host}: {problem}"
            for problem in certificates.node_certificate_problems(
                cert, key, names, trusted, int(node["vars"].get("kafka_tls_renew_days", 30))
            )
        ]
    return errors


# --- All of it --------------------------------------------------------------------------------------
def errors(cluster: dict, hosts: dict[str, dict], groups: dict, require_kafka: bool = True) -> list[str]:
    """Every reason the cluster cannot be deployed; empty when it can. Without `require_kafka`, an
    ensemble without Kafka hosts is checked on its own (the zookeeper role run alone)."""
    found = inventory_problems(groups) + shape(cluster, groups, require_kafka)
    if not cluster["_nodes"] and not cluster["_members"]:
        return found
    kafka_entries = [(n["host"], n["vars"]) for n in cluster["_nodes"]]
    zookeeper_entries = [(m["host"], m["vars"]) for m in cluster["_members"]]
    for variable in UNIFORM_KAFKA:
        found += uniform(kafka_entries, variable)
    for variable in UNIFORM_ZOOKEEPER:
        found += uniform(zookeeper_entries, variable)
    found += uniform(kafka_entries + cluster["_staged"], "kafka_zookeeper_migration")
    for rule in (mode_and_version, node_ids, replication, listeners, overrides, sizing_values, zookeeper_mode,
                 migration, gate_sources, ports_on_shared_hosts, declared_topics, declared_access,
                 secure_profile):  # fmt: skip
        found += rule(cluster)
    found += (
        machines(hosts, cluster)
        + paths(cluster, hosts)
        + site_ca(cluster, hosts)
        + site_certificates(cluster)
    )
    return found
