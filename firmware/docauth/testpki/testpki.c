/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testpki.c — TEST AND SIMULATION SUPPORT: a CSCA, Document Signers, EF.SOD,
 * EF.COM, DG1, CRLs and master lists made with mbedTLS (see testpki.h).
 *
 * DER is written forwards with a small stack of eg_wbuf: d_begin() opens a
 * constructed element, d_end(tag) closes it and wraps its content. mbedTLS
 * 2.28 writes certificates but not CMS or CRLs, so those are assembled here;
 * every signature is made by mbedTLS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "docauth/testpki.h"
#include "der.h"

#define DER_MAX (4u * 1024u * 1024u)
#define DEPTH 12

struct tpki {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	bool seeded;		/* deterministic */
	uint8_t seed[32];
	uint32_t counter;
};

/* Deterministic "entropy": SHA-256(seed || counter). Test use only. */
static int
seeded_entropy(void *ctx, unsigned char *out, size_t len)
{
	struct tpki *t = ctx;

	while (len > 0) {
		uint8_t in[36], h[32];
		size_t n = len < 32 ? len : 32;

		memcpy(in, t->seed, 32);
		in[32] = (uint8_t)(t->counter >> 24);
		in[33] = (uint8_t)(t->counter >> 16);
		in[34] = (uint8_t)(t->counter >> 8);
		in[35] = (uint8_t)t->counter;
		t->counter++;
		if (mbedtls_sha256_ret(in, sizeof(in), h, 0) != 0)
			return -1;
		memcpy(out, h, n);
		out += n;
		len -= n;
	}
	return 0;
}

int
tpki_new(struct tpki **out, const char *seed)
{
	struct tpki *t;
	int ret = EG_ERR_CRYPTO;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return EG_ERR_NOMEM;
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	if (seed != NULL) {
		t->seeded = true;
		if (mbedtls_sha256_ret((const unsigned char *)seed, strlen(seed), t->seed, 0) != 0 ||
		    mbedtls_ctr_drbg_seed(&t->drbg, seeded_entropy, t, NULL, 0) != 0)
			goto out;
	} else if (mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
	    (const unsigned char *)"egate-testpki", 13) != 0) {
		goto out;
	}
	*out = t;
	t = NULL;
	ret = EG_OK;
out:
	tpki_free(&t);
	return ret;
}

void
tpki_free(struct tpki **t)
{
	if (t == NULL || *t == NULL)
		return;
	mbedtls_ctr_drbg_free(&(*t)->drbg);
	mbedtls_entropy_free(&(*t)->entropy);
	eg_memzero(*t, sizeof(**t));
	free(*t);
	*t = NULL;
}

/* ---- forward DER writer --------------------------------------------------- */

struct der {
	struct eg_wbuf b[DEPTH];
	int n;
	int err;
};

static void
d_init(struct der *d)
{
	memset(d, 0, sizeof(*d));
	eg_wbuf_init(&d->b[0], DER_MAX, false);
	d->n = 1;
}

static void
d_free(struct der *d)
{
	for (int i = 0; i < d->n; i++)
		eg_wbuf_free(&d->b[i]);
	d->n = 0;
}

static void
d_raw(struct der *d, const void *p, size_t n)
{
	if (d->err == EG_OK && n > 0)
		d->err = eg_wbuf_put(&d->b[d->n - 1], p, n);
}

static void
d_prim(struct der *d, uint32_t tag, const void *p, size_t n)
{
	struct eg_wbuf *w = &d->b[d->n - 1];

	if (d->err == EG_OK)
		d->err = eg_tlv_put_tag(w, tag);
	if (d->err == EG_OK)
		d->err = eg_tlv_put_len(w, n);
	d_raw(d, p, n);
}

static void
d_begin(struct der *d)
{
	if (d->n == DEPTH) {
		d->err = EG_ERR_OVERFLOW;
		return;
	}
	eg_wbuf_init(&d->b[d->n++], DER_MAX, false);
}

