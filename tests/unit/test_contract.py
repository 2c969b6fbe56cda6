"""The cluster contract on whole inventories: every plausible mistake a first inventory holds is
stopped with the host, the variable and the value named, before any host is touched.

Each case runs the cluster_model action's evaluation in-process (contract_harness.py): the roles'
defaults, the inventory, the argument specs, the model and the contract, exactly as
`playbooks/validate.yml` does. tests/test_bad_input.py runs one case of each kind through the real
playbooks, with --limit too.
"""

from __future__ import annotations

import pytest
from contract_harness import (
    combined,
    dedicated,
    evaluate,
    in_group,
    problems_of,
    with_group_var,
    with_host_var,
    without_host_var,
    zookeeper_mode,
)

LISTENER = {"name": "HOST", "port": 19092, "protocol": "SASL_SSL", "advertised_host": "127.0.0.1"}


def extra_listener(**changes) -> list[dict]:
    return [{**LISTENER, **changes}]


# (kind, inventory, what the message says). Each message names the host (or hosts), the variable
# and the value given.
CASES = {
    # --- Shape
    "even-controllers": (
        "shape",
        dedicated(controllers=2),
        "2 hosts in the group kafka_controller (controller-1, controller-2): a KRaft quorum needs an odd "
        "number",
    ),
    "no-controllers": (
        "shape",
        in_group(dedicated(controllers=0), "other", "x"),
        "no KRaft controllers: the group kafka_controller (kafka_controller_group) has no hosts",
    ),
    "misspelt-broker-group": (
        "shape",
        with_group_var(combined(), kafka_broker_group="kafka_brokers"),
        "no brokers: the group kafka_brokers (kafka_broker_group) has no hosts",
    ),
    "misspelt-both-groups": (
        "shape",
        with_group_var(combined(), kafka_broker_group="b", kafka_controller_group="c"),
        "no Kafka hosts: the groups b (kafka_broker_group) and c (kafka_controller_group) are empty or not "
        "in the "
        "inventory; its groups are kafka_broker, kafka_controller",
    ),
    # --- Identities
    "duplicate-node-ids": (
        "identity",
        with_host_var(combined(), "kafka-3", kafka_node_id=1),
        "kafka_node_id 1 is used by more than one host: kafka-1, kafka-3",
    ),
    "missing-node-id": (
        "identity",
        without_host_var(combined(), "kafka-2", "kafka_node_id"),
        "kafka-2: kafka_node_id is not set",
    ),
    "node-id-not-a-number": (
        "identity",
        with_host_var(combined(), "kafka-1", kafka_node_id="one"),
        "kafka-1: kafka_node_id 'one' must be a whole number",
    ),
    "node-id-beyond-int32": (
        "identity",
        with_host_var(combined(), "kafka-1", kafka_node_id=2**31),
        "kafka-1: kafka_node_id 2147483648 must be a whole number from 0 to 2147483647 (a Java int)",
    ),
    "negative-node-id": (
        "identity",
        with_host_var(combined(), "kafka-1", kafka_node_id=-1),
        "kafka-1: kafka_node_id -1 must be a whole number from 0 to 2147483647",
    ),
    "broker-without-rack": (
        "identity",
        without_host_var(combined(), "kafka-2", "kafka_broker_rack"),
        "kafka-2: kafka_broker_rack is not set; every broker needs a rack",
    ),
    "two-hosts-one-machine": (
        "identity",
        with_host_var(combined(), "kafka-2", ansible_port=2201),
        "kafka-1, kafka-2 are one machine (127.0.0.1:2201, from ansible_host and ansible_port)",
    ),
    # --- Durability
    "replication-above-brokers": (
        "durability",
        with_group_var(combined(), kafka_default_replication_factor=5),
        "kafka_default_replication_factor 5 is more than the 3 brokers in the cluster",
    ),
    "min-isr-equal-to-replication": (
        "durability",
        with_group_var(combined(), kafka_min_insync_replicas=3),
        "kafka_min_insync_replicas 3 must be below kafka_default_replication_factor 3",
    ),
    "min-isr-zero": (
        "durability",
        with_group_var(combined(), kafka_min_insync_replicas=0),
        "kafka_min_insync_replicas 0 must be at least 1",
    ),
    "replication-as-a-word": (
        "types",
        with_group_var(combined(), kafka_default_replication_factor="three"),
        "kafka-1, kafka-2, kafka-3: kafka_default_replication_factor 'three' must be a whole number",
    ),
    # --- Releases and modes
    "zookeeper-mode-on-kafka-4": (
        "release",
        with_group_var(combined(), kafka_mode="zookeeper", kafka_version="4.4.0"),
        "kafka_mode zookeeper with kafka_version 4.4.0: Kafka 4.0 removed ZooKeeper. Stay on 3.9.x",
    ),
    "kraft-too-old": (
        "release",
        with_group_var(combined(), kafka_version="3.8.1"),
        "kafka_version 3.8.1 is too old for kafka_mode kraft",
    ),
    "unknown-mode": (
        "release",
        with_group_var(combined(), kafka_mode="raft"),
        "kafka_mode 'raft' must be one of kraft, zookeeper",
    ),
    "malformed-version": (
        "release",
        with_group_var(combined(), kafka_version="latest"),
        "kafka_version 'latest' is not a release number like 4.4.0",
    ),
    "scala-2-12-on-kafka-4": (
        "release",
        with_group_var(combined(), kafka_scala_version="2.12"),
        "kafka_scala_version 2.12 does not exist for Kafka 4.4.0: 4.x ships only 2.13",
    ),
    "scala-unknown": (
        "release",
        with_group_var(combined(), kafka_scala_version="2.11"),
        "kafka_scala_version '2.11' must be one of 2.13, 2.12",
    ),
    # --- Endpoints
    "advertised-host-empty": (
        "endpoints",
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=extra_listener(advertised_host="")),
        "kafka-1: kafka_listeners/kafka_listeners_extra HOST advertised_host '' is empty",
    ),
    "advertised-unspecified": (
        "endpoints",
        with_host_var(combined(), "kafka-2", kafka_advertised_host="0.0.0.0"),
        "kafka-2: kafka_listeners/kafka_listeners_extra INTERNAL advertised_host '0.0.0.0' is an "
        "unspecified address",
    ),
    "advertised-host-with-port": (
        "endpoints",
        with_host_var(combined(), "kafka-3", kafka_advertised_host="kafka-3:9092"),
        "kafka-3: kafka_listeners/kafka_listeners_extra INTERNAL advertised_host 'kafka-3:9092' carries a "
        "port",
    ),
    "advertised-twice": (
        "endpoints",
        with_host_var(combined(), "kafka-2", kafka_advertised_host="kafka-1"),
        "kafka-1 (INTERNAL), kafka-2 (INTERNAL) all advertise kafka-1:9092",
    ),
    "listener-without-advertised-host": (
        "endpoints",
        with_host_var(
            combined(),
            "kafka-1",
            kafka_listeners_extra=[{"name": "HOST", "port": 19092, "protocol": "PLAINTEXT"}],
        ),
        "kafka-1: kafka_listeners/kafka_listeners_extra HOST advertised_host '' is empty",
    ),
    "unknown-protocol": (
        "endpoints",
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=extra_listener(protocol="TLS")),
        "kafka-1: kafka_listeners/kafka_listeners_extra HOST protocol 'TLS' is not one Kafka knows",
    ),
    "controller-listener-named-like-broker": (
        "endpoints",
        with_group_var(
            combined(),
            kafka_controller_listener={
                "name": "INTERNAL",
                "port": 9093,
                "protocol": "PLAINTEXT",
                "advertised_host": "{{ inventory_hostname }}",
            },
        ),
        "listener name INTERNAL is used 2 times; kafka_controller_listener needs a name of its own",
    ),
    "inter-broker-listener-missing": (
        "endpoints",
        with_group_var(combined(), kafka_inter_broker_listener_name="REPL"),
        "kafka_inter_broker_listener_name 'REPL' is not one of its broker listeners (INTERNAL)",
    ),
    "privileged-port": (
        "endpoints",
        with_group_var(combined(), kafka_broker_port=80),
        "kafka_listeners/kafka_listeners_extra INTERNAL port 80 is below 1024: Kafka runs as kafka",
    ),
    "port-not-a-number": (
        "types",
        with_group_var(combined(), kafka_broker_port="ninety"),
        "kafka_broker_port 'ninety' must be a whole number",
    ),
    "ports-clash": (
        "endpoints",
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=extra_listener(port=9093)),
        "kafka-1: port 9093 is used by more than one listener (HOST, CONTROLLER)",
    ),
    "listener-name-lower-case": (
        "endpoints",
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=extra_listener(name="host")),
        "kafka-1: kafka_listeners/kafka_listeners_extra name 'host' must be upper case",
    ),
    "listener-key-misspelt": (
        "types",
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=[{**LISTENER, "advertized_host": "x"}]),
        "kafka-1: kafka_listeners_extra[0].advertized_host is not a known key; did you mean advertised_host?",
    ),
    # --- The effective configuration
    "override-sets-node-id": (
        "config",
        with_group_var(combined(), kafka_server_properties={"node.id": 7}),
        "kafka_server_properties sets node.id, which the kit derives from kafka_node_id: set that instead",
    ),
    "override-sets-process-roles": (
        "config",
        with_group_var(combined(), kafka_server_properties={"process.roles": "broker"}),
        "kafka_server_properties sets process.roles, which the kit derives from the node's groups",
    ),
    "override-sets-log-dirs": (
        "config",
        with_group_var(combined(), kafka_server_properties={"log.dirs": "/tmp/k"}),
        "kafka_server_properties sets log.dirs, which the kit derives from kafka_data_dirs",
    ),
    "override-sets-min-isr": (
        "config",
        with_group_var(combined(), kafka_server_properties={"min.insync.replicas": 3}),
        "kafka_server_properties sets min.insync.replicas, which the kit derives from "
        "kafka_min_insync_replicas",
    ),
    "override-sets-replication": (
        "config",
        with_group_var(combined(), kafka_server_properties={"default.replication.factor": 5}),
        "sets default.replication.factor, which the kit derives from kafka_default_replication_factor",
    ),
    "override-nested-dict": (
        "config",
        with_group_var(combined(), kafka_server_properties={"log": {"retention": {"ms": 1000}}}),
        "kafka_server_properties log is a nested mapping, which renders as a junk line",
    ),
    "override-null": (
        "config",
        with_group_var(combined(), kafka_server_properties={"log.retention.ms": None}),
        "kafka_server_properties log.retention.ms has no value",
    ),
    "dynamic-min-isr": (
        "config",
        with_group_var(combined(), kafka_dynamic_properties={"min.insync.replicas": 3}),
        "kafka_dynamic_properties sets min.insync.replicas, which the kit keeps equal to "
        "kafka_min_insync_replicas",
    ),
    "dynamic-nested": (
        "config",
        with_group_var(combined(), kafka_dynamic_properties={"log": {"x": 1}}),
        "kafka_dynamic_properties log is a nested mapping",
    ),
    "overrides-as-a-list": (
        "types",
        with_group_var(combined(), kafka_server_properties=["a=b"]),
        "kafka_server_properties ['a=b'] must be a mapping",
    ),
    # --- Topics
    "topic-min-isr-equal-to-rf": (
        "topics",
        with_group_var(
            combined(),
            kafka_topics_list=[
                {"name": "orders", "replication_factor": 3, "config": {"min.insync.replicas": 3}}
            ],
        ),
        "topic 'orders': its min.insync.replicas 3 equals its 3 replicas: one broker down would stop every "
        "acks=all",
    ),
    "topic-rf-at-cluster-min-isr": (
        "topics",
        with_group_var(combined(), kafka_topics_list=[{"name": "orders", "replication_factor": 2}]),
        "topic 'orders': the cluster's min.insync.replicas (kafka_min_insync_replicas) 2 equals its 2 "
        "replicas",
    ),
    "topic-rf-below-cluster-min-isr": (
        "topics",
        with_group_var(combined(), kafka_topics_list=[{"name": "orders", "replication_factor": 1}]),
        "the cluster's min.insync.replicas (kafka_min_insync_replicas) 2 is more than its 1 replicas: every "
        "acks=all",
    ),
    "topic-cleanup-policy": (
        "topics",
        with_group_var(
            combined(), kafka_topics_list=[{"name": "orders", "config": {"cleanup.policy": "compacted"}}]
        ),
        "topic 'orders': cleanup.policy 'compacted' must be one or more of compact, delete",
    ),
    "topic-retention-with-unit": (
        "topics",
        with_group_var(combined(), kafka_topics_list=[{"name": "orders", "config": {"retention.ms": "7d"}}]),
        "topic 'orders': retention.ms '7d' must be a whole number of milliseconds",
    ),
    "topic-unknown-config": (
        "topics",
        with_group_var(combined(), kafka_topics_list=[{"name": "orders", "config": {"retention.mss": 1}}]),
        "unknown topic config 'retention.mss'",
    ),
    "topic-rf-above-brokers": (
        "topics",
        with_group_var(combined(), kafka_topics_list=[{"name": "orders", "replication_factor": 4}]),
        "replication_factor 4 is more than the 3 brokers",
    ),
    "topic-bool-config": (
        "topics",
        with_group_var(combined(), kafka_topics_list=[{"name": "orders", "config": {"preallocate": "yes"}}]),
        "preallocate 'yes' must be true or false",
    ),
    # --- Disks and paths
    "data-dir-off-the-data-disk": (
        "paths",
        with_group_var(combined(), host_prep_data_device="/dev/xvdb", kafka_data_dirs=["/var/kafka"]),
        "kafka_data_dirs[0] '/var/kafka' is not on the data disk: "
        "host_prep_data_device /dev/xvdb is mounted on /data",
    ),
    "data-dir-root": (
        "paths",
        with_group_var(combined(), kafka_data_dirs=["/"]),
        "kafka_data_dirs[0] '/' is a system directory",
    ),
    "data-dir-system": (
        "paths",
        with_group_var(combined(), kafka_data_dirs=["/var/lib"]),
        "kafka_data_dirs[0] '/var/lib' is a system directory",
    ),
    "data-dir-relative": (
        "paths",
        with_group_var(combined(), kafka_data_dirs=["data/kafka"]),
        "kafka_data_dirs[0] 'data/kafka' is relative",
    ),
    "data-dirs-as-a-string": (
        "types",
        with_group_var(combined(), kafka_data_dirs="/data/kafka"),
        "kafka_data_dirs '/data/kafka' must be a list",
    ),
    "app-log-dir-var-log": (
        "paths",
        with_group_var(combined(), kafka_app_log_dir="/var/log"),
        "kafka_app_log_dir '/var/log' is a system directory",
    ),
    "data-device-relative": (
        "paths",
        with_group_var(combined(), host_prep_data_device="xvdb"),
        "host_prep_data_device 'xvdb' must be a block device path under /dev/",
    ),
    "filesystem-outside-the-spec": (
        "types",
        with_group_var(combined(), host_prep_data_fstype="btrfs"),
        "host_prep_data_fstype 'btrfs' must be one of xfs, ext4",
    ),
    # --- Types and units
    "heap-gigabytes-word": (
        "units",
        with_group_var(combined(), kafka_heap_size="6GB"),
        "kafka_heap_size '6GB' must be auto or a size with a unit m or g",
    ),
    "heap-too-small": (
        "units",
        with_group_var(combined(), kafka_heap_size="1m"),
        "kafka_heap_size '1m' is 1 MiB: Kafka needs at least 256m",
    ),
    "heap-without-unit": (
        "units",
        with_group_var(combined(), kafka_heap_size=4096),
        "kafka_heap_size '4096' must be auto or a size with a unit",
    ),
    "threads-word": (
        "units",
        with_group_var(combined(), kafka_num_io_threads="many"),
        "kafka_num_io_threads 'many' must be auto or a whole number of at least 1",
    ),
    # --- Gates
    "metric-gates-without-exporters": (
        "units",
        with_host_var(
            with_group_var(combined(), kafka_gate_source="metrics"), "kafka-2", kafka_metrics_enabled=False
        ),
        "kafka-1, kafka-2, kafka-3: kafka_gate_source is metrics, but 1 of the 3 Kafka nodes export no "
        "metrics (kafka_metrics_enabled): set it to auto or tools",
    ),
    "metric-roll-gates-without-exporters": (
        "units",
        with_host_var(
            with_group_var(combined(), kafka_metrics_enabled=False),
            "kafka-3",
            kafka_ops_gate_source="metrics",
        ),
        "kafka-3: kafka_ops_gate_source is metrics, but 3 of the 3 Kafka nodes export no metrics",
    ),
    # --- Sameness
    "cluster-id-on-one-host": (
        "sameness",
        with_host_var(combined(), "kafka-2", kafka_cluster_id="x1yZ2"),
        "kafka_cluster_id must be the same on every host of the cluster, but it is '' on kafka-1, kafka-3; "
        "'x1yZ2' on kafka-2",
    ),
    "version-on-one-host": (
        "sameness",
        with_host_var(combined(), "kafka-3", kafka_version="4.3.1"),
        "kafka_version must be the same on every host of the cluster",
    ),
    # --- Misspelt variables
    "misspelt-variable": (
        "names",
        with_group_var(combined(), kafka_min_insync_replica=2),
        "kafka_min_insync_replica is not a variable of any role of the kit; did you mean "
        "kafka_min_insync_replicas?",
    ),
    "misspelt-host-prep-variable": (
        "names",
        with_host_var(combined(), "kafka-1", host_prep_data_devise="/dev/xvdb"),
        "kafka-1: host_prep_data_devise is not a variable of any role of the kit; did you mean "
        "host_prep_data_device?",
    ),
    # --- ZooKeeper mode
    "even-ensemble": (
        "zookeeper",
        zookeeper_mode(members=4),
        "4 hosts in the group zookeeper (zookeeper-1, zookeeper-2, zookeeper-3, zookeeper-4): a ZooKeeper "
        "ensemble "
        "needs an odd number",
    ),
    "no-ensemble": (
        "zookeeper",
        zookeeper_mode(members=0),
        "kafka_mode zookeeper needs an ensemble: put 1, 3 or 5 hosts in the group zookeeper "
        "(kafka_zookeeper_group)",
    ),
    "duplicate-myid": (
        "zookeeper",
        with_host_var(zookeeper_mode(), "zookeeper-3", zookeeper_myid=1),
        "zookeeper_myid 1 is used by more than one host: zookeeper-1, zookeeper-3",
    ),
    "myid-out-of-range": (
        "zookeeper",
        with_host_var(zookeeper_mode(), "zookeeper-2", zookeeper_myid=256),
        "zookeeper-2: zookeeper_myid 256 must be a whole number from 1 to 255",
    ),
    "zookeeper-member-and-controller": (
        "zookeeper",
        in_group(zookeeper_mode(), "kafka_controller", "zookeeper-2", kafka_node_id=1002),
        "zookeeper-2 is in the group kafka_controller (kafka_controller_group) and the ensemble zookeeper, "
        "but kafka_mode is zookeeper",
    ),
    "kraft-with-an-ensemble": (
        "zookeeper",
        in_group(with_group_var(zookeeper_mode(), kafka_mode="kraft"), "kafka_controller", "broker-1"),
        "kafka_mode is kraft, but the group zookeeper (kafka_zookeeper_group) has "
        "hosts (zookeeper-1, zookeeper-2, zookeeper-3)",
    ),
    "broker-id-above-reserved": (
        "zookeeper",
        with_host_var(zookeeper_mode(), "broker-3", kafka_node_id=1003),
        "broker-3: kafka_node_id 1003 is above 1000: in ZooKeeper mode it is the broker.id",
    ),
    "chroot-not-absolute": (
        "zookeeper",
        with_group_var(zookeeper_mode(), kafka_zookeeper_chroot="kafka"),
        "kafka_zookeeper_chroot 'kafka' must be an absolute ZooKeeper path like /kafka",
    ),
    "protocol-newer-than-release": (
        "zookeeper",
        with_group_var(zookeeper_mode(), kafka_inter_broker_protocol_version="4.0"),
        "kafka_inter_broker_protocol_version 4.0 is newer than kafka_version 3.9.2",
    ),
    "zookeeper-ports-clash": (
        "zookeeper",
        with_host_var(zookeeper_mode(), "zookeeper-1", zookeeper_peer_port=2181),
        "zookeeper-1: port 2181 is used twice (zookeeper_client_port, zookeeper_peer_port)",
    ),
    "zookeeper-port-clashes-with-kafka": (
        "zookeeper",
        with_host_var(
            in_group(zookeeper_mode(members=3), "zookeeper", "broker-1", zookeeper_myid=9),
            "broker-1",
            zookeeper_client_port=9092,
        ),
        "broker-1: port 9092 is used twice (Kafka listener INTERNAL, zookeeper_client_port)",
    ),
    "ensemble-group-differs": (
        "zookeeper",
        with_group_var(zookeeper_mode(), zookeeper_ensemble_group="zk"),
        "zookeeper_ensemble_group 'zk' is not kafka_zookeeper_group 'zookeeper'",
    ),
    "zookeeper-heap-word": (
        "zookeeper",
        with_group_var(zookeeper_mode(), zookeeper_heap_size="lots"),
        "zookeeper_heap_size 'lots' must be auto or a size with a unit",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_mistake_is_stopped_with_host_variable_and_value(case):
    _, inventory, expected = CASES[case]
    problems = problems_of(inventory)
    assert any(expected in problem for problem in problems), "\n".join(problems)


def test_the_cases_cover_every_kind_of_mistake_the_issue_names():
    kinds = {kind for kind, _, _ in CASES.values()}
    assert kinds >= {
        "shape",
        "identity",
        "durability",
        "release",
        "endpoints",
        "config",
        "topics",
        "paths",
        "types",
        "units",
        "sameness",
        "names",
        "zookeeper",
    }
    assert len(CASES) >= 80


def test_every_problem_is_reported_at_once():
    inventory = with_group_var(
        with_host_var(combined(), "kafka-2", kafka_node_id=1), kafka_heap_size="6GB", kafka_data_dirs=["/"]
    )
    problems = problems_of(inventory)
    assert any("kafka_node_id 1 is used by more than one host" in p for p in problems)
    assert any("kafka_heap_size '6GB'" in p for p in problems)
    assert any("kafka_data_dirs[0] '/'" in p for p in problems)


@pytest.mark.parametrize(
    "inventory",
    [
        combined(),
        combined(1),
        combined(5),
        dedicated(),
        dedicated(controllers=1, brokers=4),
        zookeeper_mode(),
        zookeeper_mode(members=1, brokers=1),
        with_host_var(combined(), "kafka-2", kafka_node_id="2"),  # a whole number written as a string
        with_group_var(combined(), kafka_heap_size="1g", kafka_num_io_threads=16, kafka_version="3.9.2"),
        with_group_var(
            combined(), host_prep_data_device="/dev/xvdb", kafka_data_dirs=["/data/kafka", "/data/k2"]
        ),
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=extra_listener()),
        with_group_var(
            combined(),
            kafka_topics_list=[
                {
                    "name": "orders",
                    "partitions": 6,
                    "config": {"cleanup.policy": ["compact", "delete"], "retention.ms": 604800000},
                }
            ],
        ),
    ],
    ids=[
        "combined-3",
        "single",
        "combined-5",
        "dedicated",
        "dedicated-1-4",
        "zookeeper",
        "zookeeper-1-1",
        "node-id-string",
        "kraft-3.9",
        "data-device",
        "host-listener",
        "topics",
    ],
)
def test_a_good_inventory_has_no_problem(inventory):
    cluster, problems = evaluate(inventory)
    assert problems == []
    assert cluster["brokers"]


