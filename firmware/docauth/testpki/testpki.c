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
#include <mbedtls/asn1write.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "docauth/cert.h"
#include "docauth/spki.h"
#include "docauth/testpki.h"
#include "der.h"

#define DER_MAX (4u * 1024u * 1024u)
#define SCALAR_BUF 66	/* P-521 */
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

/* close a constructed element with the BER indefinite length form:
 * tag 80 content 00 00 */
static void
d_end_indef(struct der *d, uint32_t tag)
{
	struct eg_wbuf in;
	struct eg_wbuf *w;

	if (d->n < 2) {
		d->err = EG_ERR_STATE;
		return;
	}
	in = d->b[--d->n];
	w = &d->b[d->n - 1];
	if (d->err == EG_OK)
		d->err = eg_tlv_put_tag(w, tag);
	d_raw(d, "\x80", 1);
	d_raw(d, in.data, in.len);
	d_raw(d, "\x00\x00", 2);
	eg_wbuf_free(&in);
}

/* d_end, or d_end_indef when ber */
static void
d_close(struct der *d, uint32_t tag, bool ber)
{
	if (ber)
		d_end_indef(d, tag);
	else
		d_end(d, tag);
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

/* brainpoolP320r1 (RFC 5639) as explicit ECParameters: a curve mbedTLS
 * does not know, so keys on it live in a custom group (spki.h) */
static const uint8_t bp320_params[] = {
	0x30, 0x82, 0x01, 0x10, 0x02, 0x01, 0x01, 0x30, 0x34, 0x06, 0x07, 0x2a,
	0x86, 0x48, 0xce, 0x3d, 0x01, 0x01, 0x02, 0x29, 0x00, 0xd3, 0x5e, 0x47,
	0x20, 0x36, 0xbc, 0x4f, 0xb7, 0xe1, 0x3c, 0x78, 0x5e, 0xd2, 0x01, 0xe0,
	0x65, 0xf9, 0x8f, 0xcf, 0xa6, 0xf6, 0xf4, 0x0d, 0xef, 0x4f, 0x92, 0xb9,
	0xec, 0x78, 0x93, 0xec, 0x28, 0xfc, 0xd4, 0x12, 0xb1, 0xf1, 0xb3, 0x2e,
	0x27, 0x30, 0x54, 0x04, 0x28, 0x3e, 0xe3, 0x0b, 0x56, 0x8f, 0xba, 0xb0,
	0xf8, 0x83, 0xcc, 0xeb, 0xd4, 0x6d, 0x3f, 0x3b, 0xb8, 0xa2, 0xa7, 0x35,
	0x13, 0xf5, 0xeb, 0x79, 0xda, 0x66, 0x19, 0x0e, 0xb0, 0x85, 0xff, 0xa9,
	0xf4, 0x92, 0xf3, 0x75, 0xa9, 0x7d, 0x86, 0x0e, 0xb4, 0x04, 0x28, 0x52,
	0x08, 0x83, 0x94, 0x9d, 0xfd, 0xbc, 0x42, 0xd3, 0xad, 0x19, 0x86, 0x40,
	0x68, 0x8a, 0x6f, 0xe1, 0x3f, 0x41, 0x34, 0x95, 0x54, 0xb4, 0x9a, 0xcc,
	0x31, 0xdc, 0xcd, 0x88, 0x45, 0x39, 0x81, 0x6f, 0x5e, 0xb4, 0xac, 0x8f,
	0xb1, 0xf1, 0xa6, 0x04, 0x51, 0x04, 0x43, 0xbd, 0x7e, 0x9a, 0xfb, 0x53,
	0xd8, 0xb8, 0x52, 0x89, 0xbc, 0xc4, 0x8e, 0xe5, 0xbf, 0xe6, 0xf2, 0x01,
	0x37, 0xd1, 0x0a, 0x08, 0x7e, 0xb6, 0xe7, 0x87, 0x1e, 0x2a, 0x10, 0xa5,
	0x99, 0xc7, 0x10, 0xaf, 0x8d, 0x0d, 0x39, 0xe2, 0x06, 0x11, 0x14, 0xfd,
	0xd0, 0x55, 0x45, 0xec, 0x1c, 0xc8, 0xab, 0x40, 0x93, 0x24, 0x7f, 0x77,
	0x27, 0x5e, 0x07, 0x43, 0xff, 0xed, 0x11, 0x71, 0x82, 0xea, 0xa9, 0xc7,
	0x78, 0x77, 0xaa, 0xac, 0x6a, 0xc7, 0xd3, 0x52, 0x45, 0xd1, 0x69, 0x2e,
	0x8e, 0xe1, 0x02, 0x29, 0x00, 0xd3, 0x5e, 0x47, 0x20, 0x36, 0xbc, 0x4f,
	0xb7, 0xe1, 0x3c, 0x78, 0x5e, 0xd2, 0x01, 0xe0, 0x65, 0xf9, 0x8f, 0xcf,
	0xa5, 0xb6, 0x8f, 0x12, 0xa3, 0x2d, 0x48, 0x2e, 0xc7, 0xee, 0x86, 0x58,
	0xe9, 0x86, 0x91, 0x55, 0x5b, 0x44, 0xc5, 0x93, 0x11, 0x02, 0x01, 0x01,
};

static int
gen_key(struct tpki *t, enum tpki_key_type kt, mbedtls_pk_context *pk)
{
	mbedtls_pk_type_t pt = kt == TPKI_KEY_RSA2048 ? MBEDTLS_PK_RSA : MBEDTLS_PK_ECKEY;
	mbedtls_ecp_keypair *kp;

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
	case TPKI_KEY_EC_BP320:
		kp = mbedtls_pk_ec(*pk);
		if (spki_ecparams_parse(bp320_params, sizeof(bp320_params), &kp->grp, NULL) != EG_OK)
			return EG_ERR_CRYPTO;
		return mbedtls_ecp_gen_keypair(&kp->grp, &kp->d, &kp->Q, mbedtls_ctr_drbg_random,
		    &t->drbg) == 0 ? EG_OK : EG_ERR_CRYPTO;
	default:
		return EG_ERR_INVAL;
	}
}

