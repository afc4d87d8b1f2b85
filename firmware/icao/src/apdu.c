/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apdu.c — command APDU encoding/decoding (ISO/IEC 7816-4 §5.1, cases 1–4,
 * short and extended), response splitting and status word names.
 */
#include <string.h>

#include "egate/error.h"
#include "icao/apdu.h"
#include "icao/iso7816.h"
#include "util.h"

int
icao_apdu_encode(const struct icao_apdu *a, struct eg_wbuf *w)
{
	size_t start = w->len;
	bool ext;
	int r = EG_ERR_INVAL;

	if (a->lc > ICAO_EXT_LC_MAX || a->le > ICAO_EXT_LE_MAX ||
	    (a->lc > 0 && a->data == NULL))
		goto out;
	ext = a->force_extended || a->lc > ICAO_SHORT_LC_MAX ||
	    a->le > ICAO_SHORT_LE_MAX;
	if ((r = eg_wbuf_u8(w, a->cla)) != EG_OK ||
	    (r = eg_wbuf_u8(w, a->ins)) != EG_OK ||
	    (r = eg_wbuf_u8(w, a->p1)) != EG_OK ||
	    (r = eg_wbuf_u8(w, a->p2)) != EG_OK)
		goto out;
	if (a->lc > 0) {
		if (ext) {
			if ((r = eg_wbuf_u8(w, 0)) != EG_OK ||
			    (r = eg_wbuf_be16(w, (uint16_t)a->lc)) != EG_OK)
				goto out;
		} else if ((r = eg_wbuf_u8(w, (uint8_t)a->lc)) != EG_OK) {
			goto out;
		}
		if ((r = icao_put(w, a->data, a->lc)) != EG_OK)
			goto out;
	}
	if (a->le > 0) {
		if (ext) {
			/* case 2E has the 00 marker byte; in 4E it came with Lc */
			if (a->lc == 0 && (r = eg_wbuf_u8(w, 0)) != EG_OK)
				goto out;
			/* 65536 encodes as 0000 */
			if ((r = eg_wbuf_be16(w, (uint16_t)(a->le & 0xFFFF))) != EG_OK)
				goto out;
		} else if ((r = eg_wbuf_u8(w, (uint8_t)(a->le & 0xFF))) != EG_OK) {
			goto out;
		}
	}
	r = EG_OK;
out:
	if (r != EG_OK && w->len > start)
		w->len = start;	/* leave w as it was */
	return r;
}

int
icao_apdu_decode(const uint8_t *c, size_t clen, struct icao_apdu *a)
{
	struct eg_rbuf b = icao_rbuf(c, clen);
	struct icao_apdu d;
	uint8_t b5;
	uint16_t v;
	size_t body;
	int r;

	memset(&d, 0, sizeof(d));
	if ((r = eg_rbuf_u8(&b, &d.cla)) != EG_OK ||
	    (r = eg_rbuf_u8(&b, &d.ins)) != EG_OK ||
	    (r = eg_rbuf_u8(&b, &d.p1)) != EG_OK ||
	    (r = eg_rbuf_u8(&b, &d.p2)) != EG_OK)
		goto out;
	body = eg_rbuf_left(&b);
	if (body == 0)
		goto done;		/* case 1 */
	(void)eg_rbuf_u8(&b, &b5);
	if (body == 1) {		/* case 2S */
		d.le = b5 == 0 ? 256u : b5;
		goto done;
	}
	r = EG_ERR_FORMAT;
	if (b5 != 0) {			/* case 3S / 4S */
		d.lc = b5;
		if (eg_rbuf_ptr(&b, d.lc, &d.data) != EG_OK)
			goto out;
		if (eg_rbuf_left(&b) == 1) {
			(void)eg_rbuf_u8(&b, &b5);
			d.le = b5 == 0 ? 256u : b5;
		} else if (eg_rbuf_left(&b) != 0) {
			goto out;
		}
		goto done;
	}
	/* extended */
	d.force_extended = true;
	if (eg_rbuf_be16(&b, &v) != EG_OK)
		goto out;
	if (eg_rbuf_left(&b) == 0) {	/* case 2E */
		d.le = v == 0 ? 65536u : v;
		goto done;
	}
	if (v == 0)
		goto out;
	d.lc = v;
	if (eg_rbuf_ptr(&b, d.lc, &d.data) != EG_OK)
		goto out;
	if (eg_rbuf_left(&b) == 2) {	/* case 4E */
		(void)eg_rbuf_be16(&b, &v);
		d.le = v == 0 ? 65536u : v;
	} else if (eg_rbuf_left(&b) != 0) {
		goto out;
	}
done:
	*a = d;
	r = EG_OK;
out:
	return r;
}

