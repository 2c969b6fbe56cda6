"""Compute the cluster model from the whole inventory and check it, contacting no host.

Runs on the controller. For every host of the cluster's groups (all of them, whatever --limit
says: hostvars hold the whole inventory), it resolves each variable of the roles that run there
the way the role will: the role's defaults (roles/*/defaults/main.yml), overlaid by the inventory,
extra vars and the play's own vars. It checks each value against the role's argument specs
(roles/*/meta/argument_specs.yml), reports variables with a role's prefix that no role knows,
builds the model (module_utils/model.py) and checks the contract (module_utils/contract.py).

Every problem comes back at once, each naming the host, the variable and the value. When there is
none, the model is the fact `kafkakit_cluster` of every host of the play.
"""

from __future__ import annotations

from pathlib import Path

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.kafkakit.kafka.plugins.module_utils import contract, model, specs

ROLES_DIR = Path(__file__).resolve().parents[2] / "roles"
# Which roles run on which hosts of the cluster.
ROLE_SCOPES = {
    "host_prep": ("kafka", "zookeeper"),
    "java": ("kafka", "zookeeper"),
    "kafka_artifact": ("kafka",),
    "kafka": ("kafka",),
    "kafka_ops": ("kafka",),
    "kafka_rebalance": ("kafka",),
    "kafka_topics": ("kafka",),
    "kafka_access": ("kafka",),
    "zookeeper": ("zookeeper",),
    "kafka_metrics": ("kafka", "zookeeper"),
    "kafka_tls": ("kafka",),
    "monitoring": ("monitoring",),
}
# The variable that names each group, and its default (the kafka role's defaults say the same).
GROUP_VARIABLES = {
    "broker": ("kafka_broker_group", "kafka_broker"),
    "controller": ("kafka_controller_group", "kafka_controller"),
    "zookeeper": ("kafka_zookeeper_group", "zookeeper"),
    "monitoring": ("kafka_monitoring_group", "monitoring"),
}
PREFIXES = tuple(f"{role}_" for role in ROLE_SCOPES)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        hostvars = task_vars["hostvars"]
        current = task_vars.get("inventory_hostname")
        cluster, problems = evaluate(
            self._loader,
            self._templar,
            hostvars.raw_get,
            task_vars["groups"],
            overlay=play_overlay(task_vars, hostvars.raw_get(current) if current else {}),
            current=current,
            require_kafka=bool(self._task.args.get("require_kafka", True)),
        )
        if problems:
            result.update(
                failed=True,
                msg=(
                    f"The inventory describes a cluster that cannot be deployed ({len(problems)} problem"
                    f"{'s' if len(problems) != 1 else ''}; no host was contacted):\n- "
                    + "\n- ".join(problems)
                ),
            )
            return result
        result.update(
            changed=False,
            msg=(
                f"{len(cluster['kafka_hosts'])} Kafka hosts and {len(cluster['zookeeper_hosts'])} ZooKeeper "
                f"hosts "
                f"checked ({cluster['mode']}, Kafka {cluster['version']}): the cluster can be deployed"
                + _migration_note(cluster)
            ),
            ansible_facts={"kafkakit_cluster": cluster},
        )
        return result


def _migration_note(cluster: dict) -> str:
    """Where a ZooKeeper-mode cluster is on its way to KRaft (docs/migration.md)."""
    if cluster["staged_controllers"]:
        return (
            f"; {', '.join(cluster['staged_controllers'])} staged for the migration to KRaft, untouched "
            "until kafka_zookeeper_migration is migrating"
        )
    if cluster["migration"] != "none":
        return f"; migrating to KRaft, phase {cluster['migration']}"
    return ""


def evaluate(loader, templar, raw_get, groups, *, overlay, current, require_kafka=True):
    """(the cluster model, []) or (None, every problem): the whole of this plugin's work, callable
    without a play (tests/unit/test_contract.py runs it on inventories in-process).

    `raw_get(host)` gives a host's variables untemplated (HostVars.raw_get); `overlay` the
    variables the play sets above the inventory; `current` the host the task runs for.
    """
    roles = {name: load_role(loader, name) for name in ROLE_SCOPES}
    resolver = Resolver(templar, raw_get, overlay)
    names = {
        kind: str(resolver.one(current, roles["kafka"], variable, default))
        for kind, (variable, default) in GROUP_VARIABLES.items()
    }
    kafka_hosts = sorted(set(groups.get(names["broker"], [])) | set(groups.get(names["controller"], [])))
    zookeeper_hosts = sorted(groups.get(names["zookeeper"], []))
    monitoring_hosts = sorted(groups.get(names["monitoring"], []))
    known = set().union(*(role["known"] for role in roles.values()))

    problems: list[str] = []
    resolved: dict[str, dict] = {}
    for host in sorted(set(kafka_hosts) | set(zookeeper_hosts) | set(monitoring_hosts)):
        scopes = {"kafka"} if host in kafka_hosts else set()
        scopes |= {"zookeeper"} if host in zookeeper_hosts else set()
        scopes |= {"monitoring"} if host in monitoring_hosts else set()
        applicable = [roles[role] for role, scope in ROLE_SCOPES.items() if set(scope) & scopes]
        raw = raw_get(host)
        resolved[host], found = resolver.host(host, raw, applicable)
        problems += found
        problems += [
            f"{host}: {name} is not a variable of any role of the kit{specs.nearest(name, known)}"
            for name in specs.unknown_variables(raw, known, PREFIXES)
        ]
    if problems:
        return None, merged(problems)
    cluster = model.build(resolved, {g: list(h) for g, h in groups.items()}, names)
    problems = contract.errors(cluster, resolved, groups, require_kafka=require_kafka)
    if problems:
        return None, merged(problems)
    return model.finish(cluster), []


