#!/usr/bin/env python3
"""RTP probe for the call benchmark: sends G.711-sized RTP (20 ms, 160-byte payload) through a relay and measures
one-way delay and loss, next to the same traffic sent directly over loopback (the baseline the relay adds to).

Each --leg LOCAL_PORT:RELAY_IP:RELAY_PORT is one side of one relayed call: the tool binds LOCAL_PORT (the port that side
put in its SDP) and sends PPS packets/s to the relay address the other side got in the SDP exchange; whatever arrives on
any bound port is matched to its sender by the flow id and sequence number in the payload, so which leg pairs with which
need not be known. --direct N adds N socket pairs sending to each other without a relay.

Delay = kernel receive timestamp (SO_TIMESTAMPNS) - send time taken just before sendto(), both CLOCK_REALTIME on the same
host, so the tool's own scheduling on the receive side does not count. Added latency = relayed percentile - direct
percentile. The first WARMUP seconds of every flow are left out of the delay figures (latching), not of the loss count.

Usage: rtpprobe.py --leg P:IP:P [--leg ...] [--direct 2] [--seconds 10] [--pps 50] [--warmup 1] [--json OUT]
"""
import argparse
import json
import selectors
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
MAGIC = 0x50425850  # "PBXP"
PAYLOAD = 160


class Flow:
    def __init__(self, fid, sock, dest, kind):
        self.fid, self.sock, self.dest, self.kind = fid, sock, dest, kind
        self.sent = 0
        self.seen = set()
        self.dups = 0
        self.errors = 0


def open_socket(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind(("127.0.0.1", port))
    s.setblocking(False)
    return s


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--leg", action="append", default=[])
    ap.add_argument("--direct", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--pps", type=float, default=50)
    ap.add_argument("--warmup", type=float, default=1)
    ap.add_argument("--drain", type=float, default=1)
    ap.add_argument("--json")
    a = ap.parse_args()

    flows = []
    for leg in a.leg:
        port, ip, rport = leg.split(":")
        flows.append(Flow(len(flows), open_socket(int(port)), (ip, int(rport)), "relayed"))
    for _ in range(a.direct):
        s1, s2 = open_socket(0), open_socket(0)
        flows.append(Flow(len(flows), s1, s2.getsockname(), "direct"))
        flows.append(Flow(len(flows), s2, s1.getsockname(), "direct"))

    sel = selectors.EpollSelector()
    for f in flows:
        sel.register(f.sock, selectors.EVENT_READ)
    delays = {"relayed": [], "direct": []}
    by_id = {f.fid: f for f in flows}
    interval = 1.0 / a.pps
    start = time.monotonic() + 0.05
    # Flows are spread over the interval so the probe itself sends no bursts.
    next_send = [start + interval * i / len(flows) for i in range(len(flows))]
    end_send = start + a.seconds
    warm_ns = int(a.warmup * 1e9)
    t0_ns = time.time_ns()
    cmsg_space = socket.CMSG_SPACE(16)
    stray = 0

    def drain_ready(timeout):
        nonlocal stray
        for key, _ in sel.select(timeout):
            s = key.fileobj
            while True:
                try:
                    data, anc, _, _ = s.recvmsg(2048, cmsg_space)
                except BlockingIOError:
                    break
                except OSError:  # ICMP port unreachable from an earlier send
                    break
                rx = None
                for level, typ, cdata in anc:
                    if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                        sec, nsec = struct.unpack("qq", cdata[:16])
                        rx = sec * 1_000_000_000 + nsec
                if len(data) < 12 + 20 or rx is None:
                    stray += 1
                    continue
                magic, fid, seq, tx = struct.unpack_from("!IIIQ", data, 12)
                f = by_id.get(fid)
                if magic != MAGIC or f is None:
                    stray += 1
                    continue
                if seq in f.seen:
                    f.dups += 1
                    continue
                f.seen.add(seq)
                if tx - t0_ns >= warm_ns:
                    delays[f.kind].append(rx - tx)

    filler = bytes(PAYLOAD - 20)
    while True:
        now = time.monotonic()
        if now >= end_send:
            break
        i = min(range(len(flows)), key=next_send.__getitem__)
        wait = next_send[i] - now
        if wait > 0:
            drain_ready(wait)
            continue
        f = flows[i]
        seq = f.sent
        header = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160 & 0xFFFFFFFF, 0x10000 + f.fid)
        tx = time.time_ns()
        packet = header + struct.pack("!IIIQ", MAGIC, f.fid, seq, tx) + filler
        try:
            f.sock.sendto(packet, f.dest)
        except OSError:
            f.errors += 1
        f.sent += 1
        next_send[i] += interval
    drain_until = time.monotonic() + a.drain
    while time.monotonic() < drain_until:
        drain_ready(0.05)

    result = {"seconds": a.seconds, "pps": a.pps, "stray": stray}
    for kind in ("relayed", "direct"):
        fl = [f for f in flows if f.kind == kind]
        sent = sum(f.sent for f in fl)
        received = sum(len(f.seen) for f in fl)
        d = sorted(delays[kind])
        result[kind] = {
            "flows": len(fl), "sent": sent, "received": received, "lost": sent - received,
            "loss_pct": round(100 * (sent - received) / sent, 4) if sent else None,
            "dups": sum(f.dups for f in fl), "send_errors": sum(f.errors for f in fl), "samples": len(d),
            **{f"p{p}_us": (round(percentile(d, p) / 1000, 1) if d else None) for p in (50, 90, 99, 99.9)},
            "max_us": round(d[-1] / 1000, 1) if d else None,
        }
    r, b = result["relayed"], result["direct"]
    for p in ("p50", "p90", "p99", "p99.9"):
        if r[p + "_us"] is not None and b[p + "_us"] is not None:
            result[f"added_{p}_us"] = round(r[p + "_us"] - b[p + "_us"], 1)
    text = json.dumps(result)
    if a.json:
        with open(a.json, "w") as out:
            out.write(text + "\n")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
