/* SPDX-License-Identifier: Apache-2.0 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/tlv.h"
#include "icao/iso7816.h"
#include "simchip.h"

#define SIM_MAX (70 * 1024)

struct simchip *
simchip_new(void)
{
	struct simchip *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	s->cur = -1;
	s->pend = malloc(SIM_MAX);
	ck_assert_ptr_nonnull(s->pend);
	return s;
}

void
simchip_free(struct simchip **s)
{
	if (*s == NULL)
		return;
	free((*s)->pend);
	free(*s);
	*s = NULL;
}

void
simchip_add_file(struct simchip *s, uint16_t fid, uint8_t sfi,
    const uint8_t *data, size_t len)
{
	ck_assert_uint_lt(s->nfiles, 8);
	s->files[s->nfiles++] = (struct simchip_file){ fid, sfi, data, len };
}

void
simchip_set_sm(struct simchip *s, enum icao_cipher c, const uint8_t *ksenc,
    const uint8_t *ksmac, const uint8_t *ssc)
{
	size_t kl = icao_cipher_key_len(c);

	s->sm = true;
	s->cipher = c;
	memcpy(s->ksenc, ksenc, kl);
	memcpy(s->ksmac, ksmac, kl);
	memset(s->ssc, 0, sizeof(s->ssc));
	if (ssc != NULL)
		memcpy(s->ssc, ssc, icao_cipher_block_len(c));
}

static void
put(uint8_t *r, size_t *rl, const void *d, size_t n)
{
	ck_assert_uint_le(*rl + n, SIM_MAX);
	memcpy(r + *rl, d, n);
	*rl += n;
}

static void
put_sw(uint8_t *r, size_t *rl, uint16_t sw)
{
	uint8_t b[2] = { (uint8_t)(sw >> 8), (uint8_t)sw };

	put(r, rl, b, 2);
}

static int
find_fid(struct simchip *s, uint16_t fid)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].fid == fid)
			return (int)i;
	return -1;
}

static int
find_sfi(struct simchip *s, uint8_t sfi)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].sfi == sfi)
			return (int)i;
	return -1;
}

static size_t
len_size(size_t n)
{
	return n < 0x80 ? 1 : n < 0x100 ? 2 : 3;
}

/* READ BINARY body: data at off, honouring the quirks. Writes data+SW. */
static void
do_read(struct simchip *s, size_t off, uint32_t le, bool odd, uint8_t *r,
    size_t *rl)
{
	const struct simchip_file *f;
	size_t avail, n, want, asked;
	uint8_t hdr[4];
	size_t hl = 0;
	bool short_read = false;

	s->reads++;
	if (le > s->max_le_seen)
		s->max_le_seen = le;
	if (s->cur < 0) {
		put_sw(r, rl, 0x6986);
		return;
	}
	f = &s->files[s->cur];
	if (off > f->len) {
		put_sw(r, rl, ICAO_SW_WRONG_P1P2);
		return;
	}
	want = le == 0 ? 256 : le;
	if (odd) {
		/* Le counts the DO'53' header too */
		want = want >= 2 ? want - 2 : 0;
		while (want > 0 && want + 1 + len_size(want) > le)
			want--;
	}
	asked = want;
	if (s->quirk != SIM_Q_NONE && want > s->max_le) {
		switch (s->quirk) {
		case SIM_Q_6282_EMPTY:
			put_sw(r, rl, ICAO_SW_EOF_BEFORE_LE);
			return;
		case SIM_Q_6C:
			put_sw(r, rl, (uint16_t)(0x6C00 | (s->max_le & 0xFF)));
			return;
		case SIM_Q_6700:
			put_sw(r, rl, ICAO_SW_WRONG_LENGTH);
			return;
		case SIM_Q_6282_PARTIAL:
			want = s->max_le;
			short_read = true;
			break;
		case SIM_Q_NONE:
			break;
		}
	}
	avail = f->len - off;
	n = want < avail ? want : avail;
	if (n < asked)
		short_read = true;
	if (odd) {
		hdr[hl++] = ICAO_DO_DISCRETIONARY;
		if (n > 255) {
			hdr[hl++] = 0x82;
			hdr[hl++] = (uint8_t)(n >> 8);
		} else if (n > 127) {
			hdr[hl++] = 0x81;
		}
		hdr[hl++] = (uint8_t)n;
		put(r, rl, hdr, hl);
	}
	put(r, rl, f->data + off, n);
	put_sw(r, rl, short_read ? ICAO_SW_EOF_BEFORE_LE : ICAO_SW_OK);
}

