/* SPDX-License-Identifier: Apache-2.0 */
/* csca.c — CSCA trust store, master lists and CRLs (see csca.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "egate/error.h"
#include "docauth/cms.h"
#include "docauth/csca.h"
#include "der.h"

#define MAX_FILE (16u * 1024u * 1024u)	/* master lists are a few MB */

struct csca_store {
	mbedtls_x509_crt anchors;	/* integrator-installed */
	size_t n_anchors;
	mbedtls_x509_crt all;		/* anchors + master list CSCAs */
	size_t n_all;
	mbedtls_x509_crl crls;
	size_t n_crls;
};

int
csca_store_new(struct csca_store **out)
{
	struct csca_store *s;

	if (out == NULL)
		return EG_ERR_INVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return EG_ERR_NOMEM;
	mbedtls_x509_crt_init(&s->anchors);
	mbedtls_x509_crt_init(&s->all);
	mbedtls_x509_crl_init(&s->crls);
	*out = s;
	return EG_OK;
}

void
csca_store_free(struct csca_store **s)
{
	if (s == NULL || *s == NULL)
		return;
	mbedtls_x509_crt_free(&(*s)->anchors);
	mbedtls_x509_crt_free(&(*s)->all);
	mbedtls_x509_crl_free(&(*s)->crls);
	free(*s);
	*s = NULL;
}

static bool
looks_pem(const uint8_t *buf, size_t len)
{
	return len >= 11 && memmem(buf, len, "-----BEGIN", 10) != NULL;
}

/* Parse certificates (DER or PEM) into a temporary chain. */
static int
parse_certs(const uint8_t *buf, size_t len, mbedtls_x509_crt *tmp)
{
	int r;

	if (looks_pem(buf, len)) {
		uint8_t *z = malloc(len + 1);

		if (z == NULL)
			return EG_ERR_NOMEM;
		memcpy(z, buf, len);
		z[len] = '\0';
		r = mbedtls_x509_crt_parse(tmp, z, len + 1);
		free(z);
		/* >0: some certificates in the bundle failed */
		return r == 0 ? EG_OK : EG_ERR_CERT;
	}
	return mbedtls_x509_crt_parse_der(tmp, buf, len) == 0 ? EG_OK : EG_ERR_CERT;
}

static int
add_one(struct csca_store *s, const mbedtls_x509_crt *c, bool anchor)
{
	if (!c->ca_istrue)
		return EG_ERR_CERT;
	if (anchor) {
		if (mbedtls_x509_crt_parse_der(&s->anchors, c->raw.p, c->raw.len) != 0)
			return EG_ERR_CERT;
		s->n_anchors++;
	}
	if (mbedtls_x509_crt_parse_der(&s->all, c->raw.p, c->raw.len) != 0)
		return EG_ERR_CERT;
	s->n_all++;
	return EG_OK;
}

int
csca_store_add_cert(struct csca_store *s, const uint8_t *buf, size_t len)
{
	mbedtls_x509_crt tmp;
	int ret;

	if (s == NULL || buf == NULL || len == 0)
		return EG_ERR_INVAL;
	mbedtls_x509_crt_init(&tmp);
	if ((ret = parse_certs(buf, len, &tmp)) != EG_OK)
		goto out;
	for (const mbedtls_x509_crt *c = &tmp; c != NULL && ret == EG_OK; c = c->next)
		if (!c->ca_istrue)
			ret = EG_ERR_CERT;	/* check all before adding any */
	for (const mbedtls_x509_crt *c = &tmp; c != NULL && ret == EG_OK; c = c->next)
		ret = add_one(s, c, true);
out:
	mbedtls_x509_crt_free(&tmp);
	return ret;
}

int
csca_store_add_crl(struct csca_store *s, const uint8_t *buf, size_t len)
{
	uint8_t *z = NULL;
	int ret = EG_ERR_CERT;

	if (s == NULL || buf == NULL || len == 0)
		return EG_ERR_INVAL;
	if (looks_pem(buf, len)) {
		if ((z = malloc(len + 1)) == NULL)
			return EG_ERR_NOMEM;
		memcpy(z, buf, len);
		z[len] = '\0';
		if (mbedtls_x509_crl_parse(&s->crls, z, len + 1) == 0)
			ret = EG_OK;
	} else if (mbedtls_x509_crl_parse_der(&s->crls, buf, len) == 0) {
		ret = EG_OK;
	}
	if (ret == EG_OK)
		s->n_crls++;
	free(z);
	return ret;
}

static bool
has_ext(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');

	for (; dot != NULL && *exts != NULL; exts++)
		if (strcasecmp(dot + 1, *exts) == 0)
			return true;
	return false;
}

static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf = NULL;
	int ret = EG_ERR_IO;

	*out = NULL;
	if (f == NULL)
		return EG_ERR_IO;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	ret = EG_ERR_OVERFLOW;
	if (st.st_size <= 0 || (size_t)st.st_size > MAX_FILE)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((buf = malloc((size_t)st.st_size)) == NULL)
		goto out;
	ret = EG_ERR_IO;
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		goto out;
	*out = buf;
	*len = (size_t)st.st_size;
	buf = NULL;
	ret = EG_OK;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int
