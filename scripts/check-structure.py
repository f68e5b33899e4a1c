#!/usr/bin/env python3
"""Checks the shape of src/: no file over 600 lines, and dependencies between top-level
modules only in the direction of the layers below (README, Layout).

A top-level module may use modules of lower layers only; modules of one layer do not use
each other. Exits non-zero with a list of what is wrong.
"""
import os
import re
import sys

MAX_LINES = 600

# Outermost first. Each line is one layer.
LAYERS = [
    ["main", "lib"],
    ["cli"],
    ["app"],
    ["http", "backoffice"],
    ["openapi"],
    ["engine"],
    ["mail"],
    ["accounts", "employees"],
    ["audit", "activity"],
    ["storage"],
    ["catalog", "clock", "client_ip"],
]
RANK = {m: i for i, layer in enumerate(LAYERS) for m in layer}

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
problems = []
edges = {}
for d, _, files in os.walk(root):
    for f in sorted(files):
        if not f.endswith(".rs"):
            continue
        path = os.path.join(d, f)
        rel = os.path.relpath(path, root)
        text = open(path, encoding="utf-8").read()
        n = text.count("\n")
        if n > MAX_LINES:
            problems.append(f"src/{rel}: {n} lines (at most {MAX_LINES})")
        top = rel.split(os.sep)[0].removesuffix(".rs")
        code = re.sub(r"//[^\n]*", "", text)
        used = set(re.findall(r"crate::([a-z_]+)", code))
        for group in re.findall(r"crate::\{([^}]*)\}", code, re.S):
            used.update(re.findall(r"(?:^|,)\s*([a-z_]+)", group))
        for u in used - {top}:
            edges.setdefault((top, u), set()).add(f"src/{rel}")

for (a, b), where in sorted(edges.items()):
    if a not in RANK or b not in RANK:
        missing = a if a not in RANK else b
        problems.append(f"module '{missing}' has no layer in scripts/check-structure.py")
        continue
    if RANK[a] >= RANK[b]:
        problems.append(
            f"{a} -> {b} goes against the layers ({', '.join(sorted(where))})"
        )

if problems:
    print("structure check failed:")
    for p in sorted(set(problems)):
        print("  " + p)
    sys.exit(1)
print(f"structure: {len(edges)} module dependencies in layer order, no file over {MAX_LINES} lines")
