"""playbooks/topics.yml on the lab: topics converge from inventory data, a re-run changes nothing,
and bad entries are refused before any topic changes.

What the role did is checked with a second, independent view of the cluster (confluent-kafka's
AdminClient from this machine), not with the role's own output. Topics of these tests carry the
session's run id; whatever the role did not delete itself is deleted at the end.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import yaml
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource

# Client-side patterns and broker-side topics: the same on any controller layout, so the shapes
# with a different metadata store (KRaft, ZooKeeper) carry them, not the dedicated-controller one.
pytestmark = [pytest.mark.lab, pytest.mark.parametrize("lab_cluster", ["kraft", "zookeeper"], indirect=True)]

ROOT = Path(__file__).resolve().parents[2]
LAB_TOPICS = ROOT / "inventories" / "lab" / "group_vars" / "all" / "topics.yml"
RUN = uuid.uuid4().hex[:8]
ORDERS, AUDIT, FRESH = f"kk_orders_{RUN}", f"kk_audit_{RUN}", f"kk_fresh_{RUN}"


@pytest.fixture(scope="module")
def admin(lab_cluster):
    """An AdminClient on the lab; the tests' own topics are deleted when the module is done."""
    client = AdminClient(lab_cluster.rdkafka())
    yield client
    leftovers = [name for name in (ORDERS, AUDIT, FRESH) if name in client.list_topics(timeout=10).topics]
    for future in (client.delete_topics(leftovers, request_timeout=30) if leftovers else {}).values():
        future.result(timeout=30)


def apply(lab_cluster, tmp_path: Path, topics: list[dict] | None = None):
    """Run playbooks/topics.yml, with the lab's topics or with `topics` as kafka_topics_list."""
    extra = []
    if topics is not None:
        extra_vars = tmp_path / f"topics-{uuid.uuid4().hex[:6]}.json"
        extra_vars.write_text(json.dumps({"kafka_topics_list": topics}))
        extra = ["--extra-vars", f"@{extra_vars}"]
    return lab_cluster.run_playbook("topics.yml", *extra, timeout=300)


def describe(admin: AdminClient, names: list[str]) -> dict[str, dict]:
    """{topic: {partitions, replication_factor, config}} as the AdminClient sees it (per-topic
    configs only), for the names that exist."""
    metadata = admin.list_topics(timeout=10).topics
    present = [name for name in names if name in metadata]
    found = {}
    resources = [ConfigResource(ConfigResource.Type.TOPIC, name) for name in present]
    configs = admin.describe_configs(resources, request_timeout=30) if resources else {}
    for resource, future in configs.items():
        entries = future.result(timeout=30)
        partitions = metadata[resource.name].partitions
        found[resource.name] = {
            "partitions": len(partitions),
            "replication_factor": len(partitions[0].replicas),
            "config": {
                name: entry.value
                for name, entry in entries.items()
                if entry.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
            },
        }
    return found


def expected_config(config: dict) -> dict[str, str]:
    def text(value):
        if isinstance(value, bool):
            return str(value).lower()
        return ",".join(map(str, value)) if isinstance(value, list) else str(value)

    return {key: text(value) for key, value in config.items()}


def test_the_lab_topics_converge_and_a_second_run_changes_nothing(lab_cluster, admin, tmp_path):
    first = apply(lab_cluster, tmp_path)
    assert first.returncode == 0, first.output[-4000:]
    second = apply(lab_cluster, tmp_path)
    assert second.returncode == 0, second.output[-4000:]
    assert second.changed == 0, second.output[-4000:]
    declared = yaml.safe_load(LAB_TOPICS.read_text())["kafka_topics_list"]
    assert f"{len(declared)} of {len(declared)} declared topics already in line" in second.output
    print(f"lab topics: first run changed={first.changed}, second run changed={second.changed}")

    seen = describe(admin, [topic["name"] for topic in declared])
    for topic in declared:
        assert seen.get(topic["name"]) == {
            "partitions": topic["partitions"],
            "replication_factor": topic["replication_factor"],
            "config": expected_config(topic.get("config", {})),
        }, topic["name"]


def test_own_topics_are_created_grown_reconfigured_and_deleted_only_when_asked(lab_cluster, admin, tmp_path):
    start = [
        {"name": ORDERS, "partitions": 2, "config": {"retention.ms": 3600000}},
        # Two replicas need a min ISR of 1, or the check refuses the entry (one broker down would
        # stop every acks=all write).
        {"name": AUDIT, "partitions": 1, "replication_factor": 2, "config": {"min.insync.replicas": 1}},
    ]
    created = apply(lab_cluster, tmp_path, start)
    assert created.returncode == 0, created.output[-4000:]
    assert created.changed == 1
    again = apply(lab_cluster, tmp_path, start)
    assert again.changed == 0, again.output[-4000:]
    assert describe(admin, [ORDERS, AUDIT]) == {
        ORDERS: {"partitions": 2, "replication_factor": 3, "config": {"retention.ms": "3600000"}},
        AUDIT: {"partitions": 1, "replication_factor": 2, "config": {"min.insync.replicas": "1"}},
    }

    # Raise partitions, replace the configs (retention.ms goes back to the default), delete AUDIT.
    grown = {
        "partitions": 4,
        "replication_factor": 3,
        "config": {"cleanup.policy": "compact,delete", "min.insync.replicas": "2"},
    }
    moved = [
        {
            "name": ORDERS,
            "partitions": 4,
            "config": {"cleanup.policy": ["compact", "delete"], "min.insync.replicas": 2},
        },
        {"name": AUDIT, "state": "absent"},
    ]
    changed = apply(lab_cluster, tmp_path, moved)
    assert changed.returncode == 0, changed.output[-4000:]
    assert changed.changed == 1
    assert describe(admin, [ORDERS, AUDIT]) == {ORDERS: grown}

    # Lowering partitions is refused, and so is everything else in that run: FRESH is not created.
    refused = apply(lab_cluster, tmp_path, [{"name": ORDERS, "partitions": 2}, {"name": FRESH}])
    assert refused.returncode != 0
    assert f"topic '{ORDERS}': has 4 partitions and the entry asks for 2" in refused.output
    assert describe(admin, [ORDERS, FRESH]) == {ORDERS: grown}


def test_bad_entries_are_refused_before_any_topic_is_touched(lab_cluster, admin, tmp_path):
    brokers = len(lab_cluster.brokers)
    bad = [
        {"name": FRESH},  # fine on its own: must not be created while the rest is wrong
        {"name": f"kk_wide_{RUN}", "replication_factor": brokers + 1},
        {"name": f"kk_dup_{RUN}"},
        {"name": f"kk_dup_{RUN}"},
        {"name": "no spaces allowed"},
        {"name": f"kk_typo_{RUN}", "partiton": 3, "config": {"retention.msx": 1}},
    ]
    refused = apply(lab_cluster, tmp_path, bad)
    assert refused.returncode != 0
    for reason in (
        f"replication_factor {brokers + 1} is more than the {brokers} brokers",
        f"topic 'kk_dup_{RUN}': declared twice",
        "topic 'no spaces allowed': a topic name uses only letters, digits",
        "unknown key 'partiton' (did you mean 'partitions'?)",
        "unknown topic config 'retention.msx' (did you mean 'retention.ms'?)",
    ):
        assert reason in refused.output, reason
    # Refused on the controller, before the play reached a broker.
    assert refused.recap[lab_cluster.brokers[0]]["changed"] == 0
    assert FRESH not in admin.list_topics(timeout=10).topics
