/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cardsec.h — EF.CardSecurity (ICAO Doc 9303 Part 11 §9.2.2, BSI TR-03110-3
 * A.1.2): in the MF, a CMS SignedData signed by a Document Signer whose
 * eContent (id-SecurityObject, 0.4.0.127.0.7.3.2.1) is a SecurityInfos SET.
 * PACE with Chip Authentication Mapping takes the chip's static Chip
 * Authentication key from it (ChipAuthenticationPublicKeyInfo), so the
 * file must be verified first: the same checks passive authentication
 * makes of EF.SOD's signature (messageDigest, the signature with the
 * embedded DS certificate, the DS certificate issued by a trusted CSCA and
 * valid at the check time).
 *
 * The DS chain is built here with mbedtls_x509_crt_verify over the store's
 * CSCAs (time flags ignored, validity checked at the check time), as pa.c
 * does for EF.SOD; revocation of that DS is not checked here.
 */
#ifndef EGATE_DOCAUTH_CARDSEC_H
#define EGATE_DOCAUTH_CARDSEC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "docauth/cms.h"
#include "docauth/csca.h"
#include "docauth/lds.h"

/*
 * cardsec_parse — split EF.CardSecurity (untrusted, exactly len bytes)
 * into its CMS parts and parse the SecurityInfos. out->cms borrows data;
 * out->si's SPKI pointers too.
 * Errors: those of cms_parse, EG_ERR_FORMAT (another eContentType, a
 * SecurityInfos that does not parse).
 */
struct cardsec {
	struct cms_signed_data cms;
	struct lds_secinfos si;
};
int cardsec_parse(const uint8_t *data, size_t len, struct cardsec *out);

/*
 * cardsec_verify — cardsec_parse, then the signature checks above against
 * store at check_time. why (cap bytes, may be NULL) says what failed or
 * who signed. out is filled whenever the file parses (even when it does
 * not verify).
 * Returns EG_OK; EG_ERR_FORMAT / EG_ERR_TRUNCATED / EG_ERR_UNSUPPORTED
 * (does not parse); EG_ERR_AUTH (messageDigest or signature wrong);
 * EG_ERR_CERT (no DS certificate, not issued by a trusted CSCA, or not
 * valid at check_time); EG_ERR_INVAL.
 */
int cardsec_verify(const uint8_t *data, size_t len, struct csca_store *store,
    time_t check_time, struct cardsec *out, char *why, size_t cap);

/*
 * cardsec_ca_key — the ChipAuthenticationPublicKeyInfo to use: the one
 * whose keyId matches the ChipAuthenticationInfo (or the only one).
 * Returns the entry (borrowed from cs) or NULL.
 */
const struct lds_secinfo *cardsec_ca_key(const struct cardsec *cs);

#endif
