#!/usr/bin/env bash
# Builds an AVX2/FMA/F16C variant of FAISS from Debian's own faiss source package and caches the
# static library outside the repository. The JNI glue is then linked against it as a second native
# variant, which the loader picks only on CPUs that have AVX2 (see FaissNative).
#
# Debian's libfaiss-dev is a generic x86-64 build: its distance kernels do not use AVX2, which makes
# Flat search about 4x slower on a modern CPU. Building from the same source keeps the versions equal.
#
# Usage: scripts/build-faiss-avx2.sh            (idempotent; prints the cache directory)
# Env:   DISTILLMESH_CACHE   cache root (default ~/.cache/distillmesh)
set -euo pipefail

CACHE_ROOT="${DISTILLMESH_CACHE:-$HOME/.cache/distillmesh}"
PREFIX="$CACHE_ROOT/faiss-avx2"
STAMP="$PREFIX/.built-from"
FLAGS="-mavx2 -mfma -mf16c -mpopcnt"

if ! grep -qw avx2 /proc/cpuinfo; then
  echo "build-faiss-avx2: this CPU has no AVX2; the generic FAISS build will be used." >&2
  exit 0
fi

SRC_VERSION="$(dpkg-query -W -f='${source:Version}' libfaiss-dev 2>/dev/null || true)"
if [[ -z "$SRC_VERSION" ]]; then
  echo "build-faiss-avx2: libfaiss-dev is not installed; run scripts/setup.sh first." >&2
  exit 1
fi
if [[ -f "$PREFIX/lib/libfaiss.a" && "$(cat "$STAMP" 2>/dev/null)" == "$SRC_VERSION $FLAGS" ]]; then
  echo "$PREFIX"
  exit 0
fi

SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
# apt-get source needs deb-src entries; add them for the configured Debian mirrors if missing.
if ! apt-get source --print-uris faiss >/dev/null 2>&1; then
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      | $SUDO tee /etc/apt/sources.list.d/distillmesh-deb-src.sources >/dev/null
  else
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
      | $SUDO tee /etc/apt/sources.list.d/distillmesh-deb-src.list >/dev/null
  fi
  $SUDO apt-get update -qq
fi
command -v cmake >/dev/null || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake
command -v dpkg-source >/dev/null || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev

WORK="$CACHE_ROOT/faiss-src"
rm -rf "$WORK"; mkdir -p "$WORK"
( cd "$WORK" && apt-get source -qq "faiss=$SRC_VERSION" >/dev/null )
SRC_DIR="$(find "$WORK" -maxdepth 1 -mindepth 1 -type d -name 'faiss-*' | head -1)"

cmake -S "$SRC_DIR" -B "$WORK/build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DFAISS_ENABLE_GPU=OFF -DFAISS_ENABLE_PYTHON=OFF -DFAISS_ENABLE_C_API=OFF \
  -DBUILD_TESTING=OFF -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DFAISS_OPT_LEVEL=generic -DCMAKE_CXX_FLAGS="$FLAGS" \
  -DCMAKE_INSTALL_PREFIX="$PREFIX" >"$WORK/cmake.log" 2>&1 \
  || { echo "build-faiss-avx2: cmake failed, see $WORK/cmake.log" >&2; exit 1; }
cmake --build "$WORK/build" --target faiss -j"$(nproc)" >"$WORK/build.log" 2>&1 \
  || { echo "build-faiss-avx2: build failed, see $WORK/build.log" >&2; exit 1; }
rm -rf "$PREFIX"; mkdir -p "$PREFIX/lib"
cp "$WORK/build/faiss/libfaiss.a" "$PREFIX/lib/"
echo "$SRC_VERSION $FLAGS" > "$STAMP"
rm -rf "$WORK"
echo "$PREFIX"
