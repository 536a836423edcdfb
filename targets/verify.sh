#!/usr/bin/env bash
# targets/verify.sh: publish samples/DeviceCheck with NativeAOT for every device preset (-p:EdgeRnnTarget=NAME),
# run each binary (x64 natively, ARM64 under qemu-aarch64-static with the Pi's CPU) and check, against the JIT run:
#   - the publish succeeds, on a fresh obj/ for the first one, with no trim or AOT warning (IL2xxx / IL3xxx);
#   - the binary is NativeAOT for the right machine and sees the preset's instruction sets;
#   - its outputs (and final state) equal the JIT's within 1e-5, and PyTorch's within 1e-5;
#   - it allocated 0 bytes over 100,000 steps;
#   - on an encoder–decoder model (a seq2seq reference case of the tests: bidirectional LSTM encoder, Bahdanau attention),
#     the encoder outputs and teacher-forced logits and attention match PyTorch's within 1e-5, greedy and beam decoding
#     give PyTorch's tokens, and whole decodes allocate 0 bytes;
#   - the rpi5 binary on a Pi 4 CPU (cortex-a72) and the x64-v4 binary on a CPU without AVX-512 stop at start with
#     the runtime's "required instruction sets are not supported" message, before the program prints anything.
# Then it measures binary size and start-up time per preset (hyperfine if installed, else a timing loop).
#
# Output: "PASS <check>" / "FAIL <check>: why" lines (.ci/run counts them), a size and start-up table,
# and a last line "verify.sh: N checks passed, N failed". Exit code 0 only when nothing failed.
# Needs: the .NET 10 SDK; for ARM64, clang, lld, gcc-aarch64-linux-gnu and qemu-user-static (Debian package names).
# It deletes samples/DeviceCheck/bin and obj first (the first publish must work from a fresh obj/).
# Environment: EDGERNN_VERIFY_OUT=DIR keeps the binaries and logs there (default: a temp dir, removed at the end);
#              EDGERNN_PRESETS="rpi4 rpi5" checks only those presets.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
ulimit -c 0 # the refused starts abort(); no core files

sample=samples/DeviceCheck
presets=${EDGERNN_PRESETS:-"rpi4 x64-v3 x64-v4 rpi3 rpi5 arm64"} # rpi4 first: it publishes on a fresh obj/
tolerance=1e-5
if [ -n "${EDGERNN_VERIFY_OUT:-}" ]; then out=$EDGERNN_VERIFY_OUT; mkdir -p "$out"; keep=1; else out=$(mktemp -d); keep=0; fi
qemu=(qemu-aarch64-static -L /usr/aarch64-linux-gnu)
started=$(date +%s)

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { local name=$1 why=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$why"; fi; }

rid_of() { case $1 in x64-*) echo linux-x64 ;; *) echo linux-arm64 ;; esac; }
# The qemu CPU each ARM64 preset is run on: the Pi's own core; generic arm64 on the smallest one.
cpu_of() { case $1 in rpi3|arm64) echo cortex-a53 ;; rpi4) echo cortex-a72 ;; rpi5) echo cortex-a76 ;; *) echo native ;; esac; }
have() { command -v "$1" >/dev/null; }
have_avx512() { grep -qw avx512f /proc/cpuinfo; }

# ELF machine of a file: 62 = x86-64, 183 = AArch64 (e_machine, 2 bytes at offset 18).
elf_machine() { od -An -t u2 -j 18 -N 2 "$1" 2>/dev/null | tr -d ' '; }

# Runs preset $1's binary with extra args; ARM64 ones under qemu on CPU $2 (default: the preset's own).
run_binary() {
  local preset=$1 cpu=${2:-$(cpu_of "$1")}; shift 2 || shift 1
  local bin=$out/$preset/DeviceCheck
  if [ "$(rid_of "$preset")" = linux-arm64 ]; then "${qemu[@]}" -cpu "$cpu" "$bin" "$@"; else "$bin" "$@"; fi
}

