/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto.c — ICAO Doc 9303 Part 11 §9.7 symmetric primitives over mbedTLS.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/des.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "icao/crypto.h"

size_t
icao_cipher_key_len(enum icao_cipher c)
{
	switch (c) {
	case ICAO_CIPHER_3DES:
	case ICAO_CIPHER_AES128:
		return 16;
	case ICAO_CIPHER_AES192:
		return 24;
	case ICAO_CIPHER_AES256:
		return 32;
	}
	return 0;
}

size_t
icao_cipher_block_len(enum icao_cipher c)
{
	switch (c) {
	case ICAO_CIPHER_3DES:
		return 8;
	case ICAO_CIPHER_AES128:
	case ICAO_CIPHER_AES192:
	case ICAO_CIPHER_AES256:
		return 16;
	}
	return 0;
}

const char *
icao_cipher_name(enum icao_cipher c)
{
	switch (c) {
	case ICAO_CIPHER_3DES:
		return "3DES";
	case ICAO_CIPHER_AES128:
		return "AES-128";
	case ICAO_CIPHER_AES192:
		return "AES-192";
	case ICAO_CIPHER_AES256:
		return "AES-256";
	}
	return "unknown";
}

void
icao_des_set_parity(uint8_t *key, size_t n)
{
	/* mbedtls_des_key_set_parity works on 8 bytes at a time */
	for (size_t i = 0; i + 8 <= n; i += 8)
		mbedtls_des_key_set_parity(key + i);
}

int
icao_kdf(const uint8_t *k, size_t klen, uint32_t counter,
    enum icao_cipher cipher, uint8_t *out)
{
	uint8_t c[4] = {
		(uint8_t)(counter >> 24), (uint8_t)(counter >> 16),
		(uint8_t)(counter >> 8), (uint8_t)counter,
	};
	uint8_t h[32];
	size_t keylen = icao_cipher_key_len(cipher);
	mbedtls_sha1_context s1;
	mbedtls_sha256_context s2;
	int r = EG_ERR_INVAL;

	mbedtls_sha1_init(&s1);
	mbedtls_sha256_init(&s2);
	if (keylen == 0 || out == NULL || (k == NULL && klen > 0))
		goto out;
	r = EG_ERR_CRYPTO;
	if (cipher == ICAO_CIPHER_3DES || cipher == ICAO_CIPHER_AES128) {
		if (mbedtls_sha1_starts_ret(&s1) != 0 ||
		    mbedtls_sha1_update_ret(&s1, k, klen) != 0 ||
		    mbedtls_sha1_update_ret(&s1, c, sizeof(c)) != 0 ||
		    mbedtls_sha1_finish_ret(&s1, h) != 0)
			goto out;
	} else {
		if (mbedtls_sha256_starts_ret(&s2, 0) != 0 ||
		    mbedtls_sha256_update_ret(&s2, k, klen) != 0 ||
		    mbedtls_sha256_update_ret(&s2, c, sizeof(c)) != 0 ||
		    mbedtls_sha256_finish_ret(&s2, h) != 0)
			goto out;
	}
	memcpy(out, h, keylen);
	if (cipher == ICAO_CIPHER_3DES)
		icao_des_set_parity(out, keylen);
	r = EG_OK;
out:
	eg_memzero(h, sizeof(h));
	mbedtls_sha1_free(&s1);
	mbedtls_sha256_free(&s2);
	return r;
}

size_t
icao_pad_len(size_t len, size_t block)
{
	return block == 0 ? 0 : (len / block + 1) * block;
}

int
icao_pad(const uint8_t *in, size_t len, size_t block, uint8_t *out,
    size_t outcap, size_t *outlen)
{
	size_t n;

	if (block == 0 || (in == NULL && len > 0) || out == NULL)
		return EG_ERR_INVAL;
	n = icao_pad_len(len, block);
	if (n < len || n > outcap)
		return EG_ERR_OVERFLOW;
	if (len > 0 && in != out)
		memmove(out, in, len);
	out[len] = 0x80;
	memset(out + len + 1, 0, n - len - 1);
	*outlen = n;
	return EG_OK;
}

int
icao_unpad(const uint8_t *buf, size_t len, size_t block, size_t *outlen)
{
	size_t i;

	if (block == 0 || len == 0 || len % block != 0 || buf == NULL)
		return EG_ERR_FORMAT;
	/* the pad lies entirely within the last block */
	for (i = len; i > len - block; i--) {
		uint8_t c = buf[i - 1];

		if (c == 0x80) {
			*outlen = i - 1;
			return EG_OK;
		}
		if (c != 0x00)
			return EG_ERR_FORMAT;
	}
	return EG_ERR_FORMAT;
}

/* ISO 9797-1 MAC algorithm 3 over already padded data: single-DES CBC-MAC
 * with Ka, then the last block decrypted with Kb and encrypted with Ka. */
