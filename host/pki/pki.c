/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki.c — the deployment CA: keys, certificates, the index, enrolment
 * tokens. See pki.h for the model and docs/security.md for the why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/keyfile.h"
#include "egate/secure.h"
#include "pki.h"
#include "pki_internal.h"

#define KEY_FILE_MAX (16 * 1024)
#define TOKEN_DAYS_MAX 365
#define LOCK_WAIT_MS 30000

struct pki_ca {
	char dir[PKI_PATH_MAX];
	int dfd;			/* the folder, flock'ed LOCK_EX */
	mbedtls_pk_context key;
	mbedtls_x509_crt crt;
	char issuer[PKI_CN_MAX + 32];	/* "CN=<name>,O=egate deployment" */
	struct pki_index idx;
};

static const char *const role_names[] = {
	[PKI_ROLE_HOST] = "host",
	[PKI_ROLE_KIOSK] = "kiosk",
	[PKI_ROLE_OFFICER] = "officer",
	[PKI_ROLE_UPDATE] = "update",
	[PKI_ROLE_CA] = "ca",
};

const char *
pki_role_str(enum pki_role r)
{
	if ((unsigned)r < sizeof(role_names) / sizeof(role_names[0]))
		return role_names[r];
	return NULL;
}

int
pki_role_parse(const char *s, enum pki_role *out)
{
	for (unsigned i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum pki_role)i;
			return EG_OK;
		}
	}
	return EG_ERR_INVAL;
}

static bool
issuable(enum pki_role r)
{
	return r == PKI_ROLE_HOST || r == PKI_ROLE_KIOSK || r == PKI_ROLE_OFFICER ||
	    r == PKI_ROLE_UPDATE;
}

int
pki_rng_init(struct pki_rng *r)
{
	static const char pers[] = "egate-pki";

	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	if (mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
	    (const unsigned char *)pers, sizeof(pers) - 1) != 0)
		return EG_ERR_CRYPTO;
	return EG_OK;
}

void
pki_rng_free(struct pki_rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
}

/* "YYYYMMDDhhmmss" (UTC), as mbedTLS's writer wants it. */
void
pki_time_str(time_t t, char out[15])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	/* unsigned and reduced: the compiler can see every field fits */
	snprintf(out, 15, "%04u%02u%02u%02u%02u%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

bool
pki_cn_ok(const char *cn)
{
	size_t n = strlen(cn);

	if (n == 0 || n > PKI_CN_MAX)
		return false;
	for (const char *p = cn; *p != '\0'; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The CA's own name: printable, no DN metacharacters, 1..64 bytes. */
static bool
ca_name_ok(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > PKI_CN_MAX || strpbrk(name, ",=+\"\\<>;#") != NULL)
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int
pki_serial_hex(const unsigned char *p, size_t n, char out[PKI_SERIAL_HEX])
{
	static const char hx[] = "0123456789ABCDEF";

	if (n == 0 || 2 * n >= PKI_SERIAL_HEX)
		return EG_ERR_OVERFLOW;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
	return EG_OK;
}

static int
path_in(char *out, size_t outsz, const char *dir, const char *name)
{
	return snprintf(out, outsz, "%s/%s", dir, name) < (int)outsz ? EG_OK : EG_ERR_INVAL;
}

/* ---- keys ---------------------------------------------------------------------- */

static int
gen_key(mbedtls_pk_context *pk, struct pki_rng *rng)
{
	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk),
	    mbedtls_ctr_drbg_random, &rng->drbg) != 0)
		return EG_ERR_CRYPTO;
	return EG_OK;
}

/* Load a private key under keyfile.h's rule, parsing from memory. */
static int
load_key(mbedtls_pk_context *pk, const char *path, char *err, size_t errlen)
{
	char *pem = NULL;
	size_t len = 0;
	int ret;

	if ((ret = eg_key_file_read(path, KEY_FILE_MAX, &pem, &len, err, errlen)) != EG_OK)
		return ret;
	ret = EG_OK;
	if (mbedtls_pk_parse_key(pk, (const unsigned char *)pem, len + 1, NULL, 0) != 0) {
		eg_errbuf(err, errlen, "%s is not a PEM private key", path);
		ret = EG_ERR_CRYPTO;
	}
	eg_secret_free(&pem, len + 1);
	return ret;
}

int
pki_key_create(const char *path)
{
	struct pki_rng rng;
	mbedtls_pk_context pk;
	unsigned char pem[1024];
	int ret;

	mbedtls_pk_init(&pk);
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	if (pki_exists(path)) {
		ret = EG_ERR_STATE;
		goto out;
	}
	if ((ret = gen_key(&pk, &rng)) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_pk_write_key_pem(&pk, pem, sizeof(pem)) != 0)
		goto out;
	ret = pki_write_new(path, pem, strlen((char *)pem), 0600, NULL, 0);
out:
	eg_memzero(pem, sizeof(pem));
	mbedtls_pk_free(&pk);
	pki_rng_free(&rng);
	return ret;
}

int
pki_secret_create(const char *path, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	struct pki_rng rng;
	unsigned char key[256];
	char text[2 * 256 + 2];
	int ret;

	if (len < 16 || len > sizeof(key))
		return EG_ERR_INVAL;
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_ctr_drbg_random(&rng.drbg, key, len) != 0)
		goto out;
	for (size_t i = 0; i < len; i++) {
		text[2 * i] = hx[key[i] >> 4];
		text[2 * i + 1] = hx[key[i] & 15];
	}
	text[2 * len] = '\n';
	ret = pki_write_new(path, text, 2 * len + 1, 0600, NULL, 0);
out:
	eg_memzero(key, sizeof(key));
	eg_memzero(text, sizeof(text));
	pki_rng_free(&rng);
	return ret;
}

/* ---- certificates (in memory) --------------------------------------------------- */

/* DER of ExtKeyUsageSyntax with the role's one purpose: serverAuth (1),
 * clientAuth (2) or codeSigning (3). */
static int
set_eku(mbedtls_x509write_cert *w, enum pki_role role)
{
	unsigned char eku[] = { 0x30, 0x0A, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x05,
		0x05, 0x07, 0x03, 0x01 };

	eku[11] = role == PKI_ROLE_HOST ? 0x01 : role == PKI_ROLE_UPDATE ? 0x03 : 0x02;
	return mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, eku, sizeof(eku)) == 0 ?
	    EG_OK : EG_ERR_CRYPTO;
}

struct cert_out {
	unsigned char pem[4096];
	char serial[PKI_SERIAL_HEX];
	time_t not_before, not_after;
};

