"""The deployment files (deploy/) agree with the code: every process, port, probe and setting.

Setting names are computed from the settings classes, so renaming a field (or a typo in
docker-compose.yml or a Kubernetes manifest) fails here rather than in production, where an
unknown variable is silently ignored and the default is used instead.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from gateway.settings import GatewaySettings
from services.catalog.settings import CatalogSettings
from services.feedback.settings import FeedbackSettings
from services.requests.settings import RequestsSettings
from shared import cli
from shared.devrun import PREFIX

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
K8S_DIR = DEPLOY / "k8s"
POSTGRES_INIT = DEPLOY / "postgres-init.sql"

SETTINGS: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings,
    "catalog": CatalogSettings,
    "requests": RequestsSettings,
    "feedback": FeedbackSettings,
}
PROCESSES = sorted(SETTINGS)
SERVICES = [p for p in PROCESSES if p != "gateway"]
BACKING_SERVICES = ("postgres", "meilisearch", "redis")

# Fields a production deployment must set, per process (the field names are checked to exist).
COMMON_REQUIRED = ("environment", "host", "database_url", "service_token", "pii_key", "pii_blind_key")
EXTRA_REQUIRED: dict[str, tuple[str, ...]] = {
    "gateway": ("signing_key", "catalog_url", "requests_url", "feedback_url", "redis_url"),
    "catalog": ("jwks_url", "search_engine", "meili_url", "meili_api_key", "requests_url"),
    "requests": ("jwks_url", "catalog_url"),
    "feedback": ("jwks_url", "catalog_url", "requests_url"),
}
# Kubernetes runs migrations in an initContainer, so the process must not also run them.
K8S_EXTRA_REQUIRED = ("migrate_on_start",)
# Fields whose values are secrets: never in a ConfigMap, never a literal in docker-compose.yml.
SECRET_FIELDS = (
    "database_url",
    "service_token",
    "pii_key",
    "pii_blind_key",
    "signing_key",
    "meili_api_key",
    "redis_url",
)


# --- settings classes ----------------------------------------------------------------------------


def prefix(process: str) -> str:
    return SETTINGS[process].model_config["env_prefix"]


def field_env_names(cls: type[BaseSettings], field: str) -> list[str]:
    """The environment variable names a field is read from (upper-cased), aliases included."""
    assert field in cls.model_fields, f"{cls.__name__} has no field {field!r} (renamed? update deploy/)"
    alias = cls.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return [choice.upper() for choice in alias.choices if isinstance(choice, str)]
    if isinstance(alias, str):
        return [alias.upper()]
    return [f"{cls.model_config['env_prefix']}{field}".upper()]


@cache
def env_to_field(process: str) -> dict[str, str]:
    cls = SETTINGS[process]
    return {name: field for field in cls.model_fields for name in field_env_names(cls, field)}


def required_fields(process: str, *, kubernetes: bool) -> tuple[str, ...]:
    fields = COMMON_REQUIRED + EXTRA_REQUIRED[process] + (K8S_EXTRA_REQUIRED if kubernetes else ())
    for field in fields:
        field_env_names(SETTINGS[process], field)  # asserts the field exists
    return fields


def default_port(process: str) -> int:
    port = SETTINGS[process].model_fields["port"].default
    assert isinstance(port, int)
    return port


def lookup(env: dict[str, Any], process: str, field: str) -> tuple[str, Any] | None:
    """(variable name, value) of `field` in `env`, or None when no accepted name is set."""
    for name in field_env_names(SETTINGS[process], field):
        if name in env:
            return name, env[name]
    return None


def jwks_url() -> str:
    return f"http://gateway:{default_port('gateway')}/.well-known/jwks.json"


def expected_values(process: str) -> dict[str, str]:
    """Values fixed by the architecture (compared after stripping; URLs as service DNS names)."""
    values = {"environment": "production", "host": "0.0.0.0"}
    if process == "gateway":
        values |= {f"{service}_url": f"http://{service}:{default_port(service)}" for service in SERVICES}
    else:
        values["jwks_url"] = jwks_url()
    if process == "catalog":
        values["search_engine"] = "meilisearch"
    # Services that ask other services (agency tree, holiday calendar) reach them by DNS name too.
    if process in ("requests", "feedback"):
        values["catalog_url"] = f"http://catalog:{default_port('catalog')}"
    if process in ("catalog", "feedback"):
        values["requests_url"] = f"http://requests:{default_port('requests')}"
    return values


DATABASE_URL = re.compile(r"^postgresql\+asyncpg://.+@[^/@]+/(?P<database>[A-Za-z0-9_]+)(\?.*)?$")


def env_problems(process: str, env: dict[str, Any], *, kubernetes: bool) -> list[str]:
    """Missing required settings and wrong fixed values for one process's environment."""
    problems = []
    for field in required_fields(process, kubernetes=kubernetes):
        found = lookup(env, process, field)
        if found is None or str(found[1]).strip() == "":
            names = field_env_names(SETTINGS[process], field)
            problems.append(f"{process}: no value for {field} (one of {names})")
    for field, expected in expected_values(process).items():
        found = lookup(env, process, field)
        if found is not None and str(found[1]).strip() != expected:
            problems.append(f"{process}: {found[0]}={found[1]!r}, expected {expected!r}")
    found = lookup(env, process, "database_url")
    if found is not None:
        match = DATABASE_URL.match(str(found[1]).strip())
        if match is None:
            problems.append(f"{process}: {found[0]} is not a postgresql+asyncpg://user:pass@host/db URL")
        elif match["database"] != f"gongkai_{process}":
            problems.append(f"{process}: {found[0]} names {match['database']}, not gongkai_{process}")
    if kubernetes:
        found = lookup(env, process, "migrate_on_start")
        if found is not None and str(found[1]).strip().lower() not in ("false", "0", "no", "off"):
            problems.append(f"{process}: {found[0]} must be false (the initContainer migrates)")
    found = lookup(env, process, "port")
    if found is not None and str(found[1]).strip() != str(default_port(process)):
        problems.append(f"{process}: {found[0]}={found[1]!r} overrides port {default_port(process)}")
    return problems


