"""The inventory checks of ZooKeeper mode, with the exact message a user sees."""

import pytest
from kafka_validation import kafka_cluster_errors


def broker(host, node_id, **overrides):
    base = {
        "host": host,
        "node_id": node_id,
        "roles": ["broker"],
        "rack": f"rack-{node_id}",
        "advertised_host": host,
        "controller_port": 9093,
        "listeners": [{"name": "INTERNAL", "port": 9092, "protocol": "PLAINTEXT"}],
        "mode": "zookeeper",
        "version": "3.9.2",
        "replication_factor": 3,
        "min_insync_replicas": 2,
        "zookeeper_chroot": "/kafka",
        "inter_broker_protocol": "3.9",
    }
    return {**base, **overrides}


def brokers(**overrides):
    return [broker(f"broker-{i}", i, **overrides) for i in (1, 2, 3)]


def member(host, myid, **overrides):
    base = {
        "host": host,
        "myid": myid,
        "advertised_host": host,
        "client_port": 2181,
        "peer_port": 2888,
        "election_port": 3888,
    }
    return {**base, **overrides}


def ensemble(size=3):
    return [member(f"zookeeper-{i}", i) for i in range(1, size + 1)]


def errors(nodes=None, members=None):
    nodes = brokers() if nodes is None else nodes
    members = ensemble() if members is None else members
    return kafka_cluster_errors(nodes, "kafka_broker", "kafka_controller", members, "zookeeper")


def test_a_well_formed_zookeeper_mode_cluster_has_no_errors():
    assert errors() == []


@pytest.mark.parametrize("size", [1, 3, 5])
def test_odd_ensembles_are_accepted(size):
    assert errors(members=ensemble(size)) == []


def test_brokers_colocated_with_the_ensemble_are_fine():
    members = [member(f"broker-{i}", i) for i in (1, 2, 3)]
    assert errors(members=members) == []


def test_zookeeper_mode_on_kafka_4_keeps_its_message():
    assert errors(brokers(version="4.4.0"))[0] == (
        "broker-1: kafka_mode zookeeper with kafka_version 4.4.0: Kafka 4.0 removed ZooKeeper. "
        "Stay on 3.9.x for ZooKeeper mode, or migrate the cluster to KRaft (kafka_mode: kraft)"
    )


@pytest.mark.parametrize("size", [2, 4])
def test_an_even_ensemble_is_refused(size):
    hosts = ", ".join(f"zookeeper-{i}" for i in range(1, size + 1))
    assert errors(members=ensemble(size)) == [
        f"{size} hosts in the group zookeeper ({hosts}): a ZooKeeper ensemble needs an odd number "
        f"(1, 3 or 5). {size} members survive no more failures than {size - 1}, and need a bigger "
        "majority to serve"
    ]


def test_zookeeper_mode_without_an_ensemble_is_refused():
    assert errors(members=[]) == [
        "kafka_mode zookeeper needs an ensemble: put 1, 3 or 5 hosts in the group zookeeper"
    ]


def test_duplicate_myids_are_refused():
    members = [member("zookeeper-1", 1), member("zookeeper-2", 2), member("zookeeper-3", 1)]
    assert errors(members=members) == [
        "zookeeper_myid 1 is used by more than one host: zookeeper-1, zookeeper-3"
    ]


def test_a_missing_myid_is_refused():
    members = ensemble()
    members[1]["myid"] = None
    assert errors(members=members) == [
        "zookeeper-2: zookeeper_myid is not set; every ZooKeeper member needs a unique one"
    ]


@pytest.mark.parametrize("myid", [0, 256, "2", True, 1.5])
def test_a_myid_out_of_range_or_not_a_whole_number_is_refused(myid):
    members = ensemble()
    members[1]["myid"] = myid
    assert errors(members=members) == [
        f"zookeeper-2: zookeeper_myid {myid!r} must be a whole number from 1 to 255"
    ]


def test_a_member_missing_from_the_run_is_reported():
    members = [*ensemble(2), {"host": "zookeeper-3", "missing": True}]
    assert errors(members=members) == [
        "zookeeper-3 in the group zookeeper not described in this run (a --limit?): "
        "checking ZooKeeper mode needs every member"
    ]


def test_a_host_in_both_zookeeper_and_kafka_controller_is_refused():
    nodes = [*brokers(), broker("zookeeper-2", 1002, roles=["controller"])]
    assert errors(nodes) == [
        "zookeeper-2 is in both zookeeper and kafka_controller, which makes no sense in ZooKeeper mode: "
        "ZooKeeper holds the metadata and the brokers elect their controller through it. Keep the host "
        "in zookeeper only"
    ]