/* A copy of a key pair, private half included (link certificates certify
 * a key another credential holds). */
static int
key_copy(mbedtls_pk_context *dst, const mbedtls_pk_context *src)
{
	mbedtls_pk_type_t pt = mbedtls_pk_get_type(src);

	if (mbedtls_pk_setup(dst, mbedtls_pk_info_from_type(pt)) != 0)
		return EG_ERR_CRYPTO;
	if (pt == MBEDTLS_PK_RSA)
		return mbedtls_rsa_copy(mbedtls_pk_rsa(*dst), mbedtls_pk_rsa(*src)) == 0 ? EG_OK :
		    EG_ERR_CRYPTO;
	if (pt != MBEDTLS_PK_ECKEY)
		return EG_ERR_INVAL;
	if (spki_ec_group_copy(&mbedtls_pk_ec(*dst)->grp, &mbedtls_pk_ec(*src)->grp) != EG_OK ||
	    mbedtls_mpi_copy(&mbedtls_pk_ec(*dst)->d, &mbedtls_pk_ec(*src)->d) != 0 ||
	    mbedtls_ecp_copy(&mbedtls_pk_ec(*dst)->Q, &mbedtls_pk_ec(*src)->Q) != 0)
		return EG_ERR_CRYPTO;
	return EG_OK;
}

