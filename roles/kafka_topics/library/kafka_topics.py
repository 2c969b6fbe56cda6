#!/usr/bin/python
"""Bring a Kafka cluster's topics in line with a declared list, with Kafka's own admin tools.

The whole list is checked first (names, keys, partitions, replication factor, topic configs),
then the cluster is described (TopicCommand and ConfigCommand, run through kafka-run-class), then
a plan is drawn; only when the plan has no error does anything change. The module talks to
brokers only (--bootstrap-server), so it works the same in KRaft and in ZooKeeper mode.

Pure functions (check_topics, parse_topic_description, parse_config_description, plan, commands)
hold the logic and are unit-tested in tests/unit/test_kafka_topics_module.py.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_topics
short_description: Create, grow, configure and (only when asked) delete Kafka topics.
description:
  - Checks the whole topic list, describes the cluster, and changes only what differs.
  - Refuses, before changing anything, to lower a partition count, to change the replication
    factor of an existing topic, or to ask for more replicas than there are brokers.
  - Deletes a topic only when its entry says C(state: absent).
options:
  topics:
    description: Topic entries, each with name, partitions, replication_factor, config, state.
    type: list
    elements: raw
    required: true
  bootstrap_server:
    description: Broker list the admin tools connect to (host:port,...).
    type: str
  broker_count:
    description: Number of brokers in the cluster (the most replicas a partition can have).
    type: int
    required: true
  default_partitions:
    description: Partitions of a new topic whose entry gives none.
    type: int
    default: 3
  default_replication_factor:
    description: Replication factor of a new topic whose entry gives none.
    type: int
    default: 3
  extra_config_names:
    description: Topic config names to accept beyond the built-in list (newer Kafka, plugins).
    type: list
    elements: str
    default: []
  exclusive_config:
    description: Remove dynamic configs of a managed topic that its entry does not list.
    type: bool
    default: true
  validate_only:
    description: Check the list and return, contacting no broker.
    type: bool
    default: false
  runner:
    description: The command that runs a Kafka class with the node's installation.
    type: path
    default: /usr/local/bin/kafka-run-class
  timeout:
    description: Seconds each admin tool may run.
    type: int
    default: 120
"""

RETURN = r"""
actions:
  description: What was done (or, in check mode, would be done), in order.
  returned: always
  type: list
summary:
  description: One line per topic that changed, and a count of those already in line.
  returned: always
  type: list
"""

import difflib  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

TOPIC_COMMAND = "org.apache.kafka.tools.TopicCommand"
CONFIG_COMMAND = "org.apache.kafka.tools.ConfigCommand"
# Before Kafka 4.4, ConfigCommand lived in the Scala core (TopicCommand moved to tools in 3.x).
# The module asks the installation which one it has rather than guessing from a version.
LEGACY_CONFIG_COMMAND = "kafka.admin.ConfigCommand"
ENTRY_KEYS = ("name", "partitions", "replication_factor", "config", "state")
STATES = ("present", "absent")
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9._-]+$")
NAME_MAX_LENGTH = 249
# Topic-level configs of Kafka 3.9 to 4.4 (org.apache.kafka.common.config.TopicConfig and
# LogConfig). Those Kafka 4.0 removed (message.format.version, message.downconversion.enable,
# message.timestamp.difference.max.ms) are left out: add them with extra_config_names on 3.9.
TOPIC_CONFIG_NAMES = frozenset(
    {
        "cleanup.policy",
        "compression.gzip.level",
        "compression.lz4.level",
        "compression.type",
        "compression.zstd.level",
        "delete.retention.ms",
        "errors.deadletterqueue.group.enable",
        "file.delete.delay.ms",
        "flush.messages",
        "flush.ms",
        "follower.replication.throttled.replicas",
        "index.interval.bytes",
        "leader.replication.throttled.replicas",
        "local.retention.bytes",
        "local.retention.ms",
        "max.compaction.lag.ms",
        "max.decompressed.message.bytes",
        "max.message.bytes",
        "message.timestamp.after.max.ms",
        "message.timestamp.before.max.ms",
        "message.timestamp.type",
        "min.cleanable.dirty.ratio",
        "min.compaction.lag.ms",
        "min.insync.replicas",
        "preallocate",
        "remote.copy.lag.bytes",
        "remote.copy.lag.ms",
        "remote.log.copy.disable",
        "remote.log.delete.on.disable",
        "remote.storage.enable",
        "retention.bytes",
        "retention.ms",
        "segment.bytes",
        "segment.index.bytes",
        "segment.jitter.ms",
        "segment.ms",
        "unclean.leader.election.enable",
    }
)


class ToolError(Exception):
    """A Kafka admin tool failed; the message carries its last words."""


class MissingClass(ToolError):
    """The installation has no such class (a tool that moved between releases)."""


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
    return config


