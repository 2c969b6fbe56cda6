"""Stack output keys: snake_case, defined once here, imported by the program and the tests.

`pulumi stack output --json <key>` reads them; the inventory writer reads ANSIBLE_INVENTORY.
"""

from typing import Final

ANSIBLE_INVENTORY: Final = "ansible_inventory"
"""Ansible YAML inventory (groups kafka_broker, kafka_controller, zookeeper) as a JSON object."""

BOOTSTRAP_SERVERS: Final = "bootstrap_servers"
"""Comma-separated host:port of every broker, by private DNS name."""

ZOOKEEPER_CONNECT: Final = "zookeeper_connect"
"""Comma-separated host:port of the ZooKeeper ensemble; empty in KRaft mode."""

HOSTS: Final = "hosts"
"""Per-host facts keyed by inventory hostname: role, groups, instance id, private IP, zone/rack,
DNS name, node id, ZooKeeper myid, data volume id and device path."""

KAFKA_MODE: Final = "kafka_mode"
KAFKA_VERSION: Final = "kafka_version"
REGION: Final = "region"
AVAILABILITY_ZONES: Final = "availability_zones"
"""The zones the cluster spans, in spread order; a broker's rack is its zone."""

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
"""The cluster's ports (broker, controller, ZooKeeper, JMX exporter) as configured."""

ALL: Final = (
    ANSIBLE_INVENTORY,
    BOOTSTRAP_SERVERS,
    ZOOKEEPER_CONNECT,
    HOSTS,
    KAFKA_MODE,
    KAFKA_VERSION,
    REGION,
    AVAILABILITY_ZONES,
    VPC_ID,
    PRIVATE_SUBNET_IDS,
    SECURITY_GROUP_IDS,
    DNS_ZONE_ID,
    DNS_ZONE_NAME,
    SSM_BUCKET_NAME,
    INSTANCE_ROLE_ARN,
    DATA_DEVICE_NAME,
    PORTS,
)
