# newsmon in a slim, non-root image. The archive and the configuration live on the /data
# volume: /data/newsmon/newsmon.db and /data/newsmon/config.toml (optional).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="" \
    XDG_DATA_HOME=/data \
    XDG_CONFIG_HOME=/data \
    PATH=/opt/newsmon/bin:$PATH

RUN groupadd --gid 10001 newsmon \
    && useradd --create-home --uid 10001 --gid 10001 newsmon \
    && mkdir -p /data/newsmon \
    && chown -R newsmon:newsmon /data

WORKDIR /src
COPY pyproject.toml README.md scrapy.cfg ./
COPY crawler ./crawler
COPY monitor ./monitor
COPY seeds ./seeds
# The same install as the README's run command: a virtual environment, then `pip install .`.
RUN python3 -m venv /opt/newsmon && /opt/newsmon/bin/pip install -q .

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# Fails when the daemon's heartbeat is stale or a source keeps failing.
HEALTHCHECK --interval=1m --timeout=30s --start-period=2m --retries=3 \
    CMD ["newsmon", "status", "--check"]
# Exec form: the daemon itself gets SIGTERM on `docker stop` and exits cleanly.
ENTRYPOINT ["newsmon"]
CMD ["daemon"]
