#!/usr/bin/env python3
"""The local lab: systemd containers with sshd standing in for VMs, each with its own block device.

  lab.py [--name NAME] up [--mode kraft|zookeeper] [--brokers N] [--controllers N]
                          [--zookeepers N] [--kafka-version V] [--port-offset N]
                          [--security secure|plaintext|open|switch|moved]
                          [--migration none|migrating|dual_write|kraft]
                          create or converge the lab's hosts and write its inventory
  lab.py [--name NAME] playbook       print the playbook that deploys the lab as its inventory says
  lab.py [--name NAME] bootstrap      print bootstrap.servers=...
  lab.py [--name NAME] inventory      print the path of the lab's inventory
  lab.py [--name NAME] retire HOST... remove hosts and their disks, as VMs are terminated; then
                                      `up` in the smaller shape writes the inventory without them
  lab.py [--name NAME] down           remove the lab's hosts, network and disks

Several labs can run side by side under different names (the tests use their own, so they never
touch the lab you work with); the default lab is "lab", with its inventory in
inventories/lab/hosts.yml, others in inventories/lab/<name>.yml.

KRaft mode: kafka-1..N (combined nodes) or broker-1..N and controller-1..N. ZooKeeper mode:
zookeeper-1..N (the ensemble, myid N) and broker-1..N, and with --controllers N controller-1..N
staged for the migration to KRaft: idle until --migration migrating, then dual_write, then kraft
(the finalized KRaft inventory, without the ensemble), each run by migrate_to_kraft.yml
(docs/migration.md). Without --kafka-version, the kafka role's default for the mode is deployed
(the newest 3.9.x in ZooKeeper mode).

Each host gets a sparse file on a loop device as its data disk (passed in as /dev/xvdb, like an
EBS volume), sshd published on 127.0.0.1, and, for brokers, a Kafka listener published on
127.0.0.1 so clients on this machine can connect (and a second port, for the listener clients move
to when a plaintext lab moves to the secure profile: --security plaintext, then open, switch and
moved, each deployed by deploy.yml; docs/security.md). The deploy playbook then runs over SSH, exactly
as against VMs. Running `up` again keeps every host, disk and key as it is.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# The collection's shared constants (the checkout is the collection kafkakit.kafka, linked from
# collections/): id ranges, what "combined" means, quorum sizes.
sys.path.insert(0, str(ROOT / "collections"))
from ansible_collections.kafkakit.kafka.plugins.module_utils import constants, properties, security  # noqa: E402

LABEL = "kafkakit.lab"
DATA_DEVICE = "/dev/xvdb"
DISK_SIZE = "4G"
SSH_PORT_BASE = 2220
CLIENT_PORT_BASE = 19091
# The listener clients move to (HOST_TLS) while a plaintext lab moves to the secure profile.
MOVED_CLIENT_PORT_SLOT = 20
# Prometheus on the lab's monitoring host, published on 127.0.0.1 (19090, then shifted by the offset).
PROMETHEUS_PORT_BASE = 19090
RACKS = ("lab-a", "lab-b", "lab-c")


class Lab:
    """Names and paths of one lab."""

    def __init__(self, name: str) -> None:
        if not name.replace("-", "").isalnum():
            sys.exit(f"lab: name {name!r} must be letters, digits and dashes")
        self.name = name
        self.network = f"kafkakit-{name}"
        self.state = ROOT / "lab" / ".state" / name
        inventory_file = "hosts.yml" if name == "lab" else f"{name}.yml"
        self.inventory = ROOT / "inventories" / "lab" / inventory_file

    def container(self, host: str) -> str:
        return f"{self.network}-{host}"


def run(*args: str, check: bool = True, capture: bool = True) -> str:
    result = subprocess.run(args, capture_output=capture, text=True, check=False)
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip()
        sys.exit(f"lab: {' '.join(args)} failed: {detail}")
    return (result.stdout or "").strip()


def log(message: str) -> None:
    print(f"lab: {message}", file=sys.stderr, flush=True)


def plan(
    brokers: int, controllers: int, port_offset: int, mode: str = "kraft", zookeepers: int = 3
) -> list[dict]:
    """The lab's hosts: combined nodes when controllers is 0, else dedicated controllers too; in
    ZooKeeper mode, brokers and a ZooKeeper ensemble."""
    if brokers < 1:
        sys.exit("lab: BROKERS must be at least 1")
    if mode == "zookeeper":
        return zookeeper_plan(brokers, controllers, port_offset, zookeepers)
    if controllers < 0 or (controllers and not constants.quorum_size_ok(controllers)):
        sys.exit("lab: CONTROLLERS must be 0 (combined nodes) or an odd number (1, 3, 5)")
    combined = 0 if controllers else constants.combined_controller_count(brokers)
    hosts = []
    for index in range(1, brokers + 1):
        name = f"kafka-{index}" if not controllers else f"broker-{index}"
        hosts.append(
            {
                "name": name,
                "groups": ["kafka_broker"] + (["kafka_controller"] if index <= combined else []),
                "node_id": index,
                "rack": RACKS[(index - 1) % len(RACKS)],
                "client_port": CLIENT_PORT_BASE + port_offset + index,
                "moved_client_port": CLIENT_PORT_BASE + port_offset + MOVED_CLIENT_PORT_SLOT + index,
            }
        )
    hosts += [
        {
            "name": f"controller-{index}",
            "groups": ["kafka_controller"],
            "node_id": constants.CONTROLLER_NODE_ID_BASE + index,
        }
        for index in range(1, controllers + 1)
    ]
    return numbered([*hosts, monitoring_host(port_offset)], port_offset)


def monitoring_host(port_offset: int) -> dict:
    """Prometheus beside the nodes, as the monitoring instance of a real stack."""
    return {
        # Not "monitoring": Ansible warns when a host is named like its group.
        "name": "monitoring-1",
        "groups": ["monitoring"],
        "prometheus_port": PROMETHEUS_PORT_BASE + port_offset,
    }


# Each host's SSH port slot, by kind, so that growing one kind (kafka-4) never moves another's port.
SSH_SLOTS = {"kafka": 0, "broker": 0, "controller": 20, "zookeeper": 30, "monitoring": 40}


def numbered(hosts: list[dict], port_offset: int) -> list[dict]:
    """SSH ports from each host's kind and number: kafka-3 at slot 3, controller-1 at 21,
    monitoring-1 at 41 (labs' port offsets are 50 apart)."""
    for host in hosts:
        kind, _, number = host["name"].partition("-")
        host["ssh_port"] = SSH_PORT_BASE + port_offset + SSH_SLOTS[kind] + int(number or 0)
    return hosts


def zookeeper_plan(brokers: int, controllers: int, port_offset: int, zookeepers: int) -> list[dict]:
    """ZooKeeper mode: broker-1..N and zookeeper-1..N, each on its own host and data disk, and the
    controllers staged for the migration to KRaft (CONTROLLERS)."""
    if controllers and not constants.quorum_size_ok(controllers):
        sys.exit("lab: CONTROLLERS must be 0 or an odd number (1, 3, 5): the quorum the cluster migrates to")
    if not constants.quorum_size_ok(zookeepers):
        sys.exit("lab: ZOOKEEPERS must be odd (1, 3 or 5): an even ensemble survives no more failures")
    hosts = [
        {
            "name": f"broker-{index}",
            "groups": ["kafka_broker"],
            "node_id": index,
            "rack": RACKS[(index - 1) % len(RACKS)],
            "client_port": CLIENT_PORT_BASE + port_offset + index,
        }
        for index in range(1, brokers + 1)
    ]
    hosts += [
        {"name": f"zookeeper-{index}", "groups": ["zookeeper"], "myid": index}
        for index in range(1, zookeepers + 1)
    ]
    hosts += [
        {
            "name": f"controller-{index}",
            "groups": ["kafka_controller"],
            "node_id": constants.CONTROLLER_NODE_ID_BASE + index,
        }
        for index in range(1, controllers + 1)
    ]
    return numbered([*hosts, monitoring_host(port_offset)], port_offset)


# The phases of a ZooKeeper-mode lab's migration to KRaft: kafka_zookeeper_migration's, then
# kraft, the finalized inventory.
MIGRATION_STAGES = ("none", "migrating", "dual_write", "kraft")


def migration_vars(stage: str, kafka_version: str) -> dict:
    """A ZooKeeper-mode lab's variables at `stage` of its migration. Finalized, it is a KRaft
    cluster still on the release it migrated on (the kraft default would be an upgrade)."""
    if stage == "kraft":
        return {
            "kafka_mode": "kraft",
            "kafka_version": kafka_version or constants.DEFAULT_KAFKA_VERSION["zookeeper"],
        }
    return {"kafka_zookeeper_migration": stage} if stage != "none" else {}


def build_images() -> str:
    images = run(str(ROOT / "lab" / "build-image.sh"), capture=True).splitlines()
    return images[-1]


def ensure_key(lab: Lab) -> Path:
    key = lab.state / "id_ed25519"
    if not key.exists():
        lab.state.mkdir(parents=True, exist_ok=True)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"kafkakit-{lab.name}", "-f", str(key))
    return key