def unknown_names(names: list[str], allowed_processes: list[str]) -> list[str]:
    """Typo guard: names with a process prefix must be settings of that process's class, and a
    container may only be given settings of the processes listed in `allowed_processes`."""
    problems = []
    for name in names:
        upper = name.upper()
        owners = [p for p in PROCESSES if upper in env_to_field(p)]
        prefixed = [p for p in PROCESSES if upper.startswith(prefix(p))]
        for process in prefixed:
            if upper not in env_to_field(process):
                problems.append(f"{name}: {SETTINGS[process].__name__} has no such setting")
        if not prefixed and not owners:
            problems.append(f"{name}: no settings class reads it")
        elif not set(owners + prefixed) & set(allowed_processes):
            problems.append(f"{name}: given to {allowed_processes}, but only {owners or prefixed} read it")
    return problems


# --- docker-compose ------------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def compose_service(name: str) -> dict[str, Any]:
    services = compose().get("services") or {}
    assert name in services, f"docker-compose.yml has no service {name!r}"
    return services[name]


def compose_env(name: str) -> dict[str, str]:
    env = compose_service(name).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def as_argv(command: Any) -> list[str]:
    if command is None:
        return []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def depends_on(name: str) -> dict[str, str]:
    deps = compose_service(name).get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {dep: (spec or {}).get("condition", "service_started") for dep, spec in deps.items()}


# --- Kubernetes ----------------------------------------------------------------------------------


