/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cert — the parsers under the trust decisions: explicit EC domain
 * parameters (named, custom, and ones to refuse), keys, RFC 5280 name
 * matching, ICAO country codes, BER in CMS, CRLs, and file identification.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>

#include "egate/error.h"
#include "egate/tlv.h"
#include "docauth/cert.h"
#include "docauth/cms.h"
#include "docauth/country.h"
#include "docauth/crl.h"
#include "docauth/lds.h"
#include "docauth/sod.h"
#include "docauth/spki.h"
#include "eg_check.h"
#include "world.h"

static struct world W;

static void
setup(void)
{
	world_make(&W);
}

static void
teardown(void)
{
	world_free(&W);
}

/* ---- explicit EC parameters ------------------------------------------------- */

static int
ecparams(const uint8_t *d, size_t n, struct spki_info *info)
{
	mbedtls_ecp_group g;
	int r;

	mbedtls_ecp_group_init(&g);
	r = spki_ecparams_parse(d, n, &g, info);
	if (r == EG_OK) {
		/* whatever group we load must work: n G = 0 via (n-1) G = -G */
		mbedtls_ecp_point p;
		mbedtls_mpi k;

		mbedtls_ecp_point_init(&p);
		mbedtls_mpi_init(&k);
		ck_assert_int_eq(mbedtls_mpi_sub_int(&k, &g.N, 1), 0);
		ck_assert_int_eq(mbedtls_ecp_mul(&g, &p, &k, &g.G, NULL, NULL), 0);
		ck_assert_int_eq(mbedtls_mpi_cmp_mpi(&p.X, &g.G.X), 0);
		mbedtls_ecp_point_free(&p);
		mbedtls_mpi_free(&k);
	}
	mbedtls_ecp_group_free(&g);
	return r;
}

