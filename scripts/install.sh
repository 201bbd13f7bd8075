#!/usr/bin/env bash
# Installs Pbx.Server as a systemd service on this machine (Debian 12, .NET 10 SDK present; run as root):
# publishes to /opt/pbx, creates the 'pbx' user, puts the config in /etc/pbx and the unit in /etc/systemd/system.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

dotnet publish src/Pbx.Server -c Release -o /opt/pbx/server -nologo
dotnet publish src/Pbx.Cli -c Release -o /opt/pbx/cli -nologo
ln -sf /opt/pbx/cli/pbxctl /usr/local/bin/pbxctl

id pbx >/dev/null 2>&1 || useradd --system --home-dir /var/lib/pbx --shell /usr/sbin/nologin pbx
install -d -m 0755 /etc/pbx
[ -f /etc/pbx/pbx.json ] || install -m 0640 -g pbx config/pbx.json /etc/pbx/pbx.json
install -m 0644 systemd/pbx-server.service /etc/systemd/system/pbx-server.service
systemctl daemon-reload
/opt/pbx/server/Pbx.Server --config /etc/pbx/pbx.json --check-config
systemctl enable --now pbx-server
echo "installed: 'systemctl status pbx-server'; pbxctl needs --data-dir /var/lib/pbx (as root) or PBX_ADMIN_TOKEN"
