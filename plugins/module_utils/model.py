"""The model of the cluster an inventory describes, computed once on the controller.

`build(hosts, groups)` takes every host's kit variables (role defaults overlaid with the inventory,
already resolved and type-checked: plugins/action/cluster_model.py) and the inventory's groups, and
returns the cluster: its nodes with their roles, ids, racks, endpoints and listeners, the ZooKeeper
ensemble, the bootstrap lists every tool uses, and each node's effective server.properties after
your overrides. contract.py checks it whole; the roles render from it; Pulumi (infra/) and the lab
number their nodes by the same constants.

`SERVER_PROPERTIES` is the table from every key the kit sets to the variable it comes from: it
builds the properties and it is the page docs/server-properties.md (scripts/role_docs.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.kafkakit.kafka.plugins.module_utils import constants, security

# The marker of a sizing variable left to the host: the role resolves it from the host's vCPUs and
# memory when it renders (module_utils/sizing.py).
AUTO = "auto"
# The pseudo-mode of a node in a ZooKeeper to KRaft migration (kafka_zookeeper_migration): a
# ZooKeeper-mode broker in migration mode, or a KRaft controller that still writes to ZooKeeper.
MIGRATION = "migration"
# kafka_zookeeper_migration's phases, in order (docs/migration.md).
MIGRATION_PHASES = ("none", "migrating", "dual_write")


@dataclass(frozen=True)
class Setting:
    """One server.properties key the kit derives: from `source` (a variable, or how it is
    computed), for nodes with one of `roles`, in `modes`, from `since` on."""

    key: str
    source: str
    roles: tuple[str, ...] = ("broker", "controller")
    modes: tuple[str, ...] = constants.MODES
    since: tuple[int, int, int] = (0, 0, 0)
    group: str = "identity"
    value: object = field(default=None, compare=False, repr=False)
    # Set in the secure profile only (kafka_security_profile: secure).
    secure: bool = False
    # Roles that have it too while they migrate from ZooKeeper (kafka_zookeeper_migration).
    migrating_roles: tuple[str, ...] = ()


def _v(variable: str):
    return lambda node, cluster: node["vars"][variable]


def _rf(node, cluster):
    return cluster["replication_factor"]


def _min_isr(node, cluster):
    return cluster["min_insync_replicas"]


SERVER_PROPERTIES: list[Setting] = [
    # Identity: who the node is and how it is reached.
    Setting("process.roles", "the node's groups: kafka_broker_group, kafka_controller_group",
            modes=("kraft",), value=lambda n, c: n["roles"]),
    Setting("node.id", "kafka_node_id", modes=("kraft",), value=lambda n, c: n["node_id"]),
    Setting("broker.id", "kafka_node_id", roles=("broker",), modes=("zookeeper",),
            value=lambda n, c: n["node_id"]),
    Setting("broker.id.generation.enable", "false: every broker has a configured kafka_node_id",
            roles=("broker",), modes=("zookeeper",), value=lambda n, c: False),
    Setting("controller.quorum.bootstrap.servers", "every controller's kafka_controller_listener "
            "(advertised_host:port)", modes=("kraft", MIGRATION),
            value=lambda n, c: c["controller_bootstrap"]),
    Setting("controller.listener.names", "kafka_controller_listener.name, then "
            "kafka_controller_listeners_extra", modes=("kraft", MIGRATION),
            value=lambda n, c: ",".join(item["name"] for item in n["controller_listeners"])),
    Setting("listeners", "kafka_listeners, kafka_listeners_extra (brokers), kafka_controller_listener, "
            "kafka_controller_listeners_extra (controllers): name://bind_host:port",
            value=lambda n, c: _urls(n["listeners"], "bind_host")),
    Setting("advertised.listeners", "the same listeners: name://advertised_host:port",
            value=lambda n, c: _urls(n["listeners"], "advertised_host")),
    Setting("listener.security.protocol.map", "every listener's protocol, the controller listener's too",
            value=lambda n, c: _protocols(n)),
    Setting("log.dirs", "kafka_data_dirs", value=_v("kafka_data_dirs")),
    Setting("zookeeper.connect", "the members of kafka_zookeeper_group (zookeeper_advertised_host:"
            "zookeeper_client_port) and kafka_zookeeper_chroot; on the controllers while they migrate",
            modes=("zookeeper", MIGRATION), value=lambda n, c: c["zookeeper"]["connect"]),
    Setting("zookeeper.metadata.migration.enable", "kafka_zookeeper_migration: migrating (every node), "
            "dual_write (the controllers)", modes=(MIGRATION,), value=lambda n, c: True),
    Setting("inter.broker.protocol.version", "kafka_inter_broker_protocol_version", roles=("broker",),
            modes=("zookeeper",), value=_v("kafka_inter_broker_protocol_version")),
    Setting("inter.broker.listener.name", "kafka_inter_broker_listener_name; on the controllers while they "
            "migrate, which reach the ZooKeeper-mode brokers on it", roles=("broker",),
            migrating_roles=("controller",), value=_v("kafka_inter_broker_listener_name")),
    Setting("broker.rack", "kafka_broker_rack", roles=("broker",), value=lambda n, c: n["rack"]),
    # Policy: the same on every node (controllers apply topic defaults in KRaft).
    Setting("default.replication.factor", "kafka_default_replication_factor", group="policy", value=_rf),
    Setting("min.insync.replicas", "kafka_min_insync_replicas", group="policy", value=_min_isr),
    Setting("offsets.topic.replication.factor", "kafka_default_replication_factor", group="policy",
            value=_rf),
    Setting("transaction.state.log.replication.factor", "kafka_default_replication_factor", group="policy",
            value=_rf),
    Setting("transaction.state.log.min.isr", "kafka_min_insync_replicas", group="policy", value=_min_isr),
    Setting("share.coordinator.state.topic.replication.factor", "kafka_default_replication_factor",
            modes=("kraft",), since=(4, 0, 0), group="policy", value=_rf),
    Setting("share.coordinator.state.topic.min.isr", "kafka_min_insync_replicas", modes=("kraft",),
            since=(4, 0, 0), group="policy", value=_min_isr),
    Setting("unclean.leader.election.enable", "kafka_unclean_leader_election", group="policy",
            value=_v("kafka_unclean_leader_election")),
    Setting("auto.create.topics.enable", "kafka_auto_create_topics", group="policy",
            value=_v("kafka_auto_create_topics")),
    # Tuning sized from the host.
    Setting("num.network.threads", "kafka_num_network_threads", group="tuning",
            value=_v("kafka_num_network_threads")),
    Setting("num.io.threads", "kafka_num_io_threads", group="tuning", value=_v("kafka_num_io_threads")),
    Setting("num.replica.fetchers", "kafka_num_replica_fetchers", group="tuning",
            value=_v("kafka_num_replica_fetchers")),
    Setting("num.recovery.threads.per.data.dir", "kafka_num_recovery_threads_per_data_dir", group="tuning",
            value=_v("kafka_num_recovery_threads_per_data_dir")),
    Setting("socket.send.buffer.bytes", "kafka_socket_buffer_bytes", group="tuning",
            value=_v("kafka_socket_buffer_bytes")),
    Setting("socket.receive.buffer.bytes", "kafka_socket_buffer_bytes", group="tuning",
            value=_v("kafka_socket_buffer_bytes")),
    Setting("replica.socket.receive.buffer.bytes", "kafka_socket_buffer_bytes", group="tuning",
            value=_v("kafka_socket_buffer_bytes")),
    # Security (the secure profile): PEM stores, who is who, who may do what.
    Setting("ssl.keystore.type", "PEM (the kafka_tls role's node.pem)", group="security", secure=True,
            value=lambda n, c: "PEM"),
    Setting("ssl.keystore.location", "kafka_tls_dir/node.pem", group="security", secure=True,
            value=lambda n, c: n["tls"]["node_pem"]),
    Setting("ssl.truststore.type", "PEM (the kafka_tls role's ca.pem)", group="security", secure=True,
            value=lambda n, c: "PEM"),
    Setting("ssl.truststore.location", "kafka_tls_dir/ca.pem (the CA, and kafka_tls_trusted_cas)",
            group="security", secure=True, value=lambda n, c: n["tls"]["ca_pem"]),
    Setting("ssl.principal.mapping.rules", "kit node certificates: User:kafka-kit-node; others: their CN",
            group="security", secure=True, value=lambda n, c: security.PRINCIPAL_MAPPING_RULES),
    Setting("listener.name.<controller>.ssl.client.auth", "required: controllers authenticate each other "
            "and the brokers by certificate (SCRAM cannot work between controllers)", modes=("kraft",),
            group="security", secure=True),
    Setting("listener.name.<listener>.ssl.client.auth", "required on SSL broker listeners "
            "(kafka_client_authentication: mtls)", roles=("broker",), group="security", secure=True),
    Setting("listener.name.<listener>.sasl.enabled.mechanisms", "SCRAM-SHA-512 on SASL_SSL broker listeners "
            "(kafka_client_authentication: scram)", roles=("broker",), group="security", secure=True),
    Setting("listener.name.<listener>.scram-sha-512.sasl.jaas.config", "the SCRAM login module; on the "
            "inter-broker listener with kafka_broker_user and kafka_broker_password", roles=("broker",),
            group="security", secure=True),
    Setting("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512 (kafka_client_authentication: scram)",
            roles=("broker",), group="security", secure=True),
    Setting("authorizer.class.name", "StandardAuthorizer (KRaft nodes, the migrating controllers and "
            "brokers in dual_write too), AclAuthorizer (ZooKeeper-mode brokers)",
            group="security", secure=True),
    Setting("allow.everyone.if.no.acl.found", "false: what no ACL allows, only super users may",
            group="security", secure=True, value=lambda n, c: False),
    Setting("super.users", "every node's principal, kafka_admin_user, kafka_broker_user, "
            "kafka_super_users_extra", group="security", secure=True,
            value=lambda n, c: ";".join(c["security"]["super_users"])),
    Setting("zookeeper.set.acl", "true: the znodes the brokers (and the migrating controllers) create are "
            "theirs alone (kafka_zookeeper_user on the ensemble)", modes=("zookeeper", MIGRATION),
            group="security", secure=True, value=lambda n, c: True),
]  # fmt: skip
OWNED_KEYS = frozenset(setting.key for setting in SERVER_PROPERTIES if "<" not in setting.key)
# Keys the kit sets per listener (listener.name.<listener>.*) in the secure profile.
OWNED_LISTENER_SUFFIXES = (".ssl.client.auth", ".sasl.enabled.mechanisms", ".sasl.jaas.config",
                           ".ssl.keystore.location", ".ssl.truststore.location")  # fmt: skip


def owns(key: str) -> bool:
    """Whether the kit derives `key` (kafka_server_properties may not set it)."""
    return key in OWNED_KEYS or (key.startswith("listener.name.") and key.endswith(OWNED_LISTENER_SUFFIXES))


def owner_of(key: str) -> str:
    """The variable (or derivation) that sets `key`."""
    for setting in SERVER_PROPERTIES:
        pattern = setting.key.replace("<controller>", "").replace("<listener>", "")
        if setting.key == key or ("<" in setting.key and key.endswith(pattern.split("..", 1)[-1])):
            return setting.source
    return "the secure profile (kafka_security_profile)"


def _urls(listeners: list[dict], host_field: str) -> str:
    return ",".join(
        f"{item['name']}://{item.get(host_field) or ''}:{int(item['port'])}" for item in listeners
    )


def known_listeners(node: dict) -> list[dict]:
    """Every listener the node has, and the controller listeners even where the node does not
    listen on them: a broker-only node still needs their protocols to reach the controllers."""
    listeners = list(node["listeners"])
    if node["mode"] == "kraft" or node.get("migrating"):
        listeners += [item for item in node["controller_listeners"] if item not in listeners]
    if node.get("migrating") and "broker" not in node["roles"]:
        # A migrating controller reaches the ZooKeeper-mode brokers on their inter-broker listener.
        listeners += [item for item in [inter_broker_listener(node)] if item and item not in listeners]
    return listeners


def _protocols(node: dict) -> str:
    return ",".join(f"{item['name']}:{item['protocol']}" for item in known_listeners(node))


def node_modes(node: dict) -> tuple[str, ...]:
    """The modes a node's settings follow: its own, and MIGRATION while it migrates."""
    return (node["mode"], MIGRATION) if node.get("migrating") else (node["mode"],)


