#!/usr/bin/env bash
# The outside-client tests run small clients in other stacks against the sandbox: Debian's Python 3 with
# python3-requests, python3-azure (azure-identity) and python3-azure-storage (azure-storage-blob), and curl with jq.
# Installs what is missing when we are allowed to (root with apt-get); otherwise says what to do. Idempotent.
set -euo pipefail
python=/usr/bin/python3
have_all() {
  [ -x "$python" ] && "$python" -c 'import requests, azure.identity, azure.storage.blob' 2>/dev/null && command -v curl >/dev/null && command -v jq >/dev/null
}
if have_all; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "hwdash: installing Debian's python3-requests, python3-azure, python3-azure-storage, curl and jq for the outside-client tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-requests python3-azure python3-azure-storage curl jq) >&2
  have_all && exit 0
fi
echo "hwdash: the outside-client tests need Debian's python3-requests, python3-azure, python3-azure-storage, curl and jq" >&2
exit 1
