#!/usr/bin/env bash
# Tests that run outside tools (gcab, cabextract, zip) call this first: it installs the Debian packages named on the
# command line that are missing, when we are allowed to (root with apt-get), and says nothing when all are there.
# Idempotent. Exits non-zero, naming what is missing, when it cannot install them.
set -euo pipefail
missing() {
  local package
  for package in "$@"; do
    if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" != "install ok installed" ]; then echo "$package"; fi
  done
}
mapfile -t wanted < <(missing "$@")
[ "${#wanted[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  # Test files run in parallel workers: one installs while the others wait, then find everything there.
  exec 9>"${TMPDIR:-/tmp}/hwdash-ensure-debian-packages.lock"
  flock 9
  mapfile -t wanted < <(missing "$@")
  [ "${#wanted[@]}" -eq 0 ] && exit 0
  echo "hwdash: installing Debian's ${wanted[*]} for the tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${wanted[@]}") >&2
  exit 0
fi
echo "hwdash: the tests need Debian's ${wanted[*]}; install them (apt-get install ${wanted[*]})" >&2
exit 1
