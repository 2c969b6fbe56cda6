"""Prometheus's configuration for a cluster, from the cluster model: one job per kind of exporter
(the JMX exporter of the Kafka JVMs and of the ZooKeeper JVMs, the node exporter of every host),
each target labelled with what it is (role, node id, rack), the kit's rule files, Alertmanager when
there is one. The job names and labels are the ones the alert rules and dashboards read
(roles/monitoring/files). Tests: tests/unit/test_monitoring_config.py.
"""

from __future__ import annotations

RULES = "/etc/prometheus/rules/*.yml"


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
