#!/usr/bin/env bash
# bench/run.sh: DrTools vs restic vs rclone on the same generated tree and the same local S3 server (Ceph RGW).
#
#   bench/run.sh [--size-gb N | --files N] [--port P] [--restic-repos K] [--no-core | --core] [--keep]
#
#   --size-gb N       size of the generated tree (default 2: 20 000 small files + 3 large files of ~1.5 GB in all;
#                     everything scales with N, e.g. --size-gb 0.2 for a quick check)
#   --files N         scale mode instead: N small files of 1-4 KiB in N/500 folders (e.g. --files 500000); rows
#                     first backup, no-change re-run, re-run after editing 0.1% of the files; DrTools and restic
#                     (rclone and the ceiling move bytes, not files, and are left out); repository index sizes
#   --port P          port for the RGW this script starts and stops (default 7482)
#   --restic-repos K  restic repositories whose bytes after the edits give the median (default 5: the timed one
#                     and K-1 extra local ones, backed up untimed; 1 in scale mode)
#   --no-core         skip the "DrTools engine only" runs (drbench, no PowerShell); the default in scale mode,
#   --core            where --core adds them (about a third more time)
#   --keep            keep the work folder (tree, logs, RGW) for inspection; stop RGW yourself with build/rgw.sh stop P
#
# Rows: first backup, no-change re-run, re-run after edits, full restore (verified file by file against the source's
# SHA-256; not in scale mode). Each row runs every tool in turn before the next row starts. Prints markdown tables;
# logs and raw figures stay in the work folder while it runs (and after, with --keep). Nothing here runs in CI.
set -euo pipefail

SIZE_GB=2; FILES=0; PORT=7482; CORE=; KEEP=0; RESTIC_REPOS=
while [[ $# -gt 0 ]]; do
  case $1 in
    --size-gb) SIZE_GB=$2; shift 2 ;;
    --files) FILES=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --restic-repos) RESTIC_REPOS=$2; shift 2 ;;
    --no-core) CORE=0; shift ;;
    --core) CORE=1; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
SCALE=0; [[ $FILES != 0 ]] && SCALE=1
[[ -z $RESTIC_REPOS ]] && { [[ $SCALE == 1 ]] && RESTIC_REPOS=1 || RESTIC_REPOS=5; }
[[ -z $CORE ]] && { [[ $SCALE == 1 ]] && CORE=0 || CORE=1; }

HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
DRBENCH=$HERE/DrBench/bin/Release/net10.0/drbench.dll
VERSION=$(grep -oP "ModuleVersion\s*=\s*'\K[0-9.]+" "$ROOT/DrTools.psd1")
MODULE=$ROOT/out/DrTools/$VERSION/DrTools.psd1
for t in restic rclone dotnet python3 sha256sum bc /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "missing: $t (restic, rclone, bc and time are Debian packages)" >&2; exit 1; }
done
RUN_START=$(date +%s)
log() { echo "[$(date +%T)] $*" >&2; }

# A rough duration from the size, measured on the 2-core dev VM (two thirds of it is restic and DrTools walking and
# storing files; the builds add about 2 minutes when nothing is built yet).
if [[ $SCALE == 1 ]]; then
  EST_S=$(echo "150 + $FILES * (0.003 + $CORE * 0.0015)" | bc -l)
  log "scale mode: $FILES files; estimated duration $(printf '%.0f' "$(echo "$EST_S / 60" | bc -l)") minutes on a quiet 2-core machine"
else
  EST_S=$(echo "150 + $SIZE_GB * 200 + ($RESTIC_REPOS - 1) * $SIZE_GB * 12" | bc -l)
  log "--size-gb $SIZE_GB; estimated duration $(printf '%.0f' "$(echo "$EST_S / 60" | bc -l)") minutes on a quiet 2-core machine"
fi

# Always (re)build Release: out/DrTools/<version>/ is shared by every configuration, and a Debug build (dotnet test)
# leaves Debug binaries there.
log "building DrTools and drbench (Release)..."
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

# ---- data ----
t0=$(date +%s.%N)
if [[ $SCALE == 1 ]]; then
  log "generating $FILES small files in $SRC"
  python3 "$HERE/tree.py" many "$SRC" "$FILES"
else
  log "generating a ${SIZE_GB} GB tree in $SRC"
  python3 "$HERE/tree.py" gen "$SRC" "$SIZE_GB"
