"""Filters of the monitoring role: thin entry points over module_utils/monitoring.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.kafkakit.kafka.plugins.module_utils import monitoring


def kafka_prometheus_config(cluster, port, scrape_interval, evaluation_interval, alertmanager_port=None):
    """Prometheus's prometheus.yml (as data) for the cluster model's scrape targets."""
    return monitoring.prometheus_config(
        cluster,
        int(port),
        scrape_interval,
        evaluation_interval,
        int(alertmanager_port) if alertmanager_port else None,
    )


def kafka_alert_rules(text: str, durations: dict | None = None) -> str:
    """The kit's alert rules with the `for:` of the alerts in `durations` replaced."""
    try:
        return monitoring.alert_rules(text, dict(durations or {}))
    except ValueError as error:
        raise AnsibleFilterError(f"monitoring_alert_for: {error}") from None


class FilterModule:
    def filters(self):
        return {"kafka_prometheus_config": kafka_prometheus_config, "kafka_alert_rules": kafka_alert_rules}