def applies(setting: Setting, node: dict, version: tuple[int, int, int], secure: bool) -> bool:
    return (
        setting.value is not None
        and any(mode in setting.modes for mode in node_modes(node))
        and any(
            role in setting.roles + (setting.migrating_roles if node.get("migrating") else ())
            for role in node["roles"]
        )
        and version >= setting.since
        and (secure or not setting.secure)
        and not (setting.key == "broker.rack" and not node["rack"])
    )


def security_properties(node: dict, cluster: dict) -> dict:
    """The secure profile's settings that depend on the node's listeners; the inter-broker
    listener's JAAS line carries the broker's password, which the role adds at render time
    (`secret_properties`: key -> what goes there), never the model."""
    sec = cluster["security"]
    if sec["profile"] != "secure":
        return {}
    authorizer = security.KRAFT_AUTHORIZER if node["mode"] == "kraft" else security.ZOOKEEPER_AUTHORIZER
    props: dict = {"authorizer.class.name": authorizer}
    if node["mode"] == "kraft":
        for item in node["controller_listeners"]:
            if item["protocol"] == "SSL":
                props[f"listener.name.{item['name'].lower()}.ssl.client.auth"] = "required"
    if "broker" in node["roles"]:
        inter_broker = node["vars"].get("kafka_inter_broker_listener_name")
        for item in node["broker_listeners"]:
            name = item["name"].lower()
            if item["protocol"] == "SSL":
                props[f"listener.name.{name}.ssl.client.auth"] = "required"
            elif item["protocol"] == "SASL_SSL":
                props[f"listener.name.{name}.sasl.enabled.mechanisms"] = security.SCRAM_MECHANISM
                if item["name"] != inter_broker:
                    props[f"listener.name.{name}.scram-sha-512.sasl.jaas.config"] = security.jaas_scram()
        if sec["client_auth"] == "scram":
            props["sasl.mechanism.inter.broker.protocol"] = security.SCRAM_MECHANISM
    elif node.get("migrating") and (inter_broker_listener(node) or {}).get("protocol") == "SASL_SSL":
        # The migrating controller logs in to the ZooKeeper-mode brokers as the broker user; Kafka
        # checks the mechanism against the listener's enabled ones even where nothing listens.
        props["sasl.mechanism.inter.broker.protocol"] = security.SCRAM_MECHANISM
        name = inter_broker_listener(node)["name"].lower()
        props[f"listener.name.{name}.sasl.enabled.mechanisms"] = security.SCRAM_MECHANISM
    return props


