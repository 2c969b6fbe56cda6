"""Topics as inventory data (kafka_topics_list): the checks of the declared list, the plan that brings
the cluster in line, and the admin commands that carry it out.

Used on the controller by the cluster model (every entry checked before any host is touched) and on
a broker by the kafka_topics module (the plan against what the cluster has). Tests:
tests/unit/test_topics.py.
"""

from __future__ import annotations

import difflib
import re

from ansible_collections.kafkakit.kafka.plugins.module_utils import tool_output

ENTRY_KEYS = ("name", "partitions", "replication_factor", "config", "state")
STATES = ("present", "absent")
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9._-]+$")
NAME_MAX_LENGTH = 249
# Topic-level configs of Kafka 3.9 to 4.4 (org.apache.kafka.common.config.TopicConfig and
# LogConfig), each with the kind of value Kafka accepts: (kind, minimum) for numbers, the choices
# for enumerations and lists. Those Kafka 4.0 removed (message.format.version,
# message.downconversion.enable, message.timestamp.difference.max.ms) are left out: add them with
# extra_config_names on 3.9 (their values are then not checked).
_MS, _BYTES = ("long", 0), ("long", 0)
TOPIC_CONFIGS: dict[str, tuple] = {
    "cleanup.policy": ("list", ("compact", "delete")),
    "compression.gzip.level": ("int", -1),
    "compression.lz4.level": ("int", 1),
    "compression.type": ("choice", ("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")),
    "compression.zstd.level": ("int", -131072),
    "delete.retention.ms": _MS,
    "errors.deadletterqueue.group.enable": ("bool", None),
    "file.delete.delay.ms": _MS,
    "flush.messages": ("long", 1),
    "flush.ms": _MS,
    "follower.replication.throttled.replicas": ("string", None),
    "index.interval.bytes": ("int", 0),
    "leader.replication.throttled.replicas": ("string", None),
    "local.retention.bytes": ("long", -2),
    "local.retention.ms": ("long", -2),
    "max.compaction.lag.ms": ("long", 1),
    "max.decompressed.message.bytes": ("int", 0),
    "max.message.bytes": ("int", 0),
    "message.timestamp.after.max.ms": _MS,
    "message.timestamp.before.max.ms": _MS,
    "message.timestamp.type": ("choice", ("CreateTime", "LogAppendTime")),
    "min.cleanable.dirty.ratio": ("ratio", None),
    "min.compaction.lag.ms": _MS,
    "min.insync.replicas": ("int", 1),
    "preallocate": ("bool", None),
    "remote.copy.lag.bytes": _BYTES,
    "remote.copy.lag.ms": _MS,
    "remote.log.copy.disable": ("bool", None),
    "remote.log.delete.on.disable": ("bool", None),
    "remote.storage.enable": ("bool", None),
    "retention.bytes": ("long", -1),
    "retention.ms": ("long", -1),
    "segment.bytes": ("int", 14),
    "segment.index.bytes": ("int", 4),
    "segment.jitter.ms": _MS,
    "segment.ms": ("long", 1),
    "unclean.leader.election.enable": ("bool", None),
}
TOPIC_CONFIG_NAMES = frozenset(TOPIC_CONFIGS)
_INT_MAX, _LONG_MAX = 2**31 - 1, 2**63 - 1
_UNITS = {"ms": "milliseconds", "bytes": "bytes"}


def _number_error(key: str, value: str, kind: str, bound) -> str | None:
    limit = _INT_MAX if kind == "int" else _LONG_MAX
    unit = _UNITS.get(key.rsplit(".", 1)[-1], "")
    if not re.fullmatch(r"-?\d+", value):
        return f"{key} {value!r} must be a whole number" + (f" of {unit}" if unit else "")
    if not bound <= int(value) <= limit:
        return f"{key} {value} must be between {bound} and {limit}"
    return None


def _ratio_error(key: str, value: str, kind: str, bound) -> str | None:
    try:
        ratio = float(value)
    except ValueError:
        return f"{key} {value!r} must be a number from 0 to 1"
    return None if 0 <= ratio <= 1 else f"{key} {value} must be from 0 to 1"


