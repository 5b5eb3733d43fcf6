/* runner_impl: what each runner kind provides to runner.c (internal). */
#ifndef HW_RUNNER_IMPL_H
#define HW_RUNNER_IMPL_H

#include "runner.h"

typedef struct runner_ops {
    void (*run)(void *impl, uint64_t job_id, const char *arch, const atomic_int *abort, proto_msg *res);
    void (*destroy)(void *impl);
} runner_ops;

/* Each constructor fills *ops, *impl and a capability string (cap bytes). */
int runner_builtin_create(const runner_config *c, runner_ops *ops, void **impl, char *caps, size_t cap);
int runner_command_create(const runner_config *c, runner_ops *ops, void **impl, char *caps, size_t cap);
int runner_replay_create(const runner_config *c, runner_ops *ops, void **impl, char *caps, size_t cap);

/* Sets status and a formatted message on res. */
void runner_set_status(proto_msg *res, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sleeps up to ms, waking early (returns 1) when *abort is set. */
int runner_sleep_ms(double ms, const atomic_int *abort);

#endif