def network_exists(lab: Lab) -> bool:
    return bool(run("docker", "network", "ls", "--quiet", "--filter", f"name=^{lab.network}$"))


def ensure_disk(lab: Lab, name: str) -> str:
    """A loop device backed by a sparse file: an empty disk the first time, the same disk after."""
    disk = lab.state / "disks" / f"{name}.img"
    if not disk.exists():
        disk.parent.mkdir(parents=True, exist_ok=True)
        run("truncate", "--size", DISK_SIZE, str(disk))
    attached = run("losetup", "--associated", str(disk), "--output", "NAME", "--noheadings", check=False)
    if attached:
        return attached.splitlines()[0].strip()
    return run("losetup", "--find", "--show", str(disk))


def ensure_host(lab: Lab, host: dict, image: str, public_key: str) -> None:
    name = lab.container(host["name"])
    state = run("docker", "inspect", "--format", "{{.State.Status}}", name, check=False)
    if state == "running":
        return
    if state:
        log(f"starting {host['name']} again")
        run("docker", "start", name)
        return
    disk = []
    if "monitoring" not in host["groups"]:
        device = ensure_disk(lab, host["name"])
        disk = ["--device", f"{device}:{DATA_DEVICE}"]
    ports = ["--publish", f"127.0.0.1:{host['ssh_port']}:22"]
    for port in (host.get("client_port"), host.get("moved_client_port")):
        if port:
            ports += ["--publish", f"127.0.0.1:{port}:{port}"]
    if "prometheus_port" in host:
        ports += ["--publish", f"127.0.0.1:{host['prometheus_port']}:9090"]
    log(
        f"creating {host['name']}"
        + (f" (data disk {disk[1].split(':')[0]} as {DATA_DEVICE})" if disk else "")
    )
    run(
        "docker", "run", "--detach", "--name", name, "--hostname", host["name"],
        "--network", lab.network, "--network-alias", host["name"], "--label", f"{LABEL}={lab.name}",
        # systemd as PID 1, as lab.md verified: one capability, the host's cgroups, tmpfs mounts.
        "--cap-add", "SYS_ADMIN", "--cgroupns=host", "--volume", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
        *disk, *ports, image,
    )  # fmt: skip
    script = (
        "install -d -m 0700 -o admin -g admin /home/admin/.ssh && "
        f"echo '{public_key}' > /home/admin/.ssh/authorized_keys && "
        "chown admin:admin /home/admin/.ssh/authorized_keys && chmod 0600 /home/admin/.ssh/authorized_keys"
    )
    run("docker", "exec", name, "sh", "-c", script)


