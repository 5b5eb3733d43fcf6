/* fuzz_proto: libFuzzer harness for the wire-format parser (jobs/proto.c).
 * Property checked besides memory safety (ASan/UBSan): any frame that
 * decodes re-encodes to exactly the same bytes (the encoding is
 * canonical), in both directions (board->dispatcher and back).
 * Build and run: tests/fuzz/run_fuzz.sh [seconds]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    for (int from_board = 0; from_board < 2; from_board++) {
        proto_msg m;
        if (proto_decode(data, size, from_board, &m) != 0) continue;
        uint8_t buf[PROTO_MAX_MSG];
        size_t n;
        if (proto_encode(&m, buf, sizeof buf, &n) != 0 || n != size || memcmp(buf, data, size) != 0) abort();
    }
    return 0;
}
