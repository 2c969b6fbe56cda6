"""SCRAM users and ACLs as inventory data (kafka_access_users, kafka_access_acls), like topics: the
checks of the declared lists, the plan against what the cluster has, and the admin commands that
carry it out. Nothing goes unless an entry says `state: absent`: an ACL is then removed, a user
disabled (plan_users says why not deleted).

Used on the controller by the contract (every entry checked before any host is touched) and on a
broker by the kafka_scram_users and kafka_acls modules. Tests: tests/unit/test_access.py.
"""

from __future__ import annotations

import re
import secrets

from ansible_collections.kafkakit.kafka.plugins.module_utils import security

STATES = ("present", "absent")
USER_KEYS = ("name", "password", "iterations", "state")
ACL_KEYS = (
    "principal",
    "resource_type",
    "resource_name",
    "pattern_type",
    "operations",
    "permission",
    "host",
    "state",
)
# AclCommand's resource options, by resource type.
RESOURCES = {
    "topic": "--topic",
    "group": "--group",
    "cluster": "--cluster",
    "transactional_id": "--transactional-id",
    "delegation_token": "--delegation-token",
}
# How AclCommand --list names each resource type.
RESOURCE_NAMES = {
    "TOPIC": "topic",
    "GROUP": "group",
    "CLUSTER": "cluster",
    "TRANSACTIONAL_ID": "transactional_id",
    "DELEGATION_TOKEN": "delegation_token",
}
OPERATIONS = (
    "all", "read", "write", "create", "delete", "alter", "describe", "cluster_action", "describe_configs",
    "alter_configs", "idempotent_write",
)  # fmt: skip
PATTERN_TYPES = ("literal", "prefixed")
PERMISSIONS = ("allow", "deny")
_USER_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,255}$")
# What ConfigCommand's iterations=N,password=P syntax (and a properties file) cannot hold.
_CREDENTIAL_UNSAFE = re.compile(r"[,\\\[\]\r\n]")


def _label(kind: str, index: int, entry) -> str:
    name = entry.get("name") or entry.get("principal") if isinstance(entry, dict) else None
    return f"{kind} {name!r}" if name else f"{kind} entry {index}"


def _unknown_keys(entry: dict, keys: tuple[str, ...], label: str) -> list[str]:
    return [f"{label}: unknown key {key!r}; keys are {', '.join(keys)}" for key in entry if key not in keys]


# --- Users ------------------------------------------------------------------------------------------
def without_passwords(entries: list) -> list:
    """kafka_access_users less their passwords, for the module's unmasked argument."""
    return [
        {k: v for k, v in entry.items() if k != "password"} if isinstance(entry, dict) else entry
        for entry in entries
    ]


def passwords_by_name(entries: list) -> dict:
    """kafka_access_users' passwords by user name, for the module's masked argument."""
    return {
        str(entry["name"]): entry["password"]
        for entry in entries
        if isinstance(entry, dict) and "name" in entry and "password" in entry
    }


def with_passwords(entries: list, passwords: dict) -> list:
    """The declared entries with each one's password put back from `passwords` (by name), which
    the module takes apart so that only passwords are masked in its output."""
    return [
        {**entry, "password": passwords[entry.get("name")]}
        if isinstance(entry, dict) and entry.get("name") in passwords
        else entry
        for entry in entries
    ]


def check_users(entries, reserved: tuple[str, ...] = ()) -> tuple[list[dict], list[str]]:
    """The declared SCRAM users, normalised, and every problem in them. `reserved` are the users the
    kit manages itself (the admin, the broker user)."""
    if not isinstance(entries, list):
        return [], [f"kafka_access_users must be a list of users, not {type(entries).__name__}"]
    users, errors, seen = [], [], set()
    for index, entry in enumerate(entries, start=1):
        label = _label("user", index, entry)
        if not isinstance(entry, dict):
            errors.append(f"{label}: a user entry is a mapping with a name and a password")
            continue
        errors += _unknown_keys(entry, USER_KEYS, label)
        name, state = str(entry.get("name") or ""), entry.get("state", "present")
        if not _USER_NAME.match(name):
            errors.append(f"{label}: name {name!r} must be 1-255 letters, digits, '.', '_', '@' or '-'")
            continue
        if name in seen:
            errors.append(f"{label}: declared twice")
        seen.add(name)
        if name in reserved:
            errors.append(
                f"{label}: {name} is the kit's own user (kafka_admin_user, kafka_broker_user); "
                "set its password there"
            )
        if state not in STATES:
            errors.append(f"{label}: state {state!r} must be present or absent")
            continue
        iterations = entry.get("iterations", security.SCRAM_ITERATIONS)
        if (
            not isinstance(iterations, int)
            or isinstance(iterations, bool)
            or iterations < security.SCRAM_MIN_ITERATIONS
        ):
            errors.append(f"{label}: iterations {iterations!r} must be a whole number of at least 4096")
        if state == "present":
            problem = security.password_problem(entry.get("password"))
            if problem:
                errors.append(f"{label}: password {problem}")
            elif _CREDENTIAL_UNSAFE.search(str(entry.get("password"))):
                errors.append(
                    f"{label}: password holds one of , \\ [ ] or a line break, which ConfigCommand's "
                    "credential syntax cannot carry"
                )
        users.append(
            {
                "name": name,
                "password": str(entry.get("password") or ""),
                "iterations": iterations,
                "state": state,
            }
        )
    return users, errors


