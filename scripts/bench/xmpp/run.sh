#!/usr/bin/env bash
# XMPP benchmark: our daemon's XMPP server (Pbx.Server) against Prosody, in one run, on loopback.
# A benchmark, not a test: it reports figures and asserts nothing. See README.md beside this file.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)

USERS=${USERS:-200}                       # clients logged in (u001 .. u200)
CONCURRENCY=${CONCURRENCY:-20}            # login workers
MESSAGES=${MESSAGES:-20000}               # chat messages in total (each client sends MESSAGES/USERS to random others)
WINDOW=${WINDOW:-10}                      # messages one client may have sent but not yet seen delivered
MECHANISM=${MECHANISM:-SCRAM-SHA-1}       # Prosody 0.12's internal_hashed only has SCRAM-SHA-1
ITERATIONS=4096                           # SCRAM iteration count: our daemon's fixed value, forced on Prosody too
ROSTER=${ROSTER:-shared}                  # shared: every user sees every user (our default; Prosody mod_groups); empty: no contacts
PROSODY_VARIANTS=${PROSODY_VARIANTS:-"plain mam mam-sql"}  # plain: no archive; mam: mod_mam, default (file) storage; mam-sql: mod_mam on SQLite
                                          # (our daemon always archives every chat message to SQLite)
TARGETS=${TARGETS:-"prosody pbx"}
SOURCES=${SOURCES:-4}                     # loopback source addresses 127.0.0.1..N (our daemon allows 100 connections per address)
LOAD_TIMEOUT=${LOAD_TIMEOUT:-150}         # seconds, one load run, whatever happens
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}
BUILD_TRIES=${BUILD_TRIES:-4}             # Pbx.Server build attempts, a minute apart (others edit the tree)
RESULTS_DIR=${RESULTS_DIR:-"$REPO/scripts/bench/results"}
DOMAIN="pbx.bench"
ADMIN_TOKEN="bench-token-0123456789abcdef"
LOAD_DLL="$HERE/XmppLoad/bin/Release/net10.0/XmppLoad.dll"
PBX_DLL="$REPO/src/Pbx.Server/bin/Release/net10.0/Pbx.Server.dll"

WORK=""
PROSODY_PID=""
PBX_PID=""
USED_PORTS=" "
NOTES=()

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"


cleanup() {
    stop_process "$PROSODY_PID"; stop_process "$PBX_PID"
    PROSODY_PID=""; PBX_PID=""
    if [ -n "$WORK" ]; then
        if [ "$KEEP_WORK" = 1 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_packages() {
    local missing=()
    command -v prosody >/dev/null && command -v prosodyctl >/dev/null || missing+=(prosody)
    command -v openssl >/dev/null || missing+=(openssl)
    command -v curl >/dev/null || missing+=(curl)
    command -v ss >/dev/null || missing+=(iproute2)
    case " $TARGETS " in *" prosody "*)
        case " $PROSODY_VARIANTS " in *" mam-sql "*)
            dpkg -s lua-dbi-sqlite3 >/dev/null 2>&1 || missing+=(lua-dbi-sqlite3) ;;
        esac ;;
    esac
    apt_install "${missing[@]}"
    # The Debian package enables a system prosody service on 5222; this benchmark never uses it.
}