/* A 16-byte positive serial, not yet in idx (may be NULL). */
static int
new_serial(mbedtls_mpi *serial, char hex[PKI_SERIAL_HEX], const struct pki_index *idx,
    struct pki_rng *rng)
{
	unsigned char b[16];

	for (int tries = 0; tries < 8; tries++) {
		bool dup = false;
		if (mbedtls_ctr_drbg_random(&rng->drbg, b, sizeof(b)) != 0)
			return EG_ERR_CRYPTO;
		b[0] &= 0x7f;	/* positive */
		b[0] |= 0x40;	/* and exactly 16 bytes long */
		(void)pki_serial_hex(b, sizeof(b), hex);
		for (size_t i = 0; idx != NULL && i < idx->ncerts && !dup; i++)
			dup = strcmp(idx->certs[i].serial, hex) == 0;
		if (!dup)
			return mbedtls_mpi_read_binary(serial, b, sizeof(b)) == 0 ?
			    EG_OK : EG_ERR_CRYPTO;
	}
	return EG_ERR_CRYPTO;	/* a broken random generator */
}

static int
build_cert(struct cert_out *co, const char *subject, const char *issuer,
    mbedtls_pk_context *subject_key, mbedtls_pk_context *issuer_key, bool is_ca,
    enum pki_role role, int days, int back_days, const struct pki_index *idx,
    struct pki_rng *rng)
{
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
	char nb[15], na[15];
	time_t now = time(NULL);
	int ret;

	mbedtls_x509write_crt_init(&w);
	mbedtls_mpi_init(&serial);
	co->not_before = now - (time_t)back_days * 86400 - 60;
	co->not_after = now + (time_t)days * 86400;
	pki_time_str(co->not_before, nb);
	pki_time_str(co->not_after, na);
	if ((ret = new_serial(&serial, co->serial, idx, rng)) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, subject_key);
	mbedtls_x509write_crt_set_issuer_key(&w, issuer_key);
	if (mbedtls_x509write_crt_set_serial(&w, &serial) != 0 ||
	    mbedtls_x509write_crt_set_validity(&w, nb, na) != 0 ||
	    mbedtls_x509write_crt_set_subject_name(&w, subject) != 0 ||
	    mbedtls_x509write_crt_set_issuer_name(&w, issuer) != 0 ||
	    mbedtls_x509write_crt_set_basic_constraints(&w, is_ca ? 1 : 0, is_ca ? 0 : -1) != 0 ||
	    mbedtls_x509write_crt_set_subject_key_identifier(&w) != 0 ||
	    mbedtls_x509write_crt_set_authority_key_identifier(&w) != 0)
		goto out;
	if (is_ca) {
		if (mbedtls_x509write_crt_set_key_usage(&w,
		    MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN) != 0)
			goto out;
	} else {
		if (mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0 ||
		    set_eku(&w, role) != EG_OK)
			goto out;
	}
	if (mbedtls_x509write_crt_pem(&w, co->pem, sizeof(co->pem), mbedtls_ctr_drbg_random,
	    &rng->drbg) != 0)
		goto out;
	ret = EG_OK;
out:
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&w);
	return ret;
}

/* ---- the CA folder ------------------------------------------------------------- */

/* mkdir -p with mode 0700; *made_last tells whether the last component was
 * created here (to remove it again on failure). */
static int
mkdir_p(const char *dir, bool *made_last)
{
	char buf[PKI_PATH_MAX];
	size_t n = strlen(dir);

	*made_last = false;
	if (n == 0 || n >= sizeof(buf))
		return EG_ERR_INVAL;
	memcpy(buf, dir, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return EG_ERR_IO;
		*p = '/';
	}
	if (mkdir(buf, 0700) == 0)
		*made_last = true;
	else if (errno != EEXIST)
		return EG_ERR_IO;
	return EG_OK;
}

