"""Trino latency of every dashboard chart's query: the SQL Superset generates for the chart (from
its saved query context, through the chart data API), run RUNS times through Trino as the BI user.
Prints one JSON object per chart: name, runs, p50, p95, max (ms), rows. Run with Superset's Python.

  superset_queries.py SUPERSET_URL RUNS
Environment: RUNNEL_SUPERSET_ADMIN_PASSWORD, RUNNEL_TRINO_HOST, RUNNEL_TRINO_PORT,
RUNNEL_TRINO_BI_USER, RUNNEL_TRINO_BI_PASSWORD, RUNNEL_TRINO_CA_FILE.
"""

import json
import math
import os
import re
import sys
import time

import requests
import trino

base, runs = sys.argv[1], int(sys.argv[2])
api = requests.Session()
login = {"username": os.environ.get("RUNNEL_SUPERSET_ADMIN_USER", "admin"), "provider": "db",
         "password": os.environ["RUNNEL_SUPERSET_ADMIN_PASSWORD"], "refresh": False}
api.headers["Authorization"] = "Bearer " + api.post(f"{base}/api/v1/security/login", json=login).json()["access_token"]
connection = trino.dbapi.connect(
    host=os.environ["RUNNEL_TRINO_HOST"], port=int(os.environ["RUNNEL_TRINO_PORT"]), http_scheme="https",
    user=os.environ["RUNNEL_TRINO_BI_USER"], verify=os.environ["RUNNEL_TRINO_CA_FILE"],
    auth=trino.auth.BasicAuthentication(os.environ["RUNNEL_TRINO_BI_USER"], os.environ["RUNNEL_TRINO_BI_PASSWORD"]))
cursor = connection.cursor()

charts = api.get(f"{base}/api/v1/chart/", params={"q": "(page_size:100)"}).json()["result"]
dashboards = {}
for d in api.get(f"{base}/api/v1/dashboard/", params={"q": "(page_size:100)"}).json()["result"]:
    for c in api.get(f"{base}/api/v1/dashboard/{d['id']}/charts").json()["result"]:
        dashboards[c["id"]] = d["dashboard_title"]
for chart in sorted(charts, key=lambda c: (dashboards.get(c["id"], ""), c["slice_name"])):
    saved = api.get(f"{base}/api/v1/chart/{chart['id']}").json()["result"]
    result = api.post(f"{base}/api/v1/chart/data", json=json.loads(saved["query_context"])).json()["result"][0]
    sql = re.sub(r";\s*$", "", result["query"].strip())
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        cursor.execute(sql)
        rows = cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
    times = sorted(times[1:])  # the first run warms Trino's metadata caches: discarded
    p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]
    print(json.dumps({"dashboard": dashboards.get(chart["id"]), "chart": chart["slice_name"], "runs": runs,
                      "p50_ms": round(times[len(times) // 2]), "p95_ms": round(p95), "max_ms": round(times[-1]),
                      "rows": len(rows)}), flush=True)
