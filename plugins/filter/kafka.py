"""Filters of the kafka and kafka_ops roles: thin entry points over module_utils, where the logic and
its tests live (sizing, storage plans, roll order, rebalance plan, dynamic config changes)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.kafkakit.kafka.plugins.module_utils import (
    access,
    certificates,
    rebalance,
    security,
    sizing,
    storage,
    tool_output,
)


def _wrap(function):
    def filtered(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (ValueError, KeyError, TypeError) as error:
            raise AnsibleFilterError(f"{function.__name__}: {error}") from error

    filtered.__doc__ = function.__doc__
    return filtered


def kafka_sized(server_properties: dict, vcpus) -> dict:
    """server.properties with the thread pools left `auto` sized from the host's vCPUs."""
    return sizing.sized(server_properties, int(vcpus or 1))


def kafka_heap_size(value, memory_mb) -> str:
    """The JVM heap: `value`, or from the host's memory when it is `auto`."""
    return sizing.heap_size(value, int(memory_mb or 2048))


def _stored(cluster: dict, hostvars, outside: list[dict] | None) -> dict:
    """{host: {log dir: meta}} of every Kafka host: the hosts of this run from their `_kafka_stored`
    fact, the others (a --limit) from the delegated reads in `outside`; None when unread."""
    read_outside: dict[str, list[dict]] = {}
    for result in outside or []:
        host = result["item"]["host"]
        read_outside.setdefault(host, []).append(result)
    stored = {}
    for host in cluster["kafka_hosts"]:
        fact = hostvars[host].get("_kafka_stored") if host in hostvars else None
        if fact is not None:
            stored[host] = fact
        elif host in read_outside:
            stored[host] = storage.meta_by_dir(read_outside[host])
        else:
            stored[host] = None
    return stored


def kafka_storage_plan(cluster: dict, hostvars, fresh_ids: dict, outside: list[dict] | None = None) -> dict:
    """The storage plan of the whole cluster (KRaft: what to format; ZooKeeper mode: see
    kafka_zookeeper_storage_plan)."""
    stored = _stored(cluster, hostvars, outside)
    nodes = [
        {**node, "stored": stored[host], "data_dirs": node["data_dirs"]}
        for host, node in cluster["nodes"].items()
    ]
    return storage.kraft_plan(nodes, cluster["cluster_id"], fresh_ids["cluster"])


def kafka_zookeeper_storage_plan(
    cluster: dict, hostvars, znode_output: str, fresh_ids: dict, outside: list[dict] | None = None
) -> dict:
    stored = _stored(cluster, hostvars, outside)
    nodes = [{**cluster["nodes"][host], "stored": stored[host]} for host in cluster["brokers"]]
    plan = storage.zookeeper_plan(
        nodes,
        storage.zookeeper_cluster_id(znode_output),
        cluster["cluster_id"],
        fresh_ids["cluster"],
        chroot=cluster["zookeeper"]["chroot"],
    )
    # The KRaft controllers of a migration are formatted like any quorum's, with ZooKeeper's id.
    controllers = [{**cluster["nodes"][host], "stored": stored[host]} for host in cluster["controllers"]]
    quorum = storage.kraft_plan(controllers, plan["cluster_id"], plan["cluster_id"])
    return {
        **plan,
        **{key: quorum[key] for key in ("new_quorum", "joining", "to_format")},
        "errors": plan["errors"] + quorum["errors"],
    }


def kafka_initial_controllers(cluster: dict, directory_ids: dict) -> str:
    controllers = [cluster["nodes"][host] for host in cluster["controllers"]]
    return storage.initial_controllers(controllers, directory_ids)


def kafka_roll_order(cluster: dict, active_controller, hosts=None) -> list[str]:
    """The hosts in rolling order (controllers first, the active controller last), only `hosts`
    when given."""
    nodes = [node for host, node in cluster["nodes"].items() if hosts is None or host in hosts]
    return rebalance.roll_order(nodes, active_controller)


