"""Monitoring on each shape's live cluster: the lab's Prometheus scrapes every target, runs the kit's
rules, holds the series of each node role, and raises the right alert when a broker dies; the roll's
metric gates give the tools' verdict on the same cluster at the same moment; a real browser reads
the alert states from Prometheus's own page.

One broker is killed (kill -9, then held down: systemd would restart it after 10 s) for the alert
and the degraded gates; it is started again with systemctl and the kit's gate waits until every
partition is back, so the next tests find the cluster as `make lab` left it. The alert the kill
fires is KafkaJmxExporterDown: the direct sign of a dead JVM, naming the node, and bounded in time
(the lab's `monitoring_alert_for` shortens its `for:` to 30 s; under-replicated partitions take 5
minutes as shipped, and depend on where replicas are). Figures (targets, rules, seconds from kill to
firing and from restart to resolved, each gate's two verdicts) go to results/monitoring/<shape>.json,
the alerts page's screenshot to results/monitoring/prometheus-alerts-<shape>.png.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from conftest import ROOT

pytestmark = pytest.mark.lab

RESULTS = ROOT / "results" / "monitoring"
RULES = ROOT / "roles" / "monitoring" / "files" / "kafka-alerts.yml"
EXPORTER_PORT = 7071
ALERT = "KafkaJmxExporterDown"
# Bounds on what the test waits for: the lab's for: 30s, a 15 s scrape and a 15 s evaluation
# interval make about a minute; the restarted JVM's exporter answers within seconds.
FIRING_WITHIN, RESOLVED_WITHIN = 150, 120
# The series each kind of Kafka node must have (job kafka), by the scrape config's role label, and
# which it must not: KRaft brokers observe the quorum, controllers vote in it and count the cluster.
SERIES = {
    "broker": [
        "kafka_server_replicamanager_underreplicatedpartitions",
        "kafka_server_replicamanager_underminisrpartitioncount",
        "kafka_server_kafkaserver_brokerstate",
        "kafka_server_brokermetadatametrics_last_applied_record_lag_ms",
        'jvm_memory_used_bytes{area="heap"}',
    ],
    "controller": [
        'kafka_server_raftmetrics_current_state{state=~"leader|follower"}',
        "kafka_server_raftmetrics_log_end_offset",
        "kafka_controller_kafkacontroller_activecontrollercount",
        "kafka_controller_kafkacontroller_offlinepartitionscount",
        "kafka_controller_kafkacontroller_activebrokercount",
        'jvm_memory_used_bytes{area="heap"}',
    ],
    # A KRaft broker that is no controller observes the quorum.
    "dedicated broker": ['kafka_server_raftmetrics_current_state{state="observer"}'],
    # Kafka 3.9 brokers in ZooKeeper mode: no raft; each has the controller's bean, one is active.
    "zookeeper-mode broker": [
        "kafka_server_replicamanager_underreplicatedpartitions",
        "kafka_controller_kafkacontroller_activecontrollercount",
        'kafka_server_sessionexpirelistener_sessionstate{state="CONNECTED"}',
        "kafka_server_kafkaserver_brokerstate",
    ],
    "zookeeper": [
        'zookeeper_quorum_state{state=~"leading|following"}',
        "zookeeper_quorum_size",
        "zookeeper_outstanding_requests",
        'jvm_memory_used_bytes{area="heap"}',
    ],
    "node": [
        "node_memory_MemAvailable_bytes",
        "node_cpu_seconds_total",
    ],
}
# The kinds of series above that each KRaft node role has.
KINDS = {
    "broker": ["broker", "dedicated broker"],
    "controller": ["controller"],
    "combined": ["broker", "controller"],
}
ABSENT = {
    "broker": ["kafka_controller_kafkacontroller_activecontrollercount"],
    "controller": ["kafka_server_replicamanager_underreplicatedpartitions"],
    "zookeeper-mode broker": ["kafka_server_raftmetrics_current_state"],
}
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--virtual-time-budget=10000",
]  # fmt: skip


# --- Reading the lab's Prometheus --------------------------------------------------------------------------


_PROMETHEUS: dict[str, str] = {}


def prometheus(cluster) -> str:
    """The lab's Prometheus URL (asked of lab.py once per lab)."""
    if cluster.name not in _PROMETHEUS:
        _PROMETHEUS[cluster.name] = cluster.prometheus_url
    return _PROMETHEUS[cluster.name]


def api(cluster, path: str, **query: str) -> dict:
    url = f"{prometheus(cluster)}/api/v1/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    with urllib.request.urlopen(url, timeout=10) as answer:
        document = json.loads(answer.read())
    assert document["status"] == "success", document
    return document["data"]


def instances(cluster, selector: str) -> set[str]:
    """The instances that have a series matching `selector`."""
    return {
        sample["metric"].get("instance", "") for sample in api(cluster, "query", query=selector)["result"]
    }


