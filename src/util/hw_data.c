#include "hw_data.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HWNAS_HAVE_VERSION_GEN
#include "hw_version_gen.h"
#endif
#ifndef HWNAS_VERSION
#define HWNAS_VERSION "0.0.0"
#endif
#ifndef HWNAS_GIT_COMMIT
#define HWNAS_GIT_COMMIT "unknown"
#endif

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* <dir of /proc/self/exe>/../share/hwnas into buf, or "" when unknown. */
static void installed_dir(char *buf, size_t n) {
    char exe[PATH_MAX];
    buf[0] = 0;
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0) return;
    exe[k] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return;
    *slash = 0;
    snprintf(buf, n, "%s/../share/hwnas", exe);
}

const char *hw_data_dir(void) {
    static char cached[PATH_MAX + 32];
    if (cached[0]) return cached;
    const char *e = getenv("HWNAS_DATA");
    if (e && *e) {
        snprintf(cached, sizeof cached, "%s", e);
        return cached;
    }
    char inst[PATH_MAX + 32];
    installed_dir(inst, sizeof inst);
    if (inst[0] && is_dir(inst)) {
        char *r = realpath(inst, NULL);
        snprintf(cached, sizeof cached, "%s", r ? r : inst);
        free(r);
        return cached;
    }
#ifdef HWNAS_DATA_DIR
    if (is_dir(HWNAS_DATA_DIR)) {
        snprintf(cached, sizeof cached, "%s", HWNAS_DATA_DIR);
        return cached;
    }
#endif
    snprintf(cached, sizeof cached, "data");
    return cached;
}

const char *hw_version(void) { return HWNAS_VERSION; }
const char *hw_git_commit(void) { return HWNAS_GIT_COMMIT; }
