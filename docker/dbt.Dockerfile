# dbt for docker-compose.yml: the same pinned dbt-core and dbt-postgres as ./runnel installs
# (dbt/requirements.txt, installed with --no-deps for the reason its header gives).
FROM python:3.12-slim
COPY dbt/requirements.txt /tmp/dbt-requirements.txt
RUN pip install --no-cache-dir --no-deps -r /tmp/dbt-requirements.txt && rm /tmp/dbt-requirements.txt
USER nobody
