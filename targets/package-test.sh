#!/usr/bin/env bash
# targets/package-test.sh: the NuGet package, as a new user meets it.
#   1. dotnet pack src/EdgeRnn: one EdgeRnn.<version>.nupkg with the runtime in lib/net10.0, the generator in
#      analyzers/dotnet/cs (not as a library), and buildTransitive/EdgeRnn.props/.targets byte-identical to the
#      targets/ files a source checkout imports.
#      Metadata: MIT licence expression and LICENSE, readme, repository and commit, version from Directory.Build.props
#      with a pre-release suffix that a second pack changes while the assembly stays byte-identical.
#   2. In an empty temp directory, outside this repository: dotnet new console, dotnet add package EdgeRnn --source
#      <the packed folder>, a model + manifest + partial struct; dotnet run matches PyTorch within 1e-5.
#   3. dotnet publish -p:EdgeRnnTarget=rpi4: first without the project lines restore needs (a clear EdgeRnn error),
#      then with them, as docs/devices.md says; the binary runs under qemu as a Pi 4 and matches PyTorch.
# The new project restores into a private NuGet cache (NUGET_PACKAGES): no EdgeRnn left from an earlier run is picked up.
# Output: "PASS <check>" / "FAIL <check>: why" lines, and a last line "package-test.sh: N checks passed, N failed".
# Environment: EDGERNN_PACKAGE_TEST_OUT=DIR keeps the work directory there (default: a temp dir, removed at the end).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [ -n "${EDGERNN_PACKAGE_TEST_OUT:-}" ]; then
  work=$EDGERNN_PACKAGE_TEST_OUT; rm -rf "${work:?}/feed" "$work/feed-again" "$work/app" "$work/nuget"; mkdir -p "$work"; keep=1
else
  work=$(mktemp -d); keep=0
fi
feed=$work/feed
app=$work/app
started=$(date +%s)
tolerance=1e-5

passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { local name=$1 why=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$why"; fi; }
le() { [[ $1 =~ ^[0-9.eE+-]+$ ]] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
finish() {
  [ "$keep" = 1 ] || rm -rf "$work"
  echo "package-test.sh took $(($(date +%s) - started)) s"
  echo "package-test.sh: $passed checks passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

echo "=== dotnet pack src/EdgeRnn"
dotnet pack src/EdgeRnn -c Release -o "$feed" >"$work/pack.log" 2>&1
status=$?
packages=("$feed"/EdgeRnn.*.nupkg)
check "dotnet pack makes one EdgeRnn.<version>.nupkg" "exit $status, found: ${packages[*]}; $(grep -m3 error "$work/pack.log")" \
  test $status -eq 0 -a ${#packages[@]} -eq 1 -a -f "${packages[0]}"
[ -f "${packages[0]}" ] || finish
nupkg=${packages[0]}
version=$(basename "$nupkg" .nupkg); version=${version#EdgeRnn.}
echo "    $(basename "$nupkg"), $(stat -c %s "$nupkg") bytes"
unzip -l "$nupkg" | awk 'NR > 3 && $4 != "" && $4 !~ /^-/ { print "      " $4 }' | grep -v -e '^      _rels' -e 'package/services' -e 'Content_Types'
files=$(unzip -Z1 "$nupkg")
has() { grep -qx "$1" <<<"$files"; }
check "package has the runtime in lib/net10.0" "entries: $files" has lib/net10.0/EdgeRnn.dll
check "package has the generator in analyzers/dotnet/cs" "entries: $files" has analyzers/dotnet/cs/EdgeRnn.Generators.dll
not_a_library() { ! grep -qi '^lib/.*Generators' <<<"$files" && ! unzip -p "$nupkg" EdgeRnn.nuspec | grep -qi 'EdgeRnn.Generators'; }
check "package does not reference the generator as a library (nor depend on it)" "$(grep -i generators <<<"$files" | tr '\n' ' ')" \
  not_a_library
check "buildTransitive/EdgeRnn.targets is targets/EdgeRnn.targets, byte for byte" "differs or missing" \
  bash -c "unzip -p '$nupkg' buildTransitive/EdgeRnn.targets | cmp -s - targets/EdgeRnn.targets"
check "buildTransitive/EdgeRnn.props is targets/EdgeRnn.Presets.props, byte for byte" "differs or missing" \
  bash -c "unzip -p '$nupkg' buildTransitive/EdgeRnn.props | cmp -s - targets/EdgeRnn.Presets.props"

echo "=== package metadata"
nuspec=$(unzip -p "$nupkg" EdgeRnn.nuspec)
prefix=$(sed -n 's#.*<VersionPrefix>\(.*\)</VersionPrefix>.*#\1#p' Directory.Build.props)
check "the version is Directory.Build.props' VersionPrefix with a local pre-release suffix ($version)" "VersionPrefix '$prefix'" \
  bash -c "[[ '$version' =~ ^${prefix//./\\.}-dev\.[0-9]{8}T[0-9]{6}$ ]]"
check "the licence is the expression MIT, and LICENSE is the repository's" "$(grep -o '<license[^/]*/license>' <<<"$nuspec")" \
  bash -c "grep -q '<license type=\"expression\">MIT</license>' <<<'$nuspec' && unzip -p '$nupkg' LICENSE | cmp -s - LICENSE"
check "the package readme is src/EdgeRnn/README.md" "$(grep -o '<readme>.*</readme>' <<<"$nuspec")" \
  bash -c "grep -q '<readme>README.md</readme>' <<<'$nuspec' && unzip -p '$nupkg' README.md | cmp -s - src/EdgeRnn/README.md"
repository_url=$(sed -n 's#.*<RepositoryUrl>\(.*\)</RepositoryUrl>.*#\1#p' Directory.Build.props)
check "the nuspec names the repository ($repository_url, git) and the commit packed" "$(grep -o '<repository[^>]*>' <<<"$nuspec")" \
  bash -c "grep -Eq '<repository type=\"git\" url=\"$repository_url\"[^>]* commit=\"[0-9a-f]{40}\"' <<<'$nuspec'"
check "the pdb is in the package next to the dll" "entries: $files" has lib/net10.0/EdgeRnn.pdb
# Packing again (a second later) must give a new version, so no NuGet cache holds a stale copy of it, while the
# assembly inside stays byte-identical (deterministic build).
sleep 1
dotnet pack src/EdgeRnn -c Release -o "$work/feed-again" >"$work/pack-again.log" 2>&1
again=("$work"/feed-again/EdgeRnn.*.nupkg)
check "re-packing gives a new version and the same EdgeRnn.dll, byte for byte" "$(basename "${again[0]}") vs $(basename "$nupkg")" \
  bash -c "[ -f '${again[0]}' ] && [ '$(basename "${again[0]}")' != '$(basename "$nupkg")' ] && cmp -s <(unzip -p '${again[0]}' lib/net10.0/EdgeRnn.dll) <(unzip -p '$nupkg' lib/net10.0/EdgeRnn.dll)"

echo "=== a new console project, outside the repository, with the package"
# From here on, a private NuGet cache (the pack above used the usual one, as the repository's builds do).
export NUGET_PACKAGES=$work/nuget
mkdir -p "$app"
cd "$app" || finish
dotnet new console >"$work/new.log" 2>&1 || fail "dotnet new console" "$(tail -3 "$work/new.log")"
dotnet add package EdgeRnn --version "$version" --source "$feed" >"$work/add.log" 2>&1
status=$?
check "dotnet add package EdgeRnn --source <packed folder>" "exit $status: $(tail -3 "$work/add.log")" \
  bash -c "[ $status -eq 0 ] && grep -q 'PackageReference Include=\"EdgeRnn\" Version=\"$version\"' app.csproj"
# (NuGet names the cache folders in lower case: 0.1.0-dev.20261201t120000.)
check "the package came from the packed folder into the private cache" "not in $NUGET_PACKAGES/edgernn/${version,,}" \
  bash -c "unzip -p '$nupkg' lib/net10.0/EdgeRnn.dll | cmp -s - '$NUGET_PACKAGES/edgernn/${version,,}/lib/net10.0/EdgeRnn.dll'"

# The model: the QuickStart amp LSTM (manifest, safetensors weights, PyTorch's outputs).
mkdir -p models
cp "$repo"/samples/QuickStart/models/amp.{edgernn.json,safetensors,expected.json} models/
# In the project file: name the model (step 3 of README's "Add a model to your project").
sed -i 's#^</Project>#  <ItemGroup>\n    <EdgeRnnModel Include="models/amp.edgernn.json" />\n  </ItemGroup>\n\n</Project>#' app.csproj
cat >Program.cs <<'EOF'
using System.Globalization;
using System.Text.Json;
using EdgeRnn;

// Streams PyTorch's test input through the model one step at a time and prints the largest difference.
var root = JsonDocument.Parse(File.ReadAllText(args[0])).RootElement;
float[] inputs = root.GetProperty("inputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
float[] expected = root.GetProperty("outputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
var amp = new Amp();
Span<float> y = stackalloc float[Amp.OutputSize];
float maxDiff = 0;
for (int t = 0; t < inputs.Length; t++)
{
    amp.Step(inputs.AsSpan(t, 1), y);
    maxDiff = Math.Max(maxDiff, Math.Abs(y[0] - expected[t]));
}
Console.WriteLine($"steps={inputs.Length} maxdiff={maxDiff.ToString("R", CultureInfo.InvariantCulture)}");
return maxDiff <= 1e-5f ? 0 : 1;

[EdgeRnnModel("models/amp.edgernn.json")]
public partial struct Amp;
EOF

maxdiff_of() { sed -n 's/^steps=4800 maxdiff=\([^ ]*\)$/\1/p' "$1" | head -1; }
ran_within() { [ "$1" -eq 0 ] && le "$2" "$tolerance"; } # ran_within EXIT-CODE MAXDIFF

dotnet run -- models/amp.expected.json >"$work/run.log" 2>&1
status=$?
check "dotnet run: the generated struct matches PyTorch within $tolerance" "exit $status: $(tail -5 "$work/run.log")" \
  ran_within $status "$(maxdiff_of "$work/run.log")"
echo "    $(grep '^steps=' "$work/run.log")"
check "the package's targets turned the weights into text under obj/edgernn/" "no obj/edgernn/*.b64" \
  bash -c "ls obj/Debug/net10.0/edgernn/amp.safetensors.*.b64 >/dev/null 2>&1"

echo "=== dotnet publish -p:EdgeRnnTarget=rpi4"
# Restore never reads a package's own build files, so before the project tells restore about NativeAOT and the
# runtime, the preset must stop with EdgeRnn's explanation (not NuGet's NETSDK1047, nor a silent JIT publish).
dotnet publish -p:EdgeRnnTarget=rpi4 >"$work/publish-first.log" 2>&1
status=$?
check "without the project lines, the publish stops with EdgeRnn's explanation" "exit $status: $(grep -m2 error "$work/publish-first.log")" \
  bash -c "[ $status -ne 0 ] && grep -q 'EdgeRnn: EdgeRnnTarget=rpi4 publishes for linux-arm64 with NativeAOT' '$work/publish-first.log' && ! grep -q NETSDK1047 '$work/publish-first.log'"

# The two lines docs/devices.md tells a package user to add once.
sed -i 's#^</Project>#  <PropertyGroup>\n    <PublishAot>true</PublishAot>\n    <RuntimeIdentifiers>linux-x64;linux-arm64</RuntimeIdentifiers>\n  </PropertyGroup>\n\n</Project>#' app.csproj
dotnet publish -p:EdgeRnnTarget=rpi4 >"$work/publish.log" 2>&1
status=$?
bin=bin/Release/net10.0/linux-arm64/publish/app
check "dotnet publish -p:EdgeRnnTarget=rpi4 succeeds" "exit $status: $(grep -m3 error "$work/publish.log")" test $status -eq 0 -a -x "$bin"
warnings=$(grep -E '(warning|error) IL[23][0-9]{3}' "$work/publish.log" | sort -u)
check "the rpi4 publish has no IL2xxx/IL3xxx warning" "$warnings" test -z "$warnings"
check "the rpi4 publish is a NativeAOT ARM64 binary" "e_machine $(od -An -t u2 -j 18 -N 2 "$bin" 2>/dev/null)" \
  bash -c "grep -q 'Generating native code' '$work/publish.log' && [ \"\$(od -An -t u2 -j 18 -N 2 '$bin' | tr -d ' ')\" = 183 ]"
qemu-aarch64-static -cpu cortex-a72 -L /usr/aarch64-linux-gnu "$bin" models/amp.expected.json >"$work/qemu.log" 2>&1
status=$?
check "the rpi4 binary under qemu -cpu cortex-a72 matches PyTorch within $tolerance" "exit $status: $(tail -3 "$work/qemu.log")" \
  ran_within $status "$(maxdiff_of "$work/qemu.log")"
echo "    $(grep '^steps=' "$work/qemu.log") ($(stat -c %s "$bin" 2>/dev/null) bytes)"

dotnet run -- models/amp.expected.json >"$work/run-after.log" 2>&1
status=$?
check "dotnet run still works with the project lines" "exit $status: $(tail -3 "$work/run-after.log")" test $status -eq 0

cd "$repo" || true
finish