static int
lock_dir(const char *dir, int *dfd, char *err, size_t errlen)
{
	if ((*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		eg_errbuf(err, errlen, "no CA folder %s: %s", dir, strerror(errno));
		return EG_ERR_IO;
	}
	/* another egate pki holds it: wait up to LOCK_WAIT_MS, then give up
	 * (never forever: the holder may be this very process) */
	for (int waited = 0; flock(*dfd, LOCK_EX | LOCK_NB) != 0; waited += 50) {
		int e = errno;
		if (e == EWOULDBLOCK && waited < LOCK_WAIT_MS) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (e == EINTR)
			continue;
		if (e == EWOULDBLOCK)
			eg_errbuf(err, errlen, "%s is in use by another egate pki; try again when "
			    "it has finished", dir);
		else
			eg_errbuf(err, errlen, "cannot lock %s: %s", dir, strerror(e));
		close(*dfd);
		*dfd = -1;
		return e == EWOULDBLOCK ? EG_ERR_BUSY : EG_ERR_IO;
	}
	return EG_OK;
}

int
pki_ca_index_save(struct pki_ca *ca, char *err, size_t errlen)
{
	struct eg_wbuf w;
	char path[PKI_PATH_MAX];
	int ret;

	eg_wbuf_init(&w, 64u * 1024u * 1024u, false);
	if ((ret = path_in(path, sizeof(path), ca->dir, PKI_CA_INDEX)) != EG_OK)
		goto out;
	if ((ret = pki_index_format(&ca->idx, &w)) != EG_OK) {
		eg_errbuf(err, errlen, "cannot format the index: %s", eg_strerror(ret));
		goto out;
	}
	ret = pki_write_replace(path, w.data, w.len, 0644, err, errlen);
	if (ret == EG_OK)
		ca->idx.missing = false;
out:
	eg_wbuf_free(&w);
	return ret;
}

/* Write DIR/ca.crl, empty, signed by a CA that exists only in memory yet. */
static int
first_crl(const char *dir, mbedtls_pk_context *key, const struct cert_out *co, char *err,
    size_t errlen)
{
	struct pki_ca *ca;
	int ret = EG_ERR_NOMEM;

	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		return ret;
	ca->dfd = -1;
	mbedtls_pk_init(&ca->key);
	mbedtls_x509_crt_init(&ca->crt);
	snprintf(ca->dir, sizeof(ca->dir), "%s", dir);
	ret = EG_ERR_CRYPTO;
	{
		unsigned char der[1024];
		int n = mbedtls_pk_write_key_der(key, der, sizeof(der));
		/* the DER is at the end of der[] */
		if (n > 0 && mbedtls_pk_parse_key(&ca->key, der + sizeof(der) - n, (size_t)n,
		    NULL, 0) == 0 &&
		    mbedtls_x509_crt_parse(&ca->crt, co->pem, strlen((const char *)co->pem) + 1) == 0)
			ret = pki_ca_publish_crl(ca, 30);
		eg_memzero(der, sizeof(der));
	}
	if (ret != EG_OK)
		eg_errbuf(err, errlen, "cannot write the first CRL in %s: %s", dir, eg_strerror(ret));
	pki_ca_free(&ca);
	return ret;
}

int
pki_ca_init(const char *dir, const char *name, int days, char *err, size_t errlen)
{
	struct pki_rng rng;
	mbedtls_pk_context key;
	struct pki_tmp tkey, tcrt, tidx;
	struct cert_out *co = NULL;
	struct pki_index idx = { 0 };
	struct pki_cert_rec rec;
	struct eg_wbuf w;
	unsigned char kpem[1024];
	char subject[PKI_CN_MAX + 32], kp[PKI_PATH_MAX], cp[PKI_PATH_MAX], ip[PKI_PATH_MAX];
	char certs[PKI_PATH_MAX], crlp[PKI_PATH_MAX];
	bool made_dir = false, made_certs = false, crl_written = false;
	int ret, dfd = -1;

	mbedtls_pk_init(&key);
	eg_wbuf_init(&w, 1u << 20, false);
	pki_tmp_init(&tkey);
	pki_tmp_init(&tcrt);
	pki_tmp_init(&tidx);
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_INVAL;
	if (!ca_name_ok(name)) {
		eg_errbuf(err, errlen, "the CA name must be 1 to %d printable characters without "
		    ", = + \" \\ < > ; #", PKI_CN_MAX);
		goto out;
	}
	if (days < 1) {
		eg_errbuf(err, errlen, "the CA must be valid at least 1 day");
		goto out;
	}
	snprintf(subject, sizeof(subject), "CN=%s,O=egate deployment", name);
	if (path_in(kp, sizeof(kp), dir, PKI_CA_KEY) != EG_OK ||
	    path_in(cp, sizeof(cp), dir, PKI_CA_CRT) != EG_OK ||
	    path_in(ip, sizeof(ip), dir, PKI_CA_INDEX) != EG_OK ||
	    path_in(certs, sizeof(certs), dir, PKI_CA_CERTS) != EG_OK ||
	    path_in(crlp, sizeof(crlp), dir, PKI_CA_CRL) != EG_OK) {
		eg_errbuf(err, errlen, "CA folder name too long");
		goto out;
	}
	if ((co = calloc(1, sizeof(*co))) == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	if (pki_exists(kp) || pki_exists(cp) || pki_exists(ip) || pki_exists(crlp)) {
		eg_errbuf(err, errlen, "%s already holds a CA; refusing to overwrite", dir);
		ret = EG_ERR_STATE;
		goto out;
	}
	if ((ret = mkdir_p(dir, &made_dir)) != EG_OK) {
		eg_errbuf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if ((ret = lock_dir(dir, &dfd, err, errlen)) != EG_OK)
		goto out;
	if (pki_exists(kp) || pki_exists(cp) || pki_exists(ip) || pki_exists(crlp)) {
		eg_errbuf(err, errlen, "%s already holds a CA; refusing to overwrite", dir);
		ret = EG_ERR_STATE;
		goto out;
	}
	/* everything in memory first */
	ret = EG_ERR_CRYPTO;
	if (gen_key(&key, &rng) != EG_OK || mbedtls_pk_write_key_pem(&key, kpem, sizeof(kpem)) != 0 ||
	    build_cert(co, subject, subject, &key, &key, true, PKI_ROLE_CA, days, 0, NULL,
	    &rng) != EG_OK)
		goto out;
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.serial, sizeof(rec.serial), "%s", co->serial);
	rec.role = PKI_ROLE_CA;
	snprintf(rec.cn, sizeof(rec.cn), "%s", name);
	rec.not_before = co->not_before;
	rec.not_after = co->not_after;
	snprintf(rec.origin, sizeof(rec.origin), "ca");
	idx.certs = &rec;
	idx.ncerts = 1;
	if ((ret = pki_index_format(&idx, &w)) != EG_OK)
		goto out;
	/* then temporaries, then the names: ca.key claimed last-but-nothing */
	/* then the first CRL (signed by the new key), the temporaries, and the
	 * names: ca.key is claimed with link(), never replaced */
	if ((ret = first_crl(dir, &key, co, err, errlen)) != EG_OK)
		goto out;
	crl_written = true;
	if ((ret = pki_tmp_write(&tkey, kp, kpem, strlen((char *)kpem), 0600, err, errlen)) != EG_OK ||
	    (ret = pki_tmp_write(&tcrt, cp, co->pem, strlen((char *)co->pem), 0644, err, errlen)) != EG_OK ||
	    (ret = pki_tmp_write(&tidx, ip, w.data, w.len, 0644, err, errlen)) != EG_OK)
		goto out;
	if (mkdir(certs, 0700) == 0)
		made_certs = true;
	else if (errno != EEXIST) {
		eg_errbuf(err, errlen, "cannot create %s: %s", certs, strerror(errno));
		ret = EG_ERR_IO;
		goto out;
	}
	if ((ret = pki_tmp_place_new(&tkey, err, errlen)) != EG_OK ||
	    (ret = pki_tmp_place_new(&tcrt, err, errlen)) != EG_OK ||
	    (ret = pki_tmp_place_new(&tidx, err, errlen)) != EG_OK)
		goto out;
out:
	if (ret != EG_OK) {
		/* nothing of this attempt stays: a retry starts from scratch */
		pki_tmp_unplace(&tidx);
		pki_tmp_unplace(&tcrt);
		pki_tmp_unplace(&tkey);
		if (crl_written)
			(void)unlink(crlp);
		if (made_certs)
			(void)rmdir(certs);
		if (made_dir)
			(void)rmdir(dir);
	}
	pki_tmp_discard(&tkey);
	pki_tmp_discard(&tcrt);
	pki_tmp_discard(&tidx);
	if (dfd >= 0)
		close(dfd);
	eg_memzero(kpem, sizeof(kpem));
	eg_wbuf_free(&w);
	free(co);
	mbedtls_pk_free(&key);
	pki_rng_free(&rng);
	return ret;
}

int
pki_ca_load(const char *dir, struct pki_ca **out, char *err, size_t errlen)
{
	struct pki_ca *ca;
	char kp[PKI_PATH_MAX], cp[PKI_PATH_MAX], certs[PKI_PATH_MAX], cn[PKI_CN_MAX + 1];
	int ret = EG_ERR_INVAL;

	*out = NULL;
	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		return EG_ERR_NOMEM;
	ca->dfd = -1;
	mbedtls_pk_init(&ca->key);
	mbedtls_x509_crt_init(&ca->crt);
	if (snprintf(ca->dir, sizeof(ca->dir), "%s", dir) >= (int)sizeof(ca->dir) ||
	    path_in(kp, sizeof(kp), dir, PKI_CA_KEY) != EG_OK ||
	    path_in(cp, sizeof(cp), dir, PKI_CA_CRT) != EG_OK ||
	    path_in(certs, sizeof(certs), dir, PKI_CA_CERTS) != EG_OK) {
		eg_errbuf(err, errlen, "CA folder name too long");
		goto fail;
	}
	if ((ret = lock_dir(dir, &ca->dfd, err, errlen)) != EG_OK)
		goto fail;
	ret = EG_ERR_IO;
	if (access(cp, R_OK) != 0) {
		eg_errbuf(err, errlen, "%s: no CA certificate %s (egate pki init makes one)", dir,
		    PKI_CA_CRT);
		goto fail;
	}
	if ((ret = load_key(&ca->key, kp, err, errlen)) != EG_OK)
		goto fail;
	ret = EG_ERR_CERT;
	if (mbedtls_x509_crt_parse_file(&ca->crt, cp) != 0 ||
	    mbedtls_pk_check_pair(&ca->crt.pk, &ca->key) != 0) {
		eg_errbuf(err, errlen, "%s: %s and %s do not belong together", dir, PKI_CA_CRT,
		    PKI_CA_KEY);
		goto fail;
	}
	/* our CAs are "CN=<name>,O=egate deployment" (pki_ca_init) */
	cn[0] = '\0';
	for (const mbedtls_x509_name *n = &ca->crt.subject; n != NULL; n = n->next) {
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 && n->val.len < sizeof(cn)) {
			memcpy(cn, n->val.p, n->val.len);
			cn[n->val.len] = '\0';
		}
	}
	if (!ca_name_ok(cn)) {
		eg_errbuf(err, errlen, "%s: the CA certificate's CN is not one egate pki made", dir);
		goto fail;
	}
	snprintf(ca->issuer, sizeof(ca->issuer), "CN=%s,O=egate deployment", cn);
	if ((ret = pki_index_read_at(ca->dfd, dir, &ca->idx, err, errlen)) != EG_OK)
		goto fail;
	if (ca->idx.missing) {
		/* a CA made before the index: start one with the CA itself (written
		 * with the next change; earlier certificates stay unknown until
		 * revoked, see pki_ca_revoke_file) */
		struct pki_cert_rec *r;
		ret = EG_ERR_NOMEM;
		if ((r = calloc(1, sizeof(*r))) == NULL)
			goto fail;
		ca->idx.certs = r;
		ca->idx.ncerts = 1;
		(void)pki_serial_hex(ca->crt.serial.p, ca->crt.serial.len, r->serial);
		r->role = PKI_ROLE_CA;
		snprintf(r->cn, sizeof(r->cn), "%s", cn);
		r->not_before = pki_x509_time(&ca->crt.valid_from);
		r->not_after = pki_x509_time(&ca->crt.valid_to);
		snprintf(r->origin, sizeof(r->origin), "ca");
	}
	if (mkdir(certs, 0700) != 0 && errno != EEXIST) {
		eg_errbuf(err, errlen, "cannot create %s: %s", certs, strerror(errno));
		ret = EG_ERR_IO;
		goto fail;
	}
	*out = ca;
	return EG_OK;
fail:
	pki_ca_free(&ca);
	return ret;
}

void
pki_ca_free(struct pki_ca **cap)
{
	struct pki_ca *ca;

	if (cap == NULL || (ca = *cap) == NULL)
		return;
	if (ca->dfd >= 0)
		close(ca->dfd);	/* releases the lock */
	mbedtls_pk_free(&ca->key);	/* mbedTLS zeroises key material */
	mbedtls_x509_crt_free(&ca->crt);
	pki_index_clear(&ca->idx);
	eg_memzero(ca, sizeof(*ca));
	free(ca);
	*cap = NULL;
}

const struct pki_index *
pki_ca_index(const struct pki_ca *ca)
{
	return &ca->idx;
}

struct pki_index *
pki_ca_index_mut(struct pki_ca *ca)
{
	return &ca->idx;
}

mbedtls_pk_context *
pki_ca_key(struct pki_ca *ca)
{
	return &ca->key;
}

mbedtls_x509_crt *
pki_ca_crt(struct pki_ca *ca)
{
	return &ca->crt;
}

const char *
pki_ca_dir(const struct pki_ca *ca)
{
	return ca->dir;
}

/* ---- the device side: CSR ------------------------------------------------------- */

int
pki_csr_write(const char *key_path, const char *cn, enum pki_role role,
    const char *token, const char *csr_path, char *err, size_t errlen)
{
	struct pki_rng rng;
	mbedtls_pk_context key;
	unsigned char pem[2048];
	char subject[PKI_CN_MAX + 64], canon[33];
	int ret;

	mbedtls_pk_init(&key);
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_INVAL;
	if (!issuable(role)) {
		eg_errbuf(err, errlen, "the role must be host, kiosk, officer or update");
		goto out;
	}
	if (cn == NULL || !pki_cn_ok(cn)) {
		eg_errbuf(err, errlen, "the CN must be 1 to %d of A-Z a-z 0-9 . _ -", PKI_CN_MAX);
		goto out;
	}
	if (token != NULL && pki_token_canonical(token, canon) != EG_OK) {
		eg_errbuf(err, errlen, "an enrolment token is 32 hexadecimal digits "
		    "(dashes allowed), as egate pki enrol-token printed it");
		goto out;
	}
	snprintf(subject, sizeof(subject), "CN=%s,OU=%s,O=egate deployment", cn, pki_role_str(role));
	if ((ret = load_key(&key, key_path, err, errlen)) != EG_OK)
		goto out;
	if ((ret = pki_csr_write_pem(&key, subject, token != NULL ? canon : NULL, &rng, pem,
	    sizeof(pem))) != EG_OK) {
		eg_errbuf(err, errlen, "cannot encode the request: %s", eg_strerror(ret));
		goto out;
	}
	ret = pki_write_replace(csr_path, pem, strlen((char *)pem), 0644, err, errlen);
out:
	eg_memzero(canon, sizeof(canon));
	mbedtls_pk_free(&key);
	pki_rng_free(&rng);
	return ret;
}

/* ---- the CA side: checking a CSR ------------------------------------------------ */

/* Copy the value of the first attribute `oid` in name into out. */
static bool
name_attr(const mbedtls_x509_name *name, const char *oid, size_t oid_len,
    char *out, size_t outsz)
{
	for (const mbedtls_x509_name *n = name; n != NULL; n = n->next) {
		if (n->oid.len == oid_len && memcmp(n->oid.p, oid, oid_len) == 0) {
			if (n->val.len >= outsz)
				return false;
			memcpy(out, n->val.p, n->val.len);
			out[n->val.len] = '\0';
			return memchr(out, '\0', n->val.len) == NULL;
		}
	}
	return false;
}

#define CN_OF(name, out) name_attr((name), MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN), \
	(out), sizeof(out))