START_TEST(test_ecparams_named_and_custom)
{
	static const struct {
		const char *file, *name;
		bool custom;
		size_t bits;
	} v[] = {
		{ "prime256v1.hex", "secp256r1", false, 256 },
		{ "prime256v1-compressed-base.hex", "secp256r1", false, 256 },
		{ "brainpoolP384r1.hex", "brainpoolP384r1", false, 384 },
		{ "secp256k1.hex", "secp256k1", false, 256 },
		{ "brainpoolP320r1.hex", "custom 320-bit", true, 320 },
		{ "brainpoolP224r1.hex", "custom 224-bit", true, 224 },
		{ "prime192v2.hex", "custom 192-bit", true, 192 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char name[128];
		uint8_t d[512];
		size_t n;
		struct spki_info info;

		snprintf(name, sizeof(name), "ecparams/%s", v[i].file);
		n = read_hex_vector(name, d, sizeof(d));
		ck_assert_msg(ecparams(d, n, &info) == EG_OK, "%s", v[i].file);
		ck_assert_str_eq(info.curve_name, v[i].name);
		ck_assert(info.explicit_params);
		ck_assert_int_eq(info.custom_curve, v[i].custom);
		ck_assert_uint_eq(info.bits, v[i].bits);
		/* every truncation fails cleanly */
		for (size_t k = 0; k < n; k += 5)
			ck_assert_int_ne(ecparams(d, k, &info), EG_OK);
	}
	/* a named curve OID */
	ck_assert_eg(ecparams((const uint8_t *)"\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10,
	    &(struct spki_info){ 0 }), EG_OK);
	/* implicitlyCA (NULL) and an unknown OID */
	ck_assert_eg(ecparams((const uint8_t *)"\x05\x00", 2, &(struct spki_info){ 0 }),
	    EG_ERR_UNSUPPORTED);
	ck_assert_eg(ecparams((const uint8_t *)"\x06\x03\x2a\x03\x04", 5, &(struct spki_info){ 0 }),
	    EG_ERR_UNSUPPORTED);
}
END_TEST

/* The i-th TLV inside the top SEQUENCE of d (and, for the curve, inside
 * its SEQUENCE): where to change a field. */
static uint8_t *
field(uint8_t *d, size_t n, int top, int sub)
{
	struct eg_rbuf b = eg_rbuf_init(d, n);
	struct eg_tlv seq, t;

	ck_assert_eg(eg_tlv_expect(&b, 0x30, &seq), EG_OK);
	for (int i = 0; i <= top; i++)
		ck_assert_eg(eg_tlv_read(&seq.value, &t), EG_OK);
	if (sub >= 0) {
		struct eg_rbuf in = t.value;

		for (int i = 0; i <= sub; i++)
			ck_assert_eg(eg_tlv_read(&in, &t), EG_OK);
	}
	return (uint8_t *)(uintptr_t)t.value.p + eg_rbuf_left(&t.value) - 1;	/* last byte */
}

/* A custom curve must prove it is one. */
START_TEST(test_ecparams_refused)
{
	uint8_t good[512], d[512];
	size_t n = read_hex_vector("ecparams/brainpoolP320r1.hex", good, sizeof(good));
	struct spki_info info;

	/* p even */
	memcpy(d, good, n);
	*field(d, n, 1, 1) ^= 0x01;
	ck_assert_int_ne(ecparams(d, n, &info), EG_OK);
	/* p + 2: odd, not this curve's prime */
	memcpy(d, good, n);
	*field(d, n, 1, 1) += 2;
	ck_assert_int_ne(ecparams(d, n, &info), EG_OK);
	/* b changed: the base point is off the curve */
	memcpy(d, good, n);
	*field(d, n, 2, 1) ^= 0x01;
	ck_assert_eg(ecparams(d, n, &info), EG_ERR_CERT);
	/* n changed (even: not prime) */
	memcpy(d, good, n);
	*field(d, n, 4, -1) ^= 0x01;
	ck_assert_eg(ecparams(d, n, &info), EG_ERR_CERT);
	/* cofactor 5 */
	memcpy(d, good, n);
	*field(d, n, 5, -1) = 5;
	ck_assert_eg(ecparams(d, n, &info), EG_ERR_CERT);
	/* the base point's y changed */
	memcpy(d, good, n);
	*field(d, n, 3, -1) ^= 0x01;
	ck_assert_eg(ecparams(d, n, &info), EG_ERR_CERT);
	/* and the untouched one loads */
	ck_assert_eg(ecparams(good, n, &info), EG_OK);
}
END_TEST

/* Keys: the DS keys of the world, a point off the curve, the BSI DG14 key
 * (explicit brainpoolP224r1: a custom group) and DG15 (RSA). */
START_TEST(test_spki)
{
	struct cert *c = NULL;
	mbedtls_pk_context pk, copy;
	struct spki_info info;
	uint8_t buf[1024], dg14[400];
	size_t n14;
	struct lds_secinfos si;

	ck_assert_eg(cert_parse(W.ds_bp.cert.data, W.ds_bp.cert.len, &c), EG_OK);
	ck_assert_str_eq(c->key.curve_name, "brainpoolP256r1");
	ck_assert(!c->key.explicit_params);
	memcpy(buf, c->spki.p, c->spki.len);
	mbedtls_pk_init(&pk);
	mbedtls_pk_init(&copy);
	ck_assert_eg(spki_parse(buf, c->spki.len, &pk, &info), EG_OK);
	ck_assert_eg(spki_pk_copy(&copy, &pk), EG_OK);
	ck_assert_int_eq(mbedtls_ecp_point_cmp(&mbedtls_pk_ec(pk)->Q, &mbedtls_pk_ec(copy)->Q), 0);
	mbedtls_pk_free(&pk);
	mbedtls_pk_free(&copy);
	buf[c->spki.len - 1] ^= 0x01;	/* y of the point */
	mbedtls_pk_init(&pk);
	ck_assert_eg(spki_parse(buf, c->spki.len, &pk, &info), EG_ERR_CERT);
	ck_assert_int_eq(mbedtls_pk_get_type(&pk), MBEDTLS_PK_NONE);
	cert_free(&c);
	ck_assert_eg(cert_parse(W.ds_rsa.cert.data, W.ds_rsa.cert.len, &c), EG_OK);
	ck_assert_int_eq(c->key.type, MBEDTLS_PK_RSA);
	ck_assert_uint_eq(c->key.bits, 2048);
	cert_free(&c);
	/* DG14 of the BSI reference data: a CA key on explicit brainpoolP224r1 */
	n14 = read_hex_vector("bsi_tr03105_dg14.hex", dg14, sizeof(dg14));
	ck_assert_eg(lds_dg14_parse(dg14, n14, &si), EG_OK);
	ck_assert_int_eq(si.si[0].kind, LDS_SI_CA_PUBKEY);
	mbedtls_pk_init(&pk);
	ck_assert_eg(spki_parse(si.si[0].spki, si.si[0].spki_len, &pk, &info), EG_OK);
	ck_assert(info.explicit_params && info.custom_curve);
	ck_assert_uint_eq(info.bits, 224);
	mbedtls_pk_free(&pk);
}
END_TEST

/* ---- names ------------------------------------------------------------------ */

/* A Name of RDNs given as (oid byte, string tag, value); rdn_break
 * starts a new RDN when set, else the attribute joins the previous RDN. */
struct ava_spec {
	uint8_t oid;		/* 2.5.4.x */
	uint8_t tag;
	const char *value;	/* for BMPString: ASCII, widened */
	bool same_rdn;
};

static size_t
make_name(const struct ava_spec *v, size_t n, uint8_t *out)
{
	struct eg_wbuf w, rdns, rdn;
	size_t len;

	eg_wbuf_init(&w, 4096, false);
	eg_wbuf_init(&rdns, 4096, false);
	eg_wbuf_init(&rdn, 4096, false);
	for (size_t i = 0; i < n; i++) {
		uint8_t ava[300], val[256];
		size_t k = 0, vl = 0;

		if (i > 0 && !v[i].same_rdn) {
			ck_assert_eg(eg_tlv_put(&rdns, 0x31, rdn.data, rdn.len), EG_OK);
			eg_wbuf_reset(&rdn);
		}
		for (const char *c = v[i].value; *c; c++) {
			if (v[i].tag == 0x1E)
				val[vl++] = 0;
			val[vl++] = (uint8_t)*c;
		}
		ava[k++] = 0x06;
		ava[k++] = 3;
		ava[k++] = 0x55;
		ava[k++] = 0x04;
		ava[k++] = v[i].oid;
		ava[k++] = v[i].tag;
		ava[k++] = (uint8_t)vl;
		memcpy(ava + k, val, vl);
		k += vl;
		ck_assert_eg(eg_tlv_put(&rdn, 0x30, ava, k), EG_OK);
	}
	ck_assert_eg(eg_tlv_put(&rdns, 0x31, rdn.data, rdn.len), EG_OK);
	ck_assert_eg(eg_tlv_put(&w, 0x30, rdns.data, rdns.len), EG_OK);
	memcpy(out, w.data, w.len);
	len = w.len;
	eg_wbuf_free(&w);
	eg_wbuf_free(&rdns);
	eg_wbuf_free(&rdn);
	return len;
}

START_TEST(test_names)
{
	static const struct ava_spec a[] = { { 6, 0x13, "UT", false },
		{ 10, 0x0C, "Utopia Gov", false }, { 3, 0x0C, "CSCA Utopia", false } };
	/* case, inner and outer spaces, string types folded */
	static const struct ava_spec b[] = { { 6, 0x13, "ut", false },
		{ 10, 0x1E, "  utopia   gov ", false }, { 3, 0x13, "csca UTOPIA", false } };
	/* RDNs in another order */
	static const struct ava_spec c[] = { { 3, 0x0C, "CSCA Utopia", false },
		{ 10, 0x0C, "Utopia Gov", false }, { 6, 0x13, "UT", false } };
	/* one multi-valued RDN with all three */
	static const struct ava_spec m[] = { { 6, 0x13, "UT", false },
		{ 10, 0x0C, "Utopia Gov", true }, { 3, 0x0C, "CSCA Utopia", true } };
	/* another value */
	static const struct ava_spec d[] = { { 6, 0x13, "UT", false },
		{ 10, 0x0C, "Utopia Gov", false }, { 3, 0x0C, "CSCA Utopia 2", false } };
	uint8_t ba[512], bb[512], bc[512], bm[512], bd[512];
	size_t na = make_name(a, 3, ba), nb = make_name(b, 3, bb), nc = make_name(c, 3, bc),
	    nm = make_name(m, 3, bm), nd = make_name(d, 3, bd);
	struct cert_name A, B, C, M, D;
	char s[200], cc[4];

	ck_assert_eg(cert_name_parse(ba, na, &A), EG_OK);
	ck_assert_eg(cert_name_parse(bb, nb, &B), EG_OK);
	ck_assert_eg(cert_name_parse(bc, nc, &C), EG_OK);
	ck_assert_eg(cert_name_parse(bm, nm, &M), EG_OK);
	ck_assert_eg(cert_name_parse(bd, nd, &D), EG_OK);
	ck_assert_uint_eq(M.n_rdn, 1);
	ck_assert(cert_name_eq(&A, &B) && cert_name_eq(&B, &A));
	ck_assert(!cert_name_eq(&A, &C) && cert_name_eq_any_order(&A, &C));
	ck_assert(!cert_name_eq(&A, &M) && cert_name_eq_any_order(&A, &M));
	ck_assert(!cert_name_eq(&A, &D) && !cert_name_eq_any_order(&A, &D));
	cert_name_str(&B, s, sizeof(s));
	ck_assert_str_eq(s, "C=ut, O=  utopia   gov , CN=csca UTOPIA");
	ck_assert(cert_name_country(&B, cc));
	ck_assert_str_eq(cc, "ut");
	/* an empty RDN and trailing bytes are malformed; truncations fail */
	ck_assert_int_ne(cert_name_parse((const uint8_t *)"\x30\x02\x31\x00", 4, &A), EG_OK);
	ck_assert_int_ne(cert_name_parse(ba, na + 1, &A), EG_OK);
	for (size_t k = 0; k < na; k++)
		ck_assert_int_ne(cert_name_parse(ba, k, &A), EG_OK);
}
END_TEST

START_TEST(test_countries)
{
	ck_assert_str_eq(country_alpha2("D<<"), "DE");
	ck_assert_str_eq(country_alpha2("D"), "DE");
	ck_assert_str_eq(country_alpha2("deu"), "DE");
	ck_assert_str_eq(country_alpha2("gb"), "GB");
	ck_assert_str_eq(country_alpha2("GBD"), "GB");
	ck_assert_str_eq(country_alpha2("GBS"), "GB");
	ck_assert_str_eq(country_alpha2("RKS"), "XK");
	ck_assert_str_eq(country_alpha2("xk"), "XK");
	ck_assert_str_eq(country_alpha2("EUE"), "EU");
	ck_assert_str_eq(country_alpha2("UTO"), "UT");
	ck_assert_str_eq(country_alpha2("NZL"), "NZ");
	ck_assert_str_eq(country_alpha2("ZWE"), "ZW");
	ck_assert_str_eq(country_alpha2("ABW"), "AW");
	ck_assert_ptr_null(country_alpha2("XXA"));	/* stateless */
	ck_assert_ptr_null(country_alpha2("UNO"));	/* United Nations */
	ck_assert_ptr_null(country_alpha2("QQ"));
	ck_assert_ptr_null(country_alpha2("G1B"));
	ck_assert_ptr_null(country_alpha2(""));
	ck_assert_ptr_null(country_alpha2(NULL));
	ck_assert(country_same("gb", "GBR"));
	ck_assert(country_same("GB", "gb"));
	ck_assert(country_same("D<<", "DE"));
	ck_assert(country_same("NZ", "nzl"));
	ck_assert(country_same("XXA", "xxa"));		/* not in the table: as written */
	ck_assert(!country_same("DE", "AT"));
	ck_assert(!country_same("XXA", "XXB"));
	ck_assert(!country_same(NULL, "DE"));
	ck_assert(!country_same("", ""));
}
END_TEST

/* ---- BER ------------------------------------------------------------------------ */

START_TEST(test_ber)
{
	struct pp_opts o = { .ds = &W.ds_ec, .sig = TPKI_SIG_ECDSA, .flags = TPKI_BER };
	struct passport p;
	struct sod s;
	uint8_t *c;

	passport_make(&W, &o, &p);
	ck_assert_eg(sod_parse(p.sod.data, p.sod.len, &s), EG_OK);
	sod_free(&s);
	c = malloc(p.sod.len + 8);
	/* the last end-of-contents octets missing (and the outer length shortened) */
	memcpy(c, p.sod.data, p.sod.len);
	ck_assert_int_ne(sod_parse(c, p.sod.len - 2, &s), EG_OK);
	/* every truncation fails cleanly */
	for (size_t k = 0; k < p.sod.len; k += 3)
		ck_assert_int_ne(sod_parse(c, k, &s), EG_OK);
	free(c);
	passport_free(&p);
	/* nesting deeper than any document: refused, not a stack overflow */
	{
		uint8_t deep[2 + 3 * 40];
		size_t k = 0;

		deep[k++] = 0x77;
		deep[k++] = 0x80;
		for (int i = 0; i < 40; i++) {
			deep[k++] = 0x30;
			deep[k++] = 0x80;
		}
		ck_assert_int_ne(sod_parse(deep, k, &s), EG_OK);
	}
	/* indefinite length on a primitive, long-form lengths with a leading
	 * zero (accepted, as some chips write them) */
	{
		struct cms_signed_data sd;

		ck_assert_int_ne(cms_parse((const uint8_t *)"\x30\x80\x06\x80\x00\x00\x00\x00", 8,
		    &sd), EG_OK);
	}
	{
		enum lds_file kind;
		int dg;

		ck_assert_eg(lds_file_identify((const uint8_t *)"\x61\x82\x00\x03\x5f\x1f", 6, &kind,
		    &dg), EG_ERR_TRUNCATED);
		ck_assert_eg(lds_file_identify((const uint8_t *)"\x61\x82\x00\x02\x01\x00", 6, &kind,
		    &dg), EG_OK);
		ck_assert_int_eq(kind, LDS_FILE_DG);
		ck_assert_int_eq(dg, 1);
	}
}
END_TEST

START_TEST(test_file_identify)
{
	static const struct {
		const char *bytes;
		size_t n;
		int ret;
		enum lds_file kind;
		int dg;
	} v[] = {
		{ "\x60\x00", 2, EG_OK, LDS_FILE_COM, 0 },
		{ "\x75\x00", 2, EG_OK, LDS_FILE_DG, 2 },
		{ "\x6e\x00", 2, EG_OK, LDS_FILE_DG, 14 },
		{ "\x70\x00", 2, EG_OK, LDS_FILE_DG, 16 },
		{ "\x77\x00", 2, EG_OK, LDS_FILE_SOD, 0 },
		{ "\x31\x00", 2, EG_OK, LDS_FILE_CARD_ACCESS, 0 },
		{ "\x30\x00", 2, EG_OK, LDS_FILE_CARD_SECURITY, 0 },
		{ "\x77\x00\x00", 3, EG_ERR_FORMAT, LDS_FILE_UNKNOWN, 0 },
		{ "\x04\x00", 2, EG_ERR_NOT_FOUND, LDS_FILE_UNKNOWN, 0 },
		{ "\x5f\x1f\x00", 3, EG_ERR_NOT_FOUND, LDS_FILE_UNKNOWN, 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		enum lds_file kind;
		int dg;

		ck_assert_msg(lds_file_identify((const uint8_t *)v[i].bytes, v[i].n, &kind, &dg) ==
		    v[i].ret, "case %zu", i);
		ck_assert_int_eq(kind, v[i].kind);
		ck_assert_int_eq(dg, v[i].dg);
	}
	ck_assert_str_eq(lds_file_name(LDS_FILE_DG, 15), "DG15");
	ck_assert_str_eq(lds_file_name(LDS_FILE_CARD_SECURITY, 0), "EF.CardSecurity");
	ck_assert_str_eq(lds_file_name(LDS_FILE_DG, 17), "unknown");
}
END_TEST

/* ---- CRLs ------------------------------------------------------------------------- */

START_TEST(test_crl)
{
	struct crl *c = NULL;
	struct cert *ds = NULL, *ca = NULL;
	struct eg_wbuf b;
	const uint8_t *rev[1] = { W.ds_revoked.cert.data };
	size_t rl[1] = { W.ds_revoked.cert.len };
	uint8_t serial[2] = { 0x00, 0x05 };	/* ds_revoked is serial 5, with a leading zero */

	ck_assert_eg(crl_parse(W.crl_ec.data, W.crl_ec.len, &c), EG_OK);
	ck_assert_int_eq(c->version, 2);
	ck_assert(c->has_next_update);
	ck_assert_uint_eq(c->n_revoked, 1);
	ck_assert_ptr_nonnull(crl_find(c, serial, 2));
	ck_assert_ptr_nonnull(crl_find(c, serial + 1, 1));
	serial[1] = 6;
	ck_assert_ptr_null(crl_find(c, serial, 2));
	ck_assert(crl_current_at(c, W.now));
	ck_assert(!crl_current_at(c, W.now + 365 * 86400));
	ck_assert_eg(cert_parse(W.csca_ec.cert.data, W.csca_ec.cert.len, &ca), EG_OK);
	ck_assert_eg(crl_verify_signed_by(c, ca, NULL, 0), EG_OK);
	ck_assert_eg(cert_parse(W.ds_ec.cert.data, W.ds_ec.cert.len, &ds), EG_OK);
	ck_assert_int_ne(crl_verify_signed_by(c, ds, NULL, 0), EG_OK);
	crl_free(&c);
	/* no nextUpdate, GeneralizedTime after 2049 */
	eg_wbuf_init(&b, 1 << 16, false);
	ck_assert_eg(tpki_crl_build(W.t, &W.csca_ec, rev, rl, 1, "20510101000000", NULL, &b),
	    EG_OK);
	ck_assert_eg(crl_parse(b.data, b.len, &c), EG_OK);
	ck_assert(!c->has_next_update);
	ck_assert(!crl_current_at(c, W.now));
	ck_assert_int_eq(c->this_update, 2556144000);	/* 2051-01-01T00:00:00Z */
	ck_assert_eg(crl_verify_signed_by(c, ca, NULL, 0), EG_OK);
	crl_free(&c);
	for (size_t k = 0; k < b.len; k += 3)
		ck_assert_int_ne(crl_parse(b.data, k, &c), EG_OK);
	ck_assert_ptr_null(c);
	eg_wbuf_free(&b);
	cert_free(&ds);
	cert_free(&ca);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("docauth-cert");
	TCase *t = tcase_create("cert");

	tcase_add_unchecked_fixture(t, setup, teardown);
	tcase_add_test(t, test_ecparams_named_and_custom);
	tcase_add_test(t, test_ecparams_refused);
	tcase_add_test(t, test_spki);
	tcase_add_test(t, test_names);
	tcase_add_test(t, test_countries);
	tcase_add_test(t, test_ber);
	tcase_add_test(t, test_file_identify);
	tcase_add_test(t, test_crl);
	suite_add_tcase(s, t);
	return s;
}

EG_CHECK_MAIN()
