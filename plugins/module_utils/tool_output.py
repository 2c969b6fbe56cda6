"""Parsers of what Kafka's and ZooKeeper's command-line tools print: one parser per tool output; and
of what the nodes' Prometheus exporters answer (prometheus_metrics), which the metric gates read.

Every gate, module and script that reads a tool's answer goes through these. Tables are read by
their column headers, never by position, so a column added by a later release does not shift the
others. Recorded outputs of the 3.9 and 4.x tools, refusals included, are in tests/data/tools/ and
each parser is tested against them (tests/unit/test_tool_output.py).
"""

from __future__ import annotations

import json
import re


class ToolOutputError(ValueError):
    """The text is not what the tool prints when it answers."""


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def key_values(text: str) -> dict[str, str]:
    """`Key: value` lines (MetadataQuorumCommand describe --status)."""
    fields = {}
    for line in _lines(text):
        key, sep, value = line.partition(":")
        if sep and key.strip() and " " not in key.strip():
            fields[key.strip()] = value.strip()
    return fields


def table(text: str, first_column: str) -> list[dict[str, str]]:
    """The rows of a tab-separated table whose header line starts with `first_column`, each a
    dict by header name. Lines before the header (warnings) are skipped."""
    lines = _lines(text)
    for index, line in enumerate(lines):
        cells = [cell.strip() for cell in line.split("\t")]
        if cells and cells[0] == first_column:
            header = [cell for cell in cells if cell]
            rows = []
            for row_line in lines[index + 1 :]:
                values = [cell.strip() for cell in row_line.split("\t")]
                rows.append(dict(zip(header, values, strict=False)))
            return rows
    raise ToolOutputError(f"no table with a {first_column} column in: {(text or '').strip()[-300:]!r}")


# --- MetadataQuorumCommand ------------------------------------------------------------------------
def quorum_status(text: str) -> dict:
    """`describe --status`: leader, epoch, high watermark, follower lag, voters and observers."""
    fields = key_values(text)
    if "LeaderId" not in fields:
        raise ToolOutputError(f"no LeaderId in the quorum status: {(text or '').strip()[-300:]!r}")
    return {
        "cluster_id": fields.get("ClusterId", ""),
        "leader": int(fields["LeaderId"]),
        "epoch": int(fields.get("LeaderEpoch", "-1")),
        "high_watermark": int(fields.get("HighWatermark", "-1")),
        "max_follower_lag": int(fields.get("MaxFollowerLag", "0")),
        "max_follower_lag_ms": int(fields.get("MaxFollowerLagTimeMs", "0")),
        "voters": json.loads(fields.get("CurrentVoters", "[]")),
        "observers": json.loads(fields.get("CurrentObservers", "[]")),
    }


def quorum_replication(text: str) -> list[dict]:
    """`describe --replication`: one dict per voter and observer (id, directory id, log end offset,
    lag, last fetch and last caught-up times in ms, status: Leader, Follower or Observer)."""
    replicas = []
    for row in table(text, "NodeId"):
        replicas.append(
            {
                "id": int(row["NodeId"]),
                "directory_id": row.get("DirectoryId", ""),
                "log_end_offset": int(row["LogEndOffset"]),
                "lag": int(row["Lag"]),
                "last_fetch_ms": int(row["LastFetchTimestamp"]),
                "last_caught_up_ms": int(row["LastCaughtUpTimestamp"]),
                "status": row["Status"],
            }
        )
    return replicas


# --- BrokerApiVersionsCommand ---------------------------------------------------------------------
# 3.9 prints `host:port (id: 1 rack: a) -> (`; 4.x adds the fencing state (`rack: a isFenced: false`).
_API_VERSIONS_BROKER = re.compile(r"^\S+ \(id: (\d+) rack: ([^)]*?)(?: isFenced: \w+)?\) -> \(", re.M)


def registered_brokers(text: str) -> dict[int, str]:
    """`{broker id: rack}` of the brokers that answered: a metadata answer lists only registered,
    unfenced brokers."""
    found = {int(broker): rack.strip() for broker, rack in _API_VERSIONS_BROKER.findall(text or "")}
    if not found:
        raise ToolOutputError(f"no broker in the API versions answer: {(text or '').strip()[-300:]!r}")
    return found


# --- TopicCommand --describe ------------------------------------------------------------------------
def _cells(line: str) -> dict[str, str]:
    """`Key: value<TAB>Key: value` cells of one TopicCommand line."""
    cells = {}
    for part in line.strip().split("\t"):
        key, sep, value = part.partition(":")
        if sep:
            cells[key.strip()] = value.strip()
    return cells


def _broker_ids(text: str) -> list[int]:
    return [int(item) for item in text.split(",") if item.strip().lstrip("-").isdigit()]


def _configs(text: str) -> dict[str, str]:
    """`k=v,k=v` of a topic line; values with commas (cleanup.policy=compact,delete) stay whole."""
    configs: dict[str, str] = {}
    last = None
    for part in (text or "").split(","):
        key, sep, value = part.partition("=")
        if sep and re.match(r"^[a-z][a-z0-9.]*$", key.strip()):
            last = key.strip()
            configs[last] = value
        elif last is not None:
            configs[last] += "," + part
    return configs


