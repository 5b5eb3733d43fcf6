#!/usr/bin/env bash
# e2e: a run file says what the run ran on (docs/hdf5-schema.md, "Root").
# With h5py, for a search at P = 1 and under mpirun -n 3:
# - /@config_hash is the documented hash of /config, recomputed in Python;
# - /data_tables/path lists the config's tables and /data_tables/hash the
#   hash of each file's bytes, recomputed in Python;
# - /@host is this host, /@ranks the rank count, /@threads the BLAS
#   threads (OPENBLAS_NUM_THREADS);
# - they survive the read + rewrite that marks a run finished (/@finished).
. "$(dirname "$0")/lib.sh" "$@"
LOG_TAIL=8
cd "$T"
sed -e "s#\.\./hw_nas_bench/#$DATA/hw_nas_bench/#" -e "s#\.\./nb201_accuracy/#$DATA/nb201_accuracy/#" \
    -e '/stop_hv_ratio/d' "$DATA/configs/nb201-tx2.yaml" > cfg.yaml
export OPENBLAS_NUM_THREADS=1

"$HW" search cfg.yaml --generations 3 --quiet --run r1.h5 --out-dir o1 > r1.log 2>&1 || fail "P=1 search"
mpirun --oversubscribe -n 3 "$HW" search cfg.yaml --generations 3 --quiet --run r3.h5 --out-dir o3 > r3.log 2>&1 \
    || fail "P=3 search"

$PY - r1.h5:1 r3.h5:3 <<'PY' || fail "h5py checks"
import socket, sys
import h5py

M = (1 << 64) - 1
def fnv1a64(b):  # hw_hash_bytes(p, n, 0): FNV-1a, then murmur3 fmix64
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & M
    h ^= h >> 33; h = (h * 0xff51afd7ed558ccd) & M
    h ^= h >> 33; h = (h * 0xc4ceb9fe1a85ec53) & M
    h ^= h >> 33
    return "fnv1a64:%016x" % h

tables = {}
for arg in sys.argv[1:]:
    name, ranks = arg.split(":")
    f = h5py.File(name, "r")
    A = f.attrs
    assert int(A["finished"]) == 1, name
    cfg = f["config"][0].rstrip(b"\0")
    want = fnv1a64(cfg)
    got = A["config_hash"].decode()
    print(name, "config_hash", got, "want", want)
    assert got == want, (name, got, want)
    assert A["host"].decode() == socket.gethostname(), (name, A["host"], socket.gethostname())
    assert int(A["ranks"]) == int(ranks), (name, int(A["ranks"]), ranks)
    assert int(A["threads"]) == 1, (name, int(A["threads"]))
    paths = [p.decode() for p in f["data_tables/path"][()]]
    hashes = [h.decode() for h in f["data_tables/hash"][()]]
    assert len(paths) == 2 and all(p.endswith(".csv") for p in paths), paths
    for p, h in zip(paths, hashes):
        if p not in tables:
            tables[p] = fnv1a64(open(p, "rb").read())
        print(name, p, h, "want", tables[p])
        assert h == tables[p], (name, p, h, tables[p])
print("ok")
PY
echo "PASS test_runfile_provenance"
