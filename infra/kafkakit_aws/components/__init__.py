"""The program's ComponentResources; each takes a validated dataclass args object."""

from .client import ClientAccess, ClientAccessArgs
from .dns import PrivateDns, PrivateDnsArgs
from .iam import NodeIam, NodeIamArgs
from .network import Network, NetworkArgs
from .nodes import ClusterNodes, ClusterNodesArgs
from .operations import Operations, OperationsArgs
from .security import SecurityGroups, SecurityGroupsArgs

__all__ = [
    "ClientAccess",
    "ClientAccessArgs",
    "ClusterNodes",
    "ClusterNodesArgs",
    "Network",
    "NetworkArgs",
    "NodeIam",
    "NodeIamArgs",
    "Operations",
    "OperationsArgs",
    "PrivateDns",
    "PrivateDnsArgs",
    "SecurityGroups",
    "SecurityGroupsArgs",
]
