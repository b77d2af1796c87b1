# The worker, for docker-compose.yml.  (The tests and `make run` do not use Docker.)
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY stream ./stream
COPY schemas ./schemas
COPY samples ./samples
RUN pip install --no-cache-dir .
ENV LIVEBLOG_DATA_DIR=/data LIVEBLOG_WEB_HOST=0.0.0.0
VOLUME /data
EXPOSE 6066
CMD ["python", "-m", "stream", "worker"]
