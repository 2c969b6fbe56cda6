"""The kit's numbers, defined once: releases, modes, id ranges, quorum sizes, ports, tool classes.

Pure Python with no Ansible import, so that everything uses the same values: the collection's
plugins (the cluster model, filters, modules), the Pulumi program (infra/), the lab (lab/lab.py),
the scripts and the tests. The roles' defaults repeat a few of these values where YAML needs a
literal (ports, versions); tests/unit/test_constants.py pins each of those copies to this file.
"""

from __future__ import annotations

import re

# --- Releases -------------------------------------------------------------------------------------
MODES = ("kraft", "zookeeper")
# What kafka_version defaults to in each mode: the newest release, and the newest 3.9.x (the last
# line with ZooKeeper).
DEFAULT_KAFKA_VERSION = {"kraft": "4.4.0", "zookeeper": "3.9.2"}
# KRaft as this kit deploys it needs the dynamic quorum (KIP-853, controller.quorum.bootstrap.servers
# and kafka-storage format --initial-controllers), which came with 3.9.
KRAFT_MIN_VERSION = (3, 9, 0)
# Kafka 4.0 removed ZooKeeper mode.
ZOOKEEPER_MODE_BEFORE_VERSION = (4, 0, 0)
# Scala builds: Kafka 4.x ships only 2.13; 3.x also had 2.12.
SCALA_VERSIONS = ("2.13", "2.12")
SCALA_2_12_BEFORE_VERSION = (4, 0, 0)
DEFAULT_SCALA_VERSION = "2.13"
# ZooKeeper release Kafka 3.9 was built and tested against (its POM's zookeeper dependency).
DEFAULT_ZOOKEEPER_VERSION = "3.8.4"
# From 4.1, min.insync.replicas also lives at cluster level (KIP-966, eligible leader replicas).
CLUSTER_LEVEL_MIN_ISR_VERSION = (4, 1, 0)
# From 4.0 the servers and tools log through log4j2 (log4j2.xml); before, reload4j (log4j.properties).
LOG4J2_VERSION = (4, 0, 0)

RELEASE_PATTERN = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def parse_version(text) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a release number like 4.4.0; None for anything else."""
    match = RELEASE_PATTERN.match(str(text).strip())
    return tuple(int(part) for part in match.groups()) if match else None  # type: ignore[return-value]


def default_kafka_version(mode: str) -> str:
    return DEFAULT_KAFKA_VERSION.get(mode, DEFAULT_KAFKA_VERSION["kraft"])


# --- Identities -----------------------------------------------------------------------------------
# node.id / broker.id are Java ints.
NODE_ID_MIN, NODE_ID_MAX = 0, 2**31 - 1
# ZooKeeper mode: a configured broker.id above reserved.broker.max.id (1000 unless changed) is
# refused by the broker at start-up; the ids above it are kept for generated ones.
ZOOKEEPER_BROKER_ID_MAX = 1000
# Dedicated controllers are numbered from here (1001, 1002, ...) by the lab and by Pulumi, apart
# from broker ids, as a ZooKeeper-to-KRaft migration needs.
CONTROLLER_NODE_ID_BASE = 1000
# ZooKeeper's myid: 1-255.
MYID_MIN, MYID_MAX = 1, 255


def quorum_size_ok(count: int) -> bool:
    """A controller quorum or a ZooKeeper ensemble: an odd number of members, at least one. An even
    number survives no more failures than the odd number below it, and needs a bigger majority."""
    return count >= 1 and count % 2 == 1


def combined_controller_count(broker_count: int) -> int:
    """Combined nodes (no dedicated controllers): the first three brokers by node id are also the
    controllers, or the first one in a cluster of fewer than three, so the quorum stays odd however
    many brokers are added later."""
    return 3 if broker_count >= 3 else 1


# --- Ports ----------------------------------------------------------------------------------------
DEFAULT_PORTS = {
    "broker": 9092,
    "controller": 9093,
    "zookeeper_client": 2181,
    "zookeeper_peer": 2888,
    "zookeeper_election": 3888,
    "jmx_exporter": 7071,
    "node_exporter": 9100,
    "prometheus": 9090,
    "alertmanager": 9093,
}
# Ports a service started by systemd as an unprivileged user can bind.
UNPRIVILEGED_PORT_MIN = 1024
PORT_MAX = 65535

# --- Listeners ------------------------------------------------------------------------------------
LISTENER_NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")

# --- Kafka's command-line tools -------------------------------------------------------------------
# The class of each admin tool, by the first release that has it there: some moved from the Scala
# core (kafka.admin) into the tools module. Every tool is run as `kafka-run-class <class> ...`, so
# Apache tarballs and distributions assembled from Maven behave the same.
TOOL_CLASSES = {
    "BrokerApiVersionsCommand": [
        ((4, 0, 0), "org.apache.kafka.tools.BrokerApiVersionsCommand"),
        ((0, 0, 0), "kafka.admin.BrokerApiVersionsCommand"),
    ],
    "ClusterTool": [((0, 0, 0), "org.apache.kafka.tools.ClusterTool")],
    "ConfigCommand": [
        ((4, 4, 0), "org.apache.kafka.tools.ConfigCommand"),
        ((0, 0, 0), "kafka.admin.ConfigCommand"),
    ],
    "FeatureCommand": [((0, 0, 0), "org.apache.kafka.tools.FeatureCommand")],
    "LeaderElectionCommand": [((0, 0, 0), "org.apache.kafka.tools.LeaderElectionCommand")],
    "MetadataQuorumCommand": [((0, 0, 0), "org.apache.kafka.tools.MetadataQuorumCommand")],
    "ReassignPartitionsCommand": [((0, 0, 0), "org.apache.kafka.tools.reassign.ReassignPartitionsCommand")],
    "StorageTool": [((0, 0, 0), "kafka.tools.StorageTool")],
    "TopicCommand": [((0, 0, 0), "org.apache.kafka.tools.TopicCommand")],
    "AclCommand": [((4, 0, 0), "org.apache.kafka.tools.AclCommand"), ((0, 0, 0), "kafka.admin.AclCommand")],
    "ZooKeeperMain": [((0, 0, 0), "org.apache.zookeeper.ZooKeeperMain")],
}


def tool_class(tool: str, version) -> str:
    """The Java class of Kafka's `tool` in release `version` (a string like 4.4.0, or a tuple)."""
    release = version if isinstance(version, tuple) else parse_version(version)
    if release is None:
        raise ValueError(f"not a Kafka release number: {version!r}")
    for since, name in TOOL_CLASSES[tool]:
        if release >= since:
            return name
    raise ValueError(f"{tool} does not exist in Kafka {version}")  # pragma: no cover: (0,0,0) rows


