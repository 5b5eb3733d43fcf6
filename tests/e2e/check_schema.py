"""check_schema.py DOC RUN.h5 SUMMARY.json: every object the layout table of
docs/hdf5-schema.md lists exists in RUN.h5 with the documented type and
shape, and the counts the table states agree with the run's summary.

The table is parsed, not copied: a row `| `/path` | type | shape | meaning |`
names one object; `{a,b}` expands to several, `I` / `K` stand for every
member of a list group, `/@x` and `/g/@x` are attributes (a second `@y` in
the cell is an attribute of the same group). Shapes are the doc's symbols:
n (rows, one value per group), m, G, d, R, t, bytes, or a number."""
import json, re, sys
import h5py, numpy as np

doc, run, summ = sys.argv[1:4]
f = h5py.File(run, "r")
S = json.load(open(summ))
A = f.attrs
m, G = int(A["nobj"]), int(A["ngenes"])
R = int(A["ranks"])
KIND = {"int64": ("i", 8), "int32": ("i", 4), "int16": ("i", 2), "uint64": ("u", 8), "uint8": ("u", 1),
        "double": ("f", 8), "float32": ("f", 4), "string": ("S", None)}
text = open(doc).read()
table = text[text.index("| object | type | shape | meaning |"):]
table = table[:table.index("\n\n")]
rows = [r for r in table.splitlines()[2:] if r.startswith("| `")]
assert len(rows) > 40, f"only {len(rows)} rows parsed from the layout table"

def expand(path):
    mo = re.search(r"\{([^}]*)\}", path)
    if not mo:
        return [path]
    return [p for alt in mo.group(1).split(",") for p in expand(path[:mo.start()] + alt + path[mo.end():])]

def members(path):  # I / K -> every member of the list group
    parts = path.strip("/").split("/")
    out = [""]
    for p in parts:
        nxt = []
        for o in out:
            if p in ("I", "K"):
                nxt += [o + "/" + str(i) for i in range(int(f[o].attrs["count"]))]
            else:
                nxt.append(o + "/" + p)
        out = nxt
    return out

def dims(shape, name, group_n, d=None):
    want = []
    for s in shape.strip("()").split(","):
        s = s.strip()
        if s == "n":
            want.append(("n", group_n))
        elif s in ("bytes",):
            want.append(("bytes", None))
        else:
            want.append((s, {"m": m, "G": G, "R": R, "d": d, "1": 1, "4": 4}.get(s)))
    return want

islands_shape = {"genomes": ("int16", "(n, G)"), "strings": ("string", "(n)"), "objectives": ("double", "(n, m)"),
                 "measured": ("uint8", "(n, m)"), "cv": ("double", "(n)")}
checked = 0
group_n = {}
for row in rows:
    cells = [c.strip() for c in row.strip("|").split("|")]
    obj, typ, shape = cells[0], cells[1], cells[2]
    names = re.findall(r"`([^`]*)`", obj)
    base = names[0]
    paths = []
    for n in names:
        if n.startswith("@"):  # attribute of the first name's group
            n = base[:base.rindex("/") + 1] + n
        elif not n.startswith("/"):
            n = base[:base.rindex("/") + 1] + n
        paths += expand(n)
    shapes = re.findall(r"\([^)]*\)", shape)
    for j, p in enumerate(paths):
        for q in members(p.replace("/@", "/\x00")):
            q = q.replace("/\x00", "/@")
            if "/@" in q:  # attribute
                g, a = q.split("/@")
                if a == "finished" and g == "":
                    assert a in f.attrs, "/@finished: absent in a finished run"
                if "absent" in cells[3] and a not in f[g or "/"].attrs:
                    continue  # documented as optional
                assert a in f[g or "/"].attrs, f"{q}: missing attribute"
                v = f[g or "/"].attrs[a]
                k, size = KIND[typ]
                if k == "S":
                    assert isinstance(v, bytes), (q, type(v))
                else:
                    assert np.asarray(v).dtype.kind == k and np.asarray(v).dtype.itemsize == size, (q, np.asarray(v).dtype, typ)
                checked += 1
                continue
            assert q.lstrip("/") in f, f"{q}: missing dataset"
            ds = f[q.lstrip("/")]
            leaf, grp = q.rsplit("/", 1)[1], q.rsplit("/", 1)[0]
            t, sh = typ, shapes[j] if len(shapes) == len(paths) else (shapes[0] if shapes else None)
            if shape == "as islands":
                t, sh = islands_shape[leaf]
            if not t:
                t = islands_shape[leaf][0] if leaf in islands_shape else {"genomes": "int16"}.get(leaf)
            k, size = KIND[t]
            assert ds.dtype.kind == k, (q, ds.dtype, t)
            if size:
                assert ds.dtype.itemsize == size, (q, ds.dtype, t)
            else:
                assert h5py.check_string_dtype(ds.dtype).encoding == "utf-8", q
            assert ds.chunks is not None and ds.maxshape[0] is None and ds.fletcher32, f"{q}: not chunked/extendible/checksummed"
            if sh:
                want = dims(sh, leaf, None, d=ds.shape[1] if leaf == "features" else None)
                assert len(want) == ds.ndim, (q, ds.shape, sh)
                for (sym, val), got in zip(want, ds.shape):
                    if sym == "n":  # one n per group
                        assert group_n.setdefault(grp, got) == got, f"{q}: {got} rows, the group has {group_n[grp]}"
                    elif val is not None:
                        assert got == val, (q, ds.shape, sh)
            checked += 1

