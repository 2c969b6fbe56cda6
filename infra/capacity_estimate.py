"""Print the produce ceiling on paper of the default stack and of example stacks, as the README's table.

    python infra/capacity_estimate.py Pulumi.dev.yaml Pulumi.prod.yaml

brokers / replication factor x min(gp3 volume, instance EBS baseline, network baseline), per
kafkakit_aws/capacity.py. Exit status: 0 printed, 1 an instance type without recorded facts.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kafkakit_aws.capacity import main

if __name__ == "__main__":
    sys.exit(main())
