"""Shared setup for the infra tests.

Makes the Pulumi program's library (infra/kafkakit_aws), the helpers and the contract harness
(tests/unit/contract_harness.py: the playbooks' validation in-process, and the tests' passwords)
importable, and runs the program under Pulumi's mocks once per scenario for the whole session
(each run sets up and tears down Pulumi's global state itself, see infra_harness.run_program).
"""

import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
for path in (REPO_ROOT / "infra", HERE, REPO_ROOT / "tests" / "unit"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from contract_harness import SECRETS  # noqa: E402
from infra_harness import ProgramRun, run_program, stack_file_config  # noqa: E402

SSH_CONFIG = {
    "ansibleConnection": "ssh",
    "sshAllowedCidrs": ["10.9.0.0/16"],
    "sshKeyName": "ops",
    "ssmVpcEndpoints": False,
    "clientSecurityGroupIds": ["sg-0123456789abcdef0"],
}
ZOOKEEPER_CONFIG = {
    "mode": "zookeeper",
    "brokerCount": 3,
    "zookeeperCount": 3,
    "clientCidrs": ["10.0.0.0/8"],
}
CLIENTS_MTLS_CONFIG = {
    "clientAccess": "nlb",
    "clientCidrs": ["10.0.0.0/8"],
    "clientAuthentication": "mtls",
}
SCENARIOS = ("prod", "dev", "zookeeper", "ssh", "defaults")


def pytest_collection_modifyitems(items):
    # pulumi_aws warns about its own deprecated classes when its modules are imported.
    here = str(HERE)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws"))


def _example_stack(name: str) -> ProgramRun:
    region, config = stack_file_config(name)
    return run_program(config, stack=name, region=region)


@pytest.fixture(scope="session")
def prod() -> ProgramRun:
    """The example production stack, Pulumi.prod.yaml."""
    return _example_stack("prod")


@pytest.fixture(scope="session")
def dev() -> ProgramRun:
    """The example development stack, Pulumi.dev.yaml (combined KRaft nodes)."""
    return _example_stack("dev")


@pytest.fixture(scope="session")
def zookeeper() -> ProgramRun:
    return run_program(ZOOKEEPER_CONFIG, stack="zk")


@pytest.fixture(scope="session")
def ssh() -> ProgramRun:
    return run_program(SSH_CONFIG, stack="ssh")


@pytest.fixture(scope="session")
def defaults() -> ProgramRun:
    return run_program({}, stack="defaults")


@pytest.fixture(scope="session")
def clients_mtls() -> ProgramRun:
    """Brokers behind the client load balancer (an EXTERNAL listener each), clients by mTLS."""
    return run_program(CLIENTS_MTLS_CONFIG, stack="clients")


@pytest.fixture(params=SCENARIOS)
def any_stack(request) -> ProgramRun:
    return request.getfixturevalue(request.param)


OFFLINE_RELEASES = ("kafka_2.13-4.4.0.tgz", "kafka_2.13-3.9.2.tgz", "apache-zookeeper-3.8.4-bin.tar.gz")


@pytest.fixture(scope="session")
def offline_validate(tmp_path_factory) -> tuple[dict[str, str], list[str]]:
    """(environment, extra arguments) for playbooks/validate.yml that keep its release check on
    this machine: the releases the stacks ask for are in a cache of its own (KAFKA_KIT_CACHE), and
    the download sources point at a closed loopback port, so a miss fails instead of going out."""
    cache = tmp_path_factory.mktemp("kafka-kit-cache")
    (cache / "artifacts").mkdir()
    for name in OFFLINE_RELEASES:
        (cache / "artifacts" / name).write_bytes(b"")
    nowhere = "http://127.0.0.1:9"
    extra = [
        f"{role}_artifact_{source}={nowhere}"
        for role in ("kafka", "zookeeper")
        for source in ("apache_mirror", "maven_repository")
    ]
    return {"KAFKA_KIT_CACHE": str(cache)}, [arg for pair in extra for arg in ("-e", pair)]


@pytest.fixture(scope="session")
def operator_secrets(tmp_path_factory) -> list[str]:
    """Extra arguments for playbooks/validate.yml with the passwords the secure profile (the
    default) needs: the stack's inventory never holds them, an operator keeps them in Ansible Vault
    (inventories/aws/group_vars/all/, see inventories/aws/README.md). The tests' own passwords."""
    path = tmp_path_factory.mktemp("operator") / "secrets.yml"
    path.write_text(yaml.safe_dump(SECRETS))
    return ["-e", f"@{path}"]