/* Plain command processing. */
static void
process(struct simchip *s, const struct icao_apdu *a, uint8_t *r, size_t *rl)
{
	struct eg_rbuf b;
	struct eg_tlv t;
	int i;

	switch (a->ins) {
	case ICAO_INS_SELECT:
		if (a->p1 == ICAO_SELECT_P1_DF_NAME) {
			put_sw(r, rl, a->lc == ICAO_AID_EMRTD_LEN &&
			    memcmp(a->data, ICAO_AID_EMRTD, a->lc) == 0 ?
			    ICAO_SW_OK : ICAO_SW_FILE_NOT_FOUND);
			return;
		}
		if (a->lc != 2 || (i = find_fid(s, (uint16_t)(a->data[0] << 8 |
		    a->data[1]))) < 0) {
			put_sw(r, rl, ICAO_SW_FILE_NOT_FOUND);
			return;
		}
		s->cur = i;
		put_sw(r, rl, ICAO_SW_OK);
		return;
	case ICAO_INS_READ_BINARY:
		if (a->p1 & 0x80) {
			if (s->sfi_sw != 0) {
				put_sw(r, rl, s->sfi_sw);
				return;
			}
			if ((i = find_sfi(s, a->p1 & 0x1F)) < 0) {
				put_sw(r, rl, ICAO_SW_FILE_NOT_FOUND);
				return;
			}
			s->cur = i;
			do_read(s, a->p2, a->le, false, r, rl);
			return;
		}
		do_read(s, (size_t)a->p1 << 8 | a->p2, a->le, false, r, rl);
		return;
	case ICAO_INS_READ_BINARY_ODD: {
		size_t off = 0;

		if (s->no_odd_ins) {
			put_sw(r, rl, 0x6D00);
			return;
		}
		b = eg_rbuf_init(a->data, a->lc);
		if (eg_tlv_expect(&b, ICAO_DO_OFFSET, &t) != EG_OK ||
		    eg_rbuf_left(&t.value) == 0 || eg_rbuf_left(&t.value) > 3) {
			put_sw(r, rl, 0x6A80);
			return;
		}
		for (const uint8_t *p = t.value.p; p < t.value.end; p++)
			off = off << 8 | *p;
		do_read(s, off, a->le, true, r, rl);
		return;
	}
	default:
		if (s->ext != NULL) {
			size_t dl = 0;
			uint16_t sw = s->ext(s->ext_ctx, a, r + *rl,
			    SIM_MAX - *rl - 2, &dl);

			*rl += dl;
			put_sw(r, rl, sw);
			return;
		}
		put_sw(r, rl, 0x6D00);
	}
}

static void
ssc_inc(struct simchip *s)
{
	for (size_t i = icao_cipher_block_len(s->cipher); i > 0; i--)
		if (++s->ssc[i - 1] != 0)
			break;
}

static void
iv_for(struct simchip *s, uint8_t *iv)
{
	memset(iv, 0, 16);
	if (s->cipher != ICAO_CIPHER_3DES)
		ck_assert_int_eq(icao_ecb_block(s->cipher, s->ksenc, s->ssc, iv), EG_OK);
}

/* Unprotect a command the way a chip does; false: SM error (6988). */
static bool
sm_in(struct simchip *s, const struct icao_apdu *a, struct icao_apdu *plain,
    uint8_t *dbuf)
{
	size_t bs = icao_cipher_block_len(s->cipher);
	uint8_t m[600], mac[8], iv[16];
	struct eg_rbuf b = eg_rbuf_init(a->data, a->lc);
	struct eg_tlv t, cry = { 0 }, le = { 0 };
	size_t ml = 0, n;
	bool have_cry = false, have_le = false;

	if ((a->cla & 0x0C) != 0x0C || a->lc > 500)
		return false;
	ssc_inc(s);
	memcpy(m, s->ssc, bs);
	ml = bs;
	m[ml] = a->cla; m[ml + 1] = a->ins; m[ml + 2] = a->p1; m[ml + 3] = a->p2;
	ck_assert_int_eq(icao_pad(m + ml, 4, bs, m + ml, sizeof(m) - ml, &n), EG_OK);
	ml += n;
	while (eg_rbuf_left(&b) > 0) {
		if (eg_tlv_read(&b, &t) != EG_OK)
			return false;
		if (t.tag == ICAO_DO_MAC) {
			if (eg_rbuf_left(&b) != 0 || eg_rbuf_left(&t.value) != 8)
				return false;
			if ((icao_mac(s->cipher, s->ksmac, m, ml, mac) != EG_OK ||
			    memcmp(mac, t.value.p, 8) != 0) && !s->ignore_cmd_mac)
				return false;
			break;
		}
		memcpy(m + ml, t.raw, t.raw_len);
		ml += t.raw_len;
		if (t.tag == ICAO_DO_CRYPTO_EVEN || t.tag == ICAO_DO_CRYPTO_ODD) {
			cry = t;
			have_cry = true;
		} else if (t.tag == ICAO_DO_LE) {
			le = t;
			have_le = true;
		} else {
			return false;
		}
	}
	*plain = *a;
	plain->cla = (uint8_t)(a->cla & ~0x0C);
	plain->lc = 0;
	plain->le = 0;
	if (have_cry) {
		struct eg_rbuf c = cry.value;
		size_t ul;

		if (cry.tag == ICAO_DO_CRYPTO_EVEN)
			(void)eg_rbuf_skip(&c, 1);
		iv_for(s, iv);
		if (icao_cbc(s->cipher, 0, s->ksenc, iv, c.p, eg_rbuf_left(&c),
		    dbuf) != EG_OK ||
		    icao_unpad(dbuf, eg_rbuf_left(&c), bs, &ul) != EG_OK)
			return false;
		plain->data = dbuf;
		plain->lc = ul;
	}
	if (have_le) {
		for (const uint8_t *p = le.value.p; p < le.value.end; p++)
			plain->le = plain->le << 8 | *p;
		if (plain->le == 0)
			plain->le = eg_rbuf_left(&le.value) == 1 ? 256 : 65536;
	}
	return true;
}

