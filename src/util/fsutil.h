/* fsutil: durable file output. */
#ifndef HW_FSUTIL_H
#define HW_FSUTIL_H

#include <stddef.h>

/* mkdir -p; 0 or -1 with a message naming the path. */
int hw_mkdir_p(const char *path);
/* Writes data to PATH atomically: PATH.tmp.<pid>, fsync, rename, fsync
 * the directory. A crash leaves either the old file or the new one. */
int hw_write_file_atomic(const char *path, const void *data, size_t len);
/* Reads the whole file into a malloc'd buffer (NUL-terminated; *len
 * excludes the NUL). -1 with "PATH: cannot open: ..." / "PATH: read error
 * (is it a directory?)". */
int hw_read_file(const char *path, char **out, size_t *len);
/* fsyncs the directory containing PATH. */
int hw_fsync_dir_of(const char *path);

/* A growable text buffer for building CSV/JSON before an atomic write. */
typedef struct hw_buf {
    char *p;
    size_t len, cap;
} hw_buf;
void hw_buf_printf(hw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal (quoted, escaped). */
void hw_buf_json_str(hw_buf *b, const char *s);
/* Appends a JSON number, or null when not finite. */
void hw_buf_json_num(hw_buf *b, double v);
void hw_buf_free(hw_buf *b);

#endif