static void
d_end(struct der *d, uint32_t tag)
{
	struct eg_wbuf in;

	if (d->n < 2) {
		d->err = EG_ERR_STATE;
		return;
	}
	in = d->b[--d->n];
	d_prim(d, tag, in.data, in.len);
	eg_wbuf_free(&in);
}

#define d_oid(d, o) d_prim((d), 0x06, (o), DER_OID_LEN(o))

static void
d_int(struct der *d, long v)
{
	uint8_t b[5];
	size_t n = 0;

	/* non-negative, minimal */
	if (v < 0x80) {
		b[n++] = (uint8_t)v;
	} else {
		uint8_t t[4];
		int k = 0;
		for (long x = v; x > 0; x >>= 8)
			t[k++] = (uint8_t)x;
		if (t[k - 1] & 0x80)
			b[n++] = 0;
		while (k > 0)
			b[n++] = t[--k];
	}
	d_prim(d, 0x02, b, n);
}

static void
d_alg(struct der *d, const char *oid, size_t oid_len, bool null_params)
{
	d_begin(d);
	d_prim(d, 0x06, oid, oid_len);
	if (null_params)
		d_prim(d, 0x05, NULL, 0);
	d_end(d, 0x30);
}

static int
d_finish(struct der *d, struct eg_wbuf *out)
{
	int ret = d->err;

	if (ret == EG_OK && d->n != 1)
		ret = EG_ERR_STATE;
	if (ret == EG_OK)
		ret = eg_wbuf_put(out, d->b[0].data, d->b[0].len);
	d_free(d);
	return ret;
}

/* ---- keys and certificates ------------------------------------------------ */

void
tpki_cred_init(struct tpki_cred *c)
{
	memset(c, 0, sizeof(*c));
	mbedtls_pk_init(&c->key);
	eg_wbuf_init(&c->cert, 64 * 1024, false);
}

void
tpki_cred_free(struct tpki_cred *c)
{
	if (c == NULL)
		return;
	mbedtls_pk_free(&c->key);
	eg_wbuf_free(&c->cert);
	memset(c->subject, 0, sizeof(c->subject));
}

static int
gen_key(struct tpki *t, enum tpki_key_type kt, mbedtls_pk_context *pk)
{
	mbedtls_pk_type_t pt = kt == TPKI_KEY_RSA2048 ? MBEDTLS_PK_RSA : MBEDTLS_PK_ECKEY;

	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(pt)) != 0)
		return EG_ERR_CRYPTO;
	switch (kt) {
	case TPKI_KEY_RSA2048:
		return mbedtls_rsa_gen_key(mbedtls_pk_rsa(*pk), mbedtls_ctr_drbg_random, &t->drbg,
		    2048, 65537) == 0 ? EG_OK : EG_ERR_CRYPTO;
	case TPKI_KEY_EC_P256:
	case TPKI_KEY_EC_BP256:
		return mbedtls_ecp_gen_key(kt == TPKI_KEY_EC_P256 ? MBEDTLS_ECP_DP_SECP256R1 :
		    MBEDTLS_ECP_DP_BP256R1, mbedtls_pk_ec(*pk), mbedtls_ctr_drbg_random,
		    &t->drbg) == 0 ? EG_OK : EG_ERR_CRYPTO;
	default:
		return EG_ERR_INVAL;
	}
}

