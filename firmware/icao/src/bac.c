/* SPDX-License-Identifier: Apache-2.0 */
/* bac.c — Basic Access Control, ICAO Doc 9303 Part 11 §4.3. */
#include <string.h>

#include <mbedtls/sha1.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "icao/bac.h"
#include "icao/crypto.h"

#define MRZ_INFO_MIN	24
#define MRZ_INFO_MAX	64

void
icao_bac_wipe(struct icao_bac *bac)
{
	if (bac != NULL)
		eg_memzero(bac, sizeof(*bac));
}

int
icao_bac_kseed(const char *mrz_info, uint8_t kseed[ICAO_BAC_K_LEN])
{
	uint8_t h[20];
	size_t n;
	int r = EG_ERR_INVAL;

	if (mrz_info == NULL || kseed == NULL)
		goto out;
	n = strnlen(mrz_info, MRZ_INFO_MAX + 1);
	if (n < MRZ_INFO_MIN || n > MRZ_INFO_MAX)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char c = mrz_info[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '<'))
			goto out;
	}
	r = EG_ERR_CRYPTO;
	if (mbedtls_sha1_ret((const unsigned char *)mrz_info, n, h) != 0)
		goto out;
	memcpy(kseed, h, ICAO_BAC_K_LEN);
	r = EG_OK;
out:
	eg_memzero(h, sizeof(h));
	return r;
}

int
icao_bac_init(struct icao_bac *bac, const char *mrz_info)
{
	uint8_t seed[ICAO_BAC_K_LEN];
	int r = EG_ERR_INVAL;

	if (bac == NULL)
		goto out;
	icao_bac_wipe(bac);
	if ((r = icao_bac_kseed(mrz_info, seed)) != EG_OK ||
	    (r = icao_kdf(seed, sizeof(seed), ICAO_KDF_ENC, ICAO_CIPHER_3DES,
	    bac->kenc)) != EG_OK ||
	    (r = icao_kdf(seed, sizeof(seed), ICAO_KDF_MAC, ICAO_CIPHER_3DES,
	    bac->kmac)) != EG_OK)
		icao_bac_wipe(bac);
out:
	eg_memzero(seed, sizeof(seed));
	return r;
}

int
icao_bac_make_cmd(struct icao_bac *bac,
    const uint8_t rnd_ic[ICAO_BAC_RND_LEN], icao_rng_fn rng, void *rng_ctx,
    uint8_t cmd[ICAO_BAC_CMD_LEN])
{
	uint8_t s[32];
	int r = EG_ERR_INVAL;

	if (bac == NULL || rnd_ic == NULL || rng == NULL || cmd == NULL)
		goto out;
	r = EG_ERR_CRYPTO;
	memcpy(bac->rnd_ic, rnd_ic, ICAO_BAC_RND_LEN);
	if (rng(rng_ctx, bac->rnd_ifd, ICAO_BAC_RND_LEN) != 0 ||
	    rng(rng_ctx, bac->k_ifd, ICAO_BAC_K_LEN) != 0)
		goto out;
	memcpy(s, bac->rnd_ifd, 8);
	memcpy(s + 8, bac->rnd_ic, 8);
	memcpy(s + 16, bac->k_ifd, 16);
	if ((r = icao_cbc(ICAO_CIPHER_3DES, 1, bac->kenc, NULL, s, sizeof(s),
	    cmd)) != EG_OK ||
	    (r = icao_mac(ICAO_CIPHER_3DES, bac->kmac, cmd, 32, cmd + 32)) != EG_OK)
		goto out;
	r = EG_OK;
out:
	eg_memzero(s, sizeof(s));
	return r;
}

int
icao_bac_finish(struct icao_bac *bac, const uint8_t *resp, size_t len,
    struct icao_sm *sm)
{
	uint8_t mac[8], rr[32], seed[16], ksenc[16], ksmac[16], ssc[8];
	int r = EG_ERR_INVAL;