def test_a_combined_node_in_the_ensemble_is_refused_too():
    nodes = brokers()
    nodes[0]["roles"] = ["broker", "controller"]
    members = [member("broker-1", 1), member("zookeeper-2", 2), member("zookeeper-3", 3)]
    assert errors(nodes, members) == [
        "broker-1 is in both zookeeper and kafka_controller, which makes no sense in ZooKeeper mode: "
        "ZooKeeper holds the metadata and the brokers elect their controller through it. Keep the host "
        "in zookeeper only"
    ]


def test_kraft_controllers_in_zookeeper_mode_are_refused():
    nodes = [*brokers(), broker("controller-1", 1001, roles=["controller"])]
    assert errors(nodes) == [
        "controller-1 is in the group kafka_controller, but kafka_mode is zookeeper: there are no KRaft "
        "controllers in ZooKeeper mode (the brokers elect their controller through ZooKeeper). Remove it "
        "from kafka_controller, or make it a broker"
    ]


def test_kraft_mode_with_an_ensemble_is_refused():
    nodes = [
        broker(f"kafka-{i}", i, roles=["broker", "controller"], mode="kraft", version="4.4.0")
        for i in (1, 2, 3)
    ]
    assert errors(nodes) == [
        "kafka_mode is kraft, but the group zookeeper has hosts (zookeeper-1, zookeeper-2, zookeeper-3): "
        "a KRaft cluster keeps its metadata in its controllers. Empty the group, or set kafka_mode: zookeeper"
    ]


def test_kraft_mode_without_an_ensemble_is_untouched():
    nodes = [
        broker(f"kafka-{i}", i, roles=["broker", "controller"], mode="kraft", version="4.4.0")
        for i in (1, 2, 3)
    ]
    assert errors(nodes, members=[]) == []
    assert kafka_cluster_errors(nodes) == []


def test_a_broker_id_above_the_reserved_range_is_refused():
    nodes = [*brokers()[:2], broker("broker-3", 1001)]
    assert errors(nodes) == [
        "broker-3: kafka_node_id 1001 is above 1000: in ZooKeeper mode it is the broker.id, and ids above "
        "reserved.broker.max.id (1000) are kept for generated ones; the broker would refuse to start"
    ]


@pytest.mark.parametrize(
    "chroot",
    ["", "/", "kafka", "/kafka/", "/ka fka", "/kafka//orders", "/kafka/..", "/.", "/zookeeper/kafka"],
)
def test_a_chroot_that_is_not_a_plain_absolute_path_is_refused(chroot):
    assert errors(brokers(zookeeper_chroot=chroot))[0] == (
        f"broker-1: kafka_zookeeper_chroot {chroot!r} must be an absolute ZooKeeper path like /kafka or "
        "/kafka/orders: names of letters, digits, _ . -, no trailing /, no . or .., and not below "
        "/zookeeper (ZooKeeper's own)"
    )


def test_a_nested_chroot_is_fine():
    assert errors(brokers(zookeeper_chroot="/kafka/orders")) == []


def test_a_chroot_that_differs_between_brokers_is_refused():
    nodes = brokers()
    nodes[2]["zookeeper_chroot"] = "/other"
    assert errors(nodes) == [
        "kafka_zookeeper_chroot must be the same on every host, but it is /kafka on broker-1, broker-2; "
        "/other on broker-3"
    ]


def test_a_protocol_version_newer_than_the_release_is_refused():
    assert errors(brokers(inter_broker_protocol="4.0"))[0] == (
        "broker-1: kafka_inter_broker_protocol_version 4.0 is newer than kafka_version 3.9.2: brokers "
        "cannot speak a protocol from a later release"
    )


@pytest.mark.parametrize("protocol", ["3.8", "3.9-IV0", "3.8.1"])
def test_an_older_protocol_version_is_fine_during_an_upgrade(protocol):
    assert errors(brokers(inter_broker_protocol=protocol)) == []


def test_a_malformed_protocol_version_is_refused():
    assert errors(brokers(inter_broker_protocol="latest"))[0] == (
        "broker-1: kafka_inter_broker_protocol_version 'latest' is not a protocol version like 3.9"
    )


def test_every_problem_is_reported_at_once():
    nodes = [*brokers(), broker("zookeeper-1", 1001, roles=["controller"])]
    members = [member("zookeeper-1", 1), member("zookeeper-2", 1)]
    found = errors(nodes, members)
    assert len(found) == 3
    assert found[0].startswith("2 hosts in the group zookeeper")
    assert found[1].startswith("zookeeper_myid 1 is used by more than one host")
    assert found[2].startswith("zookeeper-1 is in both zookeeper and kafka_controller")