def test_combined_nodes_make_the_first_three_brokers_the_controllers():
    cluster, _ = evaluate(combined(5))
    assert cluster["controllers"] == ["kafka-1", "kafka-2", "kafka-3"]
    assert cluster["brokers"] == [f"kafka-{i}" for i in range(1, 6)]


def test_dedicated_controllers_give_the_brokers_bootstrap_and_the_controllers_quorum():
    cluster, _ = evaluate(dedicated(controllers=3, brokers=4))
    assert cluster["bootstrap_servers"] == "kafka-1:9092,kafka-2:9092,kafka-3:9092,kafka-4:9092"
    assert cluster["controller_bootstrap"] == "controller-1:9093,controller-2:9093,controller-3:9093"
    controller = cluster["nodes"]["controller-1"]["server_properties"]
    assert controller["process.roles"] == ["controller"]
    assert "inter.broker.listener.name" not in controller
    broker = cluster["nodes"]["kafka-4"]["server_properties"]
    # The secure profile: brokers over SASL_SSL (SCRAM), the controller listener over SSL (mTLS).
    assert broker["listener.security.protocol.map"] == "INTERNAL:SASL_SSL,CONTROLLER:SSL"
    assert broker["listeners"] == "INTERNAL://:9092"


def test_the_gates_read_every_brokers_and_every_controllers_exporter():
    exporters = evaluate(dedicated(controllers=3, brokers=4))[0]["gate_exporters"]
    assert exporters["brokers"] == [f"kafka-{i}:7071" for i in range(1, 5)]
    assert exporters["controllers"] == [f"controller-{i}:7071" for i in range(1, 4)]
    assert sorted(exporters["all"]) == sorted(exporters["controllers"] + exporters["brokers"])
    assert exporters["every_node"] is True
    assert (
        evaluate(with_host_var(combined(), "kafka-2", kafka_metrics_enabled=False))[0]["gate_exporters"][
            "every_node"
        ]
        is False
    )


