/* SPDX-License-Identifier: Apache-2.0 */
/* cardsec.c — EF.CardSecurity: parse and verify (see cardsec.h). */
#include <stdio.h>
#include <string.h>

#include "der.h"
#include "docauth/cardsec.h"
#include "docauth/pa.h"
#include "egate/error.h"

int
cardsec_parse(const uint8_t *data, size_t len, struct cardsec *out)
{
	int ret;

	if (data == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = cms_parse(data, len, &out->cms)) != EG_OK)
		return ret;
	if (out->cms.econtent_type.len != DER_OID_LEN(DER_OID_SECURITY_OBJECT) ||
	    memcmp(out->cms.econtent_type.p, DER_OID_SECURITY_OBJECT,
	    DER_OID_LEN(DER_OID_SECURITY_OBJECT)) != 0 ||
	    lds_secinfos_parse(out->cms.econtent.p, out->cms.econtent.len, &out->si) != EG_OK) {
		cardsec_free(out);
		return EG_ERR_FORMAT;
	}
	return EG_OK;
}

void
cardsec_free(struct cardsec *cs)
{
	if (cs == NULL)
		return;
	cms_signed_data_free(&cs->cms);
	memset(cs, 0, sizeof(*cs));
}

int
cardsec_verify(const uint8_t *data, size_t len, struct csca_store *store,
    time_t check_time, struct cardsec *out, char *why, size_t cap)
{
	struct pa_result res;
	int ret;

	if (why != NULL && cap > 0)
		why[0] = '\0';
	if (out == NULL || data == NULL)
		return EG_ERR_INVAL;
	if ((ret = cardsec_parse(data, len, out)) != EG_OK) {
		if (why != NULL && cap > 0)
			snprintf(why, cap, "EF.CardSecurity does not parse: %s", eg_strerror(ret));
		return ret;
	}
	pa_card_security(data, len, store, check_time, &res);
	if (why != NULL && cap > 0)
		snprintf(why, cap, "%s", res.reason);
	if (res.status == PA_PASS)
		return EG_OK;
	switch (res.code) {
	case PA_R_DIGEST_MISMATCH:
	case PA_R_SIGNATURE_INVALID:
		return EG_ERR_AUTH;
	case PA_R_MALFORMED:
	case PA_R_ATTRIBUTES_MISSING:
		return EG_ERR_FORMAT;
	case PA_R_SIGNATURE_UNSUPPORTED:
		return EG_ERR_UNSUPPORTED;
	default:
		return EG_ERR_CERT;	/* signer missing, untrusted, not a DS, expired */
	}
}

const struct lds_secinfo *
cardsec_ca_key(const struct cardsec *cs)
{
	const struct lds_secinfo *info = NULL;

	if (cs == NULL)
		return NULL;
	for (size_t i = 0; i < cs->si.n; i++)
		if (cs->si.si[i].kind == LDS_SI_CA_INFO && info == NULL)
			info = &cs->si.si[i];
	for (size_t i = 0; i < cs->si.n; i++) {
		const struct lds_secinfo *s = &cs->si.si[i];

		if (s->kind == LDS_SI_CA_PUBKEY && s->spki != NULL &&
		    (info == NULL || info->key_id < 0 || s->key_id < 0 ||
		    s->key_id == info->key_id))
			return s;
	}
	return NULL;
}
