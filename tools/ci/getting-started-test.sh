#!/usr/bin/env bash
# tools/ci/getting-started-test.sh: runs docs/getting-started.md as written, as a newcomer would.
# The blocks the page marks (<!-- getting-started: run | file PATH | insert PATH -->) are taken in order, in an
# empty folder, with HOME set to a fresh one where ~/EdgeRnn is this checkout: each "run" block runs as written (from
# that folder, in bash), each "file" block becomes the file, each "insert" block goes before </Project> in its file.
# Checks: every step succeeds (the qemu run exits 0 only when the rpi4 binary matches PyTorch's exported vectors within
# 1e-5, and dotnet test runs the page's test), and "The five commands" section has at most five commands.
# Needs the .NET SDK, Debian's python3-torch, clang lld gcc-aarch64-linux-gnu qemu-user-static (.ci/run installs them).
# Output: "PASS <check>" / "FAIL <check>: why" lines, and a last line "getting-started-test.sh: N checks passed, N failed".
# EDGERNN_GETTING_STARTED_OUT=DIR keeps the work folder there.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The packages already on this machine (the page's package versions are new on every pack, so none is stale).
export NUGET_PACKAGES=${NUGET_PACKAGES:-$HOME/.nuget/packages}
if [ -n "${EDGERNN_GETTING_STARTED_OUT:-}" ]; then
  work=$EDGERNN_GETTING_STARTED_OUT; rm -rf "${work:?}/home" "$work/walk"; mkdir -p "$work"
else
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fi
export HOME=$work/home
mkdir -p "$HOME" "$work/walk"
ln -s "$repo" "$HOME/EdgeRnn"
# "python3" on the page is one with torch: Debian's.
export PATH=/usr/bin:$PATH
started=$(date +%s)
. tools/ci/checks.sh
field() { /usr/bin/python3 -c 'import json,sys; sys.stdout.write(str(json.loads(sys.argv[1])[sys.argv[2]]))' "$1" "$2"; }

/usr/bin/python3 tools/ci/doc_blocks.py steps docs/getting-started.md >"$work/steps.jsonl"
commands=0
edits=0
step=0
while IFS= read -r block; do
  step=$((step + 1))
  kind=$(field "$block" kind); path=$(field "$block" path); line=$(field "$block" line); section=$(field "$block" section)
  text=$(field "$block" text; echo x); text=${text%x}
  cd "$work/walk" || break
  case "$kind" in
    run)
      if [ "$section" = "The five commands" ]; then
        commands=$((commands + $(grep -cvE '^\s*(#|$)' <<<"$text")))
      fi
      label="docs/getting-started.md:$line: $(head -1 <<<"$text")$( [ "$(grep -cvE '^\s*(#|$)' <<<"$text")" -gt 1 ] && echo " …")"
      if bash -e <<<"$text" >"$work/step$step.log" 2>&1; then
        pass "$label"
        grep -E '^(amp\(|largest difference|Passed!|training loss)' "$work/step$step.log" | sed 's/^/    /'
      else
        fail "$label" "$(tail -8 "$work/step$step.log" | tr '\n' ' ')"
        break
      fi ;;
    file)
      [ "$section" = "The five commands" ] && [ "$path" != train_amp.py ] && edits=$((edits + 1))
      mkdir -p "$(dirname "$path")" && printf '%s' "$text" >"$path" && pass "docs/getting-started.md:$line: wrote $path" ;;
    insert)
      [ "$section" = "The five commands" ] && edits=$((edits + 1))
      if [ -f "$path" ] && grep -q '</Project>' "$path"; then
        /usr/bin/python3 -c 'import sys; p, t = sys.argv[1], sys.argv[2]; s = open(p).read(); i = s.rindex("</Project>"); open(p, "w").write(s[:i] + t + s[i:])' "$path" "$text"
        pass "docs/getting-started.md:$line: inserted into $path"
      else
        fail "docs/getting-started.md:$line: insert into $path" "no such project file"; break
      fi ;;
  esac
done <"$work/steps.jsonl"
cd "$repo" || true

if [ "$step" -eq 0 ]; then fail "docs/getting-started.md has marked steps" "none found"; fi
if [ "$commands" -ge 1 ] && [ "$commands" -le 5 ]; then
  pass "'The five commands' has $commands commands and $edits file edit(s) besides the training script"
else
  fail "'The five commands' has at most five commands" "counted $commands"
fi
echo "getting-started-test.sh took $(($(date +%s) - started)) s"
finish