# Largest |a - b| over the "out"/"state" lines of two DeviceCheck outputs; "count-mismatch" if they differ in shape.
max_diff() {
  awk 'FNR == 1 { file++ }
       ($1 == "out" || $1 == "state") { key = $1 " " $2; if (file == 1) { ref[key] = $3; n1++ } else { got[key] = $3; n2++ } }
       END {
         if (n1 == 0 || n1 != n2) { print "count-mismatch " n1 " " n2; exit }
         m = 0
         for (k in ref) { if (!(k in got)) { print "count-mismatch missing " k; exit } d = ref[k] - got[k]; if (d < 0) d = -d; if (d > m) m = d }
         printf "%.9g\n", m
       }' "$1" "$2"
}
le() { [[ $1 =~ ^[0-9.eE+-]+$ ]] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
# The seq2seq line of a DeviceCheck output: within the tolerance (beam scores, sums of log-probabilities: 10×), PyTorch's tokens.
seq2seq_matches() {
  le "$(field seq2seq maxdiff "$1")" $tolerance && le "$(field seq2seq scorediff "$1")" "$(awk -v t=$tolerance 'BEGIN { print 10 * t }')" &&
    [ "$(field seq2seq tokens "$1")" = equal ]
}
seq2seq_allocation_free() { grep -qE '^alloc_seq2seq decodes=[1-9][0-9]* bytes=0$' "$1"; }
field() { sed -n "s/^$1 .*\b$2=\([^ ]*\).*/\1/p" "$3" | head -1; } # field LINE-TAG KEY FILE

# Start-up time of one command in ms, the mean of RUNS runs after 2 warm-ups: hyperfine if installed, else a loop.
startup_ms() {
  local runs=$1; shift
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/hf.json" "$*" >/dev/null 2>&1 &&
      awk -F: '/"mean"/ { gsub(/[ ,]/, "", $2); printf "%.1f", $2 * 1000; exit }' "$out/hf.json"
  else
    local i t0 t1
    "$@" >/dev/null 2>&1; "$@" >/dev/null 2>&1
    t0=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do "$@" >/dev/null 2>&1; done
    t1=$(date +%s%N)
    awk -v ns=$((t1 - t0)) -v r=$runs 'BEGIN { printf "%.1f", ns / r / 1e6 }'
  fi
}

echo "=== tools"
for tool in dotnet clang ld.lld qemu-aarch64-static; do
  check "tool $tool is installed" "not on PATH (apt-get install clang lld gcc-aarch64-linux-gnu qemu-user-static)" have "$tool"
done
check "aarch64 C libraries are installed (/usr/aarch64-linux-gnu/lib)" "missing (apt-get install gcc-aarch64-linux-gnu)" test -d /usr/aarch64-linux-gnu/lib
if have hyperfine; then timer=hyperfine; else timer="a shell loop"; fi
timer="$timer: mean of 15 runs natively, 5 under qemu, after 2 warm-ups"

echo "=== an unknown preset name is a clear error"
dotnet build "$sample" -c Release -p:EdgeRnnTarget=rpi9 >"$out/unknown.log" 2>&1
status=$?
check "EdgeRnnTarget=rpi9 fails, listing the valid names" "exit $status; $(grep -m1 -o 'error.*' "$out/unknown.log")" \
  bash -c "[ $status -ne 0 ] && grep -q \"unknown EdgeRnnTarget 'rpi9'. Valid targets: x64-v3, x64-v4, rpi3, rpi4, rpi5, arm64\" '$out/unknown.log'"

echo "=== without the cross tools, an ARM64 preset says which packages to install"
# A PATH with only dotnet and sh on it hides clang and ld.lld; the check runs before the NativeAOT compiler does.
bare=$out/bare-path
mkdir -p "$bare"
ln -sf "$(readlink -f "$(command -v dotnet)")" "$bare/dotnet"
ln -sf "$(readlink -f "$(command -v sh)")" "$bare/sh"
PATH=$bare dotnet publish "$sample" -c Release -p:EdgeRnnTarget=rpi3 -o "$out/no-cross-tools" >"$out/no-cross-tools.log" 2>&1
status=$?
check "rpi3 without clang/lld fails with EdgeRnn's install hint" "exit $status; $(grep -m1 -o 'error.*' "$out/no-cross-tools.log" | head -c 300)" \
  bash -c "[ $status -ne 0 ] && grep -q 'apt-get install clang lld gcc-aarch64-linux-gnu' '$out/no-cross-tools.log'"

echo "=== publish every preset"
rm -rf "$sample/obj" "$sample/bin" # the first publish starts from a fresh obj/, as after a clone
for preset in $presets; do
  rid=$(rid_of "$preset")
  # Everything for this runtime is compiled again, so the analyzers' and ILC's warnings are printed every time.
  rm -rf "$sample/obj/Release/net10.0/$rid" "$sample/bin/Release/net10.0/$rid" "${out:?}/$preset"
  t0=$(date +%s)
  dotnet publish "$sample" -c Release -p:EdgeRnnTarget="$preset" -o "$out/$preset" >"$out/publish-$preset.log" 2>&1
  status=$?
  echo "    $preset: dotnet publish -c Release -p:EdgeRnnTarget=$preset took $(($(date +%s) - t0)) s"
  check "publish $preset" "exit $status: $(grep -m3 -E 'error' "$out/publish-$preset.log" | tr '\n' ' ')" \
    test $status -eq 0 -a -x "$out/$preset/DeviceCheck"
  warnings=$(grep -E '(warning|error) IL[23][0-9]{3}' "$out/publish-$preset.log" | sort -u)
  check "publish $preset has no IL2xxx/IL3xxx warning" "$warnings" test -z "$warnings"
  check "publish $preset ran the NativeAOT compiler" "no 'Generating native code' in the log" \
    grep -q 'Generating native code' "$out/publish-$preset.log"
  want=62; [ "$rid" = linux-arm64 ] && want=183
  check "$preset binary is an ELF for $rid" "e_machine $(elf_machine "$out/$preset/DeviceCheck"), expected $want" \
    test "$(elf_machine "$out/$preset/DeviceCheck")" = "$want"
done

echo "=== the JIT run (reference)"
dotnet build "$sample" -c Release >"$out/build-jit.log" 2>&1 || fail "JIT build" "$(grep -m3 error "$out/build-jit.log")"
dotnet "$sample/bin/Release/net10.0/DeviceCheck.dll" >"$out/jit.txt" 2>&1
status=$?
check "JIT run exits 0" "exit $status" test $status -eq 0
check "JIT run allocated 0 bytes over 100,000 steps" "$(grep '^alloc' "$out/jit.txt")" grep -q '^alloc steps=100000 bytes=0$' "$out/jit.txt"
check "JIT run matches PyTorch within $tolerance" "$(grep '^reference' "$out/jit.txt")" le "$(field reference maxdiff "$out/jit.txt")" $tolerance
check "JIT run matches PyTorch's seq2seq reference within $tolerance, tokens equal" "$(grep -E '^seq2seq' "$out/jit.txt")" \
  seq2seq_matches "$out/jit.txt"
check "JIT run's seq2seq decoding allocated 0 bytes" "$(grep '^alloc_seq2seq' "$out/jit.txt")" seq2seq_allocation_free "$out/jit.txt"

echo "=== run every preset"
for preset in $presets; do
  [ -x "$out/$preset/DeviceCheck" ] || { fail "run $preset" "no binary (publish failed)"; continue; }
  cpu=$(cpu_of "$preset")
  if [ "$preset" = x64-v4 ] && ! have_avx512; then
    # This CPU has no AVX-512, and qemu cannot emulate it: the binary must refuse to start, cleanly.
    echo "    x64-v4: this CPU has no AVX-512 (and qemu does not emulate it), so the binary is checked to refuse to start"
    run_binary x64-v4 native >"$out/run-x64-v4.txt" 2>&1
    status=$?
    check "x64-v4 on a CPU without AVX-512 stops at start with the instruction-set message" \
      "exit $status: $(head -c 300 "$out/run-x64-v4.txt")" \
      bash -c "[ $status -ne 0 ] && grep -q 'required instruction sets are not supported' '$out/run-x64-v4.txt' && ! grep -q '^isa ' '$out/run-x64-v4.txt'"
    n=$(objdump -d --no-show-raw-insn "$out/x64-v4/DeviceCheck" 2>/dev/null | grep -c zmm)
    check "x64-v4 binary contains AVX-512 code (zmm registers)" "$n instructions use zmm" test "${n:-0}" -gt 0
    continue
  fi
  run_binary "$preset" "$cpu" >"$out/run-$preset.txt" 2>"$out/run-$preset.err"
  status=$?
  where=$([ "$cpu" = native ] && echo natively || echo "under qemu -cpu $cpu")
  check "$preset runs $where" "exit $status: $(head -c 300 "$out/run-$preset.err")" test $status -eq 0
  check "$preset is NativeAOT" "$(grep '^runtime' "$out/run-$preset.txt")" grep -q '^runtime aot=True$' "$out/run-$preset.txt"
  diff=$(max_diff "$out/jit.txt" "$out/run-$preset.txt")
  check "$preset outputs equal the JIT run within $tolerance" "max difference $diff" le "$diff" $tolerance
  check "$preset matches PyTorch within $tolerance" "$(grep '^reference' "$out/run-$preset.txt")" \
    le "$(field reference maxdiff "$out/run-$preset.txt")" $tolerance
  check "$preset allocated 0 bytes over 100,000 steps" "$(grep '^alloc' "$out/run-$preset.txt")" \
    grep -q '^alloc steps=100000 bytes=0$' "$out/run-$preset.txt"
  check "$preset matches PyTorch's seq2seq reference within $tolerance, tokens equal" "$(grep -E '^seq2seq' "$out/run-$preset.txt")" \
    seq2seq_matches "$out/run-$preset.txt"
  check "$preset seq2seq decoding allocated 0 bytes" "$(grep '^alloc_seq2seq' "$out/run-$preset.txt")" \
    seq2seq_allocation_free "$out/run-$preset.txt"
  isa=$(grep '^isa ' "$out/run-$preset.txt")
  case $preset in
    x64-v3) expect="arch=X64 vector256=True avx2=True fma=True avx512f=False" ;;
    x64-v4) expect="arch=X64 vector256=True avx2=True fma=True avx512f=True" ;;
    rpi5) expect="arch=Arm64 vector128=True advsimd=True dp=True rdm=True" ;;
    *) expect="arch=Arm64 vector128=True advsimd=True dp=False" ;;
  esac
  missing=""
  for kv in $expect; do [[ " $isa " == *" $kv "* ]] || missing="$missing $kv"; done
  check "$preset sees its instruction sets ($expect)" "missing:$missing in '$isa'" test -z "$missing"