	if (bac == NULL || sm == NULL || (resp == NULL && len > 0))
		goto out;
	r = EG_ERR_PROTOCOL;
	if (len != ICAO_BAC_CMD_LEN)
		goto out;
	if ((r = icao_mac(ICAO_CIPHER_3DES, bac->kmac, resp, 32, mac)) != EG_OK)
		goto out;
	if (!eg_ct_equal(mac, resp + 32, 8)) {
		r = EG_ERR_MAC;
		goto out;
	}
	if ((r = icao_cbc(ICAO_CIPHER_3DES, 0, bac->kenc, NULL, resp, 32,
	    rr)) != EG_OK)
		goto out;
	/* R = RND.IC || RND.IFD || K.IC */
	if (!eg_ct_equal(rr + 8, bac->rnd_ifd, 8) ||
	    !eg_ct_equal(rr, bac->rnd_ic, 8)) {
		r = EG_ERR_AUTH;
		goto out;
	}
	memcpy(bac->k_ic, rr + 16, 16);
	for (size_t i = 0; i < 16; i++)
		seed[i] = (uint8_t)(bac->k_ifd[i] ^ bac->k_ic[i]);
	if ((r = icao_kdf(seed, 16, ICAO_KDF_ENC, ICAO_CIPHER_3DES, ksenc)) != EG_OK ||
	    (r = icao_kdf(seed, 16, ICAO_KDF_MAC, ICAO_CIPHER_3DES, ksmac)) != EG_OK)
		goto out;
	memcpy(ssc, bac->rnd_ic + 4, 4);
	memcpy(ssc + 4, bac->rnd_ifd + 4, 4);
	r = icao_sm_set_keys(sm, ICAO_CIPHER_3DES, ksenc, ksmac, ssc);
out:
	eg_memzero(mac, sizeof(mac));
	eg_memzero(rr, sizeof(rr));
	eg_memzero(seed, sizeof(seed));
	eg_memzero(ksenc, sizeof(ksenc));
	eg_memzero(ksmac, sizeof(ksmac));
	eg_memzero(ssc, sizeof(ssc));
	return r;
}

int
icao_bac_run(struct icao_chan *ch, const char *mrz_info, icao_rng_fn rng,
    void *rng_ctx, struct icao_sm *sm, uint16_t *sw)
{
	struct icao_bac bac;
	struct eg_wbuf resp;
	uint8_t rnd_ic[ICAO_BAC_RND_LEN], cmd[ICAO_BAC_CMD_LEN];
	int r = EG_ERR_INVAL;

	memset(&bac, 0, sizeof(bac));
	eg_wbuf_init(&resp, 256, true);
	if (sw != NULL)
		*sw = 0;
	if (ch == NULL || sm == NULL || sw == NULL || rng == NULL)
		goto out;
	/* BAC runs in the clear; an old session (maybe FAILED) goes away */
	icao_chan_set_sm(ch, NULL);
	icao_sm_close(sm);
	if ((r = icao_bac_init(&bac, mrz_info)) != EG_OK ||
	    (r = icao_get_challenge(ch, rnd_ic, sizeof(rnd_ic), sw)) != EG_OK ||
	    (r = icao_bac_make_cmd(&bac, rnd_ic, rng, rng_ctx, cmd)) != EG_OK ||
	    (r = icao_external_authenticate(ch, cmd, sizeof(cmd),
	    ICAO_BAC_CMD_LEN, &resp, sw)) != EG_OK ||
	    (r = icao_bac_finish(&bac, resp.data, resp.len, sm)) != EG_OK)
		goto out;
	icao_chan_set_sm(ch, sm);
out:
	icao_bac_wipe(&bac);
	eg_memzero(cmd, sizeof(cmd));
	eg_memzero(rnd_ic, sizeof(rnd_ic));
	eg_wbuf_free(&resp);
	return r;
}
