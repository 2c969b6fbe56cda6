"""Apache Kafka on AWS VMs: the Pulumi program (project file: ../Pulumi.yaml).

Only wiring: read and validate the stack configuration and what the EC2 API says about the
region and the running cluster (before any resource is declared), build the components, export
what `ansible-playbook playbooks/deploy.yml` needs. The logic lives in kafkakit_aws (pure
modules, tested without Pulumi) and kafkakit_aws.components.
"""

import pulumi
import pulumi_aws as aws
from kafkakit_aws import fleet, inventory, outputs, rollout, sizing, topology
from kafkakit_aws.components import (
    ClientAccess,
    ClientAccessArgs,
    ClusterNodes,
    ClusterNodesArgs,
    Network,
    NetworkArgs,
    NodeIam,
    NodeIamArgs,
    Operations,
    OperationsArgs,
    PrivateDns,
    PrivateDnsArgs,
    SecurityGroups,
    SecurityGroupsArgs,
)
from kafkakit_aws.components._common import CLUSTER_TAG
from kafkakit_aws.components.nodes import SNAPSHOT_TAG
from kafkakit_aws.firewall import FirewallInputs
from kafkakit_aws.settings import ConfigError, Settings, parse_settings, plaintext_client_cidr_errors
from kafkakit_aws.stack_config import read_stack_config
from kafkakit_aws.userdata import ssm_agent_user_data


def _newest_debian_ami(settings: Settings) -> str:
    return aws.ec2.get_ami(
        owners=[settings.ami_owner],
        most_recent=True,
        filters=[
            {"name": "name", "values": [settings.ami_name_filter]},
            {"name": "architecture", "values": [settings.architecture]},
            {"name": "virtualization-type", "values": ["hvm"]},
            {"name": "root-device-type", "values": ["ebs"]},
        ],
    ).id


# ---- configuration and the world as it is: everything is checked before the first resource
try:
    settings = parse_settings(read_stack_config(), pulumi.get_stack())
    region = aws.get_region().region
    partition = aws.get_partition()
    if settings.existing_vpc:
        subnet_zones = fleet.subnet_zones(settings.subnet_ids)
        zones = list(subnet_zones.values())
        vpc_cidr = fleet.vpc_cidr(settings.vpc_id)
        # parse_settings checked the stack's own VPC; an existing one's network is known only now.
        cidr_errors = plaintext_client_cidr_errors(settings.security_profile, settings.client_cidrs, vpc_cidr)
        if cidr_errors:
            raise ConfigError(cidr_errors)
        zone_warnings: list[str] = []
    else:
        subnet_zones = {}
        offered, available = fleet.region_zones()
        zones, zone_warnings = topology.select_zones(settings, offered, available, region)
        vpc_cidr = settings.vpc_cidr
    plan = topology.plan_nodes(settings, zones)
    size_errors, size_warnings = sizing.check_volumes(
        plan, fleet.instance_facts(n.instance_type for n in plan)
    )
    if size_errors:
        raise ConfigError(size_errors)
    ami_id = settings.ami_id or _newest_debian_ami(settings)
    desired = {
        n.name: rollout.Machine(ami_id, n.instance_type, settings.ssh_key_name, settings.volume_kms_key_arn)
        for n in plan
    }
    roll = rollout.plan_rollout(desired, fleet.live_nodes(settings.cluster_name), settings.roll_nodes)
except ConfigError as error:
    raise pulumi.RunError(str(error)) from None
for warning in (*settings.warnings, *zone_warnings, *size_warnings, *roll.warnings):
    pulumi.log.warn(warning)

name = settings.cluster_name
roles = topology.roles_present(plan)
s3_endpoint_url = f"https://s3.{region}.{partition.dns_suffix}"
external_base = settings.external_port_base if settings.external_listener else None
brokers = [n for n in plan if n.is_broker]