def secret_properties(node: dict, cluster: dict) -> dict:
    """Keys whose value holds a secret: {key: the credentials it takes}. The kafka role renders them
    from its own variables (kafka_broker_user, kafka_broker_password)."""
    if cluster["security"]["profile"] != "secure" or not ("broker" in node["roles"] or node.get("migrating")):
        return {}
    inter_broker = node["vars"].get("kafka_inter_broker_listener_name")
    listener = next((item for item in node["broker_listeners"] if item["name"] == inter_broker), None)
    if listener is None or listener["protocol"] != "SASL_SSL":
        return {}
    return {f"listener.name.{listener['name'].lower()}.scram-sha-512.sasl.jaas.config": "broker"}


def server_properties(node: dict, cluster: dict) -> dict:
    """The node's server.properties: the kit's settings, then kafka_server_properties merged last.
    Sizing values left `auto` are resolved on the host (module_utils/sizing.py)."""
    version = constants.parse_version(cluster["version"]) or (0, 0, 0)
    secure = cluster["security"]["profile"] == "secure"
    derived = {s.key: s.value(node, cluster) for s in SERVER_PROPERTIES if applies(s, node, version, secure)}
    return {
        **derived,
        **security_properties(node, cluster),
        **node["vars"].get("kafka_server_properties", {}),
    }


