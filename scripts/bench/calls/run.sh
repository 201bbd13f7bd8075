#!/usr/bin/env bash
# Call benchmark through the B2BUA (issue #4 item 10): call setup rate, and concurrent relayed calls with RTP, for our
# daemon (Pbx.Server) and for Kamailio + rtpengine in the same run, on loopback. Prints figures and ratios, asserts nothing.
# See README.md beside this file.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)

TARGETS=${TARGETS:-"kamailio pbx"}
PARTS=${PARTS:-"setup relay"}                  # setup: call setup rate; relay: concurrent relayed calls with RTP
# (a) setup rate: INVITE(407, auth) 180 200 ACK BYE 200, no pause; each step runs rate x STEP_SECONDS calls
RATES=${RATES:-"25 50 100 200 300 400 600 800 1000 1500 2000"}
STEP_SECONDS=${STEP_SECONDS:-5}
RECV_TIMEOUT_MS=${RECV_TIMEOUT_MS:-5000}        # a call whose next answer takes longer has failed
RETRANS_OK=${RETRANS_OK:-0}                     # 1: a step with retransmissions but no failed call still counts
MIN_ACHIEVED_PCT=${MIN_ACHIEVED_PCT:-90}        # a step must reach this share of its nominal rate
# (b) relayed calls: LEVELS concurrent calls, each playing G.711 (50 packets/s) both ways, set up at RAMP_RATE calls/s
LEVELS=${LEVELS:-"100 500 1000"}
RAMP_RATE=${RAMP_RATE:-50}
WINDOW=${WINDOW:-15}                            # seconds the probe measures once every call of a level is up
SETTLE=${SETTLE:-3}                             # seconds between the last call set up and the measurement
PROBE_CALLS=${PROBE_CALLS:-4}                   # probe calls (both legs' RTP sent and timed by rtpprobe.py), in the count
PROBE_DIRECT=${PROBE_DIRECT:-2}                 # baseline socket pairs (no relay) sending alongside
LOAD_CPU_BUDGET=${LOAD_CPU_BUDGET:-}            # % of one core sipp may use for RTP (default: 60% of the machine)
CLEAN_P99_US=${CLEAN_P99_US:-1000}              # a level is clean with zero loss and added p99 below this
KAM_CHILDREN=${KAM_CHILDREN:-4}                 # Kamailio UDP worker processes
RTPE_THREADS=${RTPE_THREADS:-$(nproc)}          # rtpengine worker threads
QUIET_WAIT=${QUIET_WAIT:-5}
QUIET_PCT=${QUIET_PCT:-25}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}
RESULTS_DIR=${RESULTS_DIR:-"$REPO/scripts/bench/results"}
ADMIN_TOKEN="bench-token-0123456789abcdef"
REALM="pbx"

WORK=${WORK:-}
CLK_TCK=$(getconf CLK_TCK)
KAM_PID=""; RTPE_PID=""; PBX_PID=""
BG_PIDS=""                                      # sipp processes running in the background
USED_PORTS=" "

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"


stop_background() {
    local p
    for p in $BG_PIDS; do stop_process "$p"; done
    BG_PIDS=""
}