#define OU_OF(name, out) name_attr((name), MBEDTLS_OID_AT_ORG_UNIT, \
	MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORG_UNIT), (out), sizeof(out))

/* Parse and check a CSR: proof of possession, P-256, a CN and a role. */
static int
csr_load(const char *path, mbedtls_x509_csr *csr, char cn[PKI_CN_MAX + 1],
    enum pki_role *role, char *err, size_t errlen)
{
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md;
	char ou[32];

	if (mbedtls_x509_csr_parse_file(csr, path) != 0) {
		eg_errbuf(err, errlen, "%s is not a certificate signing request", path);
		return EG_ERR_CERT;
	}
	/* the CSR must be signed by the key it carries (proof of possession) */
	if ((md = mbedtls_md_info_from_type(csr->sig_md)) == NULL ||
	    mbedtls_md(md, csr->cri.p, csr->cri.len, hash) != 0 ||
	    mbedtls_pk_verify_ext(csr->sig_pk, csr->sig_opts, &csr->pk, csr->sig_md, hash,
	    mbedtls_md_get_size(md), csr->sig.p, csr->sig.len) != 0) {
		eg_errbuf(err, errlen, "%s: the request's signature does not verify "
		    "(damaged, or not made with its key)", path);
		return EG_ERR_CERT;
	}
	if (!mbedtls_pk_can_do(&csr->pk, MBEDTLS_PK_ECKEY) ||
	    mbedtls_pk_ec(csr->pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
		eg_errbuf(err, errlen, "%s: only ECDSA P-256 keys are allowed", path);
		return EG_ERR_CERT;	/* deployment policy: P-256 only */
	}
	if (!name_attr(&csr->subject, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN), cn,
	    PKI_CN_MAX + 1) || !pki_cn_ok(cn)) {
		eg_errbuf(err, errlen, "%s: the request has no usable CN (1 to %d of "
		    "A-Z a-z 0-9 . _ -)", path, PKI_CN_MAX);
		return EG_ERR_CERT;
	}
	if (!OU_OF(&csr->subject, ou) || pki_role_parse(ou, role) != EG_OK || !issuable(*role)) {
		eg_errbuf(err, errlen, "%s: the request's OU names no role "
		    "(host, kiosk, officer, update)", path);
		return EG_ERR_CERT;
	}
	return EG_OK;
}

