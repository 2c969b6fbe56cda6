"""Kafka's command-line tools on a node, run through kafka-run-class with the node's installation.

The runner answers `kafka-run-class --kafka-version` with the release it runs, which picks each
tool's class (constants.TOOL_CLASSES): one way to find a tool, by release, never by trial.
"""

from __future__ import annotations

import subprocess

from ansible_collections.kafkakit.kafka.plugins.module_utils import constants, tool_output

DEFAULT_RUNNER = "/usr/local/bin/kafka-run-class"


class ToolError(Exception):
    """A tool failed or gave no answer in time; the message says which and why."""


# The arguments of every module that runs the admin tools (their docs: doc_fragments/admin_tools.py).
ADMIN_TOOL_ARGUMENTS = {
    "bootstrap_server": {"type": "str"},
    "command_config": {"type": "path", "default": ""},
    "runner": {"type": "path", "default": DEFAULT_RUNNER},
    "timeout": {"type": "int", "default": 120},
}


class Tools:
    def __init__(self, runner: str = DEFAULT_RUNNER, command_config: str = "", timeout: float = 120) -> None:
        self.runner, self.command_config, self.timeout = runner, command_config, timeout
        self._version = ""

    @property
    def version(self) -> str:
        """The Kafka release the runner runs."""
        if not self._version:
            self._version = self.execute([self.runner, "--kafka-version"]).strip()
        return self._version

    def execute(self, argv: list[str]) -> str:
        name = argv[1].rsplit(".", 1)[-1] if len(argv) > 1 else argv[0]
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ToolError(f"{name} gave no answer within {self.timeout:.0f}s") from None
        if result.returncode != 0:
            raise ToolError(f"{name} failed: {tool_output.failure_reason(result.stderr, result.stdout)}")
        return result.stdout

    def argv(self, tool: str, *args: str, admin: bool = True) -> list[str]:
        """The command line of `tool` (a key of constants.TOOL_CLASSES). Admin tools get the client
        config first: MetadataQuorumCommand takes its options only before the subcommand."""
        config = ["--command-config", self.command_config] if admin and self.command_config else []
        return [self.runner, constants.tool_class(tool, self.version), *config, *args]

    def run(self, tool: str, *args: str, admin: bool = True) -> str:
        return self.execute(self.argv(tool, *args, admin=admin))

    def zookeeper(self, connect: str, command: str, path: str, *data: str) -> tuple[int, str, str]:
        """ZooKeeper's client: (exit code, stdout, stderr); a missing znode is an answer too."""
        argv = [
            self.runner,
            constants.tool_class("ZooKeeperMain", self.version),
            "-server",
            connect,
            command,
            path,
            *data,
        ]
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ToolError(f"ZooKeeper ({connect}) gave no answer within {self.timeout:.0f}s") from None
        return result.returncode, result.stdout, result.stderr


def tools_from_params(params: dict) -> Tools:
    """The tools as a module's ADMIN_TOOL_ARGUMENTS say to run them."""
    return Tools(params["runner"], params["command_config"], params["timeout"])
