"""ClusterNodes: the instances, their separate EBS data volumes and the attachments between them,
one spread placement group per role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..inventory import HostFacts, host_facts, node_tags
from ..rollout import Machine
from ..topology import DATA_DEVICE_NAME, NodeSpec, roles_present
from ._common import TAG_PREFIX, TYPE_PREFIX, require, tags

SNAPSHOT_TAG = f"{TAG_PREFIX}snapshot"
"""On data volumes only: the Data Lifecycle Manager policy snapshots what carries it."""


@dataclass(frozen=True)
class ClusterNodesArgs:
    cluster_name: str
    nodes: tuple[NodeSpec, ...]
    machines: Mapping[str, Machine]
    """The machine (AMI, type, key, root KMS key) each node runs in this run (rollout.py)."""
    subnet_ids: Mapping[str, pulumi.Input[str]]
    """Private subnet id by zone name; every node's zone must be here."""
    security_group_ids: Mapping[str, Sequence[pulumi.Input[str]]]
    """Security group ids by role; every node's role must be here."""
    instance_profile_name: pulumi.Input[str]
    user_data: str
    dns_zone_name: str
    root_volume_size_gib: int = 20
    kms_key_arn: str | None = None
    """For data volumes; each root volume's key is part of its node's machine."""
    protect_data_volumes: bool = True
    protect_instances: bool = True
    rolling: str | None = None
    """The node being rolled in this run: the only instance left unprotected, so it may be replaced."""
    external_port_base: int | None = None
    """With a client load balancer: each broker's EXTERNAL listener is on base + node id."""
    instance_tags: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Extra instance tags (the dynamic inventory composes group vars from them)."""
    depends_on: Sequence[pulumi.Resource] = ()
    """Resources the instances need at first boot (routes to S3 and SSM)."""

    def __post_init__(self) -> None:
        where = "ClusterNodesArgs"
        require(bool(self.nodes), where, "at least one node is needed")
        names = [n.name for n in self.nodes]
        require(len(set(names)) == len(names), where, f"node names repeat: {names}")
        ids = [n.node_id for n in self.nodes if n.node_id is not None]
        require(len(set(ids)) == len(ids), where, f"node ids repeat: {ids}")
        for node in self.nodes:
            require(node.zone in self.subnet_ids, where, f"{node.name}: no subnet in {node.zone}")
            require(
                node.role in self.security_group_ids,
                where,
                f"{node.name}: no security groups for role {node.role}",
            )
            require(node.name in self.machines, where, f"{node.name}: no machine")
        require(self.rolling is None or self.rolling in names, where, f"rolling {self.rolling!r} is no node")
        require(self.root_volume_size_gib >= 8, where, "root volume must be at least 8 GiB")


class ClusterNodes(pulumi.ComponentResource):
    instances: dict[str, aws.ec2.Instance]
    instance_ids: dict[str, pulumi.Output[str]]
    private_ips: dict[str, pulumi.Output[str]]
    data_volume_ids: dict[str, pulumi.Output[str]]
    host_facts: pulumi.Output[list[HostFacts]]
    """Per-host facts in plan order, for the inventory and the stack outputs."""

    def __init__(self, name: str, args: ClusterNodesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not isinstance(args, ClusterNodesArgs):
            raise TypeError(f"{name}: expected ClusterNodesArgs, got {type(args).__name__}")
        super().__init__(f"{TYPE_PREFIX}:ClusterNodes", name, None, opts)
        cluster = args.cluster_name

        placement_groups = {
            role: aws.ec2.PlacementGroup(
                f"{name}-{role}",
                strategy="spread",
                spread_level="rack",
                tags=tags(cluster, f"{cluster}-{role}"),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for role in roles_present(args.nodes)
        }

        self.instances, self.instance_ids, self.private_ips, self.data_volume_ids = {}, {}, {}, {}
        for node in args.nodes:
            volume = self._data_volume(name, node, args)
            instance = self._instance(name, node, args, volume, placement_groups[node.role])
            aws.ec2.VolumeAttachment(
                f"{name}-{node.name}-data",
                device_name=DATA_DEVICE_NAME,
                volume_id=volume.id,
                instance_id=instance.id,
                # Stop the old instance before detaching so Kafka shuts down cleanly and the
                # filesystem is unmounted, instead of yanking the disk from a running broker.
                stop_instance_before_detaching=True,
                # A volume attaches to one instance at a time: when the instance is replaced the
                # old attachment has to go before the new one can be made.
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )
            self.instances[node.name] = instance
            self.instance_ids[node.name] = instance.id
            self.private_ips[node.name] = instance.private_ip
            self.data_volume_ids[node.name] = volume.id

        nodes = list(args.nodes)
        per_node = [
            pulumi.Output.all(
                self.instance_ids[n.name], self.private_ips[n.name], self.data_volume_ids[n.name]
            )
            for n in nodes
        ]
        self.host_facts = pulumi.Output.all(*per_node).apply(
            lambda values: [
                host_facts(
                    node,
                    instance_id=instance_id,
                    private_ip=private_ip,
                    data_volume_id=volume_id,
                    dns_zone_name=args.dns_zone_name,
                    external_port_base=args.external_port_base,
                )
                for node, (instance_id, private_ip, volume_id) in zip(nodes, values, strict=True)
            ]
        )
        self.register_outputs(
            {
                "instance_ids": self.instance_ids,
                "private_ips": self.private_ips,
                "data_volume_ids": self.data_volume_ids,
            }
        )

    def _data_volume(self, name: str, node: NodeSpec, args: ClusterNodesArgs) -> aws.ebs.Volume:
        cluster = args.cluster_name
        return aws.ebs.Volume(
            f"{name}-{node.name}-data",
            availability_zone=node.zone,
            type="gp3",
            size=node.volume.size_gib,
            iops=node.volume.iops,
            throughput=node.volume.throughput_mibps,
            encrypted=True,
            kms_key_id=args.kms_key_arn,
            tags=tags(
                cluster,
                f"{cluster}-{node.name}-data",
                {f"{TAG_PREFIX}node": node.name, f"{TAG_PREFIX}role": node.role, SNAPSHOT_TAG: "data"},
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                # The volume holds the node's log segments (or ZooKeeper/metadata state):
                # deleting it by accident loses data. Destroying the stack stops here until the
                # volumes are unprotected deliberately (`pulumi state unprotect`).
                protect=args.protect_data_volumes,
                # A new volumeKmsKeyArn would replace (delete) every data volume. Existing volumes
                # keep their key; new ones get the new key (re-encrypt through a snapshot copy).
                ignore_changes=["kmsKeyId"],
            ),
        )

    def _instance(
        self,
        name: str,
        node: NodeSpec,
        args: ClusterNodesArgs,
        volume: aws.ebs.Volume,
        placement_group: aws.ec2.PlacementGroup,
    ) -> aws.ec2.Instance:
        cluster = args.cluster_name
        machine = args.machines[node.name]
        inventory_tags = {
            **node_tags(node, args.dns_zone_name, volume.id, args.external_port_base),
            **args.instance_tags,
        }
        return aws.ec2.Instance(
            f"{name}-{node.name}",
            ami=machine.ami,
            instance_type=machine.instance_type,
            availability_zone=node.zone,
            subnet_id=args.subnet_ids[node.zone],
            vpc_security_group_ids=list(args.security_group_ids[node.role]),
            iam_instance_profile=args.instance_profile_name,
            placement_group=placement_group.name,
            associate_public_ip_address=False,
            key_name=machine.key_name,
            user_data=args.user_data,
            # EC2 termination protection: the console, the CLI or another tool cannot terminate
            # a node. force_destroy lets Pulumi itself lift it when it replaces or deletes the
            # instance (it must be in state before that run, hence always set); Pulumi's own
            # `protect` below is what stops an unintended replacement.
            disable_api_termination=True,
            force_destroy=True,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",  # IMDSv2 only
                "http_put_response_hop_limit": 1,
                "instance_metadata_tags": "disabled",
            },
            root_block_device={
                "volume_type": "gp3",
                "volume_size": args.root_volume_size_gib,
                "encrypted": True,
                "kms_key_id": machine.root_kms_key_id,
                "delete_on_termination": True,
                "tags": tags(cluster, f"{cluster}-{node.name}-root"),
            },
            tags=tags(cluster, f"{cluster}-{node.name}", inventory_tags),
            opts=pulumi.ResourceOptions(
                parent=self,
                # A replaced instance is a node down; one config change must never do that to
                # every node at once (rollout.py keeps running nodes on their machine). Only the
                # node being rolled (rollNodes) is unprotected, so only it can be replaced.
                protect=args.protect_instances and node.name != args.rolling,
                # First boot downloads the SSM agent: its routes (S3 endpoint, NAT) and the
                # SSM endpoints must exist before the instance starts.
                depends_on=[volume, *args.depends_on],
                # userData: it only runs at first boot; editing it must not touch running nodes.
                # ebsBlockDevices: the data volume is attached by a VolumeAttachment, which the
                #   provider would otherwise report as drift on the instance.
                # (The AMI is not ignored: it comes from rollout.py, which keeps each running
                # node on its current AMI until that node is rolled, and then really moves it.)
                ignore_changes=["userData", "ebsBlockDevices"],
            ),
        )