# What the fingerprint file records for a user the kit disabled.
DISABLED = "disabled"


def plan_users(users: list[dict], existing: set[str], fingerprints: dict[str, str]) -> list[dict]:
    """What to do: create users that do not exist, set passwords that changed (by fingerprint),
    disable users whose entry says absent. In name order.

    A user is disabled, never deleted: its password becomes a random one nobody keeps. Kafka 4.3
    and 4.4 in KRaft mode forget every SCRAM credential on a node restarted after any credential
    was deleted (a RemoveUserScramCredentialRecord in the metadata log; docs/security.md,
    "Deleting SCRAM users", has the reproduction), so the kit writes no such record."""
    actions = []
    for user in sorted(users, key=lambda u: u["name"]):
        name = user["name"]
        if user["state"] == "absent":
            if name in existing and fingerprints.get(name) != DISABLED:
                actions.append({"action": "disable", "user": name, "fingerprint": DISABLED})
            continue
        fingerprint = security.password_fingerprint(name, user["password"])
        if name not in existing:
            actions.append({"action": "create", "user": name, "fingerprint": fingerprint})
        elif fingerprints.get(name) != fingerprint:
            actions.append({"action": "set_password", "user": name, "fingerprint": fingerprint})
    return actions


def user_credential(user: dict) -> str:
    """The credential line ConfigCommand reads from --add-config-file (a properties file, so the
    password never shows on a command line). Unlike --add-config, the file takes no brackets."""
    return f"{security.SCRAM_MECHANISM}=iterations={user['iterations']},password={user['password']}\n"


def user_command(action: dict, argv, bootstrap: str, credential_file: str) -> list[str]:
    """The ConfigCommand invocation of one user action; `argv(tool, *args)` builds command lines.
    Every action sets a credential, read from `credential_file` (user_credential): the declared
    password, or for disable a random one."""
    return argv(
        "ConfigCommand", "--bootstrap-server", bootstrap, "--alter", "--entity-type", "users",
        "--entity-name", action["user"], "--add-config-file", credential_file,
    )  # fmt: skip


def disabled_credential(user: dict) -> dict:
    """The user with a random password of 48 characters that nobody keeps."""
    return {
        **user,
        "password": secrets.token_urlsafe(36),
        "iterations": user.get("iterations", security.SCRAM_ITERATIONS),
    }


# --- ACLs -----------------------------------------------------------------------------------------
def _binding(entry: dict, operation: str) -> tuple:
    return (
        entry["resource_type"],
        entry["resource_name"],
        entry["pattern_type"],
        entry["principal"],
        entry["host"],
        operation,
        entry["permission"],
    )


def check_acls(entries) -> tuple[list[dict], list[str]]:
    """The declared ACLs, normalised, and every problem in them."""
    if not isinstance(entries, list):
        return [], [f"kafka_access_acls must be a list of ACL entries, not {type(entries).__name__}"]
    acls, errors = [], []
    for index, entry in enumerate(entries, start=1):
        label = f"ACL entry {index}"
        if not isinstance(entry, dict):
            errors.append(f"{label}: an ACL entry is a mapping with a principal, a resource and operations")
            continue
        errors += _unknown_keys(entry, ACL_KEYS, label)
        principal = str(entry.get("principal") or "")
        if not re.match(r"^User:[^;,\s]+$", principal):
            errors.append(f"{label}: principal {principal!r} must look like User:orders-service")
        resource_type = str(entry.get("resource_type") or "")
        if resource_type not in RESOURCES:
            errors.append(f"{label}: resource_type {resource_type!r} must be one of {', '.join(RESOURCES)}")
        name = "kafka-cluster" if resource_type == "cluster" else str(entry.get("resource_name") or "")
        if not name:
            errors.append(f"{label}: resource_name is missing ('*' for every {resource_type or 'resource'})")
        pattern = str(entry.get("pattern_type", "literal"))
        if pattern not in PATTERN_TYPES:
            errors.append(f"{label}: pattern_type {pattern!r} must be literal or prefixed")
        operations = entry.get("operations")
        if not isinstance(operations, list) or not operations:
            errors.append(f"{label}: operations must be a list, e.g. [read, describe]")
            operations = []
        wrong = [str(op) for op in operations if str(op).lower() not in OPERATIONS]
        if wrong:
            errors.append(
                f"{label}: operations {', '.join(wrong)} are not Kafka operations ({', '.join(OPERATIONS)})"
            )
        permission = str(entry.get("permission", "allow"))
        if permission not in PERMISSIONS:
            errors.append(f"{label}: permission {permission!r} must be allow or deny")
        state = entry.get("state", "present")
        if state not in STATES:
            errors.append(f"{label}: state {state!r} must be present or absent")
        acls.append(
            {
                "principal": principal,
                "resource_type": resource_type,
                "resource_name": name,
                "pattern_type": pattern,
                "operations": sorted({str(op).lower() for op in operations}),
                "permission": permission,
                "host": str(entry.get("host", "*")),
                "state": state,
            }
        )
    return acls, errors