@cache
def k8s_documents() -> list[dict[str, Any]]:
    documents = []
    for path in sorted(K8S_DIR.glob("*.y*ml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and document.get("kind") not in (None, "Kustomization"):
                documents.append(document)
    return documents


def k8s_objects(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in k8s_documents() if doc["kind"] == kind]


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [doc for doc in k8s_objects(kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name!r} in deploy/k8s, found {len(found)}"
    return found[0]


def container_args(container: dict[str, Any]) -> list[str]:
    return as_argv(container.get("command")) + as_argv(container.get("args"))


def deployment_for(process: str) -> dict[str, Any]:
    found = [
        doc
        for doc in k8s_objects("Deployment")
        for container in doc["spec"]["template"]["spec"]["containers"]
        if container_args(container)[-2:] == ["serve", process]
    ]
    assert len(found) == 1, f"expected one Deployment running `gongkai serve {process}`, found {len(found)}"
    return found[0]


def main_container(process: str) -> dict[str, Any]:
    containers = deployment_for(process)["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if container_args(c)[-2:] == ["serve", process])


def init_containers(process: str) -> list[dict[str, Any]]:
    return deployment_for(process)["spec"]["template"]["spec"].get("initContainers") or []


def env_source_names(process: str) -> set[str]:
    """Names of the ConfigMaps and Secrets the process's containers take their environment from."""
    return {
        (ref.get("configMapRef") or ref.get("secretRef") or {}).get("name")
        for container in [main_container(process), *init_containers(process)]
        for ref in container.get("envFrom") or []
    }


def secret_data(secret: dict[str, Any]) -> dict[str, str]:
    data = {key: base64.b64decode(value).decode() for key, value in (secret.get("data") or {}).items()}
    return data | {key: str(value) for key, value in (secret.get("stringData") or {}).items()}


def container_env(container: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """name -> (kind of source: ConfigMap / Secret / literal, value) as the container will see it."""
    env: dict[str, tuple[str, str]] = {}
    for source in container.get("envFrom") or []:
        assert not source.get("prefix"), "envFrom prefix is not supported by this test"
        if "configMapRef" in source:
            data = k8s_object("ConfigMap", source["configMapRef"]["name"]).get("data") or {}
            env |= {key: ("ConfigMap", value) for key, value in data.items()}
        if "secretRef" in source:
            data = secret_data(k8s_object("Secret", source["secretRef"]["name"]))
            env |= {key: ("Secret", value) for key, value in data.items()}
    for item in container.get("env") or []:
        if "value" in item:
            env[item["name"]] = ("literal", str(item["value"]))
        elif "configMapKeyRef" in item.get("valueFrom", {}):
            ref = item["valueFrom"]["configMapKeyRef"]
            env[item["name"]] = ("ConfigMap", k8s_object("ConfigMap", ref["name"])["data"][ref["key"]])
        elif "secretKeyRef" in item.get("valueFrom", {}):
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = ("Secret", secret_data(k8s_object("Secret", ref["name"]))[ref["key"]])
    return env


def container_port(container: dict[str, Any], port: int | str) -> int | None:
    if isinstance(port, int):
        return port
    return next((p["containerPort"] for p in container.get("ports") or [] if p.get("name") == port), None)


# --- tests: processes are all there ---------------------------------------------------------------


def test_the_settings_table_covers_every_process_the_cli_can_start() -> None:
    assert set(SETTINGS) == set(cli.PROCESSES)
    for process, cls in SETTINGS.items():
        assert cls.model_config["env_prefix"] == f"{process.upper()}_"


def test_every_process_and_backing_service_is_in_docker_compose() -> None:
    services = compose().get("services") or {}
    missing = [name for name in (*PROCESSES, *BACKING_SERVICES) if name not in services]
    assert not missing, f"docker-compose.yml lacks services {missing}"


def test_every_process_has_a_deployment_and_a_service() -> None:
    for process in PROCESSES:
        deployment_for(process)
        k8s_object("Service", process)


def test_every_k8s_manifest_is_listed_in_the_kustomization() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text(encoding="utf-8"))
    manifests = {p.name for p in K8S_DIR.glob("*.y*ml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests


# --- tests: Dockerfile ---------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_the_dockerfile_starts_processes_through_the_gongkai_entrypoint() -> None:
    instructions = dockerfile_instructions()
    entrypoints = [json.loads(rest) for keyword, rest in instructions if keyword == "ENTRYPOINT"]
    commands = [json.loads(rest) for keyword, rest in instructions if keyword == "CMD"]
    assert entrypoints and entrypoints[-1] == ["gongkai"]
    assert commands and commands[-1] == ["serve", "gateway"]


def test_the_dockerfile_installs_with_the_lock_file_on_python_3_11_slim_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions()
    args = dict(rest.split("=", 1) for keyword, rest in instructions if keyword == "ARG" and "=" in rest)
    bases = [
        re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], m[0]), rest.split()[0])
        for keyword, rest in instructions
        if keyword == "FROM"
    ]
    stage_names = {
        match[1]
        for keyword, rest in instructions
        if keyword == "FROM" and (match := re.search(r"(?i)\sAS\s+(\S+)", rest))
    }
    assert bases and all(base == "python:3.11-slim" or base in stage_names for base in bases), bases
    runs = " ".join(rest for keyword, rest in instructions if keyword == "RUN")
    assert re.search(r"pip install -c requirements\.lock \.", runs)
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    exposed = {int(p.split("/")[0]) for k, rest in instructions if k == "EXPOSE" for p in rest.split()}
    assert {default_port(process) for process in PROCESSES} <= exposed


def test_the_image_has_the_cjk_fonts_the_pdf_notices_embed_and_checks_them() -> None:
    """shared/pdf.py: WeasyPrint lays out with Pango and embeds Noto CJK; without them a PDF is a 503."""
    instructions = dockerfile_instructions()
    runtime = instructions[max(i for i, (k, _) in enumerate(instructions) if k == "FROM") :]
    runs = [rest for keyword, rest in runtime if keyword == "RUN"]
    install = next(run for run in runs if "apt-get install" in run)
    for package in ("fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in install.split(), package
    assert "rm -rf /var/lib/apt/lists/*" in install
    assert "python -m shared.pdf --check" in runs  # the build fails when the fonts do not resolve
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^setup: .*\bfonts\b", makefile, re.M)
    assert re.search(r"^PDF_PACKAGES := fonts-noto-cjk .*libharfbuzz-subset0", makefile, re.M)


def test_compose_builds_the_image_from_the_repository_root_with_the_deploy_dockerfile() -> None:
    for process in PROCESSES:
        build = compose_service(process).get("build")
        assert isinstance(build, dict), f"{process}: build must name the context and the dockerfile"
        context = (COMPOSE_FILE.parent / build["context"]).resolve()
        assert context == ROOT
        assert (context / build["dockerfile"]).resolve() == DOCKERFILE
    images = {compose_service(process).get("image") for process in PROCESSES}
    assert len(images) == 1, f"the four processes must share one image, got {images}"
    # BuildKit reads <Dockerfile>.dockerignore next to the Dockerfile, else the context's .dockerignore.
    assert (DEPLOY / "Dockerfile.dockerignore").exists() or (ROOT / ".dockerignore").exists()


# --- tests: docker-compose -------------------------------------------------------------------------


@pytest.mark.parametrize("process", PROCESSES)
def test_compose_runs_each_process_with_gongkai_serve(process: str) -> None:
    assert as_argv(compose_service(process).get("command")) == ["serve", process]


@pytest.mark.parametrize("process", PROCESSES)
def test_compose_sets_every_production_setting_of_each_process(process: str) -> None:
    assert env_problems(process, compose_env(process), kubernetes=False) == []


@pytest.mark.parametrize("process", PROCESSES)
def test_compose_gives_each_process_only_settings_its_class_defines(process: str) -> None:
    assert unknown_names(list(compose_env(process)), [process]) == []


@pytest.mark.parametrize("process", PROCESSES)
def test_compose_takes_secrets_from_the_environment_and_refuses_to_start_without_them(process: str) -> None:
    env = compose_env(process)
    for field in SECRET_FIELDS:
        if field not in SETTINGS[process].model_fields or field == "redis_url":  # redis: no password
            continue
        found = lookup(env, process, field)
        assert found is not None, f"{process}: {field} not set"
        assert re.search(r"\$\{[A-Z0-9_]+:\?[^}]*\}", found[1]), f"{found[0]} must use ${{VAR:?message}}"


def test_compose_service_token_is_the_same_for_every_process() -> None:
    tokens = {lookup(compose_env(p), p, "service_token")[1] for p in PROCESSES}  # type: ignore[index]
    assert len(tokens) == 1, tokens


def test_compose_starts_processes_after_their_dependencies_are_healthy() -> None:
    needs = {process: {"postgres"} for process in PROCESSES}
    needs["catalog"].add("meilisearch")
    needs["gateway"] |= {"redis", *SERVICES}
    for process, dependencies in needs.items():
        conditions = depends_on(process)
        for dependency in dependencies:
            assert conditions.get(dependency) == "service_healthy", f"{process} -> {dependency}"
    for name in (*PROCESSES, *BACKING_SERVICES):
        assert (compose_service(name).get("healthcheck") or {}).get("test"), f"{name} has no healthcheck"


@pytest.mark.parametrize("process", PROCESSES)
def test_compose_healthchecks_probe_the_process_port(process: str) -> None:
    test = " ".join(as_argv(compose_service(process)["healthcheck"]["test"]))
    assert f":{default_port(process)}/readyz" in test or f":{default_port(process)}/healthz" in test


def test_compose_publishes_only_the_gateway_port() -> None:
    ports = [str(port) for port in compose_service("gateway").get("ports") or []]
    assert any(port.endswith(f":{default_port('gateway')}") for port in ports), ports
    for process in SERVICES:
        assert not compose_service(process).get("ports"), f"{process} should not be published"


def test_compose_postgres_creates_the_database_of_every_process() -> None:
    postgres = compose_service("postgres")
    assert str(postgres["image"]).startswith("postgres:15")
    mounts = [str(volume) for volume in postgres.get("volumes") or []]
    assert any(
        (COMPOSE_FILE.parent / m.split(":")[0]).resolve() == POSTGRES_INIT
        and m.split(":")[1].startswith("/docker-entrypoint-initdb.d/")
        for m in mounts
    ), mounts
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    created = set(re.findall(r"CREATE\s+DATABASE\s+\"?(\w+)\"?", sql, flags=re.IGNORECASE))
    for process in PROCESSES:
        database = DATABASE_URL.match(lookup(compose_env(process), process, "database_url")[1])  # type: ignore[index]
        assert database is not None and database["database"] in created, process


def test_compose_meilisearch_has_a_master_key_and_the_catalog_uses_it() -> None:
    meili = compose_service("meilisearch")
    assert str(meili["image"]).startswith("getmeili/meilisearch")
    master_key = compose_env("meilisearch").get("MEILI_MASTER_KEY", "")
    assert re.search(r"\$\{[A-Z0-9_]+:\?", master_key)
    assert lookup(compose_env("catalog"), "catalog", "meili_api_key")[1] == master_key  # type: ignore[index]
    assert lookup(compose_env("catalog"), "catalog", "meili_url")[1] == "http://meilisearch:7700"  # type: ignore[index]
    assert lookup(compose_env("gateway"), "gateway", "redis_url")[1].startswith("redis://redis:")  # type: ignore[index]


# --- tests: Kubernetes ---------------------------------------------------------------------------


@pytest.mark.parametrize("process", PROCESSES)
def test_deployments_listen_on_the_port_of_their_settings_class(process: str) -> None:
    ports = [p["containerPort"] for p in main_container(process).get("ports") or []]
    assert ports == [default_port(process)]


@pytest.mark.parametrize("process", PROCESSES)
def test_deployments_are_ready_on_readyz_and_alive_on_healthz(process: str) -> None:
    container = main_container(process)
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        http = (container.get(probe) or {}).get("httpGet") or {}
        assert http.get("path") == path, f"{process}: {probe} must GET {path}"
        assert container_port(container, http.get("port")) == default_port(process), f"{process} {probe}"


@pytest.mark.parametrize("process", PROCESSES)
def test_services_route_their_port_to_the_deployment(process: str) -> None:
    service = k8s_object("Service", process)
    template = deployment_for(process)["spec"]["template"]
    selector = service["spec"]["selector"]
    assert selector and selector.items() <= template["metadata"]["labels"].items()
    for other in PROCESSES:  # and selects no other process's pods
        if other != process:
            labels = deployment_for(other)["spec"]["template"]["metadata"]["labels"]
            assert not selector.items() <= labels.items(), f"Service {process} also selects {other}"
    ports = service["spec"]["ports"]
    assert [p["port"] for p in ports] == [default_port(process)]
    target = ports[0].get("targetPort", ports[0]["port"])
    assert container_port(main_container(process), target) == default_port(process)


@pytest.mark.parametrize("process", PROCESSES)
def test_deployments_get_every_production_setting_from_configmaps_and_secrets(process: str) -> None:
    for container in [main_container(process), *init_containers(process)]:
        env = container_env(container)
        values = {name: value for name, (_, value) in env.items()}
        assert env_problems(process, values, kubernetes=True) == [], container["name"]
        for field in SECRET_FIELDS:
            found = lookup(values, process, field) if field in SETTINGS[process].model_fields else None
            if found is not None:
                assert env[found[0]][0] == "Secret", f"{process}: {found[0]} belongs in a Secret"


@pytest.mark.parametrize("process", PROCESSES)
def test_deployments_migrate_in_an_init_container(process: str) -> None:
    migrations = [c for c in init_containers(process) if container_args(c)[-2:] == ["migrate", process]]
    assert len(migrations) == 1, f"{process}: expected an initContainer running `gongkai migrate {process}`"
    assert migrations[0]["image"] == main_container(process)["image"]


def test_k8s_configmaps_and_secrets_hold_only_settings_the_classes_define() -> None:
    problems = []
    for kind in ("ConfigMap", "Secret"):
        for document in k8s_objects(kind):
            data = document.get("data") or {}
            if kind == "Secret":
                data = secret_data(document)
            else:
                problems += [f"ConfigMap {k}: not a string" for k, v in data.items() if type(v) is not str]
            users = [p for p in PROCESSES if document["metadata"]["name"] in env_source_names(p)]
            problems += unknown_names(list(data), users or PROCESSES)
    assert problems == []


def test_k8s_service_token_is_the_same_for_every_process() -> None:
    tokens = set()
    for process in PROCESSES:
        values = {name: value for name, (_, value) in container_env(main_container(process)).items()}
        tokens.add(lookup(values, process, "service_token")[1])  # type: ignore[index]
    assert len(tokens) == 1


@pytest.mark.parametrize("process", PROCESSES)
def test_deployments_run_as_non_root_with_resources_and_without_service_links(process: str) -> None:
    deployment = deployment_for(process)
    pod = deployment["spec"]["template"]["spec"]
    # Service links would inject GATEWAY_PORT=tcp://10.0.0.1:8000, which GatewaySettings reads as its port.
    assert pod.get("enableServiceLinks") is False
    for container in [*pod["containers"], *(pod.get("initContainers") or [])]:
        non_root = (container.get("securityContext") or {}).get(
            "runAsNonRoot", (pod.get("securityContext") or {}).get("runAsNonRoot")
        )
        assert non_root is True, f"{process}/{container['name']}: runAsNonRoot"
        resources = container.get("resources") or {}
        assert resources.get("requests") and resources.get("limits"), f"{process}/{container['name']}"
    replicas = deployment["spec"].get("replicas", 1)
    assert replicas >= (2 if process == "gateway" else 1)


def test_k8s_objects_live_in_the_gongkai_namespace() -> None:
    assert [doc["metadata"]["name"] for doc in k8s_objects("Namespace")] == ["gongkai"]
    for document in k8s_documents():
        if document["kind"] != "Namespace":
            assert document["metadata"].get("namespace") == "gongkai", document["metadata"]["name"]


def test_the_installed_package_carries_every_non_python_file_the_processes_read() -> None:
    """The image installs a wheel: migrations and the widget script must be in its package data."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    needed = [
        *ROOT.glob("gateway/static/**/*"),
        *ROOT.glob("**/migrations/versions/*.py"),
        *ROOT.glob("**/migrations/*.mako"),
    ]
    needed = [p for p in needed if ".venv" not in p.parts and p.is_file()]
    assert needed
    for path in needed:
        # the nearest enclosing Python package: package data is named relative to it
        package_dir = next(d for d in path.parents if (d / "__init__.py").is_file())
        relative = path.relative_to(package_dir).as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), f"{path} not in package data"


PG_URL = "postgresql+asyncpg://gongkai@db:5432/gongkai_requests"


def test_several_workers_need_postgresql_and_the_gateway_also_redis_and_a_signing_key() -> None:
    with pytest.raises(ValueError, match="workers > 1 needs a PostgreSQL"):
        RequestsSettings(workers=2, database_url="sqlite+aiosqlite:///x.db")
    assert RequestsSettings(workers=2, database_url=PG_URL).workers == 2
    with pytest.raises(ValueError, match="workers"):
        RequestsSettings(workers=0, database_url=PG_URL)
    with pytest.raises(ValueError, match="GATEWAY_REDIS_URL and GATEWAY_SIGNING_KEY"):
        GatewaySettings(workers=2, database_url=PG_URL, redis_url="redis://r:6379/0")


def test_serve_with_several_workers_migrates_once_before_they_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from services.requests import settings as requests_settings

    migrated: list[str] = []
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(cli, "migrate", migrated.append)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append({"app": app, **kw}))
    monkeypatch.setenv("REQUESTS_DATABASE_URL", PG_URL)
    monkeypatch.setenv("REQUESTS_WORKERS", "1")  # serve sets these two; the fixture puts them back
    monkeypatch.setenv("REQUESTS_MIGRATE_ON_START", "true")
    requests_settings.get_settings.cache_clear()
    try:
        cli.serve("requests", workers=2)
        assert migrated == ["requests"]
        assert started[0]["workers"] == 2 and started[0]["app"] == "services.requests.app:create_app"
        assert os.environ["REQUESTS_MIGRATE_ON_START"] == "false", "the workers must not migrate again"
        assert RequestsSettings().migrate_on_start is False

        requests_settings.get_settings.cache_clear()
        monkeypatch.setenv("REQUESTS_DATABASE_URL", "sqlite+aiosqlite:///x.db")
        with pytest.raises(ValueError, match="PostgreSQL"):
            cli.serve("requests", workers=2)
        assert len(started) == 1
    finally:
        requests_settings.get_settings.cache_clear()


def test_compose_postgres_allows_the_connections_of_every_server_process() -> None:
    from shared.db import POOL_SIZE

    processes = sum(int(compose_env(p).get(f"{PREFIX[p]}WORKERS", "1")) for p in PROCESSES)
    argv = as_argv(compose_service("postgres").get("command"))
    settings = dict(argv[i + 1].split("=", 1) for i, a in enumerate(argv) if a == "-c")
    assert int(settings.get("max_connections", "100")) >= POOL_SIZE * processes + 10


def test_k8s_requests_gets_a_core_per_worker() -> None:
    workers = int(container_env(main_container("requests"))["REQUESTS_WORKERS"][1])
    limit = main_container("requests")["resources"]["limits"]["cpu"]
    assert workers == 2 and float(limit) >= workers
