#!/usr/bin/env bash
# Runs the daemon from the checkout on its embedded defaults (config/pbx.json): SQLite in ./data,
# a self-signed TLS certificate made at first start, the admin API on 127.0.0.1:8088.
# Extra arguments go to the daemon, e.g. scripts/run.sh --config /etc/pbx/pbx.json
set -euo pipefail
cd "$(dirname "$0")/.."
# Spoken prompts (PIN entry, call-through, ...) for the default data folder, when the tools to make them are here;
# without them the daemon plays a beep where a prompt would be.
if [ ! -d data/prompts ]; then
    if command -v espeak-ng >/dev/null 2>&1 && command -v sox >/dev/null 2>&1; then
        scripts/prompts/generate.sh data/prompts >&2 || echo "run.sh: prompts could not be generated; the daemon will beep instead" >&2
    else
        echo "run.sh: no prompts in data/prompts (install espeak-ng and sox, or run scripts/prompts/generate.sh data/prompts); the daemon beeps instead" >&2
    fi
fi
exec dotnet run --project src/Pbx.Server -c Release -- "$@"