cleanup() {
    stop_background
    stop_process "$KAM_PID"; stop_process "$RTPE_PID"; stop_process "$PBX_PID"
    KAM_PID=""; RTPE_PID=""; PBX_PID=""
    if [ "$KEEP_WORK" = 1 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}

# ---------------------------------------------------------------- tools

ensure_packages() {
    local missing=()
    command -v sipp >/dev/null || missing+=(sip-tester)
    command -v kamailio >/dev/null || missing+=(kamailio)
    command -v kamcmd >/dev/null || missing+=(kamailio)
    command -v rtpengine >/dev/null || missing+=(rtpengine-daemon)
    command -v curl >/dev/null || missing+=(curl)
    command -v python3 >/dev/null || missing+=(python3)
    apt_install "${missing[@]}"
    # The Debian packages enable system services (Kamailio on 5060, rtpengine); this benchmark starts its own.
}

# free_range VAR COUNT: the first port of COUNT consecutive loopback ports (even first port) with no socket on them.
free_range() {
    local count=$2 base taken
    taken=$(ss -Hantu 2>/dev/null | awk '{print $5}' | sed 's/.*://' | sort -un)
    for _ in $(seq 1 200); do
        base=$(( (20000 + RANDOM % (60000 - 20000 - count)) & ~1 ))
        if ! awk -v a="$base" -v b=$((base + count)) '$1 >= a && $1 < b { found = 1 } END { exit !found }' <<<"$taken"; then
            local p clash=0
            for p in $USED_PORTS; do [ "$p" -ge "$base" ] && [ "$p" -lt $((base + count)) ] && clash=1; done
            for r in ${USED_RANGES:-}; do
                [ "${r%-*}" -lt $((base + count)) ] && [ "${r#*-}" -gt "$base" ] && clash=1
            done
            [ $clash = 1 ] && continue
            USED_RANGES="${USED_RANGES:-} $base-$((base + count))"
            printf -v "$1" '%s' "$base"
            return 0
        fi
    done
    log "no free range of $count ports found"; exit 1
}

# utime+stime clock ticks of processes and their direct children (Kamailio forks its workers from main).
tree_ticks() {
    local total=0 p t root
    for root in "$@"; do
        [ -n "$root" ] || continue
        for p in "$root" $(pgrep -P "$root" 2>/dev/null); do
            t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
            total=$((total + ${t:-0}))
        done
    done
    echo "$total"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
cpu_pct() { awk -v t="$1" -v hz="$CLK_TCK" -v s="$2" 'BEGIN { if (s <= 0) print "n/a"; else printf "%.0f", 100 * t / hz / s }'; }
udp_drops() { awk '/^Udp:/ { if (!seen) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") col = i; seen = 1 } else { print $col; exit } }' /proc/net/snmp; }
host_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
wait_quiet() {
    local a b
    for _ in $(seq 1 "$QUIET_WAIT"); do
        a=$(host_busy_ticks); sleep 1; b=$(host_busy_ticks)
        [ $(( (b - a) * 100 / CLK_TCK )) -lt "$QUIET_PCT" ] && return 0
    done
    return 1
}
udp_bound() { [ -n "$(ss -Huanl "sport = :$1" 2>/dev/null)" ]; }
wait_bound() {
    for _ in $(seq 1 100); do udp_bound "$1" && return 0; sleep 0.1; done
    return 1
}
# UDP sockets process $1 holds in ports [$2, $3].
sockets_in_range() {
    ss -Huanp 2>/dev/null | awk -v pid="pid=$1," -v a="$2" -v b="$3" 'index($0, pid) { n = split($4, x, ":"); p = x[n] + 0; if (p >= a && p <= b) c++ } END { print c + 0 }'
}
stat_field() { tail -1 "$1" 2>/dev/null | cut -d';' -f"$2"; }

# ---------------------------------------------------------------- scenarios

# Derives the relayed-call and probe scenarios from uac.xml / uas.xml (see the comments in them).
make_scenarios() {
    local s
    mkdir -p "$WORK/scen"
    cp "$HERE/register.xml" "$HERE/uac.xml" "$HERE/uas.xml" "$WORK/scen/"
    for s in uac uas; do
        sed "s|<!-- MEDIA -->|<nop><action><exec play_pcap_audio=\"$WORK/ulaw.pcap\" /></action></nop>|" \
            "$HERE/$s.xml" > "$WORK/scen/${s}_rtp.xml"
    done
    sed -e 's|\[sdp_port\]|[field0]|' \
        -e 's#<!-- SDPLOG -->#<nop><action><exec command="echo answer [$answerip] [$answerport] [field0] | tee -a [sdp_log]" /></action></nop>#' \
        "$HERE/uac.xml" > "$WORK/scen/probe_uac.xml"
    sed -e 's|\[sdp_port\]|[field0]|' \
        -e 's#<!-- SDPLOG -->#<nop><action><exec command="echo offer [$offerip] [$offerport] [field0] | tee -a [sdp_log]" /></action></nop>#' \
        "$HERE/uas.xml" > "$WORK/scen/probe_uas.xml"
}

# sipp_common DIR: logging options shared by every sipp run.
sipp_logs() {
    echo -trace_stat -stf "$1/stat.csv" -fd 1 -trace_err -error_file "$1/errors.log" -nostdin -buff_size 4194304
}

# register USER PASSWORD LOCAL_PORT: registers LOCAL_PORT as USER's contact. Returns sipp's exit code.
register() {
    local user=$1 pw=$2 lport=$3 dir="$WORK/sipp-$TARGET-register-$1"
    mkdir -p "$dir"
    (cd "$dir" && timeout 30 sipp -sf "$WORK/scen/register.xml" -key user "$user" -au "$user" -ap "$pw" \
        -i 127.0.0.1 -p "$lport" -m 1 -l 1 -recv_timeout 5000 -timeout 20s -timeout_error \
        -trace_msg $(sipp_logs "$dir") "127.0.0.1:$SIP_PORT" > "$dir/stdout.log" 2> "$dir/stderr.log")
}

# start_uas TAG SCENARIO PORT [args]: a callee on PORT, in the background; sets UAS_PID.
start_uas() {
    local tag=$1 scen=$2 port=$3; shift 3
    local dir="$WORK/sipp-$TARGET-$tag" mp
    mkdir -p "$dir"
    free_range mp 8
    (cd "$dir" && exec sipp -sf "$scen" -i 127.0.0.1 -p "$port" -mi 127.0.0.1 -mp "$mp" -key sdp_port "$mp" \
        -timeout 3600s $(sipp_logs "$dir") -l 100000 "$@" > "$dir/stdout.log" 2> "$dir/stderr.log") &
    UAS_PID=$!
    BG_PIDS="$BG_PIDS $UAS_PID"
    sleep 0.3
    if ! kill -0 "$UAS_PID" 2>/dev/null; then log "callee sipp ($tag) did not start: $(tail -2 "$dir/stderr.log")"; return 1; fi
}

# uac_args DIR NUMBER: the caller's options (alice dialling NUMBER through the target).
uac_args() {
    echo -s "$2" -key caller alice -au alice -ap "$PW_ALICE" -auth_uri "$2@127.0.0.1:$SIP_PORT" -i 127.0.0.1 \
        -mi 127.0.0.1 $(sipp_logs "$1") "127.0.0.1:$SIP_PORT"
}

# ---------------------------------------------------------------- targets

start_rtpengine() {
    local ng range
    free_port ng; free_range range "$RTP_RANGE"
    RTPE_NG=$ng; RTPE_MIN=$range; RTPE_MAX=$((range + RTP_RANGE - 1))
    mkdir -p "$WORK/rtpengine"
    # Userspace only: no kernel module in a container (--table=-1), no iptables.
    rtpengine --config-file=none --foreground --log-stderr --log-level=4 --table=-1 \
        --interface=127.0.0.1 --listen-ng="127.0.0.1:$ng" --port-min="$RTPE_MIN" --port-max="$RTPE_MAX" \
        --num-threads="$RTPE_THREADS" --delete-delay=0 --timeout=60 > "$WORK/rtpengine/rtpengine.log" 2>&1 &
    RTPE_PID=$!
    wait_bound "$ng" && kill -0 "$RTPE_PID" 2>/dev/null && return 0
    log "rtpengine did not start:"; tail -20 "$WORK/rtpengine/rtpengine.log" >&2
    return 1
}

start_kamailio() {
    local port=$1 mpath secret
    mpath=$(dirname "$(dpkg -L kamailio | grep '/modules/sl.so$' | head -1)")/
    mkdir -p "$WORK/kamailio"
    secret=$(od -An -vtx1 -N 16 /dev/urandom | tr -d ' \n')
    KAM_CTL="$WORK/kamailio/ctl"
    sed -e "s|@PORT@|$port|; s|@CHILDREN@|$KAM_CHILDREN|; s|@CTL@|$KAM_CTL|; s|@SECRET@|$secret|; s|@MPATH@|$mpath|" \
        -e "s|@NGPORT@|$RTPE_NG|; s|@PW_ALICE@|$PW_ALICE|; s|@PW_BOB@|$PW_BOB|; s|@PW_PROBE@|$PW_PROBE|" \
        "$HERE/kamailio.cfg.in" > "$WORK/kamailio/kamailio.cfg"
    kamailio -f "$WORK/kamailio/kamailio.cfg" -DD -E -m 512 -M 32 > "$WORK/kamailio/kamailio.log" 2>&1 &
    KAM_PID=$!
    wait_bound "$port" && sleep 0.5 && kill -0 "$KAM_PID" 2>/dev/null && return 0
    log "Kamailio did not start:"; tail -20 "$WORK/kamailio/kamailio.log" >&2
    return 1
}

build_pbx() {
    PBX_DLL="$REPO/src/Pbx.Server/bin/Release/net10.0/Pbx.Server.dll"
    [ "$SKIP_BUILD" = 1 ] && return 0
    log "dotnet build src/Pbx.Server -c Release"
    dotnet build "$REPO/src/Pbx.Server" -c Release -nologo -v q > "$WORK/build.log" 2>&1 && return 0
    tail -5 "$WORK/build.log" >&2
    [ -f "$PBX_DLL" ] && { PBX_BUILD_NOTE="(build failed; used the existing build)"; return 0; }
    return 1
}

admin_post() {
    curl -s -m 10 -o "$WORK/pbx/last-post.txt" -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN" \
        -H 'Content-Type: application/json' -d "$2" "$PBX_ADMIN$1"
}

start_pbx() {
    local udp=$1 tcp tls xmpp admin range code
    free_port tcp; free_port tls; free_port xmpp; free_port admin; free_range range "$RTP_RANGE"
    PBX_ADMIN="http://127.0.0.1:$admin"; PBX_RTP_MIN=$range; PBX_RTP_MAX=$((range + RTP_RANGE - 1))
    mkdir -p "$WORK/pbx/data"
    # sipp is one source for all calls: no per-source limit or ban for it (Sip:TrustedNetworks), and qualify
    # OPTIONS kept out of the run.
    cat > "$WORK/pbx/pbx.json" <<EOF
{"Sip":{"BindAddress":"127.0.0.1","UdpPort":$udp,"TcpPort":$tcp,"TlsPort":$tls,"Realm":"$REALM",
  "TrustedNetworks":["127.0.0.1/32"],"RequestsPerSecondPerSource":1000000,"QualifyIntervalSeconds":3600},
 "Xmpp":{"BindAddress":"127.0.0.1","ClientPort":$xmpp},
 "Rtp":{"PortMin":$PBX_RTP_MIN,"PortMax":$PBX_RTP_MAX},
 "Calls":{"MediaTimeoutSeconds":60},
 "Admin":{"Address":"127.0.0.1","Port":$admin,"Token":"$ADMIN_TOKEN"},
 "Storage":{"DataDirectory":"$WORK/pbx/data"},
 "Shutdown":{"DrainSeconds":0},
 "Logging":{"LogLevel":{"Default":"Warning"}}}
EOF
    dotnet "$PBX_DLL" --config "$WORK/pbx/pbx.json" > "$WORK/pbx/pbx.log" 2>&1 &
    PBX_PID=$!
    local ready=0
    for _ in $(seq 1 120); do
        [ "$(curl -s -m 2 "$PBX_ADMIN/health/ready" 2>/dev/null)" = Healthy ] && { ready=1; break; }
        kill -0 "$PBX_PID" 2>/dev/null || break
        sleep 0.5
    done
    if [ $ready = 0 ]; then log "the daemon did not become ready:"; tail -20 "$WORK/pbx/pbx.log" >&2; return 1; fi
    for u in "alice:$PW_ALICE:100" "bob:$PW_BOB:101" "probe:$PW_PROBE:102"; do
        IFS=: read -r login pw number <<<"$u"
        code=$(admin_post /api/users "{\"loginId\":\"$login\",\"displayName\":\"Bench $login\",\"password\":\"$pw\"}")
        [[ $code == 2* ]] || { log "creating $login: $code $(cat "$WORK/pbx/last-post.txt")"; return 1; }
        code=$(admin_post /api/numbers "{\"number\":\"$number\",\"user\":\"$login\"}")
        [[ $code == 2* ]] || { log "numbering $login: $code $(cat "$WORK/pbx/last-post.txt")"; return 1; }
    done
}

# ---------------------------------------------------------------- (a) setup rate

# run_setup_step RATE: one step; sets the S_* figures.
run_setup_step() {
    local rate=$1 calls=$(($1 * STEP_SECONDS)) dir="$WORK/sipp-$TARGET-setup-$1" limit timeout_s t0 k0 d0 h0 mp sport
    mkdir -p "$dir"
    free_port sport; free_range mp 8
    limit=$((rate * 2 > 200 ? rate * 2 : 200))
    timeout_s=$((STEP_SECONDS * 2 + RECV_TIMEOUT_MS / 1000 + 15))
    d0=$(udp_drops); h0=$(host_busy_ticks); k0=$(tree_ticks $TARGET_PIDS); t0=$(now)
    local TIMEFORMAT='%3U %3S'
    { time (cd "$dir" && timeout $((timeout_s + 20)) sipp -sf "$WORK/scen/uac.xml" $(uac_args "$dir" 101) \
        -p "$sport" -mp "$mp" -key sdp_port "$mp" -r "$rate" -rp 1000 -m "$calls" -l "$limit" -d 0 \
        -recv_timeout "$RECV_TIMEOUT_MS" -timeout "${timeout_s}s" -timeout_error \
        > "$dir/stdout.log" 2> "$dir/stderr.log"); } 2> "$dir/time.txt"
    S_RC=$?
    S_WALL=$(elapsed "$t0"); S_TICKS=$(( $(tree_ticks $TARGET_PIDS) - k0 )); S_DROPS=$(( $(udp_drops) - d0 ))
    S_HOST=$(( $(host_busy_ticks) - h0 ))
    S_SIPP_CPU=$(awk -v s="$S_WALL" '{ if (s > 0) printf "%.0f", 100 * ($1 + $2) / s; else print "n/a" }' "$dir/time.txt")
    if [ -s "$dir/stat.csv" ] && [ "$(wc -l < "$dir/stat.csv")" -ge 2 ]; then
        S_OK=$(stat_field "$dir/stat.csv" 16); S_FAIL=$(stat_field "$dir/stat.csv" 18)
        S_RETRANS=$(stat_field "$dir/stat.csv" 58); S_RATE=$(stat_field "$dir/stat.csv" 8)
        S_RT_MS=$(stat_field "$dir/stat.csv" 70 | awk -F: '{ printf "%.2f", ($1 * 3600 + $2 * 60 + $3) * 1000 + $4 / 1000 }')
    else
        S_OK=0; S_FAIL=$calls; S_RETRANS=0; S_RATE=0; S_RT_MS=n/a
    fi
    S_CALLS=$calls
}

bench_setup() {
    local table="$WORK/setup-$TARGET" best=0 best_line="" stopped="" verdict tcpu other
    start_uas setup "$WORK/scen/uas.xml" "$CALLEE_PORT" || return 0
    # Idle CPU of the target (timers, the daemon's media tick), then a short unreported warm-up (JIT, pools).
    local k0 t0; k0=$(tree_ticks $TARGET_PIDS); t0=$(now); sleep 3
    echo "idle_cpu=$(cpu_pct $(( $(tree_ticks $TARGET_PIDS) - k0 )) "$(elapsed "$t0")")" >> "$WORK/result-$TARGET"
    run_setup_step 20 >/dev/null 2>&1
    printf '%-8s %6s %7s %7s %6s %7s %10s %10s %8s %9s %9s %6s  %s\n' target rate calls ok failed retrans achieved/s target-CPU sipp-CPU other-CPU call-ms drops verdict > "$table"
    for rate in $RATES; do
        sleep 1
        wait_quiet || log "the machine is busy with other work; running the $rate/s step anyway"
        run_setup_step "$rate"
        tcpu=$(cpu_pct "$S_TICKS" "$S_WALL")
        other=$(awk -v h="$S_HOST" -v t="$S_TICKS" -v hz="$CLK_TCK" -v s="$S_WALL" -v c="$S_SIPP_CPU" 'BEGIN { o = 100 * (h - t) / hz / s - c; if (o < 0) o = 0; printf "%.0f", o }')
        local achieved_ok; achieved_ok=$(awk -v a="$S_RATE" -v r="$rate" -v p="$MIN_ACHIEVED_PCT" 'BEGIN { print (a * 100 >= r * p) ? 1 : 0 }')
        if [ "$S_FAIL" != 0 ] || [ "$S_OK" != "$S_CALLS" ]; then verdict="FAILED ($S_FAIL failed, $S_OK of $S_CALLS ok, sipp exit $S_RC)"
        elif [ "$S_RC" != 0 ]; then verdict="FAILED (sipp exit $S_RC)"
        elif [ "$S_RETRANS" != 0 ] && [ "$RETRANS_OK" != 1 ]; then verdict="RETRANSMISSIONS"
        elif [ "$achieved_ok" != 1 ]; then verdict="RATE NOT REACHED"
        else verdict=clean; fi
        [ "${S_SIPP_CPU:-0}" != n/a ] && [ "${S_SIPP_CPU:-0}" -ge 90 ] && verdict="$verdict, caller sipp near one full core"
        printf '%-8s %6s %7s %7s %6s %7s %10s %10s %8s %9s %9s %6s  %s\n' "$TARGET" "$rate" "$S_CALLS" "$S_OK" "$S_FAIL" "$S_RETRANS" "$S_RATE" "$tcpu%" "$S_SIPP_CPU%" "$other%" "$S_RT_MS" "$S_DROPS" "$verdict" >> "$table"
        log "$(tail -1 "$table")"
        if [[ $verdict == clean* ]]; then best=$rate; best_line="achieved $S_RATE/s at $tcpu% CPU (caller sipp $S_SIPP_CPU%)"
        else stopped=$rate; break; fi
    done
    stop_background
    { echo "setup_best=$best"; echo "setup_best_line=$best_line"; echo "setup_stopped=$stopped"; } >> "$WORK/result-$TARGET"
}

# ---------------------------------------------------------------- (b) relayed calls

# run_level N: N concurrent relayed calls (PROBE_CALLS of them timed by the probe). Sets L_* figures.
run_level() {
    local n=$1 load=$(($1 - PROBE_CALLS)) tag="relay-$1" hold ldir pdir sport psport mp1 mp2 t0 k0 d0 r0 sipp0 ok=0
    ldir="$WORK/sipp-$TARGET-$tag-caller"; pdir="$WORK/sipp-$TARGET-$tag-probe-caller"
    mkdir -p "$ldir" "$pdir"
    [ $load -lt 1 ] && load=1
    hold=$(( (load + RAMP_RATE - 1) / RAMP_RATE + SETTLE + WINDOW + 12 ))
    L_NOTE=""
    # Callees: the load one plays the capture back; the probe one answers with the probe's ports.
    start_uas "$tag-callee" "$WORK/scen/uas_rtp.xml" "$CALLEE_PORT" || return 1
    local load_uas=$UAS_PID
    : > "$WORK/probe-$TARGET-$n.sdp"
    { echo SEQUENTIAL; for ((i = 0; i < PROBE_CALLS; i++)); do free_port p; echo "$p"; done; } > "$WORK/probe-b-$n.csv"
    { echo SEQUENTIAL; for ((i = 0; i < PROBE_CALLS; i++)); do free_port p; echo "$p"; done; } > "$WORK/probe-a-$n.csv"
    start_uas "$tag-probe-callee" "$WORK/scen/probe_uas.xml" "$PROBE_PORT" -inf "$WORK/probe-b-$n.csv" -key sdp_log "$WORK/probe-$TARGET-$n.sdp" || return 1
    local probe_uas=$UAS_PID
    # Load callers, set up at RAMP_RATE and held for $hold s while the capture plays.
    free_port sport; free_range mp1 8
    (cd "$ldir" && exec sipp -sf "$WORK/scen/uac_rtp.xml" $(uac_args "$ldir" 101) -p "$sport" -mp "$mp1" -key sdp_port "$mp1" \
        -r "$RAMP_RATE" -rp 1000 -m "$load" -l "$load" -d $((hold * 1000)) -recv_timeout 10000 \
        -timeout $((hold + 60))s -timeout_error > "$ldir/stdout.log" 2> "$ldir/stderr.log") &
    local load_uac=$!; BG_PIDS="$BG_PIDS $load_uac"
    # Wait until the load is up (CurrentCall in the caller's statistics), at most twice the ramp time.
    local deadline=$(( $(date +%s) + 2 * load / RAMP_RATE + 20 )) cur=0
    while [ "$(date +%s)" -lt $deadline ]; do
        sleep 1
        cur=$(stat_field "$ldir/stat.csv" 14); cur=${cur:-0}
        [ "$cur" -ge "$load" ] 2>/dev/null && break
        kill -0 "$load_uac" 2>/dev/null || break
    done
    L_UP=$cur
    [ "$cur" -lt "$load" ] 2>/dev/null && L_NOTE="only $cur of $load load calls up after the ramp"
    sleep "$SETTLE"
    # Probe calls.
    free_port psport; free_range mp2 8
    (cd "$pdir" && exec sipp -sf "$WORK/scen/probe_uac.xml" $(uac_args "$pdir" 102) -p "$psport" -mp "$mp2" \
        -inf "$WORK/probe-a-$n.csv" -key sdp_log "$WORK/probe-$TARGET-$n.sdp" -r 10 -m "$PROBE_CALLS" -l "$PROBE_CALLS" \
        -d $(( (WINDOW + 6) * 1000 )) -recv_timeout 10000 -timeout $((WINDOW + 60))s -timeout_error \
        > "$pdir/stdout.log" 2> "$pdir/stderr.log") &
    local probe_uac=$!; BG_PIDS="$BG_PIDS $probe_uac"
    for _ in $(seq 1 100); do
        [ "$(grep -c . "$WORK/probe-$TARGET-$n.sdp")" -ge $((2 * PROBE_CALLS)) ] && { ok=1; break; }
        sleep 0.1
    done
    if [ $ok = 0 ]; then
        L_NOTE="${L_NOTE:+$L_NOTE; }probe calls not all answered ($(grep -c . "$WORK/probe-$TARGET-$n.sdp") of $((2 * PROBE_CALLS)) SDP seen)"
    fi
    local legs=()
    while read -r _ ip port local; do legs+=(--leg "$local:$ip:$port"); done < "$WORK/probe-$TARGET-$n.sdp"
    # Measure.
    d0=$(udp_drops); k0=$(tree_ticks $TARGET_PIDS); r0=$(tree_ticks $MEDIA_PID); sipp0=$(tree_ticks "$load_uac" "$load_uas"); t0=$(now)
    python3 "$HERE/rtpprobe.py" "${legs[@]}" --direct "$PROBE_DIRECT" --seconds "$WINDOW" --pps 50 --warmup 1 \
        --json "$WORK/probe-$TARGET-$n.json" > "$WORK/probe-$TARGET-$n.out" 2>&1
    L_WALL=$(elapsed "$t0")
    L_CPU=$(cpu_pct $(( $(tree_ticks $TARGET_PIDS) - k0 )) "$L_WALL")
    L_MEDIA_CPU=$(cpu_pct $(( $(tree_ticks $MEDIA_PID) - r0 )) "$L_WALL")
    L_SIPP_CPU=$(cpu_pct $(( $(tree_ticks "$load_uac" "$load_uas") - sipp0 )) "$L_WALL")
    L_DROPS=$(( $(udp_drops) - d0 ))
    L_LIVE=$(stat_field "$ldir/stat.csv" 14)
    # Let every call end (BYE after the hold), then collect the callers' results.
    local end=$(( $(date +%s) + hold + 60 ))
    while { kill -0 "$load_uac" 2>/dev/null || kill -0 "$probe_uac" 2>/dev/null; } && [ "$(date +%s)" -lt $end ]; do sleep 1; done
    stop_background
    L_OK=$(stat_field "$ldir/stat.csv" 16); L_FAIL=$(stat_field "$ldir/stat.csv" 18)
    L_POK=$(stat_field "$pdir/stat.csv" 16); L_PFAIL=$(stat_field "$pdir/stat.csv" 18)
    return 0
}

jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=d
for k in sys.argv[2].split("."): v = v.get(k) if isinstance(v, dict) else None
print("n/a" if v is None else v)' "$1" "$2" 2>/dev/null || echo n/a; }

bench_relay() {
    local table="$WORK/relay-$TARGET" budget per_call n target_n stop="" scaled="" j best=0
    budget=${LOAD_CPU_BUDGET:-$(( $(nproc) * 60 ))}
    printf '%-8s %6s %5s %8s %11s %9s %8s %9s %8s %8s %8s %8s %8s %6s  %s\n' target calls up calls-ok target-CPU media-CPU sipp-CPU sent lost loss% p50-us p99-us max-us drops verdict > "$table"
    for target_n in $LEVELS; do
        n=$target_n
        if [ -n "${per_call:-}" ]; then
            # The machine runs the load generator too: keep sipp's projected CPU within the budget.
            local fit; fit=$(awk -v b="$budget" -v p="$per_call" 'BEGIN { if (p <= 0) print 1000000; else printf "%d", b / p }')
            if [ "$fit" -lt "$n" ]; then
                n=$(( fit / 50 * 50 )); [ $n -lt 50 ] && n=50
                scaled="$scaled $target_n->$n"
                log "scaling $target_n calls down to $n: sipp would need ~$(awk -v p="$per_call" -v n="$target_n" 'BEGIN { printf "%.0f", p * n }')% CPU (budget $budget%)"
            fi
            [ "$n" -le "${last_n:-0}" ] && { log "skipping $target_n: scaled down to $n, already run"; continue; }
        fi
        sleep 2
        wait_quiet || log "the machine is busy with other work; running $n calls anyway"
        log "$TARGET: $n relayed calls"
        run_level "$n" || { stop_background; stop="could not start callees"; break; }
        last_n=$n
        j="$WORK/probe-$TARGET-$n.json"
        local lost sent p99a p50a maxr loss verdict
        sent=$(jget "$j" relayed.sent); lost=$(jget "$j" relayed.lost); loss=$(jget "$j" relayed.loss_pct)
        p50a=$(jget "$j" added_p50_us); p99a=$(jget "$j" added_p99_us); maxr=$(jget "$j" relayed.max_us)
        verdict=clean
        if [ "$sent" = n/a ] || [ "$sent" = 0 ]; then verdict="NO PROBE ($(tail -1 "$WORK/probe-$TARGET-$n.out" | cut -c1-100))"
        elif [ "$lost" != 0 ]; then verdict="LOSS"
        elif awk -v p="$p99a" -v l="$CLEAN_P99_US" 'BEGIN { exit !(p >= l) }'; then verdict="P99>=${CLEAN_P99_US}us"; fi
        [ "${L_FAIL:-0}" != 0 ] || [ "${L_PFAIL:-0}" != 0 ] && verdict="$verdict, failed calls ${L_FAIL:-?}+${L_PFAIL:-?}"
        [ -n "$L_NOTE" ] && verdict="$verdict; $L_NOTE"
        printf '%-8s %6s %5s %8s %11s %9s %8s %9s %8s %8s %8s %8s %8s %6s  %s\n' "$TARGET" "$n" "$(( ${L_LIVE:-0} + PROBE_CALLS ))" \
            "$(( ${L_OK:-0} + ${L_POK:-0} ))" "$L_CPU%" "$L_MEDIA_CPU%" "$L_SIPP_CPU%" "$sent" "$lost" "$loss" "$p50a" "$p99a" "$maxr" "$L_DROPS" "$verdict" >> "$table"
        log "$(tail -1 "$table")"
        { echo "relay_${n}_cpu=$L_CPU"; echo "relay_${n}_media_cpu=$L_MEDIA_CPU"; echo "relay_${n}_p50=$p50a"; echo "relay_${n}_p99=$p99a"
          echo "relay_${n}_loss=$loss"; echo "relay_${n}_verdict=$verdict"; } >> "$WORK/result-$TARGET"
        per_call=$(awk -v c="$L_SIPP_CPU" -v n="$n" 'BEGIN { printf "%.3f", c / n }')
        [[ $verdict == clean* ]] && best=$n
        # Leaked relay ports: sockets the relay still holds once every call has ended.
        sleep 3
        local leak; leak=$(sockets_in_range "$MEDIA_PID" "$RELAY_MIN" "$RELAY_MAX")
        echo "relay_${n}_sockets_after=$leak" >> "$WORK/result-$TARGET"
        [ "$leak" != 0 ] && log "$TARGET still holds $leak UDP sockets in its RTP range 3 s after the last call of the $n level"
        [[ $verdict == clean* ]] || { stop="not clean at $n"; break; }
    done
    { echo "relay_best=$best"; echo "relay_stop=$stop"; echo "relay_scaled=$scaled"; echo "relay_levels=$(awk 'NR > 1 { print $2 }' "$table" | tr '\n' ' ')"; } >> "$WORK/result-$TARGET"
}

# ---------------------------------------------------------------- one target

bench_target() {
    : > "$WORK/result-$TARGET"
    free_port CALLEE_PORT; free_port PROBE_PORT
    if ! register bob "$PW_BOB" "$CALLEE_PORT" || ! register probe "$PW_PROBE" "$PROBE_PORT"; then
        echo "probe=callee registration failed ($(tail -3 "$WORK/sipp-$TARGET-register-bob/errors.log" 2>/dev/null | tr '\n' ' '))" >> "$WORK/result-$TARGET"
        log "$TARGET: callee registration failed"; return
    fi
    echo "probe=ok" >> "$WORK/result-$TARGET"
    case " $PARTS " in *" setup "*) bench_setup ;; esac
    case " $PARTS " in *" relay "*) bench_relay ;; esac
}