wait_listen() { # wait_listen PORT PID SECONDS
    for _ in $(seq 1 $(($3 * 10))); do
        ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

CLK_TCK=$(getconf CLK_TCK)
# Busy clock ticks of the whole machine (all cores), from /proc/stat.
host_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
# Waits (at most 15 s) until the machine is busy below 25 % of one core: other engineers share it.
wait_quiet() {
    local a b
    for _ in $(seq 1 15); do
        a=$(host_busy_ticks); sleep 1; b=$(host_busy_ticks)
        [ $(( (b - a) * 100 / CLK_TCK )) -lt 25 ] && return 0
    done
    log "machine still busy (other processes); measuring anyway"
    return 1
}

user_name() { printf 'u%03d' "$1"; }
user_password() { printf 'bench-password-%03d' "$1"; }

build() {
    if [ "$SKIP_BUILD" = 1 ]; then log "SKIP_BUILD=1: using existing builds"; return; fi
    log "building the load client (Release)"
    dotnet build "$HERE/XmppLoad" -c Release -nologo -v q >"$WORK/build-load.log" 2>&1 \
        || { tail -20 "$WORK/build-load.log" >&2; log "load client build failed"; exit 1; }
    case " $TARGETS " in *" pbx "*) ;; *) return ;; esac
    local try
    for try in $(seq 1 "$BUILD_TRIES"); do
        log "building Pbx.Server (Release), attempt $try/$BUILD_TRIES"
        if dotnet build "$REPO/src/Pbx.Server" -c Release -nologo -v q >"$WORK/build-pbx.log" 2>&1; then return; fi
        grep -E 'error' "$WORK/build-pbx.log" | sort -u | head -3 >&2
        [ "$try" -lt "$BUILD_TRIES" ] && { log "build failed (another engineer mid-edit?); retrying in 60 s"; sleep 60; }
    done
    if [ -f "$PBX_DLL" ]; then
        NOTES+=("Pbx.Server did not build (tree mid-edit); measured the previous Release build from $(date -u -r "$PBX_DLL" '+%Y-%m-%d %H:%M UTC')")
        log "WARNING: ${NOTES[-1]}"
    else
        log "Pbx.Server build failed and no previous build exists"; exit 1
    fi
}

# run_load LABEL PORT PID: runs the load client; its key=value results go to $WORK/LABEL.kv
run_load() {
    local label=$1 port=$2 pid=$3
    local h0 h1 t0 t1
    wait_quiet
    log "load against $label: $USERS logins ($CONCURRENCY workers), then $MESSAGES messages (window $WINDOW per client)"
    timeout -k 5 $((LOAD_TIMEOUT + 30)) dotnet "$LOAD_DLL" --port "$port" --domain "$DOMAIN" --users "$USERS" \
        --concurrency "$CONCURRENCY" --messages "$MESSAGES" --window "$WINDOW" --mechanism "$MECHANISM" \
        --sources "$SOURCES" --timeout "$LOAD_TIMEOUT" --label "$label" --server-pid "$pid" --out "$WORK/$label.kv" >&2 &
    local load_pid=$!
    h0=$(host_busy_ticks); t0=$(date +%s.%N)
    wait "$load_pid"
    h1=$(host_busy_ticks); t1=$(date +%s.%N)
    [ -f "$WORK/$label.kv" ] || { log "load client produced no result for $label"; echo "label=$label" > "$WORK/$label.kv"; }
    # CPU of everything else on the machine during the run: host busy - server (logins + messages) - load client.
    awk -v h=$((h1 - h0)) -v hz="$CLK_TCK" -v t0="$t0" -v t1="$t1" -F= '
        $1 == "server_cpu_login_s" || $1 == "server_cpu_messages_s" || $1 == "client_cpu_s" { if ($2 != "n/a") own += $2 }
        END { printf "host_busy_pct=%.0f\nother_cpu_s=%.1f\n", 100 * h / hz / (t1 - t0), h / hz - own }' "$WORK/$label.kv" >> "$WORK/$label.kv"
}

# ---------------------------------------------------------------- Prosody

PROSODY_MODULES_BASE='"roster"; "saslauth"; "tls"; "disco"; "ping"; "carbons"; "blocklist"; "offline"; "posix"'

