"""The secure profile's pieces that are data: who each node is (its principal, the names on its
certificate), who may do everything (super.users), the SCRAM credentials bootstrapped at format
time, the client configurations the kit's own tools use, and the checks of passwords and of the
site's certificates. Used by the cluster model on the controller and by the roles' filters.

Secrets never enter the model: passwords reach the hosts through the roles' own variables, at
render time, with no_log. Tests: tests/unit/test_security.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets

from ansible_collections.kafkakit.kafka.plugins.module_utils import constants

PROFILES = ("secure", "plaintext")
CLIENT_AUTHENTICATIONS = ("scram", "mtls")
SCRAM_MECHANISM = "SCRAM-SHA-512"
SCRAM_ITERATIONS = 8192
SCRAM_MIN_ITERATIONS = 4096
# The kit's CA puts this organizational unit in every node certificate, and the first mapping rule
# makes all of them one principal (User:kafka-kit-node): a node added later is already a super user
# on the running nodes, so it registers before any roll, and adding it changes no node's
# super.users. Any other certificate is named by its CN (User:kafka-1, User:orders).
NODE_UNIT = "kafka-kit-node"
PRINCIPAL_MAPPING_RULES = f"RULE:^(.*,)?OU={NODE_UNIT}(,.*)?$/{NODE_UNIT}/,RULE:^CN=([^,]+).*$/$1/,DEFAULT"
KRAFT_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
ZOOKEEPER_AUTHORIZER = "kafka.security.authorizer.AclAuthorizer"
PASSWORD_MIN_LENGTH = 16
# Passwords people type when a form insists; refused whatever their length.
_COMMON = {"password", "changeme", "secret", "admin", "kafka", "letmein", "123456", "qwerty"}


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


def node_names(node: dict, extra: list[str] | None = None) -> list[str]:
    """Every name peers dial to reach `node` (a model node): the advertised host of each of its
    listeners, the controller listener's too, and the inventory name; sorted, each once. These go
    into its certificate's subject alternative names."""
    names = {node["host"], node.get("advertised_host", "")}
    names |= {item.get("advertised_host", "") for item in node.get("listeners", [])}
    if "controller" in node.get("roles", []):
        names.add(node["controller_listener"].get("advertised_host", ""))
    names |= set(extra or [])
    return sorted(name for name in names if name)


def subject_alt_names(names: list[str]) -> list[str]:
    """`DNS:name` and `IP:address` entries for community.crypto's openssl_csr."""
    return [f"IP:{name.strip('[]')}" if is_ip(name) else f"DNS:{name}" for name in names]


def node_principal(host: str, site_certificate: bool = False) -> str:
    """A node's principal on the mTLS listeners, by PRINCIPAL_MAPPING_RULES: the kit's one node
    principal for certificates of the kit's CA; the CN (the inventory name) of a site certificate."""
    return f"User:{host}" if site_certificate else f"User:{NODE_UNIT}"


def super_users(
    nodes: list[dict], admin_user: str, broker_user: str, extra: list[str], client_auth: str
) -> list[str]:
    """Every principal that may do everything: each node (the controllers' list must hold the
    brokers' principals, or a roll takes the cluster down: controllers authorize the brokers'
    forwarded requests by the broker's principal), the broker user of SCRAM inter-broker traffic,
    the admin, and any you add. Sorted and unique, so a re-run renders the same bytes."""
    principals = {
        node_principal(node["host"], bool(node.get("vars", {}).get("kafka_tls_certificate")))
        for node in nodes
    }
    principals.add(f"User:{admin_user}")
    if client_auth == "scram":
        principals.add(f"User:{broker_user}")
    principals |= set(extra)
    return sorted(principals)


# --- SCRAM ----------------------------------------------------------------------------------------
def salted_password(password: str, salt: bytes, iterations: int = SCRAM_ITERATIONS) -> bytes:
    """SCRAM's SaltedPassword: PBKDF2 with HMAC-SHA-512 (RFC 5802, RFC 7677's mechanism)."""
    return hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, dklen=64)


def format_scram_argument(
    name: str, password: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS
) -> str:
    """The `--add-scram` value of `kafka-storage format` (KIP-900), salted on the controller so the
    cleartext password never reaches a command line: SCRAM-SHA-512=[name=..,iterations=..,salt=..,
    saltedpassword=..]."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = salted_password(password, salt, iterations)
    encode = base64.b64encode
    return (
        f'{SCRAM_MECHANISM}=[name="{name}",iterations={iterations},salt="{encode(salt).decode()}",'
        f'saltedpassword="{encode(salted).decode()}"]'
    )


def password_fingerprint(name: str, password: str) -> str:
    """What the kit records on the node of a user's password, to tell whether it changed: an HMAC
    keyed by the user's name, never the password."""
    return hmac.new(name.encode(), password.encode(), hashlib.sha256).hexdigest()


def password_problem(password) -> str | None:
    """Why `password` is too weak to protect a Kafka user (its length, a common word, one class of
    character); None when it is fine."""
    text = "" if password is None else str(password)
    if not text:
        return "is empty"
    if len(text) < PASSWORD_MIN_LENGTH:
        return (
            f"has {len(text)} characters; use at least {PASSWORD_MIN_LENGTH} "
            "(a vault lookup or a generated one)"
        )
    if text.lower() in _COMMON or len(set(text)) < 6:
        return "is a common or repetitive word"
    return None