/* Protect a plain response r (data + SW) in place. */
static void
sm_out(struct simchip *s, bool odd, uint8_t *r, size_t *rl)
{
	size_t bs = icao_cipher_block_len(s->cipher), dl = *rl - 2, n, cl;
	uint8_t *o = malloc(SIM_MAX), *c = malloc(SIM_MAX), iv[16], mac[8];
	struct eg_wbuf w;

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(c);
	eg_wbuf_init_fixed(&w, o, SIM_MAX, false);
	ssc_inc(s);
	ck_assert_int_eq(eg_wbuf_put(&w, s->ssc, bs), EG_OK);
	if (dl > 0) {
		iv_for(s, iv);
		c[0] = 1;
		ck_assert_int_eq(icao_pad(r, dl, bs, c + 1, SIM_MAX - 1, &cl), EG_OK);
		ck_assert_int_eq(icao_cbc(s->cipher, 1, s->ksenc, iv, c + 1, cl,
		    c + 1), EG_OK);
		if (odd)
			ck_assert_int_eq(eg_tlv_put(&w, 0x85, c + 1, cl), EG_OK);
		else
			ck_assert_int_eq(eg_tlv_put(&w, 0x87, c, cl + 1), EG_OK);
	}
	ck_assert_int_eq(eg_tlv_put(&w, 0x99, r + dl, 2), EG_OK);
	ck_assert_int_eq(icao_mac(s->cipher, s->ksmac, w.data, w.len, mac), EG_OK);
	if (s->corrupt_next_mac) {
		mac[3] ^= 0x10;
		s->corrupt_next_mac = false;
	}
	ck_assert_int_eq(eg_tlv_put(&w, 0x8E, mac, 8), EG_OK);
	ck_assert_int_eq(eg_wbuf_put(&w, r + dl, 2), EG_OK);
	n = w.len - bs;
	memcpy(r, w.data + bs, n);
	*rl = n;
	free(o);
	free(c);
}

static int
sim_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
    size_t rcap, size_t *rlen)
{
	struct simchip *s = ctx;
	struct icao_apdu a, plain;
	uint8_t *r = malloc(SIM_MAX), dbuf[600];
	size_t rl = 0, n;
	int ret = EG_OK;

	ck_assert_ptr_nonnull(r);
	s->apdus++;
	s->last_clen = clen < sizeof(s->last_capdu) ? clen : sizeof(s->last_capdu);
	memcpy(s->last_capdu, capdu, s->last_clen);
	ck_assert_int_eq(icao_apdu_decode(capdu, clen, &a), EG_OK);
	if (a.ins == ICAO_INS_GET_RESPONSE && s->pend_len > s->pend_off) {
		memcpy(r, s->pend + s->pend_off, s->pend_len - s->pend_off);
		rl = s->pend_len - s->pend_off;
		s->pend_len = s->pend_off = 0;
		goto split;
	}
	if (s->sm) {
		if (!sm_in(s, &a, &plain, dbuf)) {
			s->sm = false;
			put_sw(r, &rl, ICAO_SW_SM_INCORRECT);
			goto split;
		}
		process(s, &plain, r, &rl);
		sm_out(s, (a.ins & 1) != 0, r, &rl);
		if (s->rekey) {
			simchip_set_sm(s, s->rk_cipher, s->rk_enc, s->rk_mac, NULL);
			s->rekey = false;
		}
	} else {
		process(s, &a, r, &rl);
	}
split:
	if (s->gr_chunk > 0 && rl - 2 > s->gr_chunk) {
		/* send gr_chunk bytes now, the rest after GET RESPONSE */
		size_t rest = rl - s->gr_chunk;	/* incl. SW */

		memcpy(s->pend, r + s->gr_chunk, rest);
		s->pend_len = rest;
		s->pend_off = 0;
		n = rest - 2;
		rl = s->gr_chunk;
		r[rl++] = ICAO_SW1_MORE_DATA;
		r[rl++] = (uint8_t)(n > 255 ? 0 : n);
	}
	if (rl > rcap) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	memcpy(rapdu, r, rl);
	*rlen = rl;
out:
	free(r);
	return ret;
}

const struct icao_card_ops simchip_ops = { .transmit = sim_transmit };