/* ---- issuing: all or nothing ------------------------------------------------------ */

struct commit {
	const struct cert_out *co;
	const char *key_pem;	/* NULL: no key to write (sign, renew) */
	const char *key_out;
	const char *crt_out;
	struct pki_cert_rec rec;
	long token;		/* index of the token to burn, or -1 */
};

/* Refuse outputs that would destroy something: the same path twice, a file
 * that exists and is not a certificate, or one of the CA's own files. */
static int
check_outputs(struct pki_ca *ca, const char *key_out, const char *crt_out, char *err,
    size_t errlen)
{
	char head[40] = "";
	struct stat a, b;
	char cp[PKI_PATH_MAX];
	FILE *f;

	if (crt_out == NULL || *crt_out == '\0' || (key_out != NULL && *key_out == '\0')) {
		eg_errbuf(err, errlen, "empty output path");
		return EG_ERR_INVAL;
	}
	if (key_out != NULL && strcmp(key_out, crt_out) == 0) {
		eg_errbuf(err, errlen, "the key and the certificate need different files");
		return EG_ERR_INVAL;
	}
	if (key_out != NULL && pki_exists(key_out)) {
		eg_errbuf(err, errlen, "%s already exists; refusing to overwrite", key_out);
		return EG_ERR_STATE;
	}
	if (stat(crt_out, &a) != 0)
		return EG_OK;	/* a new file */
	if (path_in(cp, sizeof(cp), ca->dir, PKI_CA_CRT) == EG_OK && stat(cp, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		eg_errbuf(err, errlen, "%s is the CA certificate; refusing to overwrite", crt_out);
		return EG_ERR_STATE;
	}
	if (S_ISREG(a.st_mode) && (f = fopen(crt_out, "r")) != NULL) {
		size_t n = fread(head, 1, sizeof(head) - 1, f);
		head[n] = '\0';
		fclose(f);
	}
	if (strncmp(head, "-----BEGIN CERTIFICATE-----", 27) != 0) {
		eg_errbuf(err, errlen, "%s exists and is not a certificate; refusing to overwrite",
		    crt_out);
		return EG_ERR_STATE;
	}
	return EG_OK;
}

static int
commit(struct pki_ca *ca, struct commit *cm, struct pki_issued *res, char *err, size_t errlen)
{
	struct pki_index *idx = &ca->idx;
	struct pki_tmp tkey, tcrt, tcopy;
	struct pki_token_rec saved_tok;
	struct pki_cert_rec *nc;
	char copy[PKI_PATH_MAX], name[PKI_SERIAL_HEX + 16];
	size_t pem_len = strlen((const char *)cm->co->pem);
	bool appended = false, index_saved = false;
	int ret;

	pki_tmp_init(&tkey);
	pki_tmp_init(&tcrt);
	pki_tmp_init(&tcopy);
	memset(&saved_tok, 0, sizeof(saved_tok));
	snprintf(name, sizeof(name), "%s/%s.pem", PKI_CA_CERTS, cm->co->serial);
	if ((ret = path_in(copy, sizeof(copy), ca->dir, name)) != EG_OK)
		goto out;
	/* 1. temporaries: a bad or unwritable output fails here, before the
	 * CA records anything */
	if (cm->key_pem != NULL &&
	    (ret = pki_tmp_write(&tkey, cm->key_out, cm->key_pem, strlen(cm->key_pem), 0600,
	    err, errlen)) != EG_OK)
		goto out;
	if ((ret = pki_tmp_write(&tcrt, cm->crt_out, cm->co->pem, pem_len, 0644, err,
	    errlen)) != EG_OK ||
	    (ret = pki_tmp_write(&tcopy, copy, cm->co->pem, pem_len, 0644, err, errlen)) != EG_OK)
		goto out;
	/* 2. the CA's record: the copy, then the index (burning the token) */
	ret = EG_ERR_NOMEM;
	if ((nc = realloc(idx->certs, (idx->ncerts + 1) * sizeof(*nc))) == NULL)
		goto out;
	idx->certs = nc;
	idx->certs[idx->ncerts++] = cm->rec;
	appended = true;
	if (cm->token >= 0) {
		struct pki_token_rec *t = &idx->tokens[cm->token];
		saved_tok = *t;
		t->used = true;
		t->used_at = time(NULL);
		snprintf(t->serial, sizeof(t->serial), "%s", cm->co->serial);
	}
	if ((ret = pki_tmp_place_new(&tcopy, err, errlen)) != EG_OK ||
	    (ret = pki_ca_index_save(ca, err, errlen)) != EG_OK)
		goto out;
	index_saved = true;
	/* 3. the outputs: the key's name is claimed (never replaced), then the
	 * certificate replaces whatever certificate was there */
	if (cm->key_pem != NULL && (ret = pki_tmp_place_new(&tkey, err, errlen)) != EG_OK)
		goto out;
	if ((ret = pki_tmp_place_replace(&tcrt, err, errlen)) != EG_OK)
		goto out;
	if (res != NULL) {
		snprintf(res->serial, sizeof(res->serial), "%s", cm->co->serial);
		res->role = cm->rec.role;
		snprintf(res->cn, sizeof(res->cn), "%s", cm->rec.cn);
		res->not_before = cm->co->not_before;
		res->not_after = cm->co->not_after;
	}
	ret = EG_OK;
out:
	if (ret != EG_OK) {
		/* undo in reverse: nothing of this attempt stays */
		pki_tmp_unplace(&tkey);
		if (appended) {
			idx->ncerts--;
			if (cm->token >= 0)
				idx->tokens[cm->token] = saved_tok;
			if (index_saved)
				(void)pki_ca_index_save(ca, NULL, 0);
		}
		pki_tmp_unplace(&tcopy);
	}
	pki_tmp_discard(&tkey);
	pki_tmp_discard(&tcrt);
	pki_tmp_discard(&tcopy);
	return ret;
}

static int
check_validity(int days, int back_days, char *err, size_t errlen)
{
	if (back_days < 0 || days <= -back_days || days > 36500) {
		eg_errbuf(err, errlen, "the validity must be at least 1 day (--days)");
		return EG_ERR_INVAL;
	}
	return EG_OK;
}

static void
rec_init(struct pki_cert_rec *r, const struct cert_out *co, enum pki_role role, const char *cn,
    const char *origin)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->serial, sizeof(r->serial), "%s", co->serial);
	r->role = role;
	snprintf(r->cn, sizeof(r->cn), "%s", cn);
	r->not_before = co->not_before;
	r->not_after = co->not_after;
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
}

