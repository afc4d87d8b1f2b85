/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sm.h — ICAO Doc 9303 Part 11 §9.8 secure messaging (ISO 7816-4 SM with
 * CLA '0C'), for 3DES (BAC) and AES-128/192/256 (PACE, Chip Authentication).
 *
 * A session alternates strictly: wrap one command, then unwrap its
 * response. The send sequence counter (SSC) is incremented before each
 * wrap and before each unwrap. Any failure while unwrapping (bad MAC,
 * malformed or missing data objects, DO'99' not matching the outer status,
 * bad padding), a response without SM data objects, or a caller-signalled
 * transport failure puts the session in the FAILED state: the keys are
 * wiped and every further wrap/unwrap returns EG_ERR_STATE, so no APDU can
 * ever be sent under a session that lost integrity. A new key agreement
 * (BAC, PACE, CA) installs fresh keys with icao_sm_set_keys().
 *
 *   state    event          next
 *   IDLE     set_keys       READY
 *   READY    wrap ok        AWAIT
 *   READY    wrap error     FAILED (if the SSC had advanced) / READY
 *   AWAIT    unwrap ok      READY
 *   AWAIT    unwrap error   FAILED
 *   any      abort          FAILED
 *   any      close          IDLE
 *   any      set_keys       READY
 */
#ifndef ICAO_SM_H
#define ICAO_SM_H

#include <stddef.h>
#include <stdint.h>

#include "egate/buf.h"
#include "icao/apdu.h"
#include "icao/crypto.h"

struct icao_sm;

enum icao_sm_state {
	ICAO_SM_IDLE = 0,	/* no keys */
	ICAO_SM_READY,		/* keys installed, may wrap */
	ICAO_SM_AWAIT,		/* a command was wrapped, its response is due */
	ICAO_SM_FAILED,		/* integrity lost: keys wiped, refuses use */
};

/* icao_sm_new — an IDLE context. Errors: EG_ERR_NOMEM, EG_ERR_INVAL. */
int icao_sm_new(struct icao_sm **out);
/* icao_sm_free — wipe the keys, free, set *sm = NULL. NULL-safe. */
void icao_sm_free(struct icao_sm **sm);

/*
 * icao_sm_set_keys — install session keys (copied; the caller wipes its
 * own copies) and the initial SSC: block-length bytes (8 for 3DES, 16 for
 * AES), or NULL for all zeros (PACE, CA). Valid in any state; the context
 * becomes READY. Errors: EG_ERR_INVAL.
 */
int icao_sm_set_keys(struct icao_sm *sm, enum icao_cipher cipher,
    const uint8_t *ksenc, const uint8_t *ksmac, const uint8_t *ssc);

/* icao_sm_close — wipe the keys and return to IDLE (orderly end). */
void icao_sm_close(struct icao_sm *sm);
/* icao_sm_abort — wipe the keys and enter FAILED (transport lost a
 * wrapped command or its response: the SSCs are out of step). */
void icao_sm_abort(struct icao_sm *sm);

/* icao_sm_set_log — log every state transition to lg (borrowed; NULL: no
 * logging). Only states, events, the cipher name and error names are
 * logged, never keys or data. */
struct eg_log;
void icao_sm_set_log(struct icao_sm *sm, const struct eg_log *lg);

enum icao_sm_state icao_sm_state(const struct icao_sm *sm);
const char *icao_sm_state_str(enum icao_sm_state s);
/* icao_sm_cipher — the installed cipher (meaningful when not IDLE). */
enum icao_cipher icao_sm_cipher(const struct icao_sm *sm);
/* icao_sm_no_do99 — how many responses this context accepted without
 * DO'99' (authenticated by their MAC, outer status 9000); NULL: 0. */
unsigned icao_sm_no_do99(const struct icao_sm *sm);
/* icao_sm_get_ssc — copy the current SSC (block length bytes) to out
 * (ICAO_BLOCK_MAX bytes); returns its length, 0 when IDLE/FAILED. */
size_t icao_sm_get_ssc(const struct icao_sm *sm, uint8_t *out);

/*
 * icao_sm_wrap — protect cmd (CLA without SM bits) and append the protected
 * command APDU to out: CLA|'0C', the header MACed; data encrypted into
 * DO'87' (even INS, with padding indicator 01) or DO'85' (odd INS); Le in
 * DO'97' (one byte, or two for an extended Le); DO'8E' with the 8-byte MAC;
 * the outer Le is '00' (or '0000' when the command is extended because of
 * its data or its Le). Needs state READY; on success the state is AWAIT.
 * Errors: EG_ERR_STATE, EG_ERR_INVAL (SM bits already set, lengths; the
 * session stays READY), and EG_ERR_NOMEM / EG_ERR_OVERFLOW (out) /
 * EG_ERR_CRYPTO, which leave it FAILED because the SSC has already moved.
 */
int icao_sm_wrap(struct icao_sm *sm, const struct icao_apdu *cmd,
    struct eg_wbuf *out);

/*
 * icao_sm_unwrap — verify and decrypt a protected response APDU (rlen
 * bytes, untrusted). The data objects must be exactly [DO'87'|DO'85']
 * [DO'99'] DO'8E'. The MAC over SSC || DOs is compared in constant time
 * before anything is decrypted; then DO'99' must equal the outer SW1SW2;
 * then the cryptogram is decrypted and its padding strictly checked.
 * Without DO'99' (some chips and emulators omit it; JMRTD and other
 * reference readers accept that) the response is accepted only when its
 * MAC verifies and the outer status is 9000 (an unauthenticated error
 * status is never believed); icao_sm_no_do99() counts these. The
 * plaintext is appended to data (which should be a secret wbuf if the
 * caller cares) and the authenticated status word (DO'99') stored in *sw.
 * Returns EG_OK whatever that status word is; the caller judges it.
 * Errors (all put the context in FAILED and wipe the keys):
 *   EG_ERR_STATE      not AWAIT (no wrapped command, or already failed);
 *   EG_ERR_CARD_STATUS the response is a bare status word without SM data
 *                     objects (the chip has ended SM; *sw holds it);
 *   EG_ERR_TRUNCATED / EG_ERR_FORMAT  malformed, missing, misordered or
 *                     extra data objects, wrong DO'99'/'8E' length, bad
 *                     padding indicator or padding, no DO'99' with an
 *                     outer status other than 9000;
 *   EG_ERR_MAC        the MAC does not verify;
 *   EG_ERR_PROTOCOL   DO'99' differs from the outer status word;
 *   EG_ERR_NOMEM / EG_ERR_OVERFLOW (data), EG_ERR_CRYPTO.
 */
int icao_sm_unwrap(struct icao_sm *sm, const uint8_t *rapdu, size_t rlen,
    struct eg_wbuf *data, uint16_t *sw);

#endif
