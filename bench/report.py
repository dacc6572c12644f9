#!/usr/bin/env python3
"""Formats bench/run.sh's results.tsv (row, tool, wall s, peak RSS KB, bytes uploaded) as markdown tables."""
import sys

ROWS = [("first", "first backup"), ("nochange", "no-change re-run"), ("edited", "re-run after edits"), ("restore", "full restore")]
NAMES = {"restic": "restic", "rclone": "rclone", "drtools": "DrTools (pwsh)", "drcore": "DrTools engine only"}
PEERS = ("restic", "rclone")

path, src_bytes = sys.argv[1], int(float(sys.argv[2]))
data = {}
for line in open(path):
    row, tool, wall, rss, up = line.split("\t")
    data[(row, tool)] = (float(wall), int(rss) / 1024, int(up))
tools = [t for t in NAMES if any(k[1] == t for k in data)]

def mb(n):
    return f"{n / 1e6:.1f}" if n >= 10**7 else f"{n / 1e6:.3f}"

print("| Row | Tool | Wall (s) | MB/s | Uploaded (MB) | Peak RSS (MB) |")
print("|---|---|--:|--:|--:|--:|")
for row, label in ROWS:
    for t in tools:
        if (row, t) not in data: continue
        wall, rss, up = data[(row, t)]
        print(f"| {label} | {NAMES[t]} | {wall:.1f} | {src_bytes / 1e6 / wall:.1f} | {mb(up)} | {rss:.0f} |")

def ratios(dr):
    print()
    print(f"Ratios for {NAMES[dr]} (time: < 1 is faster than the faster peer; bytes: <= 1 uploads no more than restic):")
    print()
    print("| Row | Faster peer | Time / faster peer | Bytes / restic | Peak RSS (MB) | Speed target | Memory target (< 300 MB) |")
    print("|---|---|--:|--:|--:|---|---|")
    for row, label in ROWS:
        if (row, dr) not in data: continue
        wall, rss, up = data[(row, dr)]
        peer = min(PEERS, key=lambda p: data[(row, p)][0])
        r = wall / data[(row, peer)][0]
        restic_up = data[(row, "restic")][2]
        # Bytes matter where data moves; for the no-change row both figures are metadata (shown in MB above).
        br = f"{up / restic_up:.2f}" if row in ("first", "edited") and restic_up > 0 else "-"
        print(f"| {label} | {peer} ({data[(row, peer)][0]:.1f} s) | {r:.2f} | {br} | {rss:.0f} | {'met' if r <= 1 else 'missed'} | {'met' if rss < 300 else 'missed'} |")

for dr in ("drtools", "drcore"):
    if dr in tools: ratios(dr)
