#!/bin/sh
# Builds librtneural_shim.so (rtneural_shim.cpp against an RTNeural checkout and Eigen) for the benchmark's RTNeural peer.
#
#   build_rtneural_shim.sh RTNEURAL_DIR OUTPUT_DIR
#
# RTNEURAL_DIR: an RTNeural checkout (RTNeural/RTNeural.h and modules/json/json.hpp under it).
# Writes OUTPUT_DIR/librtneural_shim.so, or, when something is missing, no library and OUTPUT_DIR/rtneural_shim.status
# with one plain sentence saying what (the benchmark prints it and skips the RTNeural column). Exits 0 either way:
# a missing peer is not a build error of the benchmark.
# Eigen: EIGEN_DIR, else Debian's libeigen3-dev (/usr/include/eigen3). Compiler: CXX, else g++.
# Target: RTNEURAL_MARCH, else native (-march=native, as the issue measures RTNeural; x86-64-v3 for AVX2 only).
set -u
rtneural="$1"
out="$2"
here=$(cd "$(dirname "$0")" && pwd)
cxx="${CXX:-g++}"
eigen="${EIGEN_DIR:-/usr/include/eigen3}"
march="${RTNEURAL_MARCH:-native}"
mkdir -p "$out"
lib="$out/librtneural_shim.so"
status="$out/rtneural_shim.status"
rm -f "$lib" "$status" "$out/rtneural_shim.built"

skip() {
    echo "$1" > "$status"
    echo "RTNeural shim not built: $1"
    exit 0
}

[ -f "$rtneural/RTNeural/RTNeural.h" ] || skip "no RTNeural headers at $rtneural (RTNeural/RTNeural.h); set RTNEURAL_DIR to an RTNeural checkout"
[ -f "$rtneural/modules/json/json.hpp" ] || skip "no modules/json/json.hpp in the RTNeural checkout $rtneural"
[ -f "$eigen/Eigen/Dense" ] || skip "no Eigen at $eigen (install libeigen3-dev or set EIGEN_DIR)"
command -v "$cxx" > /dev/null 2>&1 || skip "no C++ compiler ($cxx) on PATH"

# RTNEURAL_DEFAULT_ALIGNMENT=32: AVX, as RTNeural's CMake sets it for AVX builds. EIGEN_STACK_ALLOCATION_LIMIT=0:
# the fixed-size weight matrices of H >= 128 exceed Eigen's 128 KiB stack check; the models live on the heap.
if "$cxx" -std=c++17 -O3 -march="$march" -DNDEBUG -DRTNEURAL_USE_EIGEN=1 -DRTNEURAL_DEFAULT_ALIGNMENT=32 \
    -DEIGEN_STACK_ALLOCATION_LIMIT=0 -I"$rtneural" -I"$eigen" -fPIC -shared -fvisibility=hidden \
    -o "$lib.tmp" "$here/rtneural_shim.cpp"; then
    mv "$lib.tmp" "$lib"
    commit=$(head -c 40 "$rtneural/SNAPSHOT" 2>/dev/null || git -C "$rtneural" rev-parse HEAD 2>/dev/null || echo unknown)
    echo "built from $rtneural (commit $commit) with $("$cxx" --version | head -n 1), -O3 -march=$march, Eigen $eigen" > "$out/rtneural_shim.built"
    echo "RTNeural shim: $lib"
else
    rm -f "$lib.tmp"
    skip "$cxx failed to compile rtneural_shim.cpp against $rtneural (see the build output)"
fi