done

echo "=== the instruction sets reached the code generator"
if [ -x "$out/x64-v3/DeviceCheck" ]; then
  n=$(objdump -d --no-show-raw-insn "$out/x64-v3/DeviceCheck" | grep -c vfmadd)
  z=$(objdump -d --no-show-raw-insn "$out/x64-v3/DeviceCheck" | grep -c zmm)
  check "x64-v3 binary uses FMA and no AVX-512" "$n vfmadd, $z zmm" test "$n" -gt 0 -a "$z" -eq 0
fi
# ARMv8.1 atomics (LSE: ldaddal) are in armv8.2-a, not in armv8-a: present in rpi5's code only.
for preset in $presets; do
  [ "$(rid_of "$preset")" = linux-arm64 ] && [ -x "$out/$preset/DeviceCheck" ] || continue
  n=$(aarch64-linux-gnu-objdump -d "$out/$preset/DeviceCheck" 2>/dev/null | awk '$3 == "ldaddal"' | wc -l)
  if [ "$preset" = rpi5 ]; then
    check "rpi5 binary uses ARMv8.1+ atomics (armv8.2-a)" "$n ldaddal" test "$n" -gt 0
  else
    check "$preset binary has no ARMv8.1 atomics (armv8-a)" "$n ldaddal" test "$n" -eq 0
  fi
