"""Stack output keys: snake_case, defined once here, imported by the program and the tests.

`pulumi stack output --json <key>` reads them; the inventory writer reads ANSIBLE_INVENTORY.
"""

from typing import Final

ANSIBLE_INVENTORY: Final = "ansible_inventory"
"""Ansible YAML inventory (groups kafka_broker, kafka_controller, zookeeper, monitoring) as a
JSON object."""

BOOTSTRAP_SERVERS: Final = "bootstrap_servers"
"""Comma-separated host:port of every broker, by private DNS name, on the configured brokerPort."""

EXTERNAL_BOOTSTRAP_SERVERS: Final = "external_bootstrap_servers"
"""With clientAccess: every broker's EXTERNAL listener through the load balancer; else empty."""

CLIENT_SECURITY: Final = "client_security"
"""What a client sets besides bootstrap.servers, as Kafka client properties, from securityProfile
and clientAuthentication: {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512"}
(scram), {"security.protocol": "SSL"} (mtls: the client also presents its own certificate) or
{"security.protocol": "PLAINTEXT"}. Never credentials or certificates: clients trust
kafka_tls_ca_dir/trusted.pem on the Ansible controller (role kafka_tls); SCRAM users are
kafka_access_users (role kafka_access)."""

PRIVATE_LINK_SERVICE_NAME: Final = "private_link_service_name"
"""With clientAccess privatelink: the endpoint service consumers connect to; else null."""

ZOOKEEPER_CONNECT: Final = "zookeeper_connect"
"""Comma-separated host:port of the ZooKeeper ensemble; empty in KRaft mode."""

HOSTS: Final = "hosts"
"""Per-host facts keyed by inventory hostname: role, groups, instance id, private IP, zone/rack,
DNS name, node id, ZooKeeper myid, data volume id and device path."""

KAFKA_MODE: Final = "kafka_mode"
KAFKA_VERSION: Final = "kafka_version"
REGION: Final = "region"
AVAILABILITY_ZONES: Final = "availability_zones"
"""The zones the cluster spans, by name, in spread order."""

AVAILABILITY_ZONE_IDS: Final = "availability_zone_ids"
"""The same zones by id (use1-az4): a broker's rack is its zone id."""

VPC_ID: Final = "vpc_id"
PRIVATE_SUBNET_IDS: Final = "private_subnet_ids"
"""Private subnet id per availability zone."""

SECURITY_GROUP_IDS: Final = "security_group_ids"
"""Security group id per role (node, broker, controller, zookeeper)."""

DNS_ZONE_ID: Final = "dns_zone_id"
DNS_ZONE_NAME: Final = "dns_zone_name"
SSM_BUCKET_NAME: Final = "ssm_bucket_name"
INSTANCE_ROLE_ARN: Final = "instance_role_arn"
DATA_DEVICE_NAME: Final = "data_device_name"
"""The block device name the data volumes are attached as (/dev/sdf); the hosts see it as NVMe,
so each host's `host_prep_data_device` is its stable /dev/disk/by-id path."""

PORTS: Final = "ports"
"""The cluster's ports (broker, controller, ZooKeeper, JMX and node exporters) as configured."""

PENDING_ROLLS: Final = "pending_rolls"
"""Nodes still running another machine (AMI, type, key, KMS key) than configured, with what
differs: roll them one at a time with rollNodes."""

ALL: Final = (
    ANSIBLE_INVENTORY,
    BOOTSTRAP_SERVERS,
    EXTERNAL_BOOTSTRAP_SERVERS,
    CLIENT_SECURITY,
    PRIVATE_LINK_SERVICE_NAME,
    ZOOKEEPER_CONNECT,
    HOSTS,
    KAFKA_MODE,
    KAFKA_VERSION,
    REGION,
    AVAILABILITY_ZONES,
    AVAILABILITY_ZONE_IDS,
    VPC_ID,
    PRIVATE_SUBNET_IDS,
    SECURITY_GROUP_IDS,
    DNS_ZONE_ID,
    DNS_ZONE_NAME,
    SSM_BUCKET_NAME,
    INSTANCE_ROLE_ARN,
    DATA_DEVICE_NAME,
    PORTS,
    PENDING_ROLLS,
)
