/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki_crl.c — write and re-sign the deployment CA's CRL (RFC 5280 v2).
 *
 * mbedTLS 2.28 parses CRLs but cannot write them, so the DER is built here
 * with mbedTLS's ASN.1 writer (which writes backwards from the end of a
 * buffer). The existing revocations are read back from the current CRL with
 * mbedTLS's CRL parser; the CRL itself is the only list of revoked serials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crl.h>

#include "egate/error.h"
#include "pki.h"
#include "pki_internal.h"

#define MAX_SERIAL 20	/* RFC 5280: at most 20 octets */

struct crl_entry {
	unsigned char serial[MAX_SERIAL];
	size_t serial_len;
	char when[16];	/* UTCTime YYMMDDhhmmssZ */
};

static void
utc_time(time_t t, char out[16])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 16, "%02u%02u%02u%02u%02u%02uZ", (unsigned)tm.tm_year % 100u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

/* Errors from the ASN.1 writer are negative; keep a running length. */
#define W(expr) do { int w_ = (expr); if (w_ < 0) return EG_ERR_OVERFLOW; len += (size_t)w_; } while (0)

static int
write_time(unsigned char **p, unsigned char *start, const char *t)
{
	return mbedtls_asn1_write_tagged_string(p, start, MBEDTLS_ASN1_UTC_TIME, t, strlen(t));
}

/* AlgorithmIdentifier ecdsa-with-SHA256, parameters absent (RFC 5758). */
static int
write_sigalg(unsigned char **p, unsigned char *start, size_t *outlen)
{
	size_t len = 0;

	W(mbedtls_asn1_write_oid(p, start, MBEDTLS_OID_ECDSA_SHA256,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_ECDSA_SHA256)));
	W(mbedtls_asn1_write_len(p, start, len));
	W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	*outlen = len;
	return EG_OK;
}

static int
write_tbs(unsigned char **p, unsigned char *start, struct pki_ca *ca,
    const struct crl_entry *e, size_t n, time_t now, int days, size_t *outlen)
{
	mbedtls_x509_crt *crt = pki_ca_crt(ca);
	char this_up[16], next_up[16];
	struct timeval tv;
	size_t len = 0;
	int r;

	utc_time(now, this_up);
	utc_time(now + (time_t)days * 86400, next_up);
	gettimeofday(&tv, NULL);

	/* crlExtensions [0] { SEQUENCE { Extension { crlNumber, OCTET STRING
	 * { INTEGER } } } }: the number only has to increase, and microseconds
	 * since 1970 do. */
	{
		size_t l0 = len, l1;
		mbedtls_mpi num;
		mbedtls_mpi_init(&num);
		r = mbedtls_mpi_lset(&num, 0) == 0 &&
		    mbedtls_mpi_add_int(&num, &num, tv.tv_sec) == 0 &&
		    mbedtls_mpi_mul_int(&num, &num, 1000000) == 0 &&
		    mbedtls_mpi_add_int(&num, &num, tv.tv_usec) == 0 ?
		    mbedtls_asn1_write_mpi(p, start, &num) : -1;
		mbedtls_mpi_free(&num);
		if (r < 0)
			return EG_ERR_OVERFLOW;
		len += (size_t)r;
		l1 = len - l0;
		W(mbedtls_asn1_write_len(p, start, l1));
		W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_OCTET_STRING));
		W(mbedtls_asn1_write_oid(p, start, MBEDTLS_OID_CRL_NUMBER,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_CRL_NUMBER)));
		W(mbedtls_asn1_write_len(p, start, len - l0));
		W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
		W(mbedtls_asn1_write_len(p, start, len - l0));
		W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
		W(mbedtls_asn1_write_len(p, start, len - l0));
		W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONTEXT_SPECIFIC |
		    MBEDTLS_ASN1_CONSTRUCTED | 0));
	}

	/* revokedCertificates, omitted when empty */
	if (n > 0) {
		size_t l0 = len;
		for (size_t i = n; i-- > 0;) {
			size_t l1 = len;
			W(write_time(p, start, e[i].when));
			W(mbedtls_asn1_write_raw_buffer(p, start, e[i].serial, e[i].serial_len));
			W(mbedtls_asn1_write_len(p, start, e[i].serial_len));
			W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_INTEGER));
			W(mbedtls_asn1_write_len(p, start, len - l1));
			W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
		}
		W(mbedtls_asn1_write_len(p, start, len - l0));
		W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	}
	W(write_time(p, start, next_up));
	W(write_time(p, start, this_up));
	/* issuer: the CA's subject, byte for byte */
	W(mbedtls_asn1_write_raw_buffer(p, start, crt->subject_raw.p, crt->subject_raw.len));
	{
		size_t al;
		if ((r = write_sigalg(p, start, &al)) != EG_OK)
			return r;
		len += al;
	}
	W(mbedtls_asn1_write_int(p, start, 1));	/* v2 */
	W(mbedtls_asn1_write_len(p, start, len));
	W(mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
	*outlen = len;
	return EG_OK;
}

/* Encode, sign and write the CRL with entries e[0..n). The TBS part is
 * encoded into `tbuf` first (to be hashed and signed), then the whole
 * CertificateList is assembled in `cbuf`. */
