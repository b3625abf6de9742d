# asc-bot: `docker build -t asc-bot . && docker run --env-file bot.env -p 3000:3000 -v asc-bot-data:/data asc-bot`
# Pinned to a patch release on a named Debian release; bump it deliberately.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ASC_BOT_DB=/data/asc-bot.db

RUN useradd --create-home --uid 10001 ascbot && mkdir -p /data && chown ascbot /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY commands ./commands
COPY storage ./storage
RUN pip install --no-compile . && rm -rf /root/.cache

USER ascbot
VOLUME ["/data"]
EXPOSE 3000
# Liveness (/healthz: the event loop answers), not /readyz: a Slack or App Store Connect outage makes
# the bot unready but a restart would not fix it. No curl in the image: Python's urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys,urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status != 200)"]
ENTRYPOINT ["asc-bot"]
CMD ["serve", "--host", "0.0.0.0", "--port", "3000"]
