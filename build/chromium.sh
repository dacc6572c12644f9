#!/usr/bin/env bash
# build/chromium.sh: Debian's Chromium for the report's browser tests (headless, driven over the DevTools protocol).
#
#   build/chromium.sh   install (apt, as root) if missing; prints the browser's path on the last line
#
# The tests start and stop the browser themselves (fresh profile, loopback only); without it they skip with the reason.
set -euo pipefail
for candidate in "${DRTOOLS_TEST_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [[ -n $candidate && -x $candidate ]]; then echo "$candidate"; exit 0; fi
done
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
  echo "Chromium is not installed and cannot be installed here (needs root and apt-get)." >&2
  exit 1
fi
echo "installing Chromium from Debian packages (about a minute)..." >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing on a fresh machine; an install that fails on a stale list gets one update and a retry.
apt-get install -y -qq --no-install-recommends chromium >&2 || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends chromium >&2; }
command -v chromium
