#!/usr/bin/env python3
"""Formats bench/run.sh's results as markdown tables.

  report.py RESULTS.tsv SRC_BYTES SRC_FILES RESTIC_EDITED_BYTES_FILE FLUSH_RESTIC_S FLUSH_RCLONE_S

results.tsv columns: row, tool, wall s, peak RSS KB, bytes uploaded, cmdlet s in-session (or -), Import-Module s
(or -), repository index bytes after the row (or -, scale mode only).
"""
import statistics, sys

ROWS = [("first", "first backup"), ("nochange", "no-change re-run"), ("edited", "re-run after edits"), ("restore", "full restore")]
NAMES = {"ceiling": "ceiling (plain S3 transfer)", "restic": "restic", "rclone": "rclone", "drtools": "DrTools (pwsh process)",
         "drcore": "DrTools engine only"}
PEERS = ("restic", "rclone")
MEMORY_TARGET_MB = 300

path, src_bytes, src_files = sys.argv[1], int(float(sys.argv[2])), int(sys.argv[3])
restic_edited = [int(l) for l in open(sys.argv[4]) if l.strip()] if len(sys.argv) > 4 else []
flush = {"restic": float(sys.argv[5]) if len(sys.argv) > 5 else 0.0, "rclone": float(sys.argv[6]) if len(sys.argv) > 6 else 0.0}

data = {}
for line in open(path):
    row, tool, wall, rss, up, insession, imp, index = line.rstrip("\n").split("\t")
    data[(row, tool)] = dict(wall=float(wall), rss=int(rss) / 1024, up=int(up),
                             insession=None if insession == "-" else float(insession),
                             imp=None if imp == "-" else float(imp), index=None if index == "-" else int(index))
tools = [t for t in NAMES if any(k[1] == t for k in data)]
scale = any(v["index"] is not None for v in data.values())


def mb(n):
    return f"{n / 1e6:.1f}" if abs(n) >= 10**7 else f"{n / 1e6:.3f}"


# ---- every measurement ----
cols = "| Row | Tool | Wall (s) | MB/s | Files/s | Uploaded (MB) | Peak RSS (MB) | Cmdlet in session (s) |" + (" Index (MB) |" if scale else "")
print(cols)
print("|---|---|--:|--:|--:|--:|--:|--:|" + ("--:|" if scale else ""))
for row, label in ROWS:
    for t in tools:
        d = data.get((row, t))
        if d is None:
            continue
        ins = f"{d['insession']:.2f}" if d["insession"] is not None else "-"
        line = f"| {label} | {NAMES[t]} | {d['wall']:.2f} | {src_bytes / 1e6 / d['wall']:.1f} | {src_files / d['wall']:.0f} | {mb(d['up'])} | {d['rss']:.0f} | {ins} |"
        if scale:
            line += f" {mb(d['index']) if d['index'] is not None else '-'} |"
        print(line)
imports = [d["imp"] for d in data.values() if d["imp"] is not None]
if imports:
    print()
    print(f"Import-Module DrTools inside the pwsh process: {min(imports):.2f}-{max(imports):.2f} s (part of the process row, not of the in-session figure).")

# ---- restic's bytes after the edits ----
median = statistics.median(restic_edited) if restic_edited else None
if median is not None:
    print()
    print(f"restic's bytes after the edits in {len(restic_edited)} repositor{'y' if len(restic_edited) == 1 else 'ies'} (its chunker polynomial is random per repository): "
          + ", ".join(mb(b) for b in sorted(restic_edited)) + f" MB; median {mb(median)} MB.")


# ---- ratios and targets ----
def peer_time(row, p):
    d = data.get((row, p))
    if d is None:
        return None
    # DrTools' restore flushes its files to disk: compare with the peer's restore plus the sync that makes it durable.
    return d["wall"] + (flush.get(p, 0.0) if row == "restore" else 0.0)


def met(ok):
    return "met" if ok else "**missed**"


print()
print("Ratios and targets (time: DrTools over the faster of restic and rclone on the row, <= 1 is the target; restore: the"
      " peer's restore plus the sync after it; ceiling: DrTools' rate as a share of the plain transfer's, >= 70% on the first"
      " backup and the restore; bytes after the edits: over restic's median, <= 1; peak memory < 300 MB):")
print()
print("| Row | Faster peer (s) | pwsh process / peer | Cmdlet in session / peer | Engine only / peer | Share of ceiling (pwsh, engine) | Bytes / restic median | Peak RSS pwsh, engine (MB) | Time target (pwsh) | Memory target |")
print("|---|---|--:|--:|--:|--:|--:|--:|---|---|")
for row, label in ROWS:
    dr, core = data.get((row, "drtools")), data.get((row, "drcore"))
    if dr is None and core is None:
        continue
    peers = [(p, peer_time(row, p)) for p in PEERS if peer_time(row, p) is not None]
    if not peers:
        continue
    peer, pt = min(peers, key=lambda x: x[1])
    f = lambda d: f"{d['wall'] / pt:.2f}" if d else "-"
    ins = f"{dr['insession'] / pt:.2f}" if dr and dr["insession"] is not None else "-"
    ceiling = data.get((row, "ceiling"))
    share = "-"
    if ceiling and row in ("first", "restore"):
        share = ", ".join(f"{ceiling['wall'] / d['wall']:.0%}" for d in (dr, core) if d)
    bytes_ratio = "-"
    if row == "edited" and median:
        bytes_ratio = ", ".join(f"{d['up'] / median:.2f}" for d in (dr, core) if d)
    rss = ", ".join(f"{d['rss']:.0f}" for d in (dr, core) if d)
    time_ok = met(dr["wall"] <= pt) if dr else "-"
    mem_ok = met(all(d["rss"] < MEMORY_TARGET_MB for d in (dr, core) if d))
    peer_label = f"{peer} ({pt:.2f}{' incl. sync' if row == 'restore' and flush.get(peer) else ''})"
    print(f"| {label} | {peer_label} | {f(dr)} | {ins} | {f(core)} | {share} | {bytes_ratio} | {rss} | {time_ok} | {mem_ok} |")

# ---- scale mode: per-file cost and index ----
if scale:
    print()
    print("Per file and index (scale mode):")
    print()
    print("| Tool | First backup (µs/file) | No-change re-run (µs/file) | After edits (µs/file) | Index after the first backup (bytes/file) | Peak RSS, highest row (MB) |")
    print("|---|--:|--:|--:|--:|--:|")
    for t in tools:
        per = [f"{data[(r, t)]['wall'] / src_files * 1e6:.0f}" if (r, t) in data else "-" for r in ("first", "nochange", "edited")]
        idx = data.get(("first", t), {}).get("index")
        peak = max(d["rss"] for (r, tt), d in data.items() if tt == t)
        print(f"| {NAMES[t]} | {' | '.join(per)} | {idx / src_files:.0f} | {peak:.0f} |" if idx is not None else
              f"| {NAMES[t]} | {' | '.join(per)} | - | {peak:.0f} |")