prosody_setup() {
    local dir="$WORK/prosody"
    mkdir -p "$dir/data" "$dir/certs"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/certs/$DOMAIN.key" -out "$dir/certs/$DOMAIN.crt" -days 2 \
        -subj "/CN=$DOMAIN" -addext "subjectAltName=DNS:$DOMAIN" >/dev/null 2>&1 || { log "openssl failed"; exit 1; }
    if [ "$ROSTER" = shared ]; then
        { echo "[PBX]"; for i in $(seq 1 "$USERS"); do echo "$(user_name "$i")@$DOMAIN=User $i"; done; } > "$dir/groups.txt"
    fi
    free_port PROSODY_PORT
    prosody_config plain > "$dir/prosody.cfg.lua"
    log "registering $USERS users in Prosody (prosodyctl register)"
    for i in $(seq 1 "$USERS"); do echo "$(user_name "$i") $(user_password "$i")"; done |
        xargs -P 4 -n 2 sh -c 'prosodyctl --config "$0" register "$1" '"$DOMAIN"' "$2" >/dev/null 2>&1 || echo "register $1 failed" >&2' "$dir/prosody.cfg.lua"
}

prosody_config() { # prosody_config plain|mam|mam-sql
    local dir="$WORK/prosody" modules="$PROSODY_MODULES_BASE" storage='storage = "internal"'
    [ "$ROSTER" = shared ] && modules="$modules; \"groups\""
    [ "$1" != plain ] && modules="$modules; \"mam\""
    [ "$1" = mam-sql ] && storage="storage = { archive = \"sql\" }
sql = { driver = \"SQLite3\", database = \"$dir/data/prosody.sqlite\" }"
    cat <<EOF
-- generated by scripts/bench/xmpp/run.sh
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
run_as_root = true
daemonize = false
log = { warn = "$dir/prosody-$1.log" }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $PROSODY_PORT }
c2s_direct_tls_ports = { }
s2s_ports = { }
http_ports = { }
https_ports = { }
admin_shell_socket = "$dir/admin.sock"
certificates = "$dir/certs"
modules_enabled = { $modules }
modules_disabled = { "s2s" }
authentication = "internal_hashed"
default_iteration_count = $ITERATIONS
$storage
c2s_require_encryption = true
allow_registration = false
groups_file = "$dir/groups.txt"
archive_expires_after = "never"
VirtualHost "$DOMAIN"
  ssl = { certificate = "$dir/certs/$DOMAIN.crt"; key = "$dir/certs/$DOMAIN.key" }
EOF
}

run_prosody() { # run_prosody plain|mam|mam-sql
    local mam=$1 dir="$WORK/prosody" label="prosody"
    [ "$mam" != plain ] && label="prosody-$mam"
    prosody_config "$mam" > "$dir/prosody-$mam.cfg.lua"
    log "starting Prosody $(prosody_version) on 127.0.0.1:$PROSODY_PORT (variant $mam)"
    prosody -F --config "$dir/prosody-$mam.cfg.lua" >"$dir/prosody-$mam.out" 2>&1 &
    PROSODY_PID=$!
    if ! wait_listen "$PROSODY_PORT" "$PROSODY_PID" 20; then
        tail -20 "$dir/prosody-$mam.out" >&2; log "Prosody did not start"; stop_process "$PROSODY_PID"; PROSODY_PID=""; return
    fi
    { case "$mam" in plain) printf 'no archive; ' ;; mam) printf 'mod_mam on default storage (internal, files); ' ;; mam-sql) printf 'mod_mam on SQLite (mod_storage_sql, SQLite defaults); ' ;; esac
      echo "modules_enabled = { $(prosody_config "$mam" | sed -n 's/^modules_enabled = { \(.*\) }$/\1/p' | tr -d '"') } + core (c2s, presence, message, iq)"; } > "$WORK/$label.modules"
    run_load "$label" "$PROSODY_PORT" "$PROSODY_PID"
    echo "prosody_rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$PROSODY_PID/status" 2>/dev/null)" >> "$WORK/$label.kv"
    stop_process "$PROSODY_PID"; PROSODY_PID=""
    grep -iE 'error' "$dir/prosody-$mam.log" 2>/dev/null | head -3 >&2
}