def alert_instances(cluster, name: str, state: str) -> set[str]:
    return {
        a["labels"].get("instance", "")
        for a in api(cluster, "alerts")["alerts"]
        if a["labels"]["alertname"] == name and a["state"] == state
    }


def rule_states(cluster) -> dict[str, str]:
    """Each alert rule's state (inactive, pending, firing) as the rules API has it."""
    return {
        rule["name"]: rule["state"]
        for group in api(cluster, "rules", type="alert")["groups"]
        for rule in group["rules"]
    }


def record(cluster, **figures) -> dict:
    """Merge `figures` into results/monitoring/<shape>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{cluster.shape}.json"
    found = json.loads(path.read_text()) if path.exists() else {}
    found.update(figures, shape=cluster.shape, mode=cluster.mode, kafka_version=cluster.kafka_version)
    path.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
    return found


def kafka_hosts(cluster) -> list[str]:
    return sorted(set(cluster.brokers) | set(cluster.controllers))


def node_role(cluster, host: str) -> str:
    roles = {"kafka_broker", "kafka_controller"} & set(
        next(h["groups"] for h in cluster.hosts if h["name"] == host)
    )
    return "combined" if len(roles) == 2 else roles.pop().removeprefix("kafka_")


# --- Targets, rules, series --------------------------------------------------------------------------------


def test_every_scrape_target_is_up(lab_cluster):
    targets = api(lab_cluster, "targets", state="active")["activeTargets"]
    by_job: dict[str, set[str]] = {}
    for target in targets:
        assert target["health"] == "up", (target["labels"], target["lastError"])
        by_job.setdefault(target["labels"]["job"], set()).add(target["labels"].get("instance", ""))
    expected = {
        "kafka": set(kafka_hosts(lab_cluster)),
        "node": set(lab_cluster.host_names),
        "prometheus": {"localhost:9090"},
    }
    if lab_cluster.zookeepers:
        expected["zookeeper"] = set(lab_cluster.zookeepers)
    assert by_job == expected
    # Each Kafka target is labelled with what the node is, as the rules and dashboards select it.
    for target in targets:
        if target["labels"]["job"] == "kafka":
            assert target["labels"]["role"] == node_role(lab_cluster, target["labels"]["instance"])
    record(
        lab_cluster, targets=len(targets), targets_by_job={job: len(i) for job, i in sorted(by_job.items())}
    )


def test_promtool_accepts_the_installed_rules_and_prometheus_runs_them_all(lab_cluster):
    result = subprocess.run(
        ["docker", "exec", lab_cluster.container(lab_cluster.monitoring_host), "promtool", "check", "rules",
         "/etc/prometheus/rules/kafka-alerts.yml"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    shipped = [r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    assert f"SUCCESS: {len(shipped)} rules found" in result.stdout, result.stdout
    groups = api(lab_cluster, "rules", type="alert")["groups"]
    loaded = {rule["name"]: rule for group in groups for rule in group["rules"]}
    assert sorted(loaded) == sorted(shipped)
    assert all(rule["health"] == "ok" for rule in loaded.values()), [
        r for r in loaded.values() if r["health"] != "ok"
    ]
    # The lab's override of the alert this file's kill test waits for, and only of that one.
    assert loaded[ALERT]["duration"] == 30
    shipped_for = {
        r["alert"]: r.get("for", "0s")
        for g in yaml.safe_load(RULES.read_text())["groups"]
        for r in g["rules"]
    }
    assert shipped_for[ALERT] == "2m"
    record(lab_cluster, rules=len(loaded), rule_groups=len(groups))


def test_the_expected_series_exist_for_each_node_role(lab_cluster):
    kinds = {}
    for host in kafka_hosts(lab_cluster):
        role = node_role(lab_cluster, host)
        if lab_cluster.mode == "zookeeper":
            kinds.setdefault("zookeeper-mode broker", set()).add(host)
            continue
        for kind in KINDS[role]:
            kinds.setdefault(kind, set()).add(host)
    if lab_cluster.zookeepers:
        kinds["zookeeper"] = set(lab_cluster.zookeepers)
    kinds["node"] = set(lab_cluster.host_names)
    missing = []
    for kind, hosts in sorted(kinds.items()):
        job = {"zookeeper": "zookeeper", "node": "node"}.get(kind, "kafka")
        for series in SERIES[kind]:
            name, _, labels = series.partition("{")
            selector = f'{name}{{job="{job}"{"," + labels.rstrip("}") if labels else ""}}}'
            found = instances(lab_cluster, selector)
            if not hosts <= found:
                missing.append(f"{kind}: {selector} on {sorted(hosts - found)}")
        for name in ABSENT.get(kind, []):
            only = hosts - kinds.get("controller" if kind == "broker" else "broker", set())
            assert not instances(lab_cluster, f'{name}{{job="kafka"}}') & only, (kind, name)
    # The data disk of every Kafka and ZooKeeper host, which the disk alerts watch.
    disks = instances(lab_cluster, 'node_filesystem_avail_bytes{job="node", mountpoint="/data"}')
    if not set(kafka_hosts(lab_cluster)) | set(lab_cluster.zookeepers) <= disks:
        missing.append(
            f"node_filesystem_avail_bytes of /data on {sorted(set(kafka_hosts(lab_cluster)) - disks)}"
        )
    assert not missing, missing
    # One active controller, as KafkaActiveControllerCountNotOne expects.
    active = api(
        lab_cluster, "query", query='sum(kafka_controller_kafkacontroller_activecontrollercount{job="kafka"})'
    )
    assert float(active["result"][0]["value"][1]) == 1


# --- The gates both ways ----------------------------------------------------------------------------------


def gate_checks(cluster, node: int) -> dict[str, dict]:
    """The parameters of each roll gate that reads either way on this shape, as restart.yml gives them."""
    brokers = [f"{b}:{EXPORTER_PORT}" for b in cluster.brokers]
    controllers = [f"{c}:{EXPORTER_PORT}" for c in cluster.controllers] or brokers
    checks = {
        "partitions": {
            "bootstrap_server": cluster.internal_bootstrap(), "default_min_isr": 2,
            "exporters": brokers, "controller_exporters": controllers,
        },
    }  # fmt: skip
    if cluster.mode == "kraft":
        checks["quorum"] = {
            "bootstrap_controller": ",".join(f"{c}:9093" for c in cluster.controllers),
            "voters": len(cluster.controllers), "exporters": controllers,
            "command_config": cluster.controller_admin_config,
        }  # fmt: skip
        checks["brokers"] = {
            "bootstrap_server": cluster.internal_bootstrap(), "brokers": len(cluster.brokers), "node": node,
            "exporters": brokers, "controller_exporters": controllers,
        }  # fmt: skip
    return checks


def where(cluster, check: str) -> str:
    return cluster.controllers[0] if check == "quorum" else cluster.brokers[0]


def both_ways(cluster, node: int) -> dict[str, dict]:
    """Every gate of the shape, once with the tools and once from the metrics, all at the same moment
    (one attempt each, where a roll runs them: the quorum's on a controller, the others on the first
    broker)."""
    runs = {
        (check, source): (check, {**params, "source": source, "timeout": 0})
        for check, params in gate_checks(cluster, node).items()
        for source in ("tools", "metrics")
    }
    with ThreadPoolExecutor(len(runs)) as pool:
        futures = {
            key: pool.submit(cluster.gate, where(cluster, check), check, **p)
            for key, (check, p) in runs.items()
        }
    found: dict[str, dict] = {}
    for (check, source), future in futures.items():
        rc, message = future.result()
        found.setdefault(check, {})[source] = {"passed": rc == 0, "msg": message}
    return found


def assert_same_verdicts(verdicts: dict[str, dict], passing: set[str]) -> None:
    """Each gate passes, or holds, both ways alike: those in `passing` pass."""
    for check, ways in verdicts.items():
        assert ways["tools"]["passed"] == ways["metrics"]["passed"] == (check in passing), (check, ways)
    if "partitions" in passing:
        # The same line both ways (the tools' partition count is the active controller's).
        assert verdicts["partitions"]["tools"]["msg"] == verdicts["partitions"]["metrics"]["msg"], verdicts


# --- A broker killed: the gates, the alert, the browser -----------------------------------------------


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "headless Chromium is needed (Debian package chromium)"
    return found


def browse(url: str, *action: str) -> str:
    """Run headless Chromium on `url` with a fresh profile: its stdout (the DOM for --dump-dom)."""
    with tempfile.TemporaryDirectory(prefix="kafkakit-chromium-") as profile:
        result = subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, url],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def alerts_page(cluster) -> str:
    """The URL of the alerts page of the lab's Prometheus. Debian's prometheus 2.42 is built without
    the React UI: its web root redirects to the server-rendered classic pages (/classic/...)."""
    with urllib.request.urlopen(f"{prometheus(cluster)}/", timeout=10) as answer:
        landed = answer.geturl()
    assert urllib.parse.urlparse(landed).path.startswith("/classic/"), f"{landed}: not the classic UI"
    return f"{prometheus(cluster)}/classic/alerts"


# A rule's header row on the classic alerts page; its class says the state.
_RULE_ROW = re.compile(r'<tr class="alert alert-(success|warning|danger) alert_header">(.*?)</tr>', re.S)
_PAGE_STATES = {"success": "inactive", "warning": "pending", "danger": "firing"}


def page_rule_states(dom: str) -> dict[str, str]:
    """Each rule's name and state on the classic alerts page, as the browser rendered it: every rule
    is a header row `<name> (<n> active)` (alert-success inactive, alert-warning pending,
    alert-danger firing)."""
    states = {}
    for row in _RULE_ROW.finditer(dom):
        text = html.unescape(re.sub(r"<[^>]+>", "", row.group(2))).strip()
        name = re.fullmatch(r"(\w+) \(\d+ active\)", text)
        assert name, text
        states[name.group(1)] = _PAGE_STATES[row.group(1)]
    return states


def wait_for(condition, within: float, step: float = 1) -> float | None:
    """Seconds until `condition()` held, or None when it did not within `within` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        if condition():
            return time.monotonic() - start
        time.sleep(step)
    return None