def merged(problems: list[str], shown: int = 3) -> list[str]:
    """One line for a problem that several hosts share (a group variable): `h1, h2, h3: ...`,
    or `h1, h2 and 47 more hosts: ...`; first-seen order."""
    by_text: dict[str, list[str]] = {}
    for problem in problems:
        host, sep, rest = problem.partition(": ")
        key = rest if sep and " " not in host else problem
        by_text.setdefault(key, []).append(host if sep and " " not in host else "")
    lines = []
    for text, hosts in by_text.items():
        named = [h for h in dict.fromkeys(hosts) if h]
        if not named:
            lines.append(text)
        elif len(named) <= shown:
            lines.append(f"{', '.join(named)}: {text}")
        else:
            lines.append(f"{', '.join(named[:2])} and {len(named) - 2} more hosts: {text}")
    return lines


def load_role(loader, name: str) -> dict:
    """A role's defaults (trusted as templates, like the role's own) and its argument specs."""
    defaults_file = ROLES_DIR / name / "defaults" / "main.yml"
    specs_file = ROLES_DIR / name / "meta" / "argument_specs.yml"
    defaults = (
        loader.load_from_file(str(defaults_file), trusted_as_template=True) or {}
        if defaults_file.exists()
        else {}
    )
    loaded = loader.load_from_file(str(specs_file)) or {} if specs_file.exists() else {}
    options = (loaded.get("argument_specs", {}).get("main", {}) or {}).get("options", {}) or {}
    return {
        "name": name,
        "defaults": dict(defaults),
        "options": dict(options),
        "known": set(defaults) | set(options),
    }


def play_overlay(task_vars: dict, raw_current: dict) -> dict:
    """Variables of the roles' prefixes that the play (play vars, role params, include vars) sets
    above the inventory: task_vars has them for this host, hostvars does not."""
    return {
        key: value
        for key, value in task_vars.items()
        if key.startswith(PREFIXES) and (key not in raw_current or raw_current[key] is not value)
    }


class Resolver:
    """Each variable of a host as the role will see it: the role's defaults, overlaid by the
    inventory (and extra vars), then the play's overlay, templated with all of them."""

    def __init__(self, templar, raw_get, overlay: dict) -> None:
        self.templar, self.raw_get, self.overlay = templar, raw_get, overlay

    def _templar_for(self, variables: dict):
        return self.templar.copy_with_new_env(available_variables=variables)

    def one(self, host, role: dict, variable: str, default):
        if host is None:
            return default
        variables = {**role["defaults"], **self.raw_get(host), **self.overlay}
        try:
            return self._templar_for(variables).template(variables.get(variable, default))
        except AnsibleError:
            return default

    def host(self, host: str, raw: dict, roles: list[dict]) -> tuple[dict, list[str]]:
        defaults = {}
        for role in roles:
            defaults.update(role["defaults"])
        variables = {**defaults, **raw, **self.overlay}
        templar = self._templar_for(variables)
        resolved, problems = {}, []
        for key in ("ansible_host", "ansible_port", "ansible_connection", "inventory_hostname"):
            if key in variables:
                try:
                    resolved[key] = templar.template(variables[key])
                except AnsibleError as error:
                    problems.append(f"{host}: {key} cannot be evaluated: {_first_line(error.message)}")
        for role in roles:
            for name in sorted(role["known"]):
                if name not in variables or _runtime_only(variables[name]):
                    continue
                try:
                    value = templar.template(variables[name])
                except AnsibleError as error:
                    if "kafkakit_cluster" not in str(error):  # else a default the role resolves at run time
                        problems.append(f"{host}: {name} cannot be evaluated: {_first_line(error.message)}")
                    continue
                spec = role["options"].get(name)
                if spec is None:
                    resolved[name] = value
                    continue
                resolved[name], found = specs.check_value(value, spec, name)
                problems += [f"{host}: {problem}" for problem in found]
        return resolved, problems


def _runtime_only(value) -> bool:
    """A default that reads the model itself (kafkakit_cluster) is resolved by the role at run time."""
    return isinstance(value, str) and "kafkakit_cluster" in value


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else "no reason given"