prosody_version() { prosodyctl about 2>/dev/null | awk '/^Prosody/ {print $2; exit}'; }

# ---------------------------------------------------------------- our daemon

run_pbx() {
    local dir="$WORK/pbx" xport aport roster_scope="All" i created=0
    [ "$ROSTER" = empty ] && roster_scope="Groups"
    mkdir -p "$dir/data"
    free_port xport; free_port aport
    cat > "$dir/pbx.json" <<EOF
{"Sip":{"UdpPort":0,"TcpPort":0,"TlsPort":0},
 "Xmpp":{"BindAddress":"127.0.0.1","ClientPort":$xport,"Domain":"$DOMAIN","SharedRoster":"$roster_scope"},
 "Admin":{"Address":"127.0.0.1","Port":$aport,"Token":"$ADMIN_TOKEN"},
 "Storage":{"DataDirectory":"$dir/data"}}
EOF
    log "starting Pbx.Server (XMPP 127.0.0.1:$xport, admin 127.0.0.1:$aport, SharedRoster $roster_scope)"
    dotnet "$PBX_DLL" --config "$dir/pbx.json" >"$dir/pbx.out" 2>&1 &
    PBX_PID=$!
    local ready=""
    for _ in $(seq 1 300); do
        ready=$(curl -s --max-time 2 "http://127.0.0.1:$aport/health/ready" 2>/dev/null)
        [ "$ready" = Healthy ] && break
        kill -0 "$PBX_PID" 2>/dev/null || break
        sleep 0.2
    done
    if [ "$ready" != Healthy ]; then
        tail -30 "$dir/pbx.out" >&2; log "Pbx.Server did not become ready"; stop_process "$PBX_PID"; PBX_PID=""; return
    fi
    log "creating $USERS users via the admin API"
    for i in $(seq 1 "$USERS"); do
        printf '{"loginId":"%s","displayName":"User %d","password":"%s"}\n' "$(user_name "$i")" "$i" "$(user_password "$i")"
    done | xargs -P 4 -d '\n' -n 1 curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -X POST "http://127.0.0.1:$aport/api/users" \
        -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' -d > "$dir/create.codes"
    created=$(grep -c '^2' "$dir/create.codes")
    [ "$created" -lt "$USERS" ] && log "user creation: HTTP codes $(sort "$dir/create.codes" | uniq -c | tr '\n' ' ')"
    log "$created users created"
    run_load pbx "$xport" "$PBX_PID"
    echo "pbx_rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$PBX_PID/status" 2>/dev/null)" >> "$WORK/pbx.kv"
    stop_process "$PBX_PID"; PBX_PID=""
    grep -E '^(fail|crit)|\bfail:|\bcrit:' "$dir/pbx.out" | head -3 >&2
}

# ---------------------------------------------------------------- report

kv() { [ -f "$WORK/$1.kv" ] && sed -n "s/^$2=//p" "$WORK/$1.kv" | head -1; }
# ratio A B: A/B with 2 decimals, n/a when either is missing or B is 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

