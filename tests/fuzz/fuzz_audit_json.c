/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_audit_json — the bounded JSON reader of `egate audit replay`
 * (host/audit/audit_json.h) on any bytes. Whatever parses must hold
 * together: tokens inside the text, subtrees nested, every string
 * unescapable (or refused for a NUL), every number readable.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_json.h"
#include "egate/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_json j;
	char s[256];

	if (audit_json_parse((const char *)data, size, 512, &j) != EG_OK)
		return 0;
	if (j.n == 0 || j.t[0].next != j.n)
		abort();
	for (size_t i = 0; i < j.n; i++) {
		const struct audit_json_tok *t = &j.t[i];
		double d;
		uint64_t u;
		bool b;
		int rc;

		if (t->start > size || t->len > size - t->start || t->next <= i || t->next > j.n)
			abort();
		switch (t->type) {
		case AUDIT_JSON_STRING:
			rc = audit_json_str(&j, i, s, sizeof(s));
			if (rc != EG_OK && rc != EG_ERR_OVERFLOW && rc != EG_ERR_FORMAT)
				abort();
			if (strlen(s) >= sizeof(s))
				abort();
			break;
		case AUDIT_JSON_NUMBER:
			rc = audit_json_num(&j, i, &d);
			if (rc != EG_OK && rc != EG_ERR_OVERFLOW)
				abort();
			(void)audit_json_u64(&j, i, &u);
			break;
		case AUDIT_JSON_TRUE:
		case AUDIT_JSON_FALSE:
			if (audit_json_bool(&j, i, &b) != EG_OK || b != (t->type == AUDIT_JSON_TRUE))
				abort();
			break;
		case AUDIT_JSON_OBJECT:
			/* every member is found by its own key */
			for (size_t m = 0, k = i + 1; m < t->size; m++, k = j.t[k + 1].next) {
				if (j.t[k].type != AUDIT_JSON_STRING || k + 1 >= t->next)
					abort();
				if (audit_json_str(&j, k, s, sizeof(s)) == EG_OK &&
				    audit_json_member(&j, i, s) != k + 1)
					abort();
			}
			break;
		default:
			break;
		}
	}
	audit_json_free(&j);
	return 0;
}
