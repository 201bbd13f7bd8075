#!/usr/bin/env bash
# Runs the daemon from the checkout on its embedded defaults (config/pbx.json): SQLite in ./data,
# a self-signed TLS certificate made at first start, the admin API on 127.0.0.1:8088.
# Extra arguments go to the daemon, e.g. scripts/run.sh --config /etc/pbx/pbx.json
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project src/Pbx.Server -c Release -- "$@"