int
icao_rapdu_parse(const uint8_t *r, size_t rlen, struct eg_rbuf *data,
    uint16_t *sw)
{
	if (r == NULL || rlen < 2)
		return EG_ERR_TRUNCATED;
	*data = icao_rbuf(r, rlen - 2);
	*sw = (uint16_t)(r[rlen - 2] << 8 | r[rlen - 1]);
	return EG_OK;
}

/* Exact status words first, then families (mask applied to sw). */
static const struct {
	uint16_t sw, mask;
	const char *str;
} sw_table[] = {
	{ 0x9000, 0xFFFF, "success" },
	{ 0x6282, 0xFFFF, "end of file reached before Le bytes" },
	{ 0x6283, 0xFFFF, "selected file deactivated" },
	{ 0x6700, 0xFFFF, "wrong length" },
	{ 0x6881, 0xFFFF, "logical channel not supported" },
	{ 0x6882, 0xFFFF, "secure messaging not supported" },
	{ 0x6982, 0xFFFF, "security status not satisfied" },
	{ 0x6983, 0xFFFF, "authentication method blocked" },
	{ 0x6984, 0xFFFF, "reference data not usable" },
	{ 0x6985, 0xFFFF, "conditions of use not satisfied" },
	{ 0x6986, 0xFFFF, "command not allowed (no current EF)" },
	{ 0x6987, 0xFFFF, "expected SM data objects missing" },
	{ 0x6988, 0xFFFF, "incorrect SM data objects" },
	{ 0x6A80, 0xFFFF, "incorrect parameters in the data field" },
	{ 0x6A81, 0xFFFF, "function not supported" },
	{ 0x6A82, 0xFFFF, "file or application not found" },
	{ 0x6A86, 0xFFFF, "incorrect parameters P1-P2" },
	{ 0x6A88, 0xFFFF, "referenced data not found" },
	{ 0x6B00, 0xFFFF, "wrong parameters P1-P2 (offset outside the EF)" },
	{ 0x6D00, 0xFFFF, "instruction not supported" },
	{ 0x6E00, 0xFFFF, "class not supported" },
	{ 0x6F00, 0xFFFF, "no precise diagnosis" },
	{ 0x6100, 0xFF00, "more data available (GET RESPONSE)" },
	{ 0x63C0, 0xFFF0, "verification failed (retries left in low nibble)" },
	{ 0x6C00, 0xFF00, "wrong Le (retry with Le = SW2)" },
	{ 0x6200, 0xFF00, "warning, non-volatile memory unchanged" },
	{ 0x6300, 0xFF00, "warning, non-volatile memory changed" },
	{ 0x6400, 0xFF00, "execution error, non-volatile memory unchanged" },
	{ 0x6500, 0xFF00, "execution error, non-volatile memory changed" },
	{ 0x6800, 0xFF00, "functions in CLA not supported" },
	{ 0x6900, 0xFF00, "command not allowed" },
	{ 0x6A00, 0xFF00, "wrong parameters P1-P2" },
};

const char *
icao_sw_str(uint16_t sw)
{
	for (size_t i = 0; i < sizeof(sw_table) / sizeof(sw_table[0]); i++)
		if ((sw & sw_table[i].mask) == sw_table[i].sw)
			return sw_table[i].str;
	return "unknown status word";
}