int
tpki_cred_make(struct tpki *t, enum tpki_key_type kt, const char *subject,
    struct tpki_cred *issuer, bool is_ca, const char *not_before, const char *not_after,
    int serial, struct tpki_cred *out)
{
	mbedtls_x509write_cert w;
	mbedtls_mpi sn;
	uint8_t *buf = NULL;
	const size_t cap = 8192;
	int r, ret = EG_ERR_INVAL;

	mbedtls_x509write_crt_init(&w);
	mbedtls_mpi_init(&sn);
	if (t == NULL || subject == NULL || out == NULL || not_before == NULL ||
	    not_after == NULL || serial <= 0 || strlen(subject) >= sizeof(out->subject))
		goto out;
	if ((ret = gen_key(t, kt, &out->key)) != EG_OK)
		goto out;
	snprintf(out->subject, sizeof(out->subject), "%s", subject);
	ret = EG_ERR_CRYPTO;
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, &out->key);
	mbedtls_x509write_crt_set_issuer_key(&w, issuer != NULL ? &issuer->key : &out->key);
	if (mbedtls_mpi_lset(&sn, serial) != 0 ||
	    mbedtls_x509write_crt_set_serial(&w, &sn) != 0 ||
	    mbedtls_x509write_crt_set_validity(&w, not_before, not_after) != 0 ||
	    mbedtls_x509write_crt_set_subject_name(&w, subject) != 0 ||
	    mbedtls_x509write_crt_set_issuer_name(&w, issuer != NULL ? issuer->subject : subject) != 0 ||
	    mbedtls_x509write_crt_set_subject_key_identifier(&w) != 0 ||
	    mbedtls_x509write_crt_set_authority_key_identifier(&w) != 0)
		goto out;
	if (is_ca) {
		if (mbedtls_x509write_crt_set_basic_constraints(&w, 1, 0) != 0 ||
		    mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_KEY_CERT_SIGN |
		    MBEDTLS_X509_KU_CRL_SIGN) != 0)
			goto out;
	} else if (mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0) {
		goto out;
	}
	ret = EG_ERR_NOMEM;
	if ((buf = malloc(cap)) == NULL)
		goto out;
	ret = EG_ERR_CRYPTO;
	if ((r = mbedtls_x509write_crt_der(&w, buf, cap, mbedtls_ctr_drbg_random, &t->drbg)) <= 0)
		goto out;
	ret = eg_wbuf_put(&out->cert, buf + cap - (size_t)r, (size_t)r);
out:
	free(buf);
	mbedtls_mpi_free(&sn);
	mbedtls_x509write_crt_free(&w);
	return ret;
}

int
tpki_cert_pem(const struct tpki_cred *c, struct eg_wbuf *out)
{
	size_t cap = c->cert.len * 2 + 128, olen = 0;
	uint8_t *buf = malloc(cap);
	int ret = EG_ERR_NOMEM;

	if (buf == NULL)
		return ret;
	ret = mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n",
	    "-----END CERTIFICATE-----\n", c->cert.data, c->cert.len, buf, cap, &olen) == 0 ?
	    eg_wbuf_put(out, buf, olen - 1) : EG_ERR_CRYPTO;
	free(buf);
	return ret;
}

/* ---- signing ----------------------------------------------------------------- */

/* The AlgorithmIdentifier of a signature scheme. */
static void
d_sigalg(struct der *d, enum tpki_sig sig)
{
	switch (sig) {
	case TPKI_SIG_ECDSA:
	case TPKI_SIG_ECDSA_PLAIN:
		d_alg(d, MBEDTLS_OID_ECDSA_SHA256, DER_OID_LEN(MBEDTLS_OID_ECDSA_SHA256), false);
		break;
	case TPKI_SIG_RSA_PKCS1:
		d_alg(d, MBEDTLS_OID_PKCS1_SHA256, DER_OID_LEN(MBEDTLS_OID_PKCS1_SHA256), true);
		break;
	case TPKI_SIG_RSA_PSS:
		/* RSASSA-PSS-params { [0] sha256, [1] mgf1(sha256), [2] 32 } */
		d_begin(d);
		d_oid(d, MBEDTLS_OID_RSASSA_PSS);
		d_begin(d);
		d_begin(d);
		d_alg(d, MBEDTLS_OID_DIGEST_ALG_SHA256, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA256), true);
		d_end(d, 0xA0);
		d_begin(d);
		d_begin(d);
		d_oid(d, MBEDTLS_OID_MGF1);
		d_alg(d, MBEDTLS_OID_DIGEST_ALG_SHA256, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA256), true);
		d_end(d, 0x30);
		d_end(d, 0xA1);
		d_begin(d);
		d_int(d, 32);
		d_end(d, 0xA2);
		d_end(d, 0x30);
		d_end(d, 0x30);
		break;
	}
}