# --- Building the model ---------------------------------------------------------------------------
def _node_id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _listener(item: dict, node_vars: dict) -> dict:
    return {
        "name": str(item.get("name", "")),
        "port": item.get("port"),
        "protocol": str(item.get("protocol", "PLAINTEXT")),
        "advertised_host": str(
            item.get("advertised_host") if item.get("advertised_host") is not None else ""
        ),
        "bind_host": str(item.get("bind_host") or ""),
    }


def java_agent(variables: dict, rules: str, port_variable: str) -> str:
    """The JVM option that loads the JMX exporter agent with the kit's `rules` (empty without)."""
    if not variables.get("kafka_metrics_enabled", False):
        return ""
    directory = variables.get("kafka_metrics_install_dir", "")
    jar = f"{directory}/jmx_prometheus_javaagent-{variables.get('kafka_metrics_jmx_exporter_version')}.jar"
    return f"-javaagent:{jar}={variables.get(port_variable)}:{directory}/{rules}.yml"


def exporter_ports(variables: dict, jvm_port_variable: str) -> dict[str, object]:
    """The ports the host's exporters bind, by variable (none when metrics are off)."""
    if not variables.get("kafka_metrics_enabled", False):
        return {}
    ports = {jvm_port_variable: variables.get(jvm_port_variable)}
    if variables.get("kafka_metrics_node_exporter_enabled", False):
        ports["kafka_metrics_node_exporter_port"] = variables.get("kafka_metrics_node_exporter_port")
    return ports


def tls_files(variables: dict) -> dict:
    directory = str(variables.get("kafka_tls_dir", "/etc/kafka-kit/tls"))
    return {
        "dir": directory,
        "node_pem": f"{directory}/node.pem",
        "ca_pem": f"{directory}/ca.pem",
        # Written by kafka_tls when a running node's files changed; cleared once it loaded them.
        "reload_marker": f"{directory}/.reload-pending",
    }


def security_of(nodes: list[dict], first: dict) -> dict:
    """The cluster's security: the profile, how clients authenticate, the principals."""
    profile = str(first.get("kafka_security_profile", "secure"))
    client_auth = str(first.get("kafka_client_authentication", "scram"))
    admin = str(first.get("kafka_admin_user", "admin"))
    broker = str(first.get("kafka_broker_user", "kafka-broker"))
    extra = [str(p) for p in first.get("kafka_super_users_extra", []) if isinstance(p, str)]
    return {
        "profile": profile,
        "client_auth": client_auth,
        "admin_user": admin,
        "broker_user": broker,
        "node_unit": security.NODE_UNIT,
        "super_users": security.super_users(nodes, admin, broker, extra, client_auth)
        if profile == "secure"
        else [],
    }