fi
SRC_BYTES=$(find "$SRC" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f\n", s}')
SRC_FILES=$(find "$SRC" -type f | wc -l)
SRC_DIRS=$(find "$SRC" -type d | wc -l)
log "$SRC_FILES files in $SRC_DIRS folders, $SRC_BYTES bytes (generated in $(printf '%.0f' "$(echo "$(date +%s.%N) - $t0" | bc -l)") s)"

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

if [[ $SCALE == 1 ]]; then
  TOOLS=(restic drtools); [[ $CORE == 1 ]] && TOOLS+=(drcore)
  ROWS=(first nochange edited); EDIT_FRACTION=0.001
else
  TOOLS=(ceiling restic rclone drtools); [[ $CORE == 1 ]] && TOOLS+=(drcore)
  ROWS=(first nochange edited restore); EDIT_FRACTION=0.01
fi
for b in "${TOOLS[@]}"; do rclone mkdir "bench:$b"; done
restic -r "$RESTIC_REPO" init >"$WORK/restic-init.log" 2>&1

# The DrTools rows as users run them: a script run by pwsh as a process (start-up, Import-Module, the cmdlet, the
# result printed). Inside, Measure-Command times Import-Module and the cmdlet on their own: the cmdlet's figure is
# what a runbook already running in PowerShell with the module imported pays.
S3ARGS="-S3Compatible -EndpointUrl '$ENDPOINT' -AccessKey '$AK' -SecretKey '$SK' -Region us-east-1"
write_ps1() {
  cat >"$WORK/$1.ps1" <<PS1
\$import = Measure-Command { Import-Module '$MODULE' }
\$cmdlet = Measure-Command { \$script:result = $2 }
\$result | Out-Host
'IMPORT-SECONDS ' + \$import.TotalSeconds.ToString([cultureinfo]::InvariantCulture)
'CMDLET-SECONDS ' + \$cmdlet.TotalSeconds.ToString([cultureinfo]::InvariantCulture)
PS1
}
write_ps1 dr-backup "Invoke-DrBackup -Path '$SRC' -Repository s3://drtools/repo $S3ARGS"
write_ps1 dr-restore "Restore-DrBackup -Repository s3://drtools/repo -Destination '$WORK/restore-drtools' $S3ARGS"

bucket_bytes() { rclone size "bench:$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes"])'; }
files_bytes() { find "$1" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f\n", s}'; }

# The command for one tool and row; restores go to $WORK/restore-<tool>.
command_for() {
  local tool=$1 row=$2 dst=$WORK/restore-$1
  case $tool:$row in
    restic:restore) echo "restic -r $RESTIC_REPO restore latest --target $dst" ;;
    restic:*) echo "restic -r $RESTIC_REPO backup --host bench $SRC" ;;
    rclone:restore) echo "rclone copy bench:rclone/src $dst --use-json-log --stats 1h --stats-log-level NOTICE" ;;
    rclone:*) echo "rclone sync $SRC bench:rclone/src --use-json-log --stats 1h --stats-log-level NOTICE" ;;
    drtools:restore) echo "$PWSH -NoProfile -NonInteractive -File $WORK/dr-restore.ps1" ;;
    drtools:*) echo "$PWSH -NoProfile -NonInteractive -File $WORK/dr-backup.ps1" ;;
    drcore:restore) echo "dotnet $DRBENCH restore drcore repo $dst" ;;
    drcore:*) echo "dotnet $DRBENCH backup $SRC drcore repo" ;;
    ceiling:first) echo "dotnet $DRBENCH ceiling-up $SRC ceiling obj" ;;
    ceiling:restore) echo "dotnet $DRBENCH ceiling-down ceiling obj $dst" ;;
    ceiling:*) echo "" ;;
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

# The repository's index (scale mode): what a backup of many files must read and hold.
index_bytes() {
  case $1 in
    restic) rclone size bench:restic/index --json ;;
    drtools) rclone size bench:drtools/repo/index --json ;;
    drcore) rclone size bench:drcore/repo/index --json ;;
    *) echo '{"bytes":0}' ;;
  esac | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes"])'
}

checksums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

# results.tsv: row, tool, wall s, peak RSS KB, bytes uploaded, cmdlet s in-session (or -), import s (or -), index bytes (or -)
step() {
  local tool=$1 row=$2 cmd before after t0 t1 wall rss up insession=- import=- index=-
  cmd=$(command_for "$tool" "$row")
  [[ -z $cmd ]] && return 0
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
  if [[ $tool == drtools ]]; then
    insession=$(awk '/^CMDLET-SECONDS / {print $2}' "$WORK/log.$tool.$row")
    import=$(awk '/^IMPORT-SECONDS / {print $2}' "$WORK/log.$tool.$row")
  fi
  [[ $SCALE == 1 ]] && index=$(index_bytes "$tool")
  printf '%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\n' "$row" "$tool" "$wall" "$rss" "$up" "$insession" "$import" "$index" >>"$RESULTS"
  log "$row / $tool: $(printf '%.1f' "$wall") s, peak RSS $((rss / 1024)) MB, uploaded $up bytes$([[ $insession != - ]] && echo ", cmdlet in-session $insession s")"
}