/* an unsigned big number as a DER INTEGER */
static void
d_mpi(struct der *d, const mbedtls_mpi *x)
{
	uint8_t b[SCALAR_BUF + 1];
	size_t n = mbedtls_mpi_size(x);

	if (n == 0 || n > SCALAR_BUF) {
		d_prim(d, 0x02, "\x00", 1);
		return;
	}
	b[0] = 0;
	if (mbedtls_mpi_write_binary(x, b + 1, n) != 0) {
		d->err = EG_ERR_CRYPTO;
		return;
	}
	if (b[1] & 0x80)
		d_prim(d, 0x02, b, n + 1);
	else
		d_prim(d, 0x02, b + 1, n);
}

static void
d_mpi_octets(struct der *d, const mbedtls_mpi *x, size_t len)
{
	uint8_t b[SCALAR_BUF];

	if (len > sizeof(b) || mbedtls_mpi_write_binary(x, b, len) != 0) {
		d->err = EG_ERR_CRYPTO;
		return;
	}
	d_prim(d, 0x04, b, len);
}

/* SubjectPublicKeyInfo of key; EC keys with explicit ECParameters when
 * asked (or when the curve has no OID: a custom group), bad_b writes a
 * wrong curve coefficient b (an invalid curve). */
static void
d_spki(struct der *d, mbedtls_pk_context *key, bool explicit_params, bool bad_b)
{
	uint8_t buf[2048], pt[2 * SCALAR_BUF + 1];
	mbedtls_ecp_keypair *kp;
	size_t plen, olen = 0;
	const char *oid;
	size_t oid_len;
	mbedtls_mpi a, b;
	int n;

	if (mbedtls_pk_get_type(key) == MBEDTLS_PK_RSA) {
		if ((n = mbedtls_pk_write_pubkey_der(key, buf, sizeof(buf))) <= 0) {
			d->err = EG_ERR_CRYPTO;
			return;
		}
		d_raw(d, buf + sizeof(buf) - n, (size_t)n);
		return;
	}
	kp = mbedtls_pk_ec(*key);
	plen = (kp->grp.pbits + 7) / 8;
	if (mbedtls_ecp_point_write_binary(&kp->grp, &kp->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, pt,
	    sizeof(pt)) != 0) {
		d->err = EG_ERR_CRYPTO;
		return;
	}
	d_begin(d);
	d_begin(d);
	d_oid(d, MBEDTLS_OID_EC_ALG_UNRESTRICTED);
	if (!explicit_params && kp->grp.id != MBEDTLS_ECP_DP_NONE &&
	    mbedtls_oid_get_oid_by_ec_grp(kp->grp.id, &oid, &oid_len) == 0) {
		d_prim(d, 0x06, oid, oid_len);
	} else {
		uint8_t g[2 * SCALAR_BUF + 1];
		size_t gl = 0;

		mbedtls_mpi_init(&a);
		mbedtls_mpi_init(&b);
		if ((kp->grp.A.p == NULL ? mbedtls_mpi_sub_int(&a, &kp->grp.P, 3) :
		    mbedtls_mpi_copy(&a, &kp->grp.A)) != 0 || mbedtls_mpi_copy(&b, &kp->grp.B) != 0 ||
		    (bad_b && mbedtls_mpi_add_int(&b, &b, 1) != 0) ||
		    mbedtls_ecp_point_write_binary(&kp->grp, &kp->grp.G, MBEDTLS_ECP_PF_UNCOMPRESSED,
		    &gl, g, sizeof(g)) != 0)
			d->err = EG_ERR_CRYPTO;
		d_begin(d);			/* ECParameters */
		d_int(d, 1);
		d_begin(d);
		d_oid(d, "\x2a\x86\x48\xce\x3d\x01\x01");	/* prime-field */
		d_mpi(d, &kp->grp.P);
		d_end(d, 0x30);
		d_begin(d);
		d_mpi_octets(d, &a, plen);
		d_mpi_octets(d, &b, plen);
		d_end(d, 0x30);
		d_prim(d, 0x04, g, gl);
		d_mpi(d, &kp->grp.N);
		d_int(d, 1);
		d_end(d, 0x30);
		mbedtls_mpi_free(&a);
		mbedtls_mpi_free(&b);
	}
	d_end(d, 0x30);
	buf[0] = 0;
	memcpy(buf + 1, pt, olen);
	d_prim(d, 0x03, buf, olen + 1);
	d_end(d, 0x30);
}

