#!/usr/bin/env bash
# Installs what distillmesh needs on Debian/Ubuntu, only what is missing:
#   JDK 17, Maven, a C++ compiler, FAISS (libfaiss-dev), OpenBLAS, LAPACK;
# then builds the AVX2 variant of FAISS once (cached in ~/.cache/distillmesh) when the CPU has AVX2.
# Set DISTILLMESH_SKIP_AVX2=1 to use only Debian's generic FAISS build.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(openjdk-17-jdk-headless maven g++ make cmake dpkg-dev libfaiss-dev libopenblas-dev liblapack-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A JDK 17+ and Maven already on PATH (e.g. from another vendor) are fine too.
if command -v javac >/dev/null && javac -version 2>&1 | grep -Eq 'javac (1[7-9]|[2-9][0-9])'; then
  missing=("${missing[@]/openjdk-17-jdk-headless}")
fi
command -v mvn >/dev/null && missing=("${missing[@]/maven}")
read -r -a missing <<< "${missing[*]}"
if (( ${#missing[@]} )); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "${DISTILLMESH_SKIP_AVX2:-0}" != "1" ]] && grep -qw avx2 /proc/cpuinfo; then
  scripts/build-faiss-avx2.sh >/dev/null || echo "setup: AVX2 FAISS build failed; the generic build will be used" >&2
fi
