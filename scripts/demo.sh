#!/usr/bin/env bash
# A real backup and restore of a sample directory into a local repository,
# in a temporary directory that is removed afterwards. No cloud account needed.
set -euo pipefail
bin="$(cd "$(dirname "$0")/.." && pwd)/bin/coffer.js"
coffer() { node "$bin" "$@"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/coffer-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/sample/docs/empty" "$work/sample/photos"
printf 'Dear diary,\ncoffer keeps this safe.\n' > "$work/sample/docs/diary.txt"
head -c 3000000 /dev/urandom > "$work/sample/photos/holiday.raw"
seq 1 100000 > "$work/sample/docs/numbers.txt"
ln -s diary.txt "$work/sample/docs/latest-entry"
printf 'correct horse battery staple\n' > "$work/passphrase"
chmod 600 "$work/passphrase"

export COFFER_REPOSITORY="$work/repo" COFFER_PASSWORD_FILE="$work/passphrase"
set -x
coffer init
coffer --cache-dir "$work/cache" backup "$work/sample"
echo 'a new line' >> "$work/sample/docs/diary.txt"
coffer --cache-dir "$work/cache" backup --tag demo "$work/sample"
coffer snapshots
coffer ls latest "$work/sample/docs"
coffer restore latest --target "$work/restored"
diff -r "$work/sample" "$work/restored$work/sample"
coffer check --read-data
{ set +x; } 2>/dev/null
echo "demo ok: backed up, restored byte for byte, and verified"
