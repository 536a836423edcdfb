# Sourced (from the repository root) by the tools/ci/*.sh scripts: the "PASS <check>" / "FAIL <check>: why" lines
# .ci/run counts, and finish, the last line "<script>: N checks passed, N failed" with status 0 only without failures.
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
finish() { echo "$(basename "$0"): $passed checks passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
