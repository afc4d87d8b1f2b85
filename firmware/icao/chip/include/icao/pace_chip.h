/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pace_chip.h — chip side of pace.h for simulators and tests only
 * (libegate_icao_chip; never linked into the product).
 */
#ifndef EGATE_ICAO_PACE_CHIP_H
#define EGATE_ICAO_PACE_CHIP_H

#include "icao/pace.h"

/* ---- chip side for simulators ------------------------------------------- */

struct icao_pace_chip;

/*
 * icao_pace_chip_new — the PACE responder of a simulated chip that
 * supports params (the PACEInfo in its EF.CardAccess), the MRZ information
 * mrz_info and optionally a CAN (NULL: none). Strings are used to derive
 * both Kπ at once and are not kept. rng borrowed. Errors: EG_ERR_INVAL,
 * EG_ERR_UNSUPPORTED, EG_ERR_NOMEM, EG_ERR_CRYPTO.
 */
int icao_pace_chip_new(const struct icao_pace_params *params,
    const char *mrz_info, const char *can, icao_rng_fn rng, void *rng_ctx,
    struct icao_pace_chip **out);
/* icao_pace_chip_set_cam_key — for CAM parameters: the chip's static Chip
 * Authentication private key (big endian, on the PACE curve; copied),
 * whose public key EF.CardSecurity carries. A CAM chip without it refuses
 * MSE:Set AT (6985). Errors: EG_ERR_INVAL, EG_ERR_STATE (not CAM). */
int icao_pace_chip_set_cam_key(struct icao_pace_chip *c, const uint8_t *priv,
    size_t len);
/* icao_pace_chip_free — wipe, free, *c = NULL. NULL-safe. */
void icao_pace_chip_free(struct icao_pace_chip **c);

/* icao_pace_chip_set_log — log every transition of the responder's state
 * table (idle → set → nonce → mapped → agreed → done; any error → idle)
 * as event icao.pace.chip.transition from= event= to= sw= (debug; notice
 * for refusals) to lg (borrowed; NULL: none). Never keys or data. */
struct eg_log;
void icao_pace_chip_set_log(struct icao_pace_chip *c, const struct eg_log *lg);

/*
 * icao_pace_chip_apdu — answer one plain command APDU (already decoded):
 * MSE:Set AT with P1P2 C1A4 (INS 22) or GENERAL AUTHENTICATE (INS 86).
 * GM and CAM answer step 2 with '82' PK_map; IM takes the nonce t ('81',
 * the key length) and answers an empty '82'; CAM adds '8A' A_IC to the
 * token of step 4. The response data (7C ...) is appended to resp and the status word
 * stored in *sw: 9000; 6A80 (wrong data: unknown OID or password ref,
 * malformed 7C, bad point); 6985 (out of sequence: GA without MSE, steps
 * out of order, chaining bit wrong); 6300 (the terminal's token is wrong:
 * wrong password); 6D00 (another INS). Any error status aborts the run
 * (a new MSE:Set AT starts again). Returns EG_OK whenever a status word
 * was produced; EG_ERR_NOMEM/OVERFLOW (resp), EG_ERR_CRYPTO otherwise.
 */
int icao_pace_chip_apdu(struct icao_pace_chip *c, const struct icao_apdu *cmd,
    struct eg_wbuf *resp, uint16_t *sw);

/*
 * icao_pace_chip_session — after the last GA answered 9000: the cipher and
 * session keys (caller storage of ICAO_KEY_MAX each, caller wipes) for the
 * simulator's SM, whose SSC starts at 0. Errors: EG_ERR_STATE.
 */
int icao_pace_chip_session(const struct icao_pace_chip *c,
    enum icao_cipher *cipher, uint8_t *ksenc, uint8_t *ksmac);

#endif