def topic_description(text: str) -> dict:
    """Every topic and partition of `TopicCommand --describe`.

    Returns {"topics": {name: {partitions, replication_factor, configs}}, "partitions": [{topic,
    partition, leader (None when offline), replicas, isr}]}.
    """
    topics, partitions = {}, []
    for line in _lines(text):
        cells = _cells(line)
        if "Partition" in cells and "Topic" in cells:
            leader = cells.get("Leader", "none")
            partitions.append(
                {
                    "topic": cells["Topic"],
                    "partition": int(cells["Partition"]),
                    "leader": int(leader) if leader.lstrip("-").isdigit() and int(leader) >= 0 else None,
                    "replicas": _broker_ids(cells.get("Replicas", "")),
                    "isr": _broker_ids(cells.get("Isr", "")),
                }
            )
        elif "PartitionCount" in cells and "Topic" in cells:
            topics[cells["Topic"]] = {
                "partitions": int(cells["PartitionCount"]),
                "replication_factor": int(cells["ReplicationFactor"]),
                "configs": _configs(cells.get("Configs", "")),
            }
    if not topics and (text or "").strip():
        raise ToolOutputError(f"no topic in the description: {(text or '').strip()[-300:]!r}")
    return {"topics": topics, "partitions": partitions}


def topic_names(text: str) -> list[str]:
    """`TopicCommand --list`: one name a line."""
    return sorted(line.strip() for line in _lines(text) if not line.startswith((" ", "\t")))


# --- ConfigCommand --describe -----------------------------------------------------------------------
_CONFIG_HEADING = re.compile(r"^(?:Dynamic|Default|All) configs for (.+?) are:$")


def config_description(text: str) -> dict[str, dict[str, str]]:
    """`{entity: {key: value}}` of `ConfigCommand --describe`: each heading ("Dynamic configs for
    topic orders are:", "Default configs for brokers in the cluster are:") and its indented entries
    (`key=value sensitive=false synonyms={...}`)."""
    described: dict[str, dict[str, str]] = {}
    current = None
    for line in _lines(text):
        heading = _CONFIG_HEADING.match(line.strip())
        if heading:
            current = described.setdefault(heading.group(1), {})
        elif current is not None and line.startswith(" "):
            key, sep, rest = line.strip().partition("=")
            if sep:
                current[key] = rest.split(" sensitive=", 1)[0]
    return described


# --- FeatureCommand describe ------------------------------------------------------------------------
def features(text: str) -> dict[str, dict[str, str]]:
    """`{feature: {SupportedMinVersion, SupportedMaxVersion, FinalizedVersionLevel, Epoch}}`."""
    found = {}
    for line in _lines(text):
        # 3.9 separates the cells with tabs, 4.x pads them with spaces.
        cells = _cells(re.sub(r" {2,}", "\t", line))
        if "Feature" in cells:
            found[cells.pop("Feature")] = cells
    if not found:
        raise ToolOutputError(f"no feature in: {(text or '').strip()[-300:]!r}")
    return found


# --- ReassignPartitionsCommand ----------------------------------------------------------------------
def current_assignment(text: str) -> dict[tuple[str, int], list[int]]:
    """The current assignment `--generate` prints before its (random, unused) proposal."""
    _, found, rest = (text or "").partition("Current partition replica assignment")
    if not found:
        raise ToolOutputError(f"no current assignment in the reassignment tool's output: {text[:300]!r}")
    document = json.loads(next(line for line in rest.splitlines() if line.strip().startswith("{")))
    return {
        (p["topic"], int(p["partition"])): [int(r) for r in p["replicas"]] for p in document["partitions"]
    }


def reassignment_in_progress(text: str) -> bool:
    """Whether `--verify` still sees a move under way."""
    return "is still in progress" in (text or "")


# --- ZooKeeper's command-line client ----------------------------------------------------------------
def zookeeper_answer(text: str, opening: str) -> str:
    """The answer line of ZooKeeperMain: connection chatter comes first, then the children of `ls`
    as `[a, b]` or the data of `get` (Kafka's znodes hold JSON)."""
    for raw in reversed((text or "").splitlines()):
        line = raw.strip()
        if line.startswith(opening):
            return line
    raise ToolOutputError(f"no answer from ZooKeeper in: {(text or '').strip()[-200:]!r}")


def zookeeper_children(text: str) -> list[str]:
    """`ls` children: `[1, 2, 3]`."""
    answer = zookeeper_answer(text, "[")
    return [item.strip() for item in answer.strip("[]").split(",") if item.strip()]


def zookeeper_json(text: str) -> dict:
    """`get` of a znode that holds JSON (/controller, <chroot>/cluster/id)."""
    return json.loads(zookeeper_answer(text, "{"))


