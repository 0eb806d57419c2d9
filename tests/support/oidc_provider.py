"""A real OpenID provider on 127.0.0.1: the OpenID-certified `oidc-provider` npm package
(tests/oidc, installed by scripts/install-test-deps.sh), run with Node.

    with OidcProvider(redirect_uri, accounts={"alice": {"groups": ["pp-admins"]}}) as op:
        op.issuer, op.client_id, op.client_secret

Its development login form takes any account id with any password, then asks for consent;
`sign_in` fills both as a browser would and returns where the provider sends the browser back.
`tamper(mode)` makes the token endpoint answer a broken ID token (see provider.mjs).
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.nut_server import free_port, stop_process

HERE = Path(__file__).resolve().parents[1] / "oidc"
SCRIPT = HERE / "provider.mjs"


def oidc_provider_available() -> bool:
    return (HERE / "node_modules" / "oidc-provider").is_dir()


class OidcProvider:
    def __init__(self, redirect_uri: str, accounts: dict[str, dict[str, Any]]) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = "powerpulse"
        self.client_secret = secrets.token_urlsafe(24)
        self.config = {
            "port": self.port,
            "clients": [
                {
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "redirect_uris": [redirect_uri],
                }
            ],
            "accounts": accounts,
        }
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> OidcProvider:
        if not oidc_provider_available():
            raise RuntimeError("oidc-provider is not installed: run `make test-deps`")
        self.proc = subprocess.Popen(
            ["node", str(SCRIPT), json.dumps(self.config)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 20
        line = self.proc.stdout.readline()
        if not line.startswith("ready") or time.monotonic() > deadline:
            stop_process(self.proc)  # type: ignore[arg-type]
            raise RuntimeError(f"oidc-provider did not start: {line!r}")
        return self

    def __exit__(self, *_: object) -> None:
        if self.proc is not None:
            stop_process(self.proc)  # type: ignore[arg-type]

    def tamper(self, mode: str) -> None:
        httpx.post(f"{self.issuer}/__test__/tamper", json={"mode": mode}).raise_for_status()

    def sign_in(self, authorize_url: str, account: str, *, stop_at: str) -> str:
        """Follow `authorize_url` through the login and consent forms as `account`; the URL
        (starting with `stop_at`) the provider redirects the browser to at the end."""
        with httpx.Client(timeout=10) as browser:
            url = httpx.URL(authorize_url)
            for _ in range(12):
                page = browser.get(url)
                if page.is_redirect:
                    target = page.headers["location"]
                    if target.startswith(stop_at):
                        return target
                    url = url.join(target)
                    continue
                form = re.search(r'<form[^>]*action="([^"]+)"', page.text)
                assert form is not None, page.text[:500]
                fields = dict(
                    re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text)
                )
                if 'name="login"' in page.text:
                    fields.update(login=account, password="any")
                sent = browser.post(url.join(form.group(1)), data=fields)
                assert sent.is_redirect, sent.text[:500]
                url = url.join(sent.headers["location"])
        raise AssertionError("the provider never sent the browser back")
