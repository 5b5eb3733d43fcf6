/* hw_err: the project-wide error convention.
 *
 * Library functions return 0 on success and -1 on failure; on failure they
 * leave a one-line message (no trailing newline) retrievable with
 * hw_errmsg(). The message is thread-local, like XGBGetLastError().
 * Programming bugs use HW_ASSERT, which aborts (MPI_Abort under MPI through
 * the hook installed by the MPI layer). Library code never calls exit(). */
#ifndef HW_ERR_H
#define HW_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define HW_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HW_PRINTF(a, b)
#endif

/* Sets the thread's error message and returns -1, so `return hw_fail(...)`. */
int hw_fail(const char *fmt, ...) HW_PRINTF(1, 2);
/* Prefixes the current message with "prefix: " (e.g. a file name); returns -1. */
int hw_fail_prefix(const char *fmt, ...) HW_PRINTF(1, 2);
/* The last message set on this thread ("" if none). */
const char *hw_errmsg(void);
void hw_clear_error(void);

/* Called by HW_ASSERT after printing; the MPI layer installs MPI_Abort. */
typedef void (*hw_abort_fn)(void);
void hw_set_abort_hook(hw_abort_fn fn);
void hw_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));

#define HW_ASSERT(e) ((e) ? (void)0 : hw_assert_fail(#e, __FILE__, __LINE__))

/* Checked allocation helpers: abort with a message on out-of-memory. */
void *hw_malloc(size_t n);
void *hw_calloc(size_t n, size_t sz);
void *hw_realloc(void *p, size_t n);
char *hw_strdup(const char *s);

#endif
