#!/usr/bin/env python3
"""Draws the app icons of the web app manifest (the favicon's mark: a white rising line on the brand red)
as PNG files in public/, with Python's standard library only. Run it again after changing the mark;
its output is kept in the repository, so builds never need it.

    python3 scripts/make-icons.py
"""

import math
import struct
import zlib
from pathlib import Path

PUBLIC = Path(__file__).resolve().parent.parent / "public"

# --accent (light) and --accent-contrast of style/main.css.
RED = (0xC8, 0x10, 0x2E)
WHITE = (0xFF, 0xFF, 0xFF)

# The favicon's polyline and stroke on its 64-unit grid (public/favicon.svg).
LINE = [(14, 46), (26, 30), (35, 38), (50, 18)]
STROKE = 6
CORNER = 14


def segment_distance(px, py, ax, ay, bx, by):
    """Distance from point p to the segment a–b."""
    dx, dy = bx - ax, by - ay
    t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    t = max(0.0, min(1.0, t))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def rounded_square_distance(px, py, size, radius):
    """Signed distance to a square of side `size` with rounded corners (negative inside)."""
    half = size / 2
    qx = abs(px - half) - (half - radius)
    qy = abs(py - half) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def coverage(signed_distance):
    """Anti-aliasing: how much of a pixel lies inside a shape, from its centre's signed distance."""
    return max(0.0, min(1.0, 0.5 - signed_distance))


def draw(size, maskable):
    """RGBA rows of the icon. A maskable icon fills the square and keeps the mark inside the central
    80 % safe zone, since launchers cut it to their own shape."""
    grid = size / 64
    # The maskable mark is shrunk about the centre so the line stays inside the safe zone.
    mark_scale = 0.85 if maskable else 1.0
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            if maskable:
                background = 1.0
            else:
                background = coverage(rounded_square_distance(px, py, size, CORNER * grid))
            # Back into the 64-unit grid of the favicon.
            gx = 32 + ((px / grid) - 32) / mark_scale
            gy = 32 + ((py / grid) - 32) / mark_scale
            line = min(
                segment_distance(gx, gy, *LINE[i], *LINE[i + 1]) for i in range(len(LINE) - 1)
            )
            # Round caps and joins come free with the distance to the segments.
            stroke = coverage((line - STROKE / 2) * grid * mark_scale) * background
            colour = [round(r * (1 - stroke) + w * stroke) for r, w in zip(RED, WHITE)]
            row += bytes(colour) + bytes([round(255 * background)])
        rows.append(bytes(row))
    return rows


def png(rows, size):
    """A PNG file (8-bit RGBA, no filtering) holding `rows`."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + row for row in rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def main():
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ]:
        path = PUBLIC / name
        path.write_bytes(png(draw(size, maskable), size))
        print(f"{path.relative_to(PUBLIC.parent)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