def check_topics(
    entries,
    broker_count: int,
    default_partitions: int = 3,
    default_replication_factor: int = 3,
    extra_config_names=(),
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
            errors += _replica_errors(topic, label, broker_count)
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


def _replica_errors(topic: dict, label: str, broker_count: int) -> list[str]:
    replication = topic["replication_factor"] or topic["default_replication_factor"]
    where = "" if topic["replication_factor"] else " (kafka_topics_default_replication_factor)"
    errors = []
    if broker_count >= 1 and replication > broker_count:
        errors.append(
            f"{label}: replication_factor {replication}{where} is more than the {broker_count} "
            "brokers of the cluster; each replica needs a broker of its own"
        )
    min_isr = topic["config"].get("min.insync.replicas")
    if min_isr is not None and min_isr.isdigit() and int(min_isr) > replication:
        errors.append(
            f"{label}: min.insync.replicas {min_isr} is more than its {replication} replicas: "
            "every acks=all write would fail"
        )
    return errors


# --- Reading the cluster --------------------------------------------------------------------------


_TOPIC_HEADER = re.compile(r"^Topic:\s*(\S+)\s.*?PartitionCount:\s*(\d+)\s+ReplicationFactor:\s*(\d+)")
_CONFIG_HEADER = re.compile(r"^Dynamic configs for topic (\S+) are:\s*$")
_CONFIG_LINE = re.compile(r"^\s+([A-Za-z0-9._-]+)=(.*?) sensitive=(?:true|false) synonyms=\{.*\}\s*$")


def parse_topic_description(text: str) -> dict[str, dict]:
    """{topic: {partitions, replication_factor}} from `TopicCommand --describe` (3.9 and 4.x)."""
    topics = {}
    for line in text.splitlines():
        match = _TOPIC_HEADER.match(line)
        if match:
            name, partitions, replication = match.groups()
            topics[name] = {"partitions": int(partitions), "replication_factor": int(replication)}
    return topics


def parse_config_description(text: str) -> dict[str, dict[str, str]]:
    """{topic: {config: value}} of the dynamic (per-topic) configs from `ConfigCommand --describe`."""
    configs: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        header = _CONFIG_HEADER.match(line)
        if header:
            current = configs.setdefault(header.group(1), {})
            continue
        entry = _CONFIG_LINE.match(line)
        if entry and current is not None:
            current[entry.group(1)] = entry.group(2)
    return configs


def cluster_state(topic_text: str, config_text: str) -> dict[str, dict]:
    """{topic: {partitions, replication_factor, config}} of the topics that exist."""
    topics = parse_topic_description(topic_text)
    configs = parse_config_description(config_text)
    return {name: {**topic, "config": configs.get(name, {})} for name, topic in topics.items()}


# --- Planning ---------------------------------------------------------------------------------------


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


def commands(
    action: dict, runner: str, bootstrap: str, config_class: str = CONFIG_COMMAND
) -> list[list[str]]:
    """The admin tool invocations that carry out one action."""
    topic_tool = [runner, TOPIC_COMMAND, "--bootstrap-server", bootstrap]
    config_tool = [runner, config_class, "--bootstrap-server", bootstrap]
    kind, name = action["action"], action["topic"]
    if kind == "create":
        argv = [*topic_tool, "--create", "--topic", name, "--partitions", str(action["partitions"])]
        argv += ["--replication-factor", str(action["replication_factor"])]
        for key, value in action["config"].items():
            argv += ["--config", f"{key}={value}"]
        return [argv]
    if kind == "add_partitions":
        return [[*topic_tool, "--alter", "--topic", _exact(name), "--partitions", str(action["to"])]]
    if kind == "delete":
        return [[*topic_tool, "--delete", "--topic", _exact(name)]]
    argv = [*config_tool, "--alter", "--entity-type", "topics", "--entity-name", name]
    if action["set"]:
        argv += ["--add-config", ",".join(f"{k}={_alter_value(v)}" for k, v in action["set"].items())]
    if action["delete"]:
        argv += ["--delete-config", ",".join(action["delete"])]
    return [argv]


def run_tool(argv: list[str], timeout: int) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as expired:
        raise ToolError(f"{argv[1].rsplit('.', 1)[-1]} did not finish within {timeout} s") from expired
    if result.returncode != 0:
        words = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        if any("Could not find or load main class" in line for line in words):
            raise MissingClass(f"this installation has no {argv[1]}")
        last = next((line for line in words if "Error" in line or "Exception" in line), None)
        raise ToolError(
            f"{argv[1].rsplit('.', 1)[-1]} failed: {(last or (words or ['no output'])[-1]).strip()}"
        )
    return result.stdout


def describe_cluster(runner: str, bootstrap: str, timeout: int) -> tuple[dict[str, dict], str]:
    """The topics that exist, and the ConfigCommand class this installation has.

    Both descriptions run at once (each tool is a JVM start of a few seconds). ConfigCommand is
    tried where Kafka 4.4+ keeps it first, then where older releases do (a JVM that finds no main
    class fails in a fraction of a second).
    """
    topic_argv = [runner, TOPIC_COMMAND, "--bootstrap-server", bootstrap, "--describe", "--exclude-internal"]

    def configs() -> tuple[str, str]:
        for config_class in (CONFIG_COMMAND, LEGACY_CONFIG_COMMAND):
            argv = [
                runner,
                config_class,
                "--bootstrap-server",
                bootstrap,
                "--describe",
                "--entity-type",
                "topics",
            ]
            try:
                return run_tool(argv, timeout), config_class
            except MissingClass:
                continue
        raise ToolError(f"neither {CONFIG_COMMAND} nor {LEGACY_CONFIG_COMMAND} is in this installation")

    with ThreadPoolExecutor(max_workers=2) as pool:
        topic_future = pool.submit(run_tool, topic_argv, timeout)
        config_future = pool.submit(configs)
        config_text, config_class = config_future.result()
        return cluster_state(topic_future.result(), config_text), config_class


def carry_out(
    actions: list[dict], runner: str, bootstrap: str, timeout: int, config_class: str = CONFIG_COMMAND
) -> tuple[list[dict], list[str]]:
    """Run the actions two at a time (each is a JVM start; they touch different things), in the
    plan's order of phases. Returns the actions done and a line per failure."""

    def one(action: dict) -> str | None:
        try:
            for argv in commands(action, runner, bootstrap, config_class):
                run_tool(argv, timeout)
        except (ToolError, OSError) as failure:
            return f"{describe_action(action)}: {failure}"
        return None

    done, failures = [], []
    for phase in ("delete", "create", "add_partitions", "alter_config"):
        batch = [action for action in actions if action["action"] == phase]
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(one, batch))
        done += [action for action, failure in zip(batch, outcomes, strict=True) if failure is None]
        failures += [failure for failure in outcomes if failure is not None]
        if failures:
            break
    return done, failures


