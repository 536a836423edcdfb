#!/usr/bin/env bash
# tools/ci/docs-test.sh: docs that can't drift.
#   - every ```csharp block of README.md, src/EdgeRnn/README.md (the package readme), docs/*.md and samples/*/README.md
#     compiles as written, in a new project with the model it names (docs/getting-started.md's blocks are compiled
#     and run by tools/ci/getting-started-test.sh instead): a block with top-level statements as a program, one
#     with declarations only as a library;
#   - relative links in the Markdown files resolve inside the repository;
#   - docs/diagnostics has no page or index row without a descriptor, and the help links are the package's RepositoryUrl
#     (tools/ci/check_diagnostics_docs.py; tests/EdgeRnn.Generators.Tests/DescriptorDocsTests.cs checks the rest).
# Output: "PASS <check>" / "FAIL <check>: why" lines, and a last line "docs-test.sh: N checks passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. tools/ci/checks.sh

echo "=== docs/diagnostics against the descriptors"
"$python" tools/ci/check_diagnostics_docs.py >"$work/diag.log" 2>&1
while IFS= read -r line; do
  case "$line" in
    "PASS "*) pass "${line#PASS }" ;;
    "FAIL "*) rest=${line#FAIL }; fail "${rest%%: *}" "${rest#*: }" ;;
  esac
done <"$work/diag.log"
grep -qE '^(PASS|FAIL) ' "$work/diag.log" || fail "check_diagnostics_docs.py" "$(tail -3 "$work/diag.log")"

echo "=== relative links"
mapfile -t markdown < <(git ls-files '*.md')
if missing=$("$python" tools/ci/doc_blocks.py links "${markdown[@]}" 2>&1); then
  pass "relative links in ${#markdown[@]} Markdown files resolve"
else
  fail "relative links resolve" "$(tr '\n' ' ' <<<"$missing")"
fi

echo "=== C# blocks compile as written"
project=$work/DocBlock
mkdir -p "$project"
cat >"$project/DocBlock.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>\$(DocBlockOutputType)</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <Import Project="$repo/targets/EdgeRnn.Source.targets" />
  <Import Project="models.props" />
</Project>
XML
# The model a block names comes from the folder its doc describes (a sample's own), else from the first sample (or
# the test project) that has a file at that path, else the QuickStart amp model.
model_home() {
  case "$1" in samples/*/README.md) dirname "$1"; return ;; esac
  local home
  for home in samples/QuickStart samples/* tests/EdgeRnn.Tests; do
    [ -f "$home/$2" ] && { echo "$home"; return; }
  done
  echo samples/QuickStart
}
mapfile -t docs < <(ls README.md src/EdgeRnn/README.md docs/*.md samples/*/README.md | grep -v '^docs/getting-started.md$')
"$python" tools/ci/doc_blocks.py csharp "${docs[@]}" >"$work/blocks.jsonl"
count=0
while IFS= read -r block; do
  count=$((count + 1))
  doc=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["doc"])' "$block")
  line=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["line"])' "$block")
  "$python" -c 'import json,sys; sys.stdout.write(json.loads(sys.argv[1])["text"])' "$block" >"$project/Program.cs"
  rm -rf "$project"/model "$project"/models "$project"/Model "$project"/Models
  items=""
  for model in $(grep -oE 'EdgeRnnModel\("[^"]+"\)' "$project/Program.cs" | sed -E 's/EdgeRnnModel\("(.*)"\)/\1/'); do
    home=$(model_home "$doc" "$model")
    mkdir -p "$project/$(dirname "$model")"
    cp -r "$home/$(dirname "$model")/." "$project/$(dirname "$model")/"
    # *.edgernn.json files are models by default; other formats are listed, as the docs say.
    case "$model" in *.edgernn.json) ;; *) items="$items<EdgeRnnModel Include=\"$model\" />" ;; esac
  done
  echo "<Project><ItemGroup>$items</ItemGroup></Project>" >"$project/models.props"
  name="$doc:$line compiles"
  if dotnet build "$project" -p:DocBlockOutputType=Exe >"$work/build.log" 2>&1; then
    pass "$name (program)"
  elif grep -q 'error CS5001' "$work/build.log" && dotnet build "$project" -p:DocBlockOutputType=Library >"$work/build.log" 2>&1; then
    pass "$name (declarations)"
  else
    fail "$name" "$(grep -E 'error' "$work/build.log" | sed -E 's/ \[[^]]*\]$//' | sort -u | head -5 | tr '\n' ' ')"
  fi
done <"$work/blocks.jsonl"
[ "$count" -gt 0 ] || fail "C# blocks found" "none in ${docs[*]}"

finish
