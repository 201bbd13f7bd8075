#!/usr/bin/env bash
# REGISTER + digest benchmark: our registrar (Pbx.Server) against Kamailio, in one run, on loopback.
# A benchmark, not a test: it reports figures and asserts nothing. See README.md beside this file.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)

RATES=${RATES:-"250 500 1000 2000 4000 6000 8000 10000 12000 16000"}  # calls/s; a call = REGISTER, 401, REGISTER, 200
STEP_SECONDS=${STEP_SECONDS:-5}                 # each step runs rate x STEP_SECONDS calls
USERS=${USERS:-1000}                            # user names 1000 .. 1000+USERS-1
CONTACTS_PER_USER=${CONTACTS_PER_USER:-9}       # bindings run: USERS x this many new contacts (+1 from the
                                                # rate runs = 10 per user, the daemon's default Sip MaxContactsPerAor)
REFRESH_FACTOR=${REFRESH_FACTOR:-2}             # before it, this many times as many refresh-only registrations
TARGETS=${TARGETS:-"kamailio pbx"}
KAM_CHILDREN=${KAM_CHILDREN:-4}                 # Kamailio UDP worker processes
RECV_TIMEOUT_MS=${RECV_TIMEOUT_MS:-5000}        # a call whose answer takes longer has failed
RETRANS_OK=${RETRANS_OK:-0}                     # 1: a step with retransmissions but no failed call still counts
MIN_ACHIEVED_PCT=${MIN_ACHIEVED_PCT:-90}        # a step must reach this share of its nominal rate
QUIET_WAIT=${QUIET_WAIT:-5}                    # before a step, wait up to this many seconds for the machine to be idle
QUIET_PCT=${QUIET_PCT:-25}                      # "idle": the whole machine busy below this % of one core
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}                       # 1: keep the work folder (logs, sipp traces) after the run
PBX_SIP_EXTRA=${PBX_SIP_EXTRA:-}                # extra JSON members for the daemon's "Sip" section
PBX_TRUST_LOADGEN=${PBX_TRUST_LOADGEN:-1}      # 1: put 127.0.0.1/32 in Sip:TrustedNetworks (no per-source limit or ban for sipp)
PBX_QUALIFY_SECONDS=${PBX_QUALIFY_SECONDS:-3600} # Sip:QualifyIntervalSeconds: 3600 keeps OPTIONS pings out of the run
SIP_DOMAIN=${SIP_DOMAIN:-}                      # host of the Request-URI and of From/To; empty: 127.0.0.1(:port)
RESULTS_DIR=${RESULTS_DIR:-"$REPO/scripts/bench/results"}
ADMIN_TOKEN="bench-token-0123456789abcdef"
REALM="pbx"
FIRST_USER=1000

SCENARIO="$HERE/register.xml"
WORK=${WORK:-}                                  # set by main (a fresh folder under /tmp)
CLK_TCK=$(getconf CLK_TCK)
KAM_PID=""
PBX_PID=""
USED_PORTS=" "

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"


