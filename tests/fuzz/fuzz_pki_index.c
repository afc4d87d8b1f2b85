/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_pki_index — arbitrary bytes as a CA's index.txt (host/pki). What
 * parses must format back to text that parses to the same records. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same(const struct pki_index *a, const struct pki_index *b)
{
	if (a->ncerts != b->ncerts || a->ntokens != b->ntokens)
		return false;
	for (size_t i = 0; i < a->ncerts; i++) {
		const struct pki_cert_rec *x = &a->certs[i], *y = &b->certs[i];
		if (strcmp(x->serial, y->serial) != 0 || x->role != y->role ||
		    strcmp(x->cn, y->cn) != 0 || x->not_before != y->not_before ||
		    x->not_after != y->not_after || x->revoked != y->revoked ||
		    x->revoked_at != y->revoked_at || strcmp(x->origin, y->origin) != 0)
			return false;
	}
	for (size_t i = 0; i < a->ntokens; i++) {
		const struct pki_token_rec *x = &a->tokens[i], *y = &b->tokens[i];
		if (strcmp(x->hash, y->hash) != 0 || x->role != y->role ||
		    strcmp(x->cn, y->cn) != 0 || x->created != y->created ||
		    x->expires != y->expires || x->used != y->used || x->used_at != y->used_at ||
		    strcmp(x->serial, y->serial) != 0)
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pki_index a, b;
	struct eg_wbuf w;
	int line;

	if (pki_index_parse((const char *)data, size, &a, &line) != EG_OK)
		return 0;
	eg_wbuf_init(&w, 64u << 20, false);
	if (pki_index_format(&a, &w) != EG_OK)
		__builtin_trap();	/* everything parsed must be writable */
	if (pki_index_parse((const char *)w.data, w.len, &b, &line) != EG_OK || !same(&a, &b))
		__builtin_trap();
	pki_index_clear(&a);
	pki_index_clear(&b);
	eg_wbuf_free(&w);
	return 0;
}
