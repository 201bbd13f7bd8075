#!/usr/bin/env bash
# Generates the PBX's system prompts and the default music on hold as WAV, 16-bit PCM, mono, 8 kHz:
#   <out>/<lang>/<id>.wav   for every line "id|text" of prompts.<lang>.txt (en, de, fr)
#   <out>/moh/default.wav   a gentle generated tune (C - G - Am - F, plucked chords over a soft pad)
# Usage: scripts/prompts/generate.sh [output-folder]   (default: artifacts/prompts at the repository root)
# Generated audio is never committed: artifacts/ is git-ignored.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
out="${1:-$repo_root/artifacts/prompts}"

ensure_tools() {
  local missing=()
  command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
  command -v sox >/dev/null 2>&1 || missing+=(sox)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} with apt-get" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# espeak-ng writes 22.05 kHz; sox resamples with its band-limited filter, normalises to -3 dBFS and adds
# 150 ms of silence at both ends so a prompt does not start or stop abruptly on the line.
render_prompt() {
  local voice="$1" text="$2" target="$3" raw
  raw="$(mktemp --suffix=.wav)"
  espeak-ng -v "$voice" -s 150 -w "$raw" "$text"
  sox "$raw" -r 8000 -c 1 -b 16 -e signed-integer "$target" norm -3 pad 0.15 0.15
  rm -f "$raw"
}

render_music_on_hold() {
  local target="$1" work
  work="$(mktemp -d)"
  local chords=("C3 E3 G3 C4" "G2 D3 G3 B3" "A2 E3 A3 C4" "F2 C3 F3 A3")
  local index=0
  for chord in "${chords[@]}"; do
    read -r root third fifth octave <<<"$chord"
    # Plucked chord, one note per channel strummed by small per-channel delays, over a quiet sine pad; 3 s per
    # chord, mixed down to mono. sox's pluck needs 44.1 kHz or more, so synthesise there and resample.
    sox -r 44100 -c 4 -n -r 8000 -c 1 -b 16 "$work/pluck$index.wav" \
      synth 3 pluck "$root" pluck "$third" pluck "$fifth" pluck "$octave" delay 0 0.04 0.08 0.12 remix - fade q 0.01 3 0.4
    sox -r 44100 -c 2 -n -r 8000 -c 1 -b 16 "$work/pad$index.wav" \
      synth 3 sine "$root" sine "$fifth" remix - vol 0.25 fade h 0.5 3 0.5
    sox -m "$work/pluck$index.wav" "$work/pad$index.wav" "$work/chord$index.wav"
    index=$((index + 1))
  done
  sox "$work"/chord0.wav "$work"/chord1.wav "$work"/chord2.wav "$work"/chord3.wav \
    -r 8000 -c 1 -b 16 -e signed-integer "$target" norm -6 fade q 0.05 0 0.3
  rm -rf "$work"
}

ensure_tools
count=0
for lang in en de fr; do
  mkdir -p "$out/$lang"
  while IFS='|' read -r id text || [ -n "${id:-}" ]; do
    case "$id" in ''|'#'*) continue ;; esac
    render_prompt "$lang" "$text" "$out/$lang/$id.wav"
    count=$((count + 1))
  done <"$script_dir/prompts.$lang.txt"
done
mkdir -p "$out/moh"
render_music_on_hold "$out/moh/default.wav"
echo "generated $count prompts and moh/default.wav in $out"
