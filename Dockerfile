# One image for the web (gunicorn), the PKI listener, the worker and the migration; the compose
# file's command chooses (`gunicorn -c python:rokin.gunicorn_conf 'web:create_app()'`, `rokin worker`,
# `rokin migrate`). Health checks are in docker-compose.yml (`python -m rokin.healthcheck http URL`).
FROM python:3.11-slim
# IPAGothic: the written revocation request's PDF embeds it (web/revocation_request/request_pdf.py FONT_FILE).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends fonts-ipafont-gothic \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 rokin
WORKDIR /app
COPY pyproject.toml README.md worker.py ./
COPY contract contract
COPY core core
COPY domain domain
COPY store store
COPY pki pki
COPY rokin rokin
COPY usecases usecases
COPY web web
COPY workflows workflows
COPY activities activities
RUN pip install --no-cache-dir .
# The data directory belongs to the app user, so a fresh named volume on /data/pki does too.
RUN mkdir -p /data/pki && chown -R rokin:rokin /data
USER rokin
ENV ROKIN_DATA_DIR=/data PYTHONUNBUFFERED=1
CMD ["rokin", "worker"]
