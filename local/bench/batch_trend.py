#!/usr/bin/env python3
"""Is the lag flat? Median batch size and duration of a Bronze run's batches, by thirds of the
measured window (after the warm-up), from the job's log. Growing batches and durations mean the
job falls behind; flat ones mean it keeps up."""
import re
import statistics
import sys
from datetime import datetime

BATCH = re.compile(r"^(\d\d:\d\d:\d\d) INFO .*batch (\d+): ([\d,]+) rows in ([\d,]+) ms")


def main(log, warmup_seconds):
    batches = []
    for line in open(log, encoding="utf-8", errors="replace"):
        m = BATCH.match(line)
        if m:
            t = datetime.strptime(m.group(1), "%H:%M:%S")
            batches.append((t, int(m.group(3).replace(",", "")), int(m.group(4).replace(",", ""))))
    if not batches:
        print(f"{log}: no batches")
        return
    start = batches[0][0]
    measured = [b for b in batches if (b[0] - start).total_seconds() >= warmup_seconds]
    # The last batches drain after the producer stopped: leave out the final 10%.
    measured = measured[: max(3, int(len(measured) * 0.9))]
    third = max(1, len(measured) // 3)
    parts = [measured[:third], measured[third : 2 * third], measured[2 * third :]]
    cells = []
    for p in parts:
        if p:
            cells.append(
                f"{statistics.median(b[1] for b in p):,.0f} rows / {statistics.median(b[2] for b in p):,.0f} ms"
            )
    print(f"{log}: " + " → ".join(cells))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 45)
