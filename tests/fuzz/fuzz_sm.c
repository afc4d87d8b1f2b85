/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sm — arbitrary bytes through icao_sm_unwrap() with fixed keys.
 *
 * Byte 0 is a mode flag:
 *   bits 0-1  cipher (0 3DES, 1 AES-128, 2 AES-192, 3 AES-256)
 *   bit 2     "fix the MAC": the rest is DOs || SW1SW2 and the target
 *             appends a valid DO'8E' for those DOs, so the fuzzer gets past
 *             the MAC check into DO'99', decryption and unpadding
 *   bit 3     the wrapped command uses an odd INS (B1)
 *   bit 4     "build a correct response": the rest is plaintext || SW1SW2;
 *             the target encrypts it into DO'87' (DO'85' with bit 3), adds
 *             DO'99' and a valid DO'8E', and then unwrap MUST succeed and
 *             give back exactly that plaintext and status (an oracle for
 *             the whole unwrap path)
 * In mode 0 the SSC is set so that the ICAO Doc 9303 App. D.4 response to
 * the 18-byte READ BINARY verifies as is (a seed holds it).
 *
 * Invariants checked (abort on violation): unwrap either succeeds and
 * leaves the session READY, or fails and leaves it FAILED with no data
 * appended; a FAILED session refuses to wrap.
 */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/tlv.h"
#include "icao/crypto.h"
#include "icao/sm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* App. D KSenc / KSmac, and SSC = App. D SSC + 4 */
static const uint8_t ks_3des_enc[16] = {
	0x97, 0x9E, 0xC1, 0x3B, 0x1C, 0xBF, 0xE9, 0xDC,
	0xD0, 0x1A, 0xB0, 0xFE, 0xD3, 0x07, 0xEA, 0xE5 };
static const uint8_t ks_3des_mac[16] = {
	0xF1, 0xCB, 0x1F, 0x1F, 0xB5, 0xAD, 0xF2, 0x08,
	0x80, 0x6B, 0x89, 0xDC, 0x57, 0x9D, 0xC1, 0xF8 };
