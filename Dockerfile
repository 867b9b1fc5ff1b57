# newsmon in a slim, non-root image; the archive lives on the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="" \
    NEWSMON_DB=/data/newsmon.db

RUN useradd --create-home --uid 10001 newsmon \
    && mkdir -p /data \
    && chown newsmon:newsmon /data

WORKDIR /app
COPY pyproject.toml README.md scrapy.cfg ./
COPY crawler ./crawler
COPY monitor ./monitor
COPY seeds ./seeds
# The same install as the README's run command.
RUN pip install --no-cache-dir .

USER newsmon
VOLUME ["/data"]
ENTRYPOINT ["newsmon"]
CMD ["--help"]