def test_a_killed_broker_fires_its_alert_the_gates_agree_and_the_alert_resolves_once_it_is_back(lab_cluster):
    victim = lab_cluster.brokers[-1]
    victim_id = next(h["node_id"] for h in lab_cluster.hosts if h["name"] == victim)
    assert not alert_instances(lab_cluster, ALERT, "firing")

    # The lab's topics (RF 3): every broker holds replicas, so the one killed leaves partitions
    # under-replicated. (On a broker that holds none, the tools see nothing amiss, while its silent
    # exporter holds the metric gate: an exporter that does not answer is never read as 0.)
    topics = lab_cluster.run_playbook("topics.yml", timeout=300)
    assert topics.returncode == 0, topics.output[-3000:]
    healthy = both_ways(lab_cluster, victim_id)
    assert_same_verdicts(healthy, passing=set(healthy))
    assert not healthy["partitions"]["tools"]["msg"].startswith("partitions healthy: 0 partitions"), healthy

    pid = lab_cluster.exec(victim, "systemctl", "show", "--property", "MainPID", "--value", "kafka").strip()
    killed = time.monotonic()
    lab_cluster.exec(victim, "kill", "-9", pid)
    # A crash that stays down: Restart=on-failure would start it again after 10 s.
    lab_cluster.exec(victim, "systemctl", "stop", "kafka")
    fired: dict[str, float] = {}

    def watch() -> None:
        if (
            wait_for(lambda: victim in alert_instances(lab_cluster, ALERT, "firing"), FIRING_WITHIN)
            is not None
        ):
            fired["at"] = time.monotonic()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        # Past the brokers' session timeouts (KRaft 9 s, ZooKeeper 18 s) and the tools' 10 s staleness.
        time.sleep(max(0.0, 30 - (time.monotonic() - killed)))
        down = both_ways(lab_cluster, victim_id)
        # The quorum stays whole when the broker killed is no voter (dedicated controllers).
        assert_same_verdicts(
            down, passing=set() if victim in lab_cluster.controllers else {"quorum"} & set(down)
        )
        watcher.join()
        assert "at" in fired, f"{ALERT} for {victim} did not fire within {FIRING_WITHIN}s"
        fired_after = fired["at"] - killed

        # The alerts page as a person sees it, read by a real browser.
        RESULTS.mkdir(parents=True, exist_ok=True)
        screenshot = RESULTS / f"prometheus-alerts-{lab_cluster.shape}.png"
        url = alerts_page(lab_cluster)
        before = rule_states(lab_cluster)
        page = page_rule_states(browse(url, "--dump-dom"))
        after = rule_states(lab_cluster)
        browse(url, "--window-size=1280,1700", f"--screenshot={screenshot}")
        assert 10_000 < screenshot.stat().st_size < 400_000
        # Every rule of Prometheus is on the page, in the state it had in the API just before or after.
        assert sorted(page) == sorted(before), (page, before)
        assert all(page[name] in (before[name], after[name]) for name in page), (page, before, after)
        assert page[ALERT] == "firing", page
    finally:
        watcher.join()
        restarted = time.monotonic()
        lab_cluster.exec(victim, "systemctl", "start", "kafka")
    resolved = wait_for(lambda: victim not in alert_instances(lab_cluster, ALERT, "firing"), RESOLVED_WITHIN)
    assert resolved is not None, f"{ALERT} for {victim} still fires {RESOLVED_WITHIN}s after the restart"
    resolved_after = time.monotonic() - restarted
    # The kit's gate waits until the broker is back and every partition whole again.
    lab_cluster.assert_partitions_healthy(timeout=300)
    assert rule_states(lab_cluster)[ALERT] == "inactive"
    record(
        lab_cluster,
        alert=ALERT,
        victim=victim,
        seconds_kill_to_firing=round(fired_after, 1),
        seconds_restart_to_resolved=round(resolved_after, 1),
        alerts_page_states=page,
        alerts_page_screenshot=str(screenshot.relative_to(ROOT)),
        gates={"healthy": healthy, "one broker down": down},
    )