field() { sed -n "s/^$2=//p" "$WORK/result-$1" 2>/dev/null | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }

write_report() {
    local k p lvl
    REPORT="$WORK/report.txt"
    {
        echo "Calls through the B2BUA, loopback, $(nproc) cores ($(date -u +%FT%TZ), sipp $(sipp -v 2>/dev/null | grep -oE 'v[0-9.]+' | head -1), Kamailio $(kamailio -v 2>/dev/null | head -1 | awk '{print $3}'), rtpengine $(dpkg-query -W -f '${Version}' rtpengine-daemon 2>/dev/null))"
        echo "kamailio = Kamailio stateful proxy + registrar, digest auth (407/401, qop=auth, static passwords), rtpengine userspace (--table=-1) via rtpengine_offer/answer/delete"
        echo "pbx      = Pbx.Server B2BUA + RTP relay ${PBX_BUILD_NOTE:-}"
        echo
        if [[ " $PARTS " == *" setup "* ]]; then
            echo "(a) call setup rate: INVITE-407-ACK-INVITE(auth)-180-200-ACK-BYE-200, 0 s hold, $STEP_SECONDS s per step"
            for t in $TARGETS; do
                if [ "$(field "$t" probe)" != ok ]; then echo "  $t: $(field "$t" probe)"; continue; fi
                k=$(field "$t" setup_best)
                if [ "$k" = 0 ]; then echo "  $t: no clean step (failed at $(field "$t" setup_stopped)/s)"
                else echo "  $t: max clean rate $k calls/s (idle CPU $(field "$t" idle_cpu)%), $(field "$t" setup_best_line)$([ -z "$(field "$t" setup_stopped)" ] && echo "; never failed up to the top step")"; fi
            done
            echo "  ratio pbx/kamailio (max clean rate): $(ratio "$(field pbx setup_best)" "$(field kamailio setup_best)")"
            for t in $TARGETS; do [ -f "$WORK/setup-$t" ] && sed 's/^/  /' "$WORK/setup-$t"; done
            echo "  target-CPU: pbx = the daemon; kamailio = Kamailio (all workers) + rtpengine. % of one core over the step."
            echo
        fi
        if [[ " $PARTS " == *" relay "* ]]; then
            echo "(b) concurrent relayed calls, G.711 u-law 20 ms both ways (sipp play_pcap_audio), $PROBE_CALLS of them timed by rtpprobe.py over $WINDOW s"
            for t in $TARGETS; do
                [ "$(field "$t" probe)" = ok ] || continue
                echo "  $t: largest clean level (zero loss, added p99 < ${CLEAN_P99_US} us): $(field "$t" relay_best) calls$([ -n "$(field "$t" relay_stop)" ] && echo " (stopped: $(field "$t" relay_stop))")$([ -n "$(field "$t" relay_scaled)" ] && echo "; levels scaled down for this machine:$(field "$t" relay_scaled)")"
            done
            echo "  ratio pbx/kamailio relay capacity (largest clean level): $(ratio "$(field pbx relay_best)" "$(field kamailio relay_best)")$([ -z "$(field pbx relay_stop)$(field kamailio relay_stop)" ] && echo " (both clean at every level run: capacity not reached)")"
            for lvl in $(field pbx relay_levels); do
                [ -n "$(field kamailio "relay_${lvl}_cpu")" ] || continue
                echo "  at $lvl calls, pbx/kamailio: relay CPU (daemon vs rtpengine) $(ratio "$(field pbx "relay_${lvl}_media_cpu")" "$(field kamailio "relay_${lvl}_media_cpu")"), total CPU $(ratio "$(field pbx "relay_${lvl}_cpu")" "$(field kamailio "relay_${lvl}_cpu")"), added p50 $(ratio "$(field pbx "relay_${lvl}_p50")" "$(field kamailio "relay_${lvl}_p50")"), added p99 $(ratio "$(field pbx "relay_${lvl}_p99")" "$(field kamailio "relay_${lvl}_p99")"), loss $(field pbx "relay_${lvl}_loss")% vs $(field kamailio "relay_${lvl}_loss")%"
            done
            for t in $TARGETS; do [ -f "$WORK/relay-$t" ] && sed 's/^/  /' "$WORK/relay-$t"; done
            echo "  up: calls live at the end of the window (sipp); calls-ok: completed without failure. target-CPU: pbx = daemon; kamailio = Kamailio + rtpengine; media-CPU: daemon / rtpengine."
            echo "  sent/lost/loss%: the probe's relayed packets; p50/p99/max-us: added one-way delay = relayed - direct loopback percentile (max is relayed, absolute)."
            echo "  drops: host-wide UDP receive-buffer drops during the window. sockets left in the relay's port range after each level:"
            for t in $TARGETS; do
                local s=""; for lvl in $(field "$t" relay_levels); do s="$s $lvl:$(field "$t" "relay_${lvl}_sockets_after")"; done
                [ -n "$s" ] && echo "    $t:$s"
            done
            for t in $TARGETS; do
                for lvl in $(field "$t" relay_levels); do
                    [ -f "$WORK/probe-$t-$lvl.json" ] && echo "  probe $t $lvl: $(cat "$WORK/probe-$t-$lvl.json")"
                done
            done
            echo
        fi
        if [ -f "$WORK/pbx/pbx.log" ]; then
            # Console log entries are "level: Category[event]" then the message on the next line; numbers folded to N.
            echo "daemon log, warnings and errors by kind (count, level, category, message with numbers as N):"
            awk '/^(warn|fail|crit|error): / { head = $0; getline; sub(/^ +/, ""); print head " " $0 }' "$WORK/pbx/pbx.log" |
                sed -E 's/[0-9]+(\.[0-9]+)?/N/g' | cut -c1-200 | sort | uniq -c | sort -rn | head -12 | sed 's/^/  /'
            grep -qiE 'exception|unhandled' "$WORK/pbx/pbx.log" && echo "  (exceptions in the log: $(grep -ciE 'exception' "$WORK/pbx/pbx.log") lines)"
        fi
        echo "load average at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "run time: $(( $(date +%s) - START )) s"
    } > "$REPORT"
    mkdir -p "$RESULTS_DIR"
    OUT="$RESULTS_DIR/calls-$(date -u +%Y%m%d-%H%M%S).txt"
    cp "$REPORT" "$OUT"
    [ "$KEEP_WORK" = 1 ] && cp "$WORK/pbx/pbx.log" "${OUT%.txt}-pbx.log" 2>/dev/null
    cat "$REPORT"
    echo "(written to $OUT)"
}

