#!/usr/bin/env bash
# pbxctl from the checkout (reads the admin token from ./data/admin-token when run next to scripts/run.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dll="$root/src/Pbx.Cli/bin/Release/net10.0/pbxctl.dll"
if [ ! -f "$dll" ] || [ -n "$(find "$root/src/Pbx.Cli" -name '*.cs' -newer "$dll" -print -quit)" ]; then
  dotnet build "$root/src/Pbx.Cli" -c Release -nologo -clp:ErrorsOnly >&2
fi
exec dotnet "$dll" "$@"