def node_mode(cluster_mode, migration: str, roles: list[str]) -> tuple[str, bool]:
    """A node's own mode and whether it migrates: while a ZooKeeper-mode cluster migrates
    (kafka_zookeeper_migration), its controllers run KRaft and write to ZooKeeper too; its brokers
    run ZooKeeper mode with the migration on, then KRaft in dual_write. The controllers migrate
    until finalized; the brokers until they run KRaft."""
    if cluster_mode != "zookeeper" or migration not in MIGRATION_PHASES[1:]:
        return cluster_mode, False
    if "controller" in roles:
        return "kraft", True
    return ("kraft", False) if migration == "dual_write" else ("zookeeper", True)


def kafka_node(host: str, variables: dict, roles: list[str], migration: str = "none") -> dict:
    """One Kafka host: its identity and listeners."""
    mode, migrating = node_mode(variables.get("kafka_mode"), migration, roles)
    broker_listeners = [
        _listener(item, variables)
        for item in [*variables.get("kafka_listeners", []), *variables.get("kafka_listeners_extra", [])]
        if isinstance(item, dict)
    ]
    controller_listener = _listener(variables.get("kafka_controller_listener") or {}, variables)
    # More controller listeners, after the first in controller.listener.names: a controller listener
    # moves to another protocol through them, one roll at a time (docs/security.md).
    controller_listeners = [controller_listener] + [
        _listener(item, variables)
        for item in variables.get("kafka_controller_listeners_extra", [])
        if isinstance(item, dict)
    ]
    listeners = (broker_listeners if "broker" in roles else []) + (
        controller_listeners if "controller" in roles and mode == "kraft" else []
    )
    config_dir = variables.get("kafka_config_dir", "/etc/kafka")
    return {
        "host": host,
        "node_id": _node_id(variables.get("kafka_node_id")),
        "roles": roles,
        "rack": str(variables.get("kafka_broker_rack") or "").strip(),
        "advertised_host": str(variables.get("kafka_advertised_host") or ""),
        "mode": mode,
        "migrating": migrating,
        "version": str(variables.get("kafka_version", "")),
        "broker_listeners": broker_listeners,
        "controller_listener": controller_listener,
        "controller_listeners": controller_listeners,
        "listeners": listeners,
        "data_dirs": list(variables.get("kafka_data_dirs", [])),
        "java_agent": java_agent(variables, "kafka", "kafka_metrics_jmx_exporter_port"),
        "tls": tls_files(variables),
        "inter_broker_listener_name": variables.get("kafka_inter_broker_listener_name"),
        "admin_config": f"{config_dir}/admin.properties",
        "controller_admin_config": f"{config_dir}/controller-admin.properties",
        # The kit's restart protocol: a node with this file runs an older configuration (kafka_ops).
        "restart_marker": f"{config_dir}/.restart-pending",
        "exporter_ports": exporter_ports(variables, "kafka_metrics_jmx_exporter_port"),
        "vars": variables,
    }


def zookeeper_member(host: str, variables: dict) -> dict:
    return {
        "host": host,
        "myid": _node_id(variables.get("zookeeper_myid")),
        "advertised_host": str(variables.get("zookeeper_advertised_host") or ""),
        "client_port": variables.get("zookeeper_client_port"),
        "peer_port": variables.get("zookeeper_peer_port"),
        "election_port": variables.get("zookeeper_election_port"),
        "java_agent": java_agent(variables, "zookeeper", "kafka_metrics_zookeeper_exporter_port"),
        "exporter_ports": exporter_ports(variables, "kafka_metrics_zookeeper_exporter_port"),
        "vars": variables,
    }


def _by_id(nodes: list[dict], key: str) -> list[dict]:
    return sorted(nodes, key=lambda n: (n[key] is None, n[key] or 0, n["host"]))


def endpoints(nodes: list[dict], listener_of) -> str:
    """`host:port,...` of `nodes` on the listener `listener_of(node)` picks (skipped when None)."""
    found = []
    for node in nodes:
        listener = listener_of(node)
        if listener is not None:
            found.append(f"{listener['advertised_host']}:{int(listener['port'])}")
    return ",".join(found)


def inter_broker_listener(node: dict) -> dict | None:
    name = node["vars"].get("kafka_inter_broker_listener_name")
    return next((item for item in node["broker_listeners"] if item["name"] == name), None)


def zookeeper_ensemble(members: list[dict], chroot: str) -> dict:
    ordered = _by_id(members, "myid")
    servers = [f"{m['advertised_host']}:{int(m['client_port'])}" for m in ordered]
    return {
        "members": [{k: v for k, v in m.items() if k != "vars"} for m in ordered],
        "servers": servers,
        "connect": ",".join(servers) + (chroot or ""),
        "chroot": chroot,
        "cluster_id_path": f"{chroot}/cluster/id",
        "config": zoo_cfg(ordered),
    }


