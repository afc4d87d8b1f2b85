/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.h — a small streaming JSON writer for `--json` output and exports.
 *
 *   struct eg_json j;
 *   eg_json_init(&j, stdout);
 *   eg_json_obj_begin(&j);
 *   eg_json_key_str(&j, "document_type", "P");
 *   eg_json_key(&j, "checks"); eg_json_arr_begin(&j); ... eg_json_arr_end(&j);
 *   eg_json_obj_end(&j);
 *   eg_json_finish(&j);     -- newline; returns EG_OK or the first error
 *
 * Commas are placed automatically. Strings are escaped per RFC 8259
 * (control bytes as \u00XX; invalid UTF-8 bytes replaced by U+FFFD), so any
 * byte string produces valid JSON. Nesting is limited to EG_JSON_MAX_DEPTH.
 * Misuse (a value where a key is due, unbalanced ends) sets an error that
 * eg_json_finish() reports; output stops at the first error.
 */
#ifndef EGATE_JSON_H
#define EGATE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EG_JSON_MAX_DEPTH 32

struct eg_json {
	FILE *out;
	int depth;
	bool first[EG_JSON_MAX_DEPTH + 1];	/* no element yet at this depth */
	bool in_obj[EG_JSON_MAX_DEPTH + 1];	/* object (true) or array */
	bool want_value;			/* a key was written */
	bool pretty;				/* indent with two spaces */
	int err;
};

void eg_json_init(struct eg_json *j, FILE *out);
void eg_json_obj_begin(struct eg_json *j);
void eg_json_obj_end(struct eg_json *j);
void eg_json_arr_begin(struct eg_json *j);
void eg_json_arr_end(struct eg_json *j);
void eg_json_key(struct eg_json *j, const char *key);
void eg_json_str(struct eg_json *j, const char *s);
void eg_json_strn(struct eg_json *j, const char *s, size_t n);
void eg_json_int(struct eg_json *j, long long v);
void eg_json_uint(struct eg_json *j, unsigned long long v);
void eg_json_double(struct eg_json *j, double v);	/* NaN/Inf -> null */
void eg_json_bool(struct eg_json *j, bool v);
void eg_json_null(struct eg_json *j);
void eg_json_hex(struct eg_json *j, const uint8_t *p, size_t n);	/* as a hex string */

/* key + value shorthands */
void eg_json_key_str(struct eg_json *j, const char *key, const char *s);
void eg_json_key_int(struct eg_json *j, const char *key, long long v);
void eg_json_key_double(struct eg_json *j, const char *key, double v);
void eg_json_key_bool(struct eg_json *j, const char *key, bool v);

/* eg_json_finish — end the document with a newline. Returns EG_OK, or
 * EG_ERR_STATE for unbalanced/misused calls, EG_ERR_IO if writing failed. */
int eg_json_finish(struct eg_json *j);

#endif