/* keyIdentifier: SHA-1 of the public key bytes (RFC 5280 4.2.1.2 method 1) */
static int
key_id(mbedtls_pk_context *key, uint8_t id[20])
{
	uint8_t buf[2048], *p = buf + sizeof(buf);
	int n;

	if (mbedtls_pk_get_type(key) == MBEDTLS_PK_ECKEY) {
		mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*key);
		size_t olen = 0;

		if (mbedtls_ecp_point_write_binary(&kp->grp, &kp->Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
		    &olen, buf, sizeof(buf)) != 0)
			return EG_ERR_CRYPTO;
		return mbedtls_sha1_ret(buf, olen, id) == 0 ? EG_OK : EG_ERR_CRYPTO;
	}
	if ((n = mbedtls_pk_write_pubkey(&p, buf, key)) <= 0)
		return EG_ERR_CRYPTO;
	return mbedtls_sha1_ret(p, (size_t)n, id) == 0 ? EG_OK : EG_ERR_CRYPTO;
}

/* a Name from mbedTLS's "C=UT,O=Utopia,CN=x" syntax, in that order */
static int
d_name(struct der *d, const char *name)
{
	mbedtls_asn1_named_data *head = NULL;
	uint8_t buf[1024], *p = buf + sizeof(buf);
	int n;

	if (mbedtls_x509_string_to_names(&head, name) != 0) {
		mbedtls_asn1_free_named_data_list(&head);
		return EG_ERR_INVAL;
	}
	n = mbedtls_x509_write_names(&p, buf, head);
	mbedtls_asn1_free_named_data_list(&head);
	if (n <= 0)
		return EG_ERR_INVAL;
	d_raw(d, p, (size_t)n);
	return EG_OK;
}

static int d_time(struct der *d, const char *t);
static int sign(struct tpki *t, mbedtls_pk_context *key, enum tpki_sig sig, const uint8_t *msg,
    size_t len, uint8_t *out, size_t *olen);
static void d_sigalg(struct der *d, enum tpki_sig sig);

static void
d_ext(struct der *d, const char *oid, size_t oid_len, bool critical, const uint8_t *v, size_t n)
{
	d_begin(d);
	d_prim(d, 0x06, oid, oid_len);
	if (critical)
		d_prim(d, 0x01, "\xff", 1);
	d_prim(d, 0x04, v, n);
	d_end(d, 0x30);
}

