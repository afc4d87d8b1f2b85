/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_tlv — walk arbitrary bytes as nested BER-TLV, re-encode what parses
 * and check the encoding reads back to the same tags and lengths. */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(struct eg_rbuf b, int depth)
{
	struct eg_tlv t;

	while (eg_rbuf_left(&b) > 0 && eg_tlv_read(&b, &t) == EG_OK) {
		/* re-encode and compare */
		struct eg_wbuf w;
		struct eg_rbuf rb;
		struct eg_tlv back;
		size_t vlen = eg_rbuf_left(&t.value);

		eg_wbuf_init(&w, EG_TLV_MAX_LEN + 16, false);
		if (eg_tlv_put(&w, t.tag, t.value.p, vlen) == EG_OK) {
			rb = eg_rbuf_init(w.data, w.len);
			if (eg_tlv_read(&rb, &back) != EG_OK || back.tag != t.tag ||
			    eg_rbuf_left(&back.value) != vlen ||
			    (vlen > 0 && memcmp(back.value.p, t.value.p, vlen) != 0))
				abort();
		}
		eg_wbuf_free(&w);
		if (t.constructed && depth < 16)
			walk(t.value, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eg_rbuf b = eg_rbuf_init(data, size);
	struct eg_tlv t;

	walk(b, 0);
	(void)eg_tlv_find(&b, 0x5F1F, &t);
	return 0;
}
