/* export: options and helpers shared by the exporters (export.h,
 * export_impl.h). */
#include <stdarg.h>
#include <stdio.h>

#include "export_impl.h"

void export_opts_default(export_opts *o) {
    o->batch = 1;
    o->seq_len = 128;
    o->seed = 1;
    o->structural = 0;
    o->doc = NULL;
}

void export_name(char *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, EXPORT_NAME_MAX, fmt, ap);
    va_end(ap);
}

int export_finish(onnxg *g, int64_t batch, int64_t classes, const char *doc, const char *path, export_info *info) {
    if (onnxg_output(g, "logits", ONNXG_FLOAT, 2, (int64_t[]){batch, classes})) return -1;
    if (onnxg_write(g, path, EXPORT_OPSET, doc)) return -1;
    if (info) {
        info->nparams = onnxg_nparams(g);
        info->nnodes = onnxg_nnodes(g);
    }
    return 0;
}