static void
subject_of(char *out, size_t outsz, const char *cn, enum pki_role role)
{
	snprintf(out, outsz, "CN=%s,OU=%s,O=egate deployment", cn, pki_role_str(role));
}

int
pki_ca_issue(struct pki_ca *ca, enum pki_role role, const char *cn, int days,
    int back_days, const char *key_out, const char *crt_out, struct pki_issued *res,
    char *err, size_t errlen)
{
	struct pki_rng rng;
	mbedtls_pk_context key;
	struct cert_out *co = NULL;
	struct commit cm;
	unsigned char kpem[1024];
	char subject[PKI_CN_MAX + 64];
	int ret;

	mbedtls_pk_init(&key);
	memset(kpem, 0, sizeof(kpem));
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_INVAL;
	if (!issuable(role)) {
		eg_errbuf(err, errlen, "the role must be host, kiosk, officer or update");
		goto out;
	}
	if (cn == NULL || !pki_cn_ok(cn)) {
		eg_errbuf(err, errlen, "the CN must be 1 to %d of A-Z a-z 0-9 . _ -", PKI_CN_MAX);
		goto out;
	}
	if ((ret = check_validity(days, back_days, err, errlen)) != EG_OK ||
	    (ret = check_outputs(ca, key_out, crt_out, err, errlen)) != EG_OK)
		goto out;
	if ((co = calloc(1, sizeof(*co))) == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	subject_of(subject, sizeof(subject), cn, role);
	ret = EG_ERR_CRYPTO;
	if (gen_key(&key, &rng) != EG_OK || mbedtls_pk_write_key_pem(&key, kpem, sizeof(kpem)) != 0 ||
	    build_cert(co, subject, ca->issuer, &key, &ca->key, false, role, days, back_days,
	    &ca->idx, &rng) != EG_OK)
		goto out;
	memset(&cm, 0, sizeof(cm));
	cm.co = co;
	cm.key_pem = (const char *)kpem;
	cm.key_out = key_out;
	cm.crt_out = crt_out;
	cm.token = -1;
	rec_init(&cm.rec, co, role, cn, "issue");
	ret = commit(ca, &cm, res, err, errlen);
out:
	eg_memzero(kpem, sizeof(kpem));
	free(co);
	mbedtls_pk_free(&key);
	pki_rng_free(&rng);
	return ret;
}

/* Sign the public key of a checked CSR. */
static int
sign_pk(struct pki_ca *ca, mbedtls_pk_context *pk, enum pki_role role, const char *cn,
    int days, int back_days, const char *crt_out, const char *origin, long token,
    struct pki_issued *res, char *err, size_t errlen)
{
	struct pki_rng rng;
	struct cert_out *co = NULL;
	struct commit cm;
	char subject[PKI_CN_MAX + 64];
	int ret;

	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((co = calloc(1, sizeof(*co))) == NULL)
		goto out;
	subject_of(subject, sizeof(subject), cn, role);
	ret = EG_ERR_CRYPTO;
	if (build_cert(co, subject, ca->issuer, pk, &ca->key, false, role, days, back_days,
	    &ca->idx, &rng) != EG_OK)
		goto out;
	memset(&cm, 0, sizeof(cm));
	cm.co = co;
	cm.crt_out = crt_out;
	cm.token = token;
	rec_init(&cm.rec, co, role, cn, origin);
	ret = commit(ca, &cm, res, err, errlen);
out:
	free(co);
	pki_rng_free(&rng);
	return ret;
}

int
pki_ca_sign_csr(struct pki_ca *ca, const char *csr_path, enum pki_role role,
    int days, int back_days, const char *crt_out, struct pki_issued *res,
    char *err, size_t errlen)
{
	mbedtls_x509_csr csr;
	char cn[PKI_CN_MAX + 1];
	enum pki_role asked;
	int ret;

	mbedtls_x509_csr_init(&csr);
	ret = EG_ERR_INVAL;
	if (!issuable(role)) {
		eg_errbuf(err, errlen, "the role must be host, kiosk, officer or update");
		goto out;
	}
	if ((ret = check_validity(days, back_days, err, errlen)) != EG_OK ||
	    (ret = check_outputs(ca, NULL, crt_out, err, errlen)) != EG_OK ||
	    (ret = csr_load(csr_path, &csr, cn, &asked, err, errlen)) != EG_OK)
		goto out;
	if (asked != role) {
		eg_errbuf(err, errlen, "%s asks for a %s certificate, not %s", csr_path,
		    pki_role_str(asked), pki_role_str(role));
		ret = EG_ERR_CERT;
		goto out;
	}
	ret = sign_pk(ca, &csr.pk, role, cn, days, back_days, crt_out, "sign", -1, res, err,
	    errlen);
out:
	mbedtls_x509_csr_free(&csr);
	return ret;
}

/* ---- enrolment tokens ------------------------------------------------------------- */

int
pki_token_canonical(const char *typed, char out[33])
{
	size_t n = 0;

	for (const char *p = typed; *p != '\0'; p++) {
		char c = *p;
		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == 32)
			return EG_ERR_FORMAT;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == 32 ? EG_OK : EG_ERR_FORMAT;
}

static void
token_hash(const char canon[33], char out[PKI_HASH_HEX])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char h[32];

	mbedtls_sha256_ret((const unsigned char *)canon, 32, h, 0);
	for (size_t i = 0; i < sizeof(h); i++) {
		out[2 * i] = hx[h[i] >> 4];
		out[2 * i + 1] = hx[h[i] & 15];
	}
	out[64] = '\0';
}

