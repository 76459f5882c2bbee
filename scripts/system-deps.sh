#!/usr/bin/env bash
# Installs the Debian packages a step needs, only when they are missing.
#   scripts/system-deps.sh test    age and gpg, for the key-interop tests; GNU time, for the benchmark harness test
#   scripts/system-deps.sh bench   restic and borg, to benchmark against, and GNU time to measure them
# Needs root (or passwordless sudo) only when something is missing.
set -euo pipefail

case "${1:-}" in
  test)  wanted=("age:age" "gpg:gnupg" "/usr/bin/time:time") ;;
  bench) wanted=("restic:restic" "borg:borgbackup" "age:age" "/usr/bin/time:time") ;;
  *) echo "usage: $0 test|bench" >&2; exit 2 ;;
esac

missing=()
for pair in "${wanted[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo -n"
echo "installing from Debian: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}" >/dev/null