/* DER ECDSA-Sig-Value -> r||s, each left-padded to the group size. */
static int
der_to_plain(const uint8_t *sig, size_t len, size_t gbytes, uint8_t *out, size_t *olen)
{
	struct eg_rbuf b = eg_rbuf_init(sig, len), in;
	struct eg_tlv seq, v[2];

	if (eg_tlv_expect(&b, 0x30, &seq) != EG_OK)
		return EG_ERR_FORMAT;
	in = seq.value;
	if (eg_tlv_expect(&in, 0x02, &v[0]) != EG_OK || eg_tlv_expect(&in, 0x02, &v[1]) != EG_OK)
		return EG_ERR_FORMAT;
	memset(out, 0, 2 * gbytes);
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = v[i].value.p;
		size_t n = eg_rbuf_left(&v[i].value);

		while (n > 0 && *p == 0) {
			p++;
			n--;
		}
		if (n > gbytes)
			return EG_ERR_FORMAT;
		memcpy(out + (size_t)i * gbytes + gbytes - n, p, n);
	}
	*olen = 2 * gbytes;
	return EG_OK;
}

static int
sign(struct tpki *t, mbedtls_pk_context *key, enum tpki_sig sig, const uint8_t *msg, size_t len,
    uint8_t *out, size_t *olen)
{
	uint8_t h[32], der[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t dl = 0;
	int ret = EG_ERR_CRYPTO;

	if (mbedtls_sha256_ret(msg, len, h, 0) != 0)
		return EG_ERR_CRYPTO;
	switch (sig) {
	case TPKI_SIG_ECDSA:
	case TPKI_SIG_ECDSA_PLAIN:
		if (mbedtls_pk_get_type(key) != MBEDTLS_PK_ECKEY)
			return EG_ERR_INVAL;
		if (mbedtls_pk_sign(key, MBEDTLS_MD_SHA256, h, 32, der, &dl,
		    mbedtls_ctr_drbg_random, &t->drbg) != 0)
			return EG_ERR_CRYPTO;
		if (sig == TPKI_SIG_ECDSA) {
			memcpy(out, der, dl);
			*olen = dl;
			return EG_OK;
		}
		return der_to_plain(der, dl, (mbedtls_pk_ec(*key)->grp.pbits + 7) / 8, out, olen);
	case TPKI_SIG_RSA_PKCS1:
	case TPKI_SIG_RSA_PSS:
		if (mbedtls_pk_get_type(key) != MBEDTLS_PK_RSA)
			return EG_ERR_INVAL;
		if (sig == TPKI_SIG_RSA_PKCS1) {
			if (mbedtls_pk_sign(key, MBEDTLS_MD_SHA256, h, 32, out, olen,
			    mbedtls_ctr_drbg_random, &t->drbg) == 0)
				ret = EG_OK;
		} else {
			mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*key);

			mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
			if (mbedtls_rsa_rsassa_pss_sign_ext(rsa, mbedtls_ctr_drbg_random, &t->drbg,
			    MBEDTLS_MD_SHA256, 32, h, 32, out) == 0) {
				*olen = mbedtls_rsa_get_len(rsa);
				ret = EG_OK;
			}
			mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V15, MBEDTLS_MD_NONE);
		}
		return ret;
	}
	return EG_ERR_INVAL;
}

/* ---- CMS SignedData ------------------------------------------------------- */

