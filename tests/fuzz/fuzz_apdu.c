/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_apdu — command APDU decoding, response parsing and the READ BINARY
 * length handling of icao_read_file().
 *
 * Byte 0 picks the maximum chunk size (byte0 + 1). The rest is used three
 * ways: (1) decoded as a command APDU, and when that works re-encoded,
 * which must give back the same bytes; (2) split into responses and status
 * words; (3) played as a card's script: each response is one length byte
 * and that many bytes (data + SW); icao_read_file() runs over that card
 * and must end with a clean error or a file whose length matches its own
 * TLV header.
 */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "icao/apdu.h"
#include "icao/chan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct script {
	const uint8_t *p, *end;
};

static int
script_transmit(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
    size_t rcap, size_t *rlen)
{
	struct script *s = ctx;
	struct icao_apdu a;
	size_t n;

	/* everything the channel sends must be a well-formed APDU */
	if (icao_apdu_decode(c, clen, &a) != EG_OK)
		abort();
	if (s->p >= s->end)
		return EG_ERR_IO;
	n = *s->p++;
	if (n > (size_t)(s->end - s->p))
		n = (size_t)(s->end - s->p);
	if (n > rcap)
		abort();
	memcpy(r, s->p, n);
	s->p += n;
	*rlen = n;
	return EG_OK;
}

static const struct icao_card_ops script_ops = { .transmit = script_transmit };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct icao_apdu a;
	struct eg_wbuf w, file;
	struct eg_rbuf d;
	struct icao_chan *ch = NULL;
	struct icao_read_opts o = { 0 };
	struct script s;
	size_t hl, total;
	uint16_t sw;

	if (size < 1)
		return 0;
	o.max_chunk = (size_t)data[0] + 1;
	o.max_file = 1u << 16;
	data++;
	size--;

	/* (1) decode / re-encode */
	eg_wbuf_init(&w, 70000, false);
	if (icao_apdu_decode(data, size, &a) == EG_OK) {
		if (icao_apdu_encode(&a, &w) != EG_OK || w.len != size ||
		    memcmp(w.data, data, size) != 0)
			abort();
	}
	eg_wbuf_free(&w);

	/* (2) response split and status word name */
	if (icao_rapdu_parse(data, size, &d, &sw) == EG_OK) {
		if (eg_rbuf_left(&d) != size - 2 || icao_sw_str(sw) == NULL)
			abort();
	}

	/* (3) a scripted card under icao_read_file */
	s.p = data;
	s.end = data + size;
	eg_wbuf_init(&file, o.max_file, false);
	if (icao_chan_new(&script_ops, &s, &ch) != EG_OK)
		abort();
	if (icao_read_file(ch, &o, &file, &sw, NULL) == EG_OK) {
		if (icao_tlv_header(file.data, file.len, &hl, &total) != EG_OK ||
		    total != file.len)
			abort();
	} else if (file.len != 0) {
		abort();
	}
	icao_chan_free(&ch);
	eg_wbuf_free(&file);
	return 0;
}
