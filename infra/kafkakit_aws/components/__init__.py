"""The program's ComponentResources; each takes a validated dataclass args object."""

from .dns import PrivateDns, PrivateDnsArgs
from .iam import NodeIam, NodeIamArgs
from .network import Network, NetworkArgs
from .nodes import ClusterNodes, ClusterNodesArgs
from .security import SecurityGroups, SecurityGroupsArgs

__all__ = [
    "ClusterNodes",
    "ClusterNodesArgs",
    "Network",
    "NetworkArgs",
    "NodeIam",
    "NodeIamArgs",
    "PrivateDns",
    "PrivateDnsArgs",
    "SecurityGroups",
    "SecurityGroupsArgs",
]
