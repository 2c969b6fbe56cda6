"""The monitoring files: JMX exporter rules, Prometheus alert rules and Grafana dashboards, held against
series recorded from real nodes (tests/data/metrics: Kafka 4.4.0 KRaft combined, controller and broker,
Kafka 3.9.2 in ZooKeeper mode, ZooKeeper 3.8.4 standalone and ensemble, node exporter 1.5). No network,
no running Kafka; the promtool checks run where Debian's `prometheus` package is installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml
from ansible_collections.kafkakit.kafka.plugins.module_utils import model, monitoring

ROOT = Path(__file__).resolve().parents[2]
METRICS = ROOT / "tests" / "data" / "metrics"
JMX_RULES = ROOT / "roles" / "kafka_metrics" / "files"
ALERTS = ROOT / "roles" / "monitoring" / "files" / "kafka-alerts.yml"
DASHBOARDS = sorted((ROOT / "roles" / "monitoring" / "files" / "dashboards").glob("*.json"))
PROMTOOL = shutil.which("promtool")
NO_PROMTOOL = "promtool is not on PATH (Debian package `prometheus`: apt-get install prometheus)"

# Each recorded sample, with the labels its scrape target gets from the kit's scrape config.
SAMPLES = {
    "kraft-combined-4.4.0.txt": {"job": "kafka", "role": "combined"},
    "kraft-controller-4.4.0.txt": {"job": "kafka", "role": "controller"},
    "kraft-broker-4.4.0.txt": {"job": "kafka", "role": "broker"},
    "kafka-zk-broker-3.9.2.txt": {"job": "kafka", "role": "broker"},
    "zookeeper-3.8.4.txt": {"job": "zookeeper"},
    "zookeeper-3.8.4-ensemble-leader.txt": {"job": "zookeeper"},
    "zookeeper-3.8.4-ensemble-follower.txt": {"job": "zookeeper"},
    "node-exporter-1.5.txt": {"job": "node"},
}
RULES_SAMPLES = {
    "kafka-jmx-exporter.yml": [name for name, labels in SAMPLES.items() if labels["job"] == "kafka"],
    "zookeeper-jmx-exporter.yml": [name for name, labels in SAMPLES.items() if labels["job"] == "zookeeper"],
}
# Series that expressions use but no recorded sample has, and why.
NOT_RECORDED = {
    "up": "Prometheus makes it for every scrape target itself; no exporter exposes it",
    "kafkakit_certificate_expiry_timestamp_seconds": (
        "the kit writes it into node exporter's textfile collector directory; no exporter makes it"
    ),
}
JOBS = {"kafka", "zookeeper", "node"}
ROLES = {"broker", "controller", "combined"}
SEVERITIES = {"warning", "critical"}

# ---- PromQL: the metric names of an expression ----

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GRAFANA_VARIABLE = re.compile(r"\$\{?\w+\}?")
_LABEL_LIST = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?")
_KEYWORDS = {
    "and", "or", "unless", "atan2", "bool", "offset", "by", "without", "on", "ignoring",
    "group_left", "group_right", "inf", "nan",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects: every identifier that is not a function or aggregation
    (followed by `(`), a keyword, a label name in by/without/on/ignoring/group_* lists, or inside a
    string, a label matcher, a range or a Grafana variable. Enough for the expressions of the kit; it
    does not parse PromQL (promtool does that below)."""
    text = _STRING.sub(" ", expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGE.sub(" ", text)
    text = _GRAFANA_VARIABLE.sub(" ", text)
    text = _LABEL_LIST.sub(" ", text)
    return {name for name, call in _IDENTIFIER.findall(text) if not call and name.lower() not in _KEYWORDS}


def grafana_query_expr(query: str) -> str:
    """The PromQL inside a Grafana variable query: label_values(<selector>, <label>) selects <selector>."""
    found = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", query, re.DOTALL)
    return found.group(1) if found else query


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('up{job="kafka"} == 0', {"up"}),
        (
            'sum without (instance) (kafka_controller_kafkacontroller_fencedbrokercount{job="kafka"}) != 1',
            {"kafka_controller_kafkacontroller_fencedbrokercount"},
        ),
        ('rate(x_total{a="b"}[5m])', {"x_total"}),
        ("max without (instance, role) (a) - ignoring (instance, role) group_right b > 1000", {"a", "b"}),
        ("a * on (job) group_left (version) b", {"a", "b"}),
        ("x - time() < 21 * 86400", {"x"}),
        ('label_replace(m, "dst", "$1", "src", "(.*)")', {"m"}),
        ('rate(m{instance=~"$instance"}[$__rate_interval])', {"m"}),
        ("a offset 5m and on (job) b", {"a", "b"}),
        ('100 * (1 - a{mountpoint="/data"} / b{mountpoint="/data"}) > 80', {"a", "b"}),
        ("count by (version) (v)", {"v"}),
        ("sum(rate(c[5m])) by (instance)", {"c"}),
        ("histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))", {"h_bucket"}),
        ('m{label="a{b}", other="[x]"}', {"m"}),
        ("x > bool 1e3", {"x"}),
        ("changes(e[30m]) > 3 or absent(f)", {"e", "f"}),
        ("max_over_time(g[1h:5m])", {"g"}),
        ("node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", {
            "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes",
        }),
        ("vector(1)", set()),
    ],
)  # fmt: skip
def test_metric_names_of_an_expression(expr, names):
    assert metric_names(expr) == names


