"""The kafka_topics module's logic: checking the declared list, reading the admin tools' output,
planning the changes, and the command lines that carry them out. No broker needed."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE_PATH = ROOT / "roles" / "kafka_topics" / "library" / "kafka_topics.py"
_spec = importlib.util.spec_from_file_location("kafka_topics_module", MODULE_PATH)
kt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kt)

RUNNER = "/usr/local/bin/kafka-run-class"
BOOTSTRAP = "kafka-1:9092"

# Output of Kafka 4.4's TopicCommand --describe --exclude-internal, as seen on the lab.
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
# Kafka 3.9 prints the same header without the ELR columns on partition lines.
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


def check(entries, brokers=3, **kwargs):
    return kt.check_topics(entries, brokers, **kwargs)


def topics_of(entries, brokers=3):
    topics, errors = check(entries, brokers)
    assert errors == []
    return topics


# --- check_topics -----------------------------------------------------------------------------------


def test_a_full_entry_is_normalised():
    topics = topics_of(
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
    assert topics == [
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
    (topic,) = topics_of([{"name": "quote"}])
    assert topic["partitions"] is None
    assert topic["replication_factor"] is None
    assert topic["config"] == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("compact, delete", "compact,delete"), (" 1000 ", "1000"), (True, "true"), (["a", 1], "a,1")],
)
def test_config_values_are_written_as_kafka_stores_them(value, expected):
    assert kt.config_value(value) == expected


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
        ({"name": "t", "config": ["retention.ms"]}, "topic 't': config must be a mapping"),
        ({"name": "t", "config": {"retention.ms": None}}, "topic 't': config retention.ms needs a value"),
        ({"name": "."}, "topic '.': '.' and '..' are not topic names"),
        ({"name": "x" * 250}, "a topic name has at most 249 characters, this one 250"),
        (
            {"name": "t", "replication_factor": 2, "config": {"min.insync.replicas": 3}},
            "topic 't': min.insync.replicas 3 is more than its 2 replicas: every acks=all write would fail",
        ),
    ],
)
def test_a_bad_entry_is_named_with_its_reason(entry, message):
    _, errors = check([entry])
    assert len(errors) == 1
    assert message in errors[0]


def test_the_default_replication_factor_is_checked_against_the_brokers_too():
    _, errors = check([{"name": "t"}], brokers=1, default_replication_factor=3)
    assert errors == [
        "topic 't': replication_factor 3 (kafka_topics_default_replication_factor) is more than the 1 "
        "brokers of the cluster; each replica needs a broker of its own"
    ]


def test_a_topic_to_delete_is_not_held_to_the_replica_count():
    topics, errors = check([{"name": "old", "state": "absent", "replication_factor": 9}], brokers=3)
    assert errors == []
    assert topics[0]["state"] == "absent"


def test_extra_config_names_extend_the_known_list():
    entry = [{"name": "t", "config": {"message.format.version": "3.0"}}]
    assert check(entry)[1] == ["topic 't': unknown topic config 'message.format.version'"]
    assert check(entry, extra_config_names=["message.format.version"])[1] == []


def test_a_list_that_is_not_a_list_is_refused():
    assert check({"name": "t"})[1] == ["kafka_topics_list must be a list of topic entries, not dict"]


# --- parsing the admin tools ------------------------------------------------------------------------


def test_topic_description_gives_partitions_and_replicas():
    assert kt.parse_topic_description(TOPIC_DESCRIBE) == {
        "probe.a": {"partitions": 3, "replication_factor": 3},
        "probe_b": {"partitions": 2, "replication_factor": 2},
    }
    assert kt.parse_topic_description(TOPIC_DESCRIBE_39) == {
        "orders": {"partitions": 6, "replication_factor": 3}
    }


def test_config_description_keeps_only_dynamic_topic_configs():
    assert kt.parse_config_description(CONFIG_DESCRIBE) == {
        "probe_b": {},
        "probe.a": {"cleanup.policy": "compact,delete", "retention.ms": "60000"},
    }


def test_cluster_state_joins_both_descriptions():
    state = kt.cluster_state(TOPIC_DESCRIBE, CONFIG_DESCRIBE)
    assert state["probe.a"]["config"] == {"cleanup.policy": "compact,delete", "retention.ms": "60000"}
    assert state["probe_b"] == {"partitions": 2, "replication_factor": 2, "config": {}}


# --- plan -------------------------------------------------------------------------------------------

CURRENT = {
    "trip_intent": {"partitions": 6, "replication_factor": 3, "config": {"retention.ms": "604800000"}},
    "quote": {"partitions": 3, "replication_factor": 3, "config": {}},
}


def test_a_cluster_in_line_needs_nothing():
    topics = topics_of(
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
    assert kt.plan(topics, CURRENT) == ([], [])


def test_missing_topics_are_created_with_the_defaults_filled_in():
    topics = topics_of([{"name": "route", "config": {"cleanup.policy": "compact"}}])
    actions, errors = kt.plan(topics, CURRENT)
    assert errors == []
    assert actions == [
        {
            "action": "create",
            "topic": "route",
            "partitions": 3,
            "replication_factor": 3,
            "config": {"cleanup.policy": "compact"},
        }
    ]


def test_partitions_are_raised_and_configs_changed():
    topics = topics_of([{"name": "trip_intent", "partitions": 12, "config": {"retention.ms": 3600000}}])
    actions, errors = kt.plan(topics, CURRENT)
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
    topics = topics_of([{"name": "trip_intent"}])
    actions, _ = kt.plan(topics, CURRENT, exclusive_config=True)
    assert actions == [
        {
            "action": "alter_config",
            "topic": "trip_intent",
            "set": {},
            "delete": ["retention.ms"],
            "before": {"retention.ms": "604800000"},
        }
    ]
    assert kt.plan(topics, CURRENT, exclusive_config=False) == ([], [])


def test_lowering_partitions_or_changing_replicas_is_refused_and_nothing_planned_counts():
    topics = topics_of(
        [
            {"name": "trip_intent", "partitions": 3},
            {"name": "quote", "replication_factor": 2},
            {"name": "brand_new"},
        ]
    )
    _, errors = kt.plan(topics, CURRENT)
    assert errors == [
        "topic 'quote': has replication factor 3 and the entry asks for 2; changing it needs a "
        "partition reassignment, which this role does not do",
        "topic 'trip_intent': has 6 partitions and the entry asks for 3; Kafka cannot remove partitions "
        "(to start over, mark it state: absent, run, then declare it again)",
    ]


def test_a_topic_is_deleted_only_when_its_entry_says_absent():
    keep = topics_of([{"name": "quote", "partitions": 3}])
    assert kt.plan(keep, CURRENT) == ([], [])  # trip_intent is not listed: left alone
    gone = topics_of([{"name": "quote", "state": "absent"}, {"name": "never_was", "state": "absent"}])
    assert kt.plan(gone, CURRENT) == ([{"action": "delete", "topic": "quote"}], [])


def test_actions_run_deletes_first_then_creates_grows_and_configs():
    topics = topics_of(
        [
            {"name": "z_new"},
            {"name": "trip_intent", "partitions": 7, "config": {"retention.ms": 1}},
            {"name": "quote", "state": "absent"},
        ]
    )
    actions, _ = kt.plan(topics, CURRENT)
    assert [a["action"] for a in actions] == ["delete", "create", "add_partitions", "alter_config"]


# --- command lines ----------------------------------------------------------------------------------


def test_create_passes_each_config_on_its_own():
    (argv,) = kt.commands(
        {
            "action": "create",
            "topic": "route",
            "partitions": 3,
            "replication_factor": 3,
            "config": {"cleanup.policy": "compact,delete", "retention.ms": "1000"},
        },
        RUNNER,
        BOOTSTRAP,
    )
    assert argv == [
        RUNNER, kt.TOPIC_COMMAND, "--bootstrap-server", BOOTSTRAP, "--create", "--topic", "route",
        "--partitions", "3", "--replication-factor", "3",
        "--config", "cleanup.policy=compact,delete", "--config", "retention.ms=1000",
    ]  # fmt: skip


def test_older_releases_alter_configs_with_the_scala_tool():
    action = {
        "action": "alter_config",
        "topic": "t",
        "set": {"retention.ms": "5"},
        "delete": [],
        "before": {},
    }
    (argv,) = kt.commands(action, RUNNER, BOOTSTRAP, kt.LEGACY_CONFIG_COMMAND)
    assert argv[:2] == [RUNNER, "kafka.admin.ConfigCommand"]


def test_alter_and_delete_match_exactly_one_topic():
    # TopicCommand reads --topic as a regular expression: "a.b" alone would also match "a_b".
    (grow,) = kt.commands({"action": "add_partitions", "topic": "a.b", "from": 1, "to": 2}, RUNNER, BOOTSTRAP)
    (delete,) = kt.commands({"action": "delete", "topic": "a.b"}, RUNNER, BOOTSTRAP)
    assert grow[grow.index("--topic") + 1] == "a\\.b"
    assert delete[delete.index("--topic") + 1] == "a\\.b"


def test_config_changes_bracket_list_values():
    (argv,) = kt.commands(
        {
            "action": "alter_config",
            "topic": "route",
            "set": {"cleanup.policy": "compact,delete", "retention.ms": "5"},
            "delete": ["segment.ms", "min.insync.replicas"],
            "before": {},
        },
        RUNNER,
        BOOTSTRAP,
    )
    assert argv[argv.index("--add-config") + 1] == "cleanup.policy=[compact,delete],retention.ms=5"
    assert argv[argv.index("--delete-config") + 1] == "segment.ms,min.insync.replicas"
    assert argv[argv.index("--entity-name") + 1] == "route"


def test_each_action_reads_as_a_sentence():
    lines = [
        kt.describe_action({"action": "delete", "topic": "old"}),
        kt.describe_action({"action": "add_partitions", "topic": "t", "from": 3, "to": 6}),
        kt.describe_action(
            {
                "action": "alter_config",
                "topic": "t",
                "set": {"a.b": "1"},
                "delete": ["c"],
                "before": {"c": "2"},
            }
        ),
    ]
    assert lines == [
        "old: delete (the entry says state: absent)",
        "t: raise partitions from 3 to 6",
        "t: set a.b=1 (was default), c back to default (was 2)",
    ]


# --- carrying out, with a stand-in for kafka-run-class ----------------------------------------------


@pytest.fixture
def fake_runner(tmp_path):
    """A kafka-run-class that logs its arguments and fails for topic 'broken'."""
    log = tmp_path / "calls.jsonl"
    script = tmp_path / "kafka-run-class"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "if 'broken' in sys.argv: print('Error while executing topic command : boom'); sys.exit(1)\n"
    )
    script.chmod(0o755)
    return script, log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_carry_out_runs_each_action_and_reports_the_failures(fake_runner):
    script, log = fake_runner
    actions = [
        {"action": "create", "topic": "fine", "partitions": 1, "replication_factor": 1, "config": {}},
        {"action": "create", "topic": "broken", "partitions": 1, "replication_factor": 1, "config": {}},
        {"action": "add_partitions", "topic": "later", "from": 1, "to": 2},
    ]
    done, failures = kt.carry_out(actions, str(script), BOOTSTRAP, timeout=30)
    assert [a["topic"] for a in done] == ["fine"]
    assert failures == [
        "broken: create with 1 partition(s), replication factor 1: TopicCommand failed: "
        "Error while executing topic command : boom"
    ]
    # A failed phase stops the run: later phases (partition increases) never start.
    assert sorted(call[call.index("--topic") + 1] for call in calls(log)) == ["broken", "fine"]


def test_run_tool_names_a_tool_that_hangs(tmp_path):
    script = tmp_path / "slow"
    script.write_text("#!/bin/sh\nsleep 5\n")
    script.chmod(0o755)
    with pytest.raises(kt.ToolError, match="TopicCommand did not finish within 1 s"):
        kt.run_tool([str(script), kt.TOPIC_COMMAND], timeout=1)


def test_the_module_refuses_bad_input_without_running_any_tool(fake_runner, tmp_path):
    script, log = fake_runner
    args = {
        "ANSIBLE_MODULE_ARGS": {
            "topics": [{"name": "ok"}, {"name": "t", "replication_factor": 5}],
            "bootstrap_server": BOOTSTRAP,
            "broker_count": 3,
            "runner": str(script),
        }
    }
    result = subprocess.run(
        [sys.executable, str(MODULE_PATH)],
        input=json.dumps(args),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    output = json.loads(result.stdout)
    assert output["failed"] is True
    assert output["errors"] == [
        "topic 't': replication_factor 5 is more than the 3 brokers of the cluster; "
        "each replica needs a broker of its own"
    ]
    assert calls(log) == []


@pytest.mark.parametrize(
    ("installation", "config_class"),
    [("4.4", "org.apache.kafka.tools.ConfigCommand"), ("3.9", "kafka.admin.ConfigCommand")],
)
def test_the_module_describes_plans_and_acts(tmp_path, installation, config_class):
    """Against a stand-in that answers the two describes like a cluster holding probe.a and probe_b.
    A 3.9 installation has no org.apache.kafka.tools.ConfigCommand: the module finds the old one."""
    log = tmp_path / "calls.jsonl"
    script = tmp_path / "kafka-run-class"
    missing = "org.apache.kafka.tools.ConfigCommand" if installation == "3.9" else "none"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"if sys.argv[1] == {missing!r}:\n"
        "    print(f'Error: Could not find or load main class {sys.argv[1]}', file=sys.stderr); sys.exit(1)\n"
        "if '--describe' in sys.argv and 'TopicCommand' in sys.argv[1]:\n"
        f"    sys.stdout.write({TOPIC_DESCRIBE!r})\n"
        "elif '--describe' in sys.argv:\n"
        f"    sys.stdout.write({CONFIG_DESCRIBE!r})\n"
    )
    script.chmod(0o755)
    describes = 2 if installation == "4.4" else 3  # a 3.9 node first fails to find the 4.4 class

    def run(topics):
        args = {"topics": topics, "bootstrap_server": BOOTSTRAP, "broker_count": 3, "runner": str(script)}
        result = subprocess.run(
            [sys.executable, str(MODULE_PATH)],
            input=json.dumps({"ANSIBLE_MODULE_ARGS": args}),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        return json.loads(result.stdout)

    steady = run(
        [
            {
                "name": "probe.a",
                "partitions": 3,
                "config": {"cleanup.policy": "compact,delete", "retention.ms": 60000},
            },
            {"name": "probe_b", "replication_factor": 2},
        ]
    )
    assert steady["changed"] is False
    assert steady["summary"] == ["2 of 2 declared topics already in line"]
    assert len(calls(log)) == describes  # the describes, nothing else

    log.unlink()
    moved = run([{"name": "probe_b", "partitions": 4, "config": {"retention.ms": 1000}}, {"name": "fresh"}])
    assert moved["changed"] is True
    assert [a["action"] for a in moved["actions"]] == ["create", "add_partitions", "alter_config"]
    made = calls(log)
    assert len(made) == describes + 3
    assert [call[0] for call in made if "--alter" in call and "--entity-type" in call] == [config_class]

    log.unlink()
    refused = run([{"name": "probe.a", "partitions": 1}, {"name": "fresh"}])
    assert refused["failed"] is True
    assert "Kafka cannot remove partitions" in refused["msg"]
    assert len(calls(log)) == describes  # described, then refused: "fresh" was not created


def test_an_installation_without_any_config_command_is_named(tmp_path):
    script = tmp_path / "kafka-run-class"
    script.write_text('#!/bin/sh\necho "Error: Could not find or load main class $1" >&2\nexit 1\n')
    script.chmod(0o755)
    with pytest.raises(kt.ToolError, match=r"neither .*ConfigCommand is in this installation"):
        kt.describe_cluster(str(script), BOOTSTRAP, timeout=30)
