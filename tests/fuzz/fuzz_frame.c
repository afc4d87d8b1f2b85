/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_frame — a byte stream through the incremental frame decoder (in
 * chunks whose size depends on the input length) and every complete frame through
 * the envelope decoder. A message that decodes must re-encode and decode
 * again to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_message(const uint8_t *f, size_t flen)
{
	struct proto_msg *m = NULL, *m2 = NULL;
	struct eg_wbuf w;

	if (proto_msg_decode(f, flen, &m) != EG_OK)
		return;
	eg_wbuf_init(&w, 2 * FRAME_MAX_HARD, false);
	/* a validated message always re-encodes */
	if (proto_msg_encode(proto_msg_env(m), 0, &w) != EG_OK)
		abort();
	if (proto_msg_decode(w.data + FRAME_HDR_LEN, w.len - FRAME_HDR_LEN, &m2) != EG_OK)
		abort();
	if (egate__envelope__get_packed_size(proto_msg_env(m2)) != w.len - FRAME_HDR_LEN)
		abort();
	proto_msg_free(&m2);
	proto_msg_free(&m);
	eg_wbuf_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_dec *d = NULL;
	size_t step, pos = 0;

	/* the whole input as one payload */
	check_message(data, size);
	/* chunk size from the input length, so seeds are plain framed streams:
	 * every third length feeds everything at once, the others 1..23 bytes */
	step = size % 3 == 0 ? size : 1 + size % 23;
	if (size == 0)
		return 0;
	if (frame_dec_new(64 * 1024, &d) != EG_OK)
		return 0;
	while (pos < size) {
		size_t chunk = size - pos < step ? size - pos : step;
		const uint8_t *p = data + pos;
		int rc = EG_OK;

		pos += chunk;
		while (chunk > 0) {
			const uint8_t *f;
			size_t used, flen;

			rc = frame_dec_feed(d, p, chunk, &used, &f, &flen);
			if (used > chunk)
				abort();
			p += used;
			chunk -= used;
			if (rc != EG_OK)
				break;
			if (f == NULL || flen == 0)
				abort();
			check_message(f, flen);
		}
		if (rc != EG_OK && rc != EG_ERR_TRUNCATED)
			break;	/* OVERFLOW/FORMAT: the connection would be closed */
	}
	(void)frame_dec_finish(d);
	frame_dec_free(&d);
	return 0;
}
