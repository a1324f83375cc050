#!/usr/bin/env bash
# Runs OpenMpContentionBenchmarks once per OpenMP setting, each in a fresh process (libgomp reads its environment once,
# when libtorch loads), and prints "contended/idle step time: <ratio>" per setting.
# Usage: tests/Ippo.MLNet.Benchmarks/openmp-contention.sh [extra GOMP_SPINCOUNT values...]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/Ippo.MLNet.Benchmarks -c Release >/dev/null
settings=("library default (GOMP_SPINCOUNT=10000)|"
          "old behaviour (libgomp default, 300000 spins)|IPPO_OPENMP_DEFAULTS=0"
          "OMP_WAIT_POLICY=PASSIVE|OMP_WAIT_POLICY=PASSIVE")
for spins in "$@"; do settings+=("GOMP_SPINCOUNT=$spins|GOMP_SPINCOUNT=$spins"); done
summary=""
for entry in "${settings[@]}"; do
  name=${entry%%|*}; assignment=${entry#*|}
  log=$(mktemp)
  env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u IPPO_OPENMP_DEFAULTS $assignment \
    dotnet run --project tests/Ippo.MLNet.Benchmarks -c Release --no-build -- --filter '*OpenMpContention*' >"$log" 2>&1
  # Result rows look like: | 'step 64x42 (fwd+bwd+AdamW)' | False | 123.4 ms | ... ; the Mean column is the 4th field.
  table=$(grep -E "^\| 'step 64x42" "$log")
  echo "== $name"; grep -E "^\| (Method|-)|^\| 'step 64x42|OpenMP setting" "$log" || true
  ratio=$(awk -F'|' '{ gsub(/[ ,]/, "", $3); v=$4; gsub(/,/, "", v); split(v, p, " "); t=p[1]*(p[2]=="s"?1000:(p[2]=="us"||p[2]=="μs"?0.001:1)); m[$3]=t }
                     END { if (m["False"] > 0) printf "%.2f", m["True"] / m["False"]; else print "n/a" }' <<<"$table")
  summary+="$name: contended/idle step time: $ratio"$'\n'
  rm -f "$log"
done
printf '%s' "$summary"