load_dir(struct csca_store *s, const char *dir, const char *const *exts, bool crl,
    size_t *n_loaded, size_t *n_failed)
{
	DIR *d;
	struct dirent *e;
	size_t ok = 0, bad = 0;

	if (s == NULL || dir == NULL)
		return EG_ERR_INVAL;
	if ((d = opendir(dir)) == NULL)
		return EG_ERR_IO;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		uint8_t *buf;
		size_t len, before = crl ? s->n_crls : s->n_all;

		if (e->d_name[0] == '.' || !has_ext(e->d_name, exts))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    read_file(path, &buf, &len) != EG_OK) {
			bad++;
			continue;
		}
		if ((crl ? csca_store_add_crl(s, buf, len) : csca_store_add_cert(s, buf, len)) != EG_OK)
			bad++;
		ok += (crl ? s->n_crls : s->n_all) - before;
		free(buf);
	}
	closedir(d);
	if (n_loaded != NULL)
		*n_loaded = ok;
	if (n_failed != NULL)
		*n_failed = bad;
	return bad == 0 ? EG_OK : EG_ERR_CERT;
}

int
csca_store_load_dir(struct csca_store *s, const char *dir, size_t *n_loaded, size_t *n_failed)
{
	static const char *const exts[] = { "pem", "crt", "cer", "der", NULL };

	return load_dir(s, dir, exts, false, n_loaded, n_failed);
}

int
csca_store_load_crl_dir(struct csca_store *s, const char *dir, size_t *n_loaded,
    size_t *n_failed)
{
	static const char *const exts[] = { "crl", "pem", "der", NULL };

	return load_dir(s, dir, exts, true, n_loaded, n_failed);
}

#define REASON(...) do { if (reason != NULL) snprintf(reason, cap, __VA_ARGS__); } while (0)

int
csca_store_add_masterlist(struct csca_store *s, const uint8_t *buf, size_t len,
    time_t now, size_t *n_added, char *reason, size_t cap)
{
	struct cms_signed_data sd;
	mbedtls_x509_crt signer, list;
	struct eg_rbuf b, in, set;
	struct eg_tlv seq, t;
	char why[160];
	uint32_t flags = 0;
	size_t added = 0;
	long version;
	int ret;

	if (n_added != NULL)
		*n_added = 0;
	if (s == NULL || buf == NULL)
		return EG_ERR_INVAL;
	mbedtls_x509_crt_init(&signer);
	mbedtls_x509_crt_init(&list);
	REASON("ok");
	if ((ret = cms_parse(buf, len, &sd)) != EG_OK) {
		REASON("not a CMS SignedData: %s", eg_strerror(ret));
		ret = EG_ERR_FORMAT;
		goto out;
	}
	ret = EG_ERR_FORMAT;
	if (sd.econtent_type.len != DER_OID_LEN(DER_OID_CSCA_ML) ||
	    memcmp(sd.econtent_type.p, DER_OID_CSCA_ML, sd.econtent_type.len) != 0) {
		REASON("eContentType is not id-icao-cscaMasterList");
		goto out;
	}
	if ((ret = cms_check_message_digest(&sd, why, sizeof(why))) != EG_OK) {
		REASON("%s", why);
		ret = ret == EG_ERR_AUTH ? EG_ERR_AUTH : EG_ERR_FORMAT;
		goto out;
	}
	if ((ret = cms_signer_cert(&sd, &signer)) != EG_OK) {
		REASON("master list signer certificate missing or unparsable");
		ret = EG_ERR_CERT;
		goto out;
	}
	if ((ret = cms_verify_signature(&sd, &signer.pk, why, sizeof(why))) != EG_OK) {
		REASON("master list signature: %s", why);
		ret = EG_ERR_AUTH;
		goto out;
	}
	/* The signer must chain to an anchor. Time is checked against `now`
	 * below rather than the system clock mbedTLS uses. */
	ret = EG_ERR_CERT;
	if (s->n_anchors == 0) {
		REASON("no CSCA anchors installed to verify the master list signer");
		goto out;
	}
	if (mbedtls_x509_crt_verify_with_profile(&signer, &s->anchors, NULL, &der_x509_profile,
	    NULL, &flags, NULL, NULL) != 0 &&
	    (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) != 0) {
		REASON("master list signer does not chain to an installed CSCA (flags 0x%x)",
		    (unsigned)flags);
		goto out;
	}
	if (der_time_cmp(&signer.valid_from, now) > 0 || der_time_cmp(&signer.valid_to, now) < 0) {
		REASON("master list signer certificate not valid at the check time");
		goto out;
	}
	/* CscaMasterList ::= SEQUENCE { version INTEGER (v0), certList SET OF Certificate } */
	ret = EG_ERR_FORMAT;
	b = eg_rbuf_init(sd.econtent.p, sd.econtent.len);
	if (eg_tlv_expect(&b, 0x30, &seq) != EG_OK || eg_rbuf_left(&b) != 0) {
		REASON("CscaMasterList is not a SEQUENCE");
		goto out;
	}
	in = seq.value;
	if (eg_tlv_expect(&in, 0x02, &t) != EG_OK || der_int(&t, &version) != EG_OK ||
	    version != 0 || eg_tlv_expect(&in, 0x31, &t) != EG_OK || eg_rbuf_left(&in) != 0) {
		REASON("CscaMasterList version or certList malformed");
		goto out;
	}
	set = t.value;
	for (size_t i = 1; eg_rbuf_left(&set) > 0; i++) {
		if (eg_tlv_expect(&set, 0x30, &t) != EG_OK ||
		    mbedtls_x509_crt_parse_der(&list, t.raw, t.raw_len) != 0) {
			REASON("certificate %zu in the list does not parse", i);
			goto out;
		}
	}
	/* all parsed: add the CA certificates */
	ret = EG_OK;
	for (const mbedtls_x509_crt *c = &list; c != NULL && c->raw.len > 0; c = c->next) {
		if (!c->ca_istrue)
			continue;
		if ((ret = add_one(s, c, false)) != EG_OK)
			goto out;
		added++;
	}
	REASON("master list accepted: %zu CSCA certificates", added);
out:
	if (n_added != NULL)
		*n_added = added;
	mbedtls_x509_crt_free(&list);
	mbedtls_x509_crt_free(&signer);
	return ret;
}

