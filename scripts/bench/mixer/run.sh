#!/usr/bin/env bash
# Mixer capacity benchmark: how many conference participants one mixer tick thread serves on this machine without
# missing a 20 ms deadline, CPU per participant, and in the same run the relay's per-call cost for comparison.
# A benchmark, not a test: it reports figures and asserts nothing. Output also goes to scripts/bench/results.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
. "$REPO/scripts/bench/lib.sh"

ROOMS=${ROOMS:-"3,10,50"}            # participants per room; capacity is searched for each room size
SECONDS_PER_STEP=${SECONDS_PER_STEP:-3}
WIDEBAND_PERCENT=${WIDEBAND_PERCENT:-0}
RESULTS_DIR=${RESULTS_DIR:-"$REPO/scripts/bench/results"}

mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/mixer-$(date -u +%Y%m%dT%H%M%SZ).txt"
log "building the mixer benchmark (Release)"
dotnet build -c Release "$HERE/MixerBench.csproj" >&2 || { log "build failed"; exit 1; }
log "running: rooms $ROOMS, $SECONDS_PER_STEP s per step, $WIDEBAND_PERCENT % G.722; results in $out"
dotnet run -c Release --no-build --project "$HERE/MixerBench.csproj" -- \
    --rooms "$ROOMS" --seconds "$SECONDS_PER_STEP" --wideband-percent "$WIDEBAND_PERCENT" | tee "$out"
