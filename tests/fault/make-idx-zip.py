#!/usr/bin/env python3
"""Writes a tiny learnable IDX dataset as one zip (class k = a bright square in cell k, plus noise)."""
import io, random, struct, sys, zipfile

def images(n, size, classes, rng):
    cells = 2 if classes <= 4 else 3
    cell = size // cells
    data = bytearray(struct.pack(">IIII", 0x803, n, size, size))
    labels = bytearray(struct.pack(">II", 0x801, n))
    for i in range(n):
        k = i % classes
        cy, cx = (k // cells) * cell, (k % cells) * cell
        for y in range(size):
            for x in range(size):
                inside = cy <= y < cy + cell and cx <= x < cx + cell
                data.append(max(0, min(255, (200 if inside else 30) + rng.randint(-25, 25))))
        labels.append(k)
    return bytes(data), bytes(labels)

out, train, test = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(1)
ti, tl = images(train, 16, 3, rng)
vi, vl = images(test, 16, 3, rng)
with zipfile.ZipFile(out, "w") as z:
    for name, blob in [("train-images-idx3-ubyte", ti), ("train-labels-idx1-ubyte", tl), ("t10k-images-idx3-ubyte", vi), ("t10k-labels-idx1-ubyte", vl)]:
        z.writestr(name, blob)
