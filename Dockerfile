# Sandbank in a container: `docker build -t sandbank . && docker run -p 8000:8000 -v sandbank:/data sandbank`
# The install step is the Makefile's (`pip install .`); `sandbox serve` seeds /data on first start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY . .
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --no-create-home sandbank \
    && mkdir -p /data \
    && chown sandbank:sandbank /data

ENV SANDBOX_DATABASE_URL=sqlite:////data/sandbox.db \
    SANDBOX_SNAPSHOT_DIR=/data/snapshots
VOLUME /data
WORKDIR /data
USER sandbank

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["sandbox", "serve", "--host", "0.0.0.0", "--port", "8000"]
