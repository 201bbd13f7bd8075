# Shared by the benchmark scripts (sourced, never run).

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Stops one process we started (and the workers it forked): TERM, then KILL after 5 s.
stop_process() {
    local pid=$1 kids
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kids=$(pgrep -P "$pid" 2>/dev/null)
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    for p in $pid $kids; do kill -KILL "$p" 2>/dev/null; done
    wait "$pid" 2>/dev/null
    return 0
}

# apt_install PACKAGE...: installs the given Debian packages (the caller decides which are missing).
apt_install() {
    [ $# -gt 0 ] || return 0
    log "installing: $*"
    apt-get update -qq >&2 || { log "apt-get update failed"; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || { log "apt-get install failed"; exit 1; }
}

# free_port VAR: a loopback port with no TCP or UDP socket on it into VAR, distinct from every other one this run
# picked. Not a $(...) call, so the list of picked ports (USED_PORTS) survives.
free_port() {
    local port taken
    taken=" $(ss -Hantu 2>/dev/null | awk '{print $5}' | sed 's/.*://' | sort -u | tr '\n' ' ') "
    for _ in $(seq 1 500); do
        port=$((20000 + RANDOM % 40000))
        case "$taken${USED_PORTS:-}" in *" $port "*) continue ;; esac
        USED_PORTS="${USED_PORTS:-}$port "
        printf -v "$1" '%s' "$port"
        return 0
    done
    log "no free port found"; exit 1
}
