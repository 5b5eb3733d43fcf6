#!/usr/bin/env bash
# build.agent_only: the board-agent build (-DHWNAS_AGENT_ONLY=ON, -Werror)
# configures and builds without MPI, HDF5 or xgboost; its hwnas offers
# exactly the board, export and keygen commands, keygen works, and it
# installs.
#   usage: test_agent_only.sh path/to/hwnas path/to/cmake
. "$(dirname "$0")/../e2e/lib.sh" "$@"
CMAKE=${2:?usage: $(basename "$0") path/to/hwnas path/to/cmake}
J=${HWNAS_BUILD_JOBS:-2}

nice "$CMAKE" -S "$SRC" -B b -DCMAKE_BUILD_TYPE=Release -DHWNAS_AGENT_ONLY=ON -DHWNAS_WERROR=ON \
    > configure.log 2>&1 || fail "configure"
nice "$CMAKE" --build b -j "$J" > build.log 2>&1 || fail "agent-only build with -Werror"
A=$T/b/hwnas
nm -u "$A" | grep -qiE 'MPI_|H5F|XGB' && fail "agent binary links MPI/HDF5/xgboost: $(nm -u "$A" | grep -iE 'MPI_|H5F|XGB' | head -3)"
cmds=$("$A" --help | awk '/^commands:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }' | sort | tr '\n' ' ')
[ "$cmds" = "board export keygen " ] || fail "agent-only commands: '$cmds', want 'board export keygen '"
"$A" --version | grep -qE '^hwnas [0-9]+\.[0-9]+\.[0-9]+ \(' || fail "--version: $("$A" --version)"
"$A" keygen --out k > k.out || fail "keygen"
[ "$(stat -c %a k.key)" = 600 ] && [ -s k.pub ] || fail "keygen files"
expect_exit 2 "unknown command 'search'" "$A" search x.yaml
"$CMAKE" --install b --prefix "$T/x" > install.log 2>&1 || fail "install"
[ -x "$T/x/bin/hwnas" ] || fail "install lacks bin/hwnas"
echo "ok: agent-only build, commands: $cmds"
