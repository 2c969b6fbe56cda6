#!/usr/bin/python
"""A health gate of a Kafka cluster, checked on one of its nodes with Kafka's own tools or by reading
the nodes' JMX exporters."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_gate
short_description: Wait, bounded, until one health condition of a Kafka cluster holds.
description:
  - Runs one check on the node with the tools of its own installation (through kafka-run-class),
    or, with I(source=metrics), by reading the Prometheus JMX exporters of the nodes over HTTP,
    retrying until it passes or I(timeout) runs out, and fails with the last reason it held.
  - The metric form of a check gives the tools' verdict (tests/unit/test_metric_gates.py and
    tests/e2e/test_monitoring.py run both on the same cluster at the same moment) without
    starting a JVM. An exporter that does not answer holds the gate; it is never read as 0.
  - Each check is a task of its own in the play log, so an operator reads which gate held a roll
    and why.
  - Never changes anything.
options:
  check:
    description:
      - C(quorum) the controller quorum has I(voters) voters and a leader, every voter caught up.
      - C(active_controller) the quorum leader's node id (returned as C(leader)); waits for one.
      - C(brokers) I(brokers) brokers registered and unfenced (and I(node) among them).
      - C(partitions) no partition under-replicated, under min ISR or offline.
      - C(safe_to_stop) stopping broker I(node) keeps every partition at its min ISR and online.
      - C(zookeeper_brokers) ZooKeeper mode, I(brokers) brokers registered, one of them controller.
      - C(zookeeper_controller) ZooKeeper mode, the broker id elected controller (as C(leader)).
      - C(zookeeper_ensemble) every member of I(servers) serves, one leader, the rest followers.
      - C(exporters) every exporter of I(exporters) answers (metrics only).
      - C(migration) the migration from ZooKeeper has reached I(migration_state), by the
        ZkMigrationState of the active controller among I(exporters), the controllers' (metrics only).
      - C(safe_to_stop) and the C(zookeeper_*) checks read the tools only (the metrics hold no
        partition's ISR); the others read either.
    type: str
    required: true
    choices: [quorum, active_controller, brokers, partitions, safe_to_stop, zookeeper_brokers,
              zookeeper_controller, zookeeper_ensemble, exporters, migration]
  source:
    description:
      - C(tools) runs Kafka's admin tools on this node.
      - C(metrics) reads the exporters instead. C(quorum) and C(active_controller) read the raft
        metrics of I(exporters), the controllers' (one leader, the others following it in its
        epoch, the leader counting I(voters), each within I(max_lag) records of its log end offset
        and high watermark). C(brokers) reads I(exporters), the brokers' (each RUNNING), and the
        active controller's ActiveBrokerCount among I(controller_exporters). C(partitions) sums
        UnderReplicatedPartitions and UnderMinIsrPartitionCount over I(exporters), the brokers',
        and reads OfflinePartitionsCount of the active controller among I(controller_exporters).
    type: str
    choices: [tools, metrics]
    default: tools
  exporters:
    description:
      - The JMX exporters (host:port) the metric form reads, by check, C(quorum) and
        C(active_controller) every controller's, C(brokers) and C(partitions) every broker's.
    type: list
    elements: str
  controller_exporters:
    description:
      - Where C(brokers) and C(partitions) find the active controller, KRaft, every controller's
        exporter. C(partitions) in ZooKeeper mode reads it among I(exporters), the brokers' (one of
        them is the controller), the default.
    type: list
    elements: str
  scrape_timeout:
    description: Seconds one exporter may take to answer.
    type: int
    default: 5
  bootstrap_server:
    description: Brokers to ask (host:port,...).
    type: str
  bootstrap_controller:
    description: Controllers to ask (host:port,...).
    type: str
  zookeeper:
    description: zookeeper.connect of the cluster, with its chroot.
    type: str
  servers:
    description: Members of the ZooKeeper ensemble (host:client_port,...).
    type: list
    elements: str
  voters:
    description: Voters the quorum must have.
    type: int
  brokers:
    description: Brokers that must be registered.
    type: int
  node:
    description: The node this gate is about (the broker to stop, or that just started).
    type: int
  default_min_isr:
    description: The cluster's min.insync.replicas, for topics without their own.
    type: int
    default: 1
  allow_offline:
    description: A single-broker cluster has no choice but to take its partitions offline.
    type: bool
    default: false
  max_lag:
    description: Records a voter may lag behind the leader.
    type: int
    default: 1000
  max_staleness_ms:
    description: How far behind the leader's clock a voter's last catch-up may be.
    type: int
    default: 10000
  runner:
    description: The command that runs a Kafka class with this node's installation.
    type: path
    default: /usr/local/bin/kafka-run-class
  command_config:
    description: Client configuration of the admin tools (security settings); empty for none.
    type: path
    default: ""
  timeout:
    description: Seconds to keep checking before the gate fails.
    type: int
    default: 60
  interval:
    description: Seconds between checks.
    type: int
    default: 3
  migration_state:
    description:
      - The state C(migration) waits for, C(MIGRATION) (the metadata is in KRaft, dual-write),
        C(BROKERS_MIGRATED) (MIGRATION and no broker left in ZooKeeper mode) or C(POST_MIGRATION)
        (finalized).
    type: str
    choices: [MIGRATION, BROKERS_MIGRATED, POST_MIGRATION]
  tool_timeout:
    description: Seconds one tool run may take.
    type: int
    default: 60
"""