report() {
    local labels=() l ref
    for l in prosody prosody-mam prosody-mam-sql pbx; do [ -f "$WORK/$l.kv" ] && labels+=("$l"); done
    {
        echo "=== XMPP benchmark $(date -u '+%Y-%m-%d %H:%M:%S UTC') ==="
        echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); load client and server share them (one server at a time)"
        echo "load: $USERS clients, $CONCURRENCY login workers, $MECHANISM ($ITERATIONS iterations), STARTTLS, bind, initial presence + ping barrier;"
        echo "      then $MESSAGES chat messages to full JIDs of random other clients, window $WINDOW per sender; roster: $ROSTER"
        echo "ours: Pbx.Server $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null) (working tree), archives every chat message to SQLite; SharedRoster $([ "$ROSTER" = empty ] && echo Groups/none || echo All)"
        for l in prosody prosody-mam prosody-mam-sql; do [ -f "$WORK/$l.modules" ] && echo "$l: Prosody $(prosody_version), $(cat "$WORK/$l.modules")"; done
        for n in "${NOTES[@]}"; do echo "NOTE: $n"; done
        echo
        printf '%-28s' "figure"; for l in "${labels[@]}"; do printf '%17s' "$l"; done; echo
        for k in logins_ok logins_failed logins_per_s login_p50_ms login_p99_ms presence_stanzas messages_received messages_undelivered \
                 messages_per_s msg_p50_ms msg_p99_ms server_cpu_ms_per_login server_cpu_us_per_message client_cpu_s host_busy_pct other_cpu_s timed_out errors; do
            printf '%-28s' "$k"; for l in "${labels[@]}"; do printf '%17s' "$(kv "$l" "$k")"; done; echo
        done
        for l in "${labels[@]}"; do
            local e; e=$(kv "$l" first_error); [ -n "$e" ] && echo "$l first error: $e"
        done
        echo
        echo "ratios (> 1 means ours is better in every line: throughput ours/prosody, latency and CPU cost prosody/ours):"
        for ref in prosody prosody-mam prosody-mam-sql; do
            [ -f "$WORK/$ref.kv" ] && [ -f "$WORK/pbx.kv" ] || continue
            echo "  vs $ref:$([ "$(kv $ref timed_out)" = yes ] && echo " ($ref hit the load timeout: its message figures cover only what was delivered)")"
            echo "    logins/s            ours/prosody = $(ratio "$(kv pbx logins_per_s)" "$(kv $ref logins_per_s)")"
            echo "    login p50 latency   prosody/ours = $(ratio "$(kv $ref login_p50_ms)" "$(kv pbx login_p50_ms)")"
            echo "    login p99 latency   prosody/ours = $(ratio "$(kv $ref login_p99_ms)" "$(kv pbx login_p99_ms)")"
            echo "    messages/s          ours/prosody = $(ratio "$(kv pbx messages_per_s)" "$(kv $ref messages_per_s)")"
            echo "    message p50 latency prosody/ours = $(ratio "$(kv $ref msg_p50_ms)" "$(kv pbx msg_p50_ms)")"
            echo "    message p99 latency prosody/ours = $(ratio "$(kv $ref msg_p99_ms)" "$(kv pbx msg_p99_ms)")"
            echo "    server CPU / login  prosody/ours = $(ratio "$(kv $ref server_cpu_ms_per_login)" "$(kv pbx server_cpu_ms_per_login)")"
            echo "    server CPU / msg    prosody/ours = $(ratio "$(kv $ref server_cpu_us_per_message)" "$(kv pbx server_cpu_us_per_message)")"
        done
        echo "RSS after the run (KiB): prosody $(kv prosody prosody_rss_kib) prosody-mam $(kv prosody-mam prosody_rss_kib) prosody-mam-sql $(kv prosody-mam-sql prosody_rss_kib) ours $(kv pbx pbx_rss_kib)"
    } > "$WORK/report.txt"
    mkdir -p "$RESULTS_DIR"
    local out
    out="$RESULTS_DIR/xmpp-$(date -u +%Y%m%d-%H%M%S).txt"
    cp "$WORK/report.txt" "$out"
    echo
    cat "$WORK/report.txt"
    echo
    echo "written to $out"
}

main() {
    local t0=$SECONDS
    WORK=$(mktemp -d /tmp/xmpp-bench.XXXXXX)
    chmod 755 "$WORK"
    ensure_packages
    build
    [ -f "$LOAD_DLL" ] || { log "load client missing: $LOAD_DLL"; exit 1; }
    case " $TARGETS " in *" prosody "*)
        prosody_setup
        for v in $PROSODY_VARIANTS; do run_prosody "$v"; done ;;
    esac
    case " $TARGETS " in *" pbx "*) run_pbx ;; esac
    report
    log "done in $((SECONDS - t0)) s"
}

main "$@"
