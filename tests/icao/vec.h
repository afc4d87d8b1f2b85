/* SPDX-License-Identifier: Apache-2.0 */
/* vec.h — test vectors as "name = value" text files in tests/vectors/icao. */
#ifndef ICAO_TEST_VEC_H
#define ICAO_TEST_VEC_H

#include <stddef.h>
#include <stdint.h>

struct vec;

/* vec_load — parse VECTORS_DIR/icao/<file>; aborts the test on error. */
struct vec *vec_load(const char *file);
void vec_free(struct vec **v);
/* vec_str — the raw value of name; fails the test if missing. */
const char *vec_str(const struct vec *v, const char *name);
/* vec_hex — decode the hex value of name into out (cap bytes); returns the
 * length; fails the test if missing or malformed. */
size_t vec_hex(const struct vec *v, const char *name, uint8_t *out, size_t cap);

#endif