def test_a_node_id_written_as_a_string_is_the_number():
    cluster, _ = evaluate(with_host_var(combined(), "kafka-2", kafka_node_id="2"))
    assert cluster["nodes"]["kafka-2"]["server_properties"]["node.id"] == 2


def test_ports_follow_the_port_variables():
    cluster, _ = evaluate(with_group_var(combined(), kafka_broker_port=9192, kafka_controller_port=9193))
    assert cluster["bootstrap_servers"].startswith("kafka-1:9192,")
    assert cluster["controller_bootstrap"] == "kafka-1:9193,kafka-2:9193,kafka-3:9193"


def test_extra_vars_win_over_the_inventory():
    cluster, _ = evaluate(combined(), extra_vars={"kafka_server_properties": {"log.cleaner.threads": 2}})
    assert cluster["nodes"]["kafka-1"]["server_properties"]["log.cleaner.threads"] == 2


def test_zookeeper_mode_connects_the_brokers_to_the_ensemble_under_the_chroot():
    cluster, _ = evaluate(zookeeper_mode())
    props = cluster["nodes"]["broker-1"]["server_properties"]
    assert props["zookeeper.connect"] == "zookeeper-1:2181,zookeeper-2:2181,zookeeper-3:2181/kafka"
    assert props["broker.id"] == 1 and "node.id" not in props and "process.roles" not in props
    assert props["inter.broker.protocol.version"] == "3.9"
    assert cluster["zookeeper"]["config"]["server.2"] == "zookeeper-2:2888:3888"


def test_a_kraft_cluster_on_4_1_keeps_min_isr_at_cluster_level():
    assert evaluate(combined())[0]["dynamic_properties"] == {"min.insync.replicas": 2}
    assert evaluate(with_group_var(combined(), kafka_version="3.9.2"))[0]["dynamic_properties"] == {}


def test_a_problem_shared_by_many_hosts_is_one_line():
    problems = problems_of(with_group_var(combined(50), kafka_heap_size="6GB"))
    assert problems == [
        "kafka-1, kafka-2 and 48 more hosts: kafka_heap_size '6GB' must be auto or a size with a unit m or "
        "g, like 1024m or 4g (the JVM reads -Xmx4096 as bytes)"
    ]


def test_an_ensemble_on_its_own_passes_when_kafka_is_not_required():
    inventory = zookeeper_mode(members=3, brokers=0)
    assert problems_of(inventory, require_kafka=False) == []
    assert any("no Kafka hosts" in p for p in problems_of(inventory))
