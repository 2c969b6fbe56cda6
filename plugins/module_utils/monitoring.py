"""Prometheus's configuration for a cluster, from the cluster model: one job per kind of exporter
(the JMX exporter of the Kafka JVMs and of the ZooKeeper JVMs, the node exporter of every host),
each target labelled with what it is (role, node id, rack), the kit's rule files, Alertmanager when
there is one. The job names and labels are the ones the alert rules and dashboards read
(roles/monitoring/files). Tests: tests/unit/test_monitoring_config.py.

alert_rules gives the kit's rule file with some alerts' `for:` durations replaced
(monitoring_alert_for), comments and all else as shipped: how the lab lets an alert fire within a
test's patience without a rule file of its own. Tests: tests/unit/test_monitoring_files.py.
"""

from __future__ import annotations

import re

RULES = "/etc/prometheus/rules/*.yml"
# A Prometheus duration: 30s, 5m, 1h30m, 500ms.
_DURATION = re.compile(r"(?:\d+(?:ms|s|m|h|d|w|y))+")
_ALERT = re.compile(r"^(?P<indent> *)- alert: (?P<name>\S+)\s*$")


def prometheus_config(
    cluster: dict, port: int, scrape_interval: str, evaluation_interval: str, alertmanager_port: int | None
) -> dict:
    jobs = []
    for job in ("kafka", "zookeeper", "node"):
        targets = cluster["scrape_targets"].get(job, [])
        if targets:
            jobs.append(
                {
                    "job_name": job,
                    "static_configs": [
                        {"targets": [t["target"]], "labels": dict(t["labels"])} for t in targets
                    ],
                }
            )
    jobs.append({"job_name": "prometheus", "static_configs": [{"targets": [f"localhost:{port}"]}]})
    config = {
        "global": {
            "scrape_interval": scrape_interval,
            "evaluation_interval": evaluation_interval,
            "external_labels": {"cluster": cluster.get("cluster_name") or "kafka"},
        },
        "rule_files": [RULES],
        "scrape_configs": jobs,
    }
    if alertmanager_port:
        config["alerting"] = {
            "alertmanagers": [{"static_configs": [{"targets": [f"localhost:{alertmanager_port}"]}]}]
        }
    return config


def alert_rules(text: str, durations: dict[str, str]) -> str:
    """The rule file `text` with the `for:` of each alert named in `durations` set to its value (a
    rule without one gets one). Unknown alert names and malformed durations are refused."""
    bad = sorted(
        f"{name}: {value!r}" for name, value in durations.items() if not _DURATION.fullmatch(str(value))
    )
    if bad:
        raise ValueError(f"not Prometheus durations (e.g. 30s, 5m, 1h30m): {', '.join(bad)}")
    lines, found = text.splitlines(keepends=True), set()
    out, index = [], 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        alert = _ALERT.match(line)
        if not alert or alert["name"] not in durations:
            continue
        found.add(alert["name"])
        keys = " " * (len(alert["indent"]) + 2)
        rule = []
        while (
            index < len(lines)
            and not _ALERT.match(lines[index])
            and (lines[index].startswith(keys) or not lines[index].strip())
        ):
            rule.append(lines[index])
            index += 1
        setting = f"{keys}for: {durations[alert['name']]}\n"
        replaced = [setting if re.match(rf"^{keys}for:", item) else item for item in rule]
        out.extend(replaced if replaced != rule else [setting, *rule])
    unknown = sorted(set(durations) - found)
    if unknown:
        raise ValueError(f"no such alert in the rules: {', '.join(unknown)}")
    return "".join(out)
