#!/usr/bin/env bash
# Tests that run outside tools (gcab, cabextract, zip) call this first: it installs the Debian packages named on the
# command line that are missing, when we are allowed to (root with apt-get), and says nothing when all are there.
# Idempotent. Exits non-zero, naming what is missing, when it cannot install them.
set -euo pipefail
missing=()
for package in "$@"; do
  if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" != "install ok installed" ]; then missing+=("$package"); fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "hwdash: installing Debian's ${missing[*]} for the tests" >&2
  # Another process (a parallel test worker) may hold the dpkg lock; apt-get waits for it rather than failing.
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${missing[@]}") >&2
  exit 0
fi
echo "hwdash: the tests need Debian's ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
exit 1
