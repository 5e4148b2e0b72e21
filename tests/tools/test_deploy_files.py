"""docker-compose.yml, deploy/Dockerfile, .dockerignore and deploy/requirements.lock, checked without a Docker engine
(none runs on the project's machines), so the files cannot rot unnoticed (issue 7):

- the compose file validates against the Compose Specification's JSON schema (deploy/compose-spec.json: the
  compose-spec project's schema/compose-spec.json, Apache-2.0, see deploy/compose-spec.LICENSE; taken from the
  copy check-jsonschema 0.39.0 ships), plus what a schema cannot say: pinned images, health checks and
  `service_healthy` dependencies, the environment every service reads, a scalable declaratie, persistent data, the
  region file read-only, partitions ≥ 6, a stop grace period that covers the services' shutdown budget;
- the Dockerfile passes hadolint, is multi-stage, slim, non-root and pinned, installs exactly the lock and then the
  project, and each target's CMD runs its service from a wheel built from exactly the files the Dockerfile copies;
- the lock pins every runtime dependency of pyproject.toml within its range, and every third-party module the
  services import comes from a locked package.

tests/system/test_deploy_lock.py runs the Dockerfile's build stage for real (package index needed), and
tests/system/test_shutdown.py runs its HEALTHCHECK command against live services.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shlex
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tests import deploy_checks as dc

ROOT = dc.ROOT
APP_SERVICES = dc.SERVICES
INFRA = ("kafka", "postgres", "jaeger")
ONE_SHOT = ("kafka-setup",)  # runs once per `up` and exits 0; the services wait for it (docs/adr/0043)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def spec():
    return dc.compose()


@pytest.fixture(scope="module")
def stages():
    return dc.dockerfile_stages()


def container_port(stages) -> int:
    return int(dc.env_of(APP_SERVICES[0], stages)["PORT"])


# ------------------------------------------------------------------------------------------------ compose: schema


def compose_errors(document: dict) -> list[str]:
    import jsonschema

    schema = json.loads((ROOT / "deploy" / "compose-spec.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(document)]


def test_the_compose_file_follows_the_compose_specification(spec):
    assert compose_errors(spec) == []


def test_the_schema_check_would_catch_a_mistake(spec):
    broken = json.loads(json.dumps(spec))
    broken["services"]["declaratie"]["depends_onn"] = broken["services"]["declaratie"].pop("depends_on")
    broken["services"]["kafka"]["healthcheck"]["retries"] = ["ten"]
    errors = compose_errors(broken)
    assert any("depends_onn" in e for e in errors) and any("retries" in e for e in errors), errors


# ------------------------------------------------------------------------------------------------ compose: rules


def test_the_services_are_the_infrastructure_and_the_three_built_services(spec):
    assert set(spec["services"]) == {*INFRA, *ONE_SHOT, *APP_SERVICES}


def test_every_image_is_pinned_to_a_version(spec, stages):
    for name, service in spec["services"].items():
        if "image" in service:
            image = dc.interpolate(service["image"])
            _repo, _, tag = image.rpartition(":") if "@" not in image else (image, "", "")
            assert "@sha256:" in image or (tag and "/" not in tag), f"{name}: image {image} has no tag"
            assert tag not in ("latest", "stable", "edge") and re.search(r"\d+\.\d+", tag or image), \
                f"{name}: image {image} is not pinned to a version"
        else:
            build = service["build"]
            assert build["dockerfile"] == "deploy/Dockerfile" and build.get("context", ".") == ".", name
            assert build["target"] in {s.name for s in stages}, f"{name}: no stage {build['target']} in the Dockerfile"
    for s in stages:
        if s.base not in {t.name for t in stages}:
            assert re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+[\w.-]*", s.base), f"base image {s.base} not pinned"


def test_kafka_is_the_version_the_tests_run(spec):
    pom = (ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)[1]
    assert spec["services"]["kafka"]["image"] == f"apache/kafka:{version}"


def test_every_service_has_a_health_check(spec, stages):
    for name, service in spec["services"].items():
        check = service.get("healthcheck")
        if name in ONE_SHOT:  # done is its health: the services wait for it to complete
            assert check is None and service["restart"] == "no", name
            continue
        if check is not None:
            assert not check.get("disable") and check["test"] not in (["NONE"], "NONE"), name
            for key in ("interval", "timeout", "start_period"):
                if key in check:
                    dc.duration_seconds(check[key])
        if check is None or "test" not in check:
            assert "build" in service, f"{name}: no healthcheck and no image HEALTHCHECK"
            dc.healthcheck(service["build"]["target"], stages)  # the image's, run live by test_shutdown


def test_the_services_wait_for_healthy_infrastructure_but_not_for_each_other(spec):
    services = spec["services"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        for infra in INFRA:
            assert depends[infra]["condition"] == "service_healthy", f"{name} must wait for a healthy {infra}"
        for one_shot in ONE_SHOT:
            assert depends[one_shot]["condition"] == "service_completed_successfully", f"{name} waits for {one_shot}"
        for other, rule in depends.items():
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[other] or "build" in services[other], other
    # The gateway's pre-check needs declaratie, but messages go through Kafka: start it, never wait for it.
    pre_check = services["berichtenverkeer"]["depends_on"]["declaratie"]
    assert pre_check == {"condition": "service_started", "required": False}
    assert "berichtenverkeer" not in services["declaratie"]["depends_on"]
    assert not set(services["facturatie"]["depends_on"]) & set(APP_SERVICES)


# Variables a service may leave to its default, with the reason.
DEFAULT_IS_FINE = {
    "CONSUMER_WORKERS": "default 6 = the partitions of a topic",
    "RATE_LIMIT_PER_PARTIJ": "default 20 per second",
    "OTEL_SERVICE_NAME": "checked separately per service",
    "OPERATOR_TOKEN_SHA256": "empty leaves /metrics and /docs open, which only the demo allows (productie.py)",
    "KAFKA_SASL_MECHANISM": "default SCRAM-SHA-512, the only mechanism the compose broker offers",
}
# Operator tools, not the services: their variables are the services' too (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL).
NOT_A_SERVICE = {"cli.py", "localinfra.py", "deadletter_cli.py", "archief_cli.py", "demo.py", "check.py"}


def variables_read(paths: list[Path]) -> dict[str, str]:
    """{variable: file} for every os.environ[...] / os.environ.get(...) / os.getenv(...) with a literal name."""
    found: dict[str, str] = {}
    for path in paths:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
                name = node.slice
            elif isinstance(node, ast.Call) and ast.unparse(node.func) in (
                    "os.environ.get", "environ.get", "os.getenv", "getenv"):
                name = node.args[0] if node.args else None
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found.setdefault(name.value, str(path.relative_to(ROOT)))
    return found


def sources_of(service: str | None) -> list[Path]:
    base = ROOT / "shared" if service is None else ROOT / "services" / service
    return [p for p in base.rglob("*.py") if p.name not in NOT_A_SERVICE and "__pycache__" not in p.parts]


def test_the_environment_sets_every_variable_the_services_read(spec, stages):
    shared_vars = variables_read(sources_of(None))
    assert {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "REGIO_CONFIG"} <= set(shared_vars)  # the scan works
    for name in APP_SERVICES:
        wanted = {**shared_vars, **variables_read(sources_of(name))}
        given = {**dc.env_of(spec["services"][name]["build"]["target"], stages),
                 **dc.service_environment(spec["services"][name])}
        missing = {v: f for v, f in wanted.items() if v not in given and v not in DEFAULT_IS_FINE}
        assert not missing, f"{name}: docker-compose.yml does not set {missing} (variable: file that reads it)"
        empty = [v for v in wanted if v in given and not given[v] and v not in DEFAULT_IS_FINE]
        assert not empty, f"{name}: empty {empty}"


def test_only_the_parties_apis_are_published_and_nothing_on_all_interfaces_but_them(spec):
    published = {name: svc.get("ports", []) for name, svc in spec["services"].items() if svc.get("ports")}
    assert sorted(published) == ["berichtenverkeer", "facturatie", "jaeger"], published  # no database, no broker
    assert all(p.startswith("127.0.0.1:") for p in published["jaeger"])


def test_traces_go_to_jaeger_and_the_services_find_each_other(spec, stages):
    services, port = spec["services"], container_port(stages)
    assert services["jaeger"]["ports"] == ["127.0.0.1:16686:16686"], "Jaeger UI on the host's loopback only"
    for name in APP_SERVICES:
        env = dc.service_environment(services[name])
        assert env["OTEL_SERVICE_NAME"] == name
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4318"  # OTLP/HTTP: shared/platform/telemetry.py
        assert env.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf") == "http/protobuf"
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["DATABASE_URL"]
        for other in APP_SERVICES:
            assert env[f"{other.upper()}_URL"] == f"http://{other}:{port}", f"{name}: {other.upper()}_URL"
    trace_ui = dc.service_environment(services["facturatie"])["TRACE_UI_URL"]
    assert trace_ui == "http://localhost:16686/trace/{trace_id}"


def test_each_service_connects_as_its_own_runtime_role_and_migrates_as_its_owner(spec):
    """No service runs as the superuser (docs/adr/0042): DATABASE_URL is its runtime role (DML only),
    MIGRATION_DATABASE_URL its schema's owner, both made by the init script the postgres container runs on an empty
    volume, with the passwords the services are given; their defaults are the demo's, which production refuses."""
    from urllib.parse import urlsplit

    from shared.platform.db_roles import owner_role, runtime_role
    from shared.platform.productie import DEMO_DATABASE_PASSWORD_PREFIX

    postgres = spec["services"]["postgres"]
    assert "./deploy/postgres:/docker-entrypoint-initdb.d:ro" in postgres["volumes"]
    script = ROOT / "deploy" / "postgres" / "10-service-roles.sh"
    assert script.stat().st_mode & 0o111, "the entrypoint runs an executable script instead of sourcing it"
    made_with = dc.service_environment(postgres)
    superuser = made_with["POSTGRES_USER"]
    for name in APP_SERVICES:
        env = dc.service_environment(spec["services"][name])
        for variable, role, password_variable in (("DATABASE_URL", runtime_role(name), f"{name.upper()}_DB_PASSWORD"),
                                                  ("MIGRATION_DATABASE_URL", owner_role(name),
                                                   f"{name.upper()}_DB_OWNER_PASSWORD")):
            url = urlsplit(env[variable])
            assert url.username == role != superuser, f"{name}: {variable} must connect as {role}"
            assert url.password == made_with[password_variable], f"{name}: {variable}'s password is not the one made"
            assert url.password.startswith(DEMO_DATABASE_PASSWORD_PREFIX), "a demo default production recognises"
            assert f"${{{password_variable}:-" in script.read_text(), f"the init script ignores {password_variable}"
            assert url.path == f"/{made_with['POSTGRES_DB']}" and url.hostname == "postgres"


