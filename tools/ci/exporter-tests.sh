#!/usr/bin/env bash
# tools/ci/exporter-tests.sh: the Python exporter (tools/edgernn_export) as CI checks it.
#   - its unittest suite (Debian's python3-torch; installed here when missing and run as root), one PASS/FAIL per test;
#   - pip installs it from the path with no network (a venv that sees the system's torch), and it imports from there;
#   - the safetensors reader/writer self-test, through the tools/safetensors_io.py the reference scripts import;
#   - the reference scripts, now using the exporter's file format, still regenerate the committed files byte for byte.
# Output: "PASS <check>" / "FAIL <check>: why" lines, and a last line "exporter-tests.sh: N checks passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. tools/ci/checks.sh

if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "=== installing python3-torch python3-venv"
    (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq python3-torch python3-venv python3-pip) >"$work/apt.log" 2>&1 \
      || tail -5 "$work/apt.log"
  fi
fi

echo "=== unittest: tools/edgernn_export/tests"
"$python" -m unittest discover -s tools/edgernn_export/tests -v >"$work/unittest.log" 2>&1
status=$?
# unittest -v: "test_name (module.Class.test_name) ... ok" (a docstring line may come between the name and the verdict).
while IFS= read -r line; do
  name=$(sed -E 's/^(test[^ ]*) .*/\1/' <<<"$line")
  case "$line" in
    *" ... ok") pass "exporter: $name" ;;
    *" ... FAIL" | *" ... ERROR") fail "exporter: $name" "see the traceback below" ;;
  esac
done < <(grep -E '^test.* \.\.\. (ok|FAIL|ERROR)$' "$work/unittest.log")
if [ "$status" -ne 0 ]; then
  sed -n '/^=====/,$p' "$work/unittest.log" | head -60
  grep -qE '\.\.\. (FAIL|ERROR)$' "$work/unittest.log" || fail "exporter unittest" "exit $status: $(tail -3 "$work/unittest.log")"
fi

echo "=== pip install ./tools/edgernn_export (no network)"
if "$python" -m venv --system-site-packages "$work/venv" >"$work/venv.log" 2>&1 \
  && "$work/venv/bin/pip" install --no-index --no-build-isolation ./tools/edgernn_export >"$work/pip.log" 2>&1 \
  && (cd "$work" && "$work/venv/bin/python" -c 'import edgernn_export, sys; assert "site-packages" in edgernn_export.__file__; sys.exit(0 if callable(edgernn_export.export) else 1)') >>"$work/pip.log" 2>&1; then
  pass "pip installs edgernn_export from the path, offline, and it imports from site-packages"
else
  fail "pip install ./tools/edgernn_export" "$(tail -3 "$work/venv.log" "$work/pip.log" 2>/dev/null | tr '\n' ' ')"
fi
rm -rf tools/edgernn_export/build tools/edgernn_export/edgernn_export.egg-info

echo "=== tools/safetensors_io.py self-test"
if out=$("$python" tools/safetensors_io.py 2>&1); then pass "safetensors_io self-test ($out)"; else fail "safetensors_io self-test" "$out"; fi

echo "=== the reference scripts regenerate the committed files byte for byte"
if "$python" tools/make_reference.py >"$work/ref.log" 2>&1 && "$python" tools/keras_reference.py >>"$work/ref.log" 2>&1 \
  && "$python" tools/make_reference_sequence_models.py >>"$work/ref.log" 2>&1; then
  changed=$(git status --porcelain -- tests/EdgeRnn.Tests/Models samples/QuickStart/models)
  if [ -z "$changed" ]; then pass "make_reference, keras_reference, make_reference_sequence_models: no committed file changed"
  else fail "reference files regenerated identically" "$changed"; git checkout -q -- tests/EdgeRnn.Tests/Models samples/QuickStart/models; fi
else
  fail "reference scripts ran" "$(tail -5 "$work/ref.log")"
fi

finish