EXAMPLES = r"""
- name: Wait until no partition is under its minimum in-sync replicas, from the exporters.
  kafkakit.kafka.kafka_gate:
    check: partitions
    source: metrics
    exporters: ["http://kafka-1:9404/metrics", "http://kafka-2:9404/metrics"]
    timeout: 300
"""

RETURN = r"""
msg:
  description: Why the gate passed, or the last reason it held.
  returned: always
  type: str
attempts:
  description: How many times the condition was checked.
  returned: always
  type: int
leader:
  description: The active controller (checks active_controller and zookeeper_controller).
  returned: when found
  type: int
silent:
  description: The exporters that did not answer (check exporters).
  returned: with check exporters
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils import gates, tool_output  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import Tools  # noqa: E402

REQUIRED = {
    "quorum": ["bootstrap_controller", "voters"],
    "active_controller": ["bootstrap_controller"],
    "brokers": ["bootstrap_server", "brokers"],
    "partitions": ["bootstrap_server"],
    "safe_to_stop": ["bootstrap_server", "node"],
    "zookeeper_brokers": ["zookeeper", "brokers"],
    "zookeeper_controller": ["zookeeper"],
    "zookeeper_ensemble": ["servers"],
}
# What each check needs with source=metrics; the checks missing here read the tools only.
METRICS_REQUIRED = {
    "quorum": ["exporters", "voters"],
    "active_controller": ["exporters"],
    "brokers": ["exporters", "controller_exporters", "brokers"],
    "partitions": ["exporters"],
    "exporters": ["exporters"],
    "migration": ["exporters", "migration_state"],
}


def _replication(tools: Tools, params: dict) -> list[dict]:
    text = tools.run(
        "MetadataQuorumCommand",
        "--bootstrap-controller",
        params["bootstrap_controller"],
        "describe",
        "--replication",
    )
    return tool_output.quorum_replication(text)


def _description(tools: Tools, params: dict) -> dict:
    return tool_output.topic_description(
        tools.run("TopicCommand", "--bootstrap-server", params["bootstrap_server"], "--describe")
    )


def _zookeeper(tools: Tools, params: dict, command: str, path: str) -> str:
    returncode, stdout, stderr = tools.zookeeper(params["zookeeper"], command, path)
    if tool_output.zookeeper_missing(stderr):
        raise gates.NotHealthy(f"{path} does not exist in ZooKeeper ({params['zookeeper']}) yet")
    if returncode != 0:
        raise gates.NotHealthy(f"ZooKeeper client failed on {path}: {tool_output.failure_reason(stderr)}")
    return stdout


def _ensemble(params: dict) -> str:
    modes = {}
    for server in params["servers"]:
        try:
            if gates.four_letter_word(server, "ruok").strip() != "imok":
                raise gates.NotHealthy(f"{server}: did not answer imok to ruok")
            answer = gates.four_letter_word(server, "srvr")
        except OSError as error:
            raise gates.NotHealthy(f"{server}: {error}") from None
        if "not currently serving requests" in answer:
            raise gates.NotHealthy(f"{server}: not serving requests (no quorum)")
        mode = tool_output.zookeeper_four_letter(answer).get("Mode")
        if not mode:
            raise gates.NotHealthy(f"{server}: unexpected srvr answer {answer.strip()[:120]!r}")
        modes[server] = mode
    return gates.ensemble_verdict(modes)


def missing(params: dict) -> str:
    """Why the parameters do not do for the check and its source (empty when they do)."""
    check, source = params["check"], params.get("source") or "tools"
    needs = (METRICS_REQUIRED if source == "metrics" else REQUIRED).get(check)
    if needs is None:
        return f"check {check} reads the {'tools' if source == 'metrics' else 'metrics'} only"
    absent = [name for name in needs if params.get(name) in (None, [])]
    return f"check is {check} but all of the following are missing: {', '.join(absent)}" if absent else ""


def metrics_checker(params: dict, found: dict, scrape_all=gates.scrape_all):
    """The function that checks `params['check']` once from the exporters' metrics."""

    def scrapes(*lists: list[str] | None) -> list[dict]:
        """One scrape of every exporter named, at once; the scrapes of each list."""
        answers = scrape_all([a for addresses in lists for a in addresses or []], params["scrape_timeout"])
        return [{a: answers[a] for a in addresses or []} for addresses in lists]

    controllers = params.get("controller_exporters") or params["exporters"]

    def quorum() -> str:
        (voters,) = scrapes(params["exporters"])
        return gates.metrics_quorum_verdict(voters, params["voters"], params["max_lag"])

    def active_controller() -> str:
        (voters,) = scrapes(params["exporters"])
        found["leader"] = gates.metrics_active_controller(voters)
        return f"active controller: {found['leader']}"

    def brokers() -> str:
        broker_scrapes, controller_scrapes = scrapes(params["exporters"], controllers)
        return gates.metrics_brokers_verdict(broker_scrapes, controller_scrapes, params["brokers"])

    def partitions() -> str:
        broker_scrapes, controller_scrapes = scrapes(params["exporters"], controllers)
        return gates.metrics_partitions_verdict(broker_scrapes, controller_scrapes)

    def exporters() -> str:
        (every,) = scrapes(params["exporters"])
        found["silent"] = sorted(a for a, answer in every.items() if isinstance(answer, str))
        return gates.exporters_verdict(every)

    def migration() -> str:
        (every,) = scrapes(params["exporters"])
        return gates.metrics_migration_verdict(every, params["migration_state"])

    return {
        "quorum": quorum,
        "active_controller": active_controller,
        "brokers": brokers,
        "partitions": partitions,
        "exporters": exporters,
        "migration": migration,
    }[params["check"]]


