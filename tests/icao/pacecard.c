/* SPDX-License-Identifier: Apache-2.0 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "icao/iso7816.h"
#include "pacecard.h"

int
fixed_rng(void *ctx, unsigned char *out, size_t len)
{
	struct fixed_rng *r = ctx;

	if (r->off + len > r->len)
		return -1;
	memcpy(out, r->b + r->off, len);
	r->off += len;
	return 0;
}

void
fixed_rng_add(struct fixed_rng *r, const uint8_t *b, size_t n)
{
	ck_assert_uint_le(r->len + n, sizeof(r->b));
	memcpy(r->b + r->len, b, n);
	r->len += n;
}

struct test_drbg {
	mbedtls_ctr_drbg_context d;
};

/* "entropy" for the DRBG: the label, repeated (deterministic tests) */
struct label_src {
	const char *label;
};

static int
label_entropy(void *ctx, unsigned char *out, size_t len)
{
	const struct label_src *l = ctx;
	size_t n = strlen(l->label);

	for (size_t i = 0; i < len; i++)
		out[i] = n > 0 ? (unsigned char)l->label[i % n] : (unsigned char)i;
	return 0;
}

struct test_drbg *
test_drbg_new(const char *label)
{
	struct test_drbg *d = calloc(1, sizeof(*d));
	struct label_src src = { label };

	ck_assert_ptr_nonnull(d);
	mbedtls_ctr_drbg_init(&d->d);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&d->d, label_entropy, &src,
	    (const unsigned char *)label, strlen(label)), 0);
	/* no reseeding from the (stack) source later */
	mbedtls_ctr_drbg_set_reseed_interval(&d->d, 1000000);
	return d;
}

void
test_drbg_free(struct test_drbg **d)
{
	if (*d == NULL)
		return;
	mbedtls_ctr_drbg_free(&(*d)->d);
	free(*d);
	*d = NULL;
}

int
test_drbg_rng(void *ctx, unsigned char *out, size_t len)
{
	struct test_drbg *d = ctx;

	return mbedtls_ctr_drbg_random(&d->d, out, len);
}

static uint16_t
pcd_ext(void *ctx, const struct icao_apdu *a, uint8_t *data, size_t cap,
    size_t *dlen)
{
	struct pacecard *pcd = ctx;
	struct eg_wbuf w;
	uint16_t sw = 0x6D00;

	*dlen = 0;
	if (pcd->extra != NULL &&
	    pcd->extra(pcd, a, data, cap, dlen, &sw))
		return sw;
	if (pcd->chip == NULL || pcd->sim->sm ||
	    (a->ins != ICAO_INS_MSE && a->ins != ICAO_INS_GENERAL_AUTH))
		return 0x6D00;
	eg_wbuf_init_fixed(&w, data, cap, false);
	ck_assert_int_eq(icao_pace_chip_apdu(pcd->chip, a, &w, &sw), EG_OK);
	*dlen = w.len;
	if (a->ins == ICAO_INS_GENERAL_AUTH) {
		pcd->ga_count++;
		if (pcd->corrupt_ga == pcd->ga_count && w.len > 0)
			data[w.len - 1] ^= 0x01;
	}
	if (a->ins == ICAO_INS_GENERAL_AUTH && sw == ICAO_SW_OK &&
	    (a->cla & ICAO_CLA_CHAIN) == 0) {
		enum icao_cipher c;
		uint8_t ke[32], km[32];

		ck_assert_int_eq(icao_pace_chip_session(pcd->chip, &c, ke, km),
		    EG_OK);
		/* takes effect for the next command: this answer is plain */
		pcd->sim->rk_cipher = c;
		memcpy(pcd->sim->rk_enc, ke, sizeof(ke));
		memcpy(pcd->sim->rk_mac, km, sizeof(km));
		pcd->sim->rekey = true;
	}
	return sw;
}

static int
pcd_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
    size_t rcap, size_t *rlen)
{
	struct pacecard *pcd = ctx;
	int r;

	if (pcd->nlog < PACECARD_LOG && clen <= sizeof(pcd->log[0])) {
		memcpy(pcd->log[pcd->nlog], capdu, clen);
		pcd->log_len[pcd->nlog++] = clen;
	}
	r = simchip_ops.transmit(pcd->sim, capdu, clen, rapdu, rcap, rlen);
	/* a plain exchange that asked for new keys (end of PACE) */
	if (pcd->sim->rekey && !pcd->sim->sm) {
		simchip_set_sm(pcd->sim, pcd->sim->rk_cipher, pcd->sim->rk_enc,
		    pcd->sim->rk_mac, NULL);
		pcd->sim->rekey = false;
	}
	return r;
}

const struct icao_card_ops pacecard_ops = { .transmit = pcd_transmit };

void
pacecard_init(struct pacecard *pcd, struct simchip *sim,
    struct icao_pace_chip *chip)
{
	memset(pcd, 0, sizeof(*pcd));
	pcd->sim = sim;
	pcd->chip = chip;
	sim->ext = pcd_ext;
	sim->ext_ctx = pcd;
}
