#!/usr/bin/env bash
# Installs the real protocol peers the test suite drives (Debian 12 packages), only those that are missing.
#   sip-tester (sipp)   SIP scenarios and load
#   baresip             a real softphone (registration, calls, audio)
#   python3-slixmpp     a real XMPP client library (driven by Debian's /usr/bin/python3)
#   sipvicious          the scanner whose enumeration and cracking the security tests must defeat
#   sox, espeak-ng      tone and prompt audio for end-to-end audio checks
set -euo pipefail

missing=()
command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
command -v baresip >/dev/null 2>&1 || missing+=(baresip)
/usr/bin/python3 -c 'import slixmpp' >/dev/null 2>&1 || missing+=(python3-slixmpp)
command -v sipvicious_svwar >/dev/null 2>&1 || command -v svwar >/dev/null 2>&1 || missing+=(sipvicious)
command -v sox >/dev/null 2>&1 || missing+=(sox)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)

if [ ${#missing[@]} -eq 0 ]; then
  echo "test peers: all present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "test peers: missing ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
fi
echo "test peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "test peers: installed"
