/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "pki.h"
#include "pki_internal.h"

struct pki_ca {
	char dir[512];
	mbedtls_pk_context key;
	mbedtls_x509_crt crt;
};

static const char *const role_names[] = {
	[PKI_ROLE_HOST] = "host",
	[PKI_ROLE_KIOSK] = "kiosk",
	[PKI_ROLE_OFFICER] = "officer",
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

int
pki_write_file(const char *path, const void *data, size_t len, mode_t mode, bool excl)
{
	int fd, flags = O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC);
	char tmp[600];
	const char *target = path;
	ssize_t w;

	/* replace atomically (write, fsync, rename) unless creating exclusively */
	if (!excl) {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
			return EG_ERR_INVAL;
		target = tmp;
	}
	if ((fd = open(target, flags, mode)) < 0)
		return errno == EEXIST ? EG_ERR_STATE : EG_ERR_IO;
	w = write(fd, data, len);
	if (w < 0 || (size_t)w != len || fsync(fd) != 0) {
		close(fd);
		unlink(target);
		return EG_ERR_IO;
	}
	if (close(fd) != 0)
		return EG_ERR_IO;
	if (!excl && rename(tmp, path) != 0) {
		unlink(tmp);
		return EG_ERR_IO;
	}
	return EG_OK;
}

/* "YYYYMMDDhhmmss" for now + days (UTC), as mbedTLS's writer wants it. */
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

/* A CN we are willing to put in a subject: [A-Za-z0-9._-], 1..64. */
static bool
cn_ok(const char *cn)
{
	size_t n = strlen(cn);

	if (n == 0 || n > 64)
		return false;
	for (const char *p = cn; *p != '\0'; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int
gen_key(mbedtls_pk_context *pk, struct pki_rng *rng)
{
	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk),
	    mbedtls_ctr_drbg_random, &rng->drbg) != 0)
		return EG_ERR_CRYPTO;
	return EG_OK;
}

static int
write_key(const char *path, mbedtls_pk_context *pk)
{
	unsigned char pem[1024];
	int r;

	if (mbedtls_pk_write_key_pem(pk, pem, sizeof(pem)) != 0)
		return EG_ERR_CRYPTO;
	r = pki_write_file(path, pem, strlen((char *)pem), 0600, true);
	eg_memzero(pem, sizeof(pem));
	return r;
}

int
pki_key_create(const char *path)
{
	struct pki_rng rng;
	mbedtls_pk_context pk;
	int ret;

	mbedtls_pk_init(&pk);
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	if ((ret = gen_key(&pk, &rng)) != EG_OK)
		goto out;
	ret = write_key(path, &pk);
out:
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
	ret = pki_write_file(path, text, 2 * len + 1, 0600, true);
out:
	eg_memzero(key, sizeof(key));
	eg_memzero(text, sizeof(text));
	pki_rng_free(&rng);
	return ret;
}

static int
random_serial(mbedtls_mpi *serial, struct pki_rng *rng)
{
	unsigned char b[16];

	if (mbedtls_ctr_drbg_random(&rng->drbg, b, sizeof(b)) != 0)
		return EG_ERR_CRYPTO;
	b[0] &= 0x7f;	/* positive */
	b[0] |= 0x40;	/* and exactly 16 bytes long */
	return mbedtls_mpi_read_binary(serial, b, sizeof(b)) == 0 ? EG_OK : EG_ERR_CRYPTO;
}

/* DER of ExtKeyUsageSyntax with one purpose: serverAuth (1) or clientAuth (2). */
static int
set_eku(mbedtls_x509write_cert *w, enum pki_role role)
{
	unsigned char eku[] = { 0x30, 0x0A, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x05,
		0x05, 0x07, 0x03, 0x01 };

	eku[11] = role == PKI_ROLE_HOST ? 0x01 : 0x02;
	return mbedtls_x509write_crt_set_extension(w, MBEDTLS_OID_EXTENDED_KEY_USAGE,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, eku, sizeof(eku)) == 0 ?
	    EG_OK : EG_ERR_CRYPTO;
}