void
pki_token_id(const struct pki_token_rec *t, char out[9])
{
	snprintf(out, 9, "%.8s", t->hash);
}

int
pki_ca_token_create(struct pki_ca *ca, enum pki_role role, const char *cn, int days,
    char token_out[PKI_TOKEN_TEXT], struct pki_token_rec *rec, char *err, size_t errlen)
{
	static const char hx[] = "0123456789abcdef";
	struct pki_index *idx = &ca->idx;
	struct pki_token_rec r, *nt;
	struct pki_rng rng;
	unsigned char raw[16];
	char canon[33];
	size_t k = 0;
	int ret;

	token_out[0] = '\0';
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_INVAL;
	if (!issuable(role) || cn == NULL || !pki_cn_ok(cn)) {
		eg_errbuf(err, errlen, "a token needs a role (host, kiosk, officer, update) and a "
		    "CN of 1 to %d of A-Z a-z 0-9 . _ -", PKI_CN_MAX);
		goto out;
	}
	if (days < 1 || days > TOKEN_DAYS_MAX) {
		eg_errbuf(err, errlen, "a token is valid 1 to %d days", TOKEN_DAYS_MAX);
		goto out;
	}
	ret = EG_ERR_CRYPTO;
	if (mbedtls_ctr_drbg_random(&rng.drbg, raw, sizeof(raw)) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(raw); i++) {
		canon[2 * i] = hx[raw[i] >> 4];
		canon[2 * i + 1] = hx[raw[i] & 15];
	}
	canon[32] = '\0';
	memset(&r, 0, sizeof(r));
	token_hash(canon, r.hash);
	r.role = role;
	snprintf(r.cn, sizeof(r.cn), "%s", cn);
	r.created = time(NULL);
	r.expires = r.created + (time_t)days * 86400;
	ret = EG_ERR_NOMEM;
	if ((nt = realloc(idx->tokens, (idx->ntokens + 1) * sizeof(*nt))) == NULL)
		goto out;
	idx->tokens = nt;
	idx->tokens[idx->ntokens++] = r;
	if ((ret = pki_ca_index_save(ca, err, errlen)) != EG_OK) {
		idx->ntokens--;
		goto out;
	}
	for (size_t i = 0; i < 32; i++) {
		if (i > 0 && i % 4 == 0)
			token_out[k++] = '-';
		token_out[k++] = canon[i];
	}
	token_out[k] = '\0';
	if (rec != NULL)
		*rec = r;
out:
	eg_memzero(raw, sizeof(raw));
	eg_memzero(canon, sizeof(canon));
	pki_rng_free(&rng);
	return ret;
}

int
pki_ca_sign_enrol(struct pki_ca *ca, const char *csr_path, int days,
    const char *crt_out, struct pki_issued *res, char *err, size_t errlen)
{
	const struct pki_index *idx = &ca->idx;
	mbedtls_x509_csr csr;
	char cn[PKI_CN_MAX + 1], typed[256], canon[33], hash[PKI_HASH_HEX], id[9];
	char when[21], origin[PKI_ORIGIN_MAX];
	enum pki_role role;
	bool found = false;
	long tok = -1;
	time_t now = time(NULL);
	int ret;

	mbedtls_x509_csr_init(&csr);
	if ((ret = check_validity(days, 0, err, errlen)) != EG_OK ||
	    (ret = check_outputs(ca, NULL, crt_out, err, errlen)) != EG_OK ||
	    (ret = csr_load(csr_path, &csr, cn, &role, err, errlen)) != EG_OK)
		goto out;
	ret = pki_csr_token(csr.cri.p, csr.cri.len, typed, sizeof(typed), &found);
	if (ret != EG_OK) {
		eg_errbuf(err, errlen, "%s: malformed challengePassword attribute", csr_path);
		ret = EG_ERR_CERT;
		goto out;
	}
	ret = EG_ERR_AUTH;
	if (!found) {
		eg_errbuf(err, errlen, "%s carries no enrolment token (make it with "
		    "egate pki csr --token)", csr_path);
		goto out;
	}
	if (pki_token_canonical(typed, canon) != EG_OK) {
		eg_errbuf(err, errlen, "%s: its challengePassword is not an egate enrolment token",
		    csr_path);
		goto out;
	}
	token_hash(canon, hash);
	for (size_t i = 0; i < idx->ntokens; i++)
		if (eg_ct_equal(idx->tokens[i].hash, hash, 64))
			tok = (long)i;
	if (tok < 0) {
		eg_errbuf(err, errlen, "%s: unknown enrolment token (not issued by this CA)",
		    csr_path);
		goto out;
	}
	const struct pki_token_rec *t = &idx->tokens[tok];
	pki_token_id(t, id);
	if (t->used) {
		pki_iso_time(t->used_at, when);
		eg_errbuf(err, errlen, "token %s was already used on %s (certificate %s); "
		    "approve the device again with egate pki enrol-token", id, when, t->serial);
		goto out;
	}
	if (now >= t->expires) {
		pki_iso_time(t->expires, when);
		eg_errbuf(err, errlen, "token %s expired on %s; approve the device again with "
		    "egate pki enrol-token", id, when);
		goto out;
	}
	if (t->role != role) {
		eg_errbuf(err, errlen, "token %s approves a %s certificate; the request asks for %s",
		    id, pki_role_str(t->role), pki_role_str(role));
		goto out;
	}
	if (strcmp(t->cn, cn) != 0) {
		eg_errbuf(err, errlen, "token %s approves CN %s; the request says CN %s", id, t->cn, cn);
		goto out;
	}
	snprintf(origin, sizeof(origin), "enrol:%s", id);
	ret = sign_pk(ca, &csr.pk, role, cn, days, 0, crt_out, origin, tok, res, err, errlen);
out:
	eg_memzero(typed, sizeof(typed));
	eg_memzero(canon, sizeof(canon));
	mbedtls_x509_csr_free(&csr);
	return ret;
}

