/* SPDX-License-Identifier: Apache-2.0 */
/* hex.h — hexadecimal encoding for logs, test vectors and the CLI. */
#ifndef EGATE_HEX_H
#define EGATE_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * eg_hex_encode — write len bytes as upper-case hex plus a NUL into out,
 * which holds outsz bytes (at least 2*len+1). Returns EG_OK or
 * EG_ERR_OVERFLOW (out then holds an empty string if outsz > 0).
 */
int eg_hex_encode(const uint8_t *in, size_t len, char *out, size_t outsz);

/*
 * eg_hex_decode — parse hex digits (either case) from the NUL-terminated
 * string in; spaces, tabs, newlines and ':' between byte pairs are skipped.
 * Writes at most cap bytes to out and the count to *outlen.
 * Errors: EG_ERR_FORMAT (non-hex character or odd digit count),
 * EG_ERR_OVERFLOW (more than cap bytes).
 */
int eg_hex_decode(const char *in, uint8_t *out, size_t cap, size_t *outlen);

#endif