def test_grafana_variable_queries_select_their_first_argument():
    assert (
        grafana_query_expr('label_values(node_uname_info{job="node"}, instance)')
        == 'node_uname_info{job="node"}'
    )
    assert grafana_query_expr("up") == "up"


# ---- the recorded samples ----

_SAMPLE_LINE = re.compile(r'([A-Za-z_:][\w:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})? (\S+)')


@cache
def sample_series(name: str) -> tuple[tuple[str, str, str], ...]:
    """(metric, labels text with braces or "", value) of every series in a recorded sample."""
    series = []
    for line in (METRICS / name).read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        found = _SAMPLE_LINE.fullmatch(line)
        assert found, f"{name}: not an exposition line: {line!r}"
        series.append((found.group(1), found.group(2) or "", found.group(3)))
    return tuple(series)


@cache
def recorded_names() -> frozenset[str]:
    return frozenset(metric for name in SAMPLES for metric, _, _ in sample_series(name))


def test_the_samples_are_the_recorded_scrapes():
    assert sorted(p.name for p in METRICS.glob("*.txt")) == sorted(SAMPLES)
    for name in SAMPLES:
        path = METRICS / name
        assert path.read_text().startswith("# Recorded "), f"{name} does not say where it comes from"
        assert path.stat().st_size < 300_000, name
        assert len(sample_series(name)) > 100, name


@pytest.mark.parametrize("name", [n for n, labels in SAMPLES.items() if labels["job"] != "node"])
def test_jmx_samples_have_bounded_labels(name):
    """No per-topic or per-partition labels, and no `_objectname`, which the agent adds to every series
    of a name when two beans give it identical labels."""
    label_names = {
        label
        for _, labels, _ in sample_series(name)
        for label in re.findall(r'(\w+)="', _STRING.sub('""', labels))
    }
    assert not label_names & {"_objectname", "topic", "partition", "client_id_session", "session"}
    assert len(sample_series(name)) < 400


def test_the_raft_state_and_controller_gauges_are_recorded_per_role():
    def series(name):
        return {metric + labels for metric, labels, _ in sample_series(name)}

    combined, controller, broker = (
        series(f"kraft-{role}-4.4.0.txt") for role in ("combined", "controller", "broker")
    )
    assert 'kafka_server_raftmetrics_current_state{state="leader"}' in combined & controller
    assert 'kafka_server_raftmetrics_current_state{state="observer"}' in broker
    assert "kafka_controller_kafkacontroller_activecontrollercount" in combined & controller
    assert not any(s.startswith("kafka_controller_kafkacontroller_") for s in broker)
    assert "kafka_server_replicamanager_underreplicatedpartitions" in combined & broker
    assert 'zookeeper_quorum_state{server_id="3",state="leading"}' in series(
        "zookeeper-3.8.4-ensemble-leader.txt"
    )


