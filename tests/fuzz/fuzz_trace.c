/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_trace — the APDU trace formatter (icao/trace.h) on events made from
 * untrusted bytes: byte 0 the kind and flags, bytes 1..4 CLA INS P1 P2,
 * byte 5 the line buffer size (small ones exercise the cut), the rest
 * split into command data and response data (the chip's bytes).
 * Invariants: the line is NUL-terminated within the buffer and its length
 * is what icao_tracer_line returns; the data of key agreement and
 * authentication commands (MSE, GA, GET CHALLENGE, EXTERNAL/INTERNAL
 * AUTHENTICATE) never appears ("data=" is absent from their lines).
 */
#include <stdlib.h>
#include <string.h>

#include "icao/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct icao_tracer t;
	struct icao_apdu a;
	struct icao_trace_ev ev;
	char *line;
	size_t cap, cl, n;

	if (size < 6)
		return 0;
	memset(&t, 0, sizeof(t));
	memset(&a, 0, sizeof(a));
	memset(&ev, 0, sizeof(ev));
	t.flags = (data[0] & 0x10) ? ICAO_TRACE_FILE_DATA : 0;
	t.in_app = (data[0] & 0x20) != 0;
	ev.kind = (enum icao_trace_kind)(data[0] % 4);
	a.cla = data[1];
	a.ins = data[2];
	a.p1 = data[3];
	a.p2 = data[4];
	cap = data[5] == 0 ? ICAO_TRACE_LINE_MAX : data[5];
	data += 6;
	size -= 6;
	cl = size > 0 ? data[0] % (size + 1) : 0;
	cl = cl > size ? size : cl;
	a.data = cl > 0 ? data : NULL;
	a.lc = cl;
	a.le = (uint32_t)(size - cl);
	ev.cmd = (data[-1] & 1) ? NULL : &a;
	ev.protected = (a.cla & 0x0C) != 0;
	ev.data = size > cl ? data + cl : NULL;
	ev.dlen = size - cl;
	ev.sw = (uint16_t)(a.p1 << 8 | a.p2);
	ev.note = "fuzz";
	if ((line = malloc(cap)) == NULL)
		return 0;
	/* twice: the second line sees the tracker's state after the first */
	for (int i = 0; i < 2; i++) {
		n = icao_tracer_line(&t, &ev, line, cap);
		CHECK(n < cap && line[n] == '\0' && strlen(line) == n);
		if (ev.kind == ICAO_TRACE_APDU && ev.cmd != NULL &&
		    (a.ins == 0x22 || a.ins == 0x86 || a.ins == 0x84 ||
		    a.ins == 0x82 || a.ins == 0x88))
			CHECK(strstr(line, "data=") == NULL);
	}
	free(line);
	return 0;
}
