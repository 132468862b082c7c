# Production image: `pivotal serve` with several workers behind the compose file's PostgreSQL.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install . && useradd --system --uid 10001 --home /app pivotal && mkdir -p /app/var && chown pivotal /app/var
USER pivotal
EXPOSE 8000
CMD ["pivotal", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
