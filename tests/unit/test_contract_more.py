"""More of the cluster contract and the model on whole inventories, with the harness of
test_contract.py: the cases the old per-role validation tests held (test_kafka_validation*.py,
test_zookeeper_filters.py, the listener and bootstrap filters) that test_contract.py does not."""

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

CHROOT_RULE = (
    "must be an absolute ZooKeeper path like /kafka or /kafka/orders: names of letters, digits, _ . -, no "
    "trailing /, no . or .., and not below /zookeeper (ZooKeeper's own)"
)
COMBINED_IN_ZOOKEEPER_MODE = (
    "is in the group kafka_controller (kafka_controller_group), but kafka_mode is zookeeper: there are no "
    "KRaft controllers in ZooKeeper mode (the brokers elect their controller through ZooKeeper). Remove it "
    "from kafka_controller"
)
NO_CONTROLLERS_IN_ZOOKEEPER_MODE = (
    "is in the group kafka_controller (kafka_controller_group) and the ensemble zookeeper, but kafka_mode is "
    "zookeeper: a controller staged for the migration to KRaft needs a host of its own. Remove it from "
    "kafka_controller"
)


def ensemble_of_brokers() -> dict:
    """Three brokers that are the ensemble too (no ZooKeeper host of their own)."""
    inventory = zookeeper_mode(members=0)
    for i in (1, 2, 3):
        inventory = in_group(inventory, "zookeeper", f"broker-{i}", zookeeper_myid=i)
    return inventory


def reversed_myids() -> dict:
    return with_host_var(
        with_host_var(zookeeper_mode(), "zookeeper-1", zookeeper_myid=3), "zookeeper-3", zookeeper_myid=1
    )


