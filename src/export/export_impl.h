/* export_impl: helpers shared by the exporters (not part of export.h). */
#ifndef HW_EXPORT_IMPL_H
#define HW_EXPORT_IMPL_H

#include <stdint.h>

#include "export.h"
#include "hw_err.h"
#include "onnx_graph.h"

#define EXPORT_NAME_MAX 64

/* snprintf into a tensor / node name buffer of EXPORT_NAME_MAX bytes. */
void export_name(char *out, const char *fmt, ...) HW_PRINTF(2, 3);

/* Declares the float output "logits" (batch, classes), writes the model
 * (doc_string doc, may be NULL) to path at EXPORT_OPSET and fills info (may
 * be NULL). 0 or -1. */
int export_finish(onnxg *g, int64_t batch, int64_t classes, const char *doc, const char *path, export_info *info);

#endif
