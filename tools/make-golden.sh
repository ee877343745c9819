#!/usr/bin/env bash
# Writes tests/golden/NAME-sSEED.csv.gz: `orgsim run scenarios/NAME.toml --seed SEED`'s timeseries.csv for every
# shipped scenario and seeds 1 and 2, from the commit given (default: 8d89cb5, version 0.3.0; 0.2.0 was f94356e), checked out in a
# temporary worktree and run with this checkout's .venv. tests/test_golden.py compares today's runs with them.
# Run it again, with the commit that changed numbers on purpose, only when a CHANGELOG entry says so.
set -euo pipefail
commit=${1:-8d89cb5}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$root" worktree add --detach "$tmp/src" "$commit" >/dev/null
cd "$tmp/src"
for f in scenarios/*.toml; do
  name=$(basename "$f" .toml)
  for seed in 1 2; do
    MPLBACKEND=Agg PYTHONPATH="$tmp/src" "$root/.venv/bin/python" -m sim.cli run "$f" --seed "$seed" \
      --out "$tmp/out" >/dev/null
    gzip -9n < "$tmp/out/timeseries.csv" > "$root/tests/golden/$name-s$seed.csv.gz"
  done
  echo "$name"
done
git -C "$root" rev-parse "$commit" > "$root/tests/golden/COMMIT"
