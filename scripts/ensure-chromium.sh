#!/usr/bin/env bash
# The docs test opens the built page in a real headless Chromium: Debian's `chromium` package. Installs it
# when missing and we are allowed to (root with apt-get); otherwise says what to do. Prints the binary path.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "hwdash: installing Debian's chromium for the docs browser test" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >&2
  echo /usr/bin/chromium
  exit 0
fi
echo "hwdash: chromium is missing; install Debian's 'chromium' package or set CHROMIUM_PATH" >&2
exit 1
