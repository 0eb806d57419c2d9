"""The several-machines example (examples/several-machines/) stays true to the code: its
services run real `powerpulse` commands, set only variables PowerPulse reads, share one database
and signing key, and nginx sends every api instance traffic with the stream unbuffered.
(No container engine runs compose here: podman has no compose; the image itself is tested in
tests/appliance.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from powerpulse.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "several-machines"
CONFIG_SOURCE = (ROOT / "app" / "powerpulse" / "config.py").read_text()


def powerpulse_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: svc
        for name, svc in compose["services"].items()
        if str(svc.get("image", "")).startswith("${POWERPULSE_IMAGE")
    }


def test_the_services_run_real_commands_with_known_settings() -> None:
    compose = yaml.safe_load((EXAMPLE / "docker-compose.yml").read_text())
    services = powerpulse_services(compose)
    commands = {name: svc["command"] for name, svc in services.items()}
    parser = build_parser()
    for name, command in commands.items():
        assert command[0] == "powerpulse", name
        parser.parse_args(command[1:])  # exits (fails the test) on an unknown command
    roles = sorted(c[1] for c in commands.values())
    assert roles == ["api", "api", "migrate", "poller", "poller"]
    known = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', CONFIG_SOURCE)) | {"TZ"}
    urls, secrets = set(), set()
    for name, svc in services.items():
        env = svc["environment"]
        assert set(env) <= known, f"{name} sets variables PowerPulse does not read"
        urls.add(env["DATABASE_URL"])
        secrets.add(env["JWT_SECRET"])
        assert env["DATABASE_URL"].startswith("postgres://")
    assert len(urls) == 1 and len(secrets) == 1  # one database, one signing key
    sites = sorted(
        svc["environment"]["POLLER_SITES"]
        for svc in services.values()
        if svc["command"][1] == "poller"
    )
    assert sites == ["lyon", "paris"]


def test_nginx_sends_traffic_to_every_api_instance_and_streams_unbuffered() -> None:
    compose = yaml.safe_load((EXAMPLE / "docker-compose.yml").read_text())
    apis = sorted(n for n, s in powerpulse_services(compose).items() if s["command"][1] == "api")
    conf = (EXAMPLE / "nginx.conf").read_text()
    upstream = re.findall(r"^\s*server\s+([\w-]+):8080\b", conf, re.MULTILINE)
    assert sorted(upstream) == apis
    stream = conf[conf.index("location /api/stream") :]
    assert "proxy_buffering off;" in stream.split("}")[0]
    # The api believes the proxy's X-Forwarded-For: one guesser cannot lock everyone out.
    assert all(
        s["environment"].get("TRUSTED_PROXIES") == "1"
        for s in powerpulse_services(compose).values()
        if s["command"][1] == "api"
    )
