# PowerPulse appliance image: the web UI built with Node, the Python package installed into a
# venv, and a slim runtime holding only what runs (no compilers, no node_modules, no tests).
#
#   docker build -t powerpulse --build-arg VERSION=2.0.0 --build-arg REVISION=$(git rev-parse HEAD) .
#
# Base images are build arguments so the same file builds from locally provided images where no
# registry is reachable. Nothing architecture-specific is downloaded: amd64 and arm64 alike.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- 1. web UI -------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS webui
WORKDIR /webui
# `webui*` so the stage still works (empty dist) while the tree has no web UI yet.
COPY .dockerignore webui* ./
RUN set -eu; \
    if [ -f package.json ]; then \
        npm ci --prefer-offline --no-audit --no-fund --loglevel=error \
        || { echo "npm ci failed (package-lock.json out of date?): using npm install" >&2; \
             npm install --prefer-offline --no-audit --no-fund --loglevel=error; }; \
        npm run build; \
    fi; \
    mkdir -p dist

# ---- 2. Python package into a venv -----------------------------------------------------------
FROM ${PYTHON_IMAGE} AS python-build
# Extra pip options, e.g. `--no-index --find-links /wheels` for an offline build.
ARG PIP_INSTALL_OPTS=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# `strip` takes the debug symbols out of the wheels' native extensions (about 30 MB: uvloop,
# asyncpg, aiohttp, pydantic-core...). Only this stage has it; a build that cannot install it
# still works, with a larger image.
RUN command -v strip >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends binutils >/dev/null \
         && rm -rf /var/lib/apt/lists/*; } \
    || echo "binutils not installable: native extensions keep their debug symbols" >&2
WORKDIR /src
COPY pyproject.toml README.m[d] ./
COPY app ./app
RUN python3 -m venv /opt/powerpulse \
    && /opt/powerpulse/bin/pip install -q $PIP_INSTALL_OPTS . \
    && /opt/powerpulse/bin/pip uninstall -q -y setuptools wheel pip \
    && if command -v strip >/dev/null; then \
        find /opt/powerpulse -name '*.so' -exec strip --strip-unneeded {} +; fi \
    && /opt/powerpulse/bin/powerpulse --version

# ---- 3. runtime ------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
RUN groupadd --gid 1000 powerpulse \
    && useradd --uid 1000 --gid 1000 --no-create-home --home-dir /app/data \
        --shell /usr/sbin/nologin powerpulse \
    && mkdir -p /app/data && chown powerpulse:powerpulse /app/data && chmod 0750 /app/data
COPY --from=python-build /opt/powerpulse /opt/powerpulse
COPY --from=webui /webui/dist /app/webui
COPY entrypoint.sh supervisord.conf /app/
RUN chmod 0755 /app/entrypoint.sh && chmod 0644 /app/supervisord.conf

ENV PATH=/opt/powerpulse/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8080 \
    POWERPULSE_DATA_DIR=/app/data \
    POWERPULSE_RUN_DIR=/run/powerpulse \
    POWERPULSE_WEBUI_DIR=/app/webui

# Last, so that a new version or revision rebuilds only these few layers.
ARG VERSION=""
ARG REVISION=""
ARG SOURCE=""
ENV POWERPULSE_VERSION=${VERSION}
LABEL org.opencontainers.image.title="PowerPulse" \
      org.opencontainers.image.description="Self-hosted UPS monitoring for Network UPS Tools servers" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"

WORKDIR /app
VOLUME /app/data
EXPOSE 8080
# Asks the api worker itself over HTTP (no curl in the image).
HEALTHCHECK --interval=20s --timeout=5s --start-period=30s --retries=3 \
    CMD ["powerpulse", "healthcheck"]
ENTRYPOINT ["/app/entrypoint.sh"]