def _summary(actions: list[dict], topics: list[dict]) -> list[str]:
    touched = {action["topic"] for action in actions}
    lines = [describe_action(action) for action in actions]
    steady = len([t for t in topics if t["name"] not in touched])
    return [*lines, f"{steady} of {len(topics)} declared topics already in line"]


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "topics": {"type": "list", "elements": "raw", "required": True},
            "bootstrap_server": {"type": "str"},
            "broker_count": {"type": "int", "required": True},
            "default_partitions": {"type": "int", "default": 3},
            "default_replication_factor": {"type": "int", "default": 3},
            "extra_config_names": {"type": "list", "elements": "str", "default": []},
            "exclusive_config": {"type": "bool", "default": True},
            "validate_only": {"type": "bool", "default": False},
            "runner": {"type": "path", "default": "/usr/local/bin/kafka-run-class"},
            "timeout": {"type": "int", "default": 120},
        },
        required_if=[("validate_only", False, ["bootstrap_server"])],
        supports_check_mode=True,
    )
    params = module.params
    topics, errors = check_topics(
        params["topics"],
        params["broker_count"],
        params["default_partitions"],
        params["default_replication_factor"],
        params["extra_config_names"],
    )
    if errors:
        module.fail_json(msg="Refusing to change any topic:\n- " + "\n- ".join(errors), errors=errors)
    if params["validate_only"]:
        module.exit_json(changed=False, actions=[], summary=[f"{len(topics)} topic entries checked"])

    try:
        current, config_class = describe_cluster(
            params["runner"], params["bootstrap_server"], params["timeout"]
        )
    except (ToolError, OSError) as failure:
        module.fail_json(msg=f"Could not describe the cluster's topics (nothing changed): {failure}")
    actions, errors = plan(topics, current, params["exclusive_config"])
    if errors:
        module.fail_json(msg="Refusing to change any topic:\n- " + "\n- ".join(errors), errors=errors)

    result = {
        "changed": bool(actions),
        "actions": actions,
        "summary": _summary(actions, topics),
        "diff": {
            "before": {a["topic"]: current.get(a["topic"], {}) for a in actions},
            "after": {a["topic"]: {k: v for k, v in a.items() if k != "topic"} for a in actions},
        },
    }
    if module.check_mode:
        module.exit_json(**result)
    done, failures = carry_out(
        actions, params["runner"], params["bootstrap_server"], params["timeout"], config_class
    )
    if failures:
        module.fail_json(
            msg="Could not finish the topic changes:\n- " + "\n- ".join(failures),
            changed=bool(done),
            actions=done,
            summary=[describe_action(action) for action in done],
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
