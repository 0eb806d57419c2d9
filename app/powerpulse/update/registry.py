"""Ask an image registry which digest a tag points at, without pulling anything.

`HEAD /v2/<repository>/manifests/<tag>` with the manifest media types in `Accept` answers with
`Docker-Content-Digest`. Docker Hub (and other token registries) first answer 401 with a
`WWW-Authenticate: Bearer realm=…,service=…,scope=…` challenge; an anonymous token from the realm
is enough for public images. Loopback registries are spoken to over plain HTTP (as Docker does);
every other registry over HTTPS unless the engine lists it as insecure.

Blocking (urllib): callers run it in a thread.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    )
)
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


class RegistryError(Exception):
    """The registry could not be asked, or did not answer with a digest."""


@dataclass(frozen=True)
class ImageRef:
    """A normalised image reference: `registry/repository:tag` (or pinned `@digest`)."""

    registry: str
    repository: str
    tag: str
    digest: str | None = None

    @property
    def name(self) -> str:
        """`registry/repository`, the form engines use in `RepoDigests`."""
        return f"{self.registry}/{self.repository}"

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry


def parse_image_ref(ref: str) -> ImageRef:
    """Normalise `ref` the way Docker does (`nginx` → `docker.io/library/nginx:latest`)."""
    ref = ref.strip()
    if not ref or " " in ref:
        raise ValueError(f"not an image reference: {ref!r}")
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, ref
    tag = "latest"
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, tag = path.rsplit(":", 1)
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return ImageRef(registry=registry, repository=path.lower(), tag=tag, digest=digest)


def repo_digests_for(ref: ImageRef, repo_digests: list[str]) -> list[str]:
    """The digests in an image's `RepoDigests` that belong to `ref`'s repository (podman may
    list several: the pushed and the pulled manifest of the same image)."""
    found: list[str] = []
    for entry in repo_digests:
        name, _, digest = entry.partition("@")
        try:
            if digest and parse_image_ref(name).name == ref.name and digest not in found:
                found.append(digest)
        except ValueError:
            continue
    return found


def is_loopback(registry: str) -> bool:
    host = registry.rsplit(":", 1)[0] if not registry.endswith("]") else registry
    return host in LOOPBACK or re.fullmatch(r"127\.\d+\.\d+\.\d+", host) is not None


def _bearer_token(challenge: str, timeout: float) -> str:
    params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = params.pop("realm", "")
    if not realm.startswith("https://"):
        raise RegistryError("the registry asked for authentication this check cannot give")
    url = f"{realm}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (https realm)
        body = json.loads(resp.read())
    token = body.get("token") or body.get("access_token")
    if not token:
        raise RegistryError("the registry's token service gave no token")
    return str(token)


def _head(url: str, token: str | None, timeout: float) -> tuple[int, dict[str, str]]:
    headers = {"Accept": MANIFEST_TYPES}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, method="HEAD", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310
            return resp.status, dict(resp.headers.items())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items())


def manifest_digest(ref: ImageRef, *, insecure: bool = False, timeout: float = 10.0) -> str:
    """The digest the registry currently serves for `ref`'s tag."""
    scheme = "http" if insecure or is_loopback(ref.registry) else "https"
    url = f"{scheme}://{ref.api_host}/v2/{ref.repository}/manifests/{ref.tag}"
    try:
        status, headers = _head(url, None, timeout)
        challenge = {k.lower(): v for k, v in headers.items()}.get("www-authenticate", "")
        if status == 401 and challenge.lower().startswith("bearer "):
            status, headers = _head(url, _bearer_token(challenge[7:], timeout), timeout)
    except (OSError, ValueError) as err:
        raise RegistryError(f"cannot reach registry {ref.registry}: {err}") from None
    if status == 404:
        raise RegistryError(f"{ref.repository}:{ref.tag} not found on {ref.registry}")
    if status in (401, 403):
        raise RegistryError(f"registry {ref.registry} refused access to {ref.repository}")
    digest = {k.lower(): v for k, v in headers.items()}.get("docker-content-digest")
    if status != 200 or not digest:
        raise RegistryError(f"registry {ref.registry} answered HTTP {status} without a digest")
    return digest