# list groups: an int64 count and members named 0..count-1
for g in ("islands", "predictor/trainsets", "predictor/models"):
    c = f[g].attrs["count"]
    assert np.asarray(c).dtype == np.int64, (g, np.asarray(c).dtype)
    assert sorted(f[g].keys(), key=int) == [str(i) for i in range(int(c))], (g, list(f[g].keys()))
# objective values in the objectives' own direction (nb201: accuracy in %, latency > 0)
if A["space"] == b"nb201":
    o = f["archive/objectives"][:]
    for k in range(m):
        assert (o[:, k] > 0).all(), ("archive objective %d not in its own direction" % k, o[:3])
# the counts the table promises, against the summary
def n(g):
    return f[g].shape[0]
assert int(f["islands"].attrs["count"]) == S["engine"]["islands"], "islands/@count"
assert R == (S["engine"]["islands"] + 1 if S["engine"]["islands"] > 1 else 1), "/@ranks"
for i in range(int(f["islands"].attrs["count"])):
    assert int(f["islands/%d" % i].attrs["generation"]) == n("history/generation"), "islands/I/@generation"
assert n("archive/genomes") == S["front_size"], ("archive rows", n("archive/genomes"), S["front_size"])
assert n("evaluated/genomes") == S["measurements"], ("evaluated rows", n("evaluated/genomes"), S["measurements"])
assert n("history/generation") == S["generations"] + 1, ("history rows", n("history/generation"), S["generations"])
assert list(f["history/generation"][:]) == list(range(S["generations"] + 1))
assert f["history/measurements"][-1] == S["measurements"] and f["history/front_size"][-1] == S["front_size"]
names = [s.decode() for s in f["objectives/names"][:]]
assert names == S["objectives"], (names, S["objectives"])
ts = f["predictor/trainsets"]
assert int(ts.attrs["count"]) == m
ev = f["evaluated"]
obj, meas = ev["objectives"][:], ev["measured"][:]
assert not ((meas == 1) & np.isnan(obj)).any(), "a row with measured=1 and a NaN value"
assert ((meas == 0) == np.isnan(obj)).all(), "/evaluated: measured is 1 exactly where the value is not NaN"
space = A["space"].decode()
for k in range(m):
    t = ts[str(k)]
    assert t.attrs["target"].decode() == names[k]
    assert t["values"].shape[0] == int((~np.isnan(obj[:, k])).sum()), ("trainset rows", k)
    d = t["features"].shape[1]
    if space == "nb201":
        assert d == 75, ("nb201 features", d)
assert int(f["predictor/models"].attrs["count"]) == 1
md = f["predictor/models/0"]
assert md.attrs["target"] == b"surrogate" and md.attrs["device"] == b"all"
blob = md["bytes"][:].tobytes()
assert blob[:8] == b"HWNASSUR" and int.from_bytes(blob[8:12], "little") == 3, blob[:12]
assert int.from_bytes(blob[12:16], "little") == int(md.attrs["version"]), "model version"
assert int.from_bytes(blob[16:20], "little") == m, "n_obj"
assert S["engine"]["model_version"] == int(md.attrs["version"]), ("model version", S["engine"]["model_version"])
assert f["ranks/rng"].shape == (R, 4)
isl, gen = ev["island"][:], ev["generation"][:]
assert (isl >= -1).all() and (isl < int(f["islands"].attrs["count"])).all()
assert (gen >= -1).all() and (gen <= S["generations"]).all()
assert ((isl == -1) == (gen == -1)).all(), "island -1 exactly where generation -1"
assert (isl >= 0).sum() > len(isl) // 2, "island/generation mostly -1"
print(f"schema: {checked} objects of {len(rows)} doc rows checked; {n('evaluated/genomes')} measured, "
      f"{int(np.isnan(obj).sum())} NaN values flagged 0, islands {sorted(set(isl.tolist()))}")
