#!/usr/bin/env python3
"""Assemble a Kafka distribution from Maven artifacts, in the layout of the official tarball.

Used when the Apache archive cannot be reached. The result holds what the roles run on:
`<name>/libs/*.jar` (the requested modules, their runtime dependencies and a logging backend
matched to the log4j API they bring) and `<name>/SOURCE` saying where it came from. It is written
as a reproducible .tgz (sorted entries, fixed times), so two runs give the same bytes, with a
`.sha512` file beside it. Needs Maven (`mvn`) and a JDK on the controller.

The same works for other Apache Java releases laid out alike, e.g. ZooKeeper:
`--group org.apache.zookeeper --lib-dir lib --bom org.apache.zookeeper:parent:3.8.4` with modules
`zookeeper,commons-cli:commons-cli` (a `group:artifact` module takes its version from the BOM,
the way the official tarball adds jars that the POM only marks `provided`).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

GROUP = "org.apache.kafka"
LOG4J_GROUP = "org.apache.logging.log4j"


def coordinates(module: str, group: str, version: str) -> tuple[str, str, str | None]:
    """(group, artifact, version) of a module: `artifact` is in `group` at `version`; `g:a` is
    versioned by the BOM (None here); `g:a:v` is taken as it is."""
    parts = module.split(":")
    if len(parts) == 1:
        return group, module, version
    if len(parts) == 2:
        return parts[0], parts[1], None
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    sys.exit(
        f"assemble_from_maven: module {module!r} is not artifact, group:artifact or group:artifact:version"
    )


def _dependency(group: str, artifact: str, version: str | None, extra: str = "") -> str:
    pinned = f"<version>{escape(version)}</version>" if version else ""
    return (
        f"<dependency><groupId>{escape(group)}</groupId><artifactId>{escape(artifact)}</artifactId>"
        f"{pinned}{extra}</dependency>"
    )


def pom(version: str, modules: list[str], repository: str, group: str = GROUP, bom: str = "") -> str:
    deps = "\n".join(_dependency(*coordinates(m, group, version)) for m in modules)
    managed = ""
    if bom:
        bom_group, bom_artifact, bom_version = coordinates(bom, group, version)
        if bom_version is None:
            sys.exit(f"assemble_from_maven: the BOM {bom!r} needs a version (group:artifact:version)")
        imported = _dependency(bom_group, bom_artifact, bom_version, "<type>pom</type><scope>import</scope>")
        managed = f"\n  <dependencyManagement><dependencies>{imported}</dependencies></dependencyManagement>"
    return f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.kafka-kit</groupId><artifactId>kafka-dist</artifactId>
  <version>{escape(version)}</version><packaging>pom</packaging>
  <repositories><repository><id>kafka-source</id><url>{escape(repository)}</url></repository>
  </repositories>{managed}
  <dependencies>{deps}</dependencies>
</project>
"""


def mvn(workdir: Path, *args: str) -> None:
    command = ["mvn", "--batch-mode", "--quiet", *args]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"assemble_from_maven: {' '.join(command)} failed:\n{result.stdout[-4000:]}")


def logging_backend(libs: Path) -> list[str]:
    """Coordinates that bind the SLF4J API the distribution uses to the log4j it carries."""
    if sorted(libs.glob("logback-classic-*.jar")):
        return []  # the product brings its own SLF4J backend (ZooKeeper 3.8 logs with logback)
    log4j = sorted(libs.glob("log4j-core-2.*.jar")) or sorted(libs.glob("log4j-api-2.*.jar"))
    if log4j:
        found = re.search(r"-(2\.[\d.]+)\.jar$", log4j[-1].name)
        if not found:
            sys.exit(f"assemble_from_maven: cannot read the log4j version of {log4j[-1].name}")
        log4j_version = found.group(1)
        slf4j = sorted(libs.glob("slf4j-api-*.jar"))
        binding = "log4j-slf4j2-impl" if slf4j and "-api-2." in slf4j[-1].name else "log4j-slf4j-impl"
        wanted = [f"{LOG4J_GROUP}:{binding}:{log4j_version}"]
        if not log4j[-1].name.startswith("log4j-core"):
            wanted.append(f"{LOG4J_GROUP}:log4j-core:{log4j_version}")
        return wanted
    # Kafka 3.x logs through reload4j (log4j 1.2 API) behind SLF4J 1.7.
    slf4j = sorted(libs.glob("slf4j-api-1.*.jar"))
    if not slf4j:
        sys.exit("assemble_from_maven: found neither log4j 2 nor the SLF4J 1.7 API in libs/")
    slf4j_version = re.search(r"-(1\.[\d.]+)\.jar$", slf4j[-1].name).group(1)
    return [f"org.slf4j:slf4j-reload4j:{slf4j_version}"]


def write_tgz(staging: Path, name: str, output: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(staging.joinpath(name).rglob("*")):
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(staging)))
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "root", "root"
            info.mode = 0o755 if path.is_dir() else 0o644
            if path.is_file():
                with path.open("rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    partial = output.with_suffix(".tgz.partial")
    with partial.open("wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    digest = hashlib.sha512(partial.read_bytes()).hexdigest()
    output.with_name(output.name + ".sha512").write_text(f"{digest}  {output.name}\n")
    partial.replace(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--name", required=True, help="top directory, e.g. kafka_2.13-4.4.0")
    parser.add_argument("--modules", required=True, help="comma-separated modules of --group")
    parser.add_argument("--repository", default="https://repo1.maven.org/maven2")
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--group", default=GROUP, help="Maven group of the modules (default: Kafka's)")
    parser.add_argument("--lib-dir", default="libs", help="directory of the jars (ZooKeeper: lib)")
    parser.add_argument("--bom", default="", help="group:artifact:version whose versions apply")
    parser.add_argument("--label", default="Kafka", help="product name for SOURCE")
    args = parser.parse_args()

    if shutil.which("mvn") is None:
        sys.exit(
            "assemble_from_maven: Maven (mvn) is needed on the controller to build Kafka from "
            "Maven artifacts when the Apache archive is unreachable: apt-get install maven"
        )
    modules = [m.strip() for m in args.modules.split(",") if m.strip()]
    with tempfile.TemporaryDirectory(prefix="kafka-assemble-") as tmp:
        work = Path(tmp)
        libs = work / "staging" / args.name / args.lib_dir
        work.joinpath("pom.xml").write_text(pom(args.version, modules, args.repository, args.group, args.bom))
        mvn(
            work,
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={libs}",
        )
        backend = logging_backend(libs)
        for coordinate in backend:
            mvn(work, "dependency:copy", f"-Dartifact={coordinate}", f"-DoutputDirectory={libs}")
        jars = sorted(p.name for p in libs.glob("*.jar"))
        named = [":".join(filter(None, coordinates(m, args.group, args.version))) for m in modules]
        source = [
            f"{args.label} {args.version} assembled from {args.repository}",
            f"modules: {', '.join(named)}",
            f"logging backend: {', '.join(backend) or 'as the modules bring it'}",
            f"{len(jars)} jars",
        ]
        libs.parent.joinpath("SOURCE").write_text("\n".join(source) + "\n")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        write_tgz(work / "staging", args.name, args.output)
    print(f"assembled {args.output} from {len(jars)} jars")


if __name__ == "__main__":
    main()
