#!/usr/bin/env bash
# Compiles the FAISS JNI glue into one shared library per CPU variant:
#   libdistillmesh_faiss_jni-<abi>-generic.so  linked against Debian's libfaiss.a (baseline x86-64)
#   libdistillmesh_faiss_jni-<abi>-avx2.so     linked against the AVX2 build cached by
#                                              scripts/build-faiss-avx2.sh, when that cache exists
# FaissNative picks the variant at load time. Called by Maven (index-service/pom.xml).
# Usage: build.sh <output-dir> <object-dir>
set -euo pipefail

OUT="$1"; OBJ="$2"
ABI=1   # bump together with FaissNative.ABI_VERSION when the native method signatures change
HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$HERE/faiss_jni.cpp"
JAVA_HOME="${JAVA_HOME:?JAVA_HOME must point at a JDK}"
MULTIARCH="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
LIBDIR="/usr/lib/$MULTIARCH"
CACHE_ROOT="${DISTILLMESH_CACHE:-$HOME/.cache/distillmesh}"
AVX2_LIB="$CACHE_ROOT/faiss-avx2/lib/libfaiss.a"

if [[ ! -f "$LIBDIR/libfaiss.a" || ! -d /usr/include/faiss ]]; then
  echo "index-service native build: FAISS not found ($LIBDIR/libfaiss.a, /usr/include/faiss)." >&2
  echo "Install it with: sudo apt-get install libfaiss-dev libopenblas-dev liblapack-dev g++" >&2
  echo "(scripts/setup.sh does this for you)." >&2
  exit 1
fi

mkdir -p "$OUT" "$OBJ"
CXXFLAGS=(-std=c++17 -O3 -fPIC -fopenmp -Wall -Wextra -Wno-unused-parameter
          -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux")
LDFLAGS=(-shared -fopenmp -Wl,--no-undefined -Wl,--exclude-libs,ALL)
LIBS=(-L"$LIBDIR" -lopenblas -llapack -lgomp -lpthread)

build_variant() {   # name faiss-archive extra-cflags...
  local name="$1" archive="$2"; shift 2
  local so="$OUT/libdistillmesh_faiss_jni-$ABI-$name.so"
  local stamp="$OBJ/$name.stamp"
  local key; key="$(cat "$SRC" "$0" | sha256sum | cut -c1-16) $(stat -c %Y "$archive") $*"
  if [[ -f "$so" && "$(cat "$stamp" 2>/dev/null)" == "$key" ]]; then return; fi
  g++ "${CXXFLAGS[@]}" "$@" -c "$SRC" -o "$OBJ/faiss_jni-$name.o"
  g++ "${LDFLAGS[@]}" -o "$so" "$OBJ/faiss_jni-$name.o" "$archive" "${LIBS[@]}"
  echo "$key" > "$stamp"
  echo "built $so"
}

build_variant generic "$LIBDIR/libfaiss.a"
if [[ -f "$AVX2_LIB" ]]; then
  build_variant avx2 "$AVX2_LIB" -mavx2 -mfma -mf16c -mpopcnt
else
  rm -f "$OUT/libdistillmesh_faiss_jni-$ABI-avx2.so"
  echo "index-service native build: no AVX2 FAISS at $AVX2_LIB; only the generic variant is built" \
       "(run scripts/build-faiss-avx2.sh for the ~2-4x faster one)."
fi
