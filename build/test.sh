#!/usr/bin/env bash
# build/test.sh: builds DrTools and runs the whole test suite, exactly as CI does (.ci/run calls this).
#
# - Starts a real S3 server (Ceph radosgw, installed from Debian's packages if missing) on loopback for the
#   S3 repository tests, and stops it again. DRTOOLS_SKIP_S3_SERVER=1 skips that: those tests then report
#   themselves skipped with the reason.
# - The live suite (tests/DrTools.Live.Tests) runs only when DRTOOLS_LIVE_ENDPOINT or DRTOOLS_LIVE=1 is set.
# - Prints "N passed, N failed, N skipped" at the end; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIGURATION:-Release}
RGW_PORT=${DRTOOLS_RGW_PORT:-17480}

dotnet build DrTools.sln -c "$CONFIG" -nologo -v minimal

if [[ "${DRTOOLS_SKIP_S3_SERVER:-0}" != 1 && -z "${DRTOOLS_TEST_S3_ENDPOINT:-}" ]]; then
  trap 'build/rgw.sh stop "$RGW_PORT" >/dev/null 2>&1 || true' EXIT
  eval "$(build/rgw.sh start "$RGW_PORT" 2>/tmp/drtools-rgw-start.log | tail -n 1)" || { cat /tmp/drtools-rgw-start.log >&2; exit 1; }
  echo "S3 server (Ceph radosgw): $DRTOOLS_TEST_S3_ENDPOINT"
fi

log=$(mktemp)
set +e
dotnet test DrTools.sln -c "$CONFIG" --no-build -nologo --logger "console;verbosity=detailed" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole suite, summed over the test projects.
awk '/^ +(Passed|Failed|Skipped): +[0-9]+$/ { n[$1] += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", n["Passed:"], n["Failed:"], n["Skipped:"] }' "$log"
rm -f "$log"
exit "$status"