static int
retail_mac(const uint8_t key[16], const uint8_t *msg, size_t len,
    uint8_t mac[8])
{
	mbedtls_des_context ka, kb;
	uint8_t y[8] = { 0 };
	int r = EG_ERR_CRYPTO;

	mbedtls_des_init(&ka);
	mbedtls_des_init(&kb);
	if (mbedtls_des_setkey_enc(&ka, key) != 0 ||
	    mbedtls_des_setkey_dec(&kb, key + 8) != 0)
		goto out;
	for (size_t i = 0; i < len; i += 8) {
		for (size_t j = 0; j < 8; j++)
			y[j] ^= msg[i + j];
		if (mbedtls_des_crypt_ecb(&ka, y, y) != 0)
			goto out;
	}
	if (mbedtls_des_crypt_ecb(&kb, y, y) != 0 ||
	    mbedtls_des_setkey_enc(&kb, key) != 0 ||	/* reuse: Ka, encrypt */
	    mbedtls_des_crypt_ecb(&kb, y, y) != 0)
		goto out;
	memcpy(mac, y, 8);
	r = EG_OK;
out:
	eg_memzero(y, sizeof(y));
	mbedtls_des_free(&ka);
	mbedtls_des_free(&kb);
	return r;
}

static const mbedtls_cipher_info_t *
aes_ecb_info(enum icao_cipher c)
{
	switch (c) {
	case ICAO_CIPHER_AES128:
		return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
	case ICAO_CIPHER_AES192:
		return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_192_ECB);
	case ICAO_CIPHER_AES256:
		return mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_256_ECB);
	case ICAO_CIPHER_3DES:
		break;
	}
	return NULL;
}

int
icao_cmac8(enum icao_cipher cipher, const uint8_t *key, const uint8_t *msg,
    size_t len, uint8_t mac[8])
{
	const mbedtls_cipher_info_t *info = aes_ecb_info(cipher);
	uint8_t full[16];
	int r = EG_ERR_INVAL;

	if (info == NULL || key == NULL || mac == NULL || (msg == NULL && len > 0))
		goto out;
	r = EG_ERR_CRYPTO;
	if (mbedtls_cipher_cmac(info, key, icao_cipher_key_len(cipher) * 8,
	    msg, len, full) != 0)
		goto out;
	memcpy(mac, full, 8);
	r = EG_OK;
out:
	eg_memzero(full, sizeof(full));
	return r;
}

int
icao_mac(enum icao_cipher cipher, const uint8_t *key, const uint8_t *msg,
    size_t len, uint8_t mac[8])
{
	size_t block = icao_cipher_block_len(cipher);
	size_t plen = icao_pad_len(len, block);
	uint8_t *p = NULL;
	int r = EG_ERR_INVAL;

	if (block == 0 || key == NULL || mac == NULL || (msg == NULL && len > 0))
		goto out;
	r = EG_ERR_NOMEM;
	if (plen < len || (p = malloc(plen)) == NULL)
		goto out;
	if ((r = icao_pad(msg, len, block, p, plen, &plen)) != EG_OK)
		goto out;
	if (cipher == ICAO_CIPHER_3DES) {
		r = retail_mac(key, p, plen, mac);
		goto out;
	}
	r = icao_cmac8(cipher, key, p, plen, mac);
out:
	eg_secret_free(&p, plen);
	return r;
}

int
icao_cbc(enum icao_cipher cipher, int encrypt, const uint8_t *key,
    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t block = icao_cipher_block_len(cipher);
	uint8_t v[16] = { 0 };
	mbedtls_des3_context d;
	mbedtls_aes_context a;
	int r = EG_ERR_INVAL;

	mbedtls_des3_init(&d);
	mbedtls_aes_init(&a);
	if (block == 0 || key == NULL || len % block != 0 ||
	    (len > 0 && (in == NULL || out == NULL)))
		goto out;
	if (iv != NULL)
		memcpy(v, iv, block);
	r = EG_ERR_CRYPTO;
	if (cipher == ICAO_CIPHER_3DES) {
		if ((encrypt ? mbedtls_des3_set2key_enc(&d, key) :
		    mbedtls_des3_set2key_dec(&d, key)) != 0 ||
		    mbedtls_des3_crypt_cbc(&d, encrypt ? MBEDTLS_DES_ENCRYPT :
		    MBEDTLS_DES_DECRYPT, len, v, in, out) != 0)
			goto out;
	} else {
		unsigned bits = (unsigned)icao_cipher_key_len(cipher) * 8;

		if ((encrypt ? mbedtls_aes_setkey_enc(&a, key, bits) :
		    mbedtls_aes_setkey_dec(&a, key, bits)) != 0 ||
		    mbedtls_aes_crypt_cbc(&a, encrypt ? MBEDTLS_AES_ENCRYPT :
		    MBEDTLS_AES_DECRYPT, len, v, in, out) != 0)
			goto out;
	}
	r = EG_OK;
out:
	eg_memzero(v, sizeof(v));
	mbedtls_des3_free(&d);
	mbedtls_aes_free(&a);
	return r;
}

int
icao_ecb_block(enum icao_cipher cipher, const uint8_t *key,
    const uint8_t *in, uint8_t *out)
{
	/* one block of CBC with a zero IV is ECB */
	return icao_cbc(cipher, 1, key, NULL, in, icao_cipher_block_len(cipher),
	    out);
}
