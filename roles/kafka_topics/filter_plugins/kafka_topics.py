"""Filters of the kafka_topics role (each with its unit test in tests/unit/test_kafka_topics_filters.py)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def kafka_topics_bootstrap(brokers: list[str], hostvars, port: int, limit: int = 3) -> str:
    """`host:port,...` of the first `limit` brokers, by the name clients use for each.

    A broker's name is its kafka_advertised_host when the inventory sets one (the AWS inventory
    does: the private DNS name), else its inventory name (the lab's hosts resolve by name).
    """
    if not brokers:
        raise AnsibleFilterError("kafka_topics_bootstrap: the broker group has no hosts")
    servers = []
    for host in list(brokers)[:limit]:
        variables = hostvars.get(host) or {}
        name = variables.get("kafka_advertised_host") or host
        servers.append(f"{name}:{int(port)}")
    return ",".join(servers)


class FilterModule:
    def filters(self):
        return {"kafka_topics_bootstrap": kafka_topics_bootstrap}
