#!/usr/bin/env bash
# Runs OpenMpContentionBenchmarks once per OpenMP setting, each in a fresh process (libgomp reads its environment once,
# when libtorch loads), and prints "contended/idle step time: <ratio>" per setting.
# Usage: tests/Ippo.MLNet.Benchmarks/openmp-contention.sh [extra GOMP_SPINCOUNT values...]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/Ippo.MLNet.Benchmarks -c Release >/dev/null
settings=("library default (GOMP_SPINCOUNT=1000)|"
          "old behaviour (libgomp default, 300000 spins)|IPPO_OPENMP_DEFAULTS=0"
          "OMP_WAIT_POLICY=PASSIVE|OMP_WAIT_POLICY=PASSIVE")
for spins in "$@"; do settings+=("GOMP_SPINCOUNT=$spins|GOMP_SPINCOUNT=$spins"); done
summary=""
for entry in "${settings[@]}"; do
  name=${entry%%|*}; assignment=${entry#*|}
  log=$(mktemp)
  env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u IPPO_OPENMP_DEFAULTS $assignment \
    dotnet run --project tests/Ippo.MLNet.Benchmarks -c Release --no-build -- --filter '*OpenMpContention*' >"$log" 2>&1
  echo "== $name"; grep -E "^\| (Method|-)|^\| 'step 64x42|^// (OpenMP setting|idle step median|contended/idle)" "$log" | sort -u || true
  summary+="$name: $(grep -E '^// contended/idle step time' "$log" | tail -n 1 | sed 's#^// ##')"$'\n'
  rm -f "$log"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s' "$summary"