static int
write_crl(struct pki_ca *ca, const struct crl_entry *e, size_t n, int days)
{
	struct pki_rng rng;
	size_t cap = 1024 + n * 64, tbs_len, len = 0, sig_len = 0, al, pem_len = 0;
	unsigned char *tbuf = NULL, *cbuf = NULL, *pem = NULL, *p, *q;
	unsigned char hash[32], sig[MBEDTLS_ECDSA_MAX_LEN];
	char path[600];
	int ret, r;

	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((tbuf = malloc(cap)) == NULL || (cbuf = malloc(cap + 256)) == NULL ||
	    (pem = malloc(2 * cap + 1024)) == NULL)
		goto out;
	p = tbuf + cap;
	if ((ret = write_tbs(&p, tbuf, ca, e, n, time(NULL), days, &tbs_len)) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_sha256_ret(p, tbs_len, hash, 0) != 0 ||
	    mbedtls_pk_sign(pki_ca_key(ca), MBEDTLS_MD_SHA256, hash, sizeof(hash), sig,
	    &sig_len, mbedtls_ctr_drbg_random, &rng.drbg) != 0)
		goto out;
	/* CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue } */
	ret = EG_ERR_OVERFLOW;
	q = cbuf + cap + 256;
	if ((r = mbedtls_asn1_write_bitstring(&q, cbuf, sig, sig_len * 8)) < 0)
		goto out;
	len += (size_t)r;
	if (write_sigalg(&q, cbuf, &al) != EG_OK)
		goto out;
	len += al;
	if ((r = mbedtls_asn1_write_raw_buffer(&q, cbuf, p, tbs_len)) < 0)
		goto out;
	len += (size_t)r;
	if ((r = mbedtls_asn1_write_len(&q, cbuf, len)) < 0)
		goto out;
	len += (size_t)r;
	if ((r = mbedtls_asn1_write_tag(&q, cbuf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		goto out;
	len += (size_t)r;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_pem_write_buffer("-----BEGIN X509 CRL-----\n", "-----END X509 CRL-----\n",
	    q, len, pem, 2 * cap + 1024, &pem_len) != 0)
		goto out;
	ret = EG_ERR_INVAL;
	if (snprintf(path, sizeof(path), "%s/%s", pki_ca_dir(ca), PKI_CA_CRL) >= (int)sizeof(path))
		goto out;
	/* pem_len counts the terminating NUL */
	ret = pki_write_file(path, pem, pem_len - 1, 0644, false);
out:
	free(pem);
	free(cbuf);
	free(tbuf);
	pki_rng_free(&rng);
	return ret;
}
#undef W

/* Read the revocations in the CA's current CRL (missing CRL: none). */
static int
load_entries(struct pki_ca *ca, struct crl_entry **out, size_t *n)
{
	mbedtls_x509_crl crl;
	char path[600];
	size_t cap = 0;
	int ret = EG_OK;

	*out = NULL;
	*n = 0;
	mbedtls_x509_crl_init(&crl);
	if (snprintf(path, sizeof(path), "%s/%s", pki_ca_dir(ca), PKI_CA_CRL) >= (int)sizeof(path))
		return EG_ERR_INVAL;
	if (access(path, F_OK) != 0)
		return EG_OK;
	if (mbedtls_x509_crl_parse_file(&crl, path) != 0) {
		ret = EG_ERR_CERT;
		goto out;
	}
	for (mbedtls_x509_crl_entry *e = &crl.entry; e != NULL; e = e->next) {
		if (e->serial.len == 0)
			continue;	/* mbedTLS's empty head entry */
		if (e->serial.len > MAX_SERIAL) {
			ret = EG_ERR_CERT;
			goto out;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct crl_entry *ne = realloc(*out, cap * sizeof(**out));
			if (ne == NULL) {
				ret = EG_ERR_NOMEM;
				goto out;
			}
			*out = ne;
		}
		struct crl_entry *d = &(*out)[(*n)++];
		memcpy(d->serial, e->serial.p, e->serial.len);
		d->serial_len = e->serial.len;
		snprintf(d->when, sizeof(d->when), "%02d%02d%02d%02d%02d%02dZ",
		    e->revocation_date.year % 100, e->revocation_date.mon,
		    e->revocation_date.day, e->revocation_date.hour,
		    e->revocation_date.min, e->revocation_date.sec);
	}
out:
	mbedtls_x509_crl_free(&crl);
	if (ret != EG_OK) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

int
pki_ca_publish_crl(struct pki_ca *ca, int days)
{
	struct crl_entry *e;
	size_t n;
	int ret;

	if (days <= 0)
		return EG_ERR_INVAL;
	if ((ret = load_entries(ca, &e, &n)) != EG_OK)
		return ret;
	ret = write_crl(ca, e, n, days);
	free(e);
	return ret;
}

int
pki_ca_revoke(struct pki_ca *ca, const char *crt_path)
{
	mbedtls_x509_crt crt;
	struct crl_entry *e = NULL, *ne;
	uint32_t flags = 0;
	size_t n = 0;
	int ret = EG_ERR_CERT;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_file(&crt, crt_path) != 0)
		goto out;
	/* issued by this CA? (expired or not yet valid does not matter here) */
	if (mbedtls_x509_crt_verify(&crt, pki_ca_crt(ca), NULL, NULL, &flags, NULL, NULL) != 0 &&
	    (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) != 0)
		goto out;
	if (crt.serial.len == 0 || crt.serial.len > MAX_SERIAL)
		goto out;
	if ((ret = load_entries(ca, &e, &n)) != EG_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (e[i].serial_len == crt.serial.len &&
		    memcmp(e[i].serial, crt.serial.p, crt.serial.len) == 0) {
			ret = pki_ca_publish_crl(ca, 30);	/* already revoked */
			goto out;
		}
	}
	ret = EG_ERR_NOMEM;
	if ((ne = realloc(e, (n + 1) * sizeof(*e))) == NULL)
		goto out;
	e = ne;
	memcpy(e[n].serial, crt.serial.p, crt.serial.len);
	e[n].serial_len = crt.serial.len;
	utc_time(time(NULL), e[n].when);
	n++;
	ret = write_crl(ca, e, n, 30);
out:
	free(e);
	mbedtls_x509_crt_free(&crt);
	return ret;
}
