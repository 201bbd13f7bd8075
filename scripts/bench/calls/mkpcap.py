#!/usr/bin/env python3
"""Writes a G.711 mu-law RTP capture for sipp's play_pcap_audio: one 20 ms packet (160 bytes, PT 0) every 20 ms,
a 440 Hz tone at -12 dBFS, for the given number of seconds.  Usage: mkpcap.py OUT.pcap SECONDS"""
import math
import struct
import sys


def ulaw(sample: int) -> int:
    """ITU-T G.711 mu-law encoding of one 16-bit linear sample."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    sample = min(abs(sample), clip) + bias
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not sample & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def main() -> None:
    out, seconds = sys.argv[1], float(sys.argv[2])
    packets = int(seconds * 50)
    amplitude = 32767 * 10 ** (-12 / 20)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n in range(packets):
            payload = bytes(ulaw(int(amplitude * math.sin(2 * math.pi * 440 * (n * 160 + i) / 8000))) for i in range(160))
            rtp = struct.pack("!BBHII", 0x80, 0x80 if n == 0 else 0x00, n & 0xFFFF, n * 160, 0x12345678) + payload
            udp = struct.pack("!HHHH", 40000, 40002, 8 + len(rtp), 0) + rtp
            ip_header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xFFFF, 0, 64, 17, 0,
                                    bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
            checksum = sum(struct.unpack("!10H", ip_header))
            while checksum >> 16:
                checksum = (checksum & 0xFFFF) + (checksum >> 16)
            ip_header = ip_header[:10] + struct.pack("!H", ~checksum & 0xFFFF) + ip_header[12:]
            frame = b"\x00" * 12 + b"\x08\x00" + ip_header + udp
            usec = n * 20000
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000, len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
