#!/usr/bin/env bash
# What a compiled-in model costs at build time (docs/benchmarks.md, "Build time").
#
# Builds two throwaway console projects under a temporary directory, identical except that one compiles a 2-layer
# LSTM with I = H = 256 (4.2 MB of float32 weights, from tools/make_build_time_model.py):
#   clean build      rm -rf bin obj; dotnet restore; time `dotnet build --no-restore`
#   one-line edit    change one line of Program.cs; time `dotnet build --no-restore`
# and the clean build of a copy of samples/CharLm (0.97 MB of weights). Each figure is the median of --runs runs;
# a first build (restore, the runtime and generator projects, the compiler server if used) is not timed.
#
#   tools/measure_build_time.sh [--runs 3] [--configuration Debug] [--repo DIR] [--no-server] [--no-lstm] [--no-charlm] [--keep]
# --no-server: compile without the shared compiler server, MSBuild in one process (-m:1 -nodeReuse:false
# -p:UseSharedCompilation=false), so every compile is a child process of the build and its CPU time (user + sys) is
# counted too. The CPU time hardly depends on what else the machine runs; the wall time does.
# --repo: the EdgeRnn checkout whose targets/EdgeRnn.Source.targets the projects import (default: this one), e.g. an
# older commit extracted with `git archive` to compare. Needs dotnet and /usr/bin/python3 (standard library only).
set -euo pipefail
shopt -s inherit_errexit
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

repo=$(cd "$(dirname "$0")/.." && pwd)
tools=$repo/tools
runs=3
configuration=Debug
charlm=1
lstm=1
keep=0
server=1
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --configuration|-c) configuration=$2; shift 2 ;;
    --repo) repo=$(cd "$2" && pwd); shift 2 ;;
    --no-charlm) charlm=0; shift ;;
    --no-lstm) lstm=0; shift ;;
    --no-server) server=0; shift ;;
    --keep) keep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d /tmp/edgernn-buildtime.XXXXXX)
[ "$keep" -eq 1 ] || trap 'rm -rf "$work"' EXIT
echo "EdgeRnn checkout: $repo ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout'))"
echo "work directory:   $work; $configuration; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# A console project importing the checkout's targets; $2 = extra project items, $3 = extra Program.cs code.
new_project() {
  local dir=$1 items=$2 code=$3
  mkdir -p "$dir"
  cat >"$dir/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <Import Project="$repo/targets/EdgeRnn.Source.targets" />
  <ItemGroup>$items</ItemGroup>
</Project>
XML
  cat >"$dir/Program.cs" <<CS
Console.WriteLine("edit 0");
$code
CS
}

# "wall/cpu" milliseconds taken by a command (cpu: user + sys of it and its children); its output goes to
# $work/last.log, shown if it fails.
milliseconds() {
  local TIMEFORMAT='%R %U %S' timing
  if ! timing=$( { time "$@" >"$work/last.log" 2>&1; } 2>&1 ); then
    tail -30 "$work/last.log" >&2; echo "failed: $*" >&2; exit 1
  fi
  echo "$timing" | awk '{printf "%d/%d", $1 * 1000, ($2 + $3) * 1000}'
}

# Median of "wall/cpu" pairs, field $1 (1 = wall, 2 = cpu).
median() { tr ' ' '\n' | grep . | cut -d/ -f"$1" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
seconds() { awk -v ms="$1" 'BEGIN {printf "%.1f", ms / 1000}'; }

build() {
  if [ "$server" -eq 1 ]; then
    dotnet build "$1" --no-restore -c "$configuration" -nologo -clp:ErrorsOnly
  else
    UseSharedCompilation=false dotnet build "$1" --no-restore -c "$configuration" -nologo -clp:ErrorsOnly -m:1 -nodeReuse:false
  fi
}

# Clean build times of project $1, one per run.
clean_builds() {
  local dir=$1 times=""
  for _ in $(seq "$runs"); do
    rm -rf "$dir/bin" "$dir/obj"
    dotnet restore "$dir" -v q >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }
    times="$times $(milliseconds build "$dir")"
  done
  echo "$times"
}

# Rebuild times of project $1 after a one-line edit of Program.cs, one per run.
edit_builds() {
  local dir=$1 times=""
  for i in $(seq "$runs"); do
    sed -i "1s/.*/Console.WriteLine(\"edit $i\");/" "$dir/Program.cs"
    times="$times $(milliseconds build "$dir")"
  done
  echo "$times"
}

/usr/bin/python3 "$tools/make_build_time_model.py" "$work/with/model"
new_project "$work/without" "" ""
new_project "$work/with" '<EdgeRnnModel Include="model/big.edgernn.json" />' '
var model = new Big();
Span<float> output = stackalloc float[Big.OutputSize];
model.Step(new float[Big.InputSize], output);
Console.WriteLine(output[0]);

[EdgeRnn.EdgeRnnModel("model/big.edgernn.json")]
public partial struct Big;'

echo "warm-up build (not timed): restore, the runtime and generator projects"
dotnet restore "$work/without" -v q >"$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }
milliseconds build "$work/without" >/dev/null

declare -A figures
for project in $([ "$lstm" -eq 1 ] && echo without with); do
  figures[clean_$project]=$(clean_builds "$work/$project")
  figures[edit_$project]=$(edit_builds "$work/$project")
  echo "$project model: clean builds ${figures[clean_$project]} ms; after a one-line edit ${figures[edit_$project]} ms (wall/cpu)"
done

if [ "$charlm" -eq 1 ]; then
  mkdir -p "$work/charlm"
  # The sample with the repository's shared settings (target framework, language version) next to it.
  cp -r "$repo/samples/CharLm/model" "$repo/samples/CharLm/Program.cs" "$repo/Directory.Build.props" "$work/charlm/"
  sed "s#../../targets/#$repo/targets/#" "$repo/samples/CharLm/CharLm.csproj" >"$work/charlm/CharLm.csproj"
  figures[clean_charlm]=$(clean_builds "$work/charlm")
  echo "CharLm: clean builds ${figures[clean_charlm]} ms (wall/cpu)"
fi

# One table row: label, "wall/cpu" times without and with the model ("" for none).
row() {
  local label=$1 without=$2 with=$3 field cells="" w x
  for field in 1 2; do
    [ "$field" -eq 2 ] && [ "$server" -eq 1 ] && continue
    w=""
    [ -z "$without" ] || w=$(echo "$without" | median $field)
    x=$(echo "$with" | median $field)
    cells="$cells | ${w:+$(seconds "$w") s} | $(seconds "$x") s | ${w:+$(seconds $((x - w))) s}"
  done
  echo "| $label$cells |"
}
echo
if [ "$server" -eq 1 ]; then
  echo "| $configuration, median of $runs, wall time | without the model | with the 4.2 MB LSTM | the model adds |"
  echo "| --- | ---: | ---: | ---: |"
else
  echo "| $configuration, no compiler server, median of $runs | wall without | wall with | wall added | CPU without | CPU with | CPU added |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
fi
if [ "$lstm" -eq 1 ]; then
  row 'clean `dotnet build`' "${figures[clean_without]}" "${figures[clean_with]}"
  row 'rebuild after a one-line Program.cs edit' "${figures[edit_without]}" "${figures[edit_with]}"
fi
[ "$charlm" -eq 0 ] || row 'CharLm sample, clean `dotnet build`' "" "${figures[clean_charlm]}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
