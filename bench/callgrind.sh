#!/bin/sh
# Instructions per training step of a bench case under valgrind's callgrind: load-independent and
# repeatable, for a shared machine where step times mean nothing. bench/count.js reads process.ppid
# (getppid) before and after the counted steps; callgrind dumps its counters at each, so the second
# dump holds the counted steps alone. Single-threaded (1 wasm thread, 1 BLAS thread: spinning pool
# threads would add load-dependent instructions) and on OpenBLAS's Haswell kernels (valgrind has no
# AVX-512).
#   bench/callgrind.sh CASE [STEPS=1] [WARMUP=1]      (after npm run build; GANKIT_NATIVE, GANKIT_FUSED as usual)
set -e
case_=${1:?case}; steps=${2:-1}; warmup=${3:-1}
dir=$(cd "$(dirname "$0")/.." && pwd)
out=${CALLGRIND_OUT:-/tmp/gankit-callgrind}/$case_.$$
mkdir -p "$out"
OPENBLAS_CORETYPE=Haswell GANKIT_THREADS=1 GANKIT_BLAS_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  valgrind --tool=callgrind --smc-check=all-non-file --dump-before=getppid --callgrind-out-file="$out/cg" \
  node "$dir/dist/bench/count.js" --case "$case_" --warmup "$warmup" --steps "$steps" >/dev/null 2>"$out/log"
# The dumps: cg.N (N = 1 at the first marker, 2 at the second), then cg (the rest).
ir=$(sed -n 's/^summary: //p' "$out/cg.2")
echo "$case_ native=${GANKIT_NATIVE:-auto} fused=${GANKIT_FUSED:-on} instructions/step $(( ir / steps )) ($steps step(s) after $warmup warm-up; $out)"
