#!/usr/bin/env bash
# tools/ci/tool-test.sh: the edgernn .NET tool (tools/EdgeRnn.Tool) as a user gets it: packed into a folder,
# installed with `dotnet tool install` from it, then run on the repository's models.
#   - inspect on committed models: the sizes it reports are those of each model's PyTorch reference (expected.json);
#     a model read directly (Pedal's GuitarML JSON) is detected as such; a broken manifest gives ERNN0006 and exit 1;
#   - init on committed safetensors files writes the manifest's layers as committed (type, prefix, num_layers,
#     bidirectional, proj_size: what tensor names can tell), and the generator accepts it.
# Output: "PASS <check>" / "FAIL <check>: why" lines, and a last line "tool-test.sh: N checks passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. tools/ci/checks.sh

echo "=== dotnet pack tools/EdgeRnn.Tool; dotnet tool install --tool-path"
if dotnet pack tools/EdgeRnn.Tool -c Release -o "$work/feed" >"$work/pack.log" 2>&1 \
  && dotnet tool install EdgeRnn.Tool --prerelease --add-source "$work/feed" --tool-path "$work/bin" >"$work/install.log" 2>&1 \
  && [ -x "$work/bin/edgernn" ]; then
  pass "the tool packs and installs from the packed folder as 'edgernn'"
else
  fail "pack and install the tool" "$(grep -h -m3 -i error "$work/pack.log" "$work/install.log")"
  finish
fi
edgernn=$work/bin/edgernn

echo "=== edgernn inspect"
for model in samples/QuickStart/models/amp tests/EdgeRnn.Tests/Models/token_lstm_lm tests/EdgeRnn.Tests/Models/lstm_proj_2layer_i3_h8_p3 \
             tests/EdgeRnn.Tests/Models/keras_gru_reset_after_i4_h6 tests/EdgeRnn.Tests/Models/stack_lstm_gru_linear; do
  [ -f "$model.edgernn.json" ] || { fail "inspect $model" "no $model.edgernn.json"; continue; }
  "$edgernn" inspect "$model.edgernn.json" >"$work/inspect.log" 2>&1
  status=$?
  want=$("$python" -c 'import json,sys; e=json.load(open(sys.argv[1])); print("InputSize = %d|OutputSize = %d|StateSize = %d" % (e["input_size"], e["output_size"], e["state_size"]))' "$model.expected.json")
  # A token model's InputSize is 1 in the float API, as in expected.json.
  missing=$(tr '|' '\n' <<<"$want" | while read -r line; do grep -q "public const int $line\$" "$work/inspect.log" || echo "$line"; done)
  if [ "$status" -eq 0 ] && [ -z "$missing" ] && grep -q '^diagnostics: none$' "$work/inspect.log" && grep -q '^generated API: partial struct Model : EdgeRnn\.' "$work/inspect.log" && grep -qE '^weights compiled in: [1-9][0-9]* bytes' "$work/inspect.log"; then
    pass "inspect $model.edgernn.json: no diagnostics, the API's sizes are the PyTorch reference's ($(tr '|' ' ' <<<"$want"))"
  else
    fail "inspect $model.edgernn.json" "exit $status, missing: $missing; $(head -c 600 "$work/inspect.log" | tr '\n' ' ')"
  fi
done
"$edgernn" inspect samples/Pedal/models/neuralseed_ts9_lstm8.json >"$work/inspect.log" 2>&1
if [ $? -eq 0 ] && grep -q '^format: PyTorch state_dict JSON' "$work/inspect.log" && grep -q '^model: 1 input(s) → lstm(8) → linear(1)' "$work/inspect.log"; then
  pass "inspect a GuitarML file: format detected, LSTM(8) + linear read directly"
else
  fail "inspect samples/Pedal/models/neuralseed_ts9_lstm8.json" "$(head -5 "$work/inspect.log" | tr '\n' ' ')"
fi
cp samples/QuickStart/models/amp.safetensors "$work/"
sed 's/"lstm"/"lstn"/' samples/QuickStart/models/amp.edgernn.json >"$work/typo.edgernn.json"
"$edgernn" inspect "$work/typo.edgernn.json" >"$work/inspect.log" 2>&1
status=$?
if [ "$status" -eq 1 ] && grep -qE 'typo\.edgernn\.json\([0-9]+,[0-9]+\): error ERNN0006: .*"lstn"' "$work/inspect.log"; then
  pass "inspect a manifest with a misspelt layer type: located ERNN0006, exit 1"
else
  fail "inspect a broken manifest" "exit $status: $(tail -3 "$work/inspect.log" | tr '\n' ' ')"
fi
"$edgernn" inspect "$work/amp.safetensors" >"$work/inspect.log" 2>&1
if grep -q '^format: safetensors, 6 tensors' "$work/inspect.log" && grep -q 'rec.weight_ih_l0 *F32 *\[64, 1\]' "$work/inspect.log"; then
  pass "inspect a safetensors file lists its tensors"
else
  fail "inspect amp.safetensors" "$(head -4 "$work/inspect.log" | tr '\n' ' ')"
fi

echo "=== edgernn init"
for model in samples/QuickStart/models/amp tests/EdgeRnn.Tests/Models/token_lstm_lm tests/EdgeRnn.Tests/Models/lstm_proj_2layer_i3_h8_p3 \
             tests/EdgeRnn.Tests/Models/bigru_2layer_i3_h9 tests/EdgeRnn.Tests/Models/keras_gru_reset_after_i4_h6 tests/EdgeRnn.Tests/Models/gru_3layer_i3_h5 tests/EdgeRnn.Tests/Models/keras_stack_lstm_gru_dense; do
  name=$(basename "$model")
  cp "$model.safetensors" "$work/$name.safetensors"
  "$edgernn" init "$work/$name.safetensors" >"$work/init.log" 2>&1
  status=$?
  # What tensor names can tell, compared with the committed manifest.
  compare='import json,sys
keys = ("type", "prefix", "num_layers", "bidirectional", "proj_size")
def layers(path):
    m = json.load(open(path))
    return [{k: l.get(k, 1 if k == "num_layers" else None) for k in keys if k != "proj_size"} for l in m["layers"] if l["type"] not in ("softmax", "log_softmax")], m.get("layout", "pytorch")
a, b = layers(sys.argv[1]), layers(sys.argv[2])
print("same" if a == b else "written %s, committed %s" % (a, b))'
  verdict=$("$python" -c "$compare" "$work/$name.edgernn.json" "$model.edgernn.json" 2>&1)
  if [ "$status" -eq 0 ] && [ "$verdict" = same ] && grep -q '^diagnostics: none$' "$work/init.log"; then
    pass "init $name.safetensors: the committed manifest's layers, and the generator accepts it"
  else
    fail "init $name.safetensors" "exit $status, $verdict; $(grep -m2 -E 'error|diagnostics' "$work/init.log" | tr '\n' ' ')"
  fi
done
finish