cleanup() {
    stop_process "$KAM_PID"; stop_process "$PBX_PID"
    KAM_PID=""; PBX_PID=""
    if [ "$KEEP_WORK" = 1 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}

# ---------------------------------------------------------------- tools

ensure_packages() {
    local missing=()
    command -v sipp >/dev/null || missing+=(sip-tester)
    command -v kamailio >/dev/null || missing+=(kamailio)
    command -v kamcmd >/dev/null || missing+=(kamailio)
    dpkg -L kamailio-sqlite-modules 2>/dev/null | grep -q '/db_sqlite.so$' || missing+=(kamailio-sqlite-modules)
    command -v sqlite3 >/dev/null || missing+=(sqlite3)
    command -v curl >/dev/null || missing+=(curl)
    command -v md5sum >/dev/null || missing+=(coreutils)
    apt_install "${missing[@]}"
    # The Debian package enables a system service on port 5060; this benchmark never uses it.
}


# utime+stime clock ticks of a process and its direct children (Kamailio forks its workers from main).
tree_ticks() {
    local root=$1 total=0 p t
    for p in "$root" $(pgrep -P "$root" 2>/dev/null); do
        t=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
        total=$((total + ${t:-0}))
    done
    echo "$total"
}

now() { date +%s.%N; }
cpu_pct() { awk -v t="$1" -v hz="$CLK_TCK" -v s="$2" 'BEGIN { if (s <= 0) print "n/a"; else printf "%.0f", 100 * t / hz / s }'; }
# Datagrams the kernel dropped for a full socket receive buffer, host-wide (/proc/net/snmp Udp: RcvbufErrors).
udp_drops() { awk '/^Udp:/ { if (!seen) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") col = i; seen = 1 } else { print $col; exit } }' /proc/net/snmp; }
# Datagrams dropped on the target's own UDP socket (ss skmem d), so a reader sees which side lost them.
sock_drops() { ss -Huanm "sport = :$1" 2>/dev/null | grep -oE 'skmem:\(.*\bd[0-9]+' | grep -oE '[0-9]+$' | awk '{ s += $1 } END { print s + 0 }'; }
# Busy clock ticks of the whole machine (all cores), from /proc/stat.
host_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
# Waits (at most QUIET_WAIT s) until the machine, target idle between steps, is busy below QUIET_PCT of one core.
wait_quiet() {
    local a b
    for _ in $(seq 1 "$QUIET_WAIT"); do
        a=$(host_busy_ticks); sleep 1; b=$(host_busy_ticks)
        [ $(( (b - a) * 100 / CLK_TCK )) -lt "$QUIET_PCT" ] && return 0
    done
    return 1
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# ---------------------------------------------------------------- users

make_users() {
    local hex i user pw
    hex=$(od -An -vtx1 -N $((USERS * 6)) /dev/urandom | tr -d ' \n')
    : > "$WORK/users.txt"
    for ((i = 0; i < USERS; i++)); do
        user=$((FIRST_USER + i))
        pw="pw${hex:$((i * 12)):12}"
        echo "$user;$pw" >> "$WORK/users.txt"
    done
    { echo SEQUENTIAL; awk -F';' '{print $1 ";" $2 ";" $1}' "$WORK/users.txt"; } > "$WORK/users.csv"
    # Bindings run: every user registers CONTACTS_PER_USER new distinct contacts (user part 1000-b0, 1000-b1, ...).
    { echo SEQUENTIAL
      for ((c = 0; c < CONTACTS_PER_USER; c++)); do awk -F';' -v c="$c" '{print $1 ";" $2 ";" $1 "-b" c}' "$WORK/users.txt"; done
    } > "$WORK/bindings.csv"
    # Probes: a wrong password for an existing user.
    { echo SEQUENTIAL; head -1 "$WORK/users.txt" | awk -F';' '{print $1 ";wrong-" $2 ";" $1}'; } > "$WORK/wrong.csv"
    { echo SEQUENTIAL; head -1 "$WORK/users.txt" | awk -F';' '{print $1 ";" $2 ";" $1}'; } > "$WORK/good.csv"
}

# ---------------------------------------------------------------- sipp

# run_sipp TAG PORT RATE CALLS CSV [extra sipp args...]
# Sets S_RC S_OK S_FAIL S_RETRANS S_RATE S_RT_MS S_SIPP_CPU S_WALL S_TICKS (ticks of TARGET_PID during the run) S_OTHER_CPU
# S_DROPS (host-wide UDP receive-buffer drops) S_TDROPS (of those, on the target's socket).
run_sipp() {
    local tag=$1 port=$2 rate=$3 calls=$4 csv=$5; shift 5
    local dir="$WORK/sipp-$tag" t0 t1 k0 k1 h0 h1 d0 sd0 limit timeout_s line
    mkdir -p "$dir"
    limit=$((rate * 2 > 1000 ? rate * 2 : 1000))
    timeout_s=$((calls / (rate > 0 ? rate : 1) * 2 + RECV_TIMEOUT_MS / 1000 + 10))
    d0=$(udp_drops); sd0=$(sock_drops "$port"); h0=$(host_busy_ticks); k0=$(tree_ticks "$TARGET_PID"); t0=$(now)
    local TIMEFORMAT='%3U %3S'
    { time (cd "$dir" && timeout $((timeout_s + 20)) sipp -sf "$SCENARIO" -inf "$csv" \
        -i 127.0.0.1 -p "$SIPP_PORT" "127.0.0.1:$port" \
        -r "$rate" -rp 1000 -m "$calls" -l "$limit" \
        -recv_timeout "$RECV_TIMEOUT_MS" -timeout "${timeout_s}s" -timeout_error \
        -buff_size 4194304 -nostdin -aa \
        -trace_stat -stf "$dir/stat.csv" -fd 1 \
        -trace_err -error_file "$dir/errors.log" \
        -trace_screen -screen_file "$dir/screen.log" \
        -key registrar_uri "${SIP_DOMAIN:-127.0.0.1:$port}" -key aor_domain "${SIP_DOMAIN:-127.0.0.1}" "$@" \
        > "$dir/stdout.log" 2> "$dir/stderr.log") ; } 2> "$dir/time.txt"
    S_RC=$?
    t1=$(now); k1=$(tree_ticks "$TARGET_PID"); h1=$(host_busy_ticks); S_DROPS=$(( $(udp_drops) - d0 )); S_TDROPS=$(( $(sock_drops "$port") - sd0 ))
    S_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    S_TICKS=$((k1 - k0))
    S_SIPP_CPU=$(awk -v s="$S_WALL" '{ if (s > 0) printf "%.0f", 100 * ($1 + $2) / s; else print "n/a" }' "$dir/time.txt")
    # Everything else the machine ran meanwhile (other users' builds and tests skew the figures).
    S_OTHER_CPU=$(awk -v h=$((h1 - h0)) -v t="$S_TICKS" -v hz="$CLK_TCK" -v s="$S_WALL" -v f="$dir/time.txt" 'BEGIN {
        getline line < f; split(line, u, " "); o = 100 * ((h - t) / hz - u[1] - u[2]) / s; if (o < 0) o = 0; printf "%.0f", o }')
    line=$(tail -1 "$dir/stat.csv" 2>/dev/null)
    if [ -n "$line" ] && ! [[ $line == StartTime* ]]; then
        S_OK=$(cut -d';' -f16 <<<"$line"); S_FAIL=$(cut -d';' -f18 <<<"$line")
        S_RETRANS=$(cut -d';' -f58 <<<"$line"); S_RATE=$(cut -d';' -f8 <<<"$line")
        S_RT_MS=$(cut -d';' -f70 <<<"$line" | awk -F: '{ printf "%.2f", ($1 * 3600 + $2 * 60 + $3) * 1000 + $4 / 1000 }')
    else
        S_OK=0; S_FAIL=$calls; S_RETRANS=0; S_RATE=0; S_RT_MS="n/a"
    fi
}

# The status lines the target sent back during a one-call probe.
probe_replies() {
    awk '/^UDP message received/ { want = 1; next } want && /^SIP\/2\.0 / { sub(/\r$/, ""); print; want = 0 }' "$1"/*messages* 2>/dev/null |
        paste -sd ',' - | sed 's/,/, /g'
}

# probe TARGET PORT: one correct registration, one with a wrong password. Sets PROBE ("ok" or why not) and PROBE_TEXT.
probe() {
    local name=$1 port=$2 good bad
    run_sipp "$name-probe-good" "$port" 1 1 "$WORK/good.csv" -trace_msg
    good=$(probe_replies "$WORK/sipp-$name-probe-good")
    if [ "$S_OK" = 1 ] && [ "$S_RC" = 0 ]; then
        run_sipp "$name-probe-wrong" "$port" 1 1 "$WORK/wrong.csv" -trace_msg
        bad=$(probe_replies "$WORK/sipp-$name-probe-wrong")
        PROBE_TEXT="right password: ${good}; wrong password: ${bad:-no answer}"
        if [ "$S_OK" = 1 ]; then PROBE="accepts a wrong password"; else PROBE=ok; fi
        return
    fi
    PROBE_TEXT="right password: ${good:-nothing received}"
    if [ -z "$good" ]; then
        PROBE="no answer"
    elif grep -qs 'createAuthHeader' "$WORK/sipp-$name-probe-good"/*.log; then
        PROBE="sipp cannot answer its challenge: $(grep -hos 'createAuthHeader.*' "$WORK/sipp-$name-probe-good"/*.log | head -1)"
    else
        PROBE="unexpected replies"
    fi
}

# ---------------------------------------------------------------- targets

start_kamailio() {
    local port=$1 mpath db secret
    mpath=$(dirname "$(dpkg -L kamailio | grep '/modules/sl.so$' | head -1)")/
    db="$WORK/kamailio/subscriber.db"
    mkdir -p "$WORK/kamailio"
    sqlite3 "$db" "CREATE TABLE version (id INTEGER PRIMARY KEY NOT NULL, table_name VARCHAR(32) NOT NULL,
        table_version INTEGER DEFAULT 0 NOT NULL, CONSTRAINT version_table_name_idx UNIQUE (table_name));
        INSERT INTO version (table_name, table_version) VALUES ('version', '1');" || return 1
    sqlite3 "$db" < /usr/share/kamailio/db_sqlite/auth_db-create.sql || return 1
    { echo "BEGIN;"
      while IFS=';' read -r user pw; do
          echo "INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ('$user', '$REALM', '', '$(printf '%s:%s:%s' "$user" "$REALM" "$pw" | md5sum | cut -d' ' -f1)', '');"
      done < "$WORK/users.txt"
      echo "COMMIT;"; } | sqlite3 "$db" || return 1
    secret=$(od -An -vtx1 -N 16 /dev/urandom | tr -d ' \n')
    KAM_CTL="$WORK/kamailio/ctl"
    sed -e "s|@PORT@|$port|; s|@CHILDREN@|$KAM_CHILDREN|; s|@CTL@|$KAM_CTL|; s|@SECRET@|$secret|" \
        -e "s|@DBURL@|sqlite://$db|; s|@MPATH@|$mpath|" "$HERE/kamailio.cfg.in" > "$WORK/kamailio/kamailio.cfg"
    kamailio -f "$WORK/kamailio/kamailio.cfg" -DD -E -m 256 -M 16 > "$WORK/kamailio/kamailio.log" 2>&1 &
    KAM_PID=$!
    for _ in $(seq 1 50); do
        [ -S "$KAM_CTL" ] && kamcmd -s "unix:$KAM_CTL" core.version >/dev/null 2>&1 && return 0
        kill -0 "$KAM_PID" 2>/dev/null || break
        sleep 0.2
    done
    log "Kamailio did not start:"; tail -20 "$WORK/kamailio/kamailio.log" >&2
    return 1
}

kam_stat() { kamcmd -s "unix:$KAM_CTL" "$@" 2>/dev/null; }
kam_shm_used() { kam_stat core.shmmem | awk '/real_used:/ {print $2}'; }
kam_contacts() { kam_stat stats.get_statistics location_contacts | awk -F'= ' '{print $2}'; }

build_pbx() {
    PBX_DLL="$REPO/src/Pbx.Server/bin/Release/net10.0/Pbx.Server.dll"
    [ "$SKIP_BUILD" = 1 ] && return 0
    for attempt in 1 2 3; do
        log "dotnet build src/Pbx.Server -c Release (attempt $attempt)"
        if dotnet build "$REPO/src/Pbx.Server" -c Release -nologo -v q > "$WORK/build.log" 2>&1; then return 0; fi
        tail -5 "$WORK/build.log" >&2
        [ $attempt -lt 3 ] && sleep 60
    done
    if [ -f "$PBX_DLL" ]; then
        log "build failed three times; using the existing build from $(date -u -r "$PBX_DLL" +%FT%TZ)"
        PBX_BUILD_NOTE="(build failed; used the existing build from $(date -u -r "$PBX_DLL" +%FT%TZ))"
        return 0
    fi
    return 1
}

# start_pbx UDP_PORT BENCH: BENCH=1 adds the benchmark's settings (trusted load generator, qualify interval).
start_pbx() {
    local udp=$1 bench=$2 tcp tls xmpp admin extra=""
    free_port tcp; free_port tls; free_port xmpp; free_port admin
    PBX_ADMIN="http://127.0.0.1:$admin"
    mkdir -p "$WORK/pbx/data"
    # One sipp stands in for 1,000 phones from one address: the per-source flood limit and the
    # authentication-failure ban are meant for single phones, and Kamailio runs without either.
    [ "$bench" = 1 ] && [ "$PBX_TRUST_LOADGEN" = 1 ] && extra="$extra"',"TrustedNetworks":["127.0.0.1/32"]'
    # The daemon pings every binding with OPTIONS each interval, all at once; Kamailio here pings none.
    [ "$bench" = 1 ] && [ -n "$PBX_QUALIFY_SECONDS" ] && extra="$extra"',"QualifyIntervalSeconds":'"$PBX_QUALIFY_SECONDS"
    [ -n "$PBX_SIP_EXTRA" ] && extra="$extra,$PBX_SIP_EXTRA"
    cat > "$WORK/pbx/pbx.json" <<EOF
{"Sip":{"BindAddress":"127.0.0.1","UdpPort":$udp,"TcpPort":$tcp,"TlsPort":$tls,"Realm":"$REALM"$extra},
 "Xmpp":{"BindAddress":"127.0.0.1","ClientPort":$xmpp},
 "Admin":{"Address":"127.0.0.1","Port":$admin,"Token":"$ADMIN_TOKEN"},
 "Storage":{"DataDirectory":"$WORK/pbx/data"},
 "Shutdown":{"DrainSeconds":0},
 "Logging":{"LogLevel":{"Default":"Warning"}}}
EOF
    dotnet "$PBX_DLL" --config "$WORK/pbx/pbx.json" > "$WORK/pbx/pbx.log" 2>&1 &
    PBX_PID=$!
    for _ in $(seq 1 120); do
        [ "$(curl -s -m 2 "$PBX_ADMIN/health/ready" 2>/dev/null)" = Healthy ] && return 0
        kill -0 "$PBX_PID" 2>/dev/null || break
        sleep 0.5
    done
    log "the daemon did not become ready:"; tail -20 "$WORK/pbx/pbx.log" >&2
    return 1
}

# curl config lines that create the users listed in file $1 (user;password per line), one transfer each.
user_requests() {
    local first=1
    while IFS=';' read -r user pw; do
        [ $first = 1 ] || echo next
        first=0
        printf 'url = "%s/api/users"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\n' "$PBX_ADMIN" "$ADMIN_TOKEN"
        printf 'data = "{\\"loginId\\":\\"%s\\",\\"displayName\\":\\"User %s\\",\\"password\\":\\"%s\\"}"\n' "$user" "$user" "$pw"
        printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n'
    done < "$1"
}

pbx_user_count() {
    curl -s -m 30 -H "Authorization: Bearer $ADMIN_TOKEN" "$PBX_ADMIN/api/users" | grep -o '"loginId":"[^"]*"' | sort -u | wc -l
}

# Creates the users through the admin API (4 requests in flight), then retries one by one whatever did not land.
create_pbx_users() {
    local created missing_file="$WORK/pbx/missing.txt"
    user_requests "$WORK/users.txt" > "$WORK/pbx/create-users.curl"
    curl -s --no-progress-meter -m 900 --parallel --parallel-max 4 -K "$WORK/pbx/create-users.curl" > "$WORK/pbx/create-users.codes" 2>&1
    curl -s -m 30 -H "Authorization: Bearer $ADMIN_TOKEN" "$PBX_ADMIN/api/users" | grep -o '"loginId":"[^"]*"' | cut -d'"' -f4 | sort -u > "$WORK/pbx/existing.txt"
    awk -F';' 'NR == FNR { have[$1] = 1; next } !($1 in have)' "$WORK/pbx/existing.txt" "$WORK/users.txt" > "$missing_file"
    if [ -s "$missing_file" ]; then
        log "$(wc -l < "$missing_file") users not created in the parallel pass (codes: $(sort "$WORK/pbx/create-users.codes" | uniq -c | tr -s ' \n' ' ')); retrying them one by one"
        user_requests "$missing_file" > "$WORK/pbx/retry-users.curl"
        curl -s --no-progress-meter -m 900 -K "$WORK/pbx/retry-users.curl" >> "$WORK/pbx/create-users.codes" 2>&1
    fi
    created=$(pbx_user_count)
    [ "$created" = "$USERS" ] && return 0
    log "the daemon has $created of $USERS users"; return 1
}

# ---------------------------------------------------------------- one target

# bench_target NAME: probe, rate steps, bindings. Writes the figures to $WORK/result-NAME.
bench_target() {
    local name=$1 port=$2 best=0 best_achieved="" best_cpu="" best_sipp="" best_other="" verdict calls achieved_ok stopped=""
    local table="$WORK/steps-$name"
    free_port SIPP_PORT
    probe "$name" "$port"
    log "$name probe: $PROBE ($PROBE_TEXT)"
    {
        echo "probe=$PROBE"
        echo "probe_text=$PROBE_TEXT"
    } > "$WORK/result-$name"
    [ "$PROBE" = ok ] || return 0

    printf '%-8s %6s %7s %7s %6s %7s %10s %10s %8s %9s %7s %11s  %s\n' target rate calls ok failed retrans achieved/s target-CPU sipp-CPU other-CPU avg-ms drops:target verdict > "$table"
    for rate in $RATES; do
        calls=$((rate * STEP_SECONDS))
        sleep 1
        wait_quiet || log "the machine is busy with other work; running the $rate/s step anyway"
        run_sipp "$name-$rate" "$port" "$rate" "$calls" "$WORK/users.csv"
        local tcpu; tcpu=$(cpu_pct "$S_TICKS" "$S_WALL")
        achieved_ok=$(awk -v a="$S_RATE" -v r="$rate" -v p="$MIN_ACHIEVED_PCT" 'BEGIN { print (a * 100 >= r * p) ? 1 : 0 }')
        if [ "$S_FAIL" != 0 ] || [ "$S_OK" != "$calls" ]; then verdict="FAILED ($S_FAIL failed, $S_OK of $calls ok, sipp exit $S_RC)"
        elif [ "$S_RC" != 0 ]; then verdict="FAILED (sipp exit $S_RC)"
        elif [ "$S_RETRANS" != 0 ] && [ "$RETRANS_OK" != 1 ]; then verdict="RETRANSMISSIONS"
        elif [ "$achieved_ok" != 1 ]; then verdict="RATE NOT REACHED"
        else verdict=clean; fi
        [ "${S_SIPP_CPU:-0}" != n/a ] && [ "${S_SIPP_CPU:-0}" -ge 90 ] && verdict="$verdict, sipp near one full core"
        printf '%-8s %6s %7s %7s %6s %7s %10s %10s %8s %9s %7s %11s  %s\n' "$name" "$rate" "$calls" "$S_OK" "$S_FAIL" "$S_RETRANS" "$S_RATE" "$tcpu%" "$S_SIPP_CPU%" "$S_OTHER_CPU%" "$S_RT_MS" "$S_DROPS:$S_TDROPS" "$verdict" >> "$table"
        log "$(tail -1 "$table")"
        if [[ $verdict == clean* ]]; then
            best=$rate; best_achieved=$S_RATE; best_cpu=$tcpu; best_sipp=$S_SIPP_CPU; best_other=$S_OTHER_CPU
        else
            stopped=$rate; break
        fi
    done
    {
        echo "best=$best"; echo "best_achieved=$best_achieved"; echo "best_cpu=$best_cpu"; echo "best_sipp=$best_sipp"; echo "best_other=$best_other"
        echo "stopped=$stopped"
    } >> "$WORK/result-$name"

    # Bindings: USERS x CONTACTS_PER_USER distinct contacts on top of the USERS already registered.
    local brate=$((best > 0 ? best : 250)); [ $brate -gt 2000 ] && brate=2000
    local bcalls=$((USERS * CONTACTS_PER_USER)) rss_a rss0 rss1 shm0 shm1 c0 c1
    # First the same number of registrations that only refresh the existing bindings: whatever the load
    # itself makes the process grow by (GC heap, buffers) happens here, not in the measured run below.
    sleep 1
    rss_a=$(rss_kib "$TARGET_PID")
    run_sipp "$name-refresh" "$port" "$brate" $((bcalls * REFRESH_FACTOR)) "$WORK/users.csv"
    sleep 3
    rss0=$(rss_kib "$TARGET_PID")
    if [ "$name" = kamailio ]; then shm0=$(kam_shm_used); c0=$(kam_contacts); fi
    run_sipp "$name-bindings" "$port" "$brate" "$bcalls" "$WORK/bindings.csv"
    sleep 3
    rss1=$(rss_kib "$TARGET_PID")
    {
        echo "bind_calls=$bcalls"; echo "bind_ok=$S_OK"; echo "bind_rate=$brate"
        echo "rss_delta_kib=$((rss1 - rss0))"; echo "rss_before_kib=$rss0"; echo "rss_after_kib=$rss1"
        echo "rss_refresh_delta_kib=$((rss0 - rss_a))"
        if [ "$name" = kamailio ]; then
            shm1=$(kam_shm_used); c1=$(kam_contacts)
            echo "shm_delta=$((shm1 - shm0))"; echo "contacts_before=$c0"; echo "contacts_after=$c1"
        fi
    } >> "$WORK/result-$name"
    log "$name bindings: $S_OK of $bcalls registered at $brate/s"
}

field() { sed -n "s/^$2=//p" "$WORK/result-$1" 2>/dev/null | tail -1; }
mib() { awk -v b="$1" -v d="$2" 'BEGIN { printf "%.1f", b / d }'; }

# ---------------------------------------------------------------- report

line_for() {
    local name=$1 probe best
    probe=$(field "$name" probe)
    if [ -z "$probe" ]; then echo "not run"; return; fi
    if [ "$probe" != ok ]; then echo "$probe"; return; fi
    best=$(field "$name" best)
    if [ "$best" = 0 ]; then echo "no zero-failure rate (failed already at $(field "$name" stopped)/s)"; return; fi
    local text="max zero-failure rate $best/s (achieved $(field "$name" best_achieved)/s) at $(field "$name" best_cpu)% CPU (sipp $(field "$name" best_sipp)%, rest of machine $(field "$name" best_other)%)"
    [ -z "$(field "$name" stopped)" ] && text="$text; never failed up to the top step, the real limit is higher"
    echo "$text"
}

write_report() {
    REPORT="$WORK/report.txt"
    {
        echo "REGISTER+digest, $USERS users, loopback, $(nproc) cores  ($(date -u +%FT%TZ), sipp $(sipp -v 2>/dev/null | grep -oE 'v[0-9.]+' | head -1), $STEP_SECONDS s per step)"
        printf 'kamailio: %s\n' "$(line_for kamailio)"
        printf 'pbx:      %s %s\n' "$(line_for pbx)" "${PBX_BUILD_NOTE:-}"
        kb=$(field kamailio best); pb=$(field pbx best)
        if [ "$(field pbx probe)" = ok ] && [ "$(field kamailio probe)" = ok ] && [ "${kb:-0}" != 0 ]; then
            printf 'ratio pbx/kamailio (rate): %s%s\n' "$(awk -v p="${pb:-0}" -v k="$kb" 'BEGIN { printf "%.2f", p / k }')" \
                "$([ "${pb:-0}" = 0 ] && echo " (pbx had no clean step)")"
        else
            echo "ratio pbx/kamailio (rate): n/a"
        fi
        # Measured on USERS x CONTACTS_PER_USER new bindings, scaled to 10,000.
        local new=$((USERS * CONTACTS_PER_USER))
        mem="memory per 10,000 bindings (scaled from $new new ones, $USERS users x $CONTACTS_PER_USER more contacts):"
        if [ -n "$(field pbx rss_delta_kib)" ]; then
            mem="$mem pbx $(awk -v b="$(field pbx rss_delta_kib)" -v n="$new" 'BEGIN { printf "%.1f", b / 1024 * 10000 / n }') MiB RSS ($(field pbx bind_ok) of $(field pbx bind_calls) registered; $((REFRESH_FACTOR * USERS * CONTACTS_PER_USER)) refreshes just before: RSS +$(mib "$(field pbx rss_refresh_delta_kib)" 1024) MiB)"
        else
            mem="$mem pbx n/a"
        fi
        if [ -n "$(field kamailio shm_delta)" ]; then
            mem="$mem; kamailio $(awk -v b="$(field kamailio shm_delta)" -v n="$new" 'BEGIN { printf "%.1f", b / 1048576 * 10000 / n }') MiB shared memory (contacts $(field kamailio contacts_before) -> $(field kamailio contacts_after))"
        fi
        echo "$mem"
        echo
        for t in $TARGETS; do
            [ -f "$WORK/result-$t" ] || continue
            echo "$t probe: $(field "$t" probe_text)"
            [ -f "$WORK/steps-$t" ] && cat "$WORK/steps-$t"
        done
        echo
        [ -f "$WORK/pbx/pbx.json" ] && echo "pbx settings: $(grep -o '"Sip":{[^}]*}' "$WORK/pbx/pbx.json")"
        echo "CPU is % of one core over each step's wall time (target: process and its children; sipp: user+sys; other: the rest of the machine)."
        echo "avg-ms: sipp's mean time from the first REGISTER to the 200 OK; drops:target: UDP datagrams the kernel dropped for a full receive buffer during the step, host-wide : on the target's socket."
        echo "load average at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "run time: $(( $(date +%s) - START )) s"
    } > "$REPORT"

    mkdir -p "$RESULTS_DIR"
    OUT="$RESULTS_DIR/register-$(date -u +%Y%m%d-%H%M%S).txt"
    cp "$REPORT" "$OUT"
    cat "$REPORT"
    echo "(written to $OUT)"
}

# ---------------------------------------------------------------- main

main() {
    START=$(date +%s)
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    awk '{ exit !($1 > 1.0) }' /proc/loadavg && log "warning: load average $LOAD_START; other work on this machine will lower and scatter the figures"
    ensure_packages
    make_users
    log "work folder $WORK; $USERS users; rates: $RATES calls/s, $STEP_SECONDS s each"

    for target in $TARGETS; do
        case $target in
            kamailio)
                free_port KPORT
                if start_kamailio "$KPORT"; then
                    TARGET_PID=$KAM_PID
                    log "Kamailio $(kamailio -v 2>/dev/null | head -1 | awk '{print $3}') on 127.0.0.1:$KPORT (pid $KAM_PID, $KAM_CHILDREN workers)"
                    bench_target kamailio "$KPORT"
                else
                    echo "probe=did not start" > "$WORK/result-kamailio"
                fi
                stop_process "$KAM_PID"; KAM_PID=""
                ;;
            pbx)
                PBX_BUILD_NOTE=""
                free_port PPORT
                if ! build_pbx; then
                    echo "probe=not built (dotnet build failed)" > "$WORK/result-pbx"
                elif ! start_pbx "$PPORT" 1 &&
                     ! { grep -qE '(TrustedNetworks|QualifyIntervalSeconds): unknown setting' "$WORK/pbx/pbx.log" &&
                         PBX_BUILD_NOTE="${PBX_BUILD_NOTE:-} (this build lacks Sip:TrustedNetworks/QualifyIntervalSeconds; run with its defaults)" &&
                         start_pbx "$PPORT" 0; }; then
                    { echo "probe=did not start (health/ready never said Healthy)"
                      echo "probe_text=daemon log: $(grep -v '^\s*$' "$WORK/pbx/pbx.log" | tail -3 | tr '\n' ' ')"; } > "$WORK/result-pbx"
                elif ! create_pbx_users; then
                    echo "probe=the admin API did not create the $USERS users" > "$WORK/result-pbx"
                else
                    TARGET_PID=$PBX_PID
                    log "Pbx.Server on 127.0.0.1:$PPORT (pid $PBX_PID), $USERS users created"
                    bench_target pbx "$PPORT"
                fi
                stop_process "$PBX_PID"; PBX_PID=""
                ;;
            *) log "unknown target $target" ;;
        esac
    done
    write_report
}

# Sourcing the file (to try one function by hand) runs nothing.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    WORK=$(mktemp -d /tmp/register-bench.XXXXXX)
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    main "$@"
fi