static int
signed_data(struct tpki *t, const char *ctype, size_t ctype_len, const uint8_t *econtent,
    size_t elen, struct tpki_cred *signer, enum tpki_sig sig, unsigned flags, struct eg_wbuf *out)
{
	mbedtls_x509_crt crt;
	struct der d, a;
	uint8_t h[32], s[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t slen = 0;
	struct eg_wbuf attrs;
	int ret;

	mbedtls_x509_crt_init(&crt);
	eg_wbuf_init(&attrs, DER_MAX, false);
	d_init(&d);
	d_init(&a);
	ret = EG_ERR_CERT;
	if (mbedtls_x509_crt_parse_der(&crt, signer->cert.data, signer->cert.len) != 0)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_sha256_ret(econtent, elen, h, 0) != 0)
		goto out;
	if (flags & TPKI_BAD_DIGEST)
		h[0] ^= 0x01;
	/* signedAttrs: SET OF in DER order (contentType's encoding is the
	 * shorter, so it sorts first); signed as SET (0x31), stored as [0] */
	d_begin(&a);
	d_begin(&a);
	d_oid(&a, DER_OID_CONTENT_TYPE);
	d_begin(&a);
	d_prim(&a, 0x06, ctype, ctype_len);
	d_end(&a, 0x31);
	d_end(&a, 0x30);
	d_begin(&a);
	d_oid(&a, DER_OID_MESSAGE_DIGEST);
	d_begin(&a);
	d_prim(&a, 0x04, h, sizeof(h));
	d_end(&a, 0x31);
	d_end(&a, 0x30);
	d_end(&a, 0x31);
	if ((ret = d_finish(&a, &attrs)) != EG_OK)
		goto out;
	if ((ret = sign(t, &signer->key, sig, attrs.data, attrs.len, s, &slen)) != EG_OK)
		goto out;
	if (flags & TPKI_BAD_SIGNATURE)
		s[slen / 2] ^= 0x5A;

	/* ContentInfo { signedData, [0] SignedData } */
	d_begin(&d);
	d_oid(&d, DER_OID_SIGNED_DATA);
	d_begin(&d);
	d_begin(&d);
	d_int(&d, 3);				/* eContentType is not id-data */
	d_begin(&d);
	d_alg(&d, MBEDTLS_OID_DIGEST_ALG_SHA256, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA256), false);
	d_end(&d, 0x31);
	d_begin(&d);				/* encapContentInfo */
	d_prim(&d, 0x06, ctype, ctype_len);
	d_begin(&d);
	d_prim(&d, 0x04, econtent, elen);
	d_end(&d, 0xA0);
	d_end(&d, 0x30);
	if (!(flags & TPKI_NO_CERT))
		d_prim(&d, 0xA0, signer->cert.data, signer->cert.len);
	d_begin(&d);				/* signerInfos */
	d_begin(&d);
	if (flags & TPKI_SID_SKI) {
		const uint8_t *ski;
		size_t n;

		ret = EG_ERR_CERT;
		if (der_cert_ski(&crt, &ski, &n) != EG_OK)
			goto out;
		d_int(&d, 3);
		d_prim(&d, 0x80, ski, n);
	} else {
		d_int(&d, 1);
		d_begin(&d);
		d_raw(&d, crt.issuer_raw.p, crt.issuer_raw.len);
		d_prim(&d, 0x02, crt.serial.p, crt.serial.len);
		d_end(&d, 0x30);
	}
	d_alg(&d, MBEDTLS_OID_DIGEST_ALG_SHA256, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA256), false);
	/* signedAttrs [0] IMPLICIT: the SET with its tag replaced */
	d_raw(&d, "\xA0", 1);
	d_raw(&d, attrs.data + 1, attrs.len - 1);
	d_sigalg(&d, sig);
	d_prim(&d, 0x04, s, slen);
	d_end(&d, 0x30);
	d_end(&d, 0x31);
	d_end(&d, 0x30);	/* SignedData */
	d_end(&d, 0xA0);
	d_end(&d, 0x30);	/* ContentInfo */
	ret = d_finish(&d, out);
