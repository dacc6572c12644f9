#!/usr/bin/env bash
# bench/run.sh: DrTools vs restic vs rclone on the same generated tree and the same local S3 server (Ceph RGW).
#
#   bench/run.sh [--size-gb N] [--port P] [--no-core] [--keep]
#
#   --size-gb N  size of the generated tree (default 2: 20 000 small files + 3 large files of ~1.5 GB in all;
#                everything scales with N, e.g. --size-gb 0.2 for a quick check)
#   --port P     port for the RGW this script starts and stops (default 7482)
#   --no-core    skip the "DrTools engine only" runs (drbench, no PowerShell)
#   --keep       keep the work folder (tree, logs, RGW) for inspection; stop RGW yourself with build/rgw.sh stop P
#
# Rows: first backup, no-change re-run, re-run after editing 1% of the small files and 1 MiB in the middle of the
# largest file, full restore (verified file by file against the source's SHA-256). Each row runs every tool in
# turn before the next row starts. Prints a markdown table; logs and raw figures stay in the work folder while it
# runs (and after, with --keep). Nothing here runs in CI.
set -euo pipefail

SIZE_GB=2; PORT=7482; CORE=1; KEEP=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-gb) SIZE_GB=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --no-core) CORE=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
DRBENCH=$HERE/DrBench/bin/Release/net10.0/drbench.dll
MODULE=$ROOT/out/DrTools/$(grep -oP "ModuleVersion\s*=\s*'\K[0-9.]+" "$ROOT/DrTools.psd1")/DrTools.psd1
for t in restic rclone dotnet python3 sha256sum /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t (restic, rclone and time are Debian packages)" >&2; exit 1; }
done
# Always (re)build Release: out/DrTools/<version>/ is shared by every configuration, and a Debug build (dotnet test)
# leaves Debug binaries there.
echo "building DrTools and drbench (Release)..." >&2
dotnet build "$ROOT/DrTools.sln" -c Release -v q -nologo >"/tmp/drbench-build-$$.log" 2>&1 || { cat "/tmp/drbench-build-$$.log" >&2; exit 1; }
dotnet build "$HERE/DrBench" -c Release -v q -nologo >>"/tmp/drbench-build-$$.log" 2>&1 || { cat "/tmp/drbench-build-$$.log" >&2; exit 1; }
rm -f "/tmp/drbench-build-$$.log"
# The pwsh pinned in .config/dotnet-tools.json, started directly (dotnet pwsh.dll) as an installed pwsh would be,
# without the dotnet tool dispatcher in the timed process.
(cd "$ROOT" && dotnet tool restore >/dev/null)
PWSH="dotnet $(cd "$ROOT" && dotnet pwsh -NoProfile -NonInteractive -c 'Join-Path $PSHOME pwsh.dll')"

WORK=$(mktemp -d /tmp/drbench.XXXXXX)
SRC=$WORK/src
RESULTS=$WORK/results.tsv
export DRTOOLS_RGW_DIR=$WORK/rgw
cleanup() {
  if [[ $KEEP == 1 ]]; then echo "kept $WORK (RGW still running on $PORT)" >&2; return; fi
  "$ROOT/build/rgw.sh" stop "$PORT" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }

# ---- data ----
log "generating a ${SIZE_GB} GB tree in $SRC"
python3 "$HERE/tree.py" gen "$SRC" "$SIZE_GB"
SRC_BYTES=$(find "$SRC" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f\n", s}')
SRC_FILES=$(find "$SRC" -type f | wc -l)
log "$SRC_FILES files, $SRC_BYTES bytes"

# ---- S3 server and clients ----
log "starting RGW on $PORT"
RGW_ENV=$("$ROOT/build/rgw.sh" start "$PORT" 2>"$WORK/rgw-start.log" | tail -1) || true
if [[ $RGW_ENV != export* ]]; then echo "RGW did not start:" >&2; tail -20 "$WORK/rgw-start.log" >&2; exit 1; fi
eval "$RGW_ENV"
ENDPOINT=$DRTOOLS_TEST_S3_ENDPOINT AK=$DRTOOLS_TEST_S3_ACCESS_KEY SK=$DRTOOLS_TEST_S3_SECRET_KEY
# Plain http on loopback: a CA bundle from the environment only makes rclone's SDK refuse its transport.
unset AWS_CA_BUNDLE
export RCLONE_CONFIG=/dev/null RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Ceph \
  RCLONE_CONFIG_BENCH_ENDPOINT=$ENDPOINT RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=$AK RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=$SK
export AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK RESTIC_PASSWORD=bench-password RESTIC_CACHE_DIR=$WORK/restic-cache
export DRBENCH_ENDPOINT=$ENDPOINT DRBENCH_ACCESS_KEY=$AK DRBENCH_SECRET_KEY=$SK
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
RESTIC_REPO=s3:$ENDPOINT/restic
S3ARGS="-S3Compatible -EndpointUrl '$ENDPOINT' -AccessKey '$AK' -SecretKey '$SK' -Region us-east-1"

TOOLS=(restic rclone drtools); [[ $CORE == 1 ]] && TOOLS+=(drcore)
for b in "${TOOLS[@]}"; do rclone mkdir "bench:$b"; done
restic -r "$RESTIC_REPO" init >"$WORK/restic-init.log" 2>&1

bucket_bytes() { rclone size "bench:$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes"])'; }