def jaas_scram(username: str | None = None, password: str | None = None) -> str:
    """A listener's sasl.jaas.config: the SCRAM login module, with the broker's own credentials on
    the listener brokers replicate over (they are its clients too)."""
    if username is None:
        return "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    return (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{_escape_jaas(username)}" password="{_escape_jaas(password or "")}";'
    )


def _escape_jaas(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# --- Client configurations --------------------------------------------------------------------------
def java_client(
    protocol: str, truststore: str, *, user: str = "", password: str = "", keystore: str = ""
) -> dict:
    """A Java client's (admin tools', the verifiable producer's) security settings for a listener of
    `protocol`: PEM truststore, SCRAM credentials for SASL_SSL, the node's own PEM keystore for mTLS."""
    config: dict = {"security.protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        config.update({"ssl.truststore.type": "PEM", "ssl.truststore.location": truststore})
    if protocol.startswith("SASL"):
        config.update({"sasl.mechanism": SCRAM_MECHANISM, "sasl.jaas.config": jaas_scram(user, password)})
    if keystore:
        config.update({"ssl.keystore.type": "PEM", "ssl.keystore.location": keystore})
    return config


def librdkafka_client(protocol: str, ca_location: str, *, user: str = "", password: str = "") -> dict:
    """The same for librdkafka clients (kcat -F, confluent-kafka)."""
    config: dict = {"security.protocol": protocol.lower()}
    if protocol in ("SSL", "SASL_SSL"):
        config["ssl.ca.location"] = ca_location
    if protocol.startswith("SASL"):
        config.update({"sasl.mechanism": SCRAM_MECHANISM, "sasl.username": user, "sasl.password": password})
    return config


# --- The site's certificates -------------------------------------------------------------------------
_PKCS1 = re.compile(r"-----BEGIN RSA PRIVATE KEY-----")


def key_format_problem(key_pem: str) -> str | None:
    """Kafka reads PKCS#8 keys only (BEGIN PRIVATE KEY); a PKCS#1 RSA key loads nowhere."""
    if _PKCS1.search(key_pem or ""):
        return (
            "is a PKCS#1 key (BEGIN RSA PRIVATE KEY); Kafka reads PKCS#8 only: openssl pkcs8 -topk8 -nocrypt"
        )
    if "-----BEGIN PRIVATE KEY-----" not in (key_pem or "") and "ENCRYPTED PRIVATE KEY" not in (
        key_pem or ""
    ):
        return "holds no PEM private key"
    return None


# --- Moving a running plaintext cluster to the secure profile --------------------------------------
# Each step is an inventory that deploy.yml rolls out behind its gates (docs/security.md). The
# listeners clients and nodes move to need names and ports of their own: a port speaks one protocol.
MIGRATION_STEPS = ("plaintext", "open", "switch", "moved")
MOVED_BROKER_LISTENER = {"name": "INTERNAL_TLS", "port": 9094}
MOVED_CONTROLLER_LISTENER = {"name": "CONTROLLER_TLS", "port": 9095}
_ADVERTISED = "{{ kafka_advertised_host }}"


def migration_vars(step: str, extra_plaintext: list[str] | None = None) -> dict:
    """The kit's variables at `step` of the move from plaintext: `plaintext` (where it starts),
    `open` (the secure listeners open beside the plaintext ones, the nodes still talk PLAINTEXT, as
    User:ANONYMOUS, a super user meanwhile), `switch` (the nodes talk over the secure listeners,
    clients move), `moved` (the plaintext listeners closed). Any other step is the secure profile's
    defaults: {}. `extra_plaintext`: more listeners of yours that stay PLAINTEXT until `moved`."""
    # Where a plaintext cluster of the kit's defaults listens.
    plain = {"name": "INTERNAL", "port": constants.DEFAULT_PORTS["broker"], "protocol": "PLAINTEXT",
             "advertised_host": _ADVERTISED}  # fmt: skip
    secure = {**MOVED_BROKER_LISTENER, "protocol": "{{ kafka_broker_listener_protocol }}",
              "advertised_host": _ADVERTISED}  # fmt: skip
    plain_controller = {
        "name": "CONTROLLER",
        "port": constants.DEFAULT_PORTS["controller"],
        "protocol": "PLAINTEXT",
        "advertised_host": _ADVERTISED,
    }
    secure_controller = {**MOVED_CONTROLLER_LISTENER, "protocol": "SSL", "advertised_host": _ADVERTISED}
    if step == "plaintext":
        return {"kafka_security_profile": "plaintext"}
    if step == "moved":
        return {
            "kafka_listeners": [secure],
            "kafka_inter_broker_listener_name": secure["name"],
            "kafka_controller_listener": secure_controller,
        }
    if step not in ("open", "switch"):
        return {}
    switched = step == "switch"
    return {
        "kafka_security_plaintext_listeners": [
            plain["name"],
            plain_controller["name"],
            *(extra_plaintext or []),
        ],
        "kafka_super_users_extra": ["User:ANONYMOUS"],
        "kafka_listeners": [plain, secure],
        "kafka_inter_broker_listener_name": (secure if switched else plain)["name"],
        "kafka_controller_listener": secure_controller if switched else plain_controller,
        "kafka_controller_listeners_extra": [plain_controller if switched else secure_controller],
    }
