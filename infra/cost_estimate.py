"""Print the monthly cost estimate of example stacks as the README's markdown tables.

    python infra/cost_estimate.py Pulumi.dev.yaml Pulumi.prod.yaml

Fixed, hourly-billed resources at list prices only (kafkakit_aws/cost.py says what is not
counted and where each price comes from). Exit status: 0 printed, 1 no prices for the stack's
region or an instance type, 2 usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kafkakit_aws.cost import main

if __name__ == "__main__":
    sys.exit(main())
