/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto.h — the symmetric cryptography of ICAO Doc 9303 Part 11 (§9.7),
 * built on mbedTLS primitives (DES/3DES, AES, CMAC, SHA-1, SHA-256):
 *
 *   - the key derivation function KDF(K, c);
 *   - the secure-messaging MAC: ISO 9797-1 MAC algorithm 3 ("retail MAC",
 *     DES, two keys) for 3DES, AES-CMAC truncated to 8 bytes for AES; both
 *     over data padded with ISO 9797-1 padding method 2;
 *   - CBC encryption/decryption (3DES with a zero IV; AES with the IV the
 *     caller gives, E(KSenc, SSC) in secure messaging);
 *   - padding method 2 (0x80 then zeros), and a strict unpadding.
 *
 * No function keeps state; keys are borrowed and every internal copy or
 * cipher context is wiped before return.
 */
#ifndef ICAO_CRYPTO_H
#define ICAO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* The block cipher of a secure channel (and of the KDF output). */
enum icao_cipher {
	ICAO_CIPHER_3DES = 0,	/* two-key 3DES (16-byte key) + retail MAC */
	ICAO_CIPHER_AES128,
	ICAO_CIPHER_AES192,
	ICAO_CIPHER_AES256,
};

#define ICAO_KEY_MAX	32
#define ICAO_BLOCK_MAX	16

/* icao_cipher_key_len — 16 for 3DES and AES-128, 24, 32; 0 if unknown. */
size_t icao_cipher_key_len(enum icao_cipher c);
/* icao_cipher_block_len — 8 for 3DES, 16 for AES; 0 if unknown. */
size_t icao_cipher_block_len(enum icao_cipher c);
/* icao_cipher_name — "3DES", "AES-128", ...; never NULL. */
const char *icao_cipher_name(enum icao_cipher c);

/*
 * icao_kdf — KDF(K, c) = H(K || c as 32-bit big endian), truncated:
 * 3DES: SHA-1, first 16 bytes, DES parity bits adjusted (Ka || Kb);
 * AES-128: SHA-1, first 16 bytes; AES-192/256: SHA-256, first 24/32 bytes.
 * out receives icao_cipher_key_len(cipher) bytes (caller storage).
 * Errors: EG_ERR_INVAL (unknown cipher, NULL), EG_ERR_CRYPTO.
 */
int icao_kdf(const uint8_t *k, size_t klen, uint32_t counter,
    enum icao_cipher cipher, uint8_t *out);

/* icao_des_set_parity — set the odd parity bit of each of n key bytes. */
void icao_des_set_parity(uint8_t *key, size_t n);

/*
 * icao_pad — ISO 9797-1 padding method 2: write in (len bytes) followed by
 * 0x80 and zeros up to a multiple of block into out, which holds outcap
 * bytes; the padded length goes to *outlen. in and out may be equal.
 * Always adds at least one byte. Errors: EG_ERR_OVERFLOW, EG_ERR_INVAL.
 */
int icao_pad(const uint8_t *in, size_t len, size_t block, uint8_t *out,
    size_t outcap, size_t *outlen);
/* icao_pad_len — the padded length of len bytes. */
size_t icao_pad_len(size_t len, size_t block);

/*
 * icao_unpad — strict removal of padding method 2 from len bytes (a
 * non-zero multiple of block): the last block must end in 0x80 followed by
 * only zero bytes. *outlen receives the unpadded length.
 * Errors: EG_ERR_FORMAT (bad padding or length).
 */
int icao_unpad(const uint8_t *buf, size_t len, size_t block, size_t *outlen);

/*
 * icao_mac — the 8-byte SM/BAC MAC of len bytes of msg: padding method 2 is
 * applied here, then retail MAC (3DES, key = Ka || Kb, 16 bytes) or AES-CMAC
 * (key of the cipher's length) truncated to 8 bytes.
 * Errors: EG_ERR_INVAL, EG_ERR_NOMEM, EG_ERR_CRYPTO.
 */
int icao_mac(enum icao_cipher cipher, const uint8_t *key, const uint8_t *msg,
    size_t len, uint8_t mac[8]);

/*
 * icao_cmac8 — AES-CMAC of len bytes of msg (no padding added: CMAC pads
 * internally), truncated to 8 bytes. This is the MAC of the PACE and CA
 * authentication tokens (Doc 9303 Part 11 §4.4.3.4: T = MAC(KSmac, PK));
 * icao_mac() uses it after padding for AES SM. Errors: EG_ERR_INVAL (not
 * an AES cipher), EG_ERR_CRYPTO.
 */
int icao_cmac8(enum icao_cipher cipher, const uint8_t *key, const uint8_t *msg,
    size_t len, uint8_t mac[8]);

/*
 * icao_cbc — CBC encryption (encrypt != 0) or decryption of len bytes (a
 * multiple of the block length) from in to out (may be equal). iv is a block
 * (NULL: all zeros, as for 3DES SM and BAC). Errors: EG_ERR_INVAL,
 * EG_ERR_CRYPTO.
 */
int icao_cbc(enum icao_cipher cipher, int encrypt, const uint8_t *key,
    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out);

/*
 * icao_ecb_block — encrypt one block in ECB mode (for the AES SM IV,
 * E(KSenc, SSC)). Errors as icao_cbc.
 */
int icao_ecb_block(enum icao_cipher cipher, const uint8_t *key,
    const uint8_t *in, uint8_t *out);

#endif