# ---- the JMX exporter rules ----


def _rule_name_regex(rule: dict) -> re.Pattern:
    name = re.sub(r"\\\$\d", "[a-z0-9_]+", re.escape(rule["name"].lower()))
    return re.compile(name + ("_total" if rule.get("type") == "COUNTER" else ""))


@pytest.mark.parametrize("rules_file", sorted(RULES_SAMPLES))
def test_jmx_rules_parse_and_every_rule_exported_a_recorded_series(rules_file):
    config = yaml.safe_load((JMX_RULES / rules_file).read_text())
    assert config["lowercaseOutputName"] is True
    assert config["includeObjectNames"], "the agent would read every MBean on each scrape"
    recorded = {metric for sample in RULES_SAMPLES[rules_file] for metric, _, _ in sample_series(sample)}
    for rule in config["rules"]:
        assert set(rule) <= {"pattern", "name", "type", "labels", "value", "help"}, rule
        assert rule["type"] in {"GAUGE", "COUNTER"}, rule
        re.compile(rule["pattern"])
        assert not rule["name"].endswith("_total"), f"the agent adds _total to counters: {rule['name']}"
        regex = _rule_name_regex(rule)
        assert any(regex.fullmatch(metric) for metric in recorded), (
            f"no recorded series from {rule['pattern']}"
        )


# ---- the alert rules ----


