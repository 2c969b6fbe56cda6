"""The cluster-wide dynamic defaults (module kafka_cluster_config): the changes read from
ConfigCommand's own output, recorded from Kafka 4.4.0, so a re-run sets nothing."""

from pathlib import Path

import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import properties, tool_output

TOOLS = Path(__file__).resolve().parents[1] / "data" / "tools"


def recorded(name: str) -> str:
    return (TOOLS / name).read_text()


def dynamic_changes(describe_output: str, desired: dict) -> str:
    """What the module does with the describe output."""
    described = tool_output.config_description(describe_output)
    return properties.add_config_changes(next(iter(described.values()), {}), desired)


DESCRIBE = """Default configs for brokers in the cluster are:
  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2}
  log.retention.ms=604800000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=6}
"""


def test_dynamic_config_changes_are_empty_when_the_cluster_matches():
    desired = {"min.insync.replicas": 2, "log.retention.ms": 604800000}
    assert dynamic_changes(DESCRIBE, desired) == ""


def test_dynamic_config_changes_name_only_what_differs_sorted_by_key():
    desired = {"min.insync.replicas": 2, "log.retention.ms": 3600000, "log.cleaner.threads": 2}
    assert dynamic_changes(DESCRIBE, desired) == "log.cleaner.threads=2,log.retention.ms=3600000"


def test_dynamic_config_values_with_commas_are_bracketed_and_booleans_spelled_as_java():
    desired = {"listener.names": ["A", "B"], "log.cleaner.enable": True}
    assert dynamic_changes("", desired) == "listener.names=[A,B],log.cleaner.enable=true"


def test_a_new_4_4_cluster_already_has_the_min_isr_its_controllers_seeded():
    """4.4's controllers write min.insync.replicas at cluster level from their static config (KIP-966)."""
    described = recorded("kafka-4.4.0-kraft/configs-broker-default.txt")
    assert dynamic_changes(described, {"min.insync.replicas": 2}) == ""
    assert dynamic_changes(described, {"min.insync.replicas": 1}) == "min.insync.replicas=1"


def test_what_was_set_once_is_not_set_again():
    described = recorded("kafka-4.4.0-kraft/configs-broker-default-altered.txt")
    desired = {"min.insync.replicas": 2, "log.retention.ms": 604800000, "log.cleaner.threads": 2}
    assert dynamic_changes(described, desired) == ""
    desired["log.cleaner.threads"] = 4
    assert dynamic_changes(described, desired) == "log.cleaner.threads=4"


@pytest.mark.parametrize("release", ["kafka-3.9.2-kraft", "kafka-3.9.2-zookeeper"])
def test_a_cluster_without_dynamic_defaults_gets_everything_desired(release):
    described = recorded(f"{release}/configs-broker-default.txt")
    assert described.strip() == "Default configs for brokers in the cluster are:"
    assert dynamic_changes(described, {}) == ""
    assert dynamic_changes(described, {"log.retention.ms": 1000}) == "log.retention.ms=1000"


def test_a_desired_value_that_is_no_value_is_refused_with_its_key():
    with pytest.raises(properties.PropertiesError, match=r"^log.retention.ms: null is not"):
        dynamic_changes(DESCRIBE, {"log.retention.ms": None})