def record_host_keys(lab: Lab, hosts: list[dict]) -> None:
    """Wait for sshd on every host, then record its key: the lab checks host keys like any fleet."""
    deadline = time.monotonic() + 120
    lines = []
    for host in hosts:
        while True:
            scanned = run(
                "ssh-keyscan", "-t", "ed25519", "-p", str(host["ssh_port"]), "127.0.0.1", check=False
            )
            if scanned:
                lines.append(scanned)
                break
            if time.monotonic() > deadline:
                sys.exit(f"lab: sshd on {host['name']} did not answer within 120 s")
            time.sleep(1)
    (lab.state / "known_hosts").write_text("\n".join(sorted(lines)) + "\n")


def host_listeners(host: dict, stage: str) -> list[dict]:
    """The listeners published on this machine: HOST on the client port, in the kit's protocol
    (SASL_SSL in the secure profile); while the lab moves from plaintext, HOST stays PLAINTEXT and
    HOST_TLS opens on the second port; once moved, only HOST_TLS is left."""
    host_listener = {"name": "HOST", "port": host["client_port"], "advertised_host": "127.0.0.1"}
    moved = {"name": "HOST_TLS", "port": host.get("moved_client_port"), "advertised_host": "127.0.0.1",
             "protocol": "{{ kafka_broker_listener_protocol }}"}  # fmt: skip
    if stage in ("secure", "plaintext"):
        return [{**host_listener, "protocol": "{{ kafka_broker_listener_protocol }}"}]
    if stage == "moved":
        return [moved]
    return [{**host_listener, "protocol": "PLAINTEXT"}, moved]


