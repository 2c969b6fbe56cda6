"""Kafka on AWS VMs: the Pulumi program's library.

Pure modules (no Pulumi import, tested directly):
  settings   stack configuration keys, defaults, parsing and validation
  topology   CIDR split, zone spread, node names and ids, device paths
  firewall   the security group rules, as data
  inventory  the Ansible inventory built from per-host facts
  userdata   the first-boot script (installs the SSM agent)
  outputs    stack output keys

Pulumi modules:
  stack_config  reads the raw stack configuration
  components/   Network, SecurityGroups, NodeIam, ClusterNodes, PrivateDns
"""