/* Write a certificate for subject_key, signed by issuer_key. */
static int
write_cert(const char *path, const char *subject, const char *issuer,
    mbedtls_pk_context *subject_key, mbedtls_pk_context *issuer_key,
    bool is_ca, int role, int days, int back_days, struct pki_rng *rng)
{
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
	unsigned char pem[4096];
	char nb[15], na[15];
	time_t now = time(NULL);
	int ret = EG_ERR_CRYPTO;

	mbedtls_x509write_crt_init(&w);
	mbedtls_mpi_init(&serial);
	pki_time_str(now - (time_t)back_days * 86400 - 60, nb);
	pki_time_str(now + (time_t)days * 86400, na);
	if ((ret = random_serial(&serial, rng)) != EG_OK)
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
		    set_eku(&w, (enum pki_role)role) != EG_OK)
			goto out;
	}
	if (mbedtls_x509write_crt_pem(&w, pem, sizeof(pem), mbedtls_ctr_drbg_random,
	    &rng->drbg) != 0)
		goto out;
	ret = pki_write_file(path, pem, strlen((char *)pem), 0644, false);
out:
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&w);
	return ret;
}

/* mkdir -p with mode 0700 for the folders it creates. */
static int
mkdir_p(const char *dir)
{
	char buf[512];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return EG_ERR_INVAL;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return EG_ERR_IO;
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return EG_ERR_IO;
	return EG_OK;
}

static int
path_in(char *out, size_t outsz, const char *dir, const char *name)
{
	return snprintf(out, outsz, "%s/%s", dir, name) < (int)outsz ? EG_OK : EG_ERR_INVAL;
}

int
pki_ca_create(const char *dir, const char *name, int days)
{
	struct pki_rng rng;
	mbedtls_pk_context key;
	struct pki_ca *ca = NULL;
	char subject[160], kp[600], cp[600];
	int ret;

	mbedtls_pk_init(&key);
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_INVAL;
	if (name == NULL || *name == '\0' || strpbrk(name, ",=+\"\\<>;") != NULL ||
	    snprintf(subject, sizeof(subject), "CN=%s,O=egate deployment", name) >= (int)sizeof(subject) ||
	    days <= 0 || path_in(kp, sizeof(kp), dir, PKI_CA_KEY) != EG_OK ||
	    path_in(cp, sizeof(cp), dir, PKI_CA_CRT) != EG_OK)
		goto out;
	if ((ret = mkdir_p(dir)) != EG_OK)
		goto out;
	if (access(kp, F_OK) == 0) {
		ret = EG_ERR_STATE;
		goto out;
	}
	if ((ret = gen_key(&key, &rng)) != EG_OK ||
	    (ret = write_key(kp, &key)) != EG_OK ||
	    (ret = write_cert(cp, subject, subject, &key, &key, true, 0, days, 0, &rng)) != EG_OK)
		goto out;
	if ((ret = pki_ca_open(dir, &ca)) != EG_OK)
		goto out;
	ret = pki_ca_publish_crl(ca, 30);
out:
	pki_ca_free(&ca);
	mbedtls_pk_free(&key);
	pki_rng_free(&rng);
	return ret;
}

int
pki_ca_open(const char *dir, struct pki_ca **out)
{
	struct pki_ca *ca;
	char kp[600], cp[600];
	int ret = EG_ERR_INVAL;

	*out = NULL;
	if ((ca = calloc(1, sizeof(*ca))) == NULL)
		return EG_ERR_NOMEM;
	mbedtls_pk_init(&ca->key);
	mbedtls_x509_crt_init(&ca->crt);
	if (snprintf(ca->dir, sizeof(ca->dir), "%s", dir) >= (int)sizeof(ca->dir) ||
	    path_in(kp, sizeof(kp), dir, PKI_CA_KEY) != EG_OK ||
	    path_in(cp, sizeof(cp), dir, PKI_CA_CRT) != EG_OK)
		goto fail;
	ret = EG_ERR_IO;
	if (access(kp, R_OK) != 0 || access(cp, R_OK) != 0)
		goto fail;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_pk_parse_keyfile(&ca->key, kp, NULL) != 0)
		goto fail;
	ret = EG_ERR_CERT;
	if (mbedtls_x509_crt_parse_file(&ca->crt, cp) != 0 ||
	    mbedtls_pk_check_pair(&ca->crt.pk, &ca->key) != 0)
		goto fail;
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
	mbedtls_pk_free(&ca->key);	/* mbedTLS zeroises key material */
	mbedtls_x509_crt_free(&ca->crt);
	eg_memzero(ca, sizeof(*ca));
	free(ca);
	*cap = NULL;
}

