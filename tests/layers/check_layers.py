#!/usr/bin/env python3
"""Checks every #include "..." in the library folders against the layering
table in docs/hacking.md: a file may include headers of its own folder and
of the folders its folder depends on (directly or through them), nothing
else. Prints one line per offending include and exits 1 if there is any.

Usage: check_layers.py SOURCE_DIR"""
import os
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "."
doc = open(os.path.join(src, "docs", "hacking.md")).read()

# the table between the markers: | `folder` | `dep`, `dep` | ... |
block = doc.split("<!-- layers -->")[1].split("<!-- /layers -->")[0]
deps = {}
for line in block.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) < 2 or not cells[0].startswith("`"):
        continue
    folder = cells[0].strip("`")
    deps[folder] = re.findall(r"`([^`]+)`", cells[1])
if len(deps) < 5:
    sys.exit("check_layers: docs/hacking.md has no layer table between <!-- layers --> markers")

def closure(f, seen=None):
    seen = set() if seen is None else seen
    for d in deps.get(f, []):
        if d not in deps:
            sys.exit(f"check_layers: docs/hacking.md: {f} depends on unknown folder {d}")
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen

# which folder owns each header
owner = {}
for folder in deps:
    for name in os.listdir(os.path.join(src, folder)):
        if name.endswith(".h"):
            if name in owner:
                sys.exit(f"check_layers: header {name} is in both {owner[name]} and {folder}")
            owner[name] = folder

bad = 0
files = 0
for folder in deps:
    allowed = closure(folder) | {folder}
    d = os.path.join(src, folder)
    for name in sorted(os.listdir(d)):
        if not name.endswith((".c", ".h")):
            continue
        files += 1
        for ln, line in enumerate(open(os.path.join(d, name)), 1):
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if not m:
                continue
            inc = os.path.basename(m.group(1))
            o = owner.get(inc)
            if o is None:
                continue  # generated or test-only header
            if o not in allowed:
                print(f"{folder}/{name}:{ln}: includes {inc} from {o}, "
                      f"which {folder} may not use (it may use: {', '.join(sorted(allowed))})")
                bad += 1
# every library folder must be in the table
for top in ("src", "."):
    for name in os.listdir(os.path.join(src, top)):
        p = os.path.normpath(os.path.join(top, name))
        if os.path.isdir(os.path.join(src, p)) and any(
                f.endswith(".c") for f in os.listdir(os.path.join(src, p))) \
                and not p.startswith(("tests", "tools", "build", "data")) and p not in deps:
            print(f"{p}: a source folder that docs/hacking.md's layer table does not list")
            bad += 1
print(f"check_layers: {files} files in {len(deps)} folders, {bad} layering violations")
sys.exit(1 if bad else 0)
