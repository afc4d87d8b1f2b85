/* SPDX-License-Identifier: Apache-2.0 */
/* cardsec.c — EF.CardSecurity: parse and verify (see cardsec.h). */
#include <stdio.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "der.h"
#include "docauth/cardsec.h"
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
	    DER_OID_LEN(DER_OID_SECURITY_OBJECT)) != 0)
		return EG_ERR_FORMAT;
	if (lds_secinfos_parse(out->cms.econtent.p, out->cms.econtent.len,
	    &out->si) != EG_OK)
		return EG_ERR_FORMAT;
	return EG_OK;
}

/* the top of the chain the verification walked, as pa.c keeps it */
struct cs_top {
	mbedtls_x509_crt *top;
	int depth;
};

static int
cs_vrfy_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct cs_top *c = ctx;

	(void)flags;
	if (depth >= c->depth) {
		c->depth = depth;
		c->top = crt;
	}
	return 0;
}

/* the reason, when the caller wants one (a literal format: checked) */
#define WHY(...) do { \
	if (why != NULL && cap > 0) \
		(void)snprintf(why, cap, __VA_ARGS__); \
} while (0)

int
cardsec_verify(const uint8_t *data, size_t len, struct csca_store *store,
    time_t check_time, struct cardsec *out, char *why, size_t cap)
{
	const uint32_t time_flags = MBEDTLS_X509_BADCERT_EXPIRED |
	    MBEDTLS_X509_BADCERT_FUTURE;
	struct cs_top top = { NULL, -1 };
	mbedtls_x509_crt ds, *cscas;
	char r[160], subj[128];
	uint32_t flags = 0;
	int ret;

	if (why != NULL && cap > 0)
		why[0] = '\0';
	mbedtls_x509_crt_init(&ds);
	if (out == NULL || data == NULL) {
		ret = EG_ERR_INVAL;
		goto out;
	}
	if ((ret = cardsec_parse(data, len, out)) != EG_OK) {
		WHY("EF.CardSecurity does not parse: %s",
		    eg_strerror(ret));
		goto out;
	}
	if ((ret = cms_check_message_digest(&out->cms, r, sizeof(r))) != EG_OK) {
		WHY("EF.CardSecurity: %s", r);
		goto out;
	}
	if (cms_signer_cert(&out->cms, &ds) != EG_OK) {
		ret = EG_ERR_CERT;
		WHY("EF.CardSecurity carries no Document Signer certificate "
		    "matching its signer");
		goto out;
	}
	if ((ret = cms_verify_signature(&out->cms, &ds.pk, r, sizeof(r))) != EG_OK) {
		if (ret != EG_ERR_UNSUPPORTED && ret != EG_ERR_FORMAT)
			ret = EG_ERR_AUTH;
		WHY("EF.CardSecurity signature: %s", r);
		goto out;
	}
	ret = EG_ERR_CERT;
	if (store == NULL || (cscas = csca_store_certs(store)) == NULL) {
		WHY("%s", "EF.CardSecurity: no CSCA certificates "
		    "installed");
		goto out;
	}
	if ((mbedtls_x509_crt_verify_with_profile(&ds, cscas, NULL,
	    &der_x509_profile, NULL, &flags, cs_vrfy_cb, &top) != 0 &&
	    (flags & ~time_flags) != 0) || top.top == NULL || top.top == &ds) {
		WHY("%s", "EF.CardSecurity: its Document Signer is "
		    "not issued by a trusted CSCA");
		goto out;
	}
	if (der_time_cmp(&ds.valid_from, check_time) > 0 ||
	    der_time_cmp(&ds.valid_to, check_time) < 0) {
		WHY("%s", "EF.CardSecurity: its Document Signer "
		    "certificate is not valid at the check time");
		goto out;
	}
	if (mbedtls_x509_dn_gets(subj, sizeof(subj), &ds.subject) < 0)
		snprintf(subj, sizeof(subj), "?");
	WHY("EF.CardSecurity signed by %s", subj);
	ret = EG_OK;
out:
	mbedtls_x509_crt_free(&ds);
	return ret;
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
