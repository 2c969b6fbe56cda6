"""The filters that turn the kafka role's data into configuration."""

import pytest
from ansible.errors import AnsibleFilterError
from artifact import kafka_artifact_sha512_digest
from kafka_config import (
    kafka_broker_bootstrap,
    kafka_controller_endpoints,
    kafka_dynamic_config_changes,
    kafka_initial_controllers,
    kafka_listener_protocol_map,
    kafka_listener_urls,
    kafka_new_uuids,
)

LISTENERS = [
    {"name": "INTERNAL", "port": 9092, "protocol": "PLAINTEXT", "advertised_host": "kafka-1"},
    {"name": "HOST", "port": "19092", "protocol": "SSL", "advertised_host": "127.0.0.1"},
]
NODES = [
    {
        "host": "c",
        "node_id": 3,
        "roles": ["controller"],
        "advertised_host": "c.internal",
        "controller_port": 9093,
    },
    {
        "host": "b",
        "node_id": 2,
        "roles": ["broker"],
        "advertised_host": "b.internal",
        "controller_port": 9093,
    },
    {
        "host": "a",
        "node_id": 1,
        "roles": ["broker", "controller"],
        "advertised_host": "a.internal",
        "controller_port": 9094,
    },
]


def test_listener_urls_bind_every_interface_and_advertise_the_given_host():
    assert kafka_listener_urls(LISTENERS) == "INTERNAL://:9092,HOST://:19092"
    assert kafka_listener_urls(LISTENERS, advertised=True) == "INTERNAL://kafka-1:9092,HOST://127.0.0.1:19092"


def test_listener_protocol_map_names_each_listener():
    assert kafka_listener_protocol_map(LISTENERS) == "INTERNAL:PLAINTEXT,HOST:SSL"


def test_controller_endpoints_list_only_controllers_in_node_id_order():
    assert kafka_controller_endpoints(NODES) == "a.internal:9094,c.internal:9093"


def test_broker_bootstrap_names_brokers_only_on_the_inter_broker_listener():
    nodes = [
        {"host": "controller-1", "node_id": 1001, "roles": ["controller"], "listeners": [
            {"name": "CONTROLLER", "port": 9093, "advertised_host": "controller-1"}]},
        *({"host": f"broker-{i}", "node_id": i, "roles": ["broker"], "listeners": [
            {"name": "INTERNAL", "port": 9092, "advertised_host": f"broker-{i}"},
            {"name": "HOST", "port": 19090 + i, "advertised_host": "127.0.0.1"}]} for i in (4, 3, 2, 1)),
    ]  # fmt: skip
    assert kafka_broker_bootstrap(nodes, "INTERNAL") == "broker-1:9092,broker-2:9092,broker-3:9092"
    with pytest.raises(AnsibleFilterError, match="broker-1: no listener named CLIENT"):
        kafka_broker_bootstrap(nodes, "CLIENT")


def test_initial_controllers_carry_each_controllers_directory_id():
    ids = {"a": "AAAAAAAAAAAAAAAAAAAAAA", "c": "CCCCCCCCCCCCCCCCCCCCCC"}
    assert kafka_initial_controllers(NODES, ids) == (
        "1@a.internal:9094:AAAAAAAAAAAAAAAAAAAAAA,3@c.internal:9093:CCCCCCCCCCCCCCCCCCCCCC"
    )


def test_initial_controllers_need_an_id_for_every_controller():
    with pytest.raises(AnsibleFilterError, match="no metadata directory id for controllers: c"):
        kafka_initial_controllers(NODES, {"a": "AAAAAAAAAAAAAAAAAAAAAA"})


def test_new_uuids_look_like_kafkas_and_never_start_with_a_dash():
    drawn = kafka_new_uuids([f"host-{n}" for n in range(500)])
    assert len(set(drawn.values())) == 500
    for value in drawn.values():
        assert len(value) == 22
        assert not value.startswith("-")
        assert set(value) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


HEX = "ab" * 64


def test_sha512_digest_from_sha512sum_output():
    assert kafka_artifact_sha512_digest(f"{HEX}  kafka_2.13-4.4.0.tgz\n") == HEX


def test_sha512_digest_from_gnupg_print_md_output():
    grouped = " ".join(HEX.upper()[i : i + 8] for i in range(0, 128, 8))
    published = f"kafka_2.13-4.4.0.tgz: {grouped[:70]}\n                      {grouped[70:]}\n"
    assert kafka_artifact_sha512_digest(published) == HEX


def test_sha512_digest_refuses_a_page_without_a_digest():
    with pytest.raises(AnsibleFilterError, match="no SHA-512 digest"):
        kafka_artifact_sha512_digest("<html>404 Not Found</html>")


DESCRIBE = """Default configs for brokers in the cluster are:
  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2}
  log.retention.ms=604800000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=6}
"""


def test_dynamic_config_changes_are_empty_when_the_cluster_matches():
    assert (
        kafka_dynamic_config_changes(DESCRIBE, {"min.insync.replicas": 2, "log.retention.ms": 604800000})
        == ""
    )


def test_dynamic_config_changes_name_only_what_differs():
    desired = {"min.insync.replicas": 2, "log.retention.ms": 3600000, "log.cleaner.threads": 2}
    assert kafka_dynamic_config_changes(DESCRIBE, desired) == "log.cleaner.threads=2,log.retention.ms=3600000"


def test_dynamic_config_values_with_commas_are_bracketed():
    assert kafka_dynamic_config_changes("", {"listener.names": "A,B"}) == "listener.names=[A,B]"