def zoo_cfg(members: list[dict]) -> dict:
    """zoo.cfg as every member shares it: the documented settings, the ensemble's server.N lines,
    then zookeeper_properties merged last. Each member adds its own clientPort (the role does)."""
    if not members:
        return {}
    first = members[0]["vars"]
    config = {
        "tickTime": first["zookeeper_tick_time"],
        "initLimit": first["zookeeper_init_limit"],
        "syncLimit": first["zookeeper_sync_limit"],
        "dataDir": first["zookeeper_data_dir"],
        "dataLogDir": first["zookeeper_data_log_dir"],
        "autopurge.snapRetainCount": first["zookeeper_autopurge_snap_retain_count"],
        "autopurge.purgeInterval": first["zookeeper_autopurge_purge_interval"],
        "4lw.commands.whitelist": first["zookeeper_4lw_whitelist"],
        # The AdminServer is an unauthenticated HTTP port (8080); the health checks do not need it.
        "admin.enableServer": False,
    }
    if first.get("zookeeper_client_password"):
        # Every session authenticates (SASL DIGEST-MD5, the one identity in jaas.conf).
        config.update(
            {
                "authProvider.sasl": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
                "enforce.auth.enabled": True,
                "enforce.auth.schemes": "sasl",
            }
        )
    config.update(
        {
            f"server.{m['myid']}": f"{m['advertised_host']}:{int(m['peer_port'])}:{int(m['election_port'])}"
            for m in members
        }
    )
    return {**config, **first.get("zookeeper_properties", {})}


def build(hosts: dict[str, dict], groups: dict[str, list[str]], names: dict[str, str]) -> dict:
    """The cluster: `hosts` maps each host to its kit variables; `groups` is the inventory's;
    `names` the group names of the roles (broker, controller, zookeeper, monitoring)."""
    brokers = set(groups.get(names["broker"], []))
    controllers = set(groups.get(names["controller"], []))
    some = hosts[min(brokers | controllers)] if brokers | controllers else {}
    migration = str(some.get("kafka_zookeeper_migration", "none"))
    # Controllers of a ZooKeeper-mode cluster before its migration are staged: provisioned, idle,
    # untouched until kafka_zookeeper_migration says migrating (docs/migration.md).
    staged = (
        sorted(controllers - brokers) if some.get("kafka_mode") == "zookeeper" and migration == "none" else []
    )
    kafka_hosts = sorted((brokers | controllers) - set(staged))
    nodes = [
        kafka_node(
            host,
            hosts[host],
            (["broker"] if host in brokers else []) + (["controller"] if host in controllers else []),
            migration,
        )
        for host in kafka_hosts
    ]
    nodes = _by_id(nodes, "node_id")
    first = nodes[0]["vars"] if nodes else {}
    members = [zookeeper_member(h, hosts[h]) for h in groups.get(names["zookeeper"], []) if h in hosts]
    # An ensemble deployed on its own (the zookeeper role alone) is in ZooKeeper mode by definition.
    mode = first.get("kafka_mode", "zookeeper" if members and not nodes else "kraft")
    version = str(first.get("kafka_version", ""))
    parsed = constants.parse_version(version) or (0, 0, 0)
    broker_nodes = [n for n in nodes if "broker" in n["roles"]]
    broker_mode = broker_nodes[0]["mode"] if broker_nodes else mode
    controller_nodes = [n for n in nodes if "controller" in n["roles"] and n["mode"] == "kraft"]
    cluster = {
        "mode": mode,
        # A ZooKeeper-mode cluster's way to KRaft: its phase, the mode its brokers run, whether a
        # KRaft quorum runs (the gates ask it rather than ZooKeeper), the controllers staged for it.
        "migration": migration if mode == "zookeeper" else "none",
        "broker_mode": broker_mode,
        "kraft_quorum": bool(controller_nodes),
        # The gate that counts the brokers: ZooKeeper's registrations, except while migrating, when
        # a roll forward from ZooKeeper or back from dual-write leaves brokers in both modes, which
        # the brokers' own metadata (the tools) lists alike.
        "broker_gate": (
            "zookeeper_brokers"
            if broker_nodes and broker_mode == "zookeeper" and migration != "migrating"
            else "brokers"
        ),
        "staged_controllers": staged,
        "version": version,
        "scala_version": str(first.get("kafka_scala_version", constants.DEFAULT_SCALA_VERSION)),
        "cluster_id": str(first.get("kafka_cluster_id") or ""),
        "cluster_name": str(first.get("kafka_cluster_name") or "kafka"),
        "groups": dict(names),
        "brokers": [n["host"] for n in broker_nodes],
        "controllers": [n["host"] for n in controller_nodes],
        "kafka_hosts": [n["host"] for n in nodes],
        "log_dirs": [{"host": n["host"], "dir": d} for n in nodes for d in n["data_dirs"]],
        "zookeeper_hosts": [m["host"] for m in _by_id(members, "myid")],
        "monitoring_hosts": sorted(groups.get(names.get("monitoring", ""), [])),
        "replication_factor": first.get("kafka_default_replication_factor"),
        "min_insync_replicas": first.get("kafka_min_insync_replicas"),
        "logging": "log4j2" if parsed >= constants.LOG4J2_VERSION else "log4j1",
        "min_isr_is_cluster_level": mode == "kraft" and parsed >= constants.CLUSTER_LEVEL_MIN_ISR_VERSION,
        "tools": constants.tool_classes(version) if constants.parse_version(version) else {},
        "_nodes": nodes,
        "_members": members,
        "_staged": [(host, hosts[host]) for host in staged],
    }
    cluster["bootstrap_servers"] = (
        endpoints(broker_nodes, inter_broker_listener) if _ports_ok(broker_nodes) else ""
    )
    # Each controller's own, for a quorum change that must name only some of the voters.
    cluster["controller_endpoints"] = (
        {n["host"]: endpoints([n], lambda n: n["controller_listener"]) for n in controller_nodes}
        if _ports_ok(controller_nodes)
        else {}
    )
    cluster["controller_bootstrap"] = ",".join(cluster["controller_endpoints"].values())
    cluster["zookeeper"] = (
        zookeeper_ensemble(members, str(first.get("kafka_zookeeper_chroot", "")))
        if mode == "zookeeper" and members and _members_ok(members)
        else None
    )
    cluster["security"] = security_of(nodes, first)
    # What the kit's own tools speak on the broker listeners: the inter-broker listener's protocol.
    inter_broker = next(filter(None, map(inter_broker_listener, broker_nodes)), None)
    cluster["security"]["tools_protocol"] = inter_broker["protocol"] if inter_broker else "SASL_SSL"
    # Kafka nodes only: the ensemble is reached over SASL (DIGEST-MD5), not TLS.
    cluster["tls_names"] = {
        n["host"]: security.subject_alt_names(security.node_names(n, n["vars"].get("kafka_tls_extra_names")))
        for n in nodes
    }
    # The service account (user, group) that owns each node's key (0600).
    cluster["tls_owners"] = {
        n["host"]: {
            "user": str(n["vars"].get("kafka_user", "kafka")),
            "group": str(n["vars"].get("kafka_group", "kafka")),
        }
        for n in nodes
    }
    cluster["textfile_dirs"] = {
        host: hosts[host].get("kafka_metrics_textfile_dir", "")
        for host in cluster["kafka_hosts"] + cluster["zookeeper_hosts"]
        if hosts[host].get("kafka_metrics_enabled") and hosts[host].get("kafka_metrics_node_exporter_enabled")
    }
    cluster["memberships"] = memberships(cluster)
    cluster["scrape_targets"] = scrape_targets(nodes, members, cluster["monitoring_hosts"], hosts)
    cluster["gate_exporters"] = gate_exporters(
        cluster["scrape_targets"]["kafka"], len(nodes), "kraft" if cluster["kraft_quorum"] else mode
    )
    cluster["artifacts"] = artifacts(first, members[0]["vars"] if members else {}, mode)
    cluster["dynamic_properties"] = {
        **(
            {"min.insync.replicas": cluster["min_insync_replicas"]}
            if cluster["min_isr_is_cluster_level"]
            else {}
        ),
        **first.get("kafka_dynamic_properties", {}),
    }
    return cluster