def inventory(
    lab: Lab,
    hosts: list[dict],
    key: Path,
    kafka_version: str,
    mode: str = "kraft",
    *,
    stage: str = "secure",
    migration: str = "none",
) -> dict:
    groups: dict[str, dict] = {
        "kafka_controller": {"hosts": {}},
        "kafka_broker": {"hosts": {}},
        "zookeeper": {"hosts": {}},
        "monitoring": {"hosts": {}},
    }
    host_vars = {}
    for host in hosts:
        if migration == "kraft" and "zookeeper" in host["groups"]:
            continue  # finalized: the ensemble serves the cluster no more
        variables = {"ansible_port": host["ssh_port"]}
        if "monitoring" not in host["groups"]:  # Prometheus keeps its samples on the root disk
            variables["host_prep_data_device"] = DATA_DEVICE
        if "node_id" in host:
            variables["kafka_node_id"] = host["node_id"]
        if "myid" in host:
            variables["zookeeper_myid"] = host["myid"]
        if "rack" in host:
            variables["kafka_broker_rack"] = host["rack"]
        if "client_port" in host:
            variables["kafka_listeners_extra"] = host_listeners(host, stage)
        host_vars[host["name"]] = variables
        for group in host["groups"]:
            groups[group]["hosts"][host["name"]] = None
    ssh_args = f"-o UserKnownHostsFile={lab.state / 'known_hosts'} -o StrictHostKeyChecking=yes"
    cluster_vars = {
        "kafka_mode": mode,
        **secret_vars(lab),
        "kafka_tls_ca_dir": str(lab.state / "pki"),
        **security.migration_vars(stage, extra_plaintext=["HOST"]),
    }
    if kafka_version:  # else the kafka role's default for the mode
        cluster_vars["kafka_version"] = kafka_version
    if mode == "zookeeper":
        cluster_vars.update(migration_vars(migration, kafka_version))
    return {
        "all": {
            "hosts": host_vars,
            "vars": {
                "ansible_host": "127.0.0.1",
                "ansible_user": "admin",
                "ansible_ssh_private_key_file": str(key),
                "ansible_ssh_common_args": ssh_args,
                **cluster_vars,
            },
            "children": groups,
        }
    }


SECRETS = ("admin", "broker", "zookeeper")


def ensure_secrets(lab: Lab) -> None:
    """Random passwords for the lab's admin and broker users, made once and kept in its state
    directory (0600): production takes them from Ansible Vault."""
    directory = lab.state / "secrets"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in SECRETS:
        path = directory / f"{name}.password"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(24))
            path.chmod(0o600)


def secret_vars(lab: Lab) -> dict[str, str]:
    """The inventory reads the passwords from their files when it needs them: they are never
    written into it."""
    files = {name: lab.state / "secrets" / f"{name}.password" for name in SECRETS}
    return {
        f"kafka_{name}_password": f"{{{{ lookup('ansible.builtin.file', '{path}') }}}}"
        for name, path in files.items()
    }