# ---------------------------------------------------------------- main

main() {
    START=$(date +%s)
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    awk '{ exit !($1 > 1.0) }' /proc/loadavg && log "warning: load average $LOAD_START; other work on this machine will lower and scatter the figures"
    ensure_packages
    local maxl=0 l
    for l in $LEVELS; do [ "$l" -gt $maxl ] && maxl=$l; done
    # Four ports per call leg pair side (RTP + RTCP, two legs) and room to spare.
    RTP_RANGE=$(( (maxl + PROBE_CALLS) * 4 + 400 ))
    PW_ALICE="a$(od -An -vtx1 -N 6 /dev/urandom | tr -d ' \n')"; PW_BOB="b$(od -An -vtx1 -N 6 /dev/urandom | tr -d ' \n')"
    PW_PROBE="p$(od -An -vtx1 -N 6 /dev/urandom | tr -d ' \n')"
    make_scenarios
    # The capture outlasts the longest hold time; the BYE stops it.
    python3 "$HERE/mkpcap.py" "$WORK/ulaw.pcap" $(( maxl / RAMP_RATE + SETTLE + WINDOW + 20 )) || { log "mkpcap failed"; exit 1; }
    log "work folder $WORK; parts: $PARTS; setup rates: $RATES; relayed levels: $LEVELS"
    for TARGET in $TARGETS; do
        case $TARGET in
            kamailio)
                free_port SIP_PORT
                if start_rtpengine && start_kamailio "$SIP_PORT"; then
                    TARGET_PIDS="$KAM_PID $RTPE_PID"; MEDIA_PID=$RTPE_PID; RELAY_MIN=$RTPE_MIN; RELAY_MAX=$RTPE_MAX
                    log "Kamailio on 127.0.0.1:$SIP_PORT (pid $KAM_PID, $KAM_CHILDREN workers), rtpengine pid $RTPE_PID (ng $RTPE_NG, ports $RTPE_MIN-$RTPE_MAX)"
                    bench_target
                else
                    echo "probe=did not start" > "$WORK/result-kamailio"
                fi
                stop_process "$KAM_PID"; stop_process "$RTPE_PID"; KAM_PID=""; RTPE_PID=""
                ;;
            pbx)
                PBX_BUILD_NOTE=""
                free_port SIP_PORT
                if ! build_pbx; then echo "probe=not built" > "$WORK/result-pbx"
                elif ! start_pbx "$SIP_PORT"; then echo "probe=did not start: $(grep -v '^\s*$' "$WORK/pbx/pbx.log" | tail -3 | tr '\n' ' ')" > "$WORK/result-pbx"
                else
                    TARGET_PIDS=$PBX_PID; MEDIA_PID=$PBX_PID; RELAY_MIN=$PBX_RTP_MIN; RELAY_MAX=$PBX_RTP_MAX
                    log "Pbx.Server on 127.0.0.1:$SIP_PORT (pid $PBX_PID, RTP $PBX_RTP_MIN-$PBX_RTP_MAX)"
                    bench_target
                fi
                stop_process "$PBX_PID"; PBX_PID=""
                ;;
            *) log "unknown target $TARGET" ;;
        esac
    done
    write_report
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    WORK=$(mktemp -d /tmp/calls-bench.XXXXXX)
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    main "$@"
fi