def _list_error(key: str, value: str, kind: str, bound) -> str | None:
    wrong = [item for item in value.split(",") if item not in bound]
    return (
        f"{key} {value!r} must be one or more of {', '.join(bound)} (a list)" if wrong or not value else None
    )


_VALUE_CHECKS = {
    "int": _number_error,
    "long": _number_error,
    "ratio": _ratio_error,
    "list": _list_error,
    "bool": lambda key, value, kind, bound: (
        None if value in ("true", "false") else f"{key} {value!r} must be true or false"
    ),
    "choice": lambda key, value, kind, bound: (
        None if value in bound else f"{key} {value!r} must be one of {', '.join(bound)}"
    ),
    "string": lambda key, value, kind, bound: None,
}


def config_value_error(key: str, value: str) -> str | None:
    """Why Kafka would refuse `value` (as config_value spells it) for the topic config `key`."""
    if key not in TOPIC_CONFIGS:
        return None
    kind, bound = TOPIC_CONFIGS[key]
    return _VALUE_CHECKS[kind](key, value, kind, bound)


# --- Checking the declared list (no broker needed) ----------------------------------------------


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _count(value, what: str, label: str, errors: list[str]) -> int | None:
    """A whole number of at least 1 (YAML may hand digits over as a string), else an error."""
    if value is None:
        return None
    if isinstance(value, bool) or not (isinstance(value, int) or str(value).strip().isdigit()):
        errors.append(f"{label}: {what} {value!r} is not a whole number")
        return None
    number = int(value)
    if number < 1:
        errors.append(f"{label}: {what} must be at least 1, not {number}")
        return None
    return number


