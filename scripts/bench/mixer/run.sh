#!/usr/bin/env bash
# Mixer capacity benchmark, two modes in one run (both also in scripts/bench/results):
# 1. in memory: how many conference participants one mixer tick thread serves on this machine without missing a
#    20 ms deadline, with G.711 codec work but no sockets, and the relay's per-packet cost without sockets;
# 2. --sockets: what the daemon really runs, on 127.0.0.1: each participant a relay session whose leg A is served by
#    RelayLegAudioPort, phones simulated in-process (one PCMU packet per 20 ms each, the mix drained back), stepping
#    the participant count up until a level misses deadlines or loses packets; at each level the plain two-leg relay
#    with the same number of legs, for the ratio "CPU per conference participant / CPU per relay leg".
# A benchmark, not a test: it reports figures and asserts nothing. Use an otherwise idle machine: the phones, the
# PBX and anything else running share the cores.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
. "$REPO/scripts/bench/lib.sh"

ROOMS=${ROOMS:-"3,10,50"}            # in-memory mode: participants per room; capacity is searched for each room size
SECONDS_PER_STEP=${SECONDS_PER_STEP:-3}
WIDEBAND_PERCENT=${WIDEBAND_PERCENT:-0}
ROOM_SIZE=${ROOM_SIZE:-10}           # sockets mode: participants per room
LEVELS=${LEVELS:-"100,250,500,750,1000,1500,2000"}  # sockets mode: participant counts, tried in order
PHONE_THREADS=${PHONE_THREADS:-2}    # sockets mode: threads simulating the phones
RESULTS_DIR=${RESULTS_DIR:-"$REPO/scripts/bench/results"}

mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/mixer-$(date -u +%Y%m%dT%H%M%SZ).txt"
log "building the mixer benchmark (Release)"
dotnet build -c Release "$HERE/MixerBench.csproj" >&2 || { log "build failed"; exit 1; }
log "in-memory mode: rooms $ROOMS, $SECONDS_PER_STEP s per step, $WIDEBAND_PERCENT % G.722; results in $out"
dotnet run -c Release --no-build --project "$HERE/MixerBench.csproj" -- \
    --rooms "$ROOMS" --seconds "$SECONDS_PER_STEP" --wideband-percent "$WIDEBAND_PERCENT" | tee "$out"
echo | tee -a "$out"
log "sockets mode: rooms of $ROOM_SIZE, levels $LEVELS, $SECONDS_PER_STEP s per level, $PHONE_THREADS phone threads"
dotnet run -c Release --no-build --project "$HERE/MixerBench.csproj" -- \
    --sockets --room-size "$ROOM_SIZE" --levels "$LEVELS" --seconds "$SECONDS_PER_STEP" --phone-threads "$PHONE_THREADS" | tee -a "$out"