done

echo "=== a Pi 5 build on a Pi 4 CPU stops at start, with the runtime's message"
if [ -x "$out/rpi5/DeviceCheck" ]; then
  run_binary rpi5 cortex-a72 >"$out/rpi5-on-a72.txt" 2>&1
  status=$?
  echo "    exit code $status; output: $(grep -v '^qemu:' "$out/rpi5-on-a72.txt" | tr '\n' ' ')"
  check "rpi5 on cortex-a72 exits non-zero" "exit $status" test $status -ne 0
  check "rpi5 on cortex-a72 prints 'required instruction sets are not supported'" "$(head -c 300 "$out/rpi5-on-a72.txt")" \
    grep -q 'required instruction sets are not supported' "$out/rpi5-on-a72.txt"
  check "rpi5 on cortex-a72 stops before the program runs (no output of it)" "$(head -c 300 "$out/rpi5-on-a72.txt")" \
    bash -c "! grep -qE '^(isa|out|runtime) ' '$out/rpi5-on-a72.txt'"
fi

echo "=== size and start-up time (DeviceCheck --startup: start, build the model, one step, print, exit; $timer)"
jit_ms=$(startup_ms 15 dotnet "$sample/bin/Release/net10.0/DeviceCheck.dll" --startup)
{
  echo "| preset | runtime | instruction set | binary | symbols (.dbg) | start-up | run on | ns per step |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "| (JIT, dotnet DeviceCheck.dll) | linux-x64 | this CPU | $(stat -c %s "$sample/bin/Release/net10.0/DeviceCheck.dll") B dll + runtime | – | $jit_ms ms | natively | $(field time ns_per_step "$out/jit.txt") |"
  for preset in $presets; do
    bin=$out/$preset/DeviceCheck
    [ -x "$bin" ] || continue
    rid=$(rid_of "$preset"); cpu=$(cpu_of "$preset")
    isa=$(grep -A2 "'\$(EdgeRnnTarget)' == '$preset'" targets/EdgeRnn.Presets.props | sed -n 's/.*<_EdgeRnnIsa>\(.*\)<\/_EdgeRnnIsa>.*/\1/p')
    size=$(awk -v b="$(stat -c %s "$bin")" 'BEGIN { printf "%.2f MB", b / 1048576 }')
    dbg=$(awk -v b="$(stat -c %s "$bin.dbg" 2>/dev/null || echo 0)" 'BEGIN { printf "%.2f MB", b / 1048576 }')
    if [ "$preset" = x64-v4 ] && ! have_avx512; then
      echo "| $preset | $rid | $isa | $size | $dbg | not run (no AVX-512 here) | – | – |"
      continue
    fi
    if [ "$rid" = linux-arm64 ]; then
      ms=$(startup_ms 5 "${qemu[@]}" -cpu "$cpu" "$bin" --startup); where="qemu -cpu $cpu (emulated)"
    else
      ms=$(startup_ms 15 "$bin" --startup); where="natively"
    fi
    echo "| $preset | $rid | $isa | $size | $dbg | $ms ms | $where | $(field time ns_per_step "$out/run-$preset.txt") |"
  done
} | tee "$out/table.md"
echo "    CPU here: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(nproc) cores"