def kafka_reassignment_plan(generate_output: str, cluster: dict, drain_hosts: list | None = None) -> dict:
    """The rebalance plan; `drain_hosts` are brokers whose every replica moves away."""
    brokers = [cluster["nodes"][host] for host in cluster["brokers"]]
    draining = [cluster["nodes"][host]["node_id"] for host in drain_hosts or []]
    return rebalance.reassignment_plan(tool_output.current_assignment(generate_output), brokers, draining)


def kafka_replicas_on(describe_output: str, node_id) -> list[str]:
    """The partitions with a replica on broker `node_id`, from `TopicCommand --describe`."""
    return rebalance.replicas_on(tool_output.topic_description(describe_output), node_id)


def kafka_secrets(secret_properties: dict, broker_user: str, broker_password: str) -> dict:
    """The server.properties entries that carry a secret (the model names them, never their value):
    the inter-broker listener's JAAS line with the broker's credentials."""
    return {key: security.jaas_scram(broker_user, broker_password) for key in secret_properties}


def kafka_client_config(node: dict, cluster: dict, listener: str, admin_password: str = "") -> dict:
    """A node's own admin client configuration: for its broker listeners (`broker`: the inter-broker
    listener's protocol, as the admin) or for the controller listener (`controller`: mTLS with the
    node's certificate, whose principal is a super user)."""
    sec = cluster["security"]
    if sec["profile"] != "secure":
        return {"security.protocol": "PLAINTEXT"}
    tls = node["tls"]
    if listener == "controller":
        # PLAINTEXT only while the cluster moves to the secure listeners (docs/security.md).
        if node["controller_listener"]["protocol"] == "PLAINTEXT":
            return {"security.protocol": "PLAINTEXT"}
        return security.java_client("SSL", tls["ca_pem"], keystore=tls["node_pem"])
    protocol = sec["tools_protocol"]
    if protocol == "SASL_SSL":
        return security.java_client(protocol, tls["ca_pem"], user=sec["admin_user"], password=admin_password)
    return security.java_client(
        protocol, tls["ca_pem"], keystore=tls["node_pem"] if protocol == "SSL" else ""
    )


def kafka_scram_format_arguments(users: list) -> list[str]:
    """`--add-scram` arguments of `kafka-storage format` for [[name, password], ...], salted here."""
    arguments: list[str] = []
    for name, password in users:
        arguments += ["--add-scram", security.format_scram_argument(name, password)]
    return arguments


class FilterModule:
    def filters(self):
        return {
            name: _wrap(function)
            for name, function in {
                "kafka_sized": kafka_sized,
                "kafka_heap_size": kafka_heap_size,
                "kafka_storage_plan": kafka_storage_plan,
                "kafka_zookeeper_storage_plan": kafka_zookeeper_storage_plan,
                "kafka_meta_by_dir": storage.meta_by_dir,
                "kafka_new_uuids": storage.new_uuids,
                "kafka_initial_controllers": kafka_initial_controllers,
                "kafka_zookeeper_cluster_id_znode": storage.zookeeper_cluster_id_znode,
                "kafka_zookeeper_paths": storage.zookeeper_paths,
                "kafka_roll_order": kafka_roll_order,
                "kafka_reassignment_plan": kafka_reassignment_plan,
                "kafka_removal_errors": rebalance.removal_errors,
                "kafka_replicas_on": kafka_replicas_on,
                "kafka_certificate_expiry": certificates.expiry_epoch,
                "kafka_certificate_renewal_due": certificates.renewal_due,
                "kafka_secrets": kafka_secrets,
                "kafka_client_config": kafka_client_config,
                "kafka_scram_format_arguments": kafka_scram_format_arguments,
                "kafka_access_users_public": access.without_passwords,
                "kafka_access_passwords": access.passwords_by_name,
            }.items()
        }
