"""The secure profile's data (principals, super users, SCRAM credentials, client settings) and the
contract's security rules, with certificates and keys made here by `cryptography`."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import pathlib
import re

import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import certificates, security
from contract_harness import (
    SECRETS,
    combined,
    evaluate,
    problems_of,
    with_group_var,
    with_host_var,
    zookeeper_mode,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.UTC)


# --- Principals, super users, names ------------------------------------------------------------------
def test_the_secure_profile_is_the_default_with_tls_scram_mtls_controllers_and_acls():
    cluster, problems = evaluate(combined())
    assert problems == []
    props = cluster["nodes"]["kafka-1"]["server_properties"]
    assert props["listener.security.protocol.map"] == "INTERNAL:SASL_SSL,CONTROLLER:SSL"
    assert props["listener.name.controller.ssl.client.auth"] == "required"
    assert props["listener.name.internal.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["allow.everyone.if.no.acl.found"] is False
    assert (props["ssl.keystore.type"], props["ssl.truststore.type"]) == ("PEM", "PEM")
    assert props["ssl.keystore.location"] == "/etc/kafka-kit/tls/node.pem"


def test_super_users_hold_the_nodes_the_admin_and_the_broker_user():
    cluster, _ = evaluate(with_group_var(combined(), kafka_super_users_extra=["User:ops"]))
    assert cluster["security"]["super_users"] == [
        "User:admin", "User:kafka-broker", "User:kafka-kit-node", "User:ops"
    ]  # fmt: skip
    controller = cluster["nodes"]["kafka-1"]["server_properties"]["super.users"]
    assert controller == "User:admin;User:kafka-broker;User:kafka-kit-node;User:ops"


def test_every_node_certificate_of_the_kits_ca_maps_to_the_one_node_principal():
    # Kafka hands the rules the subject as RFC 2253 names it; the OU may come before or after CN.
    rules = security.PRINCIPAL_MAPPING_RULES.split(",RULE:")
    node_rule = re.match(r"RULE:\^(.*)\$/(.*)/$", rules[0])
    pattern, name = f"^{node_rule.group(1)}$", node_rule.group(2)
    for subject in (
        "CN=kafka-4,OU=kafka-kit-node",
        "OU=kafka-kit-node,CN=kafka-4",
        "CN=b,OU=kafka-kit-node,O=x",
    ):
        assert re.match(pattern, subject) and name == "kafka-kit-node", subject
    for subject in ("CN=orders", "CN=x,OU=kafka-kit-nodes", "CN=kafka-kit-node"):
        assert not re.match(pattern, subject), subject


def test_a_node_added_later_changes_no_nodes_super_users():
    # So the new node registers with the running controllers before any roll.
    three, _ = evaluate(combined())
    four, _ = evaluate(combined(4))
    for host in ("kafka-1", "kafka-2", "kafka-3"):
        before = three["nodes"][host]["server_properties"]["super.users"]
        assert four["nodes"][host]["server_properties"]["super.users"] == before


def test_site_certificates_are_named_by_their_cn():
    assert security.node_principal("kafka-1", site_certificate=True) == "User:kafka-1"


def test_the_brokers_password_never_enters_the_model():
    cluster, _ = evaluate(combined())
    text = repr(cluster)
    for password in SECRETS.values():
        assert password not in text
    assert cluster["nodes"]["kafka-1"]["secret_properties"] == {
        "listener.name.internal.scram-sha-512.sasl.jaas.config": "broker"
    }


def test_a_certificate_names_every_host_peers_dial():
    inventory = with_host_var(
        combined(),
        "kafka-1",
        kafka_listeners_extra=[
            {"name": "HOST", "port": 19092, "protocol": "SASL_SSL", "advertised_host": "127.0.0.1"}
        ],
        kafka_advertised_host="kafka-1.internal",
    )
    cluster, _ = evaluate(inventory)
    assert cluster["tls_names"]["kafka-1"] == ["IP:127.0.0.1", "DNS:kafka-1", "DNS:kafka-1.internal"]


def test_mtls_clients_make_the_broker_listeners_ssl_with_client_certificates():
    cluster, problems = evaluate(with_group_var(combined(), kafka_client_authentication="mtls"))
    assert problems == []
    props = cluster["nodes"]["kafka-2"]["server_properties"]
    assert props["listener.security.protocol.map"] == "INTERNAL:SSL,CONTROLLER:SSL"
    assert props["listener.name.internal.ssl.client.auth"] == "required"
    assert "sasl.mechanism.inter.broker.protocol" not in props
    assert "User:kafka-broker" not in cluster["security"]["super_users"]


def test_the_plaintext_profile_sets_no_security_at_all():
    cluster, problems = evaluate(with_group_var(combined(), kafka_security_profile="plaintext"))
    assert problems == []
    props = cluster["nodes"]["kafka-1"]["server_properties"]
    assert props["listener.security.protocol.map"] == "INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"
    assert not [key for key in props if key.startswith(("ssl.", "sasl.", "authorizer", "super."))]


def test_zookeeper_mode_uses_the_acl_authorizer_and_sets_acls_on_its_znodes():
    cluster, problems = evaluate(zookeeper_mode())
    assert problems == []
    props = cluster["nodes"]["broker-1"]["server_properties"]
    assert props["authorizer.class.name"] == "kafka.security.authorizer.AclAuthorizer"
    assert props["zookeeper.set.acl"] is True
    assert "listener.name.controller.ssl.client.auth" not in props


# --- SCRAM ------------------------------------------------------------------------------------------
def test_the_format_time_credential_is_what_scram_computes():
    salt = bytes(range(16))
    argument = security.format_scram_argument("admin", "pencil-pencil-pencil", salt=salt)
    assert argument.startswith('SCRAM-SHA-512=[name="admin",iterations=8192,salt="AAECAwQFBgcICQoLDA0ODw==",')
    salted = base64.b64decode(argument.split('saltedpassword="')[1].rstrip('"]'))
    assert salted == hashlib.pbkdf2_hmac("sha512", b"pencil-pencil-pencil", salt, 8192, dklen=64)
    assert "pencil" not in argument


def test_a_fingerprint_tells_a_changed_password_without_holding_it():
    first = security.password_fingerprint("alice", "one-long-password-here")
    assert first == hmac.new(b"alice", b"one-long-password-here", hashlib.sha256).hexdigest()
    assert first != security.password_fingerprint("alice", "another-long-password")
    assert "one-long" not in first


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "is empty"),
        ("short-one", "has 9 characters"),
        ("aaaaaaaaaaaaaaaaaaaa", "is a common or repetitive word"),
    ],
)
def test_a_weak_password_is_refused(password, reason):
    assert reason in security.password_problem(password)
    problems = problems_of(with_group_var(combined(), kafka_admin_password=password))
    assert any(f"kafka_admin_password {reason}" in p for p in problems), problems


def test_the_jaas_line_escapes_quotes():
    assert security.jaas_scram("u", 'p"w\\') == (
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p\\"w\\\\";'
    )


def test_client_settings_for_java_and_librdkafka():
    java = security.java_client("SASL_SSL", "/ca.pem", user="admin", password="pw")
    assert java["security.protocol"] == "SASL_SSL" and java["ssl.truststore.type"] == "PEM"
    assert java["sasl.jaas.config"].endswith('username="admin" password="pw";')
    mtls = security.java_client("SSL", "/ca.pem", keystore="/node.pem")
    assert (mtls["ssl.keystore.type"], "sasl.mechanism" in mtls) == ("PEM", False)
    rdkafka = security.librdkafka_client("SASL_SSL", "/ca.pem", user="admin", password="pw")
    assert rdkafka == {
        "security.protocol": "sasl_ssl", "ssl.ca.location": "/ca.pem", "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "admin", "sasl.password": "pw",
    }  # fmt: skip


# --- The contract's security rules -----------------------------------------------------------------------
SECURITY_CASES = {
    "scram-on-the-controller-listener": (
        with_group_var(combined(), kafka_controller_listener={
            "name": "CONTROLLER", "port": 9093, "protocol": "SASL_SSL",
            "advertised_host": "{{ inventory_hostname }}"}),
        "kafka_controller_listener CONTROLLER protocol SASL_SSL in the secure profile: "
        "the controller listener must be SSL",
    ),
    "plaintext-listener-in-the-secure-profile": (
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=[
            {"name": "HOST", "port": 19092, "protocol": "PLAINTEXT", "advertised_host": "127.0.0.1"}]),
        "kafka-1: listener HOST is PLAINTEXT in the secure profile: "
        "anyone who reaches port 19092 reads and writes",
    ),
    "sasl-plaintext": (
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=[
            {"name": "HOST", "port": 19092, "protocol": "SASL_PLAINTEXT", "advertised_host": "127.0.0.1"}]),
        "listener HOST is SASL_PLAINTEXT: passwords would cross the network in the clear",
    ),
    "super-users-overridden": (
        with_group_var(combined(), kafka_server_properties={"super.users": "User:admin"}),
        "kafka_server_properties sets super.users, which the kit derives from every node's principal",
    ),
    "missing-broker-password": (
        with_group_var(combined(), kafka_broker_password=""), "kafka_broker_password is empty"),
    "weak-zookeeper-password": (
        with_group_var(zookeeper_mode(), kafka_zookeeper_password="zk"),
        "kafka_zookeeper_password has 2 characters"),
    "super-user-not-a-principal": (
        with_group_var(combined(), kafka_super_users_extra=["ops"]),
        "kafka_super_users_extra entry 'ops' is not a principal like User:ops",
    ),
    "weak-access-user-password": (
        with_group_var(combined(), kafka_access_users=[{"name": "orders", "password": "orders"}]),
        "kafka_access_users: user 'orders': password",
    ),
    "access-user-reserved": (
        with_group_var(combined(), kafka_access_users=[{"name": "admin", "password": "a-Strong-password-1"}]),
        "user 'admin': admin is the kit's own user",
    ),
    "acls-without-an-authorizer": (
        with_group_var(combined(), kafka_security_profile="plaintext", kafka_access_acls=[
            {"principal": "User:orders", "resource_type": "topic", "resource_name": "orders",
             "operations": ["read"]}]),
        "kafka_access_acls is set but kafka_security_profile is plaintext",
    ),
    "scram-users-with-mtls-clients": (
        with_group_var(combined(), kafka_client_authentication="mtls",
                       kafka_access_users=[{"name": "orders", "password": "a-Strong-password-1"}]),
        "kafka_access_users is set but clients authenticate by mtls",
    ),
    "bad-acl-operation": (
        with_group_var(combined(), kafka_access_acls=[
            {"principal": "User:orders", "resource_type": "topic", "resource_name": "orders",
             "operations": ["publish"]}]),
        "kafka_access_acls: ACL entry 1: operations publish are not Kafka operations",
    ),
    "ca-switch-before-trust": (
        with_group_var(combined(), kafka_tls_ca_rotation="switch", kafka_tls_ca_dir="/nowhere/pki"),
        "kafka_tls_ca_rotation is switch, but /nowhere/pki holds no next CA",
    ),
    "ca-rotation-step-unknown": (
        with_group_var(combined(), kafka_tls_ca_rotation="rotate"),
        "kafka_tls_ca_rotation 'rotate' must be one of , trust, switch, drop",
    ),
    "only-half-a-site-ca": (
        with_group_var(combined(), kafka_tls_ca_cert="/nowhere/ca.pem"),
        "set both kafka_tls_ca_cert and kafka_tls_ca_key (the site's CA), or neither",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(SECURITY_CASES))
def test_a_security_mistake_is_stopped_before_any_host(case):
    inventory, expected = SECURITY_CASES[case]
    problems = problems_of(inventory)
    assert any(expected in p for p in problems), "\n".join(problems)


def test_plaintext_is_allowed_when_asked_for_by_name():
    inventory = with_group_var(
        with_host_var(combined(), "kafka-1", kafka_listeners_extra=[
            {"name": "HOST", "port": 19092, "protocol": "PLAINTEXT", "advertised_host": "127.0.0.1"}]),
        kafka_security_plaintext_listeners=["HOST"],
    )  # fmt: skip
    assert problems_of(inventory) == []


# --- Moving a plaintext cluster to the secure profile (docs/security.md) -----------------------------
@pytest.mark.parametrize(
    ("step", "protocols", "controller_names", "inter_broker"),
    [
        ("open", "INTERNAL:PLAINTEXT,INTERNAL_TLS:SASL_SSL,CONTROLLER:PLAINTEXT,CONTROLLER_TLS:SSL",
         "CONTROLLER,CONTROLLER_TLS", "INTERNAL"),
        ("switch", "INTERNAL:PLAINTEXT,INTERNAL_TLS:SASL_SSL,CONTROLLER_TLS:SSL,CONTROLLER:PLAINTEXT",
         "CONTROLLER_TLS,CONTROLLER", "INTERNAL_TLS"),
        ("moved", "INTERNAL_TLS:SASL_SSL,CONTROLLER_TLS:SSL", "CONTROLLER_TLS", "INTERNAL_TLS"),
    ],
)  # fmt: skip
def test_each_step_of_the_move_from_plaintext_validates_and_renders_its_listeners(
    step, protocols, controller_names, inter_broker
):
    cluster, problems = evaluate(with_group_var(combined(), **security.migration_vars(step)))
    assert problems == []
    props = cluster["nodes"]["kafka-1"]["server_properties"]
    assert props["listener.security.protocol.map"] == protocols
    assert props["controller.listener.names"] == controller_names
    assert props["inter.broker.listener.name"] == inter_broker
    assert props["listener.name.controller_tls.ssl.client.auth"] == "required"
    # The nodes find the quorum on the controller listener they dial: the first.
    port = 9093 if step == "open" else 9095
    assert props["controller.quorum.bootstrap.servers"] == ",".join(f"kafka-{n}:{port}" for n in (1, 2, 3))
    assert ("User:ANONYMOUS" in props["super.users"]) == (step != "moved")
    # The kit's tools speak what the nodes speak among themselves.
    assert cluster["security"]["tools_protocol"] == ("PLAINTEXT" if step == "open" else "SASL_SSL")


def test_nodes_talking_plaintext_without_anonymous_as_a_super_user_are_refused():
    variables = {**security.migration_vars("open"), "kafka_super_users_extra": []}
    problems = problems_of(with_group_var(combined(), **variables))
    assert any("kafka-3: INTERNAL is PLAINTEXT and carries the nodes' own traffic" in p for p in problems), (
        problems
    )
    assert any("kafka-3: CONTROLLER is PLAINTEXT" in p for p in problems), problems


def test_a_plaintext_controller_listener_must_be_named():
    variables = {**security.migration_vars("open"), "kafka_security_plaintext_listeners": ["INTERNAL"]}
    problems = problems_of(with_group_var(combined(), **variables))
    assert any("kafka-3: kafka_controller_listener CONTROLLER protocol PLAINTEXT" in p for p in problems), (
        problems
    )


# --- The site's CA and certificates ------------------------------------------------------------------
def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_key(path, key, pkcs1=False):
    fmt = serialization.PrivateFormat.TraditionalOpenSSL if pkcs1 else serialization.PrivateFormat.PKCS8
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))
    return str(path)


def _certificate(subject_key, issuer_key, issuer_name, *, ca=False, names=(), days=365, usages=None):
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "ca" if ca else (names[0] if names else "x"))]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or subject)
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=400))
        .not_valid_after(NOW + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
    if usages is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def site(tmp_path):
    ca_key = _key()
    ca = _certificate(ca_key, ca_key, None, ca=True)
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    both = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]

    def issue(name, names, *, days=365, usages=both, key=None, pkcs1=False):
        node_key = key or _key()
        cert = _certificate(node_key, ca_key, ca.subject, names=names, days=days, usages=usages)
        (tmp_path / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return str(tmp_path / f"{name}.pem"), _write_key(tmp_path / f"{name}.key", node_key, pkcs1)

    ca_key_path = _write_key(tmp_path / "ca.key", ca_key)
    return {"dir": tmp_path, "ca": str(tmp_path / "ca.pem"), "ca_key": ca_key_path, "issue": issue}


def test_a_whole_site_ca_passes(site):
    assert certificates.ca_problems(site["ca"], site["ca_key"]) == []


def test_a_ca_and_a_key_that_do_not_match_are_refused(site, tmp_path):
    other = _write_key(tmp_path / "other.key", _key())
    assert certificates.ca_problems(site["ca"], other) == [
        f"kafka_tls_ca_key {other} is not the key of kafka_tls_ca_cert {site['ca']}"
    ]


def test_a_pkcs1_key_is_refused_with_the_way_out(site, tmp_path):
    pkcs1 = _write_key(tmp_path / "pkcs1.key", _key(), pkcs1=True)
    (problem,) = certificates.ca_problems(site["ca"], pkcs1)
    assert "is a PKCS#1 key (BEGIN RSA PRIVATE KEY); Kafka reads PKCS#8 only" in problem


def test_a_site_certificate_that_names_every_host_and_is_valid_passes(site):
    cert, key = site["issue"]("kafka-1", ["kafka-1", "kafka-1.internal"])
    assert (
        certificates.node_certificate_problems(cert, key, ["kafka-1", "kafka-1.internal"], [site["ca"]], 30)
        == []
    )


def test_an_expired_certificate_is_refused(site):
    cert, key = site["issue"]("old", ["kafka-1"], days=-1)
    (problem,) = certificates.node_certificate_problems(cert, key, ["kafka-1"], [site["ca"]], 30)
    assert f"kafka_tls_certificate {cert} expired on" in problem


def test_a_certificate_about_to_expire_is_refused(site):
    cert, key = site["issue"]("soon", ["kafka-1"], days=10)
    (problem,) = certificates.node_certificate_problems(cert, key, ["kafka-1"], [site["ca"]], 30)
    assert "within kafka_tls_renew_days (30): renew it first" in problem


def test_a_certificate_missing_a_name_peers_dial_is_refused(site):
    cert, key = site["issue"]("short", ["kafka-1"])
    (problem,) = certificates.node_certificate_problems(cert, key, ["kafka-1", "127.0.0.1"], [site["ca"]], 30)
    assert problem == (
        f"kafka_tls_certificate {cert} does not name 127.0.0.1, which peers dial "
        "(hostname verification would refuse it)"
    )


def test_a_server_only_certificate_is_refused(site):
    cert, key = site["issue"]("server", ["kafka-1"], usages=[ExtendedKeyUsageOID.SERVER_AUTH])
    (problem,) = certificates.node_certificate_problems(cert, key, ["kafka-1"], [site["ca"]], 30)
    assert "lacks the extended key usage clientAuth" in problem


def test_a_certificate_of_another_ca_is_refused(site, tmp_path):
    stranger_key = _key()
    stranger = _certificate(stranger_key, stranger_key, None, ca=True)
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(stranger.public_bytes(serialization.Encoding.PEM))
    cert, key = site["issue"]("node", ["kafka-1"])
    (problem,) = certificates.node_certificate_problems(cert, key, ["kafka-1"], [str(other_ca)], 30)
    assert "is not issued by kafka_tls_ca_cert or kafka_tls_trusted_cas" in problem


def test_site_certificates_are_checked_through_the_contract(site):
    cert, key = site["issue"]("kafka-1", ["kafka-1"])
    inventory = with_host_var(combined(), "kafka-1", kafka_tls_certificate=cert, kafka_tls_private_key=key)
    problems = problems_of(
        with_group_var(inventory, kafka_tls_ca_cert=site["ca"], kafka_tls_ca_key=site["ca_key"])
    )
    assert problems == [], problems
    mismatched = with_host_var(inventory, "kafka-1", kafka_tls_private_key=site["ca_key"])
    problems = problems_of(
        with_group_var(mismatched, kafka_tls_ca_cert=site["ca"], kafka_tls_ca_key=site["ca_key"])
    )
    assert any(
        "kafka_tls_private_key" in p and "is not the key of kafka_tls_certificate" in p for p in problems
    )


# --- Renewal and the exported expiry (kafka_tls, read on the controller by filters) -----------------
def test_the_exported_expiry_is_the_certificates_not_after(site):
    cert_path, _ = site["issue"]("kafka-1", ["kafka-1"], days=90)
    pem = pathlib.Path(cert_path).read_text()
    expected = x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc.timestamp()
    assert certificates.expiry_epoch(pem) == int(expected)


@pytest.mark.parametrize(
    ("days_left", "renew_days", "due"),
    [(90, 30, False), (29, 30, True), (-1, 30, True), (400, 365, False), (300, 365, True)],
)
def test_a_certificate_is_renewed_within_the_renew_days(site, days_left, renew_days, due):
    cert_path, _ = site["issue"]("kafka-1", ["kafka-1"], days=days_left)
    assert certificates.renewal_due(pathlib.Path(cert_path).read_text(), renew_days) is due


def test_a_file_that_holds_no_certificate_is_issued_anew():
    assert certificates.renewal_due("", 30) is True
    assert certificates.renewal_due("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", 9)