out:
	d_free(&d);
	d_free(&a);
	eg_wbuf_free(&attrs);
	mbedtls_x509_crt_free(&crt);
	return ret;
}

int
tpki_sod_build(struct tpki *t, const struct tpki_sod_params *p, struct eg_wbuf *out)
{
	struct der so, sod;
	struct eg_wbuf lso, cms;
	const mbedtls_md_info_t *mi;
	const char *oid = NULL;
	size_t oid_len = 0;
	int ret;

	if (t == NULL || p == NULL || p->ds == NULL || out == NULL)
		return EG_ERR_INVAL;
	eg_wbuf_init(&lso, DER_MAX, false);
	eg_wbuf_init(&cms, DER_MAX, false);
	d_init(&so);
	d_init(&sod);
	switch (p->dg_hash) {
#define H(md, o) case md: oid = o; oid_len = DER_OID_LEN(o); break
	H(MBEDTLS_MD_NONE, MBEDTLS_OID_DIGEST_ALG_SHA256);
	H(MBEDTLS_MD_SHA1, MBEDTLS_OID_DIGEST_ALG_SHA1);
	H(MBEDTLS_MD_SHA224, MBEDTLS_OID_DIGEST_ALG_SHA224);
	H(MBEDTLS_MD_SHA256, MBEDTLS_OID_DIGEST_ALG_SHA256);
	H(MBEDTLS_MD_SHA384, MBEDTLS_OID_DIGEST_ALG_SHA384);
	H(MBEDTLS_MD_SHA512, MBEDTLS_OID_DIGEST_ALG_SHA512);
#undef H
	default:
		ret = EG_ERR_INVAL;
		goto out;
	}
	mi = mbedtls_md_info_from_type(p->dg_hash == MBEDTLS_MD_NONE ? MBEDTLS_MD_SHA256 : p->dg_hash);
	/* LDSSecurityObject { v0, hashAlgorithm, SEQUENCE OF { dg, hash } } */
	if (p->lds_version != NULL && strlen(p->lds_version) != 4) {
		ret = EG_ERR_INVAL;
		goto out;
	}
	d_begin(&so);
	d_int(&so, p->lds_version != NULL ? 1 : 0);
	d_alg(&so, oid, oid_len, false);
	d_begin(&so);
	for (int dg = 1; dg <= LDS_MAX_DG; dg++) {
		uint8_t h[MBEDTLS_MD_MAX_SIZE];

		if (p->dg[dg] == NULL)
			continue;
		if (mi == NULL || mbedtls_md(mi, p->dg[dg], p->dg_len[dg], h) != 0) {
			ret = EG_ERR_CRYPTO;
			goto out;
		}
		d_begin(&so);
		d_int(&so, dg);
		d_prim(&so, 0x04, h, mbedtls_md_get_size(mi));
		d_end(&so, 0x30);
	}
	d_end(&so, 0x30);
	if (p->lds_version != NULL) {
		d_begin(&so);
		d_prim(&so, 0x13, p->lds_version, 4);
		d_prim(&so, 0x13, "040000", 6);
		d_end(&so, 0x30);
	}
	d_end(&so, 0x30);
	if ((ret = d_finish(&so, &lso)) != EG_OK)
		goto out;
	if ((ret = signed_data(t, DER_OID_LDS_SO, DER_OID_LEN(DER_OID_LDS_SO), lso.data, lso.len,
	    p->ds, p->sig, p->flags, &cms)) != EG_OK)
		goto out;
	d_prim(&sod, LDS_TAG_SOD, cms.data, cms.len);
	ret = d_finish(&sod, out);
out:
	d_free(&so);
	d_free(&sod);
	eg_wbuf_free(&lso);
	eg_wbuf_free(&cms);
	return ret;
}