/* ---- finding and renewing --------------------------------------------------------- */

int
pki_ca_find(const struct pki_ca *ca, const char *serial, size_t *pos)
{
	size_t n = strlen(serial), hits = 0;

	if (n < 8 || n >= PKI_SERIAL_HEX)
		return EG_ERR_INVAL;
	for (size_t i = 0; i < n; i++) {
		char c = serial[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return EG_ERR_INVAL;
	}
	for (size_t i = 0; i < ca->idx.ncerts; i++) {
		if (strncasecmp(ca->idx.certs[i].serial, serial, n) == 0) {
			*pos = i;
			hits++;
		}
	}
	return hits == 0 ? EG_ERR_NOT_FOUND : hits > 1 ? EG_ERR_STATE : EG_OK;
}

int
pki_ca_renew(struct pki_ca *ca, const char *serial, const char *cert_path, int days,
    const char *crt_out, struct pki_issued *res, char *err, size_t errlen)
{
	mbedtls_x509_crt crt;
	char path[PKI_PATH_MAX], name[PKI_SERIAL_HEX + 16], hex[PKI_SERIAL_HEX];
	char cn[PKI_CN_MAX + 1], ou[32], origin[PKI_ORIGIN_MAX];
	const char *src = cert_path;
	enum pki_role role;
	uint32_t flags = 0;
	int ret;

	mbedtls_x509_crt_init(&crt);
	if ((ret = check_validity(days, 0, err, errlen)) != EG_OK ||
	    (ret = check_outputs(ca, NULL, crt_out, err, errlen)) != EG_OK)
		goto out;
	if (src == NULL) {
		size_t pos;
		if (serial == NULL || (ret = pki_ca_find(ca, serial, &pos)) != EG_OK) {
			eg_errbuf(err, errlen, "serial %s: %s", serial != NULL ? serial : "(none)",
			    ret == EG_ERR_STATE ? "matches several certificates; give more digits" :
			    ret == EG_ERR_NOT_FOUND ? "not in the index" :
			    "not a serial (hex, at least 8 digits)");
			if (ret == EG_OK)
				ret = EG_ERR_INVAL;
			goto out;
		}
		snprintf(name, sizeof(name), "%s/%s.pem", PKI_CA_CERTS, ca->idx.certs[pos].serial);
		if ((ret = path_in(path, sizeof(path), ca->dir, name)) != EG_OK)
			goto out;
		if (!pki_exists(path)) {
			eg_errbuf(err, errlen, "no copy of certificate %s in %s/%s; renew it from "
			    "its file (--cert)", ca->idx.certs[pos].serial, ca->dir, PKI_CA_CERTS);
			ret = EG_ERR_NOT_FOUND;
			goto out;
		}
		src = path;
	}
	ret = EG_ERR_CERT;
	if (mbedtls_x509_crt_parse_file(&crt, src) != 0) {
		eg_errbuf(err, errlen, "%s is not a certificate", src);
		goto out;
	}
	if (mbedtls_x509_crt_verify(&crt, &ca->crt, NULL, NULL, &flags, NULL, NULL) != 0 &&
	    (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) != 0) {
		eg_errbuf(err, errlen, "%s was not issued by this CA", src);
		goto out;
	}
	if (pki_serial_hex(crt.serial.p, crt.serial.len, hex) != EG_OK ||
	    !CN_OF(&crt.subject, cn) || !pki_cn_ok(cn) || !OU_OF(&crt.subject, ou) ||
	    pki_role_parse(ou, &role) != EG_OK || !issuable(role)) {
		eg_errbuf(err, errlen, "%s: not a host, kiosk, officer or update certificate "
		    "of this CA (renewing the CA itself is not supported)", src);
		goto out;
	}
	for (size_t i = 0; i < ca->idx.ncerts; i++) {
		if (strcmp(ca->idx.certs[i].serial, hex) == 0 && ca->idx.certs[i].revoked) {
			eg_errbuf(err, errlen, "certificate %s (%s) is revoked; enrol the device "
			    "again with a new key", hex, cn);
			ret = EG_ERR_STATE;
			goto out;
		}
	}
	snprintf(origin, sizeof(origin), "renew:%s", hex);
	ret = sign_pk(ca, &crt.pk, role, cn, days, 0, crt_out, origin, -1, res, err, errlen);
out:
	mbedtls_x509_crt_free(&crt);
	return ret;
}

/* ---- the first version's calls ------------------------------------------------------ */

int
pki_ca_create(const char *dir, const char *name, int days)
{
	return pki_ca_init(dir, name, days, NULL, 0);
}

int
pki_ca_open(const char *dir, struct pki_ca **out)
{
	return pki_ca_load(dir, out, NULL, 0);
}

int
pki_csr_create(const char *key_path, const char *cn, enum pki_role role, const char *csr_path)
{
	return pki_csr_write(key_path, cn, role, NULL, csr_path, NULL, 0);
}

int
pki_ca_sign(struct pki_ca *ca, const char *csr_path, enum pki_role role, int days,
    int back_days, const char *crt_out)
{
	return pki_ca_sign_csr(ca, csr_path, role, days, back_days, crt_out, NULL, NULL, 0);
}
