"""Every parser of module_utils/tool_output.py on what the real tools printed: Kafka 3.9.2 (KRaft and
ZooKeeper mode) and 4.4.0 (KRaft), healthy, degraded and refusing (tests/data/tools/*/README.md says
how each file was recorded). A refusal is either the parser's ToolOutputError or, for a tool that
failed, the reason failure_reason finds in what it printed."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import tool_output
from ansible_collections.kafkakit.kafka.plugins.module_utils.tool_output import ToolOutputError

TOOLS = Path(__file__).resolve().parents[1] / "data" / "tools"
K39, K44, ZK39 = "kafka-3.9.2-kraft", "kafka-4.4.0-kraft", "kafka-3.9.2-zookeeper"
MIGRATING39 = "kafka-3.9.2-migration"


def recorded(release: str, name: str) -> str:
    return (TOOLS / release / name).read_text()


def stderr_of(release: str, name: str) -> str:
    return recorded(release, name.replace(".txt", ".stderr.txt"))


# Which parser reads each recorded stdout: a file added without a parser here fails the first test.
PARSERS = {
    "quorum-status": tool_output.quorum_status,
    "quorum-replication": tool_output.quorum_replication,
    "broker-api-versions": tool_output.registered_brokers,
    "topics-describe": tool_output.topic_description,
    "topics-list": tool_output.topic_names,
    "configs": tool_output.config_description,
    "features": tool_output.features,
    "reassign-generate": tool_output.current_assignment,
    "reassign-execute": tool_output.current_assignment,
    "reassign-verify": tool_output.reassignment_in_progress,
    "reassign-cancel": tool_output.reassignment_in_progress,
    "zookeeper-ls": tool_output.zookeeper_children,
    "zookeeper-get-controller-epoch": tool_output.zookeeper_integer,
    "zookeeper-get": tool_output.zookeeper_json,
    "zookeeper-create": tool_output.zookeeper_missing,
    "zookeeper-srvr": tool_output.zookeeper_four_letter,
    "zookeeper-ruok": tool_output.zookeeper_four_letter,
    "zookeeper-stat": tool_output.zookeeper_four_letter,
}
# The recorded outputs of a tool that failed or gave no answer: their parser refuses them.
REFUSED = {
    (K39, "quorum-replication-no-majority.txt"): "no table with a NodeId column in: ''",
    (K44, "quorum-replication-no-majority.txt"): "no table with a NodeId column in: ''",
    (K44, "quorum-status-no-majority.txt"): "no LeaderId in the quorum status: ''",
    (K39, "broker-api-versions-unreachable.txt"): "no broker in the API versions answer: ",
    (K44, "broker-api-versions-unreachable.txt"): "no broker in the API versions answer: ''",
    (
        K44,
        "topics-describe-unreachable.txt",
    ): "no topic in the description: 'Error while executing topic command : "
    "Timed out waiting for a node assignment. Call: listTopics'",
    (ZK39, "zookeeper-get-cluster-id-missing.txt"): "no answer from ZooKeeper in: 'Connecting to ",
    (ZK39, "zookeeper-get-controller-missing.txt"): "no answer from ZooKeeper in: 'Connecting to ",
    (
        ZK39,
        "zookeeper-ls-brokers-ids-no-quorum.txt",
    ): "no answer from ZooKeeper in: 'Connecting to 127.0.0.1:32181,127.0.0.1:32182,127.0.0.1:32183/kafka'",
}


def parser_of(name: str):
    return next(parser for prefix, parser in PARSERS.items() if name.startswith(prefix))


STDOUTS = sorted(
    (path.parent.name, path.name) for path in TOOLS.glob("*/*.txt") if not path.name.endswith(".stderr.txt")
)


def test_the_recordings_of_both_releases_are_all_here():
    releases = {release for release, _ in STDOUTS}
    assert releases == {K39, K44, ZK39, MIGRATING39}
    # 4.4.0 was recorded in every state 3.9.2 was.
    names = {release: {name for r, name in STDOUTS if r == release} for release in releases}
    assert names[K39] <= names[K44]
    assert set(REFUSED) <= set(STDOUTS)


@pytest.mark.parametrize(("release", "name"), STDOUTS, ids=[f"{r}/{n}" for r, n in STDOUTS])
def test_every_recorded_output_is_read_by_its_parser_or_refused_with_the_reason(release, name):
    parser, text = parser_of(name), recorded(release, name)
    if (release, name) in REFUSED:
        with pytest.raises(ToolOutputError) as refused:
            parser(text)
        assert str(refused.value).startswith(REFUSED[release, name])
    else:
        parser(text)  # reads it without a ToolOutputError; the tests below check what it reads


# --- MetadataQuorumCommand ----------------------------------------------------------------------


def voters(*endpoints_and_dirs):
    return [
        {"id": i, "directoryId": directory, "endpoints": [f"CONTROLLER://{endpoint}"]}
        for i, (endpoint, directory) in enumerate(endpoints_and_dirs, start=1)
    ]


VOTERS_39 = voters(
    ("kafka-1:9093", "VJFBDFoD1a2dteTo3hKsrQ"),
    ("kafka-2:9093", "mm-pf4I2zDSrzmZVKqKu1A"),
    ("kafka-3:9093", "fdaSqOmdJ274VBVkHwB1MQ"),
)
VOTERS_44 = voters(
    ("127.0.0.1:39191", "opd7Iz12sU901E9Du_vmYg"),
    ("127.0.0.1:39192", "1RBLeaX4wv9VEfuajQGhHg"),
    ("127.0.0.1:39193", "DInrWRHh3zKy6-y2Cw6kKw"),
)


@pytest.mark.parametrize(
    ("release", "name", "expected"),
    [
        (K39, "quorum-status.txt", {"cluster_id": "Os1laUrC6czB7Z8Yt7Vd2g", "leader": 1, "epoch": 2,
         "high_watermark": 1306, "max_follower_lag": 0, "max_follower_lag_ms": 0, "voters": VOTERS_39,
         "observers": []}),
        (K39, "quorum-status-voter-down.txt", {"cluster_id": "Os1laUrC6czB7Z8Yt7Vd2g", "leader": 1,
         "epoch": 2,
         "high_watermark": 1393, "max_follower_lag": 34, "max_follower_lag_ms": 17037, "voters": VOTERS_39,
         "observers": []}),
        (K44, "quorum-status.txt", {"cluster_id": "5EgCr_BMgQ_N-SwOrJMuJw", "leader": 1, "epoch": 1,
         "high_watermark": 108, "max_follower_lag": 0, "max_follower_lag_ms": 0, "voters": VOTERS_44,
         "observers": []}),
        (K44, "quorum-status-voter-down.txt", {"cluster_id": "5EgCr_BMgQ_N-SwOrJMuJw", "leader": 1,
         "epoch": 1,
         "high_watermark": 392, "max_follower_lag": 39, "max_follower_lag_ms": 19027, "voters": VOTERS_44,
         "observers": []}),
    ],
)  # fmt: skip
def test_quorum_status(release, name, expected):
    assert tool_output.quorum_status(recorded(release, name)) == expected


def replica(*fields):
    """id, directory id, log end offset, lag, last fetch, last caught up, status."""
    keys = ("id", "directory_id", "log_end_offset", "lag", "last_fetch_ms", "last_caught_up_ms", "status")
    return dict(zip(keys, fields, strict=True))


@pytest.mark.parametrize(
    ("release", "name", "expected"),
    [
        (K39, "quorum-replication.txt", [
            replica(1, "VJFBDFoD1a2dteTo3hKsrQ", 1308, 0, 1796125540735, 1796125540735, "Leader"),
            replica(2, "mm-pf4I2zDSrzmZVKqKu1A", 1308, 0, 1796125540305, 1796125540305, "Follower"),
            replica(3, "fdaSqOmdJ274VBVkHwB1MQ", 1308, 0, 1796125540308, 1796125540308, "Follower")]),
        (K39, "quorum-replication-voter-down.txt", [
            replica(1, "VJFBDFoD1a2dteTo3hKsrQ", 1391, 0, 1796125574559, 1796125574559, "Leader"),
            replica(2, "mm-pf4I2zDSrzmZVKqKu1A", 1391, 0, 1796125574293, 1796125574293, "Follower"),
            replica(3, "fdaSqOmdJ274VBVkHwB1MQ", 1359, 32, 1796125558781, 1796125558425, "Follower")]),
        (K44, "quorum-replication.txt", [
            replica(1, "opd7Iz12sU901E9Du_vmYg", 112, 0, 1796127279822, 1796127279822, "Leader"),
            replica(2, "1RBLeaX4wv9VEfuajQGhHg", 112, 0, 1796127279394, 1796127279394, "Follower"),
            replica(3, "DInrWRHh3zKy6-y2Cw6kKw", 112, 0, 1796127279395, 1796127279395, "Follower")]),
        (K44, "quorum-replication-voter-down.txt", [
            replica(1, "opd7Iz12sU901E9Du_vmYg", 394, 0, 1796127394467, 1796127394467, "Leader"),
            replica(2, "1RBLeaX4wv9VEfuajQGhHg", 394, 0, 1796127393982, 1796127393982, "Follower"),
            replica(3, "DInrWRHh3zKy6-y2Cw6kKw", 353, 41, 1796127374466, 1796127373975, "Follower")]),
    ],
)  # fmt: skip
def test_quorum_replication(release, name, expected):
    assert tool_output.quorum_replication(recorded(release, name)) == expected


def test_a_3_9_quorum_without_a_majority_gave_no_answer_at_all():
    assert recorded(K39, "quorum-replication-no-majority.txt") == ""


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "quorum-replication-no-majority.txt",
            "Timed out waiting for a node assignment. Call: describeMetadataQuorum",
        ),
        ("quorum-status-no-majority.txt", "Timed out waiting for a node assignment. Call: listNodes"),
    ],
)
def test_a_4_4_quorum_without_a_majority_times_out_and_says_so(name, reason):
    assert recorded(K44, name) == ""
    assert tool_output.failure_reason(stderr_of(K44, name), recorded(K44, name)) == reason


def test_a_table_is_read_by_its_header_names_whatever_the_column_order():
    text = "WARN something first\n"
    text += "NodeId\tStatus\tLag\tLastCaughtUpTimestamp\tLogEndOffset\tLastFetchTimestamp\n"
    text += "7\tLeader\t0\t5\t10\t6\n"
    assert tool_output.quorum_replication(text) == [replica(7, "", 10, 0, 6, 5, "Leader")]


def test_key_values_skip_lines_that_are_not_a_single_key():
    assert tool_output.key_values("LeaderId: 1\nnot a key: x\n\nEpoch:2\nno colon\n") == {
        "LeaderId": "1",
        "Epoch": "2",
    }


# --- BrokerApiVersionsCommand -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "name", "expected"),
    [
        (K39, "broker-api-versions.txt", {1: "lab-a", 2: "lab-b", 3: "lab-c"}),
        (K39, "broker-api-versions-broker-down.txt", {1: "lab-a", 2: "lab-b"}),
        (K44, "broker-api-versions.txt", {1: "lab-a", 2: "lab-b", 3: "lab-c"}),
        (K44, "broker-api-versions-broker-down.txt", {1: "lab-a", 2: "lab-b"}),
        (K44, "broker-api-versions-two-brokers-down.txt", {1: "lab-a"}),
        (ZK39, "broker-api-versions.txt", {1: "lab-a", 2: "lab-b"}),
        (ZK39, "broker-api-versions-broker-down.txt", {2: "lab-b"}),
    ],
)
def test_registered_brokers_and_their_racks(release, name, expected):
    """4.x prints `(id: 1 rack: lab-a isFenced: false)`: the rack is lab-a all the same."""
    assert tool_output.registered_brokers(recorded(release, name)) == expected


def test_a_broker_without_a_rack_is_read_as_kafka_prints_it():
    text = "kafka-1:9092 (id: 1 rack: null isFenced: false) -> (\n\tProduce(0): 0 to 13 [usable: 13],\n)\n"
    assert tool_output.registered_brokers(text) == {1: "null"}


def test_the_warnings_about_a_stopped_broker_are_not_brokers():
    """The stopped broker appears in the warnings (stderr) as `(id: -3 ...)`, never as an answer."""
    warnings = stderr_of(K44, "broker-api-versions-broker-down.txt")
    assert "Bootstrap broker 127.0.0.1:39093 (id: -3 rack: null isFenced: false) disconnected" in warnings
    with pytest.raises(ToolOutputError, match="no broker in the API versions answer"):
        tool_output.registered_brokers(warnings)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (stderr_of(K44, "broker-api-versions-unreachable.txt"),
         "Request METADATA failed on brokers [127.0.0.1:39093 (id: -1 rack: null isFenced: false)]"),
        # 3.9.2: stdout and stderr recorded together.
        (recorded(K39, "broker-api-versions-unreachable.txt"),
         "Request METADATA failed on brokers List(kafka-3:9092 (id: -1 rack: null))"),
    ],
    ids=["4.4.0", "3.9.2"],
)  # fmt: skip
def test_an_unreachable_bootstrap_server_is_the_reason_given(text, reason):
    assert tool_output.failure_reason(text) == reason


# --- TopicCommand --describe ------------------------------------------------------------------------


def partition(topic, number, leader, replicas, isr):
    return {"topic": topic, "partition": number, "leader": leader, "replicas": replicas, "isr": isr}


GATE_TOPICS = {
    "gate-a": {"partitions": 3, "replication_factor": 3,
               "configs": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"}},
    "gate-b": {"partitions": 2, "replication_factor": 2,
               "configs": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"}},
}  # fmt: skip


def test_the_healthy_3_9_description():
    assert tool_output.topic_description(recorded(K39, "topics-describe.txt")) == {
        "topics": GATE_TOPICS,
        "partitions": [
            partition("gate-b", 0, 2, [2, 3], [2, 3]),
            partition("gate-b", 1, 3, [3, 1], [3, 1]),
            partition("gate-a", 0, 1, [1, 2, 3], [1, 2, 3]),
            partition("gate-a", 1, 2, [2, 3, 1], [2, 3, 1]),
            partition("gate-a", 2, 3, [3, 1, 2], [3, 1, 2]),
        ],
    }


def test_the_healthy_4_4_description_keeps_a_config_value_with_commas_whole():
    described = tool_output.topic_description(recorded(K44, "topics-describe.txt"))
    assert described["topics"] == {
        **GATE_TOPICS,
        "compacted.orders": {
            "partitions": 1,
            "replication_factor": 3,
            "configs": {"min.insync.replicas": "2", "cleanup.policy": "compact,delete",
                        "retention.ms": "604800000", "unclean.leader.election.enable": "false"},
        },
    }  # fmt: skip
    assert described["partitions"] == [
        partition("gate-b", 0, 2, [2, 3], [2, 3]),
        partition("gate-b", 1, 3, [3, 1], [1, 3]),
        partition("compacted.orders", 0, 2, [2, 3, 1], [1, 2, 3]),
        partition("gate-a", 0, 1, [1, 2, 3], [1, 2, 3]),
        partition("gate-a", 1, 2, [2, 3, 1], [1, 2, 3]),
        partition("gate-a", 2, 3, [3, 1, 2], [1, 2, 3]),
    ]
    assert tool_output.topic_description(recorded(K44, "topics-describe-exclude-internal.txt")) == described


@pytest.mark.parametrize(
    ("release", "name", "expected"),
    [
        (K39, "topics-describe-broker-down.txt", [
            partition("gate-b", 0, 2, [2, 3], [2]), partition("gate-b", 1, 1, [3, 1], [1]),
            partition("gate-a", 0, 1, [1, 2, 3], [1, 2]), partition("gate-a", 1, 2, [2, 3, 1], [2, 1]),
            partition("gate-a", 2, 1, [3, 1, 2], [1, 2])]),
        (K39, "topics-describe-two-brokers-down.txt", [
            partition("gate-b", 0, None, [2, 3], [2]), partition("gate-b", 1, 1, [3, 1], [1]),
            partition("gate-a", 0, 1, [1, 2, 3], [1]), partition("gate-a", 1, 1, [2, 3, 1], [1]),
            partition("gate-a", 2, 1, [3, 1, 2], [1])]),
        (K44, "topics-describe-broker-down.txt", [
            partition("gate-b", 0, 2, [2, 3], [2]), partition("gate-b", 1, 1, [3, 1], [1]),
            partition("compacted.orders", 0, 2, [2, 3, 1], [1, 2]),
            partition("gate-a", 0, 1, [1, 2, 3], [1, 2]), partition("gate-a", 1, 2, [2, 3, 1], [1, 2]),
            partition("gate-a", 2, 1, [3, 1, 2], [1, 2])]),
        # 4.4's eligible leader replicas empty the ISR of the partition that went offline.
        (K44, "topics-describe-two-brokers-down.txt", [
            partition("gate-b", 0, None, [2, 3], []), partition("gate-b", 1, 1, [3, 1], [1]),
            partition("compacted.orders", 0, 1, [2, 3, 1], [1]),
            partition("gate-a", 0, 1, [1, 2, 3], [1]), partition("gate-a", 1, 1, [2, 3, 1], [1]),
            partition("gate-a", 2, 1, [3, 1, 2], [1])]),
        (ZK39, "topics-describe.txt", [
            partition("gate-b", 0, 2, [2, 1], [2, 1]), partition("gate-b", 1, 1, [1, 2], [1, 2]),
            partition("gate-a", 0, 2, [2, 1], [2, 1]), partition("gate-a", 1, 1, [1, 2], [1, 2]),
            partition("gate-a", 2, 2, [2, 1], [2, 1])]),
        (ZK39, "topics-describe-broker-down.txt", [
            partition("gate-b", 0, 2, [2, 1], [2]), partition("gate-b", 1, 2, [1, 2], [2]),
            partition("gate-a", 0, 2, [2, 1], [2]), partition("gate-a", 1, 2, [1, 2], [2]),
            partition("gate-a", 2, 2, [2, 1], [2])]),
    ],
)  # fmt: skip
def test_degraded_descriptions(release, name, expected):
    assert tool_output.topic_description(recorded(release, name))["partitions"] == expected


def test_the_zookeeper_mode_description_with_its_n_a_elr_columns():
    assert tool_output.topic_description(recorded(ZK39, "topics-describe.txt"))["topics"] == {
        "gate-a": {"partitions": 3, "replication_factor": 2,
                   "configs": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"}},
        "gate-b": {"partitions": 2, "replication_factor": 2,
                   "configs": {"min.insync.replicas": "1", "unclean.leader.election.enable": "false"}},
    }  # fmt: skip


def test_an_unreachable_cluster_is_the_reason_given():
    stdout = recorded(K44, "topics-describe-unreachable.txt")
    assert stdout == (
        "Error while executing topic command : Timed out waiting for a node assignment. Call: listTopics\n"
    )
    reason = tool_output.failure_reason(stderr_of(K44, "topics-describe-unreachable.txt"), stdout)
    assert reason == "Timed out waiting for a node assignment. Call: listTopics"


def test_a_cluster_without_topics_describes_nothing():
    assert tool_output.topic_description("") == {"topics": {}, "partitions": []}


def test_topic_names_are_listed_sorted():
    assert tool_output.topic_names(recorded(K44, "topics-list.txt")) == [
        "compacted.orders",
        "gate-a",
        "gate-b",
    ]
    assert tool_output.topic_names("b\n\na\n  indented detail\n") == ["a", "b"]


# --- ConfigCommand --describe -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "name", "expected"),
    [
        (K39, "configs-broker-default.txt", {"brokers in the cluster": {}}),
        (ZK39, "configs-broker-default.txt", {"brokers in the cluster": {}}),
        (K44, "configs-broker-default.txt", {"brokers in the cluster": {"min.insync.replicas": "2"}}),
        (K44, "configs-broker-default-altered.txt", {"brokers in the cluster": {
            "log.cleaner.threads": "2", "log.retention.ms": "604800000", "min.insync.replicas": "2"}}),
        (K44, "configs-topics.txt", {
            "topic gate-b": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"},
            "topic compacted.orders": {"cleanup.policy": "compact,delete", "retention.ms": "604800000"},
            "topic gate-a": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"}}),
        (ZK39, "configs-topics.txt", {"topic gate-b": {}, "topic gate-a": {"min.insync.replicas": "2"}}),
    ],
)  # fmt: skip
def test_config_description(release, name, expected):
    assert tool_output.config_description(recorded(release, name)) == expected


def test_config_entries_before_any_heading_are_ignored():
    assert tool_output.config_description("  stray=1 sensitive=false synonyms={}\n") == {}


# --- FeatureCommand describe ------------------------------------------------------------------------


def feature(low, high, level, epoch):
    return {
        "SupportedMinVersion": low,
        "SupportedMaxVersion": high,
        "FinalizedVersionLevel": level,
        "Epoch": epoch,
    }


def test_features_of_3_9_separated_by_tabs():
    assert tool_output.features(recorded(K39, "features.txt")) == {
        "kraft.version": feature("0", "1", "1", "1333"),
        "metadata.version": feature("3.0-IV1", "3.9-IV0", "3.9-IV0", "1333"),
    }


def test_features_of_4_4_padded_with_spaces():
    assert tool_output.features(recorded(K44, "features.txt")) == {
        "eligible.leader.replicas.version": feature("0", "1", "1", "129"),
        "group.version": feature("0", "1", "1", "129"),
        "kraft.version": feature("0", "1", "1", "129"),
        "metadata.version": feature("3.3-IV3", "4.4-IV2", "4.4-IV2", "129"),
        "share.version": feature("0", "2", "2", "129"),
        "streams.version": feature("0", "1", "1", "129"),
        "transaction.version": feature("0", "2", "2", "129"),
    }


def test_no_feature_is_a_refusal():
    with pytest.raises(ToolOutputError, match=r"^no feature in: ''$"):
        tool_output.features("")


# --- ReassignPartitionsCommand ----------------------------------------------------------------------


def test_the_current_assignment_generate_prints_first():
    assert tool_output.current_assignment(recorded(K44, "reassign-generate.txt")) == {
        ("gate-a", 0): [1, 2, 3],
        ("gate-a", 1): [2, 3, 1],
        ("gate-a", 2): [3, 1, 2],
        ("gate-b", 0): [3, 1],
        ("gate-b", 1): [1, 2],
    }


def test_the_current_assignment_execute_prints_for_a_rollback():
    assert tool_output.current_assignment(recorded(K44, "reassign-execute-throttled.txt")) == {
        ("gate-b", 0): [3, 1]
    }


def test_output_without_a_current_assignment_is_refused():
    with pytest.raises(ToolOutputError, match="no current assignment in the reassignment tool's output"):
        tool_output.current_assignment(recorded(K44, "reassign-verify-complete.txt"))


@pytest.mark.parametrize(
    ("name", "in_progress"),
    [
        ("reassign-verify-in-progress.txt", True),
        ("reassign-verify-complete.txt", False),
        ("reassign-cancel.txt", False),
    ],
)
def test_a_move_under_way_is_seen_by_verify(name, in_progress):
    assert tool_output.reassignment_in_progress(recorded(K44, name)) is in_progress


# --- ZooKeeper's command-line client and four-letter words ------------------------------------------


@pytest.mark.parametrize(
    ("name", "children"),
    [
        ("zookeeper-ls-brokers-ids.txt", ["1", "2"]),
        ("zookeeper-ls-brokers-ids-chroot.txt", ["1", "2"]),
        ("zookeeper-ls-brokers-ids-broker-down.txt", ["2"]),
        ("zookeeper-ls-brokers-ids-none.txt", []),
    ],
)
def test_the_children_of_ls_after_the_clients_chatter(name, children):
    assert tool_output.zookeeper_children(recorded(ZK39, name)) == children


def test_the_json_of_get_after_the_clients_chatter():
    assert tool_output.zookeeper_json(recorded(ZK39, "zookeeper-get-controller.txt")) == {
        "version": 2,
        "brokerid": 2,
        "timestamp": "1796127832624",
        "kraftControllerEpoch": -1,
    }
    assert tool_output.zookeeper_json(recorded(ZK39, "zookeeper-get-cluster-id.txt")) == {
        "version": "1",
        "id": "kRfqsCrkeMtBuKNjVUHKrQ",
    }


@pytest.mark.parametrize(
    ("name", "missing", "reason"),
    [
        ("zookeeper-get-cluster-id-missing.txt", True, "Node does not exist: /kafka/cluster/id"),
        ("zookeeper-get-controller-missing.txt", True, "Node does not exist: /controller"),
        ("zookeeper-create-cluster-id-exists.txt", False, "Node already exists: /kafka/cluster/id"),
        ("zookeeper-ls-brokers-ids-no-quorum.txt", False, "Connection refused"),
        ("zookeeper-create-cluster-id.txt", False, "Created /kafka/cluster/id"),
    ],
)
def test_what_the_client_says_on_stderr(name, missing, reason):
    stderr = stderr_of(ZK39, name)
    assert tool_output.zookeeper_missing(stderr) is missing
    assert tool_output.zookeeper_missing(recorded(ZK39, name)) is False  # never on stdout
    # Its last words are `ERROR Exiting JVM with code 1`; the reason is the line above.
    assert tool_output.failure_reason(stderr) == reason


@pytest.mark.parametrize(
    ("name", "mode", "zxid"),
    [
        ("zookeeper-srvr-leader.txt", "leader", "0x100000052"),
        ("zookeeper-srvr-follower.txt", "follower", "0x100000052"),
        ("zookeeper-srvr-standalone.txt", "standalone", "0x0"),
    ],
)
def test_srvr_answers_give_the_mode(name, mode, zxid):
    fields = tool_output.zookeeper_four_letter(recorded(ZK39, name))
    assert (fields["Mode"], fields["Zxid"], fields["Outstanding"]) == (mode, zxid, "0")


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("zookeeper-srvr-no-quorum.txt", "This ZooKeeper instance is not currently serving requests\n"),
        ("zookeeper-stat-not-whitelisted.txt", "stat is not executed because it is not in the whitelist.\n"),
        ("zookeeper-ruok.txt", "imok"),
        ("zookeeper-ruok-no-quorum.txt", "imok"),
    ],
)
def test_answers_without_a_mode(name, answer):
    assert recorded(ZK39, name) == answer
    assert tool_output.zookeeper_four_letter(answer) == {}


# --- failure_reason on its own ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stderr", "stdout", "reason"),
    [
        ("Error: Could not find or load main class x.Y\n", "", "Could not find or load main class x.Y"),
        ("", "Error while executing topic command : boom\n", "Error while executing topic command : boom"),
        ("java.lang.IllegalStateException: one\n\tat x.y(Z.java:1)\nCaused by: java.io.IOException: two\n"
         "\tat a.b(C.java:2)\n", "", "two"),
        ("WARN just a warning (org.x)\n", "last words\n", "last words"),
        ("", "", "no output"),
        ("", "\tat only.a.Frame(X.java:1)\n", "no output"),
    ],
)  # fmt: skip
def test_failure_reason_is_the_last_exception_message_else_the_last_line(stderr, stdout, reason):
    assert tool_output.failure_reason(stderr, stdout) == reason


def test_failure_reason_is_at_most_300_characters():
    assert tool_output.failure_reason("x" * 500) == "x" * 300


# --- prometheus_metrics: what the exporters serve -------------------------------------------------------
# tests/data/metrics (one node of each kind) and tests/data/gates (whole clusters; an exporter that
# did not answer has a .error.txt instead).
SCRAPES = sorted(
    path
    for path in [
        *(Path(__file__).resolve().parents[1] / "data" / "metrics").glob("*.txt"),
        *(Path(__file__).resolve().parents[1] / "data" / "gates").glob("*/*/metrics/*.txt"),
    ]
    if not path.name.endswith(".error.txt")
)


def test_the_recorded_scrapes_are_here():
    assert len([p for p in SCRAPES if "gates" in p.parts]) >= 8
    assert len([p for p in SCRAPES if "gates" not in p.parts]) == 8


@pytest.mark.parametrize("path", SCRAPES, ids=lambda p: "/".join(p.parts[-4:]))
def test_every_recorded_scrape_is_read_sample_by_sample(path):
    """Every line that is not a comment is one sample; HELP and TYPE lines are skipped."""
    text = path.read_text()
    samples = tool_output.prometheus_metrics(text)
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert sum(len(found) for found in samples.values()) == len(lines)
    assert all(isinstance(value, float) for found in samples.values() for _, value in found)


def test_the_series_the_gates_read_from_a_combined_node():
    text = (Path(__file__).resolve().parents[1] / "data" / "metrics" / "kraft-combined-4.4.0.txt").read_text()
    samples = tool_output.prometheus_metrics(text)
    assert samples["kafka_server_raftmetrics_current_state"] == [({"state": "leader"}, 1.0)]
    assert samples["kafka_controller_kafkacontroller_brokerregistrationstate"] == [({"broker": "1"}, 30.0)]
    assert samples["kafka_server_replicamanager_underreplicatedpartitions"] == [({}, 0.0)]
    assert samples["jvm_buffer_pool_capacity_bytes"][1] == ({"pool": "mapped"}, 1.132461864e9)
    assert samples["jvm_buffer_pool_capacity_bytes"][2][0] == {"pool": "mapped - 'non-volatile memory'"}
    assert math.isnan(samples["kafka_server_raftmetrics_election_latency_avg"][0][1])


def test_the_exposition_formats_finer_points():
    text = (
        '# HELP x A help text with } and " in it\n'
        "# TYPE x gauge\n"
        "# a comment of no kind\n"
        '\n  x{path="C:\\\\dir",quote="say \\"hi\\"",lines="a\\nb"} 1.5e3 1700000000000\n'
        'x{ a = "1" , b="{not} a=\\"label\\"", } -Inf\n'
        "y +Inf\n"
        "z\t-2\n"
        "w NaN 12\n"
        "v{} 0\n"
        "name:with:colons 7\n"
    )
    samples = tool_output.prometheus_metrics(text)
    assert samples["x"][0] == ({"path": "C:\\dir", "quote": 'say "hi"', "lines": "a\nb"}, 1500.0)
    assert samples["x"][1] == ({"a": "1", "b": '{not} a="label"'}, float("-inf"))
    assert samples["y"] == [({}, float("inf"))]
    assert samples["z"] == [({}, -2.0)]
    assert math.isnan(samples["w"][0][1])
    assert samples["v"] == [({}, 0.0)]
    assert samples["name:with:colons"] == [({}, 7.0)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no metric in the exporter's answer: ''"),
        ("# HELP x only comments\n# TYPE x gauge\n", "no metric in the exporter's answer: "),
        ("<html><body>Not an exporter</body></html>", "not a metric sample: '<html>"),
        ("x", "not a metric sample: 'x'"),
        ("x 1 2 3", "not a metric sample: 'x 1 2 3'"),
        ("x one", "not a metric sample: 'x one'"),
        ("x 1_000", "not a metric sample: 'x 1_000'"),
        ("x 1 yesterday", "not a metric sample: 'x 1 yesterday'"),
        ("x{a=1} 2", "unreadable labels in: 'x{a=1} 2'"),
        ('x{a="1" b="2"} 2', "unreadable labels in: "),
        ('x{a="1" 2', "unreadable labels in: "),
        ('x{a="1"}2', "not a metric sample: "),
        ("HTTP/1.1 200 OK", "not a metric sample: 'HTTP/1.1 200 OK'"),
    ],
)
def test_what_is_not_an_exporters_answer_is_refused(text, reason):
    with pytest.raises(ToolOutputError) as refused:
        tool_output.prometheus_metrics(text)
    assert str(refused.value).startswith(reason)


def test_the_play_recap_gives_each_hosts_counts():
    output = (
        "PLAY RECAP *********************************************************************\n"
        "broker-1                   : ok=102  changed=0    unreachable=0    failed=0    skipped=33   "
        "rescued=0    ignored=0\n"
        "controller-1               : ok=78   changed=2    unreachable=1    failed=1    skipped=19   "
        "rescued=0    ignored=0\n"
    )
    assert tool_output.play_recap(output) == {
        "broker-1": {"ok": 102, "changed": 0, "unreachable": 0, "failed": 0},
        "controller-1": {"ok": 78, "changed": 2, "unreachable": 1, "failed": 1},
    }
    assert tool_output.play_recap("") == {}


def test_dpkg_query_gives_the_installed_packages_only():
    # As host_prep asks: dpkg-query --show --showformat='${db:Status-Abbrev} ${Package}\n'.
    output = (
        "ii  adduser\n"
        "ii  openjdk-17-jre-headless\n"
        "rc  prometheus-node-exporter\n"  # removed, its configuration kept
        "iU  xfsprogs\n"  # unpacked, not configured
        "iF  e2fsprogs\n"  # half-configured
        "hi  python3-cryptography\n"  # held, installed
        "ii  libc6\n"
    )
    assert tool_output.installed_packages(output) == [
        "adduser", "libc6", "openjdk-17-jre-headless", "python3-cryptography",
    ]  # fmt: skip


@pytest.mark.parametrize("line", ["ii", "iiadduser", "ii  two names", "dpkg-query: error"])
def test_what_is_not_a_dpkg_query_line_is_refused(line):
    with pytest.raises(ToolOutputError, match="not a dpkg-query line"):
        tool_output.installed_packages(line + "\n")
