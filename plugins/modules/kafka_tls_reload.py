#!/usr/bin/python
"""Make a running broker serve the certificate on its disk, without a restart."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_tls_reload
short_description: Reload a broker's TLS listeners from their PEM files, without a restart.
description:
  - Compares the certificate each TLS listener serves with the one in I(keystore). When any
    differs (or with I(force), after the truststore changed), sets each listener's
    C(ssl.keystore.location) and C(ssl.truststore.location) to the paths they already have, for
    this broker only. Kafka reloads a listener's files when such an update arrives (KRaft writes the
    record even when the value is unchanged; ZooKeeper-mode brokers reload on the request).
  - Waits until every listener serves the certificate on disk, then deletes the per-broker
    overrides again, so that server.properties stays the one source of the paths.
  - Not for the controller listener, which Kafka 4.4 does not reload (KAFKA-20025); the kit
    restarts controllers instead.
options:
  node_id:
    description: The broker's node.id (broker.id in ZooKeeper mode).
    type: int
    required: true
  listeners:
    description: The broker's TLS listeners, each with name, port and bind_host.
    type: list
    elements: dict
    required: true
  keystore:
    description: The PEM keystore (key, then certificate) the listeners use.
    type: path
    required: true
  truststore:
    description: The PEM truststore the listeners use.
    type: path
    required: true
  force:
    description: Reload even when every listener serves the certificate on disk (the truststore changed).
    type: bool
    default: false
  bootstrap_server:
    description: Brokers to ask (host:port,...).
    type: str
    required: true
  timeout:
    description: Seconds each admin tool may run, and the listeners may take to serve the new certificate.
    type: int
    default: 120
extends_documentation_fragment: kafkakit.kafka.admin_tools
"""

EXAMPLES = r"""
- name: Serve the reissued certificate without a restart.
  kafkakit.kafka.kafka_tls_reload:
    node_id: 1
    listeners: [{name: BROKER, port: 9092, bind_host: 0.0.0.0}]
    keystore: /etc/kafka-kit/tls/node.pem
    truststore: /etc/kafka-kit/tls/ca.pem
    bootstrap_server: kafka-1:9092
    command_config: /etc/kafka/admin.properties
"""

RETURN = r"""
served_before:
  description: The serial (hex) each listener served before.
  returned: always
  type: dict
served_after:
  description: The serial (hex) each listener serves now.
  returned: always
  type: dict
on_disk:
  description: The serial (hex) of the certificate in the keystore.
  returned: always
  type: str
"""

import re  # noqa: E402
import socket  # noqa: E402
import ssl  # noqa: E402
import time  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402
from ansible_collections.kafkakit.kafka.plugins.module_utils.tools import (  # noqa: E402
    ADMIN_TOOL_ARGUMENTS,
    ToolError,
    tools_from_params,
)
from cryptography import x509  # noqa: E402  (kafka_tls installs python3-cryptography on every node)

_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def serial_on_disk(keystore: str) -> str:
    with open(keystore, "rb") as handle:
        found = _CERTIFICATE.search(handle.read())
    if not found:
        raise ValueError(f"{keystore} holds no certificate")
    return format(x509.load_pem_x509_certificate(found.group(0)).serial_number, "x")


def serial_served(host: str, port: int, keystore: str) -> str:
    """The serial of the certificate a listener serves; '' when it cannot be reached. The node's
    own certificate goes along, for listeners that require one (mTLS)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only reading what it serves
    context.load_cert_chain(keystore)
    try:
        with socket.create_connection((host, port), timeout=10) as raw, context.wrap_socket(raw) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return ""
    return format(x509.load_der_x509_certificate(der).serial_number, "x") if der else ""


def served(listeners: list[dict], keystore: str) -> dict[str, str]:
    return {
        item["name"]: serial_served(
            item.get("bind_host")
            if item.get("bind_host") not in ("", None, "0.0.0.0", "::")
            else "127.0.0.1",
            int(item["port"]),
            keystore,
        )
        for item in listeners
    }


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **ADMIN_TOOL_ARGUMENTS,
            "node_id": {"type": "int", "required": True},
            "listeners": {"type": "list", "elements": "dict", "required": True},
            "keystore": {"type": "path", "required": True},
            "truststore": {"type": "path", "required": True},
            "force": {"type": "bool", "default": False},
            "bootstrap_server": {"type": "str", "required": True},
        },
        supports_check_mode=True,
    )
    params = module.params
    listeners, keystore = params["listeners"], params["keystore"]
    try:
        on_disk = serial_on_disk(keystore)
    except (OSError, ValueError) as failure:
        module.fail_json(msg=f"Cannot read the node's certificate: {failure}")
    before = served(listeners, keystore)
    result = {"on_disk": on_disk, "served_before": before}
    if not listeners or (all(serial == on_disk for serial in before.values()) and not params["force"]):
        module.exit_json(changed=False, served_after=before, **result)
    if module.check_mode:
        module.exit_json(changed=True, served_after=before, **result)
    keys = [
        f"listener.name.{item['name'].lower()}.ssl.{store}.location"
        for item in listeners
        for store in ("keystore", "truststore")
    ]
    paths = {"keystore": keystore, "truststore": params["truststore"]}
    settings = ",".join(f"{key}={paths[key.split('.')[-2]]}" for key in keys)
    tools = tools_from_params(params)
    entity = ["--bootstrap-server", params["bootstrap_server"], "--entity-type", "brokers",
              "--entity-name", str(params["node_id"]), "--alter"]  # fmt: skip
    try:
        tools.run("ConfigCommand", *entity, "--add-config", settings)
    except (ToolError, OSError) as failure:
        module.fail_json(
            msg=f"Could not ask broker {params['node_id']} to reload its listeners: {failure}", **result
        )
    deadline, after = time.monotonic() + params["timeout"], before
    while time.monotonic() < deadline:
        after = served(listeners, keystore)
        if all(serial == on_disk for serial in after.values()):
            break
        time.sleep(1)
    # Back to server.properties as the one source of the paths (the values are the same).
    try:
        tools.run("ConfigCommand", *entity, "--delete-config", ",".join(keys))
    except (ToolError, OSError) as failure:
        module.fail_json(
            msg=f"Broker {params['node_id']} reloaded, but its per-broker overrides of {', '.join(keys)} "
            f"could not be deleted: {failure}",
            changed=True,
            served_after=after,
            **result,
        )
    stale = sorted(name for name, serial in after.items() if serial != on_disk)
    if stale:
        module.fail_json(
            msg=f"Listeners {', '.join(stale)} of broker {params['node_id']} still serve another certificate "
            f"than {keystore} (serial {on_disk}) after {params['timeout']}s: {after}",
            changed=True,
            served_after=after,
            **result,
        )
    module.exit_json(changed=True, served_after=after, **result)


if __name__ == "__main__":
    main()
