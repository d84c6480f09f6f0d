"""``docker-compose.yml``, ``deploy/nginx.conf`` and the Dockerfile, read as files (no Docker engine
here): the services and their wiring, health checks, secrets kept where they belong, the trusted
proxy hop, the search attributes, and an image that holds every package."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import subprocess
import tomllib

import yaml
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.testing import WorkflowEnvironment

from core.config import Settings, split_address
from domain.names import SearchAttribute
from rokin.devstack import TEMPORAL_DYNAMIC_CONFIG, dynamic_config_flags
from tests.fixtures.temporal import DEV_SERVER
from web.certificates.client_certificate import PROXY_HEADER

from .conftest import (
    COMPOSE,
    DOCKERFILE,
    ENV_EXAMPLE,
    NGINX_CONF,
    PYPROJECT,
    command,
    environment,
    settings_environment,
)

LONG_RUNNING = {"postgres", "temporal", "temporal-ui", "worker", "web", "pki", "nginx", "mailcatcher"}
ONE_SHOT = {"migrate", "temporal-search-attributes"}
SECRET_NAMES = re.compile(r"PASSWORD|PASSPHRASE|SECRET|PWD")
INTERPOLATION = re.compile(r"^\$\{[A-Z_]+:[?-][^}]*\}$")


def test_the_stack_has_every_service(services):
    assert set(services) == LONG_RUNNING | ONE_SHOT


def test_every_long_running_service_has_a_health_check_and_restarts(services):
    for name in LONG_RUNNING:
        check = services[name].get("healthcheck", {})
        assert check.get("test") and check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert services[name].get("restart") == "unless-stopped", name
    for name in ONE_SHOT:
        assert "restart" not in services[name], name  # runs once per `up`


def test_the_app_services_wait_for_the_schema_and_the_search_attributes(services):
    for name in ("worker", "web", "pki"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["temporal-search-attributes"] == {"condition": "service_completed_successfully"}, name
    assert services["temporal-search-attributes"]["depends_on"]["temporal"] == {"condition": "service_healthy"}
    assert services["temporal"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert command(services["migrate"]) == ["rokin", "migrate"]


def test_the_worker_scales(services):
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert command(worker) == ["rokin", "worker"]


def test_each_replica_of_the_worker_is_checked_on_its_own_health_server(services):
    worker = services["worker"]
    settings = Settings.from_env(settings_environment(worker))
    assert settings.worker_health and split_address(settings.worker_health)[0] == "127.0.0.1"
    assert worker["healthcheck"]["test"] == [
        "CMD", "python", "-m", "rokin.healthcheck", "http", f"http://{settings.worker_health}/healthz"]
    assert settings.worker_metrics and "ports" not in worker  # scraped on the internal network only


def test_the_web_is_checked_on_healthz_and_serves_metrics_to_the_internal_network_but_not_nginx(services, compose):
    web, nginx = services["web"], services["nginx"]
    settings = Settings.from_env(settings_environment(web))
    assert web["healthcheck"]["test"] == ["CMD", "python", "-m", "rokin.healthcheck", "http",
                                          "http://127.0.0.1:8000/healthz"]
    backend = ipaddress.ip_network(compose["networks"]["backend"]["ipam"]["config"][0]["subnet"])
    allowed = [ipaddress.ip_network(network, strict=False) for network in settings.metrics_allow]
    assert all(network.subnet_of(backend) or network.is_loopback for network in allowed)
    # nginx sits inside the allowed network: the web refuses /metrics to it as a trusted proxy.
    assert nginx["networks"]["backend"]["ipv4_address"] in settings.trusted_proxies


def test_gunicorn_logs_through_rokin_logs_and_adds_up_its_workers_metrics(services):
    for name in ("web", "pki"):
        argv = command(services[name])
        assert argv[:3] == ["gunicorn", "-c", "python:rokin.gunicorn_conf"], name
        assert Settings.from_env(settings_environment(services[name])).log_format == "json", name
    # The web writes its own access lines (request ID, endpoint); gunicorn's would add the client
    # address and the query string.
    assert "--access-logfile" not in command(services["web"])
    assert environment(services["web"])["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    assert int(command(services["web"])[command(services["web"]).index("--workers") + 1]) > 1


def test_only_nginx_is_reachable_from_outside_and_operator_pages_only_locally(services):
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert sorted(published["nginx"]) == ["443:443", "80:80"]
    for name in set(published) - {"nginx"}:
        assert name in ("temporal-ui", "mailcatcher"), name
        assert all(port.startswith("127.0.0.1:") for port in published[name]), name


def test_temporal_runs_on_postgresql(services):
    temporal = environment(services["temporal"])
    assert temporal["DB"] == "postgres12" and temporal["POSTGRES_SEEDS"] == "postgres"
    assert environment(services["worker"])["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert environment(services["temporal-ui"])["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert "@postgres:5432/rokin" in environment(services["web"])["DATABASE_URL"]


def test_the_search_attributes_are_the_products_with_their_types(services):
    creator = services["temporal-search-attributes"]
    pairs = environment(creator)["ROKIN_SEARCH_ATTRIBUTES"].split()
    assert pairs == [f"{attribute.value}={attribute.type}" for attribute in SearchAttribute]
    script = " ".join(command(creator))
    assert "search-attribute create" in script and '--type "$$type"' in script
    assert "$$ROKIN_SEARCH_ATTRIBUTES" in script  # for the shell: `$$` is not interpolated by compose


async def test_the_search_attribute_service_registers_them_on_a_real_server(services):
    """Its script, run by ``sh`` with the real Temporal CLI against a dev server that has none of
    them yet, and again (idempotent): the server then lists every attribute with its type."""
    creator = services["temporal-search-attributes"]
    server = await WorkflowEnvironment.start_local(dev_server_existing_path=str(DEV_SERVER), ui=False)
    try:
        address = server.client.service_client.config.target_host
        script = command(creator)[-1].replace("$$", "$").replace("temporal:7233", address)
        run_env = {**os.environ, "PATH": f"{DEV_SERVER.parent}:{os.environ['PATH']}",
                   "ROKIN_SEARCH_ATTRIBUTES": environment(creator)["ROKIN_SEARCH_ATTRIBUTES"]}
        for _ in range(2):
            result = await asyncio.to_thread(subprocess.run, ["sh", "-c", script], env=run_env, capture_output=True,
                                             text=True, timeout=60, check=False)
            assert result.returncode == 0, result.stderr
        listed = await server.client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=server.client.namespace))
        assert {name: IndexedValueType.Name(value) for name, value in listed.custom_attributes.items()} == {
            attribute.value: f"INDEXED_VALUE_TYPE_{attribute.type.upper()}" for attribute in SearchAttribute}
    finally:
        await server.shutdown()


def test_temporal_dispatches_eagerly_as_the_dev_stack_does(services, compose):
    """Issue 14: the compose server reads the same eager settings as ``rokin dev`` and the benches pass
    (``rokin.devstack.TEMPORAL_DYNAMIC_CONFIG``), from a dynamic config file mounted where its variable says."""
    temporal = services["temporal"]
    path = environment(temporal)["DYNAMIC_CONFIG_FILE_PATH"]
    [mounted] = [entry for entry in temporal["configs"] if entry["source"] == "temporal_dynamic_config"]
    assert mounted["target"] == f"/etc/temporal/{path}"
    dynamic = yaml.safe_load(compose["configs"]["temporal_dynamic_config"]["content"])
    for key, value in TEMPORAL_DYNAMIC_CONFIG.items():
        assert dynamic[key] == [{"value": value, "constraints": {}}], key
    flags = dynamic_config_flags()
    assert [flags[index + 1] for index in range(0, len(flags), 2)] == [
        f"{key}={str(value).lower()}" for key, value in TEMPORAL_DYNAMIC_CONFIG.items()]


async def test_the_dev_server_with_the_stacks_flags_offers_eager_workflow_start():
    server = await WorkflowEnvironment.start_local(dev_server_existing_path=str(DEV_SERVER), ui=False,
                                                   dev_server_extra_args=dynamic_config_flags())
    try:
        described = await server.client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=server.client.namespace))
        assert described.namespace_info.capabilities.eager_workflow_start
    finally:
        await server.shutdown()


def test_no_literal_secret_in_the_compose_file(services, compose):
    for name, service in services.items():
        for key, value in environment(service).items():
            if SECRET_NAMES.search(key):
                assert INTERPOLATION.match(value), (name, key)
            if key == "DATABASE_URL":
                assert "${ROKIN_DB_PASSWORD:?" in value, name
    for kind in ("secrets", "configs"):
        for name, source in compose[kind].items():
            if kind == "configs" and "content" in source:  # settings written in the file (Temporal's)
                assert not SECRET_NAMES.search(source["content"].upper()), name
                continue
            assert INTERPOLATION.match(source["file"]), (kind, name)
    # Compose would interpolate a lone `$name`: every shell variable is written `$$name`.
    assert not re.search(r"(?<!\$)\$(?![{$])", COMPOSE.read_text())


def test_only_the_worker_gets_the_ca_private_key(services, compose):
    assert set(compose["secrets"]) == {"ca_key", "tls_certificate", "tls_key", "payload_keys"}
    holders = {name for name, service in services.items() if "ca_key" in service.get("secrets", [])}
    assert holders == {"worker"}
    assert {name for name, service in services.items() if "ROKIN_CA_KEY" in environment(service)} == {"worker"}
    assert environment(services["worker"])["ROKIN_CA_KEY"] == "/run/secrets/ca_key"
    for name, service in services.items():
        for volume in service.get("volumes", []):
            assert "ca.key" not in volume and "ca_key" not in volume, name
        if name != "worker" and any(volume.startswith("pki:") for volume in service.get("volumes", [])):
            assert all(volume.endswith(":ro") for volume in service["volumes"] if volume.startswith("pki:")), name
    for name in ("web", "pki", "worker"):  # the CA certificate, to check presented certificates
        assert environment(services[name])["ROKIN_CA_CERT"] == "/run/configs/client_ca.pem"
        assert [config["source"] for config in services[name]["configs"]] == ["client_ca"]


def test_only_the_processes_that_talk_to_temporal_get_the_payload_keys(services):
    holders = {name for name, service in services.items() if "payload_keys" in service.get("secrets", [])}
    assert holders == {"worker", "web", "pki"}
    for name in holders:
        assert environment(services[name])["ROKIN_PAYLOAD_KEYS_FILE"] == "/run/secrets/payload_keys"
    ui = environment(services["temporal-ui"])  # decrypts through the web's codec endpoint, with credentials
    assert ui["TEMPORAL_CODEC_ENDPOINT"].endswith("}/codec") and ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"
    assert environment(services["web"])["ROKIN_CODEC_CORS_ORIGINS"] == "http://localhost:8233"
    assert services["temporal-ui"]["ports"] == ["127.0.0.1:8233:8080"]


def test_the_web_runs_under_gunicorn_and_trusts_the_certificate_header_only_from_nginx(services, compose):
    web, nginx = services["web"], services["nginx"]
    nginx_address = nginx["networks"]["backend"]["ipv4_address"]
    subnet = ipaddress.ip_network(compose["networks"]["backend"]["ipam"]["config"][0]["subnet"])
    assert ipaddress.ip_address(nginx_address) in subnet
    assert environment(web)["ROKIN_TRUSTED_PROXY"] == nginx_address
    assert "ports" not in web and web["networks"] == ["backend"]
    assert compose["networks"]["backend"]["internal"] is True
    assert set(nginx["networks"]) == {"frontend", "backend"}
    argv = command(web)
    assert argv[0] == "gunicorn" and argv[-1] == "web:create_app()"
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8000"
    assert argv[argv.index("--forwarded-allow-ips") + 1] == nginx_address
    for name, service in services.items():  # nobody else is told to trust a proxy
        if name != "web":
            assert "ROKIN_TRUSTED_PROXY" not in environment(service), name


def test_nginx_asks_for_client_certificates_and_passes_only_verified_ones(services):
    conf = NGINX_CONF.read_text()
    assert re.search(r"^\s*ssl_verify_client optional;", conf, re.M)
    [client_ca] = re.findall(r"^\s*ssl_client_certificate (\S+);", conf, re.M)
    assert client_ca == services["nginx"]["configs"][0]["target"]
    # The header's only value is the map's, which is the escaped certificate only on SUCCESS.
    assert re.findall(rf"proxy_set_header {PROXY_HEADER} (\S+);", conf) == ["$verified_client_cert"]
    mapping = re.search(r"map \$ssl_client_verify \$verified_client_cert \{(.*?)\}", conf, re.S).group(1)
    entries = dict(re.findall(r"^\s*(\S+)\s+(\S+);", mapping, re.M))
    assert entries == {"SUCCESS": "$ssl_client_escaped_cert", "default": '""'}
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    assert set(services["nginx"]["secrets"]) == {"tls_certificate", "tls_key"}


def test_nginx_serves_the_crl_and_ocsp_over_plain_http_from_the_pki_listener(services):
    conf = NGINX_CONF.read_text()
    plain = conf[conf.index("listen 80;"):]
    for location in ("location = /crl", "location /ocsp"):
        block = plain[plain.index(location):].split("}", 1)[0]
        assert "http://pki:8080" in block, location
    assert command(services["pki"])[-1] == "web.pki_http:create_pki_app()"


def test_the_image_holds_every_package_and_gunicorn(services):
    project = tomllib.loads(PYPROJECT.read_text())
    packages = {pattern.rstrip("*") for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    modules = {f"{module}.py" for module in project["tool"]["setuptools"]["py-modules"]}
    copied = {token.rstrip("/") for line in DOCKERFILE.read_text().splitlines() if line.startswith("COPY ")
              for token in line.split()[1:-1]}
    assert packages | modules <= copied
    assert "pyproject.toml" in copied
    assert any(dependency.startswith("gunicorn") for dependency in project["project"]["dependencies"])
    for name in ("worker", "web", "pki", "migrate"):
        assert services[name]["build"] == "." and services[name]["image"] == "rokin-ecert:latest", name


def test_the_env_example_names_every_variable_the_compose_file_reads():
    lines = [line for line in COMPOSE.read_text().splitlines() if not line.lstrip().startswith("#")]
    wanted = set(re.findall(r"\$\{([A-Z_]+)[:}]", "\n".join(lines)))
    example = ENV_EXAMPLE.read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert wanted == listed
    assert not re.search(r"^(POSTGRES_PASSWORD|ROKIN_DB_PASSWORD|ROKIN_SECRET_KEY)=.", example, re.M)  # no values