def zookeeper_integer(text: str) -> int:
    """`get` of a znode that holds a bare number (<chroot>/controller_epoch)."""
    for raw in reversed((text or "").splitlines()):
        if raw.strip().isdigit():
            return int(raw.strip())
    raise ToolOutputError(f"no number from ZooKeeper in: {(text or '').strip()[-200:]!r}")


def zookeeper_missing(text: str) -> bool:
    return "Node does not exist" in (text or "")


def zookeeper_four_letter(text: str) -> dict[str, str]:
    """The `srvr` four-letter word's answer: `Mode: leader`, `Zxid: 0x...`, ..."""
    return key_values(text)


# --- Prometheus exporters (the JMX exporter agent's /metrics) ---------------------------------------
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_METRIC_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|\\.)*)"\s*(,?)')
_METRIC_LABELS_END = re.compile(r"\s*\}")
_LABEL_ESCAPE = re.compile(r"\\(.)")
_METRIC_VALUE = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|Inf|NaN)")
# The last field: the value itself, or a timestamp (milliseconds) after it.
_TIMESTAMP = re.compile(rf"-?\d+|{_METRIC_VALUE.pattern}")


def prometheus_metrics(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """An exporter's answer in Prometheus's text exposition format (0.0.4): `{metric name: [(labels,
    value), ...]}`, every sample of each name in the order served. HELP, TYPE and other comment
    lines are skipped; label values are unescaped (\\\\, \\", \\n); values are floats (NaN, +Inf and
    -Inf too); a sample's timestamp is dropped. A line that is not a sample, or an answer without
    any, is refused: whatever answered on the port is not an exporter."""
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for line in (raw.strip() for raw in _lines(text)):
        if line.startswith("#"):
            continue
        name = _METRIC_NAME.match(line)
        if not name:
            raise ToolOutputError(f"not a metric sample: {line[:200]!r}")
        position, labels = name.end(), {}
        if line.startswith("{", position):
            position += 1
            while not (closing := _METRIC_LABELS_END.match(line, position)):
                label = _METRIC_LABEL.match(line, position)
                if not label:
                    raise ToolOutputError(f"unreadable labels in: {line[:200]!r}")
                labels[label.group(1)] = _LABEL_ESCAPE.sub(
                    lambda m: "\n" if m.group(1) == "n" else m.group(1), label.group(2)
                )
                position = label.end()
                if not label.group(3) and not _METRIC_LABELS_END.match(line, position):
                    raise ToolOutputError(f"unreadable labels in: {line[:200]!r}")
            position = closing.end()
        fields = line[position:].split()
        readable = line[position : position + 1].isspace() and len(fields) in (1, 2)
        if not readable or not _METRIC_VALUE.fullmatch(fields[0]) or not _TIMESTAMP.fullmatch(fields[-1]):
            raise ToolOutputError(f"not a metric sample: {line[:200]!r}")
        samples.setdefault(name.group(), []).append((labels, float(fields[0])))
    if not samples:
        raise ToolOutputError(f"no metric in the exporter's answer: {(text or '').strip()[:200]!r}")
    return samples


# --- Failures -------------------------------------------------------------------------------------
def failure_reason(stderr: str, stdout: str = "") -> str:
    """The line that says why a tool failed: the last exception message, else the last line."""
    text = (stderr or "") + "\n" + (stdout or "")
    # `SomeException: why` or `Error: why`; not `Error while executing ...` or `KeeperErrorCode = ...`.
    causes = re.findall(r"(?:Exception|Error):\s*(.+)$", text, re.M)
    meaningful = [cause.strip() for cause in causes if cause.strip() and not cause.strip().startswith("at ")]
    if meaningful:
        return meaningful[-1][:300]
    # ZooKeeperMain's last words are always `ERROR Exiting JVM with code 1`: the reason is above.
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("at ") and "Exiting JVM with code" not in line
    ]
    return lines[-1][:300] if lines else "no output"


# --- ansible-playbook's PLAY RECAP ------------------------------------------------------------------
_RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def play_recap(output: str) -> dict[str, dict[str, int]]:
    """`{host: {ok, changed, unreachable, failed}}` from the PLAY RECAP of a playbook's output."""
    return {
        host: {"ok": int(ok), "changed": int(changed), "unreachable": int(unreachable), "failed": int(failed)}
        for host, ok, changed, unreachable, failed in _RECAP.findall(output or "")
    }


# --- dpkg-query -------------------------------------------------------------------------------------
def installed_packages(text: str) -> list[str]:
    """The names of the packages dpkg has installed, from host_prep's
    `dpkg-query --show --showformat='${db:Status-Abbrev} ${Package}\\n'` (the three status letters:
    wanted, current, error): the current state `i` without an error flag. Removed packages that left
    their configuration (`rc`) and half-installed ones are not installed."""
    names = []
    for line in _lines(text):
        status, name = line[:3], line[3:].strip()
        if len(line) < 5 or line[3] != " " or not name or " " in name:
            raise ToolOutputError(f"not a dpkg-query line: {line!r}")
        if status[1] == "i" and status[2] == " ":
            names.append(name)
    return sorted(names)
