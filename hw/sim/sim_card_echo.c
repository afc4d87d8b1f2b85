/* SPDX-License-Identifier: Apache-2.0 */
/* sim_card_echo.c — the echo/file test card (see sim_card.h). */
#include <stdlib.h>
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "sim_card.h"

#define ECHO_BIG_LEN 3000

static const uint8_t echo_atr[] = {
	0x3B, 0x88, 0x80, 0x01, 0x45, 0x47, 0x41, 0x54, 0x45, 0x53, 0x49, 0x4D,
	0x00,
};
static const uint8_t echo_aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
/* EF.COM: LDS 1.7, Unicode 4.0.0, DG1 and DG2. */
static const uint8_t echo_ef_com[] = {
	0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30, 0x37, 0x5F, 0x36, 0x06,
	0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x5C, 0x02, 0x61, 0x75,
};

struct sim_echo_card {
	uint8_t big[ECHO_BIG_LEN];
	uint16_t selected;	/* FID, 0 when none */
};

int
sim_echo_card_new(struct sim_echo_card **out)
{
	size_t i;

	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return EG_ERR_NOMEM;
	for (i = 0; i < ECHO_BIG_LEN; i++)
		(*out)->big[i] = (uint8_t)(i * 7 % 251);
	return EG_OK;
}

void
sim_echo_card_free(struct sim_echo_card **c)
{
	if (c == NULL || *c == NULL)
		return;
	free(*c);
	*c = NULL;
}

const uint8_t *
sim_echo_card_file(const struct sim_echo_card *c, uint16_t fid, size_t *len)
{
	if (fid == 0x011E) {
		*len = sizeof(echo_ef_com);
		return echo_ef_com;
	}
	if (fid == 0x0101) {
		*len = ECHO_BIG_LEN;
		return c->big;
	}
	*len = 0;
	return NULL;
}

static int
echo_power_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	struct sim_echo_card *c = ctx;

	c->selected = 0;
	if (cap < sizeof(echo_atr))
		return EG_ERR_OVERFLOW;
	memcpy(atr, echo_atr, sizeof(echo_atr));
	*atr_len = sizeof(echo_atr);
	return EG_OK;
}

/* A parsed command APDU (ISO 7816-4 cases 1-4, short or extended). */
struct echo_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	size_t le;		/* 0 = no Le; 256 / 65536 for Le = 00 / 0000 */
};

static int
echo_parse(const uint8_t *c, size_t n, struct echo_apdu *a)
{
	struct eg_rbuf b = eg_rbuf_init(c, n);
	uint8_t b0;
	uint16_t w;

	memset(a, 0, sizeof(*a));
	if (eg_rbuf_u8(&b, &a->cla) || eg_rbuf_u8(&b, &a->ins) ||
	    eg_rbuf_u8(&b, &a->p1) || eg_rbuf_u8(&b, &a->p2))
		return EG_ERR_FORMAT;
	if (eg_rbuf_left(&b) == 0)
		return EG_OK;					/* case 1 */
	if (eg_rbuf_left(&b) == 1) {				/* case 2S */
		(void)eg_rbuf_u8(&b, &b0);
		a->le = b0 ? b0 : 256;
		return EG_OK;
	}
	(void)eg_rbuf_u8(&b, &b0);
	if (b0 != 0) {						/* 3S / 4S */
		a->lc = b0;
		if (eg_rbuf_ptr(&b, a->lc, &a->data))
			return EG_ERR_FORMAT;
		if (eg_rbuf_left(&b) == 1) {
			(void)eg_rbuf_u8(&b, &b0);
			a->le = b0 ? b0 : 256;
		}
		return eg_rbuf_left(&b) == 0 ? EG_OK : EG_ERR_FORMAT;
	}
	if (eg_rbuf_be16(&b, &w))
		return EG_ERR_FORMAT;
	if (eg_rbuf_left(&b) == 0) {				/* 2E */
		a->le = w ? w : 65536;
		return EG_OK;
	}
	a->lc = w;						/* 3E / 4E */
	if (w == 0 || eg_rbuf_ptr(&b, a->lc, &a->data))
		return EG_ERR_FORMAT;
	if (eg_rbuf_left(&b) == 2) {
		(void)eg_rbuf_be16(&b, &w);
		a->le = w ? w : 65536;
	}
	return eg_rbuf_left(&b) == 0 ? EG_OK : EG_ERR_FORMAT;
}

static int
echo_reply(uint8_t *r, size_t cap, size_t *rlen, const uint8_t *data,
    size_t n, uint16_t sw)
{
	if (n + 2 > cap)
		return EG_ERR_OVERFLOW;
	if (n > 0)
		memcpy(r, data, n);
	r[n] = (uint8_t)(sw >> 8);
	r[n + 1] = (uint8_t)sw;
	*rlen = n + 2;
	return EG_OK;
}

static int
echo_apdu(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *r, size_t cap,
    size_t *rlen)
{
	struct sim_echo_card *c = ctx;
	struct echo_apdu a;
	const uint8_t *f;
	size_t flen, off, n;

	if (echo_parse(capdu, clen, &a) != EG_OK)
		return echo_reply(r, cap, rlen, NULL, 0, 0x6700);
	if (a.cla == 0x00 && a.ins == 0xA4 && a.p1 == 0x04) {
		if (a.lc == sizeof(echo_aid) &&
		    memcmp(a.data, echo_aid, sizeof(echo_aid)) == 0)
			return echo_reply(r, cap, rlen, NULL, 0, 0x9000);
		return echo_reply(r, cap, rlen, NULL, 0, 0x6A82);
	}
	if (a.cla == 0x00 && a.ins == 0xA4 && a.p1 == 0x02 && a.lc == 2) {
		uint16_t fid = (uint16_t)(a.data[0] << 8 | a.data[1]);

		if (sim_echo_card_file(c, fid, &flen) == NULL)
			return echo_reply(r, cap, rlen, NULL, 0, 0x6A82);
		c->selected = fid;
		return echo_reply(r, cap, rlen, NULL, 0, 0x9000);
	}
	if (a.cla == 0x00 && a.ins == 0xB0) {
		if (c->selected == 0)
			return echo_reply(r, cap, rlen, NULL, 0, 0x6986);
		f = sim_echo_card_file(c, c->selected, &flen);
		off = (size_t)(a.p1 & 0x7f) << 8 | a.p2;
		if (off > flen)
			return echo_reply(r, cap, rlen, NULL, 0, 0x6B00);
		n = a.le < flen - off ? a.le : flen - off;
		return echo_reply(r, cap, rlen, f + off, n,
		    n < a.le ? 0x6282 : 0x9000);
	}
	if (a.cla == 0x80 && a.ins == 0x10)
		return echo_reply(r, cap, rlen, a.data, a.lc, 0x9000);
	return echo_reply(r, cap, rlen, NULL, 0, 0x6D00);
}

const struct sim_card_ops sim_echo_card_ops = {
	.power_on = echo_power_on,
	.apdu = echo_apdu,
};