def checker(params: dict, tools: Tools, found: dict):
    """The function that checks `params['check']` once; `found` collects returned data."""
    if params.get("source") == "metrics":
        return metrics_checker(params, found)

    def quorum() -> str:
        return gates.quorum_verdict(
            _replication(tools, params), params["voters"], params["max_lag"], params["max_staleness_ms"]
        )

    def active_controller() -> str:
        found["leader"] = gates.active_controller(_replication(tools, params))
        return f"active controller: {found['leader']}"

    def brokers() -> str:
        text = tools.run("BrokerApiVersionsCommand", "--bootstrap-server", params["bootstrap_server"])
        return gates.brokers_verdict(tool_output.registered_brokers(text), params["brokers"], params["node"])

    def partitions() -> str:
        return gates.partitions_verdict(_description(tools, params), params["default_min_isr"])

    def safe_to_stop() -> str:
        return gates.safe_to_stop_verdict(
            _description(tools, params), params["node"], params["default_min_isr"], params["allow_offline"]
        )

    def zookeeper_brokers() -> str:
        ids = tool_output.zookeeper_children(_zookeeper(tools, params, "ls", "/brokers/ids"))
        controller = tool_output.zookeeper_json(_zookeeper(tools, params, "get", "/controller"))
        return gates.zookeeper_brokers_verdict(ids, controller, params["brokers"], params["node"])

    def zookeeper_controller() -> str:
        found["leader"] = int(
            tool_output.zookeeper_json(_zookeeper(tools, params, "get", "/controller"))["brokerid"]
        )
        return f"active controller: broker {found['leader']}"

    return {
        "quorum": quorum,
        "active_controller": active_controller,
        "brokers": brokers,
        "partitions": partitions,
        "safe_to_stop": safe_to_stop,
        "zookeeper_brokers": zookeeper_brokers,
        "zookeeper_controller": zookeeper_controller,
        "zookeeper_ensemble": lambda: _ensemble(params),
    }[params["check"]]


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "check": {"type": "str", "required": True, "choices": sorted({*REQUIRED, *METRICS_REQUIRED})},
            "source": {"type": "str", "choices": ["tools", "metrics"], "default": "tools"},
            "exporters": {"type": "list", "elements": "str"},
            "controller_exporters": {"type": "list", "elements": "str"},
            "scrape_timeout": {"type": "int", "default": 5},
            "bootstrap_server": {"type": "str"},
            "bootstrap_controller": {"type": "str"},
            "zookeeper": {"type": "str"},
            "servers": {"type": "list", "elements": "str"},
            "voters": {"type": "int"},
            "brokers": {"type": "int"},
            "node": {"type": "int"},
            "default_min_isr": {"type": "int", "default": 1},
            "allow_offline": {"type": "bool", "default": False},
            "max_lag": {"type": "int", "default": 1000},
            "max_staleness_ms": {"type": "int", "default": 10000},
            "runner": {"type": "path", "default": "/usr/local/bin/kafka-run-class"},
            "command_config": {"type": "path", "default": ""},
            "timeout": {"type": "int", "default": 60},
            "interval": {"type": "int", "default": 3},
            "migration_state": {
                "type": "str",
                "choices": ["MIGRATION", "BROKERS_MIGRATED", "POST_MIGRATION"],
            },
            "tool_timeout": {"type": "int", "default": 60},
        },
        supports_check_mode=True,
    )
    params = module.params
    refused = missing(params)
    if refused:
        module.fail_json(msg=refused)
    tools = Tools(params["runner"], params["command_config"], params["tool_timeout"])
    found: dict = {}
    passed, message, attempts = gates.wait(
        checker(params, tools, found), params["timeout"], params["interval"]
    )
    if not passed:
        module.fail_json(msg=f"not healthy after {params['timeout']}s: {message}", attempts=attempts, **found)
    module.exit_json(changed=False, msg=message, attempts=attempts, **found)


if __name__ == "__main__":
    main()