def tool_classes(version) -> dict[str, str]:
    """Every tool's class in release `version`."""
    return {tool: tool_class(tool, version) for tool in TOOL_CLASSES}


# --- Appended for infra/ (the Pulumi program); see issue 15 -------------------------------------
# The inventory groups the roles read, by the kind of host in them.
DEFAULT_GROUPS = {
    "broker": "kafka_broker",
    "controller": "kafka_controller",
    "zookeeper": "zookeeper",
    "monitoring": "monitoring",
}
# The scalar inventory variable that carries each port of DEFAULT_PORTS (set only when it differs
# from the default there).
PORT_VARIABLES = {
    "broker": "kafka_broker_port",
    "controller": "kafka_controller_port",
    "zookeeper_client": "zookeeper_client_port",
    "zookeeper_peer": "zookeeper_peer_port",
    "zookeeper_election": "zookeeper_election_port",
    "jmx_exporter": "kafka_metrics_jmx_exporter_port",
    "node_exporter": "kafka_metrics_node_exporter_port",
}
# How long the roles wait, at most, in one command on a host (their defaults repeat these, pinned
# by tests/infra/test_infra_contract.py): a gate before a stop (kafka_ops_gate_timeout_seconds), a
# controlled shutdown (kafka_stop_timeout_seconds), a gate after a start (kafka_health_timeout_seconds,
# kafka_ops_health_timeout_seconds).
KAFKA_RESTART_GATE_TIMEOUT_SECONDS = 60
KAFKA_STOP_TIMEOUT_SECONDS = 300
KAFKA_HEALTH_TIMEOUT_SECONDS = 300

# Groups an inventory plugin puts hosts in when it cannot describe them (inventories/aws/aws_ec2.yml):
# the contract refuses any host in one, with the reason.
INVENTORY_PROBLEM_GROUPS = {
    "kafka_kit_unattached_data_volume": (
        "its data volume is not attached (Kafka data would land on the root disk)"
    ),
    "kafka_kit_duplicate_node": (
        "two instances claim the same node (as during a replacement); one must go first"
    ),
}