def write_client_configs(lab: Lab, servers: str, stage: str = "secure") -> list[Path]:
    """The admin's client settings, for Kafka's Java clients and CLI tools (client.properties) and
    for librdkafka (kcat -F, confluent-kafka: librdkafka.properties), against the published
    listeners. Plaintext when the lab is (--security plaintext, or kafka_security_profile:
    plaintext in its group_vars)."""
    password = (lab.state / "secrets" / "admin.password").read_text().strip()
    # Every CA the nodes trust (kafka_tls writes it): both of them during a CA rotation.
    ca = lab.state / "pki" / "trusted.pem"
    if stage == "plaintext" or not ca.exists():  # the plaintext profile made no CA
        java = {"security.protocol": "PLAINTEXT"}
        rdkafka = {"security.protocol": "plaintext"}
    else:
        java = security.java_client("SASL_SSL", str(ca), user="admin", password=password)
        rdkafka = security.librdkafka_client("SASL_SSL", str(ca), user="admin", password=password)
    files = []
    for name, settings in (("client.properties", java), ("librdkafka.properties", rdkafka)):
        path = lab.state / name
        path.write_text(
            f"# {lab.name} lab, the admin (a super user); bootstrap.servers={servers}\n"
            + properties.render(settings)
        )
        path.chmod(0o600)
        files.append(path)
    return files


def up(lab: Lab, args: argparse.Namespace) -> None:
    hosts = plan(args.brokers, args.controllers, args.port_offset, args.mode, args.zookeepers)
    existing = set(
        run(
            "docker", "ps", "--all", "--filter", f"label={LABEL}={lab.name}", "--format", "{{.Names}}"
        ).split()
    )
    wanted = {lab.container(h["name"]) for h in hosts}
    if existing - wanted:
        sys.exit(
            f"lab: the {lab.name} lab runs in another shape ({', '.join(sorted(existing - wanted))}); "
            "`make lab-down` first, or run with the same MODE, BROKERS, CONTROLLERS and ZOOKEEPERS"
        )
    image = build_images()
    key = ensure_key(lab)
    ensure_secrets(lab)
    public_key = key.with_suffix(".pub").read_text().strip()
    if not network_exists(lab):
        run("docker", "network", "create", "--label", f"{LABEL}={lab.name}", lab.network)
    for host in hosts:
        ensure_host(lab, host, image, public_key)
    record_host_keys(lab, hosts)
    stage = security_stage(lab, args)
    migration = migration_stage(lab, args, hosts)
    lab.inventory.parent.mkdir(parents=True, exist_ok=True)
    document = inventory(lab, hosts, key, args.kafka_version, args.mode, stage=stage, migration=migration)
    lab.inventory.write_text(
        f"# Written by lab/lab.py for the running {lab.name} lab; `lab.py down` removes it.\n"
        + yaml.safe_dump(document, sort_keys=True, default_flow_style=False)
    )
    state = {"hosts": hosts, "image": image, "mode": args.mode, "security": stage, "migration": migration}
    (lab.state / "lab.json").write_text(json.dumps(state, indent=2))
    log(f"{len(hosts)} hosts up; inventory in {lab.inventory.relative_to(ROOT)}")


def recorded_state(lab: Lab, key: str, default: str) -> str:
    """What the lab's last `up` recorded under `key` in lab.json, else `default` (a new lab)."""
    recorded = lab.state / "lab.json"
    return json.loads(recorded.read_text()).get(key, default) if recorded.exists() else default


def security_stage(lab: Lab, args: argparse.Namespace) -> str:
    """The lab's security: --security, else what it was, else the secure profile. Only a KRaft lab
    moves from plaintext."""
    stage = args.security or recorded_state(lab, "security", "secure")
    if args.mode != "kraft" and stage not in ("secure", "plaintext"):
        sys.exit(
            f"lab: --security {stage} moves a KRaft cluster from plaintext; this lab is in {args.mode} mode"
        )
    return stage


def migration_stage(lab: Lab, args: argparse.Namespace, hosts: list[dict]) -> str:
    """The lab's phase of the migration to KRaft: --migration, else what it was, else none. Only a
    ZooKeeper-mode lab with controllers migrates."""
    stage = args.migration or recorded_state(lab, "migration", "none")
    if stage != "none" and (
        args.mode != "zookeeper" or not any("kafka_controller" in h["groups"] for h in hosts)
    ):
        sys.exit(
            f"lab: --migration {stage} migrates a ZooKeeper-mode lab to its controllers (MODE=zookeeper "
            "CONTROLLERS=3)"
        )
    return stage


def playbook(lab: Lab, _: argparse.Namespace) -> None:
    """deploy.yml, or migrate_to_kraft.yml for a lab in the middle of its migration (deploy.yml
    leaves those phases to it)."""
    stage = recorded_state(lab, "migration", "none")
    print("playbooks/deploy.yml" if stage == "none" else "playbooks/migrate_to_kraft.yml")


