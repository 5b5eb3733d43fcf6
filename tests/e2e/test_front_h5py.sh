#!/bin/bash
# test_front_h5py: run files are plain HDF5 readable without hwnas.
# With Debian's h5py (/usr/bin/python3): every object of the schema in
# docs/hdf5-schema.md is present with the documented type and shape, every
# dataset is chunked, extendible along axis 0 and Fletcher-32 protected,
# strings are fixed-length UTF-8; the front computed in Python from
# /evaluated equals `hwnas front --csv`. h5dump reads the file too.
. "$(dirname "$0")/lib.sh" "$@"
W=$T
$PY -c 'import h5py' || fail "python3-h5py is not installed (apt-get install python3-h5py)"
command -v h5dump > /dev/null || fail "h5dump missing (apt-get install hdf5-tools)"

"$BUILD/bench_ckpt" demo "$W/r.h5" --islands 3 --pop 16 --gens 6 --rows 2000 --seed 4 || fail "demo"
h5dump -H "$W/r.h5" > "$W/dump.txt" || fail "h5dump"
grep -q 'DATASET "features"' "$W/dump.txt" || fail "h5dump output lacks /predictor/trainsets/0/features"
h5dump -d /history/hv "$W/r.h5" > /dev/null || fail "h5dump -d"

"$HWNAS" front "$W/r.h5" --csv > "$W/front.csv" || fail "front"
$PY - "$W/r.h5" "$W/front.csv" <<'PYEOF' || fail "h5py checks"
import csv, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
A = f.attrs
assert int(A["format_version"]) == 1
G, m = int(A["ngenes"]), int(A["nobj"])
assert A["space"].decode() == "nb201" and G == 6 and m == 2
for k in ("seed", "wall_s", "meas_seq", "writer"):
    assert k in A, k

checked = []
def check(name, dtype_kind, shape_tail=None, n=None):
    d = f[name]
    checked.append(name)
    assert d.chunks is not None, name + " not chunked"
    assert d.maxshape[0] is None, name + " not extendible"
    assert d.fletcher32, name + " has no checksum"
    assert d.dtype.kind == dtype_kind, (name, d.dtype)
    if dtype_kind == "S":
        assert h5py.check_string_dtype(d.dtype).encoding == "utf-8", name
    if shape_tail is not None:
        assert d.shape[1:] == shape_tail, (name, d.shape)
    if n is not None:
        assert d.shape[0] == n, (name, d.shape, n)
    return d

check("config", "S", (), 1)
check("objectives/names", "S", (), m)
check("objectives/maximise", "u", (), m)
names = [s.decode() for s in f["objectives/names"][:]]
assert names == ["top1_acc", "latency_ms"], names
assert list(f["objectives/maximise"][:]) == [1, 0]
ni = int(f["islands"].attrs["count"])
assert ni == 3
for i in range(ni):
    g = "islands/%d/" % i
    n = f[g + "genomes"].shape[0]
    check(g + "genomes", "i", (G,), n)
    check(g + "strings", "S", (), n)
    check(g + "objectives", "f", (m,), n)
    check(g + "measured", "u", (m,), n)
    check(g + "cv", "f", (), n)
    check(g + "engine_state", "u", ())
    check(g + "rng", "u", (), 4)
    assert int(f[g[:-1]].attrs["generation"]) == 5  # nsga_generation(): 0-based
n = f["archive/genomes"].shape[0]
for k, kind, tail in (("genomes", "i", (G,)), ("strings", "S", ()), ("objectives", "f", (m,))):
    check("archive/" + k, kind, tail, n)
ev = f["evaluated"]
n = ev["genomes"].shape[0]
assert n == 3 * 16 * 6
for k, kind, tail in (("genomes", "i", (G,)), ("strings", "S", ()), ("objectives", "f", (m,)),
                      ("measured", "u", (m,)), ("cv", "f", ()), ("generation", "i", ()), ("island", "i", ())):
    check("evaluated/" + k, kind, tail, n)
ts = "predictor/trainsets/0/"
assert f[ts[:-1]].attrs["target"].decode() == "latency_ms"
nr = f[ts + "features"].shape[0]
assert nr == 2000
check(ts + "features", "f", None, nr)
for k, kind in (("values", "f"), ("arch", "S"), ("board", "S"), ("runner", "S"), ("t_start", "f"), ("t_end", "f")):
    check(ts + k, kind, (), nr)
assert set(b.decode() for b in f[ts + "board"][:]) == {"jetson-tx2-%s" % c for c in "abcd"}
assert (f[ts + "t_end"][:] > f[ts + "t_start"][:]).all()
md = "predictor/models/0/"
assert int(f[md[:-1]].attrs["version"]) == 6
check(md + "bytes", "u", ())
nh = f["history/generation"].shape[0]
for k, kind in (("generation", "i"), ("measurements", "i"), ("hv", "f"), ("hv_ratio", "f"),
                ("front_size", "i"), ("wall_s", "f")):
    check("history/" + k, kind, (), nh)
nj = f["dispatcher/jobs/id"].shape[0]
for k, kind in (("id", "u"), ("device", "S"), ("arch", "S"), ("priority", "i"), ("state", "i")):
    check("dispatcher/jobs/" + k, kind, (), nj)
check("ranks/rng", "u", (4,))
nm = f["journal/seq"].shape[0]
for k, kind in (("seq", "u"), ("value", "f"), ("t_start", "f"), ("t_end", "f"), ("arch", "S"),
                ("device", "S"), ("target", "S"), ("board", "S"), ("runner", "S")):
    check("journal/" + k, kind, (), nm)
assert (f["journal/seq"][:] <= int(A["meas_seq"])).all()
check("engine_global", "u", ())

# the front, computed independently from /evaluated
obj, cv = ev["objectives"][:], ev["cv"][:]
arch = [s.decode() for s in ev["strings"][:]]
ok = [i for i in range(n) if cv[i] == 0 and np.isfinite(obj[i]).all()]
def dom(a, b):  # a dominates b (acc max, lat min)
    return a[0] >= b[0] and a[1] <= b[1] and (a[0] > b[0] or a[1] < b[1])
front = {arch[i] for i in ok if not any(dom(obj[j], obj[i]) for j in ok)}
rows = list(csv.DictReader(open(sys.argv[2])))
got = {r["arch"] for r in rows}
assert got == front, (sorted(got ^ front))
for r in rows:
    i = arch.index(r["arch"])
    assert float(r["latency_ms"]) in set(obj[j][1] for j in ok if arch[j] == r["arch"])
print("h5py: %d datasets checked, front of %d points agrees" % (len(checked), len(front)))
PYEOF
echo "PASS test_front_h5py"
