#include "jkeys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "hw_err.h"

int jkeys_valid(const char *s) {
    if (strlen(s) != JKEY_LEN) return 0;
    uint8_t bin[32];
    return zmq_z85_decode(bin, s) != NULL;
}

int jkeys_generate(jkey *pub, jkey *sec) {
    if (!zmq_has("curve")) return hw_fail("this libzmq was built without CURVE security");
    if (zmq_curve_keypair(pub->z85, sec->z85) != 0) return hw_fail("zmq_curve_keypair: %s", zmq_strerror(errno));
    return 0;
}

/* Writes text to PATH via PATH.tmp + fsync + rename + fsync(dir). */
static int write_atomic(const char *path, const char *text, mode_t mode, int force) {
    char tmp[4096], dir[4096];
    int fd = -1;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return hw_fail("%s: path too long", path);
    if (!force && access(path, F_OK) == 0) return hw_fail("%s: exists (use --force to overwrite)", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) return hw_fail("%s: %s", tmp, strerror(errno));
    if (fchmod(fd, mode) != 0) goto fail;
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) goto fail;
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0; else snprintf(dir, sizeof dir, ".");
    int dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
fail:;
    int e = errno;
    if (fd >= 0) close(fd);
    unlink(tmp);
    return hw_fail("%s: %s", path, strerror(e));
}

int jkeys_write_pair(const char *base, const jkey *pub, const jkey *sec, int force) {
    char path[4096], text[256];
    if (snprintf(path, sizeof path, "%s.key", base) >= (int)sizeof path) return hw_fail("%s: path too long", base);
    snprintf(text, sizeof text, "public: %s\nsecret: %s\n", pub->z85, sec->z85);
    if (write_atomic(path, text, 0600, force) != 0) return -1;
    snprintf(path, sizeof path, "%s.pub", base);
    snprintf(text, sizeof text, "%s\n", pub->z85);
    return write_atomic(path, text, 0644, force);
}

/* Reads a small text file (< 64 KiB) into a malloc'd NUL-terminated buffer. */
static int slurp(const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    if (!f) return hw_fail("%s: %s", path, strerror(errno));
    size_t cap = 65536;
    char *buf = hw_malloc(cap + 1);
    size_t n = fread(buf, 1, cap + 1, f);
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return hw_fail("%s: read error", path);
    }
    if (n > cap) {
        free(buf);
        return hw_fail("%s: larger than 64 KiB; not a key file", path);
    }
    if (memchr(buf, 0, n)) {
        free(buf);
        return hw_fail("%s: contains NUL bytes; not a key file", path);
    }
    buf[n] = 0;
    *out = buf;
    return 0;
}

/* Next line of *pp (modified in place, \r stripped); NULL at end. */
static char *next_line(char **pp) {
    char *p = *pp;
    if (!*p) return NULL;
    char *nl = strchr(p, '\n');
    if (nl) {
        *nl = 0;
        *pp = nl + 1;
    } else {
        *pp = p + strlen(p);
    }
    size_t k = strlen(p);
    while (k && (p[k - 1] == '\r' || p[k - 1] == ' ' || p[k - 1] == '\t')) p[--k] = 0;
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

int jkeys_load_pair(const char *path, jkey *pub, jkey *sec) {
    char *text, *p;
    if (slurp(path, &text) != 0) return -1;
    p = text;
    int have_pub = 0, have_sec = 0, line = 0;
    for (char *l; (l = next_line(&p));) {
        line++;
        if (!*l || *l == '#') continue;
        jkey *dst;
        if (!strncmp(l, "public:", 7)) dst = pub, have_pub++;
        else if (!strncmp(l, "secret:", 7)) dst = sec, have_sec++;
        else {
            free(text);
            return hw_fail("%s:%d: expected 'public: KEY' or 'secret: KEY'", path, line);
        }
        l += 7;
        while (*l == ' ') l++;
        if (!jkeys_valid(l)) {
            free(text);
            return hw_fail("%s:%d: not a 40-character Z85 CURVE key", path, line);
        }
        memcpy(dst->z85, l, JKEY_LEN + 1);
    }
    free(text);
    if (have_pub != 1 || have_sec != 1)
        return hw_fail("%s: a key file needs exactly one 'public:' and one 'secret:' line (make one with hwnas keygen)",
                       path);
    char derived[JKEY_LEN + 1];
    if (zmq_curve_public(derived, sec->z85) != 0 || strcmp(derived, pub->z85) != 0)
        return hw_fail("%s: the public key does not belong to the secret key", path);
    /* as ssh does for private keys: a secret others can read is no secret */
    struct stat st;
    if (stat(path, &st) != 0) return hw_fail("%s: %s", path, strerror(errno));
    if (st.st_mode & 077)
        return hw_fail("%s: secret key file is accessible by others (mode %04o); run: chmod 600 %s", path,
                       (unsigned)(st.st_mode & 07777), path);
    return 0;
}

int jkeys_load_public(const char *spec, jkey *pub) {
    if (jkeys_valid(spec)) {
        memcpy(pub->z85, spec, JKEY_LEN + 1);
        return 0;
    }
    char *text, *p;
    if (slurp(spec, &text) != 0) return -1;
    p = text;
    int found = 0, line = 0;
    for (char *l; (l = next_line(&p));) {
        line++;
        if (!*l || *l == '#' || !strncmp(l, "secret:", 7)) continue;
        if (!strncmp(l, "public:", 7)) {
            l += 7;
            while (*l == ' ') l++;
        }
        if (!jkeys_valid(l) || found) {
            free(text);
            return hw_fail(found ? "%s:%d: more than one public key" : "%s:%d: not a 40-character Z85 CURVE key",
                           spec, line);
        }
        memcpy(pub->z85, l, JKEY_LEN + 1);
        found = 1;
    }
    free(text);
    if (!found) return hw_fail("%s: no public key in the file", spec);
    return 0;
}

int jkeys_load_allow(const char *path, jkey **keys, int *n) {
    char *text, *p;
    if (slurp(path, &text) != 0) return -1;
    p = text;
    int line = 0, added = 0;
    for (char *l; (l = next_line(&p));) {
        line++;
        if (!*l || *l == '#') continue;
        if (!jkeys_valid(l)) {
            free(text);
            return hw_fail("%s:%d: not a 40-character Z85 CURVE public key", path, line);
        }
        *keys = hw_realloc(*keys, (size_t)(*n + 1) * sizeof **keys);
        memcpy((*keys)[*n].z85, l, JKEY_LEN + 1);
        (*n)++;
        added++;
    }
    free(text);
    if (!added) return hw_fail("%s: the allow-list holds no public key", path);
    return 0;
}