def memberships(cluster: dict) -> dict[str, list[str]]:
    """The kit's own groups of each host, which the playbooks target (the documented group
    variables name the inventory's groups; these follow them)."""
    found: dict[str, list[str]] = {}
    for kind, hosts in (("broker", cluster["brokers"]), ("controller", cluster["controllers"]),
                        ("kafka", cluster["kafka_hosts"]), ("zookeeper", cluster["zookeeper_hosts"]),
                        ("monitoring", cluster["monitoring_hosts"]),
                        ("staged_controller", cluster["staged_controllers"])):  # fmt: skip
        for host in hosts:
            found.setdefault(host, []).append(f"kafkakit_{kind}")
    return dict(sorted(found.items()))


def _node_role(node: dict) -> str:
    return "combined" if len(node["roles"]) == 2 else node["roles"][0]


def scrape_targets(nodes: list[dict], members: list[dict], monitoring: list[str], hosts: dict) -> dict:
    """What the monitoring host scrapes, by job: the JMX exporter of every Kafka JVM (labelled with
    its role, node id and rack) and ZooKeeper JVM, and the node exporter of every host. Targets are
    the names the nodes advertise, which the monitoring host resolves like any client."""
    jobs: dict[str, list[dict]] = {"kafka": [], "zookeeper": [], "node": []}
    seen_hosts: dict[str, str] = {}
    for node in nodes:
        ports = node["exporter_ports"]
        if "kafka_metrics_jmx_exporter_port" in ports:
            labels = {"instance": node["host"], "role": _node_role(node), "node_id": str(node["node_id"])}
            labels.update({"rack": node["rack"]} if node["rack"] else {})
            target = f"{node['advertised_host']}:{ports['kafka_metrics_jmx_exporter_port']}"
            jobs["kafka"].append({"target": target, "labels": labels})
        if "kafka_metrics_node_exporter_port" in ports:
            seen_hosts[node["host"]] = (
                f"{node['advertised_host']}:{ports['kafka_metrics_node_exporter_port']}"
            )
    for member in members:
        ports = member["exporter_ports"]
        if "kafka_metrics_zookeeper_exporter_port" in ports:
            jobs["zookeeper"].append(
                {
                    "target": f"{member['advertised_host']}:{ports['kafka_metrics_zookeeper_exporter_port']}",
                    "labels": {"instance": member["host"], "myid": str(member["myid"])},
                }
            )
        if "kafka_metrics_node_exporter_port" in ports and member["host"] not in seen_hosts:
            seen_hosts[member["host"]] = (
                f"{member['advertised_host']}:{ports['kafka_metrics_node_exporter_port']}"
            )
    for host in monitoring:
        port = hosts.get(host, {}).get("monitoring_node_exporter_port")
        if port:
            seen_hosts.setdefault(host, f"localhost:{port}")
    jobs["node"] = [
        {"target": target, "labels": {"instance": host}} for host, target in sorted(seen_hosts.items())
    ]
    return jobs


