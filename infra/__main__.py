"""Apache Kafka on AWS VMs: the Pulumi program (project file: ../Pulumi.yaml).

Only wiring: read and validate the stack configuration (before any resource is declared), build
the components, export what `ansible-playbook playbooks/deploy.yml` needs. The logic lives in
kafkakit_aws (pure modules, tested without Pulumi) and kafkakit_aws.components.
"""

import pulumi
import pulumi_aws as aws
from kafkakit_aws import inventory, outputs, topology
from kafkakit_aws.components import (
    ClusterNodes,
    ClusterNodesArgs,
    Network,
    NetworkArgs,
    NodeIam,
    NodeIamArgs,
    PrivateDns,
    PrivateDnsArgs,
    SecurityGroups,
    SecurityGroupsArgs,
)
from kafkakit_aws.firewall import FirewallInputs
from kafkakit_aws.settings import ConfigError, parse_settings
from kafkakit_aws.stack_config import read_stack_config
from kafkakit_aws.userdata import ssm_agent_user_data

# ---- configuration: everything is validated before the first resource
try:
    settings = parse_settings(read_stack_config(), pulumi.get_stack())
    region = aws.get_region().region
    partition = aws.get_partition()
    offered_zones = aws.get_availability_zones(
        state="available",
        filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
    ).names
    zones = topology.select_zones(settings, offered_zones, region)
except ConfigError as error:
    raise pulumi.RunError(str(error)) from None
for warning in settings.warnings:
    pulumi.log.warn(warning)

plan = topology.plan_nodes(settings, zones)
ami_id = (
    settings.ami_id
    or aws.ec2.get_ami(
        owners=[settings.ami_owner],
        most_recent=True,
        filters=[
            {"name": "name", "values": [settings.ami_name_filter]},
            {"name": "architecture", "values": [settings.architecture]},
            {"name": "virtualization-type", "values": ["hvm"]},
            {"name": "root-device-type", "values": ["ebs"]},
        ],
    ).id
)
name = settings.cluster_name
s3_endpoint_url = f"https://s3.{region}.{partition.dns_suffix}"

# ---- components
network = Network(
    f"{name}-network",
    NetworkArgs(
        cluster_name=name,
        vpc_cidr=settings.vpc_cidr,
        zones=tuple(zones),
        region=region,
        reverse_dns_prefix=partition.reverse_dns_prefix,
        nat_gateways=settings.nat_gateways,
        ssm_vpc_endpoints=settings.ssm_vpc_endpoints,
    ),
)
security = SecurityGroups(
    f"{name}-sg",
    SecurityGroupsArgs(
        cluster_name=name,
        vpc_id=network.vpc_id,
        s3_prefix_list_id=network.s3_prefix_list_id,
        firewall=FirewallInputs(
            roles=topology.roles_present(plan),
            ports=settings.ports,
            vpc_cidr=settings.vpc_cidr,
            client_cidrs=settings.client_cidrs,
            client_security_group_ids=settings.client_security_group_ids,
            monitoring_cidrs=settings.monitoring_cidrs,
            ssh_allowed_cidrs=settings.ssh_allowed_cidrs,
            internet_egress=settings.internet_egress,
        ),
    ),
)
iam = NodeIam(
    f"{name}-iam",
    NodeIamArgs(cluster_name=name, partition=partition.partition, dns_suffix=partition.dns_suffix),
)
nodes = ClusterNodes(
    f"{name}-nodes",
    ClusterNodesArgs(
        cluster_name=name,
        nodes=tuple(plan),
        ami_id=ami_id,
        subnet_ids=network.private_subnet_ids,
        security_group_ids={role: security.ids_for(role) for role in topology.roles_present(plan)},
        instance_profile_name=iam.instance_profile_name,
        user_data=ssm_agent_user_data(region, partition.dns_suffix),
        dns_zone_name=settings.dns_zone_name,
        root_volume_size_gib=settings.root_volume_size_gib,
        kms_key_arn=settings.volume_kms_key_arn,
        ssh_key_name=settings.ssh_key_name,
        protect_data_volumes=settings.protect_data_volumes,
        instance_tags=inventory.instance_tags(
            mode=settings.mode,
            kafka_version=settings.kafka_version,
            connection=settings.ansible_connection,
            region=region,
            ssm_bucket_name=iam.bucket_name,
            ssm_bucket_endpoint_url=s3_endpoint_url,
        ),
        depends_on=network.node_dependencies,
    ),
)
dns = PrivateDns(
    f"{name}-dns",
    PrivateDnsArgs(
        cluster_name=name,
        zone_name=settings.dns_zone_name,
        vpc_id=network.vpc_id,
        addresses=nodes.private_ips,
    ),
)

# ---- outputs
ansible_inventory = pulumi.Output.all(nodes.host_facts, iam.bucket_name).apply(
    lambda args: inventory.build_inventory(
        mode=settings.mode,
        kafka_version=settings.kafka_version,
        connection=inventory.Connection(
            kind=settings.ansible_connection,
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
    outputs.ZOOKEEPER_CONNECT,
    nodes.host_facts.apply(lambda h: inventory.zookeeper_connect(h, settings.ports.zookeeper_client)),
)
pulumi.export(outputs.HOSTS, nodes.host_facts.apply(inventory.host_summary))
pulumi.export(outputs.KAFKA_MODE, settings.mode)
pulumi.export(outputs.KAFKA_VERSION, settings.kafka_version)
pulumi.export(outputs.REGION, region)
pulumi.export(outputs.AVAILABILITY_ZONES, zones)
pulumi.export(outputs.VPC_ID, network.vpc_id)
pulumi.export(outputs.PRIVATE_SUBNET_IDS, network.private_subnet_ids)
pulumi.export(outputs.SECURITY_GROUP_IDS, security.group_ids)
pulumi.export(outputs.DNS_ZONE_ID, dns.zone_id)
pulumi.export(outputs.DNS_ZONE_NAME, settings.dns_zone_name)
pulumi.export(outputs.SSM_BUCKET_NAME, iam.bucket_name)
pulumi.export(outputs.INSTANCE_ROLE_ARN, iam.role_arn)
pulumi.export(outputs.DATA_DEVICE_NAME, topology.DATA_DEVICE_NAME)
pulumi.export(outputs.PORTS, settings.ports.as_dict())