def bootstrap(lab: Lab, _: argparse.Namespace) -> None:
    """What `make lab` prints last: the lab's Prometheus, then the brokers (the last line): the
    listener clients are to use, the moved one once a plaintext lab started moving."""
    state = json.loads((lab.state / "lab.json").read_text())
    hosts, stage = state["hosts"], state.get("security", "secure")
    port = "client_port" if stage in ("secure", "plaintext") else "moved_client_port"
    servers = ",".join(f"127.0.0.1:{h[port]}" for h in hosts if "client_port" in h)
    for path in write_client_configs(lab, servers, stage):
        print(f"{path.name.replace('.', '_')}={path}")
    for host in hosts:
        if "prometheus_port" in host:
            print(f"prometheus=http://127.0.0.1:{host['prometheus_port']}")
    print(f"bootstrap.servers={servers}")


def show_inventory(lab: Lab, _: argparse.Namespace) -> None:
    print(lab.inventory)


def detach_disk(disk: Path) -> None:
    for line in run("losetup", "--associated", str(disk), check=False).splitlines():
        run("losetup", "--detach", line.split(":")[0])
    disk.unlink(missing_ok=True)


def retire(lab: Lab, args: argparse.Namespace) -> None:
    """Hosts gone for good (a removed node): their containers and data disks."""
    for name in args.hosts:
        run("docker", "rm", "--force", "--volumes", lab.container(name), check=False)
        detach_disk(lab.state / "disks" / f"{name}.img")
        log(f"{name} retired (host and disk removed)")


def down(lab: Lab, _: argparse.Namespace) -> None:
    names = run("docker", "ps", "--all", "--quiet", "--filter", f"label={LABEL}={lab.name}").split()
    if names:
        run("docker", "rm", "--force", "--volumes", *names)
    if network_exists(lab):
        run("docker", "network", "rm", lab.network)
    disks = lab.state / "disks"
    for disk in sorted(disks.glob("*.img")) if disks.exists() else []:
        detach_disk(disk)
    for leftover in ("lab.json", "known_hosts", "client.properties", "librdkafka.properties"):
        (lab.state / leftover).unlink(missing_ok=True)
    # A new lab is a new cluster: its own CA and passwords.
    for directory in ("pki", "secrets"):
        shutil.rmtree(lab.state / directory, ignore_errors=True)
    lab.inventory.unlink(missing_ok=True)
    log(f"{lab.name} lab removed (hosts, network, disks)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="lab", help="which lab (default: lab)")
    sub = parser.add_subparsers(dest="command", required=True)
    up_parser = sub.add_parser("up")
    up_parser.add_argument("--brokers", type=int, default=3)
    up_parser.add_argument("--controllers", type=int, default=0)
    up_parser.add_argument("--mode", choices=["kraft", "zookeeper"], default="kraft", help="kafka_mode")
    up_parser.add_argument("--zookeepers", type=int, default=3, help="ZooKeeper members (zookeeper mode)")
    up_parser.add_argument("--kafka-version", default="", help="default: the kafka role's for the mode")
    up_parser.add_argument("--port-offset", type=int, default=0, help="shift published ports (other labs)")
    up_parser.add_argument(
        "--security", choices=["secure", *security.MIGRATION_STEPS],
        help="secure (the default), plaintext, or a step of the move from plaintext: open, switch, moved "
        "(default: as the lab was)",
    )  # fmt: skip
    up_parser.add_argument(
        "--migration", choices=MIGRATION_STAGES,
        help="a ZooKeeper-mode lab's phase of the migration to KRaft (default: as the lab was)",
    )  # fmt: skip
    up_parser.set_defaults(func=up)
    sub.add_parser("playbook").set_defaults(func=playbook)
    sub.add_parser("bootstrap").set_defaults(func=bootstrap)
    sub.add_parser("inventory").set_defaults(func=show_inventory)
    retire_parser = sub.add_parser("retire")
    retire_parser.add_argument("hosts", nargs="+", metavar="HOST")
    retire_parser.set_defaults(func=retire)
    sub.add_parser("down").set_defaults(func=down)
    args = parser.parse_args()
    args.func(Lab(args.name), args)


if __name__ == "__main__":
    main()
