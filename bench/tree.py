#!/usr/bin/env python3
"""Deterministic benchmark data for bench/run.sh.

  tree.py gen  DIR SIZE_GB   writes the tree: 20 000 small files per 2 GB (1-64 KiB, half text-like, half random)
                             in nested folders, plus 3 large random files holding about 3/4 of SIZE_GB
  tree.py many DIR FILES     scale mode: FILES small files of 1-4 KiB (half text-like, half random) in FILES/500
                             folders (at least 10) under DIR/many/dNN/sNNN, no large files; written from two
                             pregenerated buffers (about 100 000 files a minute and more)
  tree.py edit DIR [FRACTION]
                             edits FRACTION (default 0.01) of the small files (bytes in the middle overwritten, a line
                             appended) and overwrites 1 MiB in the middle of the largest large file, if there is one;
                             every other file keeps its mtime
Same seed, same bytes: every run and every tool sees identical data.
"""
import os, random, sys

SEED = 20240604
WORDS = ("backup restore region replica snapshot failover runbook outage bucket volume instance database "
         "checksum manifest chunk retention policy recovery point objective time latency throughput error "
         "warning verbose the a of to and in is for on with as by at from this that be are was").split()

def text_bytes(rng, n):
    out, size = [], 0
    while size < n:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
        line = f"{rng.randint(0, 99999):05d} {line}\n"
        out.append(line); size += len(line)
    return "".join(out).encode()[:n]

def small_files(root, scale):
    count = max(10, round(20000 * scale))
    rng = random.Random(SEED)
    files = []
    for i in range(count):
        size = rng.randint(1024, 65536)
        text = i % 2 == 0
        path = os.path.join(root, "small", f"d{i % 40:02d}", f"s{(i // 40) % 25:02d}", f"f{i:05d}.{'txt' if text else 'bin'}")
        files.append((path, size, text))
    return files

def large_files(root, scale):
    total = int(1.5 * 2**30 * scale)
    return [(os.path.join(root, "large", name), int(total * frac)) for name, frac in (("disk.img", 0.5), ("db.bak", 0.3), ("archive.tar", 0.2))]

def gen(root, size_gb):
    scale = size_gb / 2.0
    rng = random.Random(SEED + 1)
    for path, size, text in small_files(root, scale):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text_bytes(rng, size) if text else rng.randbytes(size))
    for n, (path, size) in enumerate(large_files(root, scale)):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        lrng = random.Random(SEED + 100 + n)
        with open(path, "wb") as f:
            left = size
            while left > 0:
                block = min(left, 8 << 20)
                f.write(lrng.randbytes(block)); left -= block

def many(root, count):
    """Scale mode: many small files, fast. Each file is a slice of a pregenerated text or random buffer at a random
    offset, so files differ (no two share a chunk but by chance) without generating every byte in Python."""
    rng = random.Random(SEED + 3)
    text = text_bytes(rng, 8 << 20)
    noise = rng.randbytes(64 << 20)
    folders = max(10, count // 500)
    top = max(1, round(folders ** 0.5))
    made = set()
    for i in range(count):
        folder = i % folders
        d = os.path.join(root, "many", f"d{folder % top:03d}", f"s{folder // top:04d}")
        if d not in made:
            os.makedirs(d, exist_ok=True); made.add(d)
        size = rng.randint(1024, 4096)
        src = text if i % 2 == 0 else noise
        at = rng.randrange(0, len(src) - size)
        fd = os.open(os.path.join(d, f"f{i:07d}.{'txt' if i % 2 == 0 else 'bin'}"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try: os.write(fd, src[at:at + size])
        finally: os.close(fd)

def edit(root, fraction=0.01):
    files = sorted(os.path.join(d, n) for sub in ("small", "many") for d, _, ns in os.walk(os.path.join(root, sub)) for n in ns)
    rng = random.Random(SEED + 2)
    chosen = rng.sample(files, max(1, round(len(files) * fraction)))
    for path in chosen:
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.seek(size // 2)
            f.write(rng.randbytes(min(256, size // 4)))
            f.seek(0, 2)
            f.write(f"edited {rng.randint(0, 10**9)}\n".encode())
    if not os.path.isdir(os.path.join(root, "large")):
        print(f"edited {len(chosen)} small files")
        return
    large = max((os.path.join(root, "large", n) for n in os.listdir(os.path.join(root, "large"))), key=os.path.getsize)
    size = os.path.getsize(large)
    with open(large, "r+b") as f:
        f.seek(size // 2)
        f.write(rng.randbytes(1 << 20))
    print(f"edited {len(chosen)} small files and 1 MiB in the middle of {os.path.basename(large)}")

if __name__ == "__main__":
    if sys.argv[1] == "gen": gen(sys.argv[2], float(sys.argv[3]))
    elif sys.argv[1] == "many": many(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "edit": edit(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.01)
    else: sys.exit(__doc__)
