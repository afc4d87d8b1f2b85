/* SPDX-License-Identifier: Apache-2.0 */
/* extlen.c — extended-length APDUs: ATR capabilities, EF.ATR/INFO, and the
 * READ BINARY size that fits a response limit (see extlen.h). */
#include <string.h>

#include "egate/error.h"
#include "egate/tlv.h"
#include "icao/extlen.h"
#include "icao/iso7816.h"
#include "util.h"

#define ATR_TS_DIRECT	0x3B
#define ATR_TS_INVERSE	0x3F
#define ATR_Y_TA	0x10
#define ATR_Y_TB	0x20
#define ATR_Y_TC	0x40
#define ATR_Y_TD	0x80
#define ATR_MAX_TD	16		/* more TDi than any protocol needs */
#define EXT_RAPDU_MIN	5u
#define EXT_RAPDU_MAX	65544u		/* as CCID's dwMaxCCIDMessageLength */

/* The COMPACT-TLV objects of the historical bytes b (category byte read). */
static int
atr_compact(struct eg_rbuf *b, struct icao_atr_caps *out)
{
	uint8_t tl, v[15];
	int r;

	out->compact = true;
	while (eg_rbuf_left(b) > 0) {
		if ((r = eg_rbuf_u8(b, &tl)) != EG_OK)
			return r;
		if (eg_rbuf_copy(b, v, tl & 0x0F) != EG_OK)
			return EG_ERR_FORMAT;
		if ((tl >> 4) == ICAO_ATR_TAG_CAPS && (tl & 0x0F) == 3) {
			out->ext_length = (v[2] & ICAO_ATR_CAPS3_EXT_LEN) != 0;
			if (v[2] & ICAO_ATR_CAPS3_EXT_INFO)
				out->ext_info = true;
		} else if ((tl >> 4) == ICAO_ATR_TAG_SERVICE && (tl & 0x0F) == 1 &&
		    (v[0] & ICAO_ATR_SERVICE_ATR_INFO)) {
			out->ext_info = true;
		}
	}
	return EG_OK;
}

int
icao_atr_caps_parse(const uint8_t *atr, size_t len, struct icao_atr_caps *out)
{
	struct eg_rbuf b = icao_rbuf(atr, len), hist;
	uint8_t ts, y, k, td, cat, skip;
	bool tck = false;
	int r, n = 0;

	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((r = eg_rbuf_u8(&b, &ts)) != EG_OK || (r = eg_rbuf_u8(&b, &y)) != EG_OK)
		return r;
	if (ts != ATR_TS_DIRECT && ts != ATR_TS_INVERSE)
		return EG_ERR_FORMAT;
	k = y & 0x0F;
	for (;;) {
		skip = (uint8_t)(((y & ATR_Y_TA) != 0) + ((y & ATR_Y_TB) != 0) +
		    ((y & ATR_Y_TC) != 0));
		if ((r = eg_rbuf_skip(&b, skip)) != EG_OK)
			return r;
		if (!(y & ATR_Y_TD))
			break;
		if (++n > ATR_MAX_TD)
			return EG_ERR_FORMAT;
		if ((r = eg_rbuf_u8(&b, &td)) != EG_OK)
			return r;
		if ((td & 0x0F) != 0)
			tck = true;	/* a protocol other than T=0: TCK follows */
		y = td;
	}
	if ((r = eg_rbuf_sub(&b, k, &hist)) != EG_OK)
		return r;
	if (tck && (r = eg_rbuf_skip(&b, 1)) != EG_OK)
		return r;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	if (k == 0 || eg_rbuf_u8(&hist, &cat) != EG_OK)
		return EG_OK;
	if (cat == ICAO_ATR_CAT_COMPACT_STATUS) {
		/* the last three bytes are a status indicator, not objects */
		if (eg_rbuf_left(&hist) < 3)
			return EG_ERR_FORMAT;
		hist.end -= 3;
	} else if (cat != ICAO_ATR_CAT_COMPACT) {
		return EG_OK;		/* proprietary or DIR reference */
	}
	if ((r = atr_compact(&hist, out)) != EG_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

/* One positive INTEGER of 1..3 bytes within [EXT_RAPDU_MIN, EXT_RAPDU_MAX]. */
static int
ext_int(struct eg_rbuf *b, size_t *v)
{
	struct eg_tlv t;
	uint8_t c;
	size_t n = 0;
	int r;

	/* inside a complete DO'7F66', a missing or cut INTEGER is its format */
	if ((r = eg_tlv_expect(b, ICAO_DO_INTEGER, &t)) != EG_OK)
		return r == EG_ERR_NOT_FOUND || r == EG_ERR_TRUNCATED ? EG_ERR_FORMAT : r;
	if (eg_rbuf_left(&t.value) == 0 || eg_rbuf_left(&t.value) > 3)
		return EG_ERR_FORMAT;
	while (eg_rbuf_u8(&t.value, &c) == EG_OK)
		n = n << 8 | c;
	if (n < EXT_RAPDU_MIN || n > EXT_RAPDU_MAX)
		return EG_ERR_FORMAT;
	*v = n;
	return EG_OK;
}

int
icao_atr_info_parse(const uint8_t *p, size_t len, size_t *max_capdu,
    size_t *max_rapdu)
{
	struct eg_rbuf b = icao_rbuf(p, len);
	struct eg_tlv t;
	size_t c = 0, rsp = 0;
	int r;

	if (max_capdu == NULL || max_rapdu == NULL)
		return EG_ERR_INVAL;
	while (eg_rbuf_left(&b) > 0) {
		if ((r = eg_tlv_read(&b, &t)) != EG_OK)
			return r;
		if (t.tag != ICAO_DO_EXT_LEN_INFO)
			continue;
		/* the two INTEGERs first; later ones (ISO 7816-4 allows a third
		 * for chaining limits) are ignored */
		if ((r = ext_int(&t.value, &c)) != EG_OK ||
		    (r = ext_int(&t.value, &rsp)) != EG_OK)
			return r;
		*max_capdu = c;
		*max_rapdu = rsp;
		return EG_OK;
	}
	return EG_ERR_NOT_FOUND;
}

size_t
icao_sm_rapdu_len(size_t n, size_t block)
{
	size_t content;

	if (block == 0)
		return n + 2;
	if (n == 0)
		return 4 + 2 + ICAO_SM_MAC_LEN + 2;	/* DO'99', DO'8E', SW */
	content = 1 + (n / block + 1) * block;	/* indicator + ISO padding */
	return 1 + eg_tlv_len_size(content) + content + 4 + 2 + ICAO_SM_MAC_LEN + 2;
}

size_t
icao_read_chunk_fit(size_t max_rapdu, size_t block)
{
	size_t lo = 0, hi = ICAO_EXT_LE_MAX - 8, mid;

	if (block != 0 && block != 8 && block != 16)
		return 0;
	/* the response length grows with n: bisect for the largest n */
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (icao_sm_rapdu_len(mid + ICAO_READ_B1_HDR_MAX, block) <= max_rapdu)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}
