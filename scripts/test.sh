#!/usr/bin/env bash
# `npm test`: everything the tests need, then every test (README, second command).
# Installs missing system packages (as root, with apt-get), dependencies, the Prisma client; finds or starts
# Postgres and Redis; runs typecheck, lint and every Vitest project (unit, integration, browser end-to-end).
set -euo pipefail
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
cd "$(dirname "$0")/.."

need=()
command -v git >/dev/null || need+=(git)
command -v chromium >/dev/null || need+=(chromium)
command -v redis-server >/dev/null || command -v redis-cli >/dev/null || need+=(redis-server)
# The runner's sandbox tests: bubblewrap, and mkfs.ext4 for the workspace disk quota.
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v prlimit >/dev/null || need+=(util-linux)
# bwrap egress (open, allowlist): the user-mode network stack, the firewall, and ip for the test's fake internet.
command -v slirp4netns >/dev/null || need+=(slirp4netns)
command -v nft >/dev/null || need+=(nftables)
command -v ip >/dev/null || need+=(iproute2)
# The gvisor provider's tests: runsc, and a C compiler for its statx shim.
command -v runsc >/dev/null || need+=(runsc)
command -v cc >/dev/null || need+=(gcc)
# The microvm provider's tests: QEMU, the Debian cloud kernel, and what builds the guest image.
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
ls /boot/vmlinuz-*-cloud-amd64 >/dev/null 2>&1 || need+=(linux-image-cloud-amd64)
command -v debootstrap >/dev/null || need+=(debootstrap)
[[ -e /bin/busybox ]] || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
# The artifact download tests read the zips they get with Info-ZIP.
command -v unzip >/dev/null || need+=(unzip)
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "[test] installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "[test] missing system packages: ${need[*]}. Run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[test] installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
node scripts/prisma-generate.mjs --if-stale

echo "[test] typecheck"
npx turbo run typecheck --output-logs=errors-only
npx tsc --noEmit -p .
echo "[test] lint"
npx eslint .

exec node scripts/run-tests.mjs "$@"
