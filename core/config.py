"""Configuration from the environment, in one place. Every variable is listed in README.md."""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from domain.certificates import DELIVERY_DEADLINE
from domain.names import TASK_QUEUE

LOG_FORMATS = ("json", "text")
LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")


class ConfigError(ValueError):
    """An environment variable with a value we cannot use: the message names it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = TASK_QUEUE
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mail_from: str = "no-reply@rokin.example.jp"
    public_url: str = "https://localhost:8443"
    dev_mailbox: Path | None = None  # Maildir shown on /dev/mailbox; set by ``rokin dev`` only
    # The client CA (issue 4). Unset: the development CA in ``<data_dir>/pki``. Only the worker reads the key.
    ca_certificate: Path | None = None
    ca_key: Path | None = None
    ca_key_passphrase: str | None = field(default=None, repr=False)
    # Issue 5: the plain-HTTP PKI listener relying parties reach (OCSP, written into new certificates),
    # and the approvers' shared mailbox that gets reminders of undecided revocation requests.
    pki_url: str = "http://localhost:8080"
    # Reverse proxies whose X-SSL-Client-Cert header the web believes (certificate login behind
    # nginx); empty: only the web's own TLS handshake counts (SPEC.md §5).
    trusted_proxies: tuple[str, ...] = ()
    approver_mail: str = "approvers@rokin.example.jp"
    # Issue 11: how long a signed certificate waits for the web's confirmation that it built the .p12
    # before the issuance revokes it (the web passes it in each issuance's input).
    delivery_deadline_seconds: int = int(DELIVERY_DEADLINE.total_seconds())
    # Issue 12: server-side login sessions end after this long without a request, and at the latest
    # this long after login whatever the activity (a bank's working day), for employers and staff alike.
    session_idle_seconds: int = 15 * 60
    session_absolute_seconds: int = 8 * 60 * 60
    # Logs, metrics and health (README "Logs, metrics and health").
    log_format: str = "json"  # ``rokin dev`` gives its children "text"
    log_level: str = "INFO"
    metrics_allow: tuple[str, ...] = LOOPBACK_NETWORKS  # who may read the web's /metrics (never a trusted proxy)
    worker_metrics: str | None = None  # host:port of the worker's Prometheus endpoint; unset: none
    worker_health: str | None = None  # host:port of the worker's /healthz; unset: none
    worker_cached_workflows: int = 5_000  # runs each worker keeps in memory (worker.py says why this many)
    # Issue 12: failed password attempts across IDs (store.login_throttle): once this many fall in one
    # window, the address or organization is refused until the window ends. Per client address against
    # spraying one guess per ID (an office behind one NAT address still has room for its typos); per
    # organization of an existing ID against a spray from many addresses.
    throttle_address_failures: int = 30
    throttle_address_window_seconds: int = 15 * 60
    throttle_organization_failures: int = 30
    throttle_organization_window_seconds: int = 15 * 60
    # Issue 12: workflow payload encryption (core.payload_keys). The key ring as text (ROKIN_PAYLOAD_KEYS),
    # else the file holding it (ROKIN_PAYLOAD_KEYS_FILE, default ``<data_dir>/payload_keys``, which
    # ``rokin dev`` creates); and the Temporal Web UI origins allowed to call the codec server (/codec).
    payload_keys: str | None = field(default=None, repr=False)
    payload_keys_file: Path | None = None
    codec_cors_origins: tuple[str, ...] = ("http://localhost:8233",)

    @property
    def pki_dir(self) -> Path:
        return self.data_dir / "pki"

    @property
    def ca_certificate_path(self) -> Path:
        return self.ca_certificate or self.pki_dir / "ca.pem"

    @property
    def ca_key_path(self) -> Path:
        return self.ca_key or self.pki_dir / "ca.key"

    @property
    def delivery_deadline(self) -> timedelta:
        return timedelta(seconds=self.delivery_deadline_seconds)

    @property
    def crl_url(self) -> str:
        """The CRL distribution point written into every client certificate: plain HTTP, as relying
        parties fetch CRLs (RFC 5280 §4.2.1.13), from the PKI listener (``rokin pki-http``)."""
        return f"{self.pki_url.rstrip('/')}/crl"

    @property
    def ocsp_url(self) -> str:
        """The OCSP responder (RFC 6960) named in every new client certificate's AIA extension."""
        return f"{self.pki_url.rstrip('/')}/ocsp"

    @classmethod
    def from_env(cls, env: os._Environ | dict | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("ROKIN_DATA_DIR", "var")).resolve()
        mailbox = env.get("ROKIN_DEV_MAILBOX")
        return cls(
            data_dir=data_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'rokin.db'}",
            temporal_address=env.get("TEMPORAL_ADDRESS", cls.temporal_address),
            temporal_namespace=env.get("TEMPORAL_NAMESPACE", cls.temporal_namespace),
            task_queue=env.get("ROKIN_TASK_QUEUE", cls.task_queue),
            smtp_host=env.get("SMTP_HOST", cls.smtp_host),
            smtp_port=int(env.get("SMTP_PORT", cls.smtp_port)),
            mail_from=env.get("MAIL_FROM", cls.mail_from),
            public_url=env.get("ROKIN_PUBLIC_URL", cls.public_url),
            dev_mailbox=Path(mailbox) if mailbox else None,
            ca_certificate=Path(env["ROKIN_CA_CERT"]) if env.get("ROKIN_CA_CERT") else None,
            ca_key=Path(env["ROKIN_CA_KEY"]) if env.get("ROKIN_CA_KEY") else None,
            ca_key_passphrase=env.get("ROKIN_CA_KEY_PASSPHRASE") or None,
            pki_url=env.get("ROKIN_PKI_URL", cls.pki_url),
            trusted_proxies=tuple(env.get("ROKIN_TRUSTED_PROXY", "").replace(",", " ").split()),
            approver_mail=env.get("ROKIN_APPROVER_MAIL", cls.approver_mail),
            delivery_deadline_seconds=_whole_seconds(env, "ROKIN_DELIVERY_DEADLINE_SECONDS",
                                                     cls.delivery_deadline_seconds),
            session_idle_seconds=_whole_seconds(env, "ROKIN_SESSION_IDLE_SECONDS", cls.session_idle_seconds),
            session_absolute_seconds=_whole_seconds(env, "ROKIN_SESSION_ABSOLUTE_SECONDS",
                                                    cls.session_absolute_seconds),
            **_observability_from(env),
            **_throttle_from(env),
            **_payload_codec_from(env),
        )


