"""One variable chooses the mode, and the versions follow it: the kafka role's default and the
cluster model (which the artifact role installs from: kafka_artifact_version is the model's version)
pick the same release. ZooKeeper's own defaults: its release, its heap (sizing.py) and its zoo.cfg
(model.zoo_cfg)."""

import re
from pathlib import Path

import jinja2
import pytest
import yaml
from ansible_collections.kafkakit.kafka.plugins.module_utils import constants, sizing
from contract_harness import combined, evaluate, with_group_var, zookeeper_mode

ROOT = Path(__file__).resolve().parents[2]


def defaults(role: str) -> dict:
    return yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())


def render(template: str, **variables) -> str:
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(template).render(**variables)


def model(inventory: dict) -> dict:
    cluster, problems = evaluate(inventory)
    assert problems == []
    return cluster


@pytest.mark.parametrize(
    ("mode", "inventory", "line"), [("kraft", combined(), "4."), ("zookeeper", zookeeper_mode(), "3.9.")]
)
def test_kafka_version_follows_the_mode_in_the_role_and_the_model(mode, inventory, line):
    kafka_version = render(defaults("kafka")["kafka_version"], kafka_mode=mode)
    cluster = model(inventory)
    artifact_version = render(defaults("kafka_artifact")["kafka_artifact_version"], kafkakit_cluster=cluster)
    assert kafka_version.startswith(line)
    assert kafka_version == constants.default_kafka_version(mode) == cluster["version"] == artifact_version
    assert cluster["artifacts"][0]["product"] == "kafka"
    assert cluster["artifacts"][0]["version"] == kafka_version


@pytest.mark.parametrize(
    ("inventory", "version"),
    [
        (with_group_var(zookeeper_mode(), kafka_version="3.9.1"), "3.9.1"),
        (with_group_var(combined(), kafka_version="4.3.1"), "4.3.1"),
    ],
)
def test_the_artifact_role_follows_a_pinned_kafka_version_whatever_the_mode(inventory, version):
    cluster = model(inventory)
    assert render(defaults("kafka_artifact")["kafka_artifact_version"], kafkakit_cluster=cluster) == version
    assert cluster["artifacts"][0]["version"] == version


def test_the_inter_broker_protocol_is_pinned_to_the_running_release():
    template = defaults("kafka")["kafka_inter_broker_protocol_version"]
    assert render(template, kafka_version="3.9.2") == "3.9"
    assert render(template, kafka_version="3.8.1") == "3.8"


def test_zookeeper_is_the_release_kafka_3_9_was_built_against():
    # org.apache.kafka:kafka_2.13:3.9.x depends on org.apache.zookeeper:zookeeper:3.8.4.
    assert defaults("zookeeper")["zookeeper_version"] == "3.8.4" == constants.DEFAULT_ZOOKEEPER_VERSION
    (kafka, zookeeper) = model(zookeeper_mode())["artifacts"]
    assert (kafka["product"], zookeeper["product"], zookeeper["version"]) == ("kafka", "zookeeper", "3.8.4")


def test_a_kraft_cluster_installs_no_zookeeper():
    assert [artifact["product"] for artifact in model(combined())["artifacts"]] == ["kafka"]


@pytest.mark.parametrize(
    ("memory_mb", "heap"), [(1024, "512m"), (2048, "512m"), (8192, "2048m"), (65536, "6144m")]
)
def test_the_zookeeper_heap_left_auto_is_a_quarter_of_memory_within_bounds(memory_mb, heap):
    assert defaults("zookeeper")["zookeeper_heap_size"] == sizing.AUTO
    assert sizing.heap_size(defaults("zookeeper")["zookeeper_heap_size"], memory_mb) == heap


def test_a_zookeeper_heap_given_is_taken_as_it_is():
    assert sizing.heap_size("256m", 65536) == "256m"
    assert sizing.heap_error("256m") is None
    assert sizing.heap_error("128m") == "is 128 MiB: Kafka needs at least 256m"


def test_zoo_cfg_holds_the_documented_defaults_and_the_ensemble():
    assert model(zookeeper_mode())["zookeeper"]["config"] == {
        "tickTime": 2000,
        "initLimit": 10,
        "syncLimit": 5,
        "dataDir": "/data/zookeeper/data",
        "dataLogDir": "/data/zookeeper/txlog",
        "autopurge.snapRetainCount": 3,
        "autopurge.purgeInterval": 24,
        "4lw.commands.whitelist": ["ruok", "srvr"],
        "admin.enableServer": False,
        "server.1": "zookeeper-1:2888:3888",
        "server.2": "zookeeper-2:2888:3888",
        "server.3": "zookeeper-3:2888:3888",
        # The secure profile: every session authenticates as the brokers' identity.
        "authProvider.sasl": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
        "enforce.auth.enabled": True,
        "enforce.auth.schemes": "sasl",
    }


def test_an_ensemble_without_a_client_password_admits_any_client():
    config = model(with_group_var(zookeeper_mode(), kafka_security_profile="plaintext",
                                  kafka_zookeeper_password=""))["zookeeper"]["config"]  # fmt: skip
    assert "authProvider.sasl" not in config and "enforce.auth.enabled" not in config


def test_zookeeper_properties_are_merged_last():
    cluster = model(
        with_group_var(zookeeper_mode(), zookeeper_properties={"tickTime": 3000, "maxClientCnxns": 0})
    )
    config = cluster["zookeeper"]["config"]
    assert (config["tickTime"], config["maxClientCnxns"], config["initLimit"]) == (3000, 0, 10)


def test_the_four_letter_words_are_only_those_the_health_checks_send():
    assert sorted(defaults("zookeeper")["zookeeper_4lw_whitelist"]) == ["ruok", "srvr"]
    gate = (ROOT / "plugins" / "modules" / "kafka_gate.py").read_text()
    assert sorted(set(re.findall(r'four_letter_word\(server, "(\w+)"\)', gate))) == ["ruok", "srvr"]