static const uint8_t ssc_3des[16] = {
	0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x2A };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum icao_cipher cs[4] = { ICAO_CIPHER_3DES,
		ICAO_CIPHER_AES128, ICAO_CIPHER_AES192, ICAO_CIPHER_AES256 };
	uint8_t kenc[32], kmac[32], ssc[16], mac[8], *resp = NULL, *m = NULL;
	uint8_t *crypt = NULL;
	const uint8_t off[4] = { 0x54, 0x02, 0x80, 0x00 };
	struct icao_apdu cmd = { .ins = 0xB0, .p2 = 4, .le = 0x12 };
	struct icao_sm *sm = NULL;
	struct eg_wbuf w, out;
	enum icao_cipher c;
	size_t rl, bs;
	uint16_t sw = 0;
	uint8_t mode;
	int r;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	c = cs[mode & 3];
	bs = icao_cipher_block_len(c);
	if (c == ICAO_CIPHER_3DES) {
		memcpy(kenc, ks_3des_enc, 16);
		memcpy(kmac, ks_3des_mac, 16);
		memcpy(ssc, ssc_3des, 16);
	} else {
		for (int i = 0; i < 32; i++) {
			kenc[i] = (uint8_t)(0x10 + i);
			kmac[i] = (uint8_t)(0x80 + i);
		}
		memset(ssc, 0, sizeof(ssc));
	}
	if (mode & 8) {
		cmd = (struct icao_apdu){ .ins = 0xB1, .data = off, .lc = 4, .le = 1000 };
	}
	eg_wbuf_init(&w, 70000, false);
	eg_wbuf_init(&out, 70000, true);
	if (icao_sm_new(&sm) != EG_OK ||
	    icao_sm_set_keys(sm, c, kenc, kmac, ssc) != EG_OK ||
	    icao_sm_wrap(sm, &cmd, &w) != EG_OK)
		abort();

	if ((mode & 16) && size >= 2) {
		/* DOs from plaintext: [87 01||C | 85 C] 99 SW, then as bit 2 */
		size_t pl = size - 2, cl = icao_pad_len(pl, bs), dl;
		uint8_t iv[16];
		struct eg_wbuf dos;

		if (icao_sm_get_ssc(sm, ssc) != bs)
			abort();
		for (size_t i = bs; i > 0; i--)
			if (++ssc[i - 1] != 0)
				break;
		memset(iv, 0, sizeof(iv));
		if (c != ICAO_CIPHER_3DES && icao_ecb_block(c, kenc, ssc, iv) != EG_OK)
			abort();
		eg_wbuf_init(&dos, 70000, false);
		if ((crypt = malloc(cl + 1)) == NULL)
			goto out;
		crypt[0] = 1;
		if (pl > 0) {
			if (icao_pad(data, pl, bs, crypt + 1, cl, &cl) != EG_OK ||
			    icao_cbc(c, 1, kenc, iv, crypt + 1, cl, crypt + 1) != EG_OK)
				abort();
			if ((mode & 8 ? eg_tlv_put(&dos, 0x85, crypt + 1, cl) :
			    eg_tlv_put(&dos, 0x87, crypt, cl + 1)) != EG_OK)
				abort();
		}
		if (eg_tlv_put(&dos, 0x99, data + pl, 2) != EG_OK ||
		    eg_wbuf_put(&dos, data + pl, 2) != EG_OK)
			abort();
		dl = dos.len - 2;
		rl = dl + 12;
		if ((resp = malloc(rl)) == NULL || (m = malloc(bs + dl)) == NULL) {
			eg_wbuf_free(&dos);
			goto out;
		}
		memcpy(m, ssc, bs);
		memcpy(m + bs, dos.data, dl);
		if (icao_mac(c, kmac, m, bs + dl, mac) != EG_OK)
			abort();
		memcpy(resp, dos.data, dl);
		resp[dl] = 0x8E;
		resp[dl + 1] = 8;
		memcpy(resp + dl + 2, mac, 8);
		memcpy(resp + dl + 10, data + pl, 2);
		eg_wbuf_free(&dos);
		r = icao_sm_unwrap(sm, resp, rl, &out, &sw);
		if (r != EG_OK || sw != (uint16_t)(data[pl] << 8 | data[pl + 1]) ||
		    out.len != pl || (pl > 0 && memcmp(out.data, data, pl) != 0))
			abort();
		goto out;
	} else if ((mode & 4) && size >= 2) {
		/* resp = DOs || 8E 08 MAC(SSC+1 || DOs) || SW */
		size_t dl = size - 2;

		rl = dl + 12;
		if ((resp = malloc(rl)) == NULL || (m = malloc(bs + dl + 1)) == NULL)
			goto out;
		if (icao_sm_get_ssc(sm, ssc) != bs)
			abort();
		for (size_t i = bs; i > 0; i--)
			if (++ssc[i - 1] != 0)
				break;
		memcpy(m, ssc, bs);
		memcpy(m + bs, data, dl);
		if (icao_mac(c, kmac, m, bs + dl, mac) != EG_OK)
			abort();
		memcpy(resp, data, dl);
		resp[dl] = 0x8E;
		resp[dl + 1] = 8;
		memcpy(resp + dl + 2, mac, 8);
		memcpy(resp + dl + 10, data + dl, 2);
	} else {
		rl = size;
		if ((resp = malloc(size > 0 ? size : 1)) == NULL)
			goto out;
		if (size > 0)
			memcpy(resp, data, size);
	}
	r = icao_sm_unwrap(sm, resp, rl, &out, &sw);
	if (r == EG_OK) {
		if (icao_sm_state(sm) != ICAO_SM_READY)
			abort();
		eg_wbuf_reset(&w);
		if (icao_sm_wrap(sm, &cmd, &w) != EG_OK)
			abort();
	} else {
		if (icao_sm_state(sm) != ICAO_SM_FAILED || out.len != 0)
			abort();
		eg_wbuf_reset(&w);
		if (icao_sm_wrap(sm, &cmd, &w) != EG_ERR_STATE)
			abort();
	}
out:
	free(crypt);
	free(resp);
	free(m);
	eg_wbuf_free(&w);
	eg_wbuf_free(&out);
	icao_sm_free(&sm);
	return 0;
}