int
tpki_com_build(uint32_t dg_mask, struct eg_wbuf *out)
{
	struct der d;
	uint8_t tags[LDS_MAX_DG];
	size_t n = 0;

	if (out == NULL || (dg_mask & ~0x1FFFEu) != 0)
		return EG_ERR_INVAL;
	for (int dg = 1; dg <= LDS_MAX_DG; dg++)
		if (dg_mask & (1u << dg))
			tags[n++] = lds_dg_tag(dg);
	d_init(&d);
	d_begin(&d);
	d_prim(&d, 0x5F01, "0107", 4);
	d_prim(&d, 0x5F36, "040000", 6);
	d_prim(&d, 0x5C, tags, n);
	d_end(&d, LDS_TAG_COM);
	return d_finish(&d, out);
}

int
tpki_dg1_build(const char *mrz, struct eg_wbuf *out)
{
	struct der d;
	size_t n;

	if (mrz == NULL || out == NULL)
		return EG_ERR_INVAL;
	n = strlen(mrz);
	if (n != 88 && n != 72 && n != 90)
		return EG_ERR_INVAL;
	d_init(&d);
	d_begin(&d);
	d_prim(&d, LDS_TAG_MRZ, mrz, n);
	d_end(&d, LDS_TAG_DG1);
	return d_finish(&d, out);
}

/* ---- CRL ---------------------------------------------------------------------- */

/* "YYYYMMDDhhmmss" -> UTCTime "YYMMDDhhmmssZ" (years 1950..2049) */
static int
d_utctime(struct der *d, const char *t)
{
	char u[13];

	if (t == NULL || strlen(t) != 14 || memcmp(t, "19", 2) < 0 || memcmp(t, "2049", 4) > 0)
		return EG_ERR_INVAL;
	memcpy(u, t + 2, 12);
	u[12] = 'Z';
	d_prim(d, 0x17, u, 13);
	return EG_OK;
}

int
tpki_crl_build(struct tpki *t, struct tpki_cred *ca, const uint8_t *const *revoked,
    const size_t *revoked_len, size_t n_revoked, const char *this_update,
    const char *next_update, struct eg_wbuf *out)
{
	mbedtls_x509_crt cacrt;
	struct der tbs, crl;
	struct eg_wbuf tb;
	uint8_t s[MBEDTLS_PK_SIGNATURE_MAX_SIZE], bits[MBEDTLS_PK_SIGNATURE_MAX_SIZE + 1];
	size_t slen = 0;
	enum tpki_sig sig;
	int ret = EG_ERR_INVAL;

	mbedtls_x509_crt_init(&cacrt);
	eg_wbuf_init(&tb, DER_MAX, false);
	d_init(&tbs);
	d_init(&crl);
	if (t == NULL || ca == NULL || out == NULL || (n_revoked > 0 && revoked == NULL))
		goto out;
	sig = mbedtls_pk_get_type(&ca->key) == MBEDTLS_PK_RSA ? TPKI_SIG_RSA_PKCS1 : TPKI_SIG_ECDSA;
	ret = EG_ERR_CERT;
	if (mbedtls_x509_crt_parse_der(&cacrt, ca->cert.data, ca->cert.len) != 0)
		goto out;
	/* TBSCertList { v2, signature, issuer, thisUpdate, nextUpdate, revoked } */
	d_begin(&tbs);
	d_int(&tbs, 1);
	d_sigalg(&tbs, sig);
	d_raw(&tbs, cacrt.subject_raw.p, cacrt.subject_raw.len);
	if ((ret = d_utctime(&tbs, this_update)) != EG_OK ||
	    (ret = d_utctime(&tbs, next_update)) != EG_OK)
		goto out;
	if (n_revoked > 0) {
		d_begin(&tbs);
		for (size_t i = 0; i < n_revoked; i++) {
			mbedtls_x509_crt c;

			mbedtls_x509_crt_init(&c);
			if (mbedtls_x509_crt_parse_der(&c, revoked[i], revoked_len[i]) != 0) {
				mbedtls_x509_crt_free(&c);
				ret = EG_ERR_CERT;
				goto out;
			}
			d_begin(&tbs);
			d_prim(&tbs, 0x02, c.serial.p, c.serial.len);
			ret = d_utctime(&tbs, this_update);
			d_end(&tbs, 0x30);
			mbedtls_x509_crt_free(&c);
		}
		d_end(&tbs, 0x30);
	}
	d_end(&tbs, 0x30);
	if ((ret = d_finish(&tbs, &tb)) != EG_OK)
		goto out;
	if ((ret = sign(t, &ca->key, sig, tb.data, tb.len, s, &slen)) != EG_OK)
		goto out;
	bits[0] = 0;	/* no unused bits */
	memcpy(bits + 1, s, slen);
	d_begin(&crl);
	d_raw(&crl, tb.data, tb.len);
	d_sigalg(&crl, sig);
	d_prim(&crl, 0x03, bits, slen + 1);
	d_end(&crl, 0x30);
	ret = d_finish(&crl, out);
out:
	d_free(&tbs);
	d_free(&crl);
	eg_wbuf_free(&tb);
	mbedtls_x509_crt_free(&cacrt);
	return ret;
}

