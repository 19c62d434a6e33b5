# Superset for docker-compose.yml: the official 6.1.0 image plus the Trino driver, which the lean
# image leaves out (Superset reads only through Trino). Pinned like superset/requirements.txt.
FROM apache/superset:6.1.0
USER root
# The image's Python lives in /app/.venv, managed by uv (no pip inside); fall back to pip if not.
RUN . /app/.venv/bin/activate && \
    if command -v uv >/dev/null; then uv pip install --no-cache trino==0.340.0; \
    else pip install --no-cache-dir trino==0.340.0; fi
USER superset