def plan_acls(acls: list[dict], existing: set[tuple]) -> list[dict]:
    """Bindings to add (declared present, missing) and to remove (declared absent, present),
    grouped per resource, principal, host and permission so each is one AclCommand call."""
    actions: dict[tuple, dict] = {}
    for entry in acls:
        for operation in entry["operations"]:
            binding = _binding(entry, operation)
            wanted = entry["state"] == "present"
            if wanted == (binding in existing):
                continue
            kind = "add" if wanted else "remove"
            key = (kind, *binding[:5], binding[6])
            fields = ("resource_type", "resource_name", "pattern_type", "principal", "host", "permission")
            action = actions.setdefault(
                key, {"action": kind, **{k: entry[k] for k in fields}, "operations": []}
            )
            action["operations"].append(operation)
    return [actions[key] for key in sorted(actions)]


def acl_command(action: dict, argv, bootstrap: str) -> list[str]:
    """The AclCommand invocation of one add or remove."""
    args = ["--bootstrap-server", bootstrap, f"--{action['action']}"]
    who = "--allow" if action["permission"] == "allow" else "--deny"
    args += [f"{who}-principal", action["principal"], f"{who}-host", action["host"]]
    for operation in action["operations"]:
        args += ["--operation", "".join(part.capitalize() for part in operation.split("_"))]
    if action["resource_type"] == "cluster":
        args.append("--cluster")
    else:
        args += [RESOURCES[action["resource_type"]], action["resource_name"]]
    args += ["--resource-pattern-type", action["pattern_type"]]
    if action["action"] == "remove":
        args.append("--force")
    return argv("AclCommand", *args)


def describe_action(action: dict) -> str:
    if "user" in action:
        return f"user {action['user']}: {action['action'].replace('_', ' ')}"
    ops = ", ".join(action["operations"])
    what = f"{action['resource_type']} {action['resource_name']} ({action['pattern_type']})"
    who = f"{action['principal']} from {action['host']}"
    return f"{action['action']} {action['permission']} {ops} on {what} for {who}"


# --- What the tools print ---------------------------------------------------------------------------
_ACL_RESOURCE = re.compile(r"ResourcePattern\(resourceType=(\w+), name=(.*?), patternType=(\w+)\)")
_ACL_BINDING = re.compile(r"\(principal=(.*?), host=(.*?), operation=(\w+), permissionType=(\w+)\)")
_SCRAM_USER = re.compile(r"SCRAM credential configs for user-principal '([^']+)' are (.*)$")


def acl_listing(text: str) -> set[tuple]:
    """Every binding `AclCommand --list` prints, as (resource type, name, pattern type, principal,
    host, operation, permission) in the declared lists' spelling."""
    bindings, resource = set(), None
    for line in (text or "").splitlines():
        found = _ACL_RESOURCE.search(line)
        if found:
            kind, name, pattern = found.groups()
            resource = (RESOURCE_NAMES.get(kind, kind.lower()), name, pattern.lower())
            continue
        found = _ACL_BINDING.search(line)
        if found and resource is not None:
            principal, host, operation, permission = found.groups()
            bindings.add((*resource, principal, host, operation.lower(), permission.lower()))
    return bindings


def scram_users(text: str) -> set[str]:
    """The users `ConfigCommand --describe --entity-type users` shows with SCRAM credentials."""
    return {
        found.group(1)
        for line in (text or "").splitlines()
        if (found := _SCRAM_USER.search(line.strip())) and security.SCRAM_MECHANISM in found.group(2)
    }