def _observability_from(env: os._Environ | dict) -> dict:
    log_format = env.get("ROKIN_LOG_FORMAT", Settings.log_format).strip().lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"ROKIN_LOG_FORMAT must be json or text, not {log_format!r}")
    log_level = env.get("ROKIN_LOG_LEVEL", Settings.log_level).strip().upper()
    if not isinstance(logging.getLevelNamesMapping().get(log_level), int):
        raise ConfigError(f"ROKIN_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {log_level!r}")
    allow = tuple(env.get("ROKIN_METRICS_ALLOW", " ".join(LOOPBACK_NETWORKS)).replace(",", " ").split())
    for network in allow:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"ROKIN_METRICS_ALLOW: {network!r} is not an IP address or network") from None
    return {"log_format": log_format, "log_level": log_level, "metrics_allow": allow,
            "worker_metrics": _address(env, "ROKIN_WORKER_METRICS"),
            "worker_health": _address(env, "ROKIN_WORKER_HEALTH"),
            "worker_cached_workflows": _whole_number(env, "ROKIN_WORKER_CACHED_WORKFLOWS",
                                                     Settings.worker_cached_workflows)}


def _payload_codec_from(env: os._Environ | dict) -> dict:
    keys_file = env.get("ROKIN_PAYLOAD_KEYS_FILE", "").strip()
    default_origins = " ".join(Settings.codec_cors_origins)
    origins = tuple(env.get("ROKIN_CODEC_CORS_ORIGINS", default_origins).replace(",", " ").split())
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or "/" in rest:
            raise ConfigError(f"ROKIN_CODEC_CORS_ORIGINS: {origin!r} is not an origin like http://localhost:8233")
    return {"payload_keys": env.get("ROKIN_PAYLOAD_KEYS", "").strip() or None,
            "payload_keys_file": Path(keys_file) if keys_file else None,
            "codec_cors_origins": origins}


def _throttle_from(env: os._Environ | dict) -> dict:
    values = {}
    for scope in ("address", "organization"):
        name = f"throttle_{scope}_failures"
        raw = env.get(f"ROKIN_{name.upper()}", "").strip()
        if raw and (not raw.isdigit() or int(raw) < 1):
            raise ConfigError(f"ROKIN_{name.upper()} must be a whole number of failed attempts, at least 1, "
                              f"not {raw!r}")
        values[name] = int(raw) if raw else getattr(Settings, name)
        window = f"throttle_{scope}_window_seconds"
        values[window] = _whole_seconds(env, f"ROKIN_{window.upper()}", getattr(Settings, window))
    return values


def _whole_number(env: os._Environ | dict, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number, at least 1, not {raw!r}")
    return int(raw)


def _whole_seconds(env: os._Environ | dict, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of seconds, at least 1, not {raw!r}")
    return int(raw)


def _address(env: os._Environ | dict, name: str) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"{name} must be host:port (e.g. 127.0.0.1:9464), not {value!r}")
    return value


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:9465`` for IPv6) as a (host, port) pair; checked by ``Settings.from_env``."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def secret_key(settings: Settings, env: os._Environ | dict | None = None) -> str:
    """ROKIN_SECRET_KEY, or a key kept in the data directory so sessions survive restarts."""
    env = os.environ if env is None else env
    if env.get("ROKIN_SECRET_KEY"):
        return env["ROKIN_SECRET_KEY"]
    path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of ``rokin dev`` made it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()
