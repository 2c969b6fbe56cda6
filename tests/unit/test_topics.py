"""Topics as inventory data (module_utils/topics.py): checking the declared list and its values,
reading the cluster through the admin tools' recorded output, planning the changes and the command
lines that carry them out; and the kafka_topics module (plugins/modules/kafka_topics.py) run whole
against a stand-in kafka-run-class that answers with recorded outputs. No broker needed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import module_process
import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import topics
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import ToolError, Tools
from ansible_collections.kafkakit.kafka.plugins.modules import kafka_topics

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tests" / "data" / "tools"
RUNNER = "/usr/local/bin/kafka-run-class"
BOOTSTRAP = "kafka-1:9092"

# TopicCommand --describe --exclude-internal of Kafka 4.4, as seen on the lab.
TOPIC_DESCRIBE = (
    "Topic: probe.a\tTopicId: gff3r28yTSShwf_PqPj1FA\tPartitionCount: 3\tReplicationFactor: 3\t"
    "Configs: min.insync.replicas=2,cleanup.policy=compact,delete,retention.ms=60000\n"
    "\tTopic: probe.a\tPartition: 0\tLeader: 3\tReplicas: 3,1,2\tIsr: 3,1,2\tElr: \tLastKnownElr: \n"
    "\tTopic: probe.a\tPartition: 1\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\tElr: \tLastKnownElr: \n"
    "\tTopic: probe.a\tPartition: 2\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1\tElr: \tLastKnownElr: \n"
    "Topic: probe_b\tTopicId: jeNLdfsMSz2qB16XswjZFw\tPartitionCount: 2\tReplicationFactor: 2\t"
    "Configs: min.insync.replicas=2,unclean.leader.election.enable=false\n"
    "\tTopic: probe_b\tPartition: 0\tLeader: 2\tReplicas: 2,3\tIsr: 2,3\tElr: \tLastKnownElr: \n"
    "\tTopic: probe_b\tPartition: 1\tLeader: 3\tReplicas: 3,1\tIsr: 3,1\tElr: \tLastKnownElr: \n"
)
# A 3.9 partition line without the ELR columns.
TOPIC_DESCRIBE_39 = (
    "Topic: orders\tTopicId: 2dQ1\tPartitionCount: 6\tReplicationFactor: 3\t"
    "Configs: segment.bytes=1073741824\n"
    "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n"
)
CONFIG_DESCRIBE = (
    "Dynamic configs for topic probe_b are:\n"
    "Dynamic configs for topic probe.a are:\n"
    "  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,"
    "delete, DEFAULT_CONFIG:log.cleanup.policy=delete}\n"
    "  retention.ms=60000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=60000}\n"
)


def recorded(name: str) -> str:
    return (TOOLS / name).read_text()


def check(entries, brokers=3, **kwargs):
    return topics.check_topics(entries, brokers, **kwargs)


def topics_of(entries, brokers=3, **kwargs):
    declared, errors = check(entries, brokers, **kwargs)
    assert errors == []
    return declared


# --- check_topics -----------------------------------------------------------------------------------


def test_a_full_entry_is_normalised():
    declared = topics_of(
        [
            {
                "name": "trip_intent",
                "partitions": 6,
                "replication_factor": "3",
                "config": {
                    "retention.ms": 604800000,
                    "cleanup.policy": ["compact", "delete"],
                    "unclean.leader.election.enable": False,
                    "min.cleanable.dirty.ratio": 0.5,
                },
            }
        ]
    )
    assert declared == [
        {
            "name": "trip_intent",
            "state": "present",
            "partitions": 6,
            "replication_factor": 3,
            "config": {
                "retention.ms": "604800000",
                "cleanup.policy": "compact,delete",
                "unclean.leader.election.enable": "false",
                "min.cleanable.dirty.ratio": "0.5",
            },
            "default_partitions": 3,
            "default_replication_factor": 3,
        }
    ]


def test_a_name_alone_leaves_partitions_and_replicas_to_the_defaults():
    (topic,) = topics_of([{"name": "quote"}], default_partitions=6, default_replication_factor=2)
    assert topic["partitions"] is None
    assert topic["replication_factor"] is None
    assert topic["config"] == {}
    assert (topic["default_partitions"], topic["default_replication_factor"]) == (6, 2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("compact, delete", "compact,delete"),
        (" 1000 ", "1000"),
        (True, "true"),
        (["a", 1], "a,1"),
        (0.5, "0.5"),
    ],
)
def test_config_values_are_written_as_kafka_stores_them(value, expected):
    assert topics.config_value(value) == expected


def test_every_problem_is_reported_at_once():
    _, errors = check(
        [
            {"name": "too_many", "replication_factor": 4},
            {"name": "bad name!"},
            {"name": "dup"},
            {"name": "dup"},
            {"name": "a.b"},
            {"name": "a_b"},
            {"name": "typo", "partiton": 3, "config": {"retention.msx": 5}},
            {"name": "__consumer_offsets"},
            {"name": "gone", "state": "deleted"},
            {"partitions": 3},
            "just a string",
        ]
    )
    assert errors == [
        "topic 'too_many': replication_factor 4 is more than the 3 brokers of the cluster; "
        "each replica needs a broker of its own",
        "topic 'bad name!': a topic name uses only letters, digits, '.', '_' and '-'",
        "topic 'dup': declared twice",
        "topic 'a_b': collides with 'a.b' (Kafka's metric names treat '.' and '_' alike)",
        "topic 'typo': unknown key 'partiton' (did you mean 'partitions'?); "
        "keys are name, partitions, replication_factor, config, state",
        "topic 'typo': unknown topic config 'retention.msx' (did you mean 'retention.ms'?)",
        "topic '__consumer_offsets': names starting with '__' belong to Kafka's internal topics",
        "topic 'gone': state 'deleted' must be present or absent",
        "entry 10: name is missing",
        "entry 11: a topic entry is a mapping with a name, not 'just a string'",
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "t", "partitions": 0}, "topic 't': partitions must be at least 1, not 0"),
        ({"name": "t", "partitions": "six"}, "topic 't': partitions 'six' is not a whole number"),
        ({"name": "t", "partitions": True}, "topic 't': partitions True is not a whole number"),
        ({"name": "t", "replication_factor": -1}, "topic 't': replication_factor must be at least 1, not -1"),
        ({"name": "t", "config": ["retention.ms"]},
         "topic 't': config must be a mapping of Kafka topic configs, not list"),
        ({"name": "t", "config": {"retention.ms": None}}, "topic 't': config retention.ms needs a value"),
        ({"name": "t", "config": {"retention.ms": {"d": 7}}}, "topic 't': config retention.ms needs a value"),
        ({"name": "."}, "topic '.': '.' and '..' are not topic names"),
        ({"name": ".."}, "topic '..': '.' and '..' are not topic names"),
        ({"name": "x" * 250}, "a topic name has at most 249 characters, this one 250"),
        ({"name": "t", "replication_factor": 2, "config": {"min.insync.replicas": 3}},
         "topic 't': its min.insync.replicas 3 is more than its 2 replicas: every acks=all write would fail"),
        ({"name": "t", "replication_factor": 3, "config": {"min.insync.replicas": 3}},
         "topic 't': its min.insync.replicas 3 equals its 3 replicas: one broker down would stop every "
         "acks=all write; give it more replicas or a lower min.insync.replicas"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_named_with_its_reason(entry, message):
    _, errors = check([entry])
    assert len(errors) == 1, errors
    assert message in errors[0]


def test_a_name_of_249_characters_is_fine():
    assert topics_of([{"name": "x" * 249}])[0]["name"] == "x" * 249


def test_the_default_replication_factor_is_checked_against_the_brokers_too():
    _, errors = check([{"name": "t"}], brokers=1, default_replication_factor=3)
    assert errors == [
        "topic 't': replication_factor 3 (kafka_topics_default_replication_factor) is more than the 1 "
        "brokers of the cluster; each replica needs a broker of its own"
    ]


def test_bad_defaults_and_no_brokers_are_named():
    _, errors = check([], brokers=0, default_partitions=0, default_replication_factor="three")
    assert errors == [
        "no brokers in the inventory: a topic needs at least one",
        "kafka_topics_default_partitions: the value must be at least 1, not 0",
        "kafka_topics_default_replication_factor: the value 'three' is not a whole number",
    ]


def test_a_topic_to_delete_is_not_held_to_the_replica_count():
    declared, errors = check(
        [{"name": "old", "state": "absent", "replication_factor": 9}], brokers=3, cluster_min_isr=2
    )
    assert errors == []
    assert declared[0]["state"] == "absent"


def test_extra_config_names_extend_the_known_list_without_checking_their_values():
    entry = [{"name": "t", "config": {"message.format.version": "3.0"}}]
    assert check(entry)[1] == ["topic 't': unknown topic config 'message.format.version'"]
    assert check(entry, extra_config_names=["message.format.version"])[1] == []


def test_a_list_that_is_not_a_list_is_refused():
    assert check({"name": "t"})[1] == ["kafka_topics_list must be a list of topic entries, not dict"]


# --- Replicas against the cluster's min.insync.replicas ------------------------------------------------


def test_replicas_equal_to_the_clusters_min_isr_are_refused():
    assert check([{"name": "orders", "replication_factor": 2}], cluster_min_isr=2)[1] == [
        "topic 'orders': the cluster's min.insync.replicas (kafka_min_insync_replicas) 2 equals its 2 "
        "replicas: one broker down would stop every acks=all write; give it more replicas or a lower "
        "min.insync.replicas"
    ]


def test_replicas_below_the_clusters_min_isr_are_refused():
    assert check([{"name": "orders", "replication_factor": 1}], cluster_min_isr=2)[1] == [
        "topic 'orders': the cluster's min.insync.replicas (kafka_min_insync_replicas) 2 is more than its "
        "1 replicas: every acks=all write would fail"
    ]


def test_the_default_replication_factor_is_held_to_the_clusters_min_isr():
    assert check([{"name": "orders"}], default_replication_factor=2, cluster_min_isr=2)[1] == [
        "topic 'orders': the cluster's min.insync.replicas (kafka_min_insync_replicas) 2 equals its 2 "
        "replicas (kafka_topics_default_replication_factor): one broker down would stop every acks=all "
        "write; give it more replicas or a lower min.insync.replicas"
    ]


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "orders"},  # 3 replicas (the default) over min ISR 2
        {"name": "orders", "replication_factor": 2, "config": {"min.insync.replicas": 1}},  # its own wins
        {"name": "orders", "replication_factor": 1, "config": {"min.insync.replicas": 1}},
    ],
)
def test_replicas_above_the_min_isr_that_applies_are_fine(entry):
    assert check([entry], cluster_min_isr=2)[1] == []


def test_a_single_replica_with_min_isr_one_is_fine():
    assert check([{"name": "scratch", "replication_factor": 1}], brokers=1, cluster_min_isr=1)[1] == []


def test_without_a_cluster_min_isr_only_the_topics_own_is_checked():
    assert check([{"name": "orders", "replication_factor": 1}])[1] == []


# --- Values of topic configs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("retention.ms", "7d", "retention.ms '7d' must be a whole number of milliseconds"),
        ("segment.bytes", "1g", "segment.bytes '1g' must be a whole number of bytes"),
        ("min.insync.replicas", "two", "min.insync.replicas 'two' must be a whole number"),
        ("retention.ms", "-2", "retention.ms -2 must be between -1 and 9223372036854775807"),
        ("min.insync.replicas", "0", "min.insync.replicas 0 must be between 1 and 2147483647"),
        ("max.message.bytes", "2147483648", "max.message.bytes 2147483648 must be between 0 and 2147483647"),
        ("flush.messages", "0", "flush.messages 0 must be between 1 and 9223372036854775807"),
        ("cleanup.policy", "compacted",
         "cleanup.policy 'compacted' must be one or more of compact, delete (a list)"),
        ("cleanup.policy", "compact,purge",
         "cleanup.policy 'compact,purge' must be one or more of compact, delete (a list)"),
        ("cleanup.policy", "", "cleanup.policy '' must be one or more of compact, delete (a list)"),
        ("preallocate", "yes", "preallocate 'yes' must be true or false"),
        ("unclean.leader.election.enable", "True",
         "unclean.leader.election.enable 'True' must be true or false"),
        ("min.cleanable.dirty.ratio", "half",
         "min.cleanable.dirty.ratio 'half' must be a number from 0 to 1"),
        ("min.cleanable.dirty.ratio", "1.5", "min.cleanable.dirty.ratio 1.5 must be from 0 to 1"),
        ("compression.type", "lz5",
         "compression.type 'lz5' must be one of uncompressed, zstd, lz4, snappy, gzip, producer"),
        ("message.timestamp.type", "createtime",
         "message.timestamp.type 'createtime' must be one of CreateTime, LogAppendTime"),
    ],
)  # fmt: skip
def test_a_value_kafka_would_refuse_is_named_with_what_it_takes(key, value, reason):
    assert topics.config_value_error(key, value) == reason


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("retention.ms", "-1"), ("retention.ms", "604800000"), ("local.retention.ms", "-2"),
        ("compression.zstd.level", "-131072"), ("segment.bytes", "14"), ("cleanup.policy", "compact,delete"),
        ("cleanup.policy", "delete"), ("preallocate", "false"), ("min.cleanable.dirty.ratio", "0"),
        ("min.cleanable.dirty.ratio", "1"), ("compression.type", "zstd"),
        ("follower.replication.throttled.replicas", "0:1,1:2"), ("not.a.topic.config", "anything"),
    ],
)  # fmt: skip
def test_a_value_kafka_takes_passes(key, value):
    assert topics.config_value_error(key, value) is None


WRONG_BY_KIND = {"int": "x", "long": "x", "bool": "maybe", "ratio": "x", "choice": "x", "list": "x"}


@pytest.mark.parametrize("key", sorted(topics.TOPIC_CONFIGS))
def test_every_known_config_has_a_kind_that_is_checked(key):
    kind, bound = topics.TOPIC_CONFIGS[key]
    good = {"int": str(bound), "long": str(bound), "bool": "true", "ratio": "0.5", "string": "x"}
    assert topics.config_value_error(key, good.get(kind) or bound[0]) is None
    if kind == "string":
        return
    assert topics.config_value_error(key, WRONG_BY_KIND[kind]) is not None


def test_the_declared_values_are_checked_as_kafka_stores_them():
    entries = [
        {
            "name": "orders",
            "config": {"retention.ms": "7d", "cleanup.policy": "compacted", "preallocate": "yes"},
        },
        {"name": "logs", "config": {"cleanup.policy": ["compact", "delete"], "preallocate": True}},
    ]
    assert check(entries)[1] == [
        "topic 'orders': retention.ms '7d' must be a whole number of milliseconds",
        "topic 'orders': cleanup.policy 'compacted' must be one or more of compact, delete (a list)",
        "topic 'orders': preallocate 'yes' must be true or false",
    ]


# --- Reading the cluster ------------------------------------------------------------------------------


def test_cluster_state_joins_both_descriptions():
    state = topics.cluster_state(TOPIC_DESCRIBE, CONFIG_DESCRIBE)
    assert state == {
        "probe.a": {
            "partitions": 3,
            "replication_factor": 3,
            "config": {"cleanup.policy": "compact,delete", "retention.ms": "60000"},
        },
        "probe_b": {"partitions": 2, "replication_factor": 2, "config": {}},
    }


def test_cluster_state_of_a_3_9_description_without_elr_columns():
    assert topics.cluster_state(TOPIC_DESCRIBE_39, "") == {
        "orders": {"partitions": 6, "replication_factor": 3, "config": {}}
    }


def test_a_cluster_without_topics_has_no_state():
    assert topics.cluster_state("", "") == {}
    assert topics.cluster_state("\n", "") == {}


def test_cluster_state_takes_the_dynamic_configs_not_those_the_description_lists():
    """TopicCommand lists the cluster-level min.insync.replicas of 4.4 under each topic's Configs;
    only the topic's own dynamic configs (ConfigCommand) are the entry's to manage."""
    state = topics.cluster_state(
        recorded("kafka-4.4.0-kraft/topics-describe-exclude-internal.txt"),
        recorded("kafka-4.4.0-kraft/configs-topics.txt"),
    )
    assert state == {
        "gate-a": {
            "partitions": 3,
            "replication_factor": 3,
            "config": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"},
        },
        "gate-b": {
            "partitions": 2,
            "replication_factor": 2,
            "config": {"min.insync.replicas": "2", "unclean.leader.election.enable": "false"},
        },
        "compacted.orders": {
            "partitions": 1,
            "replication_factor": 3,
            "config": {"cleanup.policy": "compact,delete", "retention.ms": "604800000"},
        },
    }


def test_cluster_state_of_the_recorded_3_9_zookeeper_mode_cluster():
    state = topics.cluster_state(
        recorded("kafka-3.9.2-zookeeper/topics-describe.txt"),
        recorded("kafka-3.9.2-zookeeper/configs-topics.txt"),
    )
    assert state == {
        "gate-a": {"partitions": 3, "replication_factor": 2, "config": {"min.insync.replicas": "2"}},
        "gate-b": {"partitions": 2, "replication_factor": 2, "config": {}},
    }


# --- plan ---------------------------------------------------------------------------------------------

CURRENT = {
    "trip_intent": {"partitions": 6, "replication_factor": 3, "config": {"retention.ms": "604800000"}},
    "quote": {"partitions": 3, "replication_factor": 3, "config": {}},
}


def test_a_cluster_in_line_needs_nothing():
    declared = topics_of(
        [
            {
                "name": "trip_intent",
                "partitions": 6,
                "replication_factor": 3,
                "config": {"retention.ms": 604800000},
            },
            {"name": "quote"},
        ]
    )
    assert topics.plan(declared, CURRENT) == ([], [])
    assert topics.summary([], declared) == ["2 of 2 declared topics already in line"]


def test_missing_topics_are_created_with_the_defaults_filled_in():
    declared = topics_of([{"name": "route", "config": {"cleanup.policy": "compact", "retention.ms": 1}}])
    actions, errors = topics.plan(declared, CURRENT)
    assert errors == []
    assert actions == [
        {
            "action": "create",
            "topic": "route",
            "partitions": 3,
            "replication_factor": 3,
            "config": {"cleanup.policy": "compact", "retention.ms": "1"},
        }
    ]


def test_partitions_are_raised_and_configs_changed():
    declared = topics_of([{"name": "trip_intent", "partitions": 12, "config": {"retention.ms": 3600000}}])
    actions, errors = topics.plan(declared, CURRENT)
    assert errors == []
    assert actions == [
        {"action": "add_partitions", "topic": "trip_intent", "from": 6, "to": 12},
        {
            "action": "alter_config",
            "topic": "trip_intent",
            "set": {"retention.ms": "3600000"},
            "delete": [],
            "before": {"retention.ms": "604800000"},
        },
    ]


def test_configs_not_listed_go_back_to_default_only_when_exclusive():
    declared = topics_of([{"name": "trip_intent"}])
    actions, _ = topics.plan(declared, CURRENT, exclusive_config=True)
    assert actions == [
        {
            "action": "alter_config",
            "topic": "trip_intent",
            "set": {},
            "delete": ["retention.ms"],
            "before": {"retention.ms": "604800000"},
        }
    ]
    assert topics.plan(declared, CURRENT, exclusive_config=False) == ([], [])


def test_lowering_partitions_or_changing_replicas_is_refused():
    declared = topics_of(
        [
            {"name": "trip_intent", "partitions": 3},
            {"name": "quote", "replication_factor": 2},
            {"name": "brand_new"},
        ]
    )
    _, errors = topics.plan(declared, CURRENT)
    assert errors == [
        "topic 'quote': has replication factor 3 and the entry asks for 2; changing it needs a "
        "partition reassignment, which this role does not do",
        "topic 'trip_intent': has 6 partitions and the entry asks for 3; Kafka cannot remove partitions "
        "(to start over, mark it state: absent, run, then declare it again)",
    ]


def test_a_topic_is_deleted_only_when_its_entry_says_absent():
    keep = topics_of([{"name": "quote", "partitions": 3}])
    assert topics.plan(keep, CURRENT) == ([], [])  # trip_intent is not listed: left alone
    gone = topics_of([{"name": "quote", "state": "absent"}, {"name": "never_was", "state": "absent"}])
    assert topics.plan(gone, CURRENT) == ([{"action": "delete", "topic": "quote"}], [])


def test_actions_run_deletes_first_then_creates_grows_and_configs():
    declared = topics_of(
        [
            {"name": "z_new"},
            {"name": "trip_intent", "partitions": 7, "config": {"retention.ms": 1}},
            {"name": "quote", "state": "absent"},
        ]
    )
    actions, _ = topics.plan(declared, CURRENT)
    assert [a["action"] for a in actions] == ["delete", "create", "add_partitions", "alter_config"]
    assert topics.summary(actions, declared) == [
        "quote: delete (the entry says state: absent)",
        "z_new: create with 3 partition(s), replication factor 3",
        "trip_intent: raise partitions from 6 to 7",
        "trip_intent: set retention.ms=1 (was 604800000)",
        "0 of 3 declared topics already in line",
    ]


# --- Command lines --------------------------------------------------------------------------------------


def argv_of(version: str, command_config: str = ""):
    """tools.Tools.argv of an installation of `version` (what `kafka-run-class --kafka-version` says)."""
    tools = Tools(RUNNER, command_config)
    tools._version = version
    return tools.argv


def test_create_passes_each_config_on_its_own():
    action = {
        "action": "create",
        "topic": "route",
        "partitions": 3,
        "replication_factor": 3,
        "config": {"cleanup.policy": "compact,delete", "retention.ms": "1000"},
    }
    assert topics.commands(action, argv_of("4.4.0"), BOOTSTRAP) == [[
        RUNNER, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", BOOTSTRAP, "--create", "--topic",
        "route", "--partitions", "3", "--replication-factor", "3",
        "--config", "cleanup.policy=compact,delete", "--config", "retention.ms=1000",
    ]]  # fmt: skip


def test_the_admin_client_config_comes_first():
    action = {"action": "delete", "topic": "old"}
    assert topics.commands(action, argv_of("4.4.0", "/etc/kafka/admin.properties"), BOOTSTRAP) == [[
        RUNNER, "org.apache.kafka.tools.TopicCommand", "--command-config", "/etc/kafka/admin.properties",
        "--bootstrap-server", BOOTSTRAP, "--delete", "--topic", "old",
    ]]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "config_class"),
    [("4.4.0", "org.apache.kafka.tools.ConfigCommand"), ("3.9.2", "kafka.admin.ConfigCommand")],
)
def test_configs_are_altered_with_the_tool_of_the_installations_release(version, config_class):
    action = {
        "action": "alter_config",
        "topic": "t",
        "set": {"retention.ms": "5"},
        "delete": [],
        "before": {},
    }
    assert topics.commands(action, argv_of(version), BOOTSTRAP) == [[
        RUNNER, config_class, "--bootstrap-server", BOOTSTRAP, "--alter", "--entity-type", "topics",
        "--entity-name", "t", "--add-config", "retention.ms=5",
    ]]  # fmt: skip


def test_alter_and_delete_match_exactly_one_topic():
    # TopicCommand reads --topic as a regular expression: "a.b" alone would also match "a_b".
    argv = argv_of("4.4.0")
    (grow,) = topics.commands(
        {"action": "add_partitions", "topic": "a.b", "from": 1, "to": 2}, argv, BOOTSTRAP
    )
    (delete,) = topics.commands({"action": "delete", "topic": "a.b"}, argv, BOOTSTRAP)
    assert grow[grow.index("--topic") + 1] == "a\\.b"
    assert grow[grow.index("--partitions") + 1] == "2"
    assert delete[delete.index("--topic") + 1] == "a\\.b"


def test_config_changes_bracket_list_values():
    action = {
        "action": "alter_config",
        "topic": "route",
        "set": {"cleanup.policy": "compact,delete", "retention.ms": "5"},
        "delete": ["segment.ms", "min.insync.replicas"],
        "before": {},
    }
    (argv,) = topics.commands(action, argv_of("4.4.0"), BOOTSTRAP)
    assert argv[argv.index("--add-config") + 1] == "cleanup.policy=[compact,delete],retention.ms=5"
    assert argv[argv.index("--delete-config") + 1] == "segment.ms,min.insync.replicas"
    assert argv[argv.index("--entity-name") + 1] == "route"


def test_a_config_change_that_only_deletes_has_no_add_config():
    action = {"action": "alter_config", "topic": "t", "set": {}, "delete": ["retention.ms"], "before": {}}
    (argv,) = topics.commands(action, argv_of("4.4.0"), BOOTSTRAP)
    assert "--add-config" not in argv
    assert argv[-2:] == ["--delete-config", "retention.ms"]


def test_each_action_reads_as_a_sentence():
    lines = [
        topics.describe_action({"action": "delete", "topic": "old"}),
        topics.describe_action({"action": "add_partitions", "topic": "t", "from": 3, "to": 6}),
        topics.describe_action(
            {
                "action": "alter_config",
                "topic": "t",
                "set": {"a.b": "1"},
                "delete": ["c"],
                "before": {"c": "2"},
            }
        ),
        topics.describe_action(
            {
                "action": "create",
                "topic": "n",
                "partitions": 1,
                "replication_factor": 3,
                "config": {"x.y": "z"},
            }
        ),
    ]
    assert lines == [
        "old: delete (the entry says state: absent)",
        "t: raise partitions from 3 to 6",
        "t: set a.b=1 (was default), c back to default (was 2)",
        "n: create with 1 partition(s), replication factor 3, x.y=z",
    ]


# --- The module, with a stand-in for kafka-run-class ------------------------------------------------------


class FakeRunner:
    """A kafka-run-class that answers `--kafka-version` with `version`, logs every other call, and
    answers each with the first of `answers` ((words in argv, stdout, stderr, exit code)) that fits."""

    def __init__(self, tmp_path: Path, version: str = "4.4.0", answers=()):
        self.path, self.log = tmp_path / "kafka-run-class", tmp_path / "calls.jsonl"
        (tmp_path / "answers.json").write_text(json.dumps({"version": version, "answers": list(answers)}))
        self.path.write_text(
            f"#!{sys.executable}\n"
            "import json, sys\n"
            f"config = json.load(open({str(tmp_path / 'answers.json')!r}))\n"
            "if sys.argv[1:] == ['--kafka-version']:\n"
            "    print(config['version']); sys.exit(0)\n"
            f"open({str(self.log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
            "for words, out, err, code in config['answers']:\n"
            "    if all(word in sys.argv for word in words):\n"
            "        sys.stdout.write(out); sys.stderr.write(err); sys.exit(code)\n"
        )
        self.path.chmod(0o755)

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        calls = [json.loads(line) for line in self.log.read_text().splitlines()]
        self.log.unlink()
        return calls


def describing(version: str = "4.4.0", topic_class: str = "org.apache.kafka.tools.TopicCommand") -> list:
    """Answers of a cluster holding the recorded 4.4.0 topics (gate-a, gate-b, compacted.orders)."""
    config_class = (
        "org.apache.kafka.tools.ConfigCommand" if version == "4.4.0" else "kafka.admin.ConfigCommand"
    )
    return [
        (
            [topic_class, "--describe"],
            recorded("kafka-4.4.0-kraft/topics-describe-exclude-internal.txt"),
            "",
            0,
        ),
        ([config_class, "--describe"], recorded("kafka-4.4.0-kraft/configs-topics.txt"), "", 0),
    ]


def run_module(runner: FakeRunner, declared: list, **args) -> dict:
    arguments = {
        "topics": declared,
        "bootstrap_server": BOOTSTRAP,
        "broker_count": 3,
        "runner": str(runner.path),
    }
    result = module_process.run_module("kafka_topics", {**arguments, **args})
    return json.loads(result.stdout)


STEADY = [
    {"name": "gate-a", "partitions": 3,
     "config": {"min.insync.replicas": 2, "unclean.leader.election.enable": False}},
    {"name": "compacted.orders", "replication_factor": 3,
     "config": {"cleanup.policy": ["compact", "delete"], "retention.ms": 604800000}},
]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "config_class"),
    [("4.4.0", "org.apache.kafka.tools.ConfigCommand"), ("3.9.2", "kafka.admin.ConfigCommand")],
)
def test_the_module_describes_plans_and_acts(tmp_path, version, config_class):
    runner = FakeRunner(tmp_path, version, describing(version))

    steady = run_module(runner, STEADY, cluster_min_isr=2)
    assert (steady["changed"], steady["actions"]) == (False, [])
    assert steady["summary"] == ["2 of 2 declared topics already in line"]
    assert sorted(runner.calls()) == sorted([
        ["org.apache.kafka.tools.TopicCommand", "--bootstrap-server", BOOTSTRAP, "--describe",
         "--exclude-internal"],
        [config_class, "--bootstrap-server", BOOTSTRAP, "--describe", "--entity-type", "topics"],
    ])  # fmt: skip

    moved = run_module(
        runner, [{"name": "gate-a", "partitions": 4, "config": {"min.insync.replicas": 2}}, {"name": "fresh"}]
    )
    assert moved["changed"] is True
    assert moved["summary"] == [
        "fresh: create with 3 partition(s), replication factor 3",
        "gate-a: raise partitions from 3 to 4",
        "gate-a: set unclean.leader.election.enable back to default (was false)",
        "0 of 2 declared topics already in line",
    ]
    made = [call for call in runner.calls() if "--describe" not in call]
    assert made == [
        ["org.apache.kafka.tools.TopicCommand", "--bootstrap-server", BOOTSTRAP, "--create", "--topic",
         "fresh", "--partitions", "3", "--replication-factor", "3"],
        ["org.apache.kafka.tools.TopicCommand", "--bootstrap-server", BOOTSTRAP, "--alter", "--topic",
         "gate-a", "--partitions", "4"],
        [config_class, "--bootstrap-server", BOOTSTRAP, "--alter", "--entity-type", "topics", "--entity-name",
         "gate-a", "--delete-config", "unclean.leader.election.enable"],
    ]  # fmt: skip

    refused = run_module(runner, [{"name": "gate-a", "partitions": 1}, {"name": "fresh"}])
    assert refused["failed"] is True
    assert (
        "topic 'gate-a': has 3 partitions and the entry asks for 1; Kafka cannot remove partitions"
        in refused["msg"]
    )
    assert all(
        "--describe" in call for call in runner.calls()
    )  # described, then refused: "fresh" not created


def test_check_mode_plans_without_acting(tmp_path):
    runner = FakeRunner(tmp_path, "4.4.0", describing())
    result = run_module(runner, [{"name": "fresh", "partitions": 1}], _ansible_check_mode=True)
    assert result["changed"] is True
    assert result["actions"] == [
        {"action": "create", "topic": "fresh", "partitions": 1, "replication_factor": 3, "config": {}}
    ]
    assert result["diff"]["before"] == {"fresh": {}}
    assert all("--describe" in call for call in runner.calls())


def test_the_module_refuses_bad_input_without_running_any_tool(tmp_path):
    runner = FakeRunner(tmp_path)
    result = run_module(runner, [{"name": "ok"}, {"name": "t", "replication_factor": 5}])
    assert result["failed"] is True
    assert result["errors"] == [
        "topic 't': replication_factor 5 is more than the 3 brokers of the cluster; "
        "each replica needs a broker of its own"
    ]
    assert runner.calls() == []


def test_the_module_refuses_the_recorded_topic_whose_replicas_equal_its_min_isr(tmp_path):
    runner = FakeRunner(tmp_path, "4.4.0", describing())
    result = run_module(
        runner, [{"name": "gate-b", "replication_factor": 2, "config": {"min.insync.replicas": 2}}]
    )
    assert result["errors"] == [
        "topic 'gate-b': its min.insync.replicas 2 equals its 2 replicas: one broker down would stop every "
        "acks=all write; give it more replicas or a lower min.insync.replicas"
    ]
    assert runner.calls() == []


def test_validate_only_contacts_no_broker(tmp_path):
    runner = FakeRunner(tmp_path)
    result = run_module(runner, [{"name": "a"}, {"name": "b"}], validate_only=True, bootstrap_server=None)
    assert (result["changed"], result["summary"]) == (False, ["2 topic entries checked"])
    assert runner.calls() == []


def test_a_cluster_that_cannot_be_described_changes_nothing_and_says_why(tmp_path):
    unreachable = [
        (
            ["org.apache.kafka.tools.TopicCommand", "--describe"],
            recorded("kafka-4.4.0-kraft/topics-describe-unreachable.txt"),
            recorded("kafka-4.4.0-kraft/topics-describe-unreachable.stderr.txt"),
            1,
        ),
        *describing()[1:],
    ]
    runner = FakeRunner(tmp_path, "4.4.0", unreachable)
    result = run_module(runner, [{"name": "fresh"}])
    assert result["failed"] is True
    assert result["msg"] == (
        "Could not describe the cluster's topics (nothing changed): TopicCommand failed: "
        "Timed out waiting for a node assignment. Call: listTopics"
    )
    assert all("--describe" in call for call in runner.calls())


def test_carry_out_runs_each_action_and_reports_the_failures(tmp_path):
    runner = FakeRunner(
        tmp_path, "4.4.0", [(["broken"], "Error while executing topic command : boom\n", "", 1)]
    )
    actions = [
        {"action": "create", "topic": "fine", "partitions": 1, "replication_factor": 1, "config": {}},
        {"action": "create", "topic": "broken", "partitions": 1, "replication_factor": 1, "config": {}},
        {"action": "add_partitions", "topic": "later", "from": 1, "to": 2},
    ]
    done, failures = kafka_topics.carry_out(actions, Tools(str(runner.path), timeout=30), BOOTSTRAP)
    assert [a["topic"] for a in done] == ["fine"]
    assert failures == [
        "broken: create with 1 partition(s), replication factor 1: TopicCommand failed: "
        "Error while executing topic command : boom"
    ]
    # A failed phase stops the run: later phases (partition increases) never start.
    assert sorted(call[call.index("--topic") + 1] for call in runner.calls()) == ["broken", "fine"]


def test_a_tool_that_hangs_is_named(tmp_path):
    script = tmp_path / "slow"
    script.write_text("#!/bin/sh\nsleep 5\n")
    script.chmod(0o755)
    with pytest.raises(ToolError, match=r"^TopicCommand gave no answer within 1s$"):
        Tools(str(script), timeout=1).execute([str(script), "org.apache.kafka.tools.TopicCommand"])