# ---- components
network = Network(
    f"{name}-network",
    NetworkArgs(
        cluster_name=name,
        vpc_cidr=vpc_cidr,
        zones=tuple(z.name for z in zones),
        region=region,
        reverse_dns_prefix=partition.reverse_dns_prefix,
        nat_gateways=settings.nat_gateways,
        ssm_vpc_endpoints=settings.ssm_vpc_endpoints,
        existing_vpc_id=settings.vpc_id,
        existing_subnet_ids={z.name: s for s, z in subnet_zones.items()} if settings.existing_vpc else {},
        existing_s3_prefix_list_id=(
            fleet.s3_prefix_list_id(partition.reverse_dns_prefix, region) if settings.existing_vpc else None
        ),
    ),
)
external_ports = (
    (external_base + brokers[0].node_id, external_base + brokers[-1].node_id) if external_base else None
)
security = SecurityGroups(
    f"{name}-sg",
    SecurityGroupsArgs(
        cluster_name=name,
        vpc_id=network.vpc_id,
        s3_prefix_list_id=network.s3_prefix_list_id,
        firewall=FirewallInputs(
            roles=roles,
            ports=settings.ports,
            vpc_cidr=vpc_cidr,
            client_cidrs=settings.client_cidrs,
            client_security_group_ids=settings.client_security_group_ids,
            monitoring_cidrs=settings.monitoring_cidrs,
            ssh_allowed_cidrs=settings.ssh_allowed_cidrs,
            internet_egress=settings.internet_egress,
            apt_proxy_cidrs=settings.apt_proxy_cidrs,
            apt_proxy_port=settings.apt_proxy_port,
            external_ports=external_ports,
        ),
    ),
)
iam = NodeIam(
    f"{name}-iam",
    NodeIamArgs(cluster_name=name, partition=partition.partition, dns_suffix=partition.dns_suffix),
)
cluster_vars = inventory.ClusterVars.of(settings)
connection = inventory.Connection(
    kind=settings.ansible_connection,
    region=region,
    ssm_bucket_name=iam.bucket_name,
    ssm_bucket_endpoint_url=s3_endpoint_url,
)
nodes = ClusterNodes(
    f"{name}-nodes",
    ClusterNodesArgs(
        cluster_name=name,
        nodes=tuple(plan),
        machines=roll.machines,
        subnet_ids=network.private_subnet_ids,
        security_group_ids={role: security.ids_for(role) for role in roles},
        instance_profile_name=iam.instance_profile_name,
        user_data=ssm_agent_user_data(region, partition.dns_suffix, settings.apt_proxy_url),
        dns_zone_name=settings.dns_zone_name,
        root_volume_size_gib=settings.root_volume_size_gib,
        kms_key_arn=settings.volume_kms_key_arn,
        protect_data_volumes=settings.protect_data_volumes,
        protect_instances=settings.protect_instances,
        rolling=roll.rolling,
        external_port_base=external_base,
        instance_tags=inventory.instance_tags(cluster_vars, connection),
        depends_on=network.node_dependencies,
    ),
)
client_access = None
if external_base is not None:
    client_access = ClientAccess(
        f"{name}-clients",
        ClientAccessArgs(
            cluster_name=name,
            vpc_id=network.vpc_id,
            subnet_ids=list(network.private_subnet_ids.values()),
            security_group_id=security.group_ids["nlb"],
            brokers={b.name: (nodes.instance_ids[b.name], external_base + b.node_id) for b in brokers},
            private_link=settings.client_access == "privatelink",
            allowed_principals=settings.private_link_allowed_principals,
        ),
    )
dns = PrivateDns(
    f"{name}-dns",
    PrivateDnsArgs(
        cluster_name=name,
        zone_name=settings.dns_zone_name,
        vpc_id=network.vpc_id,
        addresses=nodes.private_ips,
        extra_vpc_ids=settings.dns_zone_vpc_ids,
        aliases=(
            {inventory.EXTERNAL_HOST_LABEL: (client_access.dns_name, client_access.zone_id)}
            if client_access
            else {}
        ),
    ),
)
Operations(
    f"{name}-ops",
    OperationsArgs(
        cluster_name=name,
        region=region,
        partition=partition.partition,
        dns_suffix=partition.dns_suffix,
        instance_ids=nodes.instance_ids,
        snapshot_tags={CLUSTER_TAG: name, SNAPSHOT_TAG: "data"},
        snapshot_retention_days=settings.snapshot_retention_days,
        vpc_id=None if settings.existing_vpc else network.vpc_id,
        flow_log_retention_days=settings.flow_log_retention_days,
        alarm_topic_arn=settings.alarm_topic_arn,
    ),
)

# ---- outputs
ansible_inventory = pulumi.Output.all(nodes.host_facts, iam.bucket_name).apply(
    lambda args: inventory.build_inventory(
        cluster=cluster_vars,
        connection=inventory.Connection(
            kind=connection.kind,
            region=region,
            ssm_bucket_name=args[1],
            ssm_bucket_endpoint_url=s3_endpoint_url,
        ),
        hosts=args[0],
    )
)
pulumi.export(outputs.ANSIBLE_INVENTORY, ansible_inventory)
pulumi.export(
    outputs.BOOTSTRAP_SERVERS,
    nodes.host_facts.apply(lambda h: inventory.bootstrap_servers(h, settings.ports.broker)),
)
pulumi.export(
    outputs.EXTERNAL_BOOTSTRAP_SERVERS, nodes.host_facts.apply(inventory.external_bootstrap_servers)
)
pulumi.export(
    outputs.CLIENT_SECURITY,
    inventory.client_security(settings.security_profile, settings.client_authentication),
)
pulumi.export(
    outputs.PRIVATE_LINK_SERVICE_NAME, client_access.endpoint_service_name if client_access else None
)
pulumi.export(
    outputs.ZOOKEEPER_CONNECT,
    nodes.host_facts.apply(lambda h: inventory.zookeeper_connect(h, settings.ports.zookeeper_client)),
)
pulumi.export(outputs.HOSTS, nodes.host_facts.apply(inventory.host_summary))
pulumi.export(outputs.KAFKA_MODE, settings.mode)
pulumi.export(outputs.KAFKA_VERSION, settings.kafka_version)
pulumi.export(outputs.REGION, region)
pulumi.export(outputs.AVAILABILITY_ZONES, [z.name for z in zones])
pulumi.export(outputs.AVAILABILITY_ZONE_IDS, [z.id for z in zones])
pulumi.export(outputs.VPC_ID, network.vpc_id)
pulumi.export(outputs.PRIVATE_SUBNET_IDS, network.private_subnet_ids)
pulumi.export(outputs.SECURITY_GROUP_IDS, security.group_ids)
pulumi.export(outputs.DNS_ZONE_ID, dns.zone_id)
pulumi.export(outputs.DNS_ZONE_NAME, settings.dns_zone_name)
pulumi.export(outputs.SSM_BUCKET_NAME, iam.bucket_name)
pulumi.export(outputs.INSTANCE_ROLE_ARN, iam.role_arn)
pulumi.export(outputs.DATA_DEVICE_NAME, topology.DATA_DEVICE_NAME)
pulumi.export(outputs.PORTS, settings.ports.as_dict())
pulumi.export(outputs.PENDING_ROLLS, {k: list(v) for k, v in roll.pending.items()})
