"""plugins/modules/kafka_tls_reload.py: the serial of the certificate in a PEM keystore (key first,
as the kafka_tls role assembles it) and the serial a TLS listener serves, read by a real handshake
with a local server. The reload itself (ConfigCommand against a live broker) runs in the day-2
certificate rotation test (tests/e2e/test_day2.py)."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading

from ansible_collections.kafkakit.kafka.plugins.modules import kafka_tls_reload
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def keystore(tmp_path, serial: int):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kafka-1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("kafka-1")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / f"node-{serial}.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return str(path)


def serve_once(pem: str) -> int:
    """A TLS listener on 127.0.0.1 that serves `pem` to one client; returns its port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    server = socket.create_server(("127.0.0.1", 0))

    def accept():
        connection, _ = server.accept()
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass
        server.close()

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]


def test_the_serial_on_disk_is_read_from_a_keystore_that_starts_with_the_key(tmp_path):
    assert kafka_tls_reload.serial_on_disk(keystore(tmp_path, 0xABC123)) == "abc123"


def test_the_served_serial_is_what_the_listener_presents(tmp_path):
    served_pem, client_pem = keystore(tmp_path, 0x51), keystore(tmp_path, 0x52)
    port = serve_once(served_pem)
    assert kafka_tls_reload.serial_served("127.0.0.1", port, client_pem) == "51"


def test_a_listener_bound_to_every_address_is_asked_on_loopback(tmp_path):
    pem = keystore(tmp_path, 0x77)
    port = serve_once(pem)
    listeners = [{"name": "INTERNAL", "port": port, "bind_host": "0.0.0.0"}]
    assert kafka_tls_reload.served(listeners, pem) == {"INTERNAL": "77"}


def test_a_listener_that_cannot_be_reached_serves_nothing(tmp_path):
    unused = socket.create_server(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()
    assert kafka_tls_reload.serial_served("127.0.0.1", port, keystore(tmp_path, 1)) == ""