def config_value(value) -> str:
    """A topic config value as Kafka stores it: booleans lower case, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(config_value(item) for item in value)
    text = str(value).strip()
    return ",".join(part.strip() for part in text.split(",")) if "," in text else text


def _config(raw, label: str, known: frozenset, errors: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(f"{label}: config must be a mapping of Kafka topic configs, not {type(raw).__name__}")
        return {}
    config = {}
    for raw_key, value in raw.items():
        key = str(raw_key)
        if key not in known:
            errors.append(f"{label}: unknown topic config {key!r}{_suggest(key, known)}")
        elif value is None or isinstance(value, dict):
            errors.append(f"{label}: config {key} needs a value (a string, number, boolean or list)")
        else:
            config[key] = config_value(value)
            problem = config_value_error(key, config[key])
            if problem:
                errors.append(f"{label}: {problem}")
    return config


def check_topics(
    entries,
    broker_count: int,
    default_partitions: int = 3,
    default_replication_factor: int = 3,
    *,
    extra_config_names=(),
    cluster_min_isr: int | None = None,
) -> tuple[list[dict], list[str]]:
    """Normalise the declared entries and list every problem in them (all at once).

    Returns (topics, errors). Each topic: name, state, partitions and replication_factor (None
    when the entry leaves them to the defaults), config ({name: string}), and the defaults.
    """
    known = TOPIC_CONFIG_NAMES | frozenset(extra_config_names or ())
    errors: list[str] = []
    topics: list[dict] = []
    if not isinstance(entries, list):
        return [], [f"kafka_topics_list must be a list of topic entries, not {type(entries).__name__}"]
    if broker_count < 1:
        errors.append("no brokers in the inventory: a topic needs at least one")
    for label, value in (
        ("kafka_topics_default_partitions", default_partitions),
        ("kafka_topics_default_replication_factor", default_replication_factor),
    ):
        _count(value, "the value", label, errors)
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            errors.append(f"entry {index}: a topic entry is a mapping with a name, not {entry!r}")
            continue
        name = entry.get("name")
        label = f"topic {name!r}" if isinstance(name, str) and name else f"entry {index}"
        errors += [
            f"{label}: unknown key {key!r}{_suggest(str(key), ENTRY_KEYS)}; keys are {', '.join(ENTRY_KEYS)}"
            for key in entry
            if key not in ENTRY_KEYS
        ]
        if not isinstance(name, str) or not name:
            errors.append(f"{label}: name is missing")
            continue
        errors += _name_errors(name, label)
        collision = name.replace(".", "_")
        if collision in seen:
            other = seen[collision]
            errors.append(
                f"{label}: declared twice"
                if other == name
                else f"{label}: collides with {other!r} (Kafka's metric names treat '.' and '_' alike)"
            )
            continue
        seen[collision] = name
        state = entry.get("state", "present")
        if state not in STATES:
            errors.append(f"{label}: state {state!r} must be present or absent")
            continue
        partitions = _count(entry.get("partitions"), "partitions", label, errors)
        replication = _count(entry.get("replication_factor"), "replication_factor", label, errors)
        config = _config(entry.get("config"), label, known, errors)
        topic = {
            "name": name,
            "state": state,
            "partitions": partitions,
            "replication_factor": replication,
            "config": config,
            "default_partitions": int(default_partitions),
            "default_replication_factor": int(default_replication_factor),
        }
        if state == "present":
            errors += _replica_errors(topic, label, broker_count, cluster_min_isr)
        topics.append(topic)
    return topics, errors


def _name_errors(name: str, label: str) -> list[str]:
    if name in (".", ".."):
        return [f"{label}: '.' and '..' are not topic names"]
    if len(name) > NAME_MAX_LENGTH:
        return [f"{label}: a topic name has at most {NAME_MAX_LENGTH} characters, this one {len(name)}"]
    if not NAME_PATTERN.match(name):
        return [f"{label}: a topic name uses only letters, digits, '.', '_' and '-'"]
    if name.startswith("__"):
        return [f"{label}: names starting with '__' belong to Kafka's internal topics"]
    return []


def _replica_errors(
    topic: dict, label: str, broker_count: int, cluster_min_isr: int | None = None
) -> list[str]:
    replication = topic["replication_factor"] or topic["default_replication_factor"]
    where = "" if topic["replication_factor"] else " (kafka_topics_default_replication_factor)"
    errors = []
    if broker_count >= 1 and replication > broker_count:
        errors.append(
            f"{label}: replication_factor {replication}{where} is more than the {broker_count} "
            "brokers of the cluster; each replica needs a broker of its own"
        )
    own = topic["config"].get("min.insync.replicas")
    if own is not None and own.isdigit():
        min_isr, which = int(own), "its min.insync.replicas"
    else:
        min_isr, which = cluster_min_isr, "the cluster's min.insync.replicas (kafka_min_insync_replicas)"
    if min_isr is None:
        return errors
    if min_isr > replication:
        errors.append(
            f"{label}: {which} {min_isr} is more than its {replication} replicas{where}: every acks=all "
            "write would fail"
        )
    elif min_isr == replication > 1:
        errors.append(
            f"{label}: {which} {min_isr} equals its {replication} replicas{where}: one broker down would "
            "stop every acks=all write; give it more replicas or a lower min.insync.replicas"
        )
    return errors


# --- Planning ---------------------------------------------------------------------------------------


def cluster_state(topic_text: str, config_text: str) -> dict[str, dict]:
    """{topic: {partitions, replication_factor, config}} of the topics that exist."""
    topics = tool_output.topic_description(topic_text)["topics"] if topic_text.strip() else {}
    configs = tool_output.config_description(config_text)
    return {
        name: {
            "partitions": topic["partitions"],
            "replication_factor": topic["replication_factor"],
            "config": configs.get(f"topic {name}", {}),
        }
        for name, topic in topics.items()
    }


def plan(topics: list[dict], current: dict[str, dict], exclusive_config: bool = True):
    """The actions that bring `current` in line with `topics`, and every reason to refuse.

    Actions, in the order they run: deletes, creates, partition increases, config changes.
    """
    errors: list[str] = []
    deletes, creates, grows, alters = [], [], [], []
    for topic in sorted(topics, key=lambda t: t["name"]):
        name, existing = topic["name"], current.get(topic["name"])
        label = f"topic {name!r}"
        if topic["state"] == "absent":
            if existing:
                deletes.append({"action": "delete", "topic": name})
            continue
        if existing is None:
            creates.append(
                {
                    "action": "create",
                    "topic": name,
                    "partitions": topic["partitions"] or topic["default_partitions"],
                    "replication_factor": topic["replication_factor"] or topic["default_replication_factor"],
                    "config": dict(sorted(topic["config"].items())),
                }
            )
            continue
        wanted, has = topic["partitions"], existing["partitions"]
        if wanted is not None and wanted < has:
            errors.append(
                f"{label}: has {has} partitions and the entry asks for {wanted}; Kafka cannot remove "
                "partitions (to start over, mark it state: absent, run, then declare it again)"
            )
        elif wanted is not None and wanted > has:
            grows.append({"action": "add_partitions", "topic": name, "from": has, "to": wanted})
        replication, has_replication = topic["replication_factor"], existing["replication_factor"]
        if replication is not None and replication != has_replication:
            errors.append(
                f"{label}: has replication factor {has_replication} and the entry asks for "
                f"{replication}; changing it needs a partition reassignment, which this role does not do"
            )
        alter = _config_change(name, topic["config"], existing["config"], exclusive_config)
        if alter:
            alters.append(alter)
    return deletes + creates + grows + alters, errors


def _config_change(name: str, wanted: dict, has: dict, exclusive: bool) -> dict | None:
    to_set = {key: value for key, value in sorted(wanted.items()) if has.get(key) != value}
    to_delete = sorted(key for key in has if key not in wanted) if exclusive else []
    if not to_set and not to_delete:
        return None
    return {
        "action": "alter_config",
        "topic": name,
        "set": to_set,
        "delete": to_delete,
        "before": {key: has[key] for key in sorted(has) if key in to_set or key in to_delete},
    }


def describe_action(action: dict) -> str:
    """One line for people: what an action does."""
    name, kind = action["topic"], action["action"]
    if kind == "create":
        config = ", ".join(f"{k}={v}" for k, v in action["config"].items())
        return (
            f"{name}: create with {action['partitions']} partition(s), replication factor "
            f"{action['replication_factor']}" + (f", {config}" if config else "")
        )
    if kind == "add_partitions":
        return f"{name}: raise partitions from {action['from']} to {action['to']}"
    if kind == "delete":
        return f"{name}: delete (the entry says state: absent)"
    changes = [f"{k}={v} (was {action['before'].get(k, 'default')})" for k, v in action["set"].items()]
    changes += [f"{k} back to default (was {action['before'][k]})" for k in action["delete"]]
    return f"{name}: set " + ", ".join(changes)


# --- Acting ------------------------------------------------------------------------------------------


def _exact(name: str) -> str:
    """TopicCommand reads --topic as a regular expression for alter and delete: match one name."""
    return name.replace(".", "\\.")


def _alter_value(value: str) -> str:
    """ConfigCommand splits --add-config on commas: a list value goes in square brackets."""
    return f"[{value}]" if "," in value else value


def commands(action: dict, argv, bootstrap: str) -> list[list[str]]:
    """The admin tool invocations that carry out one action; `argv(tool, *args)` builds a tool's
    command line (tools.Tools.argv)."""
    kind, name = action["action"], action["topic"]

    def topic_tool(*args: str) -> list[str]:
        return argv("TopicCommand", "--bootstrap-server", bootstrap, *args)

    if kind == "create":
        args = ["--create", "--topic", name, "--partitions", str(action["partitions"])]
        args += ["--replication-factor", str(action["replication_factor"])]
        for key, value in action["config"].items():
            args += ["--config", f"{key}={value}"]
        return [topic_tool(*args)]
    if kind == "add_partitions":
        return [topic_tool("--alter", "--topic", _exact(name), "--partitions", str(action["to"]))]
    if kind == "delete":
        return [topic_tool("--delete", "--topic", _exact(name))]
    args = ["--bootstrap-server", bootstrap, "--alter", "--entity-type", "topics", "--entity-name", name]
    if action["set"]:
        args += ["--add-config", ",".join(f"{k}={_alter_value(v)}" for k, v in action["set"].items())]
    if action["delete"]:
        args += ["--delete-config", ",".join(action["delete"])]
    return [argv("ConfigCommand", *args)]


def summary(actions: list[dict], topics: list[dict]) -> list[str]:
    """One line per action, and how many declared topics were already in line."""
    touched = {action["topic"] for action in actions}
    lines = [describe_action(action) for action in actions]
    steady = len([t for t in topics if t["name"] not in touched])
    return [*lines, f"{steady} of {len(topics)} declared topics already in line"]
