/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki_expiry.c — warnings before certificates and CRLs run out.
 *
 * egate-host logs them at start and on SIGHUP for its CA certificate, its
 * own certificate and its CRL (an expired CRL makes mbedTLS refuse every
 * client: "CRL expired"). `egate pki list` warns from the CA's index.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "egate/error.h"
#include "egate/log.h"
#include "pki.h"
#include "pki_internal.h"

int
pki_file_expiry(const char *path, time_t *end, bool *is_crl, char *cn, size_t cnlen)
{
	mbedtls_x509_crt crt;
	mbedtls_x509_crl crl;
	int ret = EG_ERR_CERT;

	if (cn != NULL && cnlen > 0)
		cn[0] = '\0';
	if (access(path, R_OK) != 0)
		return EG_ERR_IO;
	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crl_init(&crl);
	if (mbedtls_x509_crt_parse_file(&crt, path) == 0) {
		*end = pki_x509_time(&crt.valid_to);
		*is_crl = false;
		for (const mbedtls_x509_name *n = &crt.subject; cn != NULL && n != NULL; n = n->next) {
			if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 && n->val.len < cnlen) {
				memcpy(cn, n->val.p, n->val.len);
				cn[n->val.len] = '\0';
			}
		}
		ret = EG_OK;
	} else if (mbedtls_x509_crl_parse_file(&crl, path) == 0) {
		*end = pki_x509_time(&crl.next_update);
		*is_crl = true;
		ret = EG_OK;
	}
	mbedtls_x509_crl_free(&crl);
	mbedtls_x509_crt_free(&crt);
	return ret;
}

int
pki_log_expiry(const struct eg_log *lg, const char *const *paths, size_t n,
    int cert_days, int crl_days, time_t now)
{
	int count = 0;

	for (size_t i = 0; i < n; i++) {
		char cn[PKI_CN_MAX + 1], when[21];
		time_t end;
		bool is_crl;
		int rc;

		if (paths[i] == NULL || paths[i][0] == '\0')
			continue;
		if ((rc = pki_file_expiry(paths[i], &end, &is_crl, cn, sizeof(cn))) != EG_OK) {
			EG_LOG(lg, EG_LOG_WARN, "pki.unreadable", EG_STR("path", paths[i]), EG_ERRF(rc));
			continue;
		}
		pki_iso_time(end, when);
		if (now >= end) {
			EG_LOG(lg, EG_LOG_ERROR, "pki.expired", EG_STR("path", paths[i]),
			    EG_STR("what", is_crl ? "crl" : "certificate"), EG_STR("cn", cn),
			    EG_STR("end", when), EG_STR("effect", is_crl ?
			    "every client certificate is refused until the CRL is re-signed (egate pki crl)" :
			    "peers refuse this certificate; renew it (egate pki renew)"));
			count++;
		} else if (end - now <= (time_t)(is_crl ? crl_days : cert_days) * 86400) {
			EG_LOG(lg, EG_LOG_WARN, "pki.expiring", EG_STR("path", paths[i]),
			    EG_STR("what", is_crl ? "crl" : "certificate"), EG_STR("cn", cn),
			    EG_STR("end", when), EG_INT("days_left", (end - now) / 86400),
			    EG_STR("fix", is_crl ? "egate pki crl, then publish and reload" :
			    "egate pki renew, then install and restart"));
			count++;
		}
	}
	return count;
}