int
tpki_cert_make(struct tpki *t, const struct tpki_cert_opts *o, struct tpki_cred *out)
{
	struct der tbs, crt, ext;
	struct eg_wbuf tb, eb;
	struct cert *ic = NULL;
	uint8_t ski[20], aki[20], s[MBEDTLS_PK_SIGNATURE_MAX_SIZE + 1];
	size_t slen = 0;
	mbedtls_pk_context *ikey;
	enum tpki_sig sig;
	unsigned ku;
	bool ca;
	int ret = EG_ERR_INVAL;

	d_init(&tbs);
	d_init(&crt);
	d_init(&ext);
	eg_wbuf_init(&tb, DER_MAX, false);
	eg_wbuf_init(&eb, DER_MAX, false);
	if (t == NULL || o == NULL || out == NULL || o->subject == NULL || o->not_before == NULL ||
	    o->not_after == NULL || o->serial <= 0 || strlen(o->subject) >= sizeof(out->subject))
		goto out;
	ret = o->key_of != NULL ? key_copy(&out->key, &o->key_of->key) : gen_key(t, o->key, &out->key);
	if (ret != EG_OK)
		goto out;
	snprintf(out->subject, sizeof(out->subject), "%s", o->subject);
	ikey = o->issuer != NULL ? &o->issuer->key : &out->key;
	sig = mbedtls_pk_get_type(ikey) == MBEDTLS_PK_RSA ? TPKI_SIG_RSA_PKCS1 : TPKI_SIG_ECDSA;
	if ((ret = key_id(&out->key, ski)) != EG_OK || (ret = key_id(ikey, aki)) != EG_OK)
		goto out;
	ca = o->role == TPKI_ROLE_CSCA || (o->flags & TPKI_CERT_CA);
	ku = o->role == TPKI_ROLE_CSCA ? MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN :
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
	if (o->flags & TPKI_CERT_KU_DS_ONLY)
		ku = MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
	/* TBSCertificate */
	d_begin(&tbs);
	d_begin(&tbs);
	d_int(&tbs, 2);				/* v3 */
	d_end(&tbs, 0xA0);
	d_int(&tbs, o->serial);
	d_sigalg(&tbs, sig);
	if (o->issuer_name != NULL) {
		ret = d_name(&tbs, o->issuer_name);
	} else if (o->issuer != NULL) {
		ret = EG_ERR_CERT;
		if (cert_parse(o->issuer->cert.data, o->issuer->cert.len, &ic) != EG_OK)
			goto out;
		d_raw(&tbs, ic->subject.raw.p, ic->subject.raw.len);
		ret = EG_OK;
	} else {
		ret = d_name(&tbs, o->subject);
	}
	if (ret != EG_OK)
		goto out;
	d_begin(&tbs);
	if ((ret = d_time(&tbs, o->not_before)) != EG_OK || (ret = d_time(&tbs, o->not_after)) != EG_OK)
		goto out;
	d_end(&tbs, 0x30);
	if ((ret = d_name(&tbs, o->subject)) != EG_OK)
		goto out;
	d_spki(&tbs, &out->key, (o->flags & (TPKI_CERT_EXPLICIT | TPKI_CERT_EXPLICIT_BAD)) != 0,
	    (o->flags & TPKI_CERT_EXPLICIT_BAD) != 0);
	/* extensions */
	d_begin(&tbs);
	d_begin(&tbs);
	if (!(o->flags & TPKI_CERT_NO_BC) && (ca || o->role != TPKI_ROLE_DS)) {
		uint8_t bc[5] = { 0x30, 0x03, 0x01, 0x01, 0xff };

		if (ca)
			d_ext(&tbs, "\x55\x1d\x13", 3, true, bc, sizeof(bc));
		else
			d_ext(&tbs, "\x55\x1d\x13", 3, true, (const uint8_t *)"\x30\x00", 2);
	}
	if (!(o->flags & TPKI_CERT_NO_KU)) {
		uint8_t k[4] = { 0x03, 0x02, 0x00, (uint8_t)ku };
		unsigned unused = 0;

		while (unused < 7 && (ku & (1u << unused)) == 0)
			unused++;
		k[2] = (uint8_t)unused;
		d_ext(&tbs, "\x55\x1d\x0f", 3, true, k, sizeof(k));
	}
	if (o->role == TPKI_ROLE_ML_SIGNER) {
		static const uint8_t eku[] = { 0x30, 0x08, 0x06, 0x06, 0x67, 0x81, 0x08, 0x01, 0x01, 0x03 };

		d_ext(&tbs, "\x55\x1d\x25", 3, true, eku, sizeof(eku));
	}
	{
		uint8_t v[24] = { 0x04, 20 };

		memcpy(v + 2, ski, 20);
		d_ext(&tbs, "\x55\x1d\x0e", 3, false, v, 22);
	}
	if (!(o->flags & TPKI_CERT_NO_AKI)) {
		uint8_t v[24] = { 0x30, 22, 0x80, 20 };

		memcpy(v + 4, aki, 20);
		d_ext(&tbs, "\x55\x1d\x23", 3, false, v, 24);
	}
	d_end(&tbs, 0x30);
	d_end(&tbs, 0xA3);
	d_end(&tbs, 0x30);
	if ((ret = d_finish(&tbs, &tb)) != EG_OK)
		goto out;
	if ((ret = sign(t, ikey, sig, tb.data, tb.len, s + 1, &slen)) != EG_OK)
		goto out;
	if (o->flags & TPKI_CERT_BAD_SIGNATURE)
		s[1 + slen / 2] ^= 0x5A;
	s[0] = 0;
	d_begin(&crt);
	d_raw(&crt, tb.data, tb.len);
	d_sigalg(&crt, sig);
	d_prim(&crt, 0x03, s, slen + 1);
	d_end(&crt, 0x30);
	ret = d_finish(&crt, &out->cert);
out:
	cert_free(&ic);
	d_free(&tbs);
	d_free(&crt);
	d_free(&ext);
	eg_wbuf_free(&tb);
	eg_wbuf_free(&eb);
	return ret;
}

