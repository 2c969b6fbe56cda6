"""Filters that turn the kafka role's data into Kafka configuration.

Kept out of templates so that each piece has its own unit test
(tests/unit/test_kafka_config_filters.py). server.properties itself is rendered by the
java_properties filter (role java_properties, a dependency of this one).
"""

from __future__ import annotations

import base64
import secrets

from ansible.errors import AnsibleFilterError


def kafka_listener_urls(listeners: list[dict], advertised: bool = False) -> str:
    """`NAME://host:port,...` for `listeners` (bind on every interface) or `advertised.listeners`."""
    urls = []
    for listener in listeners:
        host = listener.get("advertised_host", "") if advertised else listener.get("bind_host", "")
        urls.append(f"{listener['name']}://{host}:{int(listener['port'])}")
    return ",".join(urls)


def kafka_listener_protocol_map(listeners: list[dict]) -> str:
    """`NAME:PROTOCOL,...` for `listener.security.protocol.map`."""
    return ",".join(f"{item['name']}:{item.get('protocol', 'PLAINTEXT')}" for item in listeners)


def kafka_controller_endpoints(nodes: list[dict]) -> str:
    """`host:port,...` of the controllers, for `controller.quorum.bootstrap.servers`."""
    controllers = sorted((n for n in nodes if "controller" in n["roles"]), key=lambda n: n["node_id"])
    return ",".join(f"{n['advertised_host']}:{n['controller_port']}" for n in controllers)


def kafka_broker_bootstrap(nodes: list[dict], listener_name: str, limit: int = 3) -> str:
    """`host:port,...` of the first `limit` brokers on the listener `listener_name`: where admin
    tools and health checks connect, from any host (a dedicated controller has no broker listener)."""
    brokers = sorted((n for n in nodes if "broker" in n["roles"]), key=lambda n: n["node_id"])
    servers = []
    for node in brokers[:limit]:
        listener = next((item for item in node["listeners"] if item["name"] == listener_name), None)
        if listener is None:
            raise AnsibleFilterError(f"{node['host']}: no listener named {listener_name}")
        servers.append(f"{listener['advertised_host']}:{int(listener['port'])}")
    return ",".join(servers)


def kafka_initial_controllers(nodes: list[dict], directory_ids: dict) -> str:
    """`id@host:port:directory-id,...` for `kafka-storage format --initial-controllers` (KIP-853)."""
    controllers = sorted((n for n in nodes if "controller" in n["roles"]), key=lambda n: n["node_id"])
    missing = [n["host"] for n in controllers if n["host"] not in directory_ids]
    if missing:
        raise AnsibleFilterError(f"no metadata directory id for controllers: {', '.join(missing)}")
    return ",".join(
        f"{n['node_id']}@{n['advertised_host']}:{n['controller_port']}:{directory_ids[n['host']]}"
        for n in controllers
    )


def _kafka_uuid() -> str:
    # Kafka's Uuid: 16 random bytes, URL-safe base64 without padding; Kafka itself redraws ids
    # that start with '-' so they never look like a command-line option.
    while True:
        encoded = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        if not encoded.startswith("-"):
            return encoded


def kafka_new_uuids(names: list[str]) -> dict:
    """A fresh Kafka-style UUID for each name (cluster id, metadata directory ids)."""
    return {name: _kafka_uuid() for name in names}


def kafka_dynamic_config_changes(describe_output: str, desired: dict) -> str:
    """The `key=value,...` that `kafka-configs --alter --add-config` needs to bring the cluster-wide
    dynamic defaults to `desired`; empty when they already match (nothing to change). `desired`
    holds values as server.properties spells them (the java_properties_values filter)."""
    current = {}
    for line in describe_output.splitlines():
        key, sep, rest = line.strip().partition("=")
        if sep and line.startswith(" "):
            current[key] = rest.split(" sensitive=", 1)[0]
    wanted = {str(key): str(value) for key, value in sorted(desired.items())}
    changes = [(key, value) for key, value in wanted.items() if current.get(key) != value]
    # Values with commas go in square brackets, as kafka-configs expects.
    return ",".join(f"{key}=[{value}]" if "," in value else f"{key}={value}" for key, value in changes)


class FilterModule:
    def filters(self):
        return {
            "kafka_listener_urls": kafka_listener_urls,
            "kafka_listener_protocol_map": kafka_listener_protocol_map,
            "kafka_controller_endpoints": kafka_controller_endpoints,
            "kafka_broker_bootstrap": kafka_broker_bootstrap,
            "kafka_initial_controllers": kafka_initial_controllers,
            "kafka_new_uuids": kafka_new_uuids,
            "kafka_dynamic_config_changes": kafka_dynamic_config_changes,
        }
