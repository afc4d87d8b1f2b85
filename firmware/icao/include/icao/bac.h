/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bac.h — Basic Access Control (ICAO Doc 9303 Part 11 §4.3, Appendix D).
 *
 *   Kseed = first 16 bytes of SHA-1(MRZ information)
 *   Kenc = KDF(Kseed, 1), Kmac = KDF(Kseed, 2)   (3DES, parity adjusted)
 *   terminal: S = RND.IFD || RND.IC || K.IFD; E.IFD = 3DES-CBC(Kenc, S);
 *             M.IFD = retail MAC(Kmac, E.IFD); send E.IFD || M.IFD
 *   chip:     E.IC || M.IC; we verify M.IC first, then decrypt
 *             R = RND.IC || RND.IFD || K.IC and check both nonces
 *   KSseed = K.IFD xor K.IC; KSenc = KDF(KSseed, 1); KSmac = KDF(KSseed, 2)
 *   SSC = RND.IC[4..7] || RND.IFD[4..7]
 *
 * The MRZ information is document number + check digit + date of birth +
 * check digit + date of expiry + check digit, as printed (e.g.
 * "L898902C<369080619406236"); MRZ parsing lives elsewhere.
 *
 * Random numbers come from an injectable callback with the signature of
 * mbedtls_ctr_drbg_random (0 = success), so production passes a ctr_drbg
 * context and tests pass fixed bytes.
 */
#ifndef ICAO_BAC_H
#define ICAO_BAC_H

#include <stddef.h>
#include <stdint.h>

#include "icao/chan.h"
#include "icao/iso7816.h"
#include "icao/sm.h"

/* Random source: fill len bytes at out; return 0 on success. */
typedef int (*icao_rng_fn)(void *ctx, unsigned char *out, size_t len);

/*
 * struct icao_bac — the state of one BAC run. Everything in it is secret:
 * caller-allocated, and wiped with icao_bac_wipe() when done (icao_bac_run
 * does that itself).
 */
struct icao_bac {
	uint8_t kenc[ICAO_BAC_K_LEN];
	uint8_t kmac[ICAO_BAC_K_LEN];
	uint8_t rnd_ic[ICAO_BAC_RND_LEN];
	uint8_t rnd_ifd[ICAO_BAC_RND_LEN];
	uint8_t k_ifd[ICAO_BAC_K_LEN];
	uint8_t k_ic[ICAO_BAC_K_LEN];	/* set by icao_bac_finish() */
};

/* icao_bac_wipe — zero the whole state. */
void icao_bac_wipe(struct icao_bac *bac);

/*
 * icao_bac_kseed — Kseed from the MRZ information (NUL-terminated, 0-9 A-Z
 * and '<', at least 24 characters, at most 64). kseed receives 16 bytes.
 * Errors: EG_ERR_INVAL (bad string), EG_ERR_CRYPTO.
 */
int icao_bac_kseed(const char *mrz_info, uint8_t kseed[ICAO_BAC_K_LEN]);

/* icao_bac_init — wipe bac, then derive Kenc and Kmac from the MRZ
 * information into it. Errors as icao_bac_kseed. */
int icao_bac_init(struct icao_bac *bac, const char *mrz_info);

/*
 * icao_bac_make_cmd — given the chip's challenge RND.IC, draw RND.IFD (8
 * bytes, first) and K.IFD (16 bytes, second) from rng and build E.IFD ||
 * M.IFD into cmd (40 bytes). Errors: EG_ERR_INVAL, EG_ERR_CRYPTO (also when
 * the RNG fails).
 */
int icao_bac_make_cmd(struct icao_bac *bac,
    const uint8_t rnd_ic[ICAO_BAC_RND_LEN], icao_rng_fn rng, void *rng_ctx,
    uint8_t cmd[ICAO_BAC_CMD_LEN]);

/*
 * icao_bac_finish — check the chip's answer (len bytes, untrusted; must be
 * 40: E.IC || M.IC). M.IC is verified in constant time before decrypting
 * (EG_ERR_MAC); then the echoed RND.IFD and RND.IC must match
 * (EG_ERR_AUTH). On success K.IC is kept in bac and the 3DES session keys
 * and SSC are installed in sm (READY).
 * Errors: EG_ERR_PROTOCOL (length), EG_ERR_MAC, EG_ERR_AUTH, EG_ERR_CRYPTO.
 */
int icao_bac_finish(struct icao_bac *bac, const uint8_t *resp, size_t len,
    struct icao_sm *sm);

/*
 * icao_bac_run — the whole protocol over ch: detach any SM session from ch,
 * GET CHALLENGE, MUTUAL AUTHENTICATE (EXTERNAL AUTHENTICATE with Le 28),
 * install session keys in sm and attach sm to ch. The BAC state is wiped
 * before return. *sw: the last status word.
 * Errors: those of icao_bac_init/make_cmd/finish, EG_ERR_CARD_STATUS (e.g.
 * 6300 or 6982 from the chip: wrong MRZ), EG_ERR_PROTOCOL, transport errors.
 */
int icao_bac_run(struct icao_chan *ch, const char *mrz_info, icao_rng_fn rng,
    void *rng_ctx, struct icao_sm *sm, uint16_t *sw);

#endif