int
tpki_cred_make(struct tpki *t, enum tpki_key_type kt, const char *subject,
    struct tpki_cred *issuer, bool is_ca, const char *not_before, const char *not_after,
    int serial, struct tpki_cred *out)
{
	struct tpki_cert_opts o = {
		.role = is_ca ? TPKI_ROLE_CSCA : TPKI_ROLE_DS, .key = kt, .subject = subject,
		.issuer = issuer, .not_before = not_before, .not_after = not_after, .serial = serial,
	};

	return tpki_cert_make(t, &o, out);
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

/* ECDSA on the key's own group (named or custom: mbedtls_pk_sign reloads
 * groups by id, which a custom group has not), DER-encoded. */
static int
ec_sign(struct tpki *t, mbedtls_ecp_keypair *kp, const uint8_t *h, size_t hlen, uint8_t *out,
    size_t *olen)
{
	uint8_t buf[MBEDTLS_ECDSA_MAX_LEN], *p = buf + sizeof(buf);
	mbedtls_mpi r, s;
	int n = 0, ret = EG_ERR_CRYPTO;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ecdsa_sign(&kp->grp, &r, &s, &kp->d, h, hlen, mbedtls_ctr_drbg_random,
	    &t->drbg) != 0)
		goto out;
	{
		int a, b, c, e;

		if ((a = mbedtls_asn1_write_mpi(&p, buf, &s)) < 0 ||
		    (b = mbedtls_asn1_write_mpi(&p, buf, &r)) < 0 ||
		    (c = mbedtls_asn1_write_len(&p, buf, (size_t)(a + b))) < 0 ||
		    (e = mbedtls_asn1_write_tag(&p, buf, 0x30)) < 0)
			goto out;
		n = a + b + c + e;
	}
	memcpy(out, p, (size_t)n);
	*olen = (size_t)n;
	ret = EG_OK;
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ret;
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
		if ((ret = ec_sign(t, mbedtls_pk_ec(*key), h, 32, der, &dl)) != EG_OK)
			return ret;
		if (sig == TPKI_SIG_ECDSA) {
			memcpy(out, der, dl);
			*olen = dl;
			return EG_OK;
		}
		return der_to_plain(der, dl, (mbedtls_pk_ec(*key)->grp.nbits + 7) / 8, out, olen);
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

/* The issuer Name TLV and serial INTEGER value of a certificate, by
 * walking its DER (so it works on certificates made unusable on purpose). */
static int
issuer_serial(const struct eg_wbuf *cert, struct eg_tlv *issuer, struct eg_tlv *serial)
{
	struct eg_rbuf b = eg_rbuf_init(cert->data, cert->len);
	struct eg_tlv c, tbs, t;

	if (eg_tlv_expect(&b, 0x30, &c) != EG_OK || eg_tlv_expect(&c.value, 0x30, &tbs) != EG_OK)
		return EG_ERR_CERT;
	if (eg_rbuf_left(&tbs.value) > 0 && tbs.value.p[0] == 0xA0 &&
	    eg_tlv_read(&tbs.value, &t) != EG_OK)
		return EG_ERR_CERT;
	if (eg_tlv_expect(&tbs.value, 0x02, serial) != EG_OK ||
	    eg_tlv_expect(&tbs.value, 0x30, &t) != EG_OK ||
	    eg_tlv_expect(&tbs.value, 0x30, issuer) != EG_OK)
		return EG_ERR_CERT;
	return EG_OK;
}

static int
signed_data(struct tpki *t, const char *ctype, size_t ctype_len, const uint8_t *econtent,
    size_t elen, struct tpki_cred *signer, enum tpki_sig sig, unsigned flags, struct eg_wbuf *out)
{
	struct eg_tlv iss, ser;
	struct der d, a;
	uint8_t h[32], s[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t slen = 0;
	struct eg_wbuf attrs;
	bool ber;
	int ret;

	eg_wbuf_init(&attrs, DER_MAX, false);
	d_init(&d);
	d_init(&a);
	ret = EG_ERR_CERT;
	if (issuer_serial(&signer->cert, &iss, &ser) != EG_OK)
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

	/* ContentInfo { signedData, [0] SignedData }; with TPKI_BER the
	 * constructed parts use indefinite lengths and eContent is a
	 * constructed OCTET STRING in two segments, as some states write it */
	ber = (flags & TPKI_BER) != 0;
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
	if (ber && elen > 1) {
		d_begin(&d);
		d_prim(&d, 0x04, econtent, elen / 2);
		d_prim(&d, 0x04, econtent + elen / 2, elen - elen / 2);
		d_end_indef(&d, 0x24);
	} else {
		d_prim(&d, 0x04, econtent, elen);
	}
	d_close(&d, 0xA0, ber);
	d_close(&d, 0x30, ber);
	if (!(flags & TPKI_NO_CERT))
		d_prim(&d, 0xA0, signer->cert.data, signer->cert.len);
	d_begin(&d);				/* signerInfos */
	d_begin(&d);
	if (flags & TPKI_SID_SKI) {
		struct cert *pc = NULL;

		ret = EG_ERR_CERT;
		if (cert_parse(signer->cert.data, signer->cert.len, &pc) != EG_OK || pc->ski.len == 0) {
			cert_free(&pc);
			goto out;
		}
		d_int(&d, 3);
		d_prim(&d, 0x80, pc->ski.p, pc->ski.len);
		cert_free(&pc);
	} else {
		d_int(&d, 1);
		d_begin(&d);
		if (flags & TPKI_SID_REORDERED) {
			/* the issuer with its RDNs in reverse order */
			struct eg_rbuf nb = eg_rbuf_init(iss.raw, iss.raw_len);
			struct eg_tlv nm, rdn[32];
			int k = 0;

			ret = EG_ERR_CERT;
			if (eg_tlv_expect(&nb, 0x30, &nm) != EG_OK)
				goto out;
			while (eg_rbuf_left(&nm.value) > 0 && k < 32)
				if (eg_tlv_read(&nm.value, &rdn[k++]) != EG_OK)
					goto out;
			d_begin(&d);
			while (k > 0) {
				k--;
				d_raw(&d, rdn[k].raw, rdn[k].raw_len);
			}
			d_end(&d, 0x30);
		} else {
			d_raw(&d, iss.raw, iss.raw_len);
		}
		d_prim(&d, 0x02, ser.value.p, eg_rbuf_left(&ser.value));
		d_end(&d, 0x30);
	}
	d_alg(&d, MBEDTLS_OID_DIGEST_ALG_SHA256, DER_OID_LEN(MBEDTLS_OID_DIGEST_ALG_SHA256), false);
	/* signedAttrs [0] IMPLICIT: the SET with its tag replaced */
	d_raw(&d, "\xA0", 1);
	d_raw(&d, attrs.data + 1, attrs.len - 1);
	d_sigalg(&d, sig);
	d_prim(&d, 0x04, s, slen);
	d_close(&d, 0x30, ber);
	d_close(&d, 0x31, ber);
	d_close(&d, 0x30, ber);	/* SignedData */
	d_close(&d, 0xA0, ber);
	d_close(&d, 0x30, ber);	/* ContentInfo */
	ret = d_finish(&d, out);
out:
	d_free(&d);
	d_free(&a);
	eg_wbuf_free(&attrs);
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

/* "YYYYMMDDhhmmss" -> UTCTime "YYMMDDhhmmssZ" (1950..2049) or
 * GeneralizedTime "YYYYMMDDhhmmssZ" (2050 on), as RFC 5280 asks */
static int
d_time(struct der *d, const char *t)
{
	char u[16];

	if (t == NULL || strlen(t) != 14 || memcmp(t, "1950", 4) < 0)
		return EG_ERR_INVAL;
	for (int i = 0; i < 14; i++)
		if (t[i] < '0' || t[i] > '9')
			return EG_ERR_INVAL;
	if (memcmp(t, "2050", 4) < 0) {
		memcpy(u, t + 2, 12);
		u[12] = 'Z';
		d_prim(d, 0x17, u, 13);
	} else {
		memcpy(u, t, 14);
		u[14] = 'Z';
		d_prim(d, 0x18, u, 15);
	}
	return EG_OK;
}

int
tpki_crl_build(struct tpki *t, struct tpki_cred *ca, const uint8_t *const *revoked,
    const size_t *revoked_len, size_t n_revoked, const char *this_update,
    const char *next_update, struct eg_wbuf *out)
{
	struct cert *cacrt = NULL;
	struct der tbs, crl;
	struct eg_wbuf tb;
	uint8_t s[MBEDTLS_PK_SIGNATURE_MAX_SIZE], bits[MBEDTLS_PK_SIGNATURE_MAX_SIZE + 1];
	size_t slen = 0;
	enum tpki_sig sig;
	int ret = EG_ERR_INVAL;

	eg_wbuf_init(&tb, DER_MAX, false);
	d_init(&tbs);
	d_init(&crl);
	if (t == NULL || ca == NULL || out == NULL || (n_revoked > 0 && revoked == NULL))
		goto out;
	sig = mbedtls_pk_get_type(&ca->key) == MBEDTLS_PK_RSA ? TPKI_SIG_RSA_PKCS1 : TPKI_SIG_ECDSA;
	ret = EG_ERR_CERT;
	if (cert_parse(ca->cert.data, ca->cert.len, &cacrt) != EG_OK)
		goto out;
	/* TBSCertList { v2, signature, issuer, thisUpdate, nextUpdate, revoked } */
	d_begin(&tbs);
	d_int(&tbs, 1);
	d_sigalg(&tbs, sig);
	d_raw(&tbs, cacrt->subject.raw.p, cacrt->subject.raw.len);
	if ((ret = d_time(&tbs, this_update)) != EG_OK ||
	    (next_update != NULL && (ret = d_time(&tbs, next_update)) != EG_OK))
		goto out;
	if (n_revoked > 0) {
		d_begin(&tbs);
		for (size_t i = 0; i < n_revoked; i++) {
			struct cert *c = NULL;

			if (cert_parse(revoked[i], revoked_len[i], &c) != EG_OK) {
				ret = EG_ERR_CERT;
				goto out;
			}
			d_begin(&tbs);
			d_prim(&tbs, 0x02, c->serial.p, c->serial.len);
			ret = d_time(&tbs, this_update);
			d_end(&tbs, 0x30);
			cert_free(&c);
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
	cert_free(&cacrt);
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
