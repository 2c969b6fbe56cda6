"""Each inventory check of the kafka role, with the exact message a user sees."""

from kafka_validation import kafka_cluster_errors


def node(host, node_id, roles=("broker", "controller"), **overrides):
    base = {
        "host": host,
        "node_id": node_id,
        "roles": list(roles),
        "rack": f"rack-{node_id}",
        "advertised_host": host,
        "controller_port": 9093,
        "listeners": [
            {"name": "INTERNAL", "port": 9092, "protocol": "PLAINTEXT"},
            {"name": "CONTROLLER", "port": 9093, "protocol": "PLAINTEXT"},
        ],
        "mode": "kraft",
        "version": "4.4.0",
        "replication_factor": 3,
        "min_insync_replicas": 2,
    }
    return {**base, **overrides}


def cluster(**overrides):
    return [node(f"kafka-{i}", i, **overrides) for i in (1, 2, 3)]


def test_a_well_formed_cluster_has_no_errors():
    assert kafka_cluster_errors(cluster()) == []


def test_a_single_combined_node_with_replication_one_is_fine():
    assert kafka_cluster_errors([node("solo", 1, replication_factor=1, min_insync_replicas=1)]) == []


def test_an_even_number_of_controllers_is_refused():
    nodes = [node("c1", 101, roles=["controller"]), node("c2", 102, roles=["controller"])]
    nodes += [node(f"b{i}", i, roles=["broker"]) for i in (1, 2, 3)]
    assert kafka_cluster_errors(nodes) == [
        "2 hosts in the group kafka_controller (c1, c2): a KRaft quorum needs an odd number "
        "(1, 3 or 5) to keep a majority through a failure"
    ]


def test_no_controller_is_refused():
    assert kafka_cluster_errors(cluster(roles=["broker"])) == [
        "no KRaft controllers: put 1, 3 or 5 hosts in the group kafka_controller"
    ]


def test_no_broker_is_refused():
    errors = kafka_cluster_errors(cluster(roles=["controller"]))
    assert "no brokers: put at least one host in the group kafka_broker" in errors


def test_duplicate_node_ids_are_refused_naming_both_hosts():
    nodes = cluster()
    nodes[2]["node_id"] = 1
    assert kafka_cluster_errors(nodes) == ["kafka_node_id 1 is used by more than one host: kafka-1, kafka-3"]


def test_a_missing_node_id_is_refused():
    nodes = cluster()
    nodes[1]["node_id"] = None
    assert kafka_cluster_errors(nodes) == [
        "kafka-2: kafka_node_id is not set; every Kafka host needs a unique one"
    ]


def test_a_node_id_that_is_not_a_number_is_refused():
    nodes = cluster()
    nodes[0]["node_id"] = "one"
    assert kafka_cluster_errors(nodes) == ["kafka-1: kafka_node_id 'one' must be a whole number, 0 or more"]


def test_a_broker_without_a_rack_is_refused():
    nodes = cluster()
    nodes[1]["rack"] = ""
    assert kafka_cluster_errors(nodes) == [
        "kafka-2: kafka_broker_rack is not set; every broker needs a rack (its availability zone) "
        "so that replicas spread across zones"
    ]


def test_a_replication_factor_above_the_broker_count_is_refused():
    errors = kafka_cluster_errors(cluster(replication_factor=4, min_insync_replicas=2))
    assert errors[0] == (
        "kafka-1: kafka_default_replication_factor 4 is more than the 3 brokers in the cluster; "
        "topics could not be created"
    )
    assert len(errors) == 3


def test_min_insync_replicas_must_be_below_the_replication_factor():
    errors = kafka_cluster_errors(cluster(min_insync_replicas=3))
    assert errors[0] == (
        "kafka-1: kafka_min_insync_replicas 3 must be below kafka_default_replication_factor 3, "
        "or one broker down stops every acks=all write"
    )


def test_min_insync_replicas_must_be_positive():
    assert kafka_cluster_errors(cluster(min_insync_replicas=0))[0] == (
        "kafka-1: kafka_min_insync_replicas 0 must be at least 1"
    )


def test_settings_that_differ_between_hosts_are_refused():
    nodes = cluster()
    nodes[2]["replication_factor"] = 2
    nodes[2]["min_insync_replicas"] = 1
    errors = kafka_cluster_errors(nodes)
    assert errors[0] == (
        "kafka_default_replication_factor must be the same on every host, but it is "
        "2 on kafka-3; 3 on kafka-1, kafka-2"
    )


def test_zookeeper_mode_on_kafka_4_is_refused_with_what_to_do():
    errors = kafka_cluster_errors(cluster(mode="zookeeper", version="4.4.0"))
    assert errors[0] == (
        "kafka-1: kafka_mode zookeeper with kafka_version 4.4.0: Kafka 4.0 removed ZooKeeper. "
        "Stay on 3.9.x for ZooKeeper mode, or migrate the cluster to KRaft (kafka_mode: kraft)"
    )


def test_kraft_on_a_version_without_dynamic_quorum_is_refused():
    assert kafka_cluster_errors(cluster(version="3.8.1"))[0] == (
        "kafka-1: kafka_version 3.8.1 is too old for kafka_mode kraft: the dynamic controller quorum "
        "(KIP-853) this kit deploys needs Kafka 3.9 or newer"
    )


def test_an_unknown_mode_is_refused():
    assert kafka_cluster_errors(cluster(mode="raft"))[0] == (
        "kafka-1: kafka_mode is 'raft'; choose one of kraft, zookeeper"
    )


def test_a_malformed_version_is_refused():
    assert kafka_cluster_errors(cluster(version="latest"))[0] == (
        "kafka-1: kafka_version 'latest' is not a release number like 4.4.0"
    )


def test_versions_that_differ_between_hosts_are_refused():
    nodes = cluster()
    nodes[0]["version"] = "4.3.1"
    assert kafka_cluster_errors(nodes) == [
        "kafka_version must be the same on every host, but it is 4.3.1 on kafka-1; 4.4.0 on kafka-2, kafka-3"
    ]


def test_two_listeners_on_one_port_are_refused():
    nodes = cluster()
    nodes[0]["listeners"].append({"name": "HOST", "port": 9092, "protocol": "PLAINTEXT"})
    assert kafka_cluster_errors(nodes) == [
        "kafka-1: port 9092 is used by more than one listener (INTERNAL, HOST); check kafka_listeners, "
        "kafka_listeners_extra and kafka_controller_listener"
    ]


def test_listener_names_must_be_kafka_style_and_unique():
    nodes = cluster()
    nodes[0]["listeners"].append({"name": "internal", "port": 9094, "protocol": "PLAINTEXT"})
    nodes[0]["listeners"].append({"name": "INTERNAL", "port": 9095, "protocol": "PLAINTEXT"})
    assert kafka_cluster_errors(nodes) == [
        "kafka-1: listener name 'internal' must be upper case letters, digits and _",
        "kafka-1: listener name INTERNAL appears 2 times",
    ]


def test_an_empty_inventory_is_refused():
    assert kafka_cluster_errors([]) == [
        "no Kafka hosts: the groups kafka_broker and kafka_controller are empty"
    ]
