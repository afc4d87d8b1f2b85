/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apdu.h — ISO/IEC 7816-4 command and response APDUs, status words, and the
 * transport ops table under which every card access goes.
 *
 * A command is kept as a struct (header, borrowed data, expected length) and
 * only turned into bytes by icao_apdu_encode(), which picks the short or
 * extended form by the rules of ISO 7816-4 §5.1 (cases 1–4). Responses are
 * split into data and SW1SW2 with icao_rapdu_parse(). Status words travel in
 * out-parameters (uint16_t, SW1 in the high byte), never in the eg_err enum.
 */
#ifndef ICAO_APDU_H
#define ICAO_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/buf.h"

/*
 * struct icao_card_ops — how the icao module reaches a card. CCID, vpcd, a
 * simulator, a test fake and the fuzzers all plug in here.
 *
 * transmit: send clen bytes of command APDU, receive at most rcap bytes of
 * response APDU (data plus SW1SW2) into rapdu and its length into *rlen.
 * Returns EG_OK, or an eg_err for a transport failure (EG_ERR_IO,
 * EG_ERR_NO_CARD, EG_ERR_TIMEOUT, ...); a card status is not a transport
 * failure. The buffers are borrowed for the duration of the call.
 */
struct icao_card_ops {
	int (*transmit)(void *ctx, const uint8_t *capdu, size_t clen,
	    uint8_t *rapdu, size_t rcap, size_t *rlen);
};

/*
 * struct icao_apdu — one command. data is borrowed (lc bytes). le is the
 * number of response bytes expected: 0 means "no Le field" (cases 1 and 3);
 * 1..256 fits the short form ("00" encodes 256); 257..65536 needs the
 * extended form ("0000" encodes 65536).
 */
struct icao_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	uint32_t le;
	bool force_extended;	/* use extended lengths even when short would do */
};

/*
 * icao_apdu_encode — append the encoding of a to w.
 * Extended form when lc > 255, le > 256 or force_extended; in a case 4
 * command both Lc and Le take the extended form (ISO 7816-4 forbids mixing).
 * Errors: EG_ERR_INVAL (lc > 65535, le > 65536, data NULL with lc > 0),
 * EG_ERR_OVERFLOW / EG_ERR_NOMEM from w (w unchanged then).
 */
int icao_apdu_encode(const struct icao_apdu *a, struct eg_wbuf *w);

/*
 * icao_apdu_decode — the inverse of icao_apdu_encode: parse a command APDU
 * (all four cases, short and extended) from untrusted bytes. a->data points
 * into c (borrowed). Errors: EG_ERR_TRUNCATED (fewer than 4 bytes),
 * EG_ERR_FORMAT (lengths that match no case).
 */
int icao_apdu_decode(const uint8_t *c, size_t clen, struct icao_apdu *a);

/*
 * icao_rapdu_parse — split a response APDU into data (borrowed cursor over
 * r) and the status word. Errors: EG_ERR_TRUNCATED if rlen < 2. A status
 * other than 9000 is NOT an error here: the caller decides.
 */
int icao_rapdu_parse(const uint8_t *r, size_t rlen, struct eg_rbuf *data,
    uint16_t *sw);

/*
 * icao_sw_str — the meaning of a status word per ISO 7816-4 §5.6 and Doc
 * 9303 ("security status not satisfied" for 6982). Families with a
 * parameter (61xx, 63Cx, 6Cxx) are named by family. Never NULL; static.
 */
const char *icao_sw_str(uint16_t sw);

/* icao_sw_ok — true for 9000. */
static inline bool
icao_sw_ok(uint16_t sw)
{
	return sw == 0x9000;
}

#endif
