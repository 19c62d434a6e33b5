#!/usr/bin/env python3
"""Summarizes a benchmark's results.jsonl as the Markdown table BENCHMARKS.md records."""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    runs = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                runs[r["label"]].append(r)

    def cell(values, fmt):
        values = sorted(values)
        return f"{fmt(statistics.median(values))} ({fmt(values[0])}–{fmt(values[-1])})"

    print("| run | n | events/s offered | events landed | freshness p50 ms | p95 ms | p99 ms | job CPU-s per 1M events |")
    print("|---|---|---|---|---|---|---|---|")
    for label in sorted(runs):
        rs = runs[label]
        print(
            f"| {label} | {len(rs)} | {rs[0]['rate']:,} "
            f"| {cell([r['events'] for r in rs], lambda v: f'{v:,.0f}')} "
            f"| {cell([r['p50_ms'] for r in rs], lambda v: f'{v:,.0f}')} "
            f"| {cell([r['p95_ms'] for r in rs], lambda v: f'{v:,.0f}')} "
            f"| {cell([r['p99_ms'] for r in rs], lambda v: f'{v:,.0f}')} "
            f"| {cell([r['cpu_s'] / max(r['events'], 1) * 1e6 for r in rs], lambda v: f'{v:,.1f}')} |"
        )
    print()
    print("Median (min–max) over the runs; 'landed' counts events in the table, which must equal what the producer acked:")
    for label in sorted(runs):
        for r in runs[label]:
            ok = "ok" if r["events"] == r["acked"] else f"MISMATCH acked {r['acked']}"
            print(f"- {label}: landed {r['events']:,}, acked {r['acked']:,}: {ok}")


if __name__ == "__main__":
    main(sys.argv[1])