# The command for one tool and row; restores go to $WORK/restore-<tool>.
command_for() {
  local tool=$1 row=$2 dst=$WORK/restore-$1
  case $tool:$row in
    restic:restore) echo "restic -r $RESTIC_REPO restore latest --target $dst" ;;
    restic:*) echo "restic -r $RESTIC_REPO backup --host bench $SRC" ;;
    rclone:restore) echo "rclone copy bench:rclone/src $dst --use-json-log --stats 1h --stats-log-level NOTICE" ;;
    rclone:*) echo "rclone sync $SRC bench:rclone/src --use-json-log --stats 1h --stats-log-level NOTICE" ;;
    drtools:restore) echo "$PWSH -NoProfile -NonInteractive -c \"Import-Module '$MODULE'; Restore-DrBackup -Repository s3://drtools/repo -Destination '$dst' $S3ARGS\"" ;;
    drtools:*) echo "$PWSH -NoProfile -NonInteractive -c \"Import-Module '$MODULE'; Invoke-DrBackup -Path '$SRC' -Repository s3://drtools/repo $S3ARGS\"" ;;
    drcore:restore) echo "dotnet $DRBENCH restore drcore repo $dst" ;;
    drcore:*) echo "dotnet $DRBENCH backup $SRC drcore repo" ;;
  esac
}

# Where the tool puts the restored tree.
restored_root() {
  case $1 in
    restic) echo "$WORK/restore-restic$SRC" ;;
    rclone) echo "$WORK/restore-rclone" ;;
    *) echo "$WORK/restore-$1/src" ;;
  esac
}

checksums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

step() {
  local tool=$1 row=$2 cmd before after t0 t1 wall rss up
  cmd=$(command_for "$tool" "$row")
  before=$(bucket_bytes "$tool")
  log "$row / $tool: $cmd"
  # Write back what earlier steps left dirty, untimed: a tool that flushes its own files (DrTools' restore does)
  # must not also pay for the previous tool's 2 GB still waiting in the page cache. Caches are not dropped.
  sync
  t0=$(date +%s.%N)
  if ! eval "/usr/bin/time -v -o '$WORK/time.$tool.$row' $cmd" >"$WORK/log.$tool.$row" 2>&1; then
    echo "FAILED: $tool $row; last lines of $WORK/log.$tool.$row:" >&2; tail -20 "$WORK/log.$tool.$row" >&2; exit 1
  fi
  t1=$(date +%s.%N)
  after=$(bucket_bytes "$tool")
  wall=$(echo "$t1 - $t0" | bc -l)
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.$tool.$row")
  up=$((after - before))
  # rclone replaces changed objects in place, so the bucket barely grows: count what it sent instead.
  if [[ $tool == rclone && $row != restore ]]; then
    up=$(grep '"stats"' "$WORK/log.$tool.$row" | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["stats"]["bytes"])')
  fi
  printf '%s\t%s\t%.2f\t%s\t%s\n' "$row" "$tool" "$wall" "$rss" "$up" >>"$RESULTS"
  log "$row / $tool: $(printf '%.1f' "$wall") s, peak RSS $((rss / 1024)) MB, uploaded $up bytes"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for row in first nochange; do for t in "${TOOLS[@]}"; do step "$t" "$row"; done; done
log "editing the tree"
python3 "$HERE/tree.py" edit "$SRC" >&2
for t in "${TOOLS[@]}"; do step "$t" edited; done
checksums "$SRC" >"$WORK/source.sha256"
for t in "${TOOLS[@]}"; do
  step "$t" restore
  # restic and rclone leave their restored files in the page cache; DrTools' restore time includes flushing its
  # files to disk. Time the flush of the others' right after (not part of their row) to compare like with like.
  if [[ $t == restic || $t == rclone ]]; then
    f0=$(date +%s.%N); sync; f1=$(date +%s.%N)
    printf '%.1f' "$(echo "$f1 - $f0" | bc -l)" >"$WORK/flush.$t"
  fi
  if ! checksums "$(restored_root "$t")" | cmp -s - "$WORK/source.sha256"; then
    echo "FAILED: $t restored a tree that differs from the source" >&2
    checksums "$(restored_root "$t")" | diff - "$WORK/source.sha256" | head >&2; exit 1
  fi
  log "restore / $t: every file matches the source"
  rm -rf "$WORK/restore-$t"
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ----
echo
echo "Tree: $SRC_FILES files, $(echo "$SRC_BYTES / 1000000" | bc) MB (--size-gb $SIZE_GB). Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB RAM."
echo "Load average at start: $LOAD_START; at end: $LOAD_END. Warm page cache (the tree was just written; caches are not dropped)."
echo "restic $(restic version | cut -d' ' -f2), rclone $(rclone version | head -1 | cut -d' ' -f2), DrTools $(grep -oP "ModuleVersion\s*=\s*'\K[0-9.]+" "$ROOT/DrTools.psd1") ($(git -C "$ROOT" rev-parse --short HEAD)), $(radosgw --version | cut -d' ' -f1-3)."
echo
python3 "$HERE/report.py" "$RESULTS" "$SRC_BYTES"
echo
echo "Flushing a restore to disk: DrTools' restore rows include it (files are flushed before they are renamed into place);" \
  "a sync right after restic's restore took $(cat "$WORK/flush.restic") s, after rclone's $(cat "$WORK/flush.rclone") s (not in their rows)."
