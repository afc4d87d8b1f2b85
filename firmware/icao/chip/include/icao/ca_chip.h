/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ca_chip.h — chip side of ca.h for simulators and tests only
 * (libegate_icao_chip; never linked into the product).
 */
#ifndef EGATE_ICAO_CA_CHIP_H
#define EGATE_ICAO_CA_CHIP_H

#include "icao/ca.h"

/* ---- chip side for simulators ------------------------------------------ */

struct icao_ca_chip;

/*
 * icao_ca_chip_new — a CA responder with the static private key priv
 * (big-endian scalar, 1 <= priv < n, priv_len bytes) on the mbedTLS group
 * group_id. Copies everything. Errors: EG_ERR_INVAL (bad key),
 * EG_ERR_UNSUPPORTED, EG_ERR_NOMEM, EG_ERR_CRYPTO.
 */
int icao_ca_chip_new(const struct icao_ca_params *p, int group_id,
    const uint8_t *priv, size_t priv_len, struct icao_ca_chip **out);
/* icao_ca_chip_free — wipe, free, *c = NULL. NULL-safe. */
void icao_ca_chip_free(struct icao_ca_chip **c);

/*
 * icao_ca_chip_secinfos — append the chip's two SecurityInfos for DG14
 * (ChipAuthenticationInfo: OID, version 1, keyId if >= 0;
 * ChipAuthenticationPublicKeyInfo: id-PK-ECDH, the SPKI with a named
 * curve, keyId) to w, for the caller's SET. icao_ca_chip_spki — only the
 * SPKI DER. Errors: buffer errors, EG_ERR_CRYPTO.
 */
int icao_ca_chip_secinfos(const struct icao_ca_chip *c, struct eg_wbuf *w);
int icao_ca_chip_spki(const struct icao_ca_chip *c, struct eg_wbuf *w);

/*
 * icao_ca_chip_apdu — answer one command that arrived under SM (already
 * unwrapped): MSE:Set AT 41A4 (80 must be our OID, 84 our keyId), then
 * GENERAL AUTHENTICATE 7C { 80 PK_T } → '7C 00'; or MSE:Set KAT 41A6
 * with 91 PK_T. Status: 9000; 6A80 (wrong OID/keyId, bad point, malformed
 * data); 6985 (GA before MSE:Set AT); 6D00 (other INS). After a 9000 to the
 * key-agreement command, icao_ca_chip_session() hands out the new keys:
 * the simulator protects THIS response with the old keys and switches
 * (SSC 0) for the next command. Returns EG_OK whenever *sw was set.
 */
int icao_ca_chip_apdu(struct icao_ca_chip *c, const struct icao_apdu *cmd,
    struct eg_wbuf *resp, uint16_t *sw);

/*
 * icao_ca_chip_session — the keys of the last successful key agreement,
 * once: the call consumes them (a second call is EG_ERR_STATE).
 * Errors: EG_ERR_STATE.
 */
int icao_ca_chip_session(struct icao_ca_chip *c, enum icao_cipher *cipher,
    uint8_t *ksenc, uint8_t *ksmac);

#endif
