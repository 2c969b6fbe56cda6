"""The kit's shared numbers and security vocabulary, imported once for infra/:
plugins/module_utils/constants.py and plugins/module_utils/security.py.

Version floors and defaults, node id and myid ranges, what "combined" means and the default ports
(constants), the security profiles, client authentications and the SCRAM mechanism (security) are
defined there for the roles, the lab and this program alike. The repository's
collections/ansible_collections/kafkakit/kafka links back to the repository root, so putting
collections/ on the path makes the module importable by its collection name, without Ansible.
"""

from __future__ import annotations

import sys
from pathlib import Path

_COLLECTIONS = Path(__file__).resolve().parents[2] / "collections"
if str(_COLLECTIONS) not in sys.path:
    sys.path.append(str(_COLLECTIONS))

from ansible_collections.kafkakit.kafka.plugins.module_utils import constants, security  # noqa: E402

__all__ = ["constants", "security"]
