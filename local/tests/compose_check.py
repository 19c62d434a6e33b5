"""Checks docker-compose.yml against the repository, without a Docker engine.

    python3 local/tests/compose_check.py REPO

Prints one line per problem and exits 1 when there is any; 0 when the file holds up:
- every host path a service mounts, and every build context and Dockerfile, exists in the repo;
- every repo file a command names (through a mount: /runnel/... is the repo) exists; a jar under
  <module>/target/ is built by the build, so its module must exist and name the jar in its pom
  (<finalName>), and a spark-submit --class must be a class in that module's sources; each
  subcommand given to the admin tool (runnel-platform.jar) must be one it has;
- images are pinned and agree with the versions ./runnel installs (local/lib/common.sh);
- every published port is bound to 127.0.0.1;
- no secret is inline: each password, secret or key is ${VAR:?...}, and every such variable has a
  placeholder in .env.example;
- every depends_on has a condition, and a service_healthy dependency has a health check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

SECRET_KEY = re.compile(r"PASSWORD|SECRET|ACCESS_KEY")
REQUIRED_VAR = re.compile(r"\$\{([A-Z0-9_]+):\?[^}]*\}")
PATH_TOKEN = re.compile(r"(?<![\w$])(/[\w.@-]+(?:/[\w.@*-]+)+)")


class Check:
    def __init__(self, repo: Path):
        self.repo = repo
        self.problems: list[str] = []
        self.checked = 0

    def fail(self, service: str, message: str) -> None:
        self.problems.append(f"{service}: {message}")

    # --- versions ---------------------------------------------------------------------------

    def pinned_versions(self) -> dict[str, str]:
        text = (self.repo / "local/lib/common.sh").read_text(encoding="utf-8")
        versions = dict(re.findall(r"^([A-Z_]+_VERSION|MINIO_RELEASE)=(\S+)$", text, re.MULTILINE))
        for name in ("KAFKA_VERSION", "TRINO_VERSION", "PYSPARK_VERSION", "POSTGRES_BINARIES_VERSION", "MINIO_RELEASE"):
            if name not in versions:
                self.fail("common.sh", f"{name} not found in local/lib/common.sh")
        return versions

    def image(self, service: str, image: str, versions: dict[str, str]) -> None:
        self.checked += 1
        name, _, tag = image.rpartition(":")
        if not name or not tag or tag == "latest" or "/" in tag:
            self.fail(service, f"image {image} is not pinned to a version tag")
            return
        expected = {
            "apache/kafka": versions.get("KAFKA_VERSION"),
            "trinodb/trino": versions.get("TRINO_VERSION"),
            "apache/spark": versions.get("PYSPARK_VERSION"),
            # The zonky binaries 18.3.0 are PostgreSQL 18.3.
            "postgres": ".".join(versions.get("POSTGRES_BINARIES_VERSION", "").split(".")[:2]),
        }
        if name in expected and tag.split("-")[0] != expected[name]:
            self.fail(service, f"image {image}: ./runnel runs version {expected[name]} (local/lib/common.sh)")
        if name == "minio/minio":
            release = versions.get("MINIO_RELEASE", "")
            if not tag.startswith("RELEASE.") or tag > release:
                self.fail(service, f"image {image}: expected a MinIO RELEASE tag no newer than {release}")

    # --- paths ------------------------------------------------------------------------------

    def host_path(self, service: str, source: str, what: str) -> Path | None:
        self.checked += 1
        path = (self.repo / source).resolve()
        if self.repo not in (path, *path.parents):
            self.fail(service, f"{what} {source} is outside the repository")
            return None
        if not path.exists():
            self.fail(service, f"{what} {source} does not exist in the repository")
            return None
        return path

    def mounts(self, service: str, spec: dict) -> dict[str, Path]:
        """Container path -> host path, for the bind mounts of the repository."""
        binds = {}
        for volume in spec.get("volumes", []):
            if isinstance(volume, dict):
                source, target, kind = volume.get("source", ""), volume.get("target", ""), volume.get("type")
            else:
                source, _, rest = volume.partition(":")
                target = rest.split(":")[0]
                kind = "bind" if source.startswith((".", "/")) else "volume"
            if kind != "bind":
                continue
            path = self.host_path(service, source, "mounted path")
            if path is not None:
                binds[target.rstrip("/")] = path
        return binds

    def to_host(self, binds: dict[str, Path], container_path: str) -> Path | None:
        for target in sorted(binds, key=len, reverse=True):
            if container_path == target or container_path.startswith(target + "/"):
                return binds[target] / container_path[len(target) :].lstrip("/")
        return None

    def built_jar(self, service: str, jar: Path) -> Path | None:
        """A jar the build makes: <module>/target/<finalName>.jar. Returns the module folder."""
        self.checked += 1
        module = jar.parent.parent
        pom = module / "pom.xml"
        rel = jar.relative_to(self.repo)
        if jar.parent.name != "target" or not pom.is_file():
            self.fail(service, f"{rel}: no Maven module {module.relative_to(self.repo)} builds it")
            return None
        if f"<finalName>{jar.stem}</finalName>" not in pom.read_text(encoding="utf-8"):
            self.fail(service, f"{rel}: {pom.relative_to(self.repo)} does not name its jar {jar.stem}")
            return None
        return module

    def main_class(self, service: str, module: Path, name: str) -> None:
        self.checked += 1
        source = module / "src/main/java" / (name.replace(".", "/") + ".java")
        if not source.is_file():
            self.fail(service, f"--class {name}: no {source.relative_to(self.repo)}")

    def admin_subcommand(self, service: str, module: Path, name: str) -> None:
        self.checked += 1
        sources = (p.read_text(encoding="utf-8") for p in (module / "src/main/java").rglob("*.java"))
        if not any(re.search(rf'name\s*=\s*"{re.escape(name)}"', s) for s in sources):
            self.fail(service, f"the admin tool has no subcommand {name}")

    def command_files(self, service: str, spec: dict, binds: dict[str, Path]) -> None:
        words: list[str] = []
        for key in ("entrypoint", "command"):
            value = spec.get(key) or []
            words += [value] if isinstance(value, str) else [str(v) for v in value]
        tokens = [t for w in words for t in re.split(r"\s+", w) if t]
        for i, token in enumerate(tokens):
            for container_path in PATH_TOKEN.findall(token):
                host = self.to_host(binds, container_path)
                if host is None:
                    continue  # a path inside the image or a volume, not in the repo
                rel = host.relative_to(self.repo) if self.repo in host.parents else host
                if host.suffix == ".jar" and host.parent.name == "target":
                    module = self.built_jar(service, host)
                    if module is None:
                        continue
                    following = tokens[i + 1 : i + 3]
                    if host.stem == "runnel-platform" and following:
                        self.admin_subcommand(service, module, following[0])
                    classes = [tokens[j + 1] for j in range(len(tokens) - 1) if tokens[j] == "--class"]
                    for name in classes:
                        self.main_class(service, module, name)
                else:
                    self.checked += 1
                    if not host.exists():
                        self.fail(service, f"command names {container_path}, but {rel} does not exist")

    # --- the rest ---------------------------------------------------------------------------

    def ports(self, service: str, spec: dict) -> None:
        for port in spec.get("ports", []):
            self.checked += 1
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            if host_ip != "127.0.0.1":
                self.fail(service, f"port {port} is not bound to 127.0.0.1")

    def secrets(self, raw: str, example: set[str]) -> None:
        for line_no, line in enumerate(raw.splitlines(), 1):
            m = re.match(r"^\s*([A-Z][A-Z0-9_]*):\s*(\S.*)$", line)
            # (A *_FILE variable holds a path to a secret, not the secret.)
            if not m or not SECRET_KEY.search(m.group(1)) or m.group(1).endswith("_FILE"):
                continue
            self.checked += 1
            value = m.group(2).strip().strip("\"'")
            if not REQUIRED_VAR.fullmatch(value):
                self.fail("secrets", f"line {line_no}: {m.group(1)} must come from ${{VAR:?}}, not '{value}'")
        code = "\n".join(line for line in raw.splitlines() if not line.lstrip().startswith("#"))
        for name in sorted(set(REQUIRED_VAR.findall(code))):
            self.checked += 1
            if name not in example:
                self.fail("secrets", f"{name} is required by docker-compose.yml but has no placeholder in .env.example")

    def depends_on(self, services: dict) -> None:
        for name, spec in services.items():
            deps = spec.get("depends_on") or {}
            if isinstance(deps, list):
                self.fail(name, "depends_on without conditions")
                continue
            for dep, cond in deps.items():
                self.checked += 1
                condition = (cond or {}).get("condition")
                if dep not in services:
                    self.fail(name, f"depends on unknown service {dep}")
                elif condition not in ("service_healthy", "service_completed_successfully"):
                    self.fail(name, f"depends on {dep} without a healthy/completed condition")
                elif condition == "service_healthy" and "healthcheck" not in services[dep]:
                    self.fail(name, f"waits for {dep} to be healthy, but {dep} has no health check")

    def run(self) -> int:
        compose = self.repo / "docker-compose.yml"
        raw = compose.read_text(encoding="utf-8")
        services = yaml.safe_load(raw)["services"]
        example = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (self.repo / ".env.example").read_text(encoding="utf-8"), re.MULTILINE))
        versions = self.pinned_versions()
        for name, spec in services.items():
            if "image" in spec:
                self.image(name, spec["image"], versions)
            build = spec.get("build")
            if build:
                context = build if isinstance(build, str) else build.get("context", ".")
                ctx = self.host_path(name, context, "build context")
                if ctx is not None and isinstance(build, dict) and build.get("dockerfile"):
                    self.host_path(name, str((ctx / build["dockerfile"]).relative_to(self.repo)), "Dockerfile")
            binds = self.mounts(name, spec)
            self.command_files(name, spec, binds)
            self.ports(name, spec)
        self.secrets(raw, example)
        self.depends_on(services)
        for problem in self.problems:
            print(f"✘ {problem}")
        if self.problems:
            print(f"docker-compose.yml: {len(self.problems)} problem(s) in {self.checked} checks")
            return 1
        print(f"docker-compose.yml: {len(services)} services, {self.checked} checks passed")
        return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: compose_check.py REPO")
    sys.exit(Check(Path(sys.argv[1]).resolve()).run())