# The CharLm sample (token model: embedding, 2-layer LSTM, sampler) also publishes with NativeAOT and runs allocation-free.
echo "=== CharLm with NativeAOT (x64-v3)"
status=0
dotnet publish samples/CharLm -c Release -p:EdgeRnnTarget=x64-v3 -o "$out/charlm" >"$out/charlm-publish.log" 2>&1 || status=$?
check "CharLm publishes with NativeAOT (x64-v3)" "exit $status; $(grep -m1 -o 'error.*' "$out/charlm-publish.log" | head -c 300)" test $status -eq 0
check "CharLm publish has no trim/AOT warnings" "$(grep -m1 -oE 'warning IL[23][0-9]{3}.*' "$out/charlm-publish.log" | head -c 300)" \
  bash -c "! grep -qE 'warning IL[23][0-9]{3}' '$out/charlm-publish.log'"
if [ -x "$out/charlm/CharLm" ]; then
  status=0
  "$out/charlm/CharLm" --prompt "The " --length 400 --temperature 0.8 --seed 1 >"$out/charlm.txt" 2>&1 || status=$?
  check "CharLm (NativeAOT) generates 400 characters with 0 bytes allocated" "exit $status; $(tail -1 "$out/charlm.txt")" \
    grep -q '400 characters generated.*, 0 bytes allocated' "$out/charlm.txt"
fi

# Without a preset: the plain NativeAOT publish a user would try first must not reach the netstandard2.0 generator.
echo "=== QuickStart with a bare -p:PublishAot=true"
status=0
dotnet publish samples/QuickStart -c Release -p:PublishAot=true -r linux-x64 -o "$out/bare-aot" >"$out/bare-aot.log" 2>&1 || status=$?
check "dotnet publish -p:PublishAot=true -r linux-x64 (no preset) succeeds" "exit $status; $(grep -m1 -o 'error.*' "$out/bare-aot.log" | head -c 300)" test $status -eq 0
if [ -x "$out/bare-aot/QuickStart" ]; then
  check "the bare NativeAOT QuickStart matches PyTorch and allocates 0 bytes" "$(tail -2 "$out/bare-aot/run.txt" 2>/dev/null)" \
    bash -c "'$out/bare-aot/QuickStart' > '$out/bare-aot/run.txt' 2>&1 && grep -q ', 0 bytes allocated' '$out/bare-aot/run.txt'"
fi

[ "$keep" = 1 ] || rm -rf "$out"
echo "verify.sh took $(($(date +%s) - started)) s"
echo "verify.sh: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ]
