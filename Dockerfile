# One image for the web and the worker; the command chooses which (`rokin web` / `rokin worker`).
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 rokin
WORKDIR /app
COPY pyproject.toml README.md worker.py ./
COPY domain domain
COPY store store
COPY pki pki
COPY rokin rokin
COPY web web
COPY workflows workflows
COPY activities activities
RUN pip install --no-cache-dir .
USER rokin
ENV ROKIN_DATA_DIR=/data
CMD ["rokin", "web"]
