# Sandbank in a container:
#   docker build -t sandbank .
#   docker run -p 127.0.0.1:8000:8000 -v sandbank-data:/data \
#       -e SANDBOX_BASE_URL=http://127.0.0.1:8000 sandbank
# SANDBOX_BASE_URL is the URL clients use: issuers are built from it, a server listening off
# loopback answers only requests addressed to it, and plain-http OAuth works on loopback only.
# BASE is any Debian-like image with python3 (3.11+) and its venv module: CI builds this file
# with podman on a Debian base made by .ci/image-base (docs/operations.md, "Podman"). A
# virtualenv keeps the steps working on Debian's own python3 (PEP 668 guards its pip).
# Everything the server writes (secret key, SQLite database, snapshots) goes to /data.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/sandbank/bin:$PATH

WORKDIR /src
COPY . .
RUN python3 -m venv /opt/sandbank \
    && pip install . \
    && useradd --system --uid 10001 --home-dir /data --no-create-home sandbank \
    && mkdir -p /data \
    && chown sandbank:sandbank /data

ENV SANDBOX_INSTANCE_DIR=/data
VOLUME /data
WORKDIR /data
USER sandbank

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["sandbox", "serve", "--host", "0.0.0.0", "--port", "8000"]
