"""module_utils/access.py: the checks of kafka_access_users and kafka_access_acls, the plans against
what the cluster has, the admin commands, and the parsers of what AclCommand and ConfigCommand
print (recorded from a live secure cluster: tests/data/tools/*/README.md says how)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.kafkakit.kafka.plugins.module_utils import access, security

RECORDED = Path(__file__).resolve().parents[1] / "data" / "access"
STRONG = "correct-Horse-battery-9"


def argv(tool: str, *args: str) -> list[str]:
    return ["kafka-run-class", tool, *args]


# --- Users ------------------------------------------------------------------------------------------
def test_a_valid_user_list_is_normalised():
    users, errors = access.check_users(
        [{"name": "orders", "password": STRONG}, {"name": "old", "state": "absent"}]
    )
    assert errors == []
    assert users == [
        {"name": "orders", "password": STRONG, "iterations": security.SCRAM_ITERATIONS, "state": "present"},
        {"name": "old", "password": "", "iterations": security.SCRAM_ITERATIONS, "state": "absent"},
    ]


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({"name": "x"}, "must be a list of users"),
        (["orders"], "a user entry is a mapping"),
        ([{"name": "a b", "password": STRONG}], "must be 1-255 letters"),
        ([{"name": "o", "password": STRONG}, {"name": "o", "password": STRONG}], "declared twice"),
        ([{"name": "admin", "password": STRONG}], "the kit's own user"),
        ([{"name": "o", "password": STRONG, "state": "gone"}], "state 'gone' must be present or absent"),
        ([{"name": "o", "password": STRONG, "iterations": 100}], "at least 4096"),
        ([{"name": "o", "password": STRONG, "iterations": True}], "at least 4096"),
        ([{"name": "o", "password": "kafka"}], "user 'o': password"),
        ([{"name": "o"}], "user 'o': password"),
        ([{"name": "o", "password": STRONG, "pasword": "x"}], "unknown key 'pasword'"),
        ([{"name": "o", "password": STRONG + ",x"}], "credential syntax cannot carry"),
        ([{"name": "o", "password": STRONG + "]"}], "credential syntax cannot carry"),
    ],
)
def test_bad_users_are_refused_with_the_entry_named(entries, expected):
    _, errors = access.check_users(entries, reserved=("admin", "kafka-broker"))
    assert any(expected in error for error in errors), errors


def test_a_refusal_never_quotes_a_password():
    _, errors = access.check_users([{"name": "o", "password": "hunter2"}])
    assert errors and not any("hunter2" in error for error in errors)


def test_users_are_created_re_passworded_on_a_new_fingerprint_and_disabled_only_when_absent():
    users, _ = access.check_users(
        [
            {"name": "new", "password": STRONG},
            {"name": "same", "password": STRONG},
            {"name": "changed", "password": STRONG},
            {"name": "gone", "state": "absent"},
            {"name": "never-was", "state": "absent"},
        ]
    )
    fingerprints = {
        "same": security.password_fingerprint("same", STRONG),
        "changed": security.password_fingerprint("changed", "an-older-Password-1"),
    }
    actions = access.plan_users(users, {"same", "changed", "gone", "undeclared"}, fingerprints)
    assert [(a["action"], a["user"]) for a in actions] == [
        ("set_password", "changed"),
        ("disable", "gone"),
        ("create", "new"),
    ]
    # Everything converged: nothing to do.
    fingerprints.update({a["user"]: a["fingerprint"] for a in actions if "fingerprint" in a})
    assert access.plan_users(users, {"same", "changed", "new", "gone", "undeclared"}, fingerprints) == []


def test_a_user_created_by_hand_without_a_fingerprint_is_given_its_declared_password():
    users, _ = access.check_users([{"name": "hand-made", "password": STRONG}])
    assert access.plan_users(users, {"hand-made"}, {})[0]["action"] == "set_password"


def test_the_password_travels_in_a_file_not_on_the_command_line():
    users, _ = access.check_users([{"name": "orders", "password": STRONG, "iterations": 8192}])
    action = access.plan_users(users, set(), {})[0]
    command = access.user_command(action, argv, "b:9092", "/run/x/credential.properties")
    assert STRONG not in " ".join(command)
    assert command[-2:] == ["--add-config-file", "/run/x/credential.properties"]
    assert command[5:9] == ["--entity-type", "users", "--entity-name", "orders"]
    assert access.user_credential(users[0]) == f"SCRAM-SHA-512=iterations=8192,password={STRONG}\n"
    # Disabling sets a random password, never --delete-config (see access.plan_users).
    disabled = access.disabled_credential(users[0])
    assert disabled["password"] != STRONG and len(disabled["password"]) == 48
    assert "--delete-config" not in access.user_command(
        {"action": "disable", "user": "orders"}, argv, "b", "/f"
    )


# --- ACLs -----------------------------------------------------------------------------------------
GRANT = {
    "principal": "User:orders",
    "resource_type": "topic",
    "resource_name": "orders",
    "operations": ["Write", "describe"],
}


def test_a_valid_acl_is_normalised():
    acls, errors = access.check_acls(
        [GRANT, {"principal": "User:ops", "resource_type": "cluster", "operations": ["alter"]}]
    )
    assert errors == []
    assert acls[0] == {
        "principal": "User:orders",
        "resource_type": "topic",
        "resource_name": "orders",
        "pattern_type": "literal",
        "operations": ["describe", "write"],
        "permission": "allow",
        "host": "*",
        "state": "present",
    }
    assert acls[1]["resource_name"] == "kafka-cluster"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"principal": "orders"}, "must look like User:orders-service"),
        ({"resource_type": "topics"}, "resource_type 'topics' must be one of"),
        ({"resource_name": ""}, "resource_name is missing"),
        ({"pattern_type": "match"}, "pattern_type 'match' must be literal or prefixed"),
        ({"operations": []}, "operations must be a list"),
        ({"operations": "read"}, "operations must be a list"),
        ({"operations": ["read", "publish"]}, "operations publish are not Kafka operations"),
        ({"permission": "grant"}, "permission 'grant' must be allow or deny"),
        ({"state": "removed"}, "state 'removed' must be present or absent"),
        ({"hosts": "*"}, "unknown key 'hosts'"),
    ],
)
def test_bad_acls_are_refused_with_the_entry_named(change, expected):
    _, errors = access.check_acls([GRANT, {**GRANT, **change}])
    assert any(error.startswith("ACL entry 2:") and expected in error for error in errors), errors


def test_acls_are_added_when_missing_and_removed_only_when_declared_absent():
    acls, _ = access.check_acls(
        [
            GRANT,
            {**GRANT, "resource_type": "group", "resource_name": "orders-", "pattern_type": "prefixed",
             "operations": ["read"]},
            {**GRANT, "resource_name": "legacy", "operations": ["read"], "state": "absent"},
        ]
    )  # fmt: skip
    existing = {
        ("topic", "orders", "literal", "User:orders", "*", "describe", "allow"),
        ("topic", "legacy", "literal", "User:orders", "*", "read", "allow"),
        ("topic", "undeclared", "literal", "User:x", "*", "read", "allow"),
    }
    actions = access.plan_acls(acls, existing)
    assert [(a["action"], a["resource_type"], a["resource_name"], a["operations"]) for a in actions] == [
        ("add", "group", "orders-", ["read"]),
        ("add", "topic", "orders", ["write"]),
        ("remove", "topic", "legacy", ["read"]),
    ]
    converged = existing - {("topic", "legacy", "literal", "User:orders", "*", "read", "allow")} | {
        ("group", "orders-", "prefixed", "User:orders", "*", "read", "allow"),
        ("topic", "orders", "literal", "User:orders", "*", "write", "allow"),
    }
    assert access.plan_acls(acls, converged) == []


def test_acl_commands_name_kafka_operations_and_the_pattern():
    acls, _ = access.check_acls([{**GRANT, "operations": ["idempotent_write", "describe_configs"]}])
    (action,) = access.plan_acls(acls, set())
    command = access.acl_command(action, argv, "b:9092")
    assert command == argv(
        "AclCommand", "--bootstrap-server", "b:9092", "--add", "--allow-principal", "User:orders",
        "--allow-host", "*", "--operation", "DescribeConfigs", "--operation", "IdempotentWrite",
        "--topic", "orders", "--resource-pattern-type", "literal",
    )  # fmt: skip
    remove = access.acl_command({**action, "action": "remove", "permission": "deny"}, argv, "b:9092")
    assert "--deny-principal" in remove and remove[-1] == "--force"
    cluster, _ = access.check_acls(
        [{"principal": "User:ops", "resource_type": "cluster", "operations": ["alter"]}]
    )
    assert "--cluster" in access.acl_command(access.plan_acls(cluster, set())[0], argv, "b:9092")


# --- What the tools printed -------------------------------------------------------------------------
def test_the_acl_listing_is_read_binding_by_binding():
    bindings = access.acl_listing((RECORDED / "acl-list-4.3.1-kraft.txt").read_text())
    assert bindings == {
        ("cluster", "kafka-cluster", "literal", "User:ops", "*", "idempotent_write", "allow"),
        ("cluster", "kafka-cluster", "literal", "User:ops", "*", "describe_configs", "allow"),
        ("topic", "orders", "literal", "User:probe-user", "10.0.0.9", "read", "deny"),
        ("topic", "orders", "literal", "User:probe-user", "*", "write", "allow"),
        ("topic", "orders", "literal", "User:probe-user", "*", "describe", "allow"),
        ("group", "orders-", "prefixed", "User:probe-user", "*", "read", "allow"),
    }


def test_what_was_recorded_is_what_the_declared_entries_plan_nothing_for():
    acls, errors = access.check_acls(
        [
            {"principal": "User:ops", "resource_type": "cluster",
             "operations": ["describe_configs", "idempotent_write"]},
            {"principal": "User:probe-user", "resource_type": "topic", "resource_name": "orders",
             "operations": ["write", "describe"]},
            {"principal": "User:probe-user", "resource_type": "topic", "resource_name": "orders",
             "host": "10.0.0.9", "permission": "deny", "operations": ["read"]},
            {"principal": "User:probe-user", "resource_type": "group", "resource_name": "orders-",
             "pattern_type": "prefixed", "operations": ["read"]},
        ]
    )  # fmt: skip
    assert errors == []
    assert (
        access.plan_acls(acls, access.acl_listing((RECORDED / "acl-list-4.3.1-kraft.txt").read_text())) == []
    )


def test_an_empty_listing_has_no_bindings():
    assert access.acl_listing("") == set()


def test_the_scram_users_are_read_from_the_description():
    users = access.scram_users((RECORDED / "users-describe-4.3.1-kraft.txt").read_text())
    assert users == {"probe-user", "kafka-broker", "admin"}


def test_passwords_go_apart_from_the_names_and_come_back_whole():
    # The module masks only its passwords argument: names stay readable in the play log.
    declared = [
        {"name": "orders", "password": "a-Strong-password-1", "iterations": 4096},
        {"name": "gone", "state": "absent"},
    ]
    public, passwords = access.without_passwords(declared), access.passwords_by_name(declared)
    assert public == [{"name": "orders", "iterations": 4096}, {"name": "gone", "state": "absent"}]
    assert passwords == {"orders": "a-Strong-password-1"}
    assert access.with_passwords(public, passwords) == declared
