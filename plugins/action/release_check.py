"""Check on the controller that every release the cluster installs exists (module_utils/releases.py),
before any host is touched. Reads the model's `artifacts` (set by the cluster_model action)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.kafkakit.kafka.plugins.module_utils import releases


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        cluster = (task_vars or {}).get("kafkakit_cluster")
        if not cluster:
            result.update(
                failed=True, msg="no cluster model: run the kafkakit.kafka.cluster_model action first"
            )
            return result
        found = [releases.check(artifact) for artifact in cluster["artifacts"]]
        missing = [how for exists, how in found if not exists]
        if missing:
            result.update(
                failed=True,
                msg="A release the inventory asks for cannot be installed (no host was contacted):\n- "
                + "\n- ".join(missing),
            )
        else:
            result.update(changed=False, msg="; ".join(how for _, how in found))
        return result