SAME = "must be the same on every host of the cluster, but it is"
EVEN_ENSEMBLE = (
    "2 hosts in the group zookeeper (zookeeper-1, zookeeper-2): a ZooKeeper ensemble needs an odd number "
    "(1, 3 or 5). 2 members survive no more failures than 1, and need a bigger majority to serve"
)
RF_ON_ONE_HOST = with_host_var(combined(), "kafka-3", kafka_default_replication_factor=2)
LISTENER_NAMED_TWICE = with_host_var(
    combined(),
    "kafka-1",
    kafka_listeners_extra=[
        {"name": "INTERNAL", "port": 19092, "protocol": "SASL_SSL", "advertised_host": "127.0.0.1"}
    ],
)
COMBINED_IN_ENSEMBLE = in_group(
    in_group(zookeeper_mode(members=2), "zookeeper", "broker-1", zookeeper_myid=9),
    "kafka_controller",
    "broker-1",
)
CHROOT_ON_ONE_HOST = with_host_var(zookeeper_mode(), "broker-3", kafka_zookeeper_chroot="/other")
PROTOCOL_WORD = with_group_var(zookeeper_mode(), kafka_inter_broker_protocol_version="latest")
ALL_AT_ONCE = in_group(
    with_host_var(zookeeper_mode(members=2), "zookeeper-2", zookeeper_myid=1),
    "kafka_controller",
    "zookeeper-1",
    kafka_node_id=1001,
)
# (inventory, the whole list of problems it has)
CASES = {
    "replication-differs-between-hosts": (RF_ON_ONE_HOST, [
        f"kafka_default_replication_factor {SAME} 2 on kafka-3; 3 on kafka-1, kafka-2",
        # its default follows the replication factor
        f"kafka_min_insync_replicas {SAME} 1 on kafka-3; 2 on kafka-1, kafka-2"]),
    "two-broker-listeners-one-name": (LISTENER_NAMED_TWICE,
        ["kafka-1: listener name INTERNAL is used 2 times"]),
    "ensemble-of-two": (zookeeper_mode(members=2), [EVEN_ENSEMBLE]),
    "missing-myid": (without_host_var(zookeeper_mode(), "zookeeper-2", "zookeeper_myid"),
        ["zookeeper-2: zookeeper_myid is not set; every ZooKeeper member needs a unique one"]),
    "myid-zero": (with_host_var(zookeeper_mode(), "zookeeper-2", zookeeper_myid=0),
        ["zookeeper-2: zookeeper_myid 0 must be a whole number from 1 to 255"]),
    "myid-boolean": (with_host_var(zookeeper_mode(), "zookeeper-2", zookeeper_myid=True),
        ["zookeeper-2: zookeeper_myid True must be a whole number, not a boolean"]),
    "myid-fraction": (with_host_var(zookeeper_mode(), "zookeeper-2", zookeeper_myid=1.5),
        ["zookeeper-2: zookeeper_myid 1.5 must be a whole number"]),
    "combined-node-in-the-ensemble": (COMBINED_IN_ENSEMBLE,
        [f"broker-1 {COMBINED_IN_ZOOKEEPER_MODE}; keep it in zookeeper only"]),
    "chroot-differs-between-brokers": (CHROOT_ON_ONE_HOST,
        [f"kafka_zookeeper_chroot {SAME} '/kafka' on broker-1, broker-2; '/other' on broker-3"]),
    "protocol-not-a-version": (PROTOCOL_WORD, [
        "broker-1, broker-2, broker-3: kafka_inter_broker_protocol_version 'latest' is not a protocol "
        "version like 3.9"]),
    "zookeeper-mode-every-problem-at-once": (ALL_AT_ONCE, [
        EVEN_ENSEMBLE,
        "zookeeper_myid 1 is used by more than one host: zookeeper-1, zookeeper-2",
        f"zookeeper-1 {NO_CONTROLLERS_IN_ZOOKEEPER_MODE}; keep it in zookeeper only"]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_whole_list_of_problems(case):
    inventory, expected = CASES[case]
    assert problems_of(inventory) == expected


@pytest.mark.parametrize(
    "chroot", ["", "/", "/kafka/", "/ka fka", "/kafka//orders", "/kafka/..", "/.", "/zookeeper/kafka"]
)
def test_a_chroot_that_is_not_a_plain_absolute_path_is_refused(chroot):
    assert problems_of(with_group_var(zookeeper_mode(), kafka_zookeeper_chroot=chroot)) == [
        f"broker-1, broker-2, broker-3: kafka_zookeeper_chroot {chroot!r} {CHROOT_RULE}"
    ]


@pytest.mark.parametrize(
    "inventory",
    [
        zookeeper_mode(members=5),
        ensemble_of_brokers(),
        with_group_var(zookeeper_mode(), kafka_zookeeper_chroot="/kafka/orders"),
        with_group_var(zookeeper_mode(), kafka_inter_broker_protocol_version="3.8"),
        with_group_var(zookeeper_mode(), kafka_inter_broker_protocol_version="3.9-IV0"),
        with_group_var(zookeeper_mode(), kafka_inter_broker_protocol_version="3.8.1"),
        with_host_var(
            zookeeper_mode(), "zookeeper-2", zookeeper_myid="2"
        ),  # a whole number written as a string
    ],
    ids=[
        "ensemble-of-5",
        "brokers-are-the-ensemble",
        "nested-chroot",
        "protocol-3.8",
        "protocol-3.9-IV0",
        "protocol-3.8.1",
        "myid-string",
    ],
)
def test_a_good_zookeeper_mode_inventory_has_no_problem(inventory):
    cluster, problems = evaluate(inventory)
    assert problems == []
    assert cluster["zookeeper"]["servers"]


def test_brokers_that_are_the_ensemble_connect_to_themselves():
    cluster, _ = evaluate(ensemble_of_brokers())
    assert cluster["zookeeper"]["connect"] == "broker-1:2181,broker-2:2181,broker-3:2181/kafka"
    assert cluster["zookeeper_hosts"] == cluster["brokers"] == ["broker-1", "broker-2", "broker-3"]


def test_a_nested_chroot_keeps_the_cluster_id_under_it():
    cluster, _ = evaluate(with_group_var(zookeeper_mode(), kafka_zookeeper_chroot="/kafka/orders"))
    assert cluster["zookeeper"]["connect"].endswith("zookeeper-3:2181/kafka/orders")
    assert cluster["zookeeper"]["cluster_id_path"] == "/kafka/orders/cluster/id"


def test_the_ensemble_is_in_myid_order_not_inventory_order():
    cluster, _ = evaluate(reversed_myids())
    assert cluster["zookeeper_hosts"] == ["zookeeper-3", "zookeeper-2", "zookeeper-1"]
    assert cluster["zookeeper"]["servers"] == ["zookeeper-3:2181", "zookeeper-2:2181", "zookeeper-1:2181"]
    config = cluster["zookeeper"]["config"]
    assert [config[f"server.{i}"] for i in (1, 2, 3)] == [
        "zookeeper-3:2888:3888",
        "zookeeper-2:2888:3888",
        "zookeeper-1:2888:3888",
    ]


def test_each_member_is_reached_on_its_own_ports():
    inventory = with_host_var(
        zookeeper_mode(), "zookeeper-2", zookeeper_client_port=12181, zookeeper_peer_port=12888,
        zookeeper_election_port=13888,
    )  # fmt: skip
    cluster, problems = evaluate(inventory)
    assert problems == []
    assert cluster["zookeeper"]["connect"] == "zookeeper-1:2181,zookeeper-2:12181,zookeeper-3:2181/kafka"
    assert cluster["zookeeper"]["config"]["server.2"] == "zookeeper-2:12888:13888"
    assert cluster["zookeeper"]["config"]["server.1"] == "zookeeper-1:2888:3888"


def test_controllers_are_in_node_id_order_each_on_its_own_listener():
    inventory = with_host_var(with_host_var(dedicated(), "controller-1", kafka_node_id=1003), "controller-3",
                              kafka_node_id=1001)  # fmt: skip
    cluster, _ = evaluate(inventory)
    assert cluster["controllers"] == ["controller-3", "controller-2", "controller-1"]
    assert cluster["controller_bootstrap"] == "controller-3:9093,controller-2:9093,controller-1:9093"
    own = {"name": "CONTROLLER", "port": 9293, "protocol": "SSL", "advertised_host": "c2.internal"}
    cluster, _ = evaluate(with_host_var(dedicated(), "controller-2", kafka_controller_listener=own))
    assert cluster["controller_bootstrap"] == "controller-1:9093,c2.internal:9293,controller-3:9093"


def test_listeners_bind_every_interface_and_advertise_their_host_with_their_protocol():
    extra = [{"name": "HOST", "port": 19092, "protocol": "SSL", "advertised_host": "127.0.0.1"}]
    cluster, problems = evaluate(with_host_var(combined(), "kafka-1", kafka_listeners_extra=extra))
    assert problems == []
    props = cluster["nodes"]["kafka-1"]["server_properties"]
    assert props["listeners"] == "INTERNAL://:9092,HOST://:19092,CONTROLLER://:9093"
    assert (
        props["advertised.listeners"]
        == "INTERNAL://kafka-1:9092,HOST://127.0.0.1:19092,CONTROLLER://kafka-1:9093"
    )
    assert props["listener.security.protocol.map"] == "INTERNAL:SASL_SSL,HOST:SSL,CONTROLLER:SSL"
    # The admin tools bootstrap from the inter-broker listener only.
    assert cluster["bootstrap_servers"] == "kafka-1:9092,kafka-2:9092,kafka-3:9092"


def test_the_bootstrap_list_takes_each_brokers_advertised_host():
    cluster, _ = evaluate(
        with_host_var(combined(), "kafka-2", kafka_advertised_host="ip-10-0-0-2.ec2.internal")
    )
    assert cluster["bootstrap_servers"] == "kafka-1:9092,ip-10-0-0-2.ec2.internal:9092,kafka-3:9092"
    assert cluster["nodes"]["kafka-2"]["server_properties"]["advertised.listeners"].startswith(
        "INTERNAL://ip-10-0-0-2.ec2.internal:9092,"
    )