def gate_exporters(kafka_targets: list[dict], kafka_nodes: int, mode: str) -> dict:
    """The JMX exporters the metric gates read (kafka_gate source=metrics): every broker's, every
    controller's (in ZooKeeper mode the brokers', one of which is the controller), and whether every
    Kafka node has one, without which the gates read the tools."""
    brokers = [t["target"] for t in kafka_targets if t["labels"]["role"] != "controller"]
    controllers = [t["target"] for t in kafka_targets if t["labels"]["role"] != "broker"]
    return {
        "all": [t["target"] for t in kafka_targets],
        "brokers": brokers,
        "controllers": controllers if mode == "kraft" else brokers,
        "every_node": len(kafka_targets) == kafka_nodes,
    }


def artifacts(kafka: dict, zookeeper: dict, mode: str) -> list[dict]:
    """The releases the hosts will install, and where the controller gets each (release_check)."""
    common = {
        "cache_dir": kafka.get("kafka_artifact_cache_dir", ""),
        "timeout": kafka.get("kafka_artifact_download_timeout", 30),
    }
    found = [
        {
            **common,
            "product": "kafka",
            "version": str(kafka.get("kafka_version", "")),
            "scala_version": str(kafka.get("kafka_scala_version", constants.DEFAULT_SCALA_VERSION)),
            "source": kafka.get("kafka_artifact_source", "auto"),
            "apache_mirror": kafka.get("kafka_artifact_apache_mirror", ""),
            "maven_repository": kafka.get("kafka_artifact_maven_repository", ""),
        }
    ]
    if mode == "zookeeper" and zookeeper:
        found.append(
            {
                **common,
                "product": "zookeeper",
                "version": str(zookeeper.get("zookeeper_version", constants.DEFAULT_ZOOKEEPER_VERSION)),
                "scala_version": "",
                "source": zookeeper.get("zookeeper_artifact_source", "auto"),
                "apache_mirror": zookeeper.get("zookeeper_artifact_apache_mirror", ""),
                "maven_repository": zookeeper.get("zookeeper_artifact_maven_repository", ""),
            }
        )
    return found


def _ports_ok(nodes: list[dict]) -> bool:
    listeners = [item for n in nodes for item in [*n["broker_listeners"], *n["controller_listeners"]]]
    return all(isinstance(item["port"], int) and not isinstance(item["port"], bool) for item in listeners)


def _members_ok(members: list[dict]) -> bool:
    return all(
        isinstance(m[port], int) and m["myid"] is not None
        for m in members
        for port in ("client_port", "peer_port", "election_port")
    )


def finish(cluster: dict) -> dict:
    """The model as the roles read it (the kafkakit_cluster fact): nodes by host with their
    server.properties; internal build state dropped."""
    nodes = {}
    for node in cluster.pop("_nodes"):
        public = {k: v for k, v in node.items() if k != "vars"}
        public["server_properties"] = server_properties(node, cluster)
        public["secret_properties"] = secret_properties(node, cluster)
        # The node's own inter-broker endpoint: a tool bootstrapped from it alone must get in here.
        public["bootstrap"] = endpoints([node], inter_broker_listener) if "broker" in node["roles"] else ""
        nodes[node["host"]] = public
    cluster.pop("_members", None)
    cluster.pop("_staged", None)
    cluster["nodes"] = nodes
    return cluster
