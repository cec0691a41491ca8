# Tandem: one image for every replica. Run `tandem db upgrade` once per release before starting replicas.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system --gid 10001 tandem && useradd --system --uid 10001 --gid tandem --home-dir /app tandem \
    && mkdir /data && chown 10001:10001 /data

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY schedules ./schedules

# The same install as the README's demo: `pip install .`, no dev extras.
RUN python3 -m venv .venv && .venv/bin/pip install --no-cache-dir .

# One machine: SQLite on the /data volume. Several replicas: set DATABASE_URL to PostgreSQL.
ENV PATH="/app/.venv/bin:${PATH}" \
    DATABASE_URL="sqlite:////data/tandem.db"
VOLUME ["/data"]
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["tandem", "serve", "--host", "0.0.0.0", "--port", "8000"]