int
csca_store_load_masterlist_file(struct csca_store *s, const char *path, time_t now,
    size_t *n_added, char *reason, size_t cap)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if (n_added != NULL)
		*n_added = 0;
	if (s == NULL || path == NULL)
		return EG_ERR_INVAL;
	if ((ret = read_file(path, &buf, &len)) != EG_OK) {
		REASON("cannot read %s: %s", path, eg_strerror(ret));
		return ret;
	}
	ret = csca_store_add_masterlist(s, buf, len, now, n_added, reason, cap);
	free(buf);
	return ret;
}

int
csca_store_load_path(struct csca_store *s, const char *path, time_t now,
    size_t *n_loaded, size_t *n_failed, char *reason, size_t cap)
{
	static const char *const ml_ext[] = { "ml", NULL };
	struct stat st;
	size_t ok = 0, bad = 0, n;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret, last = EG_OK;

	if (s == NULL || path == NULL)
		return EG_ERR_INVAL;
	REASON("ok");
	if (stat(path, &st) != 0) {
		REASON("cannot read %s", path);
		ret = EG_ERR_IO;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d;
		struct dirent *e;

		if ((ret = csca_store_load_dir(s, path, &ok, &bad)) != EG_OK) {
			last = ret;
			REASON("%zu certificate file(s) in %s refused", bad, path);
		}
		if ((d = opendir(path)) == NULL) {
			ret = EG_ERR_IO;
			goto out;
		}
		while ((e = readdir(d)) != NULL) {
			char file[4096], why[200] = "file name too long";

			if (e->d_name[0] == '.' || !has_ext(e->d_name, ml_ext))
				continue;
			if (snprintf(file, sizeof(file), "%s/%s", path, e->d_name) >= (int)sizeof(file))
				ret = EG_ERR_INVAL;
			else
				ret = csca_store_load_masterlist_file(s, file, now, &n, why, sizeof(why));
			if (ret == EG_OK) {
				ok += n;
			} else {
				bad++;
				last = ret;
				REASON("%s: %s", e->d_name, why);
			}
		}
		closedir(d);
		ret = last;
		goto out;
	}
	if ((ret = read_file(path, &buf, &len)) != EG_OK) {
		REASON("cannot read %s", path);
		goto out;
	}
	n = s->n_all;
	if ((ret = csca_store_add_cert(s, buf, len)) == EG_OK) {
		ok = s->n_all - n;
	} else if ((ret = csca_store_add_masterlist(s, buf, len, now, &ok, reason, cap)) != EG_OK) {
		bad = 1;
	}
out:
	free(buf);
	if (n_loaded != NULL)
		*n_loaded = ok;
	if (n_failed != NULL)
		*n_failed = bad;
	return ret;
}

size_t
csca_store_count(const struct csca_store *s)
{
	return s != NULL ? s->n_all : 0;
}

size_t
csca_store_crl_count(const struct csca_store *s)
{
	return s != NULL ? s->n_crls : 0;
}

mbedtls_x509_crt *
csca_store_certs(struct csca_store *s)
{
	return s != NULL && s->n_all > 0 ? &s->all : NULL;
}

mbedtls_x509_crl *
csca_store_crls(struct csca_store *s)
{
	return s != NULL && s->n_crls > 0 ? &s->crls : NULL;
}