/* ---- master list ---------------------------------------------------------- */

static int
cmp_der(const void *a, const void *b)
{
	const struct { const uint8_t *p; size_t n; } *x = a, *y = b;
	size_t m = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, m);

	return c != 0 ? c : (x->n < y->n ? -1 : x->n > y->n);
}

int
tpki_masterlist_build(struct tpki *t, struct tpki_cred *signer, const uint8_t *const *certs,
    const size_t *cert_len, size_t n, unsigned flags, struct eg_wbuf *out)
{
	struct { const uint8_t *p; size_t n; } *v = NULL;
	struct der d;
	struct eg_wbuf ml;
	enum tpki_sig sig;
	int ret = EG_ERR_INVAL;

	eg_wbuf_init(&ml, DER_MAX, false);
	d_init(&d);
	if (t == NULL || signer == NULL || out == NULL || (n > 0 && (certs == NULL || cert_len == NULL)))
		goto out;
	ret = EG_ERR_NOMEM;
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		v[i].p = certs[i];
		v[i].n = cert_len[i];
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_der);	/* DER SET OF order */
	/* CscaMasterList { version v0, certList SET OF Certificate } */
	d_begin(&d);
	d_int(&d, 0);
	d_begin(&d);
	for (size_t i = 0; i < n; i++)
		d_raw(&d, v[i].p, v[i].n);
	d_end(&d, 0x31);
	d_end(&d, 0x30);
	if ((ret = d_finish(&d, &ml)) != EG_OK)
		goto out;
	sig = mbedtls_pk_get_type(&signer->key) == MBEDTLS_PK_RSA ? TPKI_SIG_RSA_PKCS1 : TPKI_SIG_ECDSA;
	ret = signed_data(t, DER_OID_CSCA_ML, DER_OID_LEN(DER_OID_CSCA_ML), ml.data, ml.len, signer,
	    sig, flags, out);
out:
	free(v);
	d_free(&d);
	eg_wbuf_free(&ml);
	return ret;
}

int
tpki_cardsecurity_build(struct tpki *t, struct tpki_cred *signer,
    const uint8_t *secinfos, size_t len, unsigned flags, struct eg_wbuf *out)
{
	if (t == NULL || signer == NULL || secinfos == NULL || len == 0 ||
	    out == NULL)
		return EG_ERR_INVAL;
	return signed_data(t, DER_OID_SECURITY_OBJECT,
	    DER_OID_LEN(DER_OID_SECURITY_OBJECT), secinfos, len, signer,
	    TPKI_SIG_ECDSA, flags, out);
}
