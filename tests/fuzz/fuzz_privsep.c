/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the monitor's decoding of requests from egate-host's network
 * child (host/daemon/privsep.h). First byte: request type, as the monitor
 * dispatches it (0xF0: the fragment reassembly of the transport). A decoded APPEND_BATCH must re-encode to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "privsep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ps_batch b;
	char kiosk[AUDIT_KIOSK_ID_MAX + 1];

	if (size < 1)
		return 0;
	if (data[0] == PS_LAST_SEQ) {
		(void)ps_kiosk_decode(data + 1, size - 1, kiosk);
		return 0;
	}
	if (data[0] == PS_PAYLOAD) {
		uint64_t seq;

		if (ps_payload_decode(data + 1, size - 1, kiosk, &seq) == EG_OK &&
		    (seq == 0 || kiosk[0] == '\0'))
			abort();
		return 0;
	}
	if (data[0] == PS_OFFICER_CHECK) {
		char officer[AUDIT_SHORT_MAX + 1];
		uint64_t id;

		if (ps_officer_check_decode(data + 1, size - 1, kiosk, officer, &id) == EG_OK &&
		    (id == 0 || kiosk[0] == '\0' || officer[0] == '\0'))
			abort();
		return 0;
	}
	if (data[0] == 0xF0) {
		/* the transport: the bytes after 0xF0 as packets of at most 64
		 * bytes (each: u8 length ‖ bytes), reassembled into 4 KiB */
		static uint8_t buf[4096];
		struct ps_reasm ra;
		size_t i = 1;

		ps_reasm_init(&ra, buf, sizeof(buf));
		while (i < size) {
			size_t n = data[i++] & 63u;

			if (n > size - i)
				n = size - i;
			if (ps_reasm_feed(&ra, data + i, n) != EG_OK) {
				if (ra.len != 0 || ra.done)
					abort();
			} else if (ra.len > sizeof(buf)) {
				abort();
			}
			i += n;
		}
		return 0;
	}
	if (data[0] == PS_OFFICER) {
		struct audit_record r;
		char *arena = malloc(size + 8);

		if (arena != NULL && ps_officer_decode(data + 1, size - 1, arena, size + 8, &r) == EG_OK) {
			struct eg_wbuf w;

			/* a decoded request re-encodes to the same bytes */
			eg_wbuf_init(&w, PS_MSG_MAX, false);
			if (ps_officer_put(&w, strcmp(r.type, "officer") == 0 ? PS_OFFICER_ACTION :
			    PS_OFFICER_RESULT, r.ts_ms, r.officer, r.decision, r.reason, r.payload) != EG_OK ||
			    w.len != size || memcmp(w.data, data, size) != 0)
				abort();
			eg_wbuf_free(&w);
		}
		free(arena);
		return 0;
	}
	if (data[0] != PS_APPEND_BATCH)
		return 0;
	if (ps_batch_decode(data + 1, size - 1, &b) == EG_OK) {
		struct eg_wbuf w;

		eg_wbuf_init(&w, PS_MSG_MAX, false);
		if (ps_batch_begin(&w) != EG_OK)
			abort();
		for (size_t i = 0; i < b.n; i++)
			if (ps_record_put(&w, &b.recs[i]) != EG_OK)
				abort();
		ps_batch_set_count(&w, (uint16_t)b.n);
		if (w.len != size || memcmp(w.data, data, size) != 0)
			abort();
		eg_wbuf_free(&w);
		ps_batch_clear(&b);
	}
	return 0;
}
