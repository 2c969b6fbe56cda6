"""The kafka_topics role's filter: where the admin tools bootstrap from."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "kafka_topics_filters", ROOT / "roles" / "kafka_topics" / "filter_plugins" / "kafka_topics.py"
)
filters = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(filters)


def test_lab_hosts_are_reached_by_inventory_name():
    hostvars = {"kafka-1": {}, "kafka-2": {}, "kafka-3": {}}
    assert (
        filters.kafka_topics_bootstrap(["kafka-1", "kafka-2", "kafka-3"], hostvars, 9092)
        == "kafka-1:9092,kafka-2:9092,kafka-3:9092"
    )


def test_an_advertised_name_wins_and_three_brokers_are_enough():
    hostvars = {f"b{i}": {"kafka_advertised_host": f"ip-10-0-0-{i}.ec2.internal"} for i in range(1, 6)}
    assert filters.kafka_topics_bootstrap([f"b{i}" for i in range(1, 6)], hostvars, "9092") == (
        "ip-10-0-0-1.ec2.internal:9092,ip-10-0-0-2.ec2.internal:9092,ip-10-0-0-3.ec2.internal:9092"
    )


def test_an_empty_broker_group_is_an_error():
    with pytest.raises(AnsibleFilterError, match="no hosts"):
        filters.kafka_topics_bootstrap([], {}, 9092)


def test_the_filter_is_registered():
    assert filters.FilterModule().filters() == {"kafka_topics_bootstrap": filters.kafka_topics_bootstrap}