# restic's chunker polynomial is random per repository, so its bytes after the edits vary: K-1 more repositories
# (local folders, untimed) back up the same tree and its edit; the report uses the median of all K.
extra_restic() {
  local phase=$1 k repo before after
  for ((k = 2; k <= RESTIC_REPOS; k++)); do
    repo=$WORK/restic-extra-$k
    if [[ $phase == first ]]; then
      restic -r "$repo" init >/dev/null 2>&1
      restic -r "$repo" backup --host bench "$SRC" >"$WORK/log.restic-extra-$k.first" 2>&1
    else
      before=$(files_bytes "$repo")
      restic -r "$repo" backup --host bench "$SRC" >"$WORK/log.restic-extra-$k.edited" 2>&1
      after=$(files_bytes "$repo")
      printf '%s\n' "$((after - before))" >>"$WORK/restic-edited-bytes"
      rm -rf "$repo"
    fi
  done
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for row in "${ROWS[@]}"; do
  if [[ $row == edited ]]; then
    log "editing the tree"
    python3 "$HERE/tree.py" edit "$SRC" "$EDIT_FRACTION" >&2
  fi
  if [[ $row == restore ]]; then
    checksums "$SRC" >"$WORK/source.sha256"
    for t in "${TOOLS[@]}"; do
      step "$t" restore
      # restic and rclone leave their restored files in the page cache; DrTools' restore time includes flushing its
      # files to disk. Time the flush of the others' right after (not part of their row) to compare like with like.
      if [[ $t == restic || $t == rclone ]]; then
        f0=$(date +%s.%N); sync; f1=$(date +%s.%N)
        printf '%.2f' "$(echo "$f1 - $f0" | bc -l)" >"$WORK/flush.$t"
      fi
      if [[ $t == ceiling ]]; then
        [[ $(files_bytes "$WORK/restore-ceiling") == "$SRC_BYTES" ]] || { echo "FAILED: the ceiling download is not $SRC_BYTES bytes" >&2; exit 1; }
      elif ! checksums "$(restored_root "$t")" | cmp -s - "$WORK/source.sha256"; then
        echo "FAILED: $t restored a tree that differs from the source" >&2
        checksums "$(restored_root "$t")" | diff - "$WORK/source.sha256" | head >&2; exit 1
      else
        log "restore / $t: every file matches the source"
      fi
      rm -rf "$WORK/restore-$t"
    done
    continue
  fi
  for t in "${TOOLS[@]}"; do step "$t" "$row"; done
  if [[ $RESTIC_REPOS -gt 1 && ( $row == first || $row == edited ) ]]; then
    log "$row: $((RESTIC_REPOS - 1)) more restic repositories (untimed, for the median of the bytes after the edits)"
    extra_restic "$row"
  fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
awk -F'\t' '$1 == "edited" && $2 == "restic" {print $5}' "$RESULTS" >>"$WORK/restic-edited-bytes"

# ---- report ----
echo
if [[ $SCALE == 1 ]]; then
  echo "Tree: $SRC_FILES files in $SRC_DIRS folders, $(echo "$SRC_BYTES / 1000000" | bc) MB (--files $FILES); 0.1% of the files edited for the third row."
else
  echo "Tree: $SRC_FILES files, $(echo "$SRC_BYTES / 1000000" | bc) MB (--size-gb $SIZE_GB)."
fi
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(uname -sr)."
echo "Load average at start: $LOAD_START; at end: $LOAD_END. Warm page cache (the tree was just written; caches are not dropped)."
echo "restic $(restic version | cut -d' ' -f2), rclone $(rclone version | head -1 | cut -d' ' -f2), DrTools $VERSION ($(git -C "$ROOT" rev-parse --short HEAD)), PowerShell $($PWSH -NoProfile -NonInteractive -c '$PSVersionTable.PSVersion.ToString()'), $(radosgw --version | cut -d' ' -f1-3)."
echo
FLUSH_RESTIC=$(cat "$WORK/flush.restic" 2>/dev/null || echo 0); FLUSH_RCLONE=$(cat "$WORK/flush.rclone" 2>/dev/null || echo 0)
python3 "$HERE/report.py" "$RESULTS" "$SRC_BYTES" "$SRC_FILES" "$WORK/restic-edited-bytes" "$FLUSH_RESTIC" "$FLUSH_RCLONE"
echo
echo "Whole run: $(( ($(date +%s) - RUN_START) / 60 )) min $(( ($(date +%s) - RUN_START) % 60 )) s (estimated $(printf '%.0f' "$(echo "$EST_S / 60" | bc -l)") min)."