def test_kafka_takes_only_scram_clients_and_denies_what_no_acl_allows(spec):
    env = dc.service_environment(spec["services"]["kafka"])
    protocols = dict(p.split(":") for p in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(protocols.values()) == {"SASL_PLAINTEXT"}, "no listener without authentication"
    listeners = dict(lst.split("://") for lst in env["KAFKA_LISTENERS"].split(","))
    assert listeners["CONTROLLER"].startswith("localhost:"), "the controller listener stays inside the container"
    assert env["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false" and env["KAFKA_SUPER_USERS"] == "User:admin"
    broker_script = ROOT / "deploy" / "kafka" / "compose-broker.sh"
    assert f"./deploy/kafka/{broker_script.name}:/etc/backoffice/kafka/{broker_script.name}:ro" in \
        spec["services"]["kafka"]["volumes"]
    assert spec["services"]["kafka"]["command"] == ["bash", f"/etc/backoffice/kafka/{broker_script.name}"]
    assert "--add-scram" in broker_script.read_text() and "--command-config" in str(
        spec["services"]["kafka"]["healthcheck"]["test"])


def test_kafka_setup_runs_the_acl_table_of_the_code(spec):
    """deploy/kafka/setup.sh is what shared/platform/kafka_acl.py renders (its ACLs are checked against the table
    there, and the table against the services' code); regenerate with `python -m tools.kafka_acls`."""
    from shared.platform.kafka_acl import compose_setup_script

    script = ROOT / "deploy" / "kafka" / "setup.sh"
    assert script.read_text() == compose_setup_script(), "deploy/kafka/setup.sh is stale: python -m tools.kafka_acls"
    setup = spec["services"]["kafka-setup"]
    assert setup["image"] == spec["services"]["kafka"]["image"]
    assert "./deploy/kafka/setup.sh:/etc/backoffice/kafka/setup.sh:ro" in setup["volumes"]
    assert setup["command"] == ["bash", "/etc/backoffice/kafka/setup.sh"]
    assert setup["depends_on"] == {"kafka": {"condition": "service_healthy"}}


def test_every_service_connects_to_kafka_as_its_own_principal_with_the_password_kafka_setup_gives_it(spec):
    from shared.platform.kafka_acl import ADMIN, PRINCIPALS, password_variable
    from shared.platform.productie import DEMO_KAFKA_PASSWORD_PREFIX

    raw_setup = spec["services"]["kafka-setup"]["environment"]
    assert set(raw_setup) == {password_variable(p) for p in PRINCIPALS}
    for principal in PRINCIPALS:  # the same .env variable and default wherever a password is read
        assert raw_setup[password_variable(principal)] == \
            f"${{KAFKA_{principal.upper()}_PASSWORD:-{DEMO_KAFKA_PASSWORD_PREFIX}{principal}}}"
    broker = spec["services"]["kafka"]["environment"]
    assert broker[password_variable(ADMIN)] == raw_setup[password_variable(ADMIN)]
    for name in APP_SERVICES:
        raw = spec["services"][name]["environment"]
        assert raw["KAFKA_SASL_USERNAME"] == name
        assert raw["KAFKA_SASL_PASSWORD"] == raw_setup[password_variable(name)], f"{name}: not the password set"
        assert raw.get("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512") == "SCRAM-SHA-512"


def test_published_ports_and_a_scalable_declaratie(spec, stages):
    services, port = spec["services"], container_port(stages)
    assert services["berichtenverkeer"]["ports"] == [f"8001:{port}"]
    assert services["facturatie"]["ports"] == [f"8003:{port}"]
    declaratie = services["declaratie"]
    assert "ports" not in declaratie and "container_name" not in declaratie, "--scale declaratie=3 needs both absent"
    assert all("container_name" not in s for s in services.values())


def test_enough_partitions_for_three_declaratie_replicas(spec):
    from shared.platform.events import PARTITIONS

    assert int(spec["services"]["kafka"]["environment"]["KAFKA_NUM_PARTITIONS"]) >= 6
    assert PARTITIONS >= 6  # the partitions the services create their topics with (shared/platform/service.py)


def test_kafka_and_postgres_keep_their_data_in_named_volumes(spec):
    kafka, postgres = spec["services"]["kafka"], spec["services"]["postgres"]
    log_dir = kafka["environment"]["KAFKA_LOG_DIRS"]
    assert f"kafka-data:{log_dir}" in kafka["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert {"kafka-data", "postgres-data"} <= set(spec["volumes"])


def test_the_region_file_is_mounted_read_only(spec):
    from shared.platform.regio import load_regio

    for name in APP_SERVICES:
        service = spec["services"][name]
        target = dc.service_environment(service)["REGIO_CONFIG"]
        mounts = [v for v in service["volumes"] if v.split(":")[1] == target]
        assert len(mounts) == 1, f"{name}: nothing mounted at REGIO_CONFIG={target}"
        source, _, mode = mounts[0].split(":")
        assert mode == "ro", f"{name}: the region file must be mounted read-only"
        assert load_regio(ROOT / source).gemeenten, source


def test_the_stop_grace_period_covers_the_graceful_shutdown(spec, stages):
    from shared.platform import service

    budget = service.SHUTDOWN_BUDGET_S
    for name in APP_SERVICES:
        s = spec["services"][name]
        assert s.get("stop_signal", "SIGTERM") == "SIGTERM"
        assert dc.duration_seconds(s["stop_grace_period"]) >= budget + 5, f"{name}: stop_grace_period < {budget + 5}s"
        assert dc.effective(s["build"]["target"], "STOPSIGNAL", stages) == "SIGTERM"


# ------------------------------------------------------------------------------------------------ Dockerfile


def test_the_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run([str(hadolint), "--no-color", "--format", "json", "--failure-threshold", "style",
                             str(dc.DOCKERFILE)], capture_output=True, text=True)
    findings = json.loads(result.stdout or "[]")
    assert findings == [] and result.returncode == 0, json.dumps(findings, indent=1) + result.stderr


def test_each_service_has_a_target_that_runs_its_module(spec, stages):
    for name in APP_SERVICES:
        target = spec["services"][name]["build"]["target"]
        assert target == name
        assert dc.exec_form(dc.effective(target, "CMD", stages)) == ["python", "-m", name]
        assert dc.effective(target, "ENTRYPOINT", stages) is None


def test_the_images_are_multi_stage_slim_and_non_root(stages):
    runtime = dc.stage("runtime", stages)
    build = dc.stage("build", stages)
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+", runtime.base) and build.base == runtime.base
    python = runtime.base.split(":")[1].split("-")[0]
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(python)
    # The runtime stage gets only the virtualenv from the build stage: no compilers, pip caches or sources.
    copies = [v for i, v in runtime.instructions if i == "COPY"]
    assert copies == ["--from=build /opt/backoffice /opt/backoffice"]
    for name in APP_SERVICES:
        user = dc.effective(name, "USER", stages)
        assert user is not None and re.fullmatch(r"[1-9]\d*(:[1-9]\d*)?", user), f"{name}: USER {user} (uid ≠ 0)"
        env = dc.env_of(name, stages)
        assert env["HOST"] == "0.0.0.0" and env["PATH"].startswith("/opt/backoffice/bin:")


def test_the_healthcheck_asks_the_service_health_endpoint(stages):
    for name in APP_SERVICES:
        check = dc.healthcheck(name, stages)
        assert check.argv[0] == "python" and "/health" in " ".join(check.argv)
        assert dc.duration_seconds(check.options["timeout"]) < dc.duration_seconds(check.options["interval"])
        assert int(check.options["retries"]) >= 1 and dc.duration_seconds(check.options["start-period"]) >= 30


def run_commands(stage_) -> list[str]:
    return [v for i, v in stage_.instructions if i == "RUN"]


def pip_commands(stage_) -> list[list[str]]:
    """Every `pip ...` of the stage's RUN lines, split into words (after `&&`)."""
    out = []
    for command in run_commands(stage_):
        for part in re.split(r"&&|;", command):
            words = shlex.split(part)
            if words and words[0] == "pip":
                out.append(words)
    return out


def test_the_image_installs_exactly_the_lock_then_the_project_and_checks_them(stages):
    build = dc.stage("build", stages)
    copies = {shlex.split(v)[0]: shlex.split(v)[-1] for i, v in build.instructions if i == "COPY"}
    lock_in_image = copies["deploy/requirements.lock"]
    workdir = next(v for i, v in build.instructions if i == "WORKDIR")
    assert copies["pyproject.toml"] in ("./", workdir, f"{workdir}/")
    venv_python = "/opt/backoffice/bin/python"
    assert run_commands(build)[0] == "python -m venv --without-pip /opt/backoffice"
    assert pip_commands(build) == [
        ["pip", "--python", venv_python, "install", "--no-deps", "-r", lock_in_image],
        ["pip", "--python", venv_python, "install", "--no-deps", "."],
        ["pip", "--python", venv_python, "check"],
    ]
    # The same project the Makefile installs for the tests (editable, with the test extra), without extras.
    make = [line for line in (ROOT / "Makefile").read_text().splitlines() if "pip install" in line and " -e " in line]
    assert any(re.search(r" -e '\.\[test(,\w+)*\]'", line) for line in make), make
    # Every package pyproject.toml finds (packages.find: where + include) lies in a directory the build copies.
    copied = set(copies) - {"deploy/requirements.lock", "pyproject.toml"}
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]
    packages = [(ROOT / where / d.name).relative_to(ROOT).as_posix() for where in find["where"]
                for d in (ROOT / where).iterdir() if d.is_dir() and (d / "__init__.py").exists()
                and any(fnmatch.fnmatch(d.name, pattern) for pattern in find["include"])]
    assert sorted(packages) == ["services/berichtenverkeer", "services/declaratie", "services/facturatie", "shared",
                                "tools"]
    # The developer tools (cli, demo, local infrastructure) stay out of the image; import-linter keeps the services
    # and shared/ from importing them.
    assert not any(c == "tools" or c.startswith("tools/") for c in copied)
    for package in (p for p in packages if p != "tools"):
        assert any(package == c or package.startswith(f"{c}/") for c in copied), f"{package} is not copied"


def test_the_build_context_is_what_the_dockerfile_copies_and_nothing_else(stages):
    sources = [shlex.split(v)[0] for s in stages for i, v in s.instructions
               if i == "COPY" and not v.startswith("--from")]
    for src in sources:
        assert (ROOT / src).exists(), src
        assert dc.in_build_context(src), f"{src} is excluded by .dockerignore but the Dockerfile copies it"
    for path in (".venv/bin/python", ".git/HEAD", "tests/conftest.py", "bench/generator.py", "README.md",
                 "test-artifacts/x", "shared/__pycache__/codec.cpython-311.pyc", "deploy/regio/utrecht-west.yaml"):
        assert not dc.in_build_context(path), f"{path} would be sent to the builder"
    assert dc.in_build_context("services/declaratie/migrations/001_beoordelingen.sql")


# ------------------------------------------------------------------------------------------------ the lock


def test_the_lock_pins_every_runtime_dependency_within_pyproject(stages):
    pins = dc.lock()
    assert (ROOT / "deploy" / "requirements.lock").read_text().startswith("# The exact runtime packages")
    problems = []
    for raw in PYPROJECT["project"]["dependencies"]:
        req = Requirement(raw)
        version = pins.get(dc.normalize(req.name))
        if version is None:
            problems.append(f"{req.name} is a dependency in pyproject.toml but not in deploy/requirements.lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} in the lock is outside pyproject.toml's {req.specifier}")
    for raw in PYPROJECT["project"].get("optional-dependencies", {}).get("test", []):
        name = dc.normalize(Requirement(raw).name)
        if name in pins:
            problems.append(f"{name} is a test dependency and must not be in the image")
    assert not problems, "\n".join(problems) + "\n→ run `.venv/bin/python deploy/lock.py` and commit the lock"


def imported_modules(paths: list[Path]) -> dict[str, str]:
    """{top-level module: first file} of the absolute imports in the given files."""
    found: dict[str, str] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for n in names:
                found.setdefault(n.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_package_the_services_import_is_in_the_lock():
    own = {"shared", *APP_SERVICES}
    files = [p for base in ("shared", "services") for p in (ROOT / base).rglob("*.py") if "__pycache__" not in p.parts]
    providers = metadata.packages_distributions()
    pins = dc.lock()
    missing = {}
    for module, where in imported_modules(files).items():
        if module in own or module in sys.stdlib_module_names or module == "__future__":
            continue
        dists = providers.get(module, [])
        if not any(dc.normalize(d) in pins for d in dists):
            missing[module] = f"{where} (package {', '.join(dists) or 'not installed'})"
    assert not missing, ("imported by the services but not installed in the image (add it to pyproject.toml's "
                         f"dependencies, then run `.venv/bin/python deploy/lock.py`): {missing}")


# ------------------------------------------------------------------------------------------------ the built project


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory, stages):
    """The project wheel built from exactly what the build stage copies (.dockerignore applied), unpacked."""
    build = dc.stage("build", stages)
    sources = [shlex.split(v)[0] for i, v in build.instructions if i == "COPY"]
    context = tmp_path_factory.mktemp("context")
    dc.copy_context([s for s in sources if s != "deploy/requirements.lock"], context)
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                             "--quiet", "--wheel-dir", str(out), str(context)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("*.whl")
    unpacked = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(unpacked)
    return unpacked


def test_the_wheel_holds_every_module_and_data_file_of_the_services(wheel_dir):
    wanted = []
    for base, strip in (("shared", ""), ("services", "services/")):
        for f in (ROOT / base).rglob("*"):
            rel = f.relative_to(ROOT).as_posix()
            if f.is_file() and dc.in_build_context(rel) and not rel.startswith("services/__"):
                wanted.append(rel.removeprefix(strip))
    packaged = {p.relative_to(wheel_dir).as_posix() for p in wheel_dir.rglob("*") if p.is_file()}
    missing = [w for w in wanted if w not in packaged and not w.endswith(".md")]
    assert not missing, f"not in the installed package (pyproject.toml package-data?): {missing}"
    for name in APP_SERVICES:
        assert f"{name}/__main__.py" in packaged
        assert any(p.startswith(f"{name}/migrations/") and p.endswith(".sql") for p in packaged)


def test_each_targets_cmd_starts_its_service_from_the_built_package(wheel_dir, stages):
    # Only the built package on the path for the project (dependencies from this environment), no configuration:
    # each CMD must get as far as asking for it. The three run at once.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(wheel_dir), "PYTHONSAFEPATH": "1"}
    where = dc.run_python(["python", "-c", "; ".join(f"import {s}; print({s}.__file__)" for s in APP_SERVICES)],
                          env=env, cwd=wheel_dir)
    assert all(line.startswith(str(wheel_dir)) for line in where.stdout.split()), where.stdout + where.stderr
    runs = {}
    for service in APP_SERVICES:
        argv = dc.exec_form(dc.effective(service, "CMD", stages))
        runs[service] = subprocess.Popen([sys.executable, *argv[1:]] if argv[0] == "python" else argv, env=env,
                                         cwd=wheel_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for service, proc in runs.items():
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, f"{service}: exit {proc.returncode}\n{out}{err}"
        assert f"{service}: set KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL" in err
