/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ca.h — Chip Authentication, ECDH (ICAO Doc 9303 Part 11 §6.2, BSI
 * TR-03110-1 CA version 1), terminal side and chip side, on mbedTLS.
 *
 *   DG14: ChipAuthenticationPublicKeyInfo (id-PK-ECDH, SubjectPublicKeyInfo
 *         of the chip's static key PK_IC) and ChipAuthenticationInfo
 *         (id-CA-ECDH-3DES-CBC-CBC / -AES-CBC-CMAC-128/192/256, keyId)
 *   terminal: ephemeral key pair (SK_T, PK_T) on PK_IC's domain parameters
 *   AES:  MSE:Set AT (0C 22 41 A4: 80 OID [, 84 keyId]) then GENERAL
 *         AUTHENTICATE (7C { 80 PK_T }) → 7C 00
 *   3DES: MSE:Set KAT (0C 22 41 A6: 91 PK_T [, 84 keyId])
 *   both: K = x(SK_T · PK_IC); KSenc = KDF(K, 1), KSmac = KDF(K, 2) with the
 *         cipher of the OID; the session switches to them with SSC = 0
 *         after the (old-key) response.
 *
 * The proof is implicit: only a chip holding SK_IC derives the same keys,
 * so the chip is authenticated when the first protected response AFTER
 * the switch verifies. A clone without SK_IC either answers with a MAC
 * that does not verify (EG_ERR_MAC) or cannot verify our MAC and answers
 * 6987/6988 in the clear (EG_ERR_CARD_STATUS). icao_ca_judge() turns the
 * result of that next command into the verdict.
 *
 * The commands run under the current secure-messaging session (BAC or
 * PACE), which must be attached to the channel and READY.
 */
#ifndef ICAO_CA_H
#define ICAO_CA_H

#include <stddef.h>
#include <stdint.h>

#include "icao/bac.h"	/* icao_rng_fn */
#include "icao/chan.h"
#include "icao/crypto.h"

#define ICAO_CA_OID_MAX		16
#define ICAO_CA_DO_EPK_GA	0x80	/* GA: ephemeral public key */
#define ICAO_CA_DO_EPK_KAT	0x91	/* MSE:Set KAT: ephemeral public key */
#define ICAO_MSE_SET_KAT_CA	0x41A6

/* struct icao_ca_params — what ChipAuthenticationInfo says. */
struct icao_ca_params {
	uint8_t oid[ICAO_CA_OID_MAX];	/* content bytes of id-CA-ECDH-* */
	size_t oid_len;
	enum icao_cipher cipher;
	long key_id;			/* -1: absent */
};

/*
 * icao_ca_params_init — from the dotted OID of ChipAuthenticationInfo
 * (0.4.0.127.0.7.2.2.3.2.1 .. .4) and its keyId (-1 if absent).
 * Errors: EG_ERR_INVAL, EG_ERR_UNSUPPORTED (DH, unknown OID).
 */
int icao_ca_params_init(struct icao_ca_params *p, const char *oid_dotted,
    long key_id);

/*
 * icao_ca_run — terminal side over ch (SM attached and READY). spki is
 * the DER SubjectPublicKeyInfo from DG14's ChipAuthenticationPublicKeyInfo:
 * id-ecPublicKey with a named curve, or explicit prime-field parameters
 * (as German and other DG14s carry them) that equal, in p, a, b, G and n,
 * a curve mbedTLS knows; parsed by our own bounded DER reader, since
 * mbedTLS 2.28 as built by Debian refuses explicit parameters. The key
 * must be an uncompressed point on the curve. One private key is drawn from
 * rng as described in pace.h. On EG_OK the session keys of the channel's
 * SM have been switched (SSC 0): the chip is NOT yet proven genuine (see
 * above). On failure before the switch, the old session stays as it was
 * (unless the transport or SM failed).
 * Errors: EG_ERR_STATE (no READY SM on ch), EG_ERR_UNSUPPORTED (not an
 * EC key, a curve mbedTLS lacks, e.g. brainpoolP224r1), EG_ERR_FORMAT /
 * EG_ERR_TRUNCATED (SPKI does not parse, or the GA response is not '7C'),
 * EG_ERR_PROTOCOL (PK_IC not on its curve), EG_ERR_CARD_STATUS (*sw),
 * EG_ERR_CRYPTO, SM and transport errors.
 */
int icao_ca_run(struct icao_chan *ch, const struct icao_ca_params *p,
    const uint8_t *spki, size_t spki_len, icao_rng_fn rng, void *rng_ctx,
    uint16_t *sw);

/* The verdict from the first protected command after icao_ca_run. */
enum icao_ca_result {
	ICAO_CA_PASS = 0,	/* the response verified under the new keys */
	ICAO_CA_FAIL,		/* EG_ERR_MAC, or 6987/6988 in the clear */
	ICAO_CA_INCONCLUSIVE,	/* another failure (transport, status) */
};
/* icao_ca_judge — err and sw as returned by that command. */
enum icao_ca_result icao_ca_judge(int err, uint16_t sw);
/* icao_ca_result_str — "pass", "fail", "inconclusive". */
const char *icao_ca_result_str(enum icao_ca_result r);

#endif