@cache
def alert_rules() -> tuple[dict, ...]:
    return tuple(rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"])


def test_every_alert_has_a_severity_and_annotations_naming_its_labels():
    names = [rule["alert"] for rule in alert_rules()]
    assert len(names) == len(set(names))
    for rule in alert_rules():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
        assert set(rule["annotations"]) == {"summary", "description"}, rule["alert"]
        for text in rule["annotations"].values():
            assert "{{ $labels." in text, f"{rule['alert']}: {text}"
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0s")), rule["alert"]


def _selector_values(expr: str, label: str) -> set[str]:
    values = re.findall(rf'\b{label}\s*=~?\s*"([^"]*)"', expr)
    return {value for alternatives in values for value in alternatives.split("|")}


def all_exprs() -> list[tuple[str, str]]:
    """(where, expr) of every alert, dashboard target and dashboard variable query."""
    exprs = [(f"alert {rule['alert']}", rule["expr"]) for rule in alert_rules()]
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        exprs += [
            (f"{path.name} panel {panel['id']}", target["expr"])
            for panel in dashboard["panels"]
            for target in panel["targets"]
        ]
        exprs += [
            (f"{path.name} variable {var['name']}", grafana_query_expr(var["definition"]))
            for var in dashboard["templating"]["list"]
            if var["type"] == "query"
        ]
    return exprs


def test_every_selector_names_a_job_and_role_of_the_kit():
    for where, expr in all_exprs():
        assert "job" in expr, f"{where}: select the scrape job"
        assert _selector_values(expr, "job") <= JOBS, where
        assert _selector_values(expr, "role") <= ROLES, where


def test_every_metric_name_is_recorded_or_listed():
    used = set()
    for where, expr in all_exprs():
        names = metric_names(expr)
        assert names, f"{where}: selects no metric"
        unknown = names - recorded_names() - set(NOT_RECORDED)
        assert not unknown, f"{where}: {sorted(unknown)} in no sample under {METRICS}"
        used |= names
    assert set(NOT_RECORDED) <= used, "NOT_RECORDED lists a series that nothing uses"


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_promtool_checks_the_alert_rules():
    result = subprocess.run(
        [PROMTOOL, "check", "rules", str(ALERTS)], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout


# promtool unit tests of the alerts, on series shaped like the recorded ones. Each test is a scenario.
ALERT_TESTS = yaml.safe_load(
    """
- interval: 1m  # two active controllers; offline partitions on one; a broker under-replicated
  input_series:
    - series: kafka_controller_kafkacontroller_activecontrollercount{
        job="kafka",instance="c1",role="controller"}
      values: "1x10"
    - series: kafka_controller_kafkacontroller_activecontrollercount{
        job="kafka",instance="c2",role="controller"}
      values: "1x10"
    - series: kafka_controller_kafkacontroller_offlinepartitionscount{
        job="kafka",instance="c1",role="controller"}
      values: "0x10"
    - series: kafka_controller_kafkacontroller_offlinepartitionscount{
        job="kafka",instance="c2",role="controller"}
      values: "3x10"
    - series: kafka_server_replicamanager_underreplicatedpartitions{job="kafka",instance="b1",role="broker"}
      values: "1x10"
  alert_rule_test:
    - {alertname: KafkaActiveControllerCountNotOne, eval_time: 5m,
       exp_alerts: [exp_labels: {job: kafka, severity: critical}]}
    - {alertname: KafkaControllerMetricsAbsent, eval_time: 8m, exp_alerts: []}
    - {alertname: KafkaOfflinePartitions, eval_time: 5m,
       exp_alerts: [exp_labels: {job: kafka, severity: critical}]}
    - {alertname: KafkaUnderReplicatedPartitions, eval_time: 4m, exp_alerts: []}
    - {alertname: KafkaUnderReplicatedPartitions, eval_time: 6m,
       exp_alerts: [exp_labels: {job: kafka, instance: b1, role: broker, severity: warning}]}

- interval: 1m  # exactly one active controller; a standalone ZooKeeper has no quorum beans
  input_series:
    - series: kafka_controller_kafkacontroller_activecontrollercount{
        job="kafka",instance="c1",role="controller"}
      values: "1x10"
    - series: kafka_controller_kafkacontroller_activecontrollercount{
        job="kafka",instance="c2",role="controller"}
      values: "0x10"
    - series: zookeeper_znode_count{job="zookeeper",instance="z1"}
      values: "5x10"
  alert_rule_test:
    - {alertname: KafkaActiveControllerCountNotOne, eval_time: 5m, exp_alerts: []}
    - {alertname: ZooKeeperNoLeader, eval_time: 5m, exp_alerts: []}

- interval: 1m  # no controller reports at all
  input_series:
    - series: up{job="kafka",instance="c1",role="controller"}
      values: "0x10"
  alert_rule_test:
    - {alertname: KafkaControllerMetricsAbsent, eval_time: 6m,
       exp_alerts: [exp_labels: {job: kafka, severity: critical}]}
    - {alertname: KafkaActiveControllerCountNotOne, eval_time: 6m, exp_alerts: []}
    - {alertname: KafkaJmxExporterDown, eval_time: 3m,
       exp_alerts: [exp_labels: {job: kafka, instance: c1, role: controller, severity: critical}]}

- interval: 1m  # voter c3 stops replicating; c1's high watermark stops; elections; a broker without leader
  input_series:
    - series: kafka_server_raftmetrics_log_end_offset{job="kafka",instance="c1",role="controller"}
      values: "1000+200x20"
    - series: kafka_server_raftmetrics_log_end_offset{job="kafka",instance="c2",role="combined"}
      values: "1000+200x20"
    - series: kafka_server_raftmetrics_log_end_offset{job="kafka",instance="c3",role="controller"}
      values: "1000+0x20"
    - series: kafka_server_raftmetrics_high_watermark{job="kafka",instance="c1",role="controller"}
      values: "1000+0x20"
    - series: kafka_server_raftmetrics_current_epoch{job="kafka",instance="c1",role="controller"}
      values: "1 2 3 4 5 5 5"
    - series: kafka_server_raftmetrics_current_leader{job="kafka",instance="b1",role="broker"}
      values: "-1x5"
  alert_rule_test:
    - {alertname: KafkaRaftVoterLagging, eval_time: 10m, exp_alerts: []}
    - {alertname: KafkaRaftVoterLagging, eval_time: 12m,
       exp_alerts: [exp_labels: {job: kafka, instance: c3, role: controller, severity: warning}]}
    - {alertname: KafkaRaftCommitStalled, eval_time: 12m,
       exp_alerts: [exp_labels: {job: kafka, instance: c1, role: controller, severity: critical}]}
    - {alertname: KafkaRaftFrequentElections, eval_time: 5m,
       exp_alerts: [exp_labels: {job: kafka, severity: warning}]}
    - {alertname: KafkaRaftLeaderUnknown, eval_time: 2m,
       exp_alerts: [exp_labels: {job: kafka, instance: b1, role: broker, severity: critical}]}

- interval: 1m  # a ZooKeeper ensemble in leader election
  input_series:
    - {series: 'zookeeper_quorum_size{job="zookeeper",instance="z1",server_id="1"}', values: "3x10"}
    - {series: 'zookeeper_quorum_size{job="zookeeper",instance="z2",server_id="2"}', values: "3x10"}
    - {series: 'zookeeper_quorum_size{job="zookeeper",instance="z3",server_id="3"}', values: "3x10"}
    - series: zookeeper_quorum_state{
        job="zookeeper",instance="z1",server_id="1",state="looking"}
      values: "1x10"
    - series: zookeeper_quorum_state{
        job="zookeeper",instance="z2",server_id="2",state="looking"}
      values: "1x10"
    - series: zookeeper_quorum_state{
        job="zookeeper",instance="z3",server_id="3",state="looking"}
      values: "1x10"
  alert_rule_test:
    - {alertname: ZooKeeperNoLeader, eval_time: 2m,
       exp_alerts: [exp_labels: {job: zookeeper, severity: critical}]}
    - alertname: ZooKeeperServerLooking
      eval_time: 3m
      exp_alerts:
        - exp_labels: {job: zookeeper, instance: z1, server_id: "1", state: looking, severity: warning}
        - exp_labels: {job: zookeeper, instance: z2, server_id: "2", state: looking, severity: warning}
        - exp_labels: {job: zookeeper, instance: z3, server_id: "3", state: looking, severity: warning}

- interval: 1m  # one of the two followers is down
  input_series:
    - {series: 'zookeeper_quorum_size{job="zookeeper",instance="z1",server_id="1"}', values: "3x10"}
    - {series: 'zookeeper_quorum_size{job="zookeeper",instance="z2",server_id="2"}', values: "3x10"}
    - series: zookeeper_quorum_state{
        job="zookeeper",instance="z1",server_id="1",state="leading"}
      values: "1x10"
    - series: zookeeper_quorum_state{
        job="zookeeper",instance="z2",server_id="2",state="following"}
      values: "1x10"
  alert_rule_test:
    - {alertname: ZooKeeperNoLeader, eval_time: 5m, exp_alerts: []}
    - {alertname: ZooKeeperFollowersMissing, eval_time: 6m,
       exp_alerts: [exp_labels: {job: zookeeper, severity: warning}]}

- interval: 1m  # /data 95% used (/ is not /data); certificates 10 and 30 days from expiry; heap; node down
  input_series:
    - series: node_filesystem_avail_bytes{
        job="node",instance="h1",device="vdb",mountpoint="/data"}
      values: "5x15"
    - series: node_filesystem_size_bytes{
        job="node",instance="h1",device="vdb",mountpoint="/data"}
      values: "100x15"
    - series: node_filesystem_avail_bytes{
        job="node",instance="h1",device="vda",mountpoint="/"}
      values: "1x15"
    - series: node_filesystem_size_bytes{
        job="node",instance="h1",device="vda",mountpoint="/"}
      values: "100x15"
    - series: kafkakit_certificate_expiry_timestamp_seconds{
        job="node",instance="h1",host="k1",path="/tls/node.pem"}
      values: "864000x5"
    - series: kafkakit_certificate_expiry_timestamp_seconds{
        job="node",instance="h1",host="k1",path="/tls/ca.pem"}
      values: "2592000x5"
    - {series: 'jvm_memory_used_bytes{job="kafka",instance="k1",role="broker",area="heap"}', values: "90x15"}
    - {series: 'jvm_memory_max_bytes{job="kafka",instance="k1",role="broker",area="heap"}', values: "100x15"}
    - {series: 'up{job="node",instance="h2"}', values: "0x5"}
  alert_rule_test:
    - {alertname: HostDataDiskFilling, eval_time: 9m, exp_alerts: []}
    - {alertname: HostDataDiskFilling, eval_time: 11m,
       exp_alerts: [exp_labels: {job: node, instance: h1, device: vdb, mountpoint: /data, severity: warning}]}
    - {alertname: HostDataDiskAlmostFull, eval_time: 6m,
       exp_alerts: [exp_labels: {
         job: node, instance: h1, device: vdb, mountpoint: /data, severity: critical}]}
    - {alertname: CertificateExpiresSoon, eval_time: 1m,
       exp_alerts: [exp_labels: {job: node, instance: h1, host: k1, path: /tls/node.pem, severity: warning}]}
    - {alertname: CertificateExpiresVerySoon, eval_time: 1m, exp_alerts: []}
    - {alertname: JvmHeapUsageHigh, eval_time: 11m,
       exp_alerts: [exp_labels: {job: kafka, instance: k1, role: broker, area: heap, severity: warning}]}
    - {alertname: NodeExporterDown, eval_time: 3m,
       exp_alerts: [exp_labels: {job: node, instance: h2, severity: warning}]}
"""
)


def _promtool_test(tmp_path: Path, rule_groups: list, tests: list) -> None:
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": rule_groups}))
    (tmp_path / "test.yml").write_text(
        yaml.safe_dump({"rule_files": ["rules.yml"], "evaluation_interval": "1m", "tests": tests})
    )
    result = subprocess.run(
        [PROMTOOL, "test", "rules", "test.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_alerts_fire_on_the_conditions_they_name(tmp_path):
    """promtool evaluates the alert expressions (annotations left out: their templates are checked by
    `promtool check rules`) on series shaped like the recorded ones."""
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    for group in groups:
        for rule in group["rules"]:
            rule.pop("annotations")
    _promtool_test(tmp_path, groups, ALERT_TESTS)


def _target_labels() -> dict[str, dict[str, str]]:
    """The labels the kit's scrape configuration gives each target of a 3-node combined KRaft cluster
    and a 3-member ZooKeeper ensemble (module_utils/model.py's scrape_targets), with their job."""
    nodes = [
        {"host": f"kafka-{i}", "roles": ["broker", "controller"], "node_id": i, "rack": f"az-{i}",
         "advertised_host": f"kafka-{i}", "exporter_ports": {"kafka_metrics_jmx_exporter_port": 7071}}
        for i in (1, 2, 3)
    ]  # fmt: skip
    members = [
        {"host": f"zk-{i}", "myid": i, "advertised_host": f"zk-{i}",
         "exporter_ports": {"kafka_metrics_zookeeper_exporter_port": 7072}}
        for i in (1, 2, 3)
    ]  # fmt: skip
    jobs = model.scrape_targets(nodes, members, [], {})
    return {t["labels"]["instance"]: {"job": job, **t["labels"]} for job in jobs for t in jobs[job]}


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_cluster_wide_alerts_aggregate_over_the_labels_the_scrape_config_gives(tmp_path):
    """Each target carries node_id and rack (Kafka) or myid (ZooKeeper): a cluster-wide rule that kept
    them would judge every node alone (a standby controller would be a cluster without an active
    controller). One active controller, one ZooKeeper leader and two followers raise nothing; one
    voter far behind is the one alert of its kind; offline partitions are one alert, not three."""
    labels = _target_labels()

    def series(name: str, instance: str, values: str, **extra: str) -> dict:
        inner = ",".join(f'{k}="{v}"' for k, v in {**labels[instance], **extra}.items())
        return {"series": f"{name}{{{inner}}}", "values": values}

    kafka = ["kafka-1", "kafka-2", "kafka-3"]
    input_series = [
        *(series("kafka_controller_kafkacontroller_activecontrollercount", h, f"{int(h == 'kafka-1')}x10")
          for h in kafka),
        *(series("kafka_controller_kafkacontroller_offlinepartitionscount", h, "2x10") for h in kafka),
        *(series("kafka_server_raftmetrics_log_end_offset", h, "2000x10" if h == "kafka-3" else "5000x10")
          for h in kafka),
        *(series("zookeeper_quorum_size", f"zk-{i}", "3x10", server_id=str(i)) for i in (1, 2, 3)),
        *(series("zookeeper_quorum_state", f"zk-{i}", "1x10", server_id=str(i),
                 state="leading" if i == 1 else "following") for i in (1, 2, 3)),
    ]  # fmt: skip
    lagging = dict(labels["kafka-3"])
    tests = [
        {
            "interval": "1m",
            "input_series": input_series,
            "alert_rule_test": [
                {"alertname": "KafkaActiveControllerCountNotOne", "eval_time": "5m", "exp_alerts": []},
                {"alertname": "ZooKeeperNoLeader", "eval_time": "5m", "exp_alerts": []},
                {"alertname": "ZooKeeperFollowersMissing", "eval_time": "8m", "exp_alerts": []},
                {"alertname": "KafkaOfflinePartitions", "eval_time": "5m",
                 "exp_alerts": [{"exp_labels": {"job": "kafka", "severity": "critical"}}]},
                {"alertname": "KafkaRaftVoterLagging", "eval_time": "8m",
                 "exp_alerts": [{"exp_labels": {**lagging, "severity": "warning"}}]},
            ],
        }
    ]  # fmt: skip
    assert set(labels["kafka-3"]) == {"job", "instance", "role", "node_id", "rack"}
    assert set(labels["zk-1"]) == {"job", "instance", "myid"}
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    for group in groups:
        for rule in group["rules"]:
            rule.pop("annotations")
    _promtool_test(tmp_path, groups, tests)


# ---- monitoring_alert_for: the rule file with some for: durations replaced ----
LAB_MONITORING = ROOT / "inventories" / "lab" / "group_vars" / "all" / "monitoring.yml"


def test_without_overrides_the_rules_are_installed_as_shipped():
    assert monitoring.alert_rules(ALERTS.read_text(), {}) == ALERTS.read_text()


def test_an_override_changes_that_alerts_for_and_nothing_else(tmp_path):
    text = ALERTS.read_text()
    changed = monitoring.alert_rules(text, {"KafkaJmxExporterDown": "30s", "CertificateExpiresSoon": "1h30m"})
    old, new = yaml.safe_load(text)["groups"], yaml.safe_load(changed)["groups"]
    old_rules = {r["alert"]: r for g in old for r in g["rules"]}
    new_rules = {r["alert"]: r for g in new for r in g["rules"]}
    assert new_rules["KafkaJmxExporterDown"] == {**old_rules["KafkaJmxExporterDown"], "for": "30s"}
    # A rule without a for: gets one.
    assert "for" not in old_rules["CertificateExpiresSoon"]
    assert new_rules["CertificateExpiresSoon"] == {**old_rules["CertificateExpiresSoon"], "for": "1h30m"}
    others = set(old_rules) - {"KafkaJmxExporterDown", "CertificateExpiresSoon"}
    assert {n: new_rules[n] for n in others} == {n: old_rules[n] for n in others}
    # Comments and layout stay: two lines differ, one is added.
    diff = [line for line in changed.splitlines() if line not in text.splitlines()]
    assert diff == ["        for: 30s", "        for: 1h30m"]
    assert len(changed.splitlines()) == len(text.splitlines()) + 1
    if PROMTOOL:
        (tmp_path / "rules.yml").write_text(changed)
        result = subprocess.run(
            [PROMTOOL, "check", "rules", str(tmp_path / "rules.yml")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("durations", "reason"),
    [
        ({"KafkaBrokerDown": "30s"}, "no such alert in the rules: KafkaBrokerDown"),
        ({"KafkaJmxExporterDown": "30 seconds"}, "not Prometheus durations (e.g. 30s, 5m, 1h30m): "),
        ({"KafkaJmxExporterDown": 30}, "not Prometheus durations"),
    ],
)
def test_an_override_of_no_alert_or_with_no_duration_is_refused(durations, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        monitoring.alert_rules(ALERTS.read_text(), durations)


def test_the_lab_shortens_only_the_alert_its_kill_test_waits_for():
    overrides = yaml.safe_load(LAB_MONITORING.read_text())["monitoring_alert_for"]
    assert overrides == {"KafkaJmxExporterDown": "30s"}
    monitoring.alert_rules(ALERTS.read_text(), overrides)


# ---- the dashboards ----


@cache
def dashboard(path: Path) -> dict:
    return json.loads(path.read_text())


def test_the_four_dashboards_exist_with_distinct_uids():
    assert [p.name for p in DASHBOARDS] == [
        "host.json", "kafka-broker.json", "kafka-cluster.json", "kafka-controller-quorum.json",
    ]  # fmt: skip
    uids = [dashboard(p)["uid"] for p in DASHBOARDS]
    assert len(set(uids)) == len(uids)


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_is_standard_grafana_json_on_the_ds_variable(path):
    board = dashboard(path)
    assert board["schemaVersion"] == 39
    assert board["title"]
    variables = board["templating"]["list"]
    ds = [var for var in variables if var["name"] == "DS"]
    assert len(ds) == 1
    assert ds[0]["type"] == "datasource"
    assert ds[0]["query"] == "prometheus"
    for var in variables:
        if var["type"] == "query":
            assert var["datasource"] == {"type": "prometheus", "uid": "${DS}"}, var["name"]
    panels = board["panels"]
    assert 6 <= len(panels) <= 12
    ids = [panel["id"] for panel in panels]
    assert len(set(ids)) == len(ids), f"{path.name}: panel ids repeat"
    for panel in panels:
        assert panel["type"] in {"timeseries", "stat"}, panel["id"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${DS}"}, panel["id"]
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"}, panel["id"]
        assert panel["targets"], panel["id"]
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(set(ref_ids)) == len(ref_ids), panel["id"]
        for target in panel["targets"]:
            assert target["expr"].strip(), panel["id"]
            assert target["datasource"]["uid"] == "${DS}", panel["id"]


def _grafana_to_promql(expr: str) -> str:
    return expr.replace("$__rate_interval", "5m").replace("$instance", ".+")


@pytest.mark.skipif(PROMTOOL is None, reason=NO_PROMTOOL)
def test_dashboard_expressions_return_data_on_the_recorded_series(tmp_path):
    """Every panel query, with Grafana's variables filled in, returns at least one series when
    promtool evaluates it on the recorded samples (each sample a target with the labels the kit's
    scrape config gives it). The build machine had no /data mount and no kit certificate, so two
    synthetic series stand in for those, copied from the recorded / filesystem."""
    exprs = {
        f"{path.name} panel {panel['id']} {target['refId']}": _grafana_to_promql(target["expr"])
        for path in DASHBOARDS
        for panel in dashboard(path)["panels"]
        for target in panel["targets"]
    }
    used = set().union(*(metric_names(expr) for expr in exprs.values()))
    series = []
    for name, labels in SAMPLES.items():
        target = ",".join(f'{key}="{value}"' for key, value in {**labels, "instance": name}.items())
        for metric, text, value in sample_series(name):
            if metric in used:
                inner = f"{target},{text[1:-1]}" if text else target
                series.append({"series": f"{metric}{{{inner}}}", "values": " ".join([value] * 15)})
                if metric.startswith("node_filesystem_") and 'mountpoint="/"' in text:
                    data = inner.replace('mountpoint="/"', 'mountpoint="/data"')
                    series.append({"series": f"{metric}{{{data}}}", "values": " ".join([value] * 15)})
    certificate = 'job="node",instance="node-exporter-1.5.txt",host="kafka-1",path="/etc/kafka/tls/node.pem"'
    series.append(
        {"series": f"kafkakit_certificate_expiry_timestamp_seconds{{{certificate}}}", "values": "2e9x15"}
    )
    tests = [
        {
            "interval": "1m",
            "input_series": series,
            "promql_expr_test": [
                {
                    "expr": f"count({expr}) > bool 0",
                    "eval_time": "10m",
                    "exp_samples": [{"labels": "{}", "value": 1}],
                }
                for expr in exprs.values()
            ],
        }
    ]
    _promtool_test(tmp_path, [], tests)
