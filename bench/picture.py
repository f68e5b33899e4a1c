#!/usr/bin/env python3
"""Writes a deterministic PNG for the picture benchmark: `picture.py W H NOISE > out.png`.

A diagonal gradient with pseudo-random noise of amplitude NOISE (0: smooth), so that the
JPEG shopws makes of it has the size of a real photograph's. Standard library only."""
import random
import struct
import sys
import zlib

w, h, noise = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
# A pool of noise bytes reused with a per-row offset: fast even for 2000x2000.
pool = bytes(rnd.randrange(noise + 1) for _ in range(3 * w + 4099)) if noise else bytes(3 * w + 4099)
rows = []
for y in range(h):
    base = bytes(((x * 200 // w + y * 55 // h + (40 if c == 1 else 0) * (y * 2 > h)) % 256)
                 for x in range(w) for c in range(3)) if y % 16 == 0 or y == 0 else base
    off = (y * 4093) % 4099
    n = pool[off:off + 3 * w]
    rows.append(b"\x00" + bytes((a + b) & 0xFF for a, b in zip(base, n)))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


sys.stdout.buffer.write(
    b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
    + chunk(b"IEND", b"")
)
