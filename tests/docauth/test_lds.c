/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_lds — EF.COM, DG1, DG11, DG12, DG14, DG15 and EF.CardAccess parsers:
 * the ICAO reference vectors, specimens, and every truncation of each.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>

#include "egate/error.h"
#include "egate/tlv.h"
#include "docauth/lds.h"
#include "docauth/testpki.h"
#include "eg_check.h"
#include "world.h"

/* Every proper prefix of a good file must fail, never crash. */
#define ALL_PREFIXES_FAIL(parse, data, len, outp)                               \
	do {                                                                   \
		for (size_t n_ = 0; n_ < (len); n_++)                          \
			ck_assert_msg(parse((data), n_, (outp)) != EG_OK,      \
			    #parse " accepted %zu of %zu bytes", n_, (size_t)(len)); \
	} while (0)

START_TEST(test_cardaccess_reference)
{
	uint8_t d[64];
	size_t n = read_hex_vector("cardaccess_pace_gm_bp256.hex", d, sizeof(d));
	struct lds_secinfos si;

	ck_assert_uint_eq(n, 22);
	ck_assert_eg(lds_cardaccess_parse(d, n, &si), EG_OK);
	ck_assert_uint_eq(si.n, 1);
	ck_assert_int_eq(si.si[0].kind, LDS_SI_PACE_INFO);
	ck_assert_str_eq(si.si[0].oid, "0.4.0.127.0.7.2.2.4.2.2");
	ck_assert_int_eq(si.si[0].mapping, LDS_MAP_GM);
	ck_assert_int_eq(si.si[0].ka, LDS_KA_ECDH);
	ck_assert_int_eq(si.si[0].cipher, LDS_CIPHER_AES128);
	ck_assert_int_eq(si.si[0].version, 2);
	ck_assert_int_eq(si.si[0].param_id, 13);
	ck_assert_str_eq(lds_pace_param_str(si.si[0].param_id), "brainpoolP256r1");
	ck_assert_str_eq(lds_mapping_str(si.si[0].mapping), "GM");
	ck_assert_str_eq(lds_ka_str(si.si[0].ka), "ECDH");
	ck_assert_str_eq(lds_cipher_str(si.si[0].cipher), "AES-CBC-CMAC-128");
	ck_assert_str_eq(lds_si_kind_str(si.si[0].kind), "PACEInfo");
	ALL_PREFIXES_FAIL(lds_cardaccess_parse, d, n, &si);
	/* a trailing byte after the SET is a bad read */
	d[n] = 0;
	ck_assert_eg(lds_cardaccess_parse(d, n + 1, &si), EG_ERR_FORMAT);
}
END_TEST

/* The PACE OID family: mapping x key agreement x cipher. */
START_TEST(test_pace_oids)
{
	static const struct {
		uint8_t m, c;
		enum lds_mapping map;
		enum lds_ka ka;
		enum lds_cipher ci;
	} v[] = {
		{ 1, 1, LDS_MAP_GM, LDS_KA_DH, LDS_CIPHER_3DES },
		{ 2, 4, LDS_MAP_GM, LDS_KA_ECDH, LDS_CIPHER_AES256 },
		{ 3, 2, LDS_MAP_IM, LDS_KA_DH, LDS_CIPHER_AES128 },
		{ 4, 3, LDS_MAP_IM, LDS_KA_ECDH, LDS_CIPHER_AES192 },
		{ 6, 2, LDS_MAP_CAM, LDS_KA_ECDH, LDS_CIPHER_AES128 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t d[] = { 0x31, 0x11, 0x30, 0x0F, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07,
			0x02, 0x02, 0x04, v[i].m, v[i].c, 0x02, 0x01, 0x02 };
		struct lds_secinfos si;

		ck_assert_eg(lds_secinfos_parse(d, sizeof(d), &si), EG_OK);
		ck_assert_int_eq(si.si[0].kind, LDS_SI_PACE_INFO);
		ck_assert_int_eq(si.si[0].mapping, v[i].map);
		ck_assert_int_eq(si.si[0].ka, v[i].ka);
		ck_assert_int_eq(si.si[0].cipher, v[i].ci);
		ck_assert_int_eq(si.si[0].param_id, -1);
	}
	/* CAM with 3DES does not exist: unknown protocol, still parsed */
	{
		uint8_t d[] = { 0x31, 0x11, 0x30, 0x0F, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07,
			0x02, 0x02, 0x04, 6, 1, 0x02, 0x01, 0x02 };
		struct lds_secinfos si;

		ck_assert_eg(lds_secinfos_parse(d, sizeof(d), &si), EG_OK);
		ck_assert_int_eq(si.si[0].kind, LDS_SI_UNKNOWN);
	}
}
END_TEST

START_TEST(test_ef_com_reference)
{
	uint8_t d[64];
	size_t n = read_hex_vector("ef_com_app_d4.hex", d, sizeof(d));
	struct lds_com c;

	ck_assert_uint_eq(n, 22);
	ck_assert_eg(lds_com_parse(d, n, &c), EG_OK);
	ck_assert_str_eq(c.lds_version, "0106");
	ck_assert_str_eq(c.unicode_version, "040000");
	ck_assert_uint_eq(c.dg_mask, (1u << 1) | (1u << 2));
	ck_assert_uint_eq(c.n_tags, 2);
	ck_assert_uint_eq(c.tags[0], 0x61);
	ck_assert_uint_eq(c.tags[1], 0x75);
	ALL_PREFIXES_FAIL(lds_com_parse, d, n, &c);
	d[21] = 0x99;	/* not a DG tag */
	ck_assert_eg(lds_com_parse(d, n, &c), EG_ERR_FORMAT);
	d[21] = 0x61;	/* DG1 twice */
	ck_assert_eg(lds_com_parse(d, n, &c), EG_ERR_FORMAT);
	d[0] = 0x61;
	ck_assert_eg(lds_com_parse(d, n, &c), EG_ERR_FORMAT);
}
END_TEST

START_TEST(test_ef_com_built)
{
	struct eg_wbuf w;
	struct lds_com c;
	uint32_t mask = (1u << 1) | (1u << 2) | (1u << 11) | (1u << 12) | (1u << 14) | (1u << 15);

	eg_wbuf_init(&w, 256, false);
	ck_assert_eg(tpki_com_build(mask, &w), EG_OK);
	ck_assert_eg(lds_com_parse(w.data, w.len, &c), EG_OK);
	ck_assert_uint_eq(c.dg_mask, mask);
	ck_assert_str_eq(c.lds_version, "0107");
	eg_wbuf_free(&w);
	ck_assert_int_eq(lds_dg_from_tag(0x75), 2);
	ck_assert_int_eq(lds_dg_from_tag(0x70), 16);
	ck_assert_int_eq(lds_dg_from_tag(0x77), 0);
	ck_assert_uint_eq(lds_dg_tag(14), 0x6E);
	ck_assert_uint_eq(lds_dg_tag(17), 0);
}
END_TEST

static void
dg1_case(const char *l1, const char *l2, const char *l3, enum lds_mrz_format f, size_t ll)
{
	char mrz[100];
	struct eg_wbuf w;
	struct lds_dg1 d;

	snprintf(mrz, sizeof(mrz), "%s%s%s", l1, l2, l3 != NULL ? l3 : "");
	eg_wbuf_init(&w, 256, false);
	ck_assert_eg(tpki_dg1_build(mrz, &w), EG_OK);
	ck_assert_eg(lds_dg1_parse(w.data, w.len, &d), EG_OK);
	ck_assert_int_eq(d.format, f);
	ck_assert_uint_eq(d.line_len, ll);
	ck_assert_str_eq(d.mrz, mrz);
	ck_assert_str_eq(d.lines[0], l1);
	ck_assert_str_eq(d.lines[1], l2);
	if (l3 != NULL)
		ck_assert_str_eq(d.lines[2], l3);
	ck_assert_str_eq(d.issuing_state, "UTO");
	ALL_PREFIXES_FAIL(lds_dg1_parse, w.data, w.len, &d);
	w.data[10] = 'a';	/* lower case is not an MRZ character */
	ck_assert_eg(lds_dg1_parse(w.data, w.len, &d), EG_ERR_FORMAT);
	eg_wbuf_free(&w);
}

START_TEST(test_dg1_formats)
{
	dg1_case("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
	    "L898902C36UTO7408122F1204159ZE184226B<<<<<10", NULL, LDS_MRZ_TD3, 44);
	dg1_case("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
	    "D231458907UTO7408122F1204159<<<<<<<6", NULL, LDS_MRZ_TD2, 36);
	dg1_case("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
	    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<", LDS_MRZ_TD1, 30);
	{
		/* 61 03 5F1F 00: an MRZ of no known length */
		uint8_t d[] = { 0x61, 0x04, 0x5F, 0x1F, 0x01, 'P' };
		struct lds_dg1 x;
		ck_assert_eg(lds_dg1_parse(d, sizeof(d), &x), EG_ERR_FORMAT);
		ck_assert_eg(lds_dg1_parse(NULL, 0, &x), EG_ERR_INVAL);
	}
}
END_TEST

START_TEST(test_dg11_dg12)
{
	uint8_t d[512];
	size_t n = read_hex_vector("dg11.hex", d, sizeof(d));
	struct lds_fields f;
	const struct lds_field *x;

	ck_assert_eg(lds_dg11_parse(d, n, &f), EG_OK);
	ck_assert_uint_eq(f.n, 5);
	ck_assert_ptr_nonnull(x = lds_fields_find(&f, 0x5F0E));
	ck_assert_uint_eq(x->len, 20);
	ck_assert_mem_eq(x->p, "ERIKSSON<<ANNA<MARIA", 20);
	ck_assert_ptr_nonnull(x = lds_fields_find(&f, 0x5F11));
	ck_assert_mem_eq(x->p, "ZENITH,UTOPIA", 13);
	ck_assert_ptr_nonnull(x = lds_fields_find(&f, 0x5F0F));	/* inside A0 */
	ck_assert_mem_eq(x->p, "ERIKSSON<<ANNA", 14);
	ck_assert_ptr_nonnull(x = lds_fields_find(&f, 0x5F10));
	ck_assert_str_eq(lds_field_name(x->tag), "personal_number");
	ck_assert_ptr_null(lds_fields_find(&f, 0x5F19));
	ALL_PREFIXES_FAIL(lds_dg11_parse, d, n, &f);
	ck_assert_eg(lds_dg12_parse(d, n, &f), EG_ERR_FORMAT);	/* tag 6B is not DG12 */

	n = read_hex_vector("dg12.hex", d, sizeof(d));
	ck_assert_eg(lds_dg12_parse(d, n, &f), EG_OK);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_ptr_nonnull(x = lds_fields_find(&f, 0x5F26));
	ck_assert_mem_eq(x->p, "20120415", 8);
	ck_assert_str_eq(lds_field_name(0x5F19), "issuing_authority");
	ck_assert_str_eq(lds_field_name(0x1234), "unknown");
	ALL_PREFIXES_FAIL(lds_dg12_parse, d, n, &f);
}
END_TEST

static size_t
spki_of(struct tpki *t, enum tpki_key_type kt, uint8_t *out, size_t cap)
{
	struct tpki_cred c;
	uint8_t buf[1024];
	int n;

	tpki_cred_init(&c);
	ck_assert_eg(tpki_cred_make(t, kt, "C=UT,CN=chip key", NULL, false,
	    "20250101000000", "20300101000000", 9, &c), EG_OK);
	n = mbedtls_pk_write_pubkey_der(&c.key, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_uint_le((size_t)n, cap);
	memcpy(out, buf + sizeof(buf) - n, (size_t)n);
	tpki_cred_free(&c);
	return (size_t)n;
}

START_TEST(test_dg14)
{
	struct tpki *t;
	uint8_t spki[600];
	size_t sn;
	struct eg_wbuf set, e, dg;
	struct lds_secinfos si;
	static const uint8_t oid_ca[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x02 };
	static const uint8_t oid_pk[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x02 };
	static const uint8_t oid_pace[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02 };
	static const uint8_t oid_ta[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02 };
	static const uint8_t oid_aa[] = { 0x67, 0x81, 0x08, 0x01, 0x01, 0x05 };
	static const uint8_t one[] = { 1 }, two[] = { 2 }, thirteen[] = { 13 };

	ck_assert_eg(tpki_new(&t, "dg14"), EG_OK);
	sn = spki_of(t, TPKI_KEY_EC_BP256, spki, sizeof(spki));
	eg_wbuf_init(&set, 4096, false);
	eg_wbuf_init(&e, 4096, false);
	eg_wbuf_init(&dg, 4096, false);
	/* ChipAuthenticationInfo { id-CA-ECDH-AES-CBC-CMAC-128, 1 } */
	ck_assert_eg(eg_tlv_put(&e, 0x06, oid_ca, sizeof(oid_ca)), EG_OK);
	ck_assert_eg(eg_tlv_put(&e, 0x02, one, 1), EG_OK);
	ck_assert_eg(eg_tlv_put(&set, 0x30, e.data, e.len), EG_OK);
	eg_wbuf_reset(&e);
	/* ChipAuthenticationPublicKeyInfo { id-PK-ECDH, SPKI, keyId 2 } */
	ck_assert_eg(eg_tlv_put(&e, 0x06, oid_pk, sizeof(oid_pk)), EG_OK);
	ck_assert_eg(eg_wbuf_put(&e, spki, sn), EG_OK);
	ck_assert_eg(eg_tlv_put(&e, 0x02, two, 1), EG_OK);
	ck_assert_eg(eg_tlv_put(&set, 0x30, e.data, e.len), EG_OK);
	eg_wbuf_reset(&e);
	/* PACEInfo */
	ck_assert_eg(eg_tlv_put(&e, 0x06, oid_pace, sizeof(oid_pace)), EG_OK);
	ck_assert_eg(eg_tlv_put(&e, 0x02, two, 1), EG_OK);
	ck_assert_eg(eg_tlv_put(&e, 0x02, thirteen, 1), EG_OK);
	ck_assert_eg(eg_tlv_put(&set, 0x30, e.data, e.len), EG_OK);
	eg_wbuf_reset(&e);
	/* TerminalAuthenticationInfo, ActiveAuthenticationInfo (+ sig alg) */
	ck_assert_eg(eg_tlv_put(&e, 0x06, oid_ta, sizeof(oid_ta)), EG_OK);
	ck_assert_eg(eg_tlv_put(&e, 0x02, one, 1), EG_OK);
	ck_assert_eg(eg_tlv_put(&set, 0x30, e.data, e.len), EG_OK);
	eg_wbuf_reset(&e);
	ck_assert_eg(eg_tlv_put(&e, 0x06, oid_aa, sizeof(oid_aa)), EG_OK);
	ck_assert_eg(eg_tlv_put(&e, 0x02, one, 1), EG_OK);
	ck_assert_eg(eg_tlv_put(&e, 0x06, "\x2a\x86\x48\xce\x3d\x04\x03\x02", 8), EG_OK);
	ck_assert_eg(eg_tlv_put(&set, 0x30, e.data, e.len), EG_OK);
	eg_wbuf_reset(&e);
	ck_assert_eg(eg_tlv_put(&e, 0x31, set.data, set.len), EG_OK);
	ck_assert_eg(eg_tlv_put(&dg, 0x6E, e.data, e.len), EG_OK);

	ck_assert_eg(lds_dg14_parse(dg.data, dg.len, &si), EG_OK);
	ck_assert_uint_eq(si.n, 5);
	ck_assert_int_eq(si.si[0].kind, LDS_SI_CA_INFO);
	ck_assert_int_eq(si.si[0].ka, LDS_KA_ECDH);
	ck_assert_int_eq(si.si[0].cipher, LDS_CIPHER_AES128);
	ck_assert_int_eq(si.si[0].version, 1);
	ck_assert_int_eq(si.si[0].key_id, -1);
	ck_assert_int_eq(si.si[1].kind, LDS_SI_CA_PUBKEY);
	ck_assert_str_eq(si.si[1].oid, "0.4.0.127.0.7.2.2.1.2");
	ck_assert_int_eq(si.si[1].key_id, 2);
	ck_assert_uint_eq(si.si[1].spki_len, sn);
	ck_assert_mem_eq(si.si[1].spki, spki, sn);
	{	/* the raw SPKI is usable as is */
		mbedtls_pk_context pk;
		mbedtls_pk_init(&pk);
		ck_assert_int_eq(mbedtls_pk_parse_public_key(&pk, si.si[1].spki, si.si[1].spki_len), 0);
		mbedtls_pk_free(&pk);
	}
	ck_assert_int_eq(si.si[2].kind, LDS_SI_PACE_INFO);
	ck_assert_int_eq(si.si[2].param_id, 13);
	ck_assert_int_eq(si.si[3].kind, LDS_SI_TA_INFO);
	ck_assert_int_eq(si.si[4].kind, LDS_SI_AA_INFO);
	ck_assert_str_eq(si.si[4].oid, "2.23.136.1.1.5");
	ALL_PREFIXES_FAIL(lds_dg14_parse, dg.data, dg.len, &si);
	/* the bare SET is EF.CardAccess-shaped, not DG14 */
	ck_assert_eg(lds_dg14_parse(e.data, e.len, &si), EG_ERR_FORMAT);
	ck_assert_eg(lds_secinfos_parse(e.data, e.len, &si), EG_OK);
	eg_wbuf_free(&set);
	eg_wbuf_free(&e);
	eg_wbuf_free(&dg);
	tpki_free(&t);
}
END_TEST

START_TEST(test_dg15)
{
	struct tpki *t;
	uint8_t spki[600];
	struct eg_wbuf dg;
	struct lds_dg15 d;
	size_t sn;

	ck_assert_eg(tpki_new(&t, "dg15"), EG_OK);
	eg_wbuf_init(&dg, 4096, false);
	/* EC */
	sn = spki_of(t, TPKI_KEY_EC_P256, spki, sizeof(spki));
	ck_assert_eg(eg_tlv_put(&dg, 0x6F, spki, sn), EG_OK);
	ck_assert_eg(lds_dg15_parse(dg.data, dg.len, &d), EG_OK);
	ck_assert_int_eq(mbedtls_pk_get_type(&d.pk), MBEDTLS_PK_ECKEY);
	ck_assert_uint_eq(mbedtls_pk_get_bitlen(&d.pk), 256);
	ck_assert_uint_eq(d.spki_len, sn);
	lds_dg15_free(&d);
	ALL_PREFIXES_FAIL(lds_dg15_parse, dg.data, dg.len, &d);
	/* RSA */
	eg_wbuf_reset(&dg);
	sn = spki_of(t, TPKI_KEY_RSA2048, spki, sizeof(spki));
	ck_assert_eg(eg_tlv_put(&dg, 0x6F, spki, sn), EG_OK);
	ck_assert_eg(lds_dg15_parse(dg.data, dg.len, &d), EG_OK);
	ck_assert_int_eq(mbedtls_pk_get_type(&d.pk), MBEDTLS_PK_RSA);
	ck_assert_uint_eq(mbedtls_pk_get_bitlen(&d.pk), 2048);
	lds_dg15_free(&d);
	lds_dg15_free(&d);	/* twice is safe */
	/* a well-formed SEQUENCE that is no key */
	{
		uint8_t bad[] = { 0x6F, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00 };
		ck_assert_eg(lds_dg15_parse(bad, sizeof(bad), &d), EG_ERR_UNSUPPORTED);
		lds_dg15_free(&d);
	}
	eg_wbuf_free(&dg);
	tpki_free(&t);
}
END_TEST

START_TEST(test_dg2_locate)
{
	/* 75 { 7F61 { 02 01 01, 7F60 { A1 {..}, 5F2E { 'FACE' image } } } } */
	static const uint8_t d[] = { 0x75, 0x15, 0x7F, 0x61, 0x12, 0x02, 0x01, 0x01, 0x7F, 0x60,
		0x0C, 0xA1, 0x03, 0x80, 0x01, 0x01, 0x5F, 0x2E, 0x04, 'F', 'A', 'C', 'E', 0x00 };
	const uint8_t *bit;
	size_t n;

	ck_assert_eg(lds_dg2_locate(d, sizeof(d) - 1, &bit, &n), EG_OK);
	ck_assert_ptr_eq(bit, d + 2);
	ck_assert_uint_eq(n, 0x15);
	ck_assert_eg(lds_dg2_locate(d, sizeof(d), &bit, &n), EG_ERR_FORMAT);	/* trailing byte */
	ck_assert_ptr_null(bit);
	for (size_t k = 0; k < sizeof(d) - 1; k++)
		ck_assert_int_ne(lds_dg2_locate(d, k, &bit, &n), EG_OK);
	ck_assert_eg(lds_dg2_locate(d + 2, 0x15, &bit, &n), EG_ERR_FORMAT);	/* no 75 */
}
END_TEST

START_TEST(test_garbage)
{
	uint8_t g[257];
	struct lds_com c;
	struct lds_dg1 d1;
	struct lds_fields f;
	struct lds_secinfos si;
	struct lds_dg15 d15;

	for (size_t i = 0; i < sizeof(g); i++)
		g[i] = (uint8_t)(i * 151 + 13);
	for (uint8_t first = 0x60; first <= 0x6F; first++) {
		g[0] = first;
		ck_assert_int_ne(lds_com_parse(g, sizeof(g), &c), EG_OK);
		ck_assert_int_ne(lds_dg1_parse(g, sizeof(g), &d1), EG_OK);
		ck_assert_int_ne(lds_dg11_parse(g, sizeof(g), &f), EG_OK);
		ck_assert_int_ne(lds_dg12_parse(g, sizeof(g), &f), EG_OK);
		ck_assert_int_ne(lds_dg14_parse(g, sizeof(g), &si), EG_OK);
		ck_assert_int_ne(lds_dg15_parse(g, sizeof(g), &d15), EG_OK);
		ck_assert_int_ne(lds_cardaccess_parse(g, sizeof(g), &si), EG_OK);
	}
	ck_assert_eg(lds_com_parse(g, sizeof(g), NULL), EG_ERR_INVAL);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("docauth-lds");
	TCase *tc = tcase_create("lds");

	tcase_add_test(tc, test_cardaccess_reference);
	tcase_add_test(tc, test_pace_oids);
	tcase_add_test(tc, test_ef_com_reference);
	tcase_add_test(tc, test_ef_com_built);
	tcase_add_test(tc, test_dg1_formats);
	tcase_add_test(tc, test_dg11_dg12);
	tcase_add_test(tc, test_dg14);
	tcase_add_test(tc, test_dg15);
	tcase_add_test(tc, test_dg2_locate);
	tcase_add_test(tc, test_garbage);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
