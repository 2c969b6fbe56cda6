"""Checks of the certificates and CA a site brings (kafka_tls_ca_cert and kafka_tls_ca_key,
kafka_tls_certificate and kafka_tls_private_key), on the controller, before any host is touched:
what Kafka would refuse, or what would fail a peer's hostname verification, said with the file and
the reason. Tests: tests/unit/test_certificates.py.
"""

from __future__ import annotations

import datetime

from ansible_collections.kafkakit.kafka.plugins.module_utils import security
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID


def _read(path: str) -> tuple[bytes | None, str | None]:
    try:
        with open(path, "rb") as handle:
            return handle.read(), None
    except OSError as error:
        return None, f"{path} cannot be read on the controller: {error.strerror}"


def _load(cert_path: str, key_path: str):
    """(certificate, private key, problems) from controller paths."""

    problems = []
    cert_bytes, problem = _read(cert_path)
    problems += [problem] if problem else []
    key_bytes, problem = _read(key_path)
    problems += [problem] if problem else []
    if problems:
        return None, None, problems
    try:
        cert = x509.load_pem_x509_certificate(cert_bytes)
    except ValueError:
        return None, None, [f"{cert_path} holds no PEM certificate"]
    problem = security.key_format_problem(key_bytes.decode(errors="replace"))
    if problem:
        return cert, None, [f"{key_path} {problem}"]
    try:
        key = serialization.load_pem_private_key(key_bytes, password=None)
    except (ValueError, TypeError) as error:
        return cert, None, [f"{key_path} cannot be loaded without a passphrase: {error}"]
    return cert, key, []


def _matches(cert, key) -> bool:

    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    return cert.public_key().public_bytes(encoding, spki) == key.public_key().public_bytes(encoding, spki)


def _days_left(cert) -> float:
    return (cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)).total_seconds() / 86400


def ca_problems(cert_path: str, key_path: str) -> list[str]:
    """Why the site's CA cannot sign the nodes' certificates."""

    cert, key, problems = _load(cert_path, key_path)
    if problems:
        return problems
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        problems.append(f"kafka_tls_ca_cert {cert_path} is not a CA certificate (basicConstraints CA:TRUE)")
    if not _matches(cert, key):
        problems.append(f"kafka_tls_ca_key {key_path} is not the key of kafka_tls_ca_cert {cert_path}")
    if _days_left(cert) <= 0:
        problems.append(f"kafka_tls_ca_cert {cert_path} expired on {cert.not_valid_after_utc:%Y-%m-%d}")
    return problems


def node_certificate_problems(
    cert_path: str, key_path: str, names: list[str], trusted: list[str], renew_days: int
):
    """Why a certificate the site issued cannot serve this node."""

    cert, key, problems = _load(cert_path, key_path)
    if problems:
        return problems
    if not _matches(cert, key):
        problems.append(
            f"kafka_tls_private_key {key_path} is not the key of kafka_tls_certificate {cert_path}"
        )
    left = _days_left(cert)
    if left <= 0:
        problems.append(f"kafka_tls_certificate {cert_path} expired on {cert.not_valid_after_utc:%Y-%m-%d}")
    elif left < renew_days:
        problems.append(
            f"kafka_tls_certificate {cert_path} expires in {left:.0f} days, within kafka_tls_renew_days "
            f"({renew_days}): renew it first"
        )
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        covered = {str(n) for n in sans.get_values_for_type(x509.DNSName)}
        covered |= {str(n) for n in sans.get_values_for_type(x509.IPAddress)}
    except x509.ExtensionNotFound:
        covered = set()
    missing = [name for name in names if name.strip("[]") not in covered]
    if missing:
        problems.append(
            f"kafka_tls_certificate {cert_path} does not name {', '.join(missing)}, which peers dial "
            "(hostname verification would refuse it)"
        )
    try:
        usages = set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        usages = {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    wanted = {ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth", ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth"}
    lacking = [label for oid, label in wanted.items() if oid not in usages]
    if lacking:
        problems.append(
            f"kafka_tls_certificate {cert_path} lacks the extended key usage {', '.join(lacking)}: "
            "brokers are servers and clients of each other"
        )
    if trusted and not any(_issued_by(cert, path) for path in trusted):
        problems.append(
            f"kafka_tls_certificate {cert_path} is not issued by kafka_tls_ca_cert or kafka_tls_trusted_cas"
        )
    return problems


def _issued_by(cert, ca_path: str) -> bool:

    data, problem = _read(ca_path)
    if problem:
        return False
    try:
        ca = x509.load_pem_x509_certificate(data)
        cert.verify_directly_issued_by(ca)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def expiry_epoch(pem: str) -> int:
    """When a PEM certificate expires, in Unix time: what the node exporter's textfile reports."""
    return int(x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc.timestamp())


def renewal_due(pem: str, renew_days: int, now: datetime.datetime | None = None) -> bool:
    """Whether a node's certificate must be signed again: it expires within `renew_days`, or the file
    holds no certificate at all (the kit wrote it, so a broken one is issued anew, not kept)."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return True
    moment = (now or datetime.datetime.now(datetime.UTC)) + datetime.timedelta(days=int(renew_days))
    return cert.not_valid_after_utc < moment