int
pki_csr_create(const char *key_path, const char *cn, enum pki_role role,
    const char *csr_path)
{
	struct pki_rng rng;
	mbedtls_pk_context key;
	mbedtls_x509write_csr w;
	unsigned char pem[2048];
	char subject[160];
	int ret;

	mbedtls_pk_init(&key);
	mbedtls_x509write_csr_init(&w);
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_INVAL;
	if (!cn_ok(cn) || pki_role_str(role) == NULL)
		goto out;
	snprintf(subject, sizeof(subject), "CN=%s,OU=%s,O=egate deployment", cn, pki_role_str(role));
	ret = EG_ERR_CRYPTO;
	if (mbedtls_pk_parse_keyfile(&key, key_path, NULL) != 0)
		goto out;
	mbedtls_x509write_csr_set_key(&w, &key);
	mbedtls_x509write_csr_set_md_alg(&w, MBEDTLS_MD_SHA256);
	if (mbedtls_x509write_csr_set_subject_name(&w, subject) != 0 ||
	    mbedtls_x509write_csr_pem(&w, pem, sizeof(pem), mbedtls_ctr_drbg_random, &rng.drbg) != 0)
		goto out;
	ret = pki_write_file(csr_path, pem, strlen((char *)pem), 0644, false);
out:
	mbedtls_x509write_csr_free(&w);
	mbedtls_pk_free(&key);
	pki_rng_free(&rng);
	return ret;
}

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
			return true;
		}
	}
	return false;
}

int
pki_ca_sign(struct pki_ca *ca, const char *csr_path, enum pki_role role,
    int days, int back_days, const char *crt_path)
{
	struct pki_rng rng;
	mbedtls_x509_csr csr;
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md;
	char cn[80], ou[32], subject[200], issuer[300];
	int ret;

	mbedtls_x509_csr_init(&csr);
	if ((ret = pki_rng_init(&rng)) != EG_OK)
		goto out;
	ret = EG_ERR_INVAL;
	if (back_days < 0 || days <= -back_days || pki_role_str(role) == NULL)
		goto out;
	ret = EG_ERR_CERT;
	if (mbedtls_x509_csr_parse_file(&csr, csr_path) != 0)
		goto out;
	/* the CSR must be signed by the key it carries (proof of possession) */
	if ((md = mbedtls_md_info_from_type(csr.sig_md)) == NULL ||
	    mbedtls_md(md, csr.cri.p, csr.cri.len, hash) != 0 ||
	    mbedtls_pk_verify_ext(csr.sig_pk, csr.sig_opts, &csr.pk, csr.sig_md, hash,
	    mbedtls_md_get_size(md), csr.sig.p, csr.sig.len) != 0)
		goto out;
	if (!mbedtls_pk_can_do(&csr.pk, MBEDTLS_PK_ECKEY) ||
	    mbedtls_pk_ec(csr.pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1)
		goto out;	/* deployment policy: P-256 only */
	if (!name_attr(&csr.subject, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN), cn, sizeof(cn)) ||
	    !cn_ok(cn) ||
	    !name_attr(&csr.subject, MBEDTLS_OID_AT_ORG_UNIT, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORG_UNIT), ou, sizeof(ou)) ||
	    strcmp(ou, pki_role_str(role)) != 0)
		goto out;
	snprintf(subject, sizeof(subject), "CN=%s,OU=%s,O=egate deployment", cn, ou);
	/* our CAs are "CN=<name>,O=egate deployment" (pki_ca_create) */
	if (!name_attr(&ca->crt.subject, MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN),
	    cn, sizeof(cn)))
		goto out;
	snprintf(issuer, sizeof(issuer), "CN=%s,O=egate deployment", cn);
	ret = write_cert(crt_path, subject, issuer, &csr.pk, &ca->key, false, (int)role,
	    days, back_days, &rng);
out:
	mbedtls_x509_csr_free(&csr);
	pki_rng_free(&rng);
	return ret;
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
