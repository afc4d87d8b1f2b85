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
#include <mbedtls/x509_crt.h>

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
	ret = pki_write_replace(path, pem, pem_len - 1, 0644, NULL, 0);
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

/* Add serial to the CRL (unless it is there) and re-sign it; *already
 * tells whether it was there. */
static int
crl_add(struct pki_ca *ca, const unsigned char *serial, size_t slen, bool *already)
{
	struct crl_entry *e = NULL, *ne;
	size_t n = 0;
	int ret;

	*already = false;
	if (slen == 0 || slen > MAX_SERIAL)
		return EG_ERR_CERT;
	if ((ret = load_entries(ca, &e, &n)) != EG_OK)
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (e[i].serial_len == slen && memcmp(e[i].serial, serial, slen) == 0) {
			*already = true;
			free(e);
			return pki_ca_publish_crl(ca, 30);
		}
	}
	ret = EG_ERR_NOMEM;
	if ((ne = realloc(e, (n + 1) * sizeof(*e))) == NULL)
		goto out;
	e = ne;
	memcpy(e[n].serial, serial, slen);
	e[n].serial_len = slen;
	utc_time(time(NULL), e[n].when);
	n++;
	ret = write_crl(ca, e, n, 30);
out:
	free(e);
	return ret;
}

/* Mark index record pos revoked (now) and save the index. */
static int
index_mark(struct pki_ca *ca, size_t pos, char *err, size_t errlen)
{
	struct pki_cert_rec *r = &pki_ca_index_mut(ca)->certs[pos];
	int ret;

	if (r->revoked)
		return EG_OK;
	r->revoked = true;
	r->revoked_at = time(NULL);
	if ((ret = pki_ca_index_save(ca, err, errlen)) != EG_OK) {
		/* the CRL has it; the index says so at the next (idempotent) revoke */
		r->revoked = false;
		r->revoked_at = 0;
	}
	return ret;
}

static int
hex_to_bin(const char *hex, unsigned char *out, size_t outsz, size_t *n)
{
	size_t len = strlen(hex);

	if (len == 0 || len % 2 != 0 || len / 2 > outsz)
		return EG_ERR_FORMAT;
	for (size_t i = 0; i < len; i += 2) {
		int v = 0;
		for (size_t k = 0; k < 2; k++) {
			char c = hex[i + k];
			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'A' && c <= 'F')
				v |= c - 'A' + 10;
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else
				return EG_ERR_FORMAT;
		}
		out[i / 2] = (unsigned char)v;
	}
	*n = len / 2;
	return EG_OK;
}

int
pki_ca_revoke_serial(struct pki_ca *ca, const char *serial, char *err, size_t errlen)
{
	const struct pki_index *idx = pki_ca_index(ca);
	unsigned char bin[MAX_SERIAL];
	size_t pos, n;
	bool already;
	int ret;

	if ((ret = pki_ca_find(ca, serial, &pos)) != EG_OK) {
		eg_errbuf(err, errlen, "serial %s: %s", serial, ret == EG_ERR_STATE ?
		    "matches several certificates; give more digits" :
		    ret == EG_ERR_NOT_FOUND ? "not in the index" : "not a serial (hex, at least 8 digits)");
		return ret;
	}
	if (idx->certs[pos].role == PKI_ROLE_CA) {
		eg_errbuf(err, errlen, "serial %s is the CA itself; retire the CA instead", serial);
		return EG_ERR_INVAL;
	}
	if (hex_to_bin(idx->certs[pos].serial, bin, sizeof(bin), &n) != EG_OK)
		return EG_ERR_FORMAT;
	if ((ret = crl_add(ca, bin, n, &already)) != EG_OK) {
		eg_errbuf(err, errlen, "cannot re-sign the CRL: %s", eg_strerror(ret));
		return ret;
	}
	return index_mark(ca, pos, err, errlen);
}

int
pki_ca_revoke_file(struct pki_ca *ca, const char *crt_path, char *err, size_t errlen)
{
	struct pki_index *idx = pki_ca_index_mut(ca);
	mbedtls_x509_crt crt;
	uint32_t flags = 0;
	char hex[PKI_SERIAL_HEX];
	bool already;
	int ret = EG_ERR_CERT;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_file(&crt, crt_path) != 0) {
		eg_errbuf(err, errlen, "%s is not a certificate", crt_path);
		goto out;
	}
	/* issued by this CA? (expired or not yet valid does not matter here) */
	if (mbedtls_x509_crt_verify(&crt, pki_ca_crt(ca), NULL, NULL, &flags, NULL, NULL) != 0 &&
	    (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) != 0) {
		eg_errbuf(err, errlen, "%s was not issued by this CA", crt_path);
		goto out;
	}
	if (crt.serial.len == 0 || crt.serial.len > MAX_SERIAL ||
	    pki_serial_hex(crt.serial.p, crt.serial.len, hex) != EG_OK) {
		eg_errbuf(err, errlen, "%s: unusable serial number", crt_path);
		goto out;
	}
	if ((ret = crl_add(ca, crt.serial.p, crt.serial.len, &already)) != EG_OK) {
		eg_errbuf(err, errlen, "cannot re-sign the CRL: %s", eg_strerror(ret));
		goto out;
	}
	for (size_t i = 0; i < idx->ncerts; i++) {
		if (strcmp(idx->certs[i].serial, hex) == 0) {
			ret = index_mark(ca, i, err, errlen);
			goto out;
		}
	}
	/* issued before the CA kept an index: record it now, revoked */
	{
		struct pki_cert_rec r, *nc;
		char ou[16] = "";
		const mbedtls_x509_name *nm;

		memset(&r, 0, sizeof(r));
		snprintf(r.serial, sizeof(r.serial), "%s", hex);
		for (nm = &crt.subject; nm != NULL; nm = nm->next) {
			char *dst = NULL;
			size_t cap = 0;
			if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &nm->oid) == 0) {
				dst = r.cn;
				cap = sizeof(r.cn);
			} else if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_ORG_UNIT, &nm->oid) == 0) {
				dst = ou;
				cap = sizeof(ou);
			}
			if (dst != NULL && nm->val.len < cap) {
				memcpy(dst, nm->val.p, nm->val.len);
				dst[nm->val.len] = '\0';
			}
		}
		ret = EG_ERR_CERT;
		if (pki_role_parse(ou, &r.role) != EG_OK || r.role == PKI_ROLE_CA || !pki_cn_ok(r.cn)) {
			eg_errbuf(err, errlen, "%s: revoked in the CRL, but its subject has no role "
			    "and CN this index can record", crt_path);
			goto out;
		}
		r.not_before = pki_x509_time(&crt.valid_from);
		r.not_after = pki_x509_time(&crt.valid_to);
		r.revoked = true;
		r.revoked_at = time(NULL);
		snprintf(r.origin, sizeof(r.origin), "import");
		ret = EG_ERR_NOMEM;
		if ((nc = realloc(idx->certs, (idx->ncerts + 1) * sizeof(*nc))) == NULL)
			goto out;
		idx->certs = nc;
		idx->certs[idx->ncerts++] = r;
		if ((ret = pki_ca_index_save(ca, err, errlen)) != EG_OK)
			idx->ncerts--;
	}
out:
	mbedtls_x509_crt_free(&crt);
	return ret;
}

int
pki_ca_revoke(struct pki_ca *ca, const char *crt_path)
{
	return pki_ca_revoke_file(ca, crt_path, NULL, 0);
}
