/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_seal — sealed identifiers (proto/seal.c): the known-answer vector
 * made by the independent Python implementation (tests/vectors/proto/
 * seal_v1.txt, seal_v2.txt), round trips, and every way a blob must be
 * refused; version 2's epochs (shared E, rotation) and the host's key cache
 * (ECDHs counted by seal_key_stats); the host certificate checks of
 * seal_key_from_cert with a PKI made by host/pki.
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eg_check.h"
#include "eg_scratch.h"
#include "egate/error.h"
#include "egate/hex.h"
#include "pki.h"
#include "seal.h"

/* ---- the vector file ---- */

struct vector {
	uint8_t host_key[256], host_point[SEAL_POINT_LEN], eph_d[32], blob[SEAL_BLOB_MAX];
	size_t host_key_len, blob_len;
	char kiosk_id[80], doc[80], name[80];
};

static void
vector_load(struct vector *v)
{
	char path[1024], line[4096];
	FILE *f;
	size_t n;
	int fields = 0;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/proto/seal_v1.txt", VECTORS_DIR);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strstr(line, " = "), *val;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		val = eq + 3;
		fields++;
		if (strcmp(line, "host_key") == 0)
			ck_assert_eg(eg_hex_decode(val, v->host_key, sizeof(v->host_key),
			    &v->host_key_len), EG_OK);
		else if (strcmp(line, "host_point") == 0)
			ck_assert_eg(eg_hex_decode(val, v->host_point, sizeof(v->host_point), &n), EG_OK);
		else if (strcmp(line, "ephemeral_d") == 0)
			ck_assert_eg(eg_hex_decode(val, v->eph_d, sizeof(v->eph_d), &n), EG_OK);
		else if (strcmp(line, "blob") == 0)
			ck_assert_eg(eg_hex_decode(val, v->blob, sizeof(v->blob), &v->blob_len), EG_OK);
		else if (strcmp(line, "kiosk_id") == 0)
			snprintf(v->kiosk_id, sizeof(v->kiosk_id), "%s", val);
		else if (strcmp(line, "document_number") == 0)
			snprintf(v->doc, sizeof(v->doc), "%s", val);
		else if (strcmp(line, "holder_name") == 0)
			snprintf(v->name, sizeof(v->name), "%s", val);
		else
			fields--;
	}
	fclose(f);
	ck_assert_int_eq(fields, 7);
}

/* An RNG that hands out the vector's ephemeral scalar first (mbedTLS draws
 * the private key as 32 big-endian bytes), then blinding bytes. */
struct fixed_rng {
	const uint8_t *first;
	bool used;
	mbedtls_ctr_drbg_context *rest;
};

static int
fixed_rng(void *ctx, unsigned char *out, size_t len)
{
	struct fixed_rng *r = ctx;

	if (!r->used && len == 32) {
		memcpy(out, r->first, 32);
		r->used = true;
		return 0;
	}
	return mbedtls_ctr_drbg_random(r->rest, out, len);
}

/* ---- fixtures ---- */

static mbedtls_entropy_context ent;
static mbedtls_ctr_drbg_context drbg;
static struct seal_key *key_a, *key_b;

static void
setup(void)
{
	struct vector v;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	vector_load(&v);
	ck_assert_eg(seal_key_parse_private(v.host_key, v.host_key_len, &key_a), EG_OK);
	/* a second host key (openssl ecparam -genkey) */
	{
		static const char pem[] =
		    "-----BEGIN EC PRIVATE KEY-----\n"
		    "MHcCAQEEIF0QPeS0JQCeaP6M4E84Vr3jFC+yaA+xjACs3w/X9fqSoAoGCCqGSM49\n"
		    "AwEHoUQDQgAEa9Qv59KLK3ljzaOd/u07gnOxkOAzKH69p/xscyEA0xfjDkAhYJ59\n"
		    "TxyAz+3KSkEVFs48CJ1TKj/VdthnndPcAA==\n"
		    "-----END EC PRIVATE KEY-----\n";
		ck_assert_eg(seal_key_parse_private((const uint8_t *)pem, sizeof(pem), &key_b), EG_OK);
	}
}

static void
teardown(void)
{
	seal_key_free(&key_a);
	seal_key_free(&key_b);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
}

static size_t
do_seal(struct seal_key *k, const char *kiosk, const char *doc, const char *name, uint8_t *blob)
{
	size_t n = 0;

	ck_assert_eg(seal_identifiers(k, mbedtls_ctr_drbg_random, &drbg, kiosk, doc, name, blob,
	    SEAL_BLOB_MAX, &n), EG_OK);
	return n;
}

/* ---- tests ---- */

START_TEST(vector_opens)
{
	struct vector v;
	char doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];
	uint8_t pub[SEAL_POINT_LEN];

	vector_load(&v);
	ck_assert_eg(seal_key_public(key_a, pub), EG_OK);
	ck_assert_mem_eq(pub, v.host_point, SEAL_POINT_LEN);
	ck_assert_eg(seal_open(key_a, v.kiosk_id, v.blob, v.blob_len, doc, sizeof(doc), name,
	    sizeof(name)), EG_OK);
	ck_assert_str_eq(doc, v.doc);
	ck_assert_str_eq(name, v.name);
}
END_TEST

START_TEST(vector_seals_byte_exact)
{
	struct vector v;
	struct fixed_rng r;
	uint8_t blob[SEAL_BLOB_MAX];
	size_t n = 0;

	vector_load(&v);
	r.first = v.eph_d;
	r.used = false;
	r.rest = &drbg;
	ck_assert_eg(seal_identifiers(key_a, fixed_rng, &r, v.kiosk_id, v.doc, v.name, blob,
	    sizeof(blob), &n), EG_OK);
	ck_assert(r.used);
	ck_assert_uint_eq(n, v.blob_len);
	ck_assert_mem_eq(blob, v.blob, n);
}
END_TEST

START_TEST(round_trips)
{
	static const struct { const char *kiosk, *doc, *name; } c[] = {
		{ "K01", "L898902C3", "ERIKSSON<<ANNA<MARIA" },
		{ "K", "", "" },
		{ "K02", "", "ONLY<<NAME" },
		{ "1234567890123456789012345678901234567890123456789012345678901234",
		  "D23145890123", "MUSTERMANN<<ERIKA" },
	};
	char big_doc[SEAL_FIELD_MAX + 1], big_name[SEAL_FIELD_MAX + 1];
	char doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];
	uint8_t blob[SEAL_BLOB_MAX];
	size_t n;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = do_seal(key_a, c[i].kiosk, c[i].doc, c[i].name, blob);
		ck_assert_uint_eq(n, SEAL_OVERHEAD + (c[i].doc[0] ? 2 + strlen(c[i].doc) : 0) +
		    (c[i].name[0] ? 2 + strlen(c[i].name) : 0));
		ck_assert_eg(seal_open(key_a, c[i].kiosk, blob, n, doc, sizeof(doc), name,
		    sizeof(name)), EG_OK);
		ck_assert_str_eq(doc, c[i].doc);
		ck_assert_str_eq(name, c[i].name);
	}
	/* the longest fields (two-byte length varints) */
	memset(big_doc, 'D', SEAL_FIELD_MAX);
	big_doc[SEAL_FIELD_MAX] = '\0';
	memset(big_name, 'N', SEAL_FIELD_MAX);
	big_name[SEAL_FIELD_MAX] = '\0';
	n = do_seal(key_a, "K01", big_doc, big_name, blob);
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_OK);
	ck_assert_str_eq(doc, big_doc);
	ck_assert_str_eq(name, big_name);
	/* an output buffer too small for a field: refused, buffers cleared */
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, 10, name, sizeof(name)), EG_ERR_OVERFLOW);
	ck_assert_str_eq(doc, "");
	ck_assert_str_eq(name, "");
}
END_TEST

START_TEST(seals_differ)
{
	uint8_t a[SEAL_BLOB_MAX], b[SEAL_BLOB_MAX];
	size_t na = do_seal(key_a, "K01", "L898902C3", "ERIKSSON<<ANNA", a);
	size_t nb = do_seal(key_a, "K01", "L898902C3", "ERIKSSON<<ANNA", b);

	ck_assert_uint_eq(na, nb);
	/* a fresh ephemeral key: E differs, and so does every ciphertext byte's key */
	ck_assert(memcmp(a + 1, b + 1, SEAL_POINT_LEN) != 0);
	ck_assert(memcmp(a + 1 + SEAL_POINT_LEN, b + 1 + SEAL_POINT_LEN,
	    na - 1 - SEAL_POINT_LEN) != 0);
}
END_TEST

START_TEST(refused_wrong_kiosk_or_key)
{
	uint8_t blob[SEAL_BLOB_MAX];
	char doc[64], name[64];
	size_t n = do_seal(key_a, "K01", "L898902C3", "ERIKSSON<<ANNA", blob);

	ck_assert_eg(seal_open(key_a, "K02", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_AUTH);
	ck_assert_eg(seal_open(key_a, "K01x", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_AUTH);
	ck_assert_eg(seal_open(key_a, "K0", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_AUTH);
	ck_assert_eg(seal_open(key_b, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_AUTH);
	ck_assert_str_eq(doc, "");
	ck_assert_str_eq(name, "");
	ck_assert_eg(seal_open(key_a, "", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_INVAL);
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_OK);
}
END_TEST

START_TEST(refused_any_flipped_bit)
{
	uint8_t blob[SEAL_BLOB_MAX];
	char doc[64], name[64];
	size_t n = do_seal(key_a, "K01", "L898902C3", "ERIKSSON<<ANNA", blob);

	for (size_t i = 0; i < n; i++) {
		for (int b = 0; b < 8; b++) {
			int rc;

			blob[i] ^= (uint8_t)(1u << b);
			rc = seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name));
			blob[i] ^= (uint8_t)(1u << b);
			if (i == 0)	/* 0x03: version 3 wants its event (seal_open_bound) */
				ck_assert_eg(rc, (blob[0] ^ (1u << b)) == SEAL_VERSION_3 ? EG_ERR_INVAL :
				    EG_ERR_UNSUPPORTED);
			else if (i == 1)	/* 0x04 no longer: not an uncompressed point */
				ck_assert_eg(rc, EG_ERR_FORMAT);
			else		/* a point off the curve, or a tag that fails */
				ck_assert_msg(rc == EG_ERR_FORMAT || rc == EG_ERR_AUTH,
				    "byte %zu bit %d: %s", i, b, eg_err_name(rc));
			if (i > 1 + SEAL_POINT_LEN - 1)
				ck_assert_eg(rc, EG_ERR_AUTH);
			ck_assert_str_eq(doc, "");
		}
	}
}
END_TEST

START_TEST(refused_truncated_or_extended)
{
	uint8_t blob[SEAL_BLOB_MAX + 8];
	char doc[64], name[64];
	size_t n = do_seal(key_a, "K01", "L898902C3", "ERIKSSON<<ANNA", blob);

	for (size_t len = 0; len < n; len++) {
		int rc = seal_open(key_a, "K01", blob, len, doc, sizeof(doc), name, sizeof(name));

		ck_assert_eg(rc, len < SEAL_OVERHEAD ? EG_ERR_TRUNCATED : EG_ERR_AUTH);
	}
	blob[n] = 0;
	ck_assert_eg(seal_open(key_a, "K01", blob, n + 1, doc, sizeof(doc), name, sizeof(name)),
	    EG_ERR_AUTH);
	memset(blob, 0, sizeof(blob));
	blob[0] = SEAL_VERSION;
	ck_assert_eg(seal_open(key_a, "K01", blob, SEAL_BLOB_MAX + 1, doc, sizeof(doc), name,
	    sizeof(name)), EG_ERR_OVERFLOW);
	ck_assert_eg(seal_open(key_a, "K01", NULL, 0, doc, sizeof(doc), name, sizeof(name)),
	    EG_ERR_TRUNCATED);
}
END_TEST

START_TEST(refused_version_and_bad_points)
{
	uint8_t blob[SEAL_BLOB_MAX];
	char doc[64], name[64];
	size_t n = do_seal(key_a, "K01", "L898902C3", "ERIKSSON<<ANNA", blob);
	uint8_t save[SEAL_POINT_LEN];

	for (unsigned v = 0; v < 256; v++) {
		if (v == SEAL_VERSION)
			continue;
		blob[0] = (uint8_t)v;
		if (v == SEAL_VERSION_2) {	/* read as v2: E ‖ N ‖ … does not verify */
			ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name,
			    sizeof(name)), EG_ERR_AUTH);
			continue;
		}
		if (v == SEAL_VERSION_3) {	/* bound to an event: seal_open cannot say which */
			ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name,
			    sizeof(name)), EG_ERR_INVAL);
			continue;
		}
		ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)),
		    EG_ERR_UNSUPPORTED);
	}
	blob[0] = SEAL_VERSION;
	memcpy(save, blob + 1, SEAL_POINT_LEN);
	/* the point at infinity, a compressed point, all zeros */
	memset(blob + 1, 0, SEAL_POINT_LEN);
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_FORMAT);
	blob[1] = 0x04;
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_FORMAT);
	memcpy(blob + 1, save, SEAL_POINT_LEN);
	blob[1] = 0x02;
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_FORMAT);
	blob[1] = 0x04;
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_OK);
}
END_TEST

START_TEST(seal_arguments)
{
	uint8_t blob[SEAL_BLOB_MAX];
	char big[SEAL_FIELD_MAX + 2], kid[SEAL_KIOSK_ID_MAX + 2];
	size_t n = 99;

	memset(big, 'X', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(kid, 'K', sizeof(kid) - 1);
	kid[sizeof(kid) - 1] = '\0';
	ck_assert_eg(seal_identifiers(key_a, mbedtls_ctr_drbg_random, &drbg, "K01", big, "", blob,
	    sizeof(blob), &n), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(n, 0);
	ck_assert_eg(seal_identifiers(key_a, mbedtls_ctr_drbg_random, &drbg, "K01", "", big, blob,
	    sizeof(blob), &n), EG_ERR_OVERFLOW);
	ck_assert_eg(seal_identifiers(key_a, mbedtls_ctr_drbg_random, &drbg, kid, "A", "B", blob,
	    sizeof(blob), &n), EG_ERR_INVAL);
	ck_assert_eg(seal_identifiers(key_a, mbedtls_ctr_drbg_random, &drbg, "", "A", "B", blob,
	    sizeof(blob), &n), EG_ERR_INVAL);
	ck_assert_eg(seal_identifiers(key_a, mbedtls_ctr_drbg_random, &drbg, "K01", "A", "B", blob,
	    SEAL_OVERHEAD + 5, &n), EG_ERR_OVERFLOW);
	ck_assert_eg(seal_identifiers(key_a, mbedtls_ctr_drbg_random, &drbg, "K01", "A", "B", blob,
	    SEAL_OVERHEAD + 6, &n), EG_OK);
	ck_assert_uint_eq(n, SEAL_OVERHEAD + 6);
	ck_assert_eg(seal_identifiers(NULL, mbedtls_ctr_drbg_random, &drbg, "K01", "A", "B", blob,
	    sizeof(blob), &n), EG_ERR_INVAL);
}
END_TEST

/* The strict plaintext parser: fields 1 and 2 only, once each, no NUL. */
START_TEST(plaintext_rules)
{
	static const struct { const char *p; size_t n; int want; const char *doc, *name; } c[] = {
		{ "\x0a\x03" "ABC\x12\x02" "NN", 9, EG_OK, "ABC", "NN" },
		{ "\x12\x02" "NN\x0a\x03" "ABC", 9, EG_OK, "ABC", "NN" },	/* any order */
		{ "", 0, EG_OK, "", "" },
		{ "\x0a\x03" "ABC\x1a\x03" "UTO", 10, EG_ERR_FORMAT, "", "" },	/* issuing_state */
		{ "\x0a\x03" "ABC\x0a\x03" "DEF", 10, EG_ERR_FORMAT, "", "" },	/* twice */
		{ "\x0a\x03" "A\0C", 5, EG_ERR_FORMAT, "", "" },		/* NUL */
		{ "\x0a\x09" "ABC", 5, EG_ERR_FORMAT, "", "" },		/* past the end */
		{ "\x0a\x80", 2, EG_ERR_FORMAT, "", "" },			/* varint cut */
		{ "\x0a\xff\xff\xff\xff\xff\x01", 7, EG_ERR_FORMAT, "", "" },	/* > 32 bits */
		{ "\x08\x05", 2, EG_ERR_FORMAT, "", "" },			/* wire type 0 */
	};
	char doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];
	uint8_t big[3 + SEAL_FIELD_MAX + 1];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = seal_plain_parse((const uint8_t *)c[i].p, c[i].n, doc, sizeof(doc), name,
		    sizeof(name));

		ck_assert_msg(rc == c[i].want, "case %zu: %s", i, eg_err_name(rc));
		if (rc == EG_OK) {
			ck_assert_str_eq(doc, c[i].doc);
			ck_assert_str_eq(name, c[i].name);
		}
	}
	/* 256 bytes: one more than a field may hold */
	big[0] = 0x0a;
	big[1] = 0x80;
	big[2] = 0x02;
	memset(big + 3, 'D', SEAL_FIELD_MAX + 1);
	ck_assert_eg(seal_plain_parse(big, sizeof(big), doc, sizeof(doc), name, sizeof(name)),
	    EG_ERR_OVERFLOW);
	big[1] = 0xff;
	big[2] = 0x01;
	ck_assert_eg(seal_plain_parse(big, sizeof(big) - 1, doc, sizeof(doc), name, sizeof(name)),
	    EG_OK);
	ck_assert_uint_eq(strlen(doc), SEAL_FIELD_MAX);
}
END_TEST

/* A host certificate chained to the CA, with the right CN: accepted; its
 * key seals blobs the private key opens. Wrong CN, another CA, expired:
 * refused with EG_ERR_CERT. */
START_TEST(host_certificate)
{
	char dir[256], p[8][300], err[256];
	struct pki_ca *ca = NULL, *rogue = NULL;
	struct seal_key *pub = NULL, *priv = NULL;
	uint8_t blob[SEAL_BLOB_MAX];
	char doc[64], name[64];
	size_t n;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-test-seal");
	snprintf(p[0], sizeof(p[0]), "%s/ca", dir);
	snprintf(p[1], sizeof(p[1]), "%s/rogue", dir);
	snprintf(p[2], sizeof(p[2]), "%s/host.key", dir);
	snprintf(p[3], sizeof(p[3]), "%s/host.csr", dir);
	snprintf(p[4], sizeof(p[4]), "%s/host.crt", dir);
	snprintf(p[5], sizeof(p[5]), "%s/other.crt", dir);
	snprintf(p[6], sizeof(p[6]), "%s/ca/ca.crt", dir);
	snprintf(p[7], sizeof(p[7]), "%s/k.csr", dir);
	ck_assert_eg(pki_ca_create(p[0], "Test CA", 30), EG_OK);
	ck_assert_eg(pki_ca_create(p[1], "Rogue CA", 30), EG_OK);
	ck_assert_eg(pki_ca_open(p[0], &ca), EG_OK);
	ck_assert_eg(pki_ca_open(p[1], &rogue), EG_OK);
	ck_assert_eg(pki_key_create(p[2]), EG_OK);
	ck_assert_eg(pki_csr_create(p[2], "egate-host", PKI_ROLE_HOST, p[3]), EG_OK);
	ck_assert_eg(pki_ca_sign(ca, p[3], PKI_ROLE_HOST, 30, 0, p[4]), EG_OK);

	ck_assert_eg(seal_key_from_cert(p[4], p[6], "egate-host", &pub, err, sizeof(err)), EG_OK);
	ck_assert_eg(seal_key_from_private(p[2], &priv, err, sizeof(err)), EG_OK);
	n = do_seal(pub, "K01", "L898902C3", "ERIKSSON<<ANNA", blob);
	ck_assert_eg(seal_open(priv, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_OK);
	ck_assert_str_eq(doc, "L898902C3");
	/* a public key cannot open */
	ck_assert_eg(seal_open(pub, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_INVAL);
	seal_key_free(&pub);

	ck_assert_eg(seal_key_from_cert(p[4], p[6], "other-host", &pub, err, sizeof(err)), EG_ERR_CERT);
	ck_assert_ptr_null(pub);
	ck_assert_ptr_nonnull(strstr(err, "CN"));
	/* the same CN from another CA */
	ck_assert_eg(pki_ca_sign(rogue, p[3], PKI_ROLE_HOST, 30, 0, p[5]), EG_OK);
	ck_assert_eg(seal_key_from_cert(p[5], p[6], "egate-host", &pub, err, sizeof(err)), EG_ERR_CERT);
	/* expired */
	unlink(p[5]);
	ck_assert_eg(pki_ca_sign(ca, p[3], PKI_ROLE_HOST, -1, 10, p[5]), EG_OK);
	ck_assert_eg(seal_key_from_cert(p[5], p[6], "egate-host", &pub, err, sizeof(err)), EG_ERR_CERT);
	ck_assert_eg(seal_key_from_cert("/nonexistent.crt", p[6], "egate-host", &pub, err,
	    sizeof(err)), EG_ERR_IO);
	seal_key_free(&priv);
	ck_assert_eg(seal_key_from_private("/nonexistent.key", &priv, err, sizeof(err)), EG_ERR_IO);
	ck_assert_ptr_null(priv);
	pki_ca_free(&ca);
	pki_ca_free(&rogue);
	{
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

/* ---- version 2 ---- */

struct vector2 {
	uint8_t host_key[256], eph_d[32], epoch_key[SEAL_KEY_LEN];
	uint8_t nonce[2][SEAL_NONCE_LEN], blob[2][SEAL_BLOB_MAX];
	size_t host_key_len, blob_len[2];
	char kiosk_id[80], doc[2][80], name[2][80];
};

static void
vector2_load(struct vector2 *v)
{
	char path[1024], line[4096];
	FILE *f;
	size_t n;
	int fields = 0;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/proto/seal_v2.txt", VECTORS_DIR);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strstr(line, " = "), *val;
		int i;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		val = eq + 3;
		fields++;
		i = line[strlen(line) - 1] == '2';
		if (strcmp(line, "host_key") == 0)
			ck_assert_eg(eg_hex_decode(val, v->host_key, sizeof(v->host_key),
			    &v->host_key_len), EG_OK);
		else if (strcmp(line, "ephemeral_d") == 0)
			ck_assert_eg(eg_hex_decode(val, v->eph_d, sizeof(v->eph_d), &n), EG_OK);
		else if (strcmp(line, "epoch_key") == 0)
			ck_assert_eg(eg_hex_decode(val, v->epoch_key, sizeof(v->epoch_key), &n), EG_OK);
		else if (strcmp(line, "kiosk_id") == 0)
			snprintf(v->kiosk_id, sizeof(v->kiosk_id), "%s", val);
		else if (strncmp(line, "nonce_", 6) == 0)
			ck_assert_eg(eg_hex_decode(val, v->nonce[i], SEAL_NONCE_LEN, &n), EG_OK);
		else if (strncmp(line, "blob_", 5) == 0)
			ck_assert_eg(eg_hex_decode(val, v->blob[i], SEAL_BLOB_MAX, &v->blob_len[i]),
			    EG_OK);
		else if (strncmp(line, "document_number_", 16) == 0)
			snprintf(v->doc[i], sizeof(v->doc[i]), "%s", val);
		else if (strncmp(line, "holder_name_", 12) == 0)
			snprintf(v->name[i], sizeof(v->name[i]), "%s", val);
		else
			fields--;
	}
	fclose(f);
	ck_assert_int_eq(fields, 12);
}

/* The vector's RNG for v2: the ephemeral scalar at the first 32-byte draw,
 * the vector's nonces at the 12-byte draws, blinding bytes otherwise. */
struct fixed_rng2 {
	const uint8_t *first;
	const uint8_t (*nonce)[SEAL_NONCE_LEN];
	int used, nonces;
	mbedtls_ctr_drbg_context *rest;
};

static int
fixed_rng2(void *ctx, unsigned char *out, size_t len)
{
	struct fixed_rng2 *r = ctx;

	if (r->used == 0 && len == 32) {
		memcpy(out, r->first, 32);
		r->used = 1;
		return 0;
	}
	if (len == SEAL_NONCE_LEN && r->nonces < 2) {
		memcpy(out, r->nonce[r->nonces++], SEAL_NONCE_LEN);
		return 0;
	}
	return mbedtls_ctr_drbg_random(r->rest, out, len);
}

static size_t
do_seal2(struct seal_epoch *ep, struct seal_key *k, uint64_t now, const char *kiosk,
    const char *doc, const char *name, uint8_t *blob)
{
	size_t n = 0;

	ck_assert_eg(seal_epoch_seal(ep, k, mbedtls_ctr_drbg_random, &drbg, now, kiosk, doc, name,
	    blob, SEAL_BLOB_MAX, &n), EG_OK);
	ck_assert_uint_eq(blob[0], SEAL_VERSION_2);
	return n;
}

static void
open_ok(struct seal_key *k, const char *kiosk, const uint8_t *blob, size_t n, const char *want_doc,
    const char *want_name)
{
	char doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];

	ck_assert_eg(seal_open(k, kiosk, blob, n, doc, sizeof(doc), name, sizeof(name)), EG_OK);
	ck_assert_str_eq(doc, want_doc);
	ck_assert_str_eq(name, want_name);
}

static uint64_t
ecdh_count(const struct seal_key *k)
{
	struct seal_stats st;

	seal_key_stats(k, &st);
	return st.ecdh;
}

START_TEST(v2_vector_opens)
{
	struct vector2 v;
	struct seal_stats st;

	vector2_load(&v);
	open_ok(key_a, v.kiosk_id, v.blob[0], v.blob_len[0], v.doc[0], v.name[0]);
	open_ok(key_a, v.kiosk_id, v.blob[1], v.blob_len[1], v.doc[1], v.name[1]);
	seal_key_stats(key_a, &st);
	ck_assert_uint_eq(st.ecdh, 1);		/* one epoch: one ECDH */
	ck_assert_uint_eq(st.cache_hits, 1);
}
END_TEST

START_TEST(v2_vector_seals_byte_exact)
{
	struct vector2 v;
	struct fixed_rng2 r;
	struct seal_epoch *ep = NULL;
	uint8_t blob[SEAL_BLOB_MAX];
	size_t n = 0;

	vector2_load(&v);
	memset(&r, 0, sizeof(r));
	r.first = v.eph_d;
	r.nonce = (const uint8_t (*)[SEAL_NONCE_LEN])v.nonce;
	r.rest = &drbg;
	ck_assert_eg(seal_epoch_new(0, 0, &ep), EG_OK);
	for (int i = 0; i < 2; i++) {
		ck_assert_eg(seal_epoch_seal(ep, key_a, fixed_rng2, &r, 100, v.kiosk_id, v.doc[i],
		    v.name[i], blob, sizeof(blob), &n), EG_OK);
		ck_assert_uint_eq(n, v.blob_len[i]);
		ck_assert_mem_eq(blob, v.blob[i], n);
	}
	ck_assert_int_eq(r.used, 1);
	ck_assert_int_eq(r.nonces, 2);
	seal_epoch_free(&ep);
	ck_assert_ptr_null(ep);
}
END_TEST

/* One epoch: every seal carries the same E, a fresh nonce, and opens; the
 * host does one ECDH for all of them. */
START_TEST(v2_epoch_shares_e)
{
	static uint8_t blobs[SEAL_EPOCH_MAX_SEALS][128];
	struct seal_epoch *ep = NULL;
	struct seal_stats st;
	size_t len[SEAL_EPOCH_MAX_SEALS];
	char doc[16];

	ck_assert_eg(seal_epoch_new(0, 0, &ep), EG_OK);
	for (unsigned i = 0; i < SEAL_EPOCH_MAX_SEALS; i++) {
		uint8_t blob[SEAL_BLOB_MAX];

		snprintf(doc, sizeof(doc), "D%08u", i);
		len[i] = do_seal2(ep, key_a, 5, "K01", doc, "ERIKSSON<<ANNA", blob);
		ck_assert_uint_le(len[i], sizeof(blobs[i]));
		ck_assert_uint_eq(len[i], SEAL_OVERHEAD_2 + 2 + 9 + 2 + 14);
		memcpy(blobs[i], blob, len[i]);
		ck_assert_mem_eq(blobs[i] + 1, blobs[0] + 1, SEAL_POINT_LEN);
		if (i > 0)	/* nonces differ (a repeat would break GCM) */
			ck_assert(memcmp(blobs[i] + 1 + SEAL_POINT_LEN,
			    blobs[i - 1] + 1 + SEAL_POINT_LEN, SEAL_NONCE_LEN) != 0);
	}
	for (unsigned i = 0; i < SEAL_EPOCH_MAX_SEALS; i++) {
		snprintf(doc, sizeof(doc), "D%08u", i);
		open_ok(key_a, "K01", blobs[i], len[i], doc, "ERIKSSON<<ANNA");
	}
	seal_key_stats(key_a, &st);
	ck_assert_uint_eq(st.ecdh, 1);
	ck_assert_uint_eq(st.cache_hits, SEAL_EPOCH_MAX_SEALS - 1);
	seal_epoch_free(&ep);
}
END_TEST

/* A new E after max_seals seals, after max_seconds, when the clock goes
 * back, and for another host key; limits above the maxima are refused. */
START_TEST(v2_epoch_rotation)
{
	struct seal_epoch *ep = NULL;
	uint8_t a[SEAL_BLOB_MAX], b[SEAL_BLOB_MAX];
	size_t na, nb;

	ck_assert_eg(seal_epoch_new(SEAL_EPOCH_MAX_SEALS + 1, 0, &ep), EG_ERR_INVAL);
	ck_assert_eg(seal_epoch_new(0, SEAL_EPOCH_MAX_SECONDS + 1, &ep), EG_ERR_INVAL);
	ck_assert_ptr_null(ep);
	ck_assert_eg(seal_epoch_new(3, 10, &ep), EG_OK);
	/* by count: seals 1..3 share E, the 4th starts a new epoch */
	na = do_seal2(ep, key_a, 1000, "K01", "A", "B", a);
	for (int i = 0; i < 2; i++) {
		nb = do_seal2(ep, key_a, 1000, "K01", "A", "B", b);
		ck_assert_mem_eq(a + 1, b + 1, SEAL_POINT_LEN);
	}
	nb = do_seal2(ep, key_a, 1000, "K01", "A", "B", b);
	ck_assert(memcmp(a + 1, b + 1, SEAL_POINT_LEN) != 0);
	open_ok(key_a, "K01", a, na, "A", "B");
	open_ok(key_a, "K01", b, nb, "A", "B");
	ck_assert_uint_eq(ecdh_count(key_a), 2);
	/* by time: that epoch began at 1000; 1009 still in it, 1010 not */
	memcpy(a, b, nb);
	na = nb;
	nb = do_seal2(ep, key_a, 1009, "K01", "A", "B", b);
	ck_assert_mem_eq(a + 1, b + 1, SEAL_POINT_LEN);
	nb = do_seal2(ep, key_a, 1010, "K01", "A", "B", b);
	ck_assert(memcmp(a + 1, b + 1, SEAL_POINT_LEN) != 0);
	/* a clock going back ends the epoch too */
	memcpy(a, b, nb);
	nb = do_seal2(ep, key_a, 5, "K01", "A", "B", b);
	ck_assert(memcmp(a + 1, b + 1, SEAL_POINT_LEN) != 0);
	/* another host key: a new epoch, which that key opens and key_a not */
	memcpy(a, b, nb);
	nb = do_seal2(ep, key_b, 5, "K01", "A", "B", b);
	ck_assert(memcmp(a + 1, b + 1, SEAL_POINT_LEN) != 0);
	open_ok(key_b, "K01", b, nb, "A", "B");
	{
		char doc[8], name[8];

		ck_assert_eg(seal_open(key_a, "K01", b, nb, doc, sizeof(doc), name, sizeof(name)),
		    EG_ERR_AUTH);
	}
	seal_epoch_free(&ep);
	seal_epoch_free(&ep);	/* safe on NULL */
}
END_TEST

START_TEST(v2_refused)
{
	struct seal_epoch *ep = NULL;
	uint8_t blob[SEAL_BLOB_MAX + 8];
	char doc[64], name[64];
	size_t n;

	ck_assert_eg(seal_epoch_new(0, 0, &ep), EG_OK);
	n = do_seal2(ep, key_a, 0, "K01", "L898902C3", "ERIKSSON<<ANNA", blob);
	open_ok(key_a, "K01", blob, n, "L898902C3", "ERIKSSON<<ANNA");	/* now cached */
	/* another kiosk id, another host key */
	ck_assert_eg(seal_open(key_a, "K02", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_AUTH);
	ck_assert_eg(seal_open(key_a, "K01x", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_AUTH);
	ck_assert_eg(seal_open(key_b, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_AUTH);
	ck_assert_str_eq(doc, "");
	ck_assert_str_eq(name, "");
	/* every flipped bit (E cached or not) */
	for (size_t i = 0; i < n; i++) {
		for (int b = 0; b < 8; b++) {
			int rc;

			blob[i] ^= (uint8_t)(1u << b);
			rc = seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name));
			blob[i] ^= (uint8_t)(1u << b);
			if (i == 0)	/* 0x00, 0x06, …: unknown; never 0x01; 0x03 wants its event */
				ck_assert_eg(rc, (blob[0] ^ (1u << b)) == SEAL_VERSION_3 ? EG_ERR_INVAL :
				    EG_ERR_UNSUPPORTED);
			else if (i == 1)
				ck_assert_eg(rc, EG_ERR_FORMAT);
			else if (i < 1 + SEAL_POINT_LEN)
				ck_assert_msg(rc == EG_ERR_FORMAT || rc == EG_ERR_AUTH,
				    "byte %zu bit %d: %s", i, b, eg_err_name(rc));
			else		/* nonce, ciphertext, tag */
				ck_assert_eg(rc, EG_ERR_AUTH);
			ck_assert_str_eq(doc, "");
		}
	}
	/* truncated, extended */
	for (size_t len = 0; len < n; len++) {
		int rc = seal_open(key_a, "K01", blob, len, doc, sizeof(doc), name, sizeof(name));

		ck_assert_eg(rc, len < SEAL_OVERHEAD_2 ? EG_ERR_TRUNCATED : EG_ERR_AUTH);
	}
	blob[n] = 0;
	ck_assert_eg(seal_open(key_a, "K01", blob, n + 1, doc, sizeof(doc), name, sizeof(name)),
	    EG_ERR_AUTH);
	/* other version bytes: v1 reads it as E ‖ ciphertext and fails its tag */
	blob[0] = SEAL_VERSION;
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)), EG_ERR_AUTH);
	blob[0] = SEAL_VERSION_3;	/* needs its event; with one, the v3 tag fails */
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)),
	    EG_ERR_INVAL);
	ck_assert_eg(seal_open_bound(key_a, "K01", 1, SEAL_KIND_PASSAGE, blob, n, doc, sizeof(doc),
	    name, sizeof(name), NULL), EG_ERR_AUTH);
	blob[0] = 0x04;
	ck_assert_eg(seal_open(key_a, "K01", blob, n, doc, sizeof(doc), name, sizeof(name)),
	    EG_ERR_UNSUPPORTED);
	blob[0] = SEAL_VERSION_2;
	open_ok(key_a, "K01", blob, n, "L898902C3", "ERIKSSON<<ANNA");
	/* the arguments */
	ck_assert_eg(seal_epoch_seal(ep, key_a, mbedtls_ctr_drbg_random, &drbg, 0, "", "A", "B",
	    blob, SEAL_BLOB_MAX, &n), EG_ERR_INVAL);
	ck_assert_uint_eq(n, 0);
	ck_assert_eg(seal_epoch_seal(NULL, key_a, mbedtls_ctr_drbg_random, &drbg, 0, "K01", "A",
	    "B", blob, SEAL_BLOB_MAX, &n), EG_ERR_INVAL);
	ck_assert_eg(seal_epoch_seal(ep, key_a, mbedtls_ctr_drbg_random, &drbg, 0, "K01", "A", "B",
	    blob, SEAL_OVERHEAD_2 + 5, &n), EG_ERR_OVERFLOW);
	ck_assert_eg(seal_epoch_seal(ep, key_a, mbedtls_ctr_drbg_random, &drbg, 0, "K01", "A", "B",
	    blob, SEAL_OVERHEAD_2 + 6, &n), EG_OK);
	ck_assert_uint_eq(n, SEAL_OVERHEAD_2 + 6);
	seal_epoch_free(&ep);
}
END_TEST

/* The host's cache: the second blob of an epoch costs no ECDH; evicted
 * epochs still open (with a new ECDH); an E cached for kiosk B is not
 * used for kiosk A; no cache: one ECDH per blob; v1 never cached. */
START_TEST(v2_host_cache)
{
	struct seal_epoch *ep[6] = { NULL };
	struct seal_stats st;
	uint8_t blob[6][SEAL_BLOB_MAX], x[SEAL_BLOB_MAX];
	size_t n[6], nx;
	char kid[8], doc[64], name[64];

	for (int i = 0; i < 6; i++)
		ck_assert_eg(seal_epoch_new(0, 0, &ep[i]), EG_OK);
	/* second blob of an epoch: a hit, no ECDH */
	n[0] = do_seal2(ep[0], key_a, 0, "K00", "D0", "N0", blob[0]);
	nx = do_seal2(ep[0], key_a, 0, "K00", "D0b", "N0b", x);
	open_ok(key_a, "K00", blob[0], n[0], "D0", "N0");
	ck_assert_uint_eq(ecdh_count(key_a), 1);
	open_ok(key_a, "K00", x, nx, "D0b", "N0b");
	ck_assert_uint_eq(ecdh_count(key_a), 1);

	/* E cached for K00; the same blob presented as kiosk K01 misses the
	 * cache (an ECDH) and fails its tag */
	ck_assert_eg(seal_open(key_a, "K01", x, nx, doc, sizeof(doc), name, sizeof(name)),
	    EG_ERR_AUTH);
	ck_assert_uint_eq(ecdh_count(key_a), 2);
	/* a blob really sealed for K01 with that same E opens, without using
	 * K00's entry (a miss: its own ECDH) */
	nx = do_seal2(ep[0], key_a, 0, "K01", "D1", "N1", x);
	ck_assert_mem_eq(x + 1, blob[0] + 1, SEAL_POINT_LEN);
	open_ok(key_a, "K01", x, nx, "D1", "N1");
	ck_assert_uint_eq(ecdh_count(key_a), 3);

	/* a tiny cache (one set of 4): six epochs evict, all still open */
	ck_assert_eg(seal_key_set_cache(key_a, 3), EG_OK);	/* rounds up to 4 */
	for (int i = 0; i < 6; i++) {
		snprintf(kid, sizeof(kid), "K%02d", i);
		n[i] = do_seal2(ep[i], key_a, 0, kid, "D", kid, blob[i]);
		open_ok(key_a, kid, blob[i], n[i], "D", kid);
	}
	seal_key_stats(key_a, &st);
	ck_assert_uint_eq(st.ecdh, 3 + 6);
	ck_assert_uint_eq(st.cache_evictions, 2);
	open_ok(key_a, "K05", blob[5], n[5], "D", "K05");	/* recent: a hit */
	ck_assert_uint_eq(ecdh_count(key_a), 9);
	open_ok(key_a, "K00", blob[0], n[0], "D", "K00");	/* evicted: ECDH again */
	ck_assert_uint_eq(ecdh_count(key_a), 10);

	/* no cache: every open derives */
	ck_assert_eg(seal_key_set_cache(key_a, 0), EG_OK);
	open_ok(key_a, "K05", blob[5], n[5], "D", "K05");
	open_ok(key_a, "K05", blob[5], n[5], "D", "K05");
	ck_assert_uint_eq(ecdh_count(key_a), 12);
	ck_assert_eg(seal_key_set_cache(key_a, SEAL_CACHE_DEFAULT), EG_OK);
	ck_assert_eg(seal_key_set_cache(key_a, (1u << 20) + 1), EG_ERR_INVAL);
	ck_assert_eg(seal_key_set_cache(NULL, 4), EG_ERR_INVAL);

	/* version 1 blobs open as before, one ECDH each */
	nx = do_seal(key_a, "K01", "L898902C3", "ERIKSSON<<ANNA", x);
	open_ok(key_a, "K01", x, nx, "L898902C3", "ERIKSSON<<ANNA");
	open_ok(key_a, "K01", x, nx, "L898902C3", "ERIKSSON<<ANNA");
	ck_assert_uint_eq(ecdh_count(key_a), 14);
	for (int i = 0; i < 6; i++)
		seal_epoch_free(&ep[i]);
}
END_TEST


/* ---- version 3: bound to the event (issue 13, item 8) ---- */

struct vector3 {
	uint8_t eph_d[32], nonce[2][SEAL_NONCE_LEN], blob[2][SEAL_BLOB_MAX];
	size_t blob_len[2];
	uint64_t seq[2];
	unsigned kind;
	char kiosk_id[80], doc[2][80], name[2][80];
};

static void
vector3_load(struct vector3 *v)
{
	char path[1024], line[4096];
	FILE *f;
	size_t n;
	int fields = 0;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/proto/seal_v3.txt", VECTORS_DIR);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strstr(line, " = "), *val;
		int i;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		val = eq + 3;
		fields++;
		i = line[strlen(line) - 1] == '2';
		if (strcmp(line, "ephemeral_d") == 0)
			ck_assert_eg(eg_hex_decode(val, v->eph_d, sizeof(v->eph_d), &n), EG_OK);
		else if (strcmp(line, "kiosk_id") == 0)
			snprintf(v->kiosk_id, sizeof(v->kiosk_id), "%s", val);
		else if (strcmp(line, "kind") == 0)
			v->kind = (unsigned)strtoul(val, NULL, 10);
		else if (strncmp(line, "seq_", 4) == 0)
			v->seq[i] = strtoull(val, NULL, 10);
		else if (strncmp(line, "nonce_", 6) == 0)
			ck_assert_eg(eg_hex_decode(val, v->nonce[i], SEAL_NONCE_LEN, &n), EG_OK);
		else if (strncmp(line, "blob_", 5) == 0)
			ck_assert_eg(eg_hex_decode(val, v->blob[i], SEAL_BLOB_MAX, &v->blob_len[i]),
			    EG_OK);
		else if (strncmp(line, "document_number_", 16) == 0)
			snprintf(v->doc[i], sizeof(v->doc[i]), "%s", val);
		else if (strncmp(line, "holder_name_", 12) == 0)
			snprintf(v->name[i], sizeof(v->name[i]), "%s", val);
		else
			fields--;
	}
	fclose(f);
	ck_assert_int_eq(fields, 13);
	ck_assert_uint_eq(v->kind, SEAL_KIND_PASSAGE);
}

START_TEST(v3_vector_opens_only_for_its_event)
{
	struct vector3 v;
	char doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];
	uint8_t ver = 0;

	vector3_load(&v);
	for (int i = 0; i < 2; i++) {
		ck_assert_eg(seal_open_bound(key_a, v.kiosk_id, v.seq[i], SEAL_KIND_PASSAGE, v.blob[i],
		    v.blob_len[i], doc, sizeof(doc), name, sizeof(name), &ver), EG_OK);
		ck_assert_uint_eq(ver, SEAL_VERSION_3);
		ck_assert_str_eq(doc, v.doc[i]);
		ck_assert_str_eq(name, v.name[i]);
		/* moved to another event of the same kiosk: the other seq, another kind */
		ck_assert_eg(seal_open_bound(key_a, v.kiosk_id, v.seq[1 - i], SEAL_KIND_PASSAGE,
		    v.blob[i], v.blob_len[i], doc, sizeof(doc), name, sizeof(name), NULL), EG_ERR_AUTH);
		ck_assert_str_eq(doc, "");
		ck_assert_eg(seal_open_bound(key_a, v.kiosk_id, v.seq[i], 2, v.blob[i], v.blob_len[i],
		    doc, sizeof(doc), name, sizeof(name), NULL), EG_ERR_AUTH);
		ck_assert_eg(seal_open_bound(key_a, "K02", v.seq[i], SEAL_KIND_PASSAGE, v.blob[i],
		    v.blob_len[i], doc, sizeof(doc), name, sizeof(name), NULL), EG_ERR_AUTH);
		ck_assert_eg(seal_open_bound(key_a, v.kiosk_id, 0, SEAL_KIND_PASSAGE, v.blob[i],
		    v.blob_len[i], doc, sizeof(doc), name, sizeof(name), NULL), EG_ERR_INVAL);
		ck_assert_eg(seal_open(key_a, v.kiosk_id, v.blob[i], v.blob_len[i], doc, sizeof(doc),
		    name, sizeof(name)), EG_ERR_INVAL);
	}
}
END_TEST

START_TEST(v3_vector_seals_byte_exact)
{
	struct vector3 v;
	struct fixed_rng2 r;
	struct seal_epoch *ep = NULL;
	uint8_t blob[SEAL_BLOB_MAX];
	size_t n = 0;

	vector3_load(&v);
	memset(&r, 0, sizeof(r));
	r.first = v.eph_d;
	r.nonce = (const uint8_t (*)[SEAL_NONCE_LEN])v.nonce;
	r.rest = &drbg;
	ck_assert_eg(seal_epoch_new(0, 0, &ep), EG_OK);
	for (int i = 0; i < 2; i++) {
		ck_assert_eg(seal_epoch_seal_bound(ep, key_a, fixed_rng2, &r, 100, v.kiosk_id, v.seq[i],
		    SEAL_KIND_PASSAGE, v.doc[i], v.name[i], blob, sizeof(blob), &n), EG_OK);
		ck_assert_uint_eq(n, v.blob_len[i]);
		ck_assert_mem_eq(blob, v.blob[i], n);
	}
	ck_assert_int_eq(r.used, 1);
	/* seq and kind 0 are refused; switching to v2 starts a new epoch */
	ck_assert_eg(seal_epoch_seal_bound(ep, key_a, mbedtls_ctr_drbg_random, &drbg, 100, "K01", 0,
	    SEAL_KIND_PASSAGE, "D", "N", blob, sizeof(blob), &n), EG_ERR_INVAL);
	ck_assert_eg(seal_epoch_seal_bound(ep, key_a, mbedtls_ctr_drbg_random, &drbg, 100, "K01", 5,
	    0, "D", "N", blob, sizeof(blob), &n), EG_ERR_INVAL);
	ck_assert_eg(seal_epoch_seal(ep, key_a, mbedtls_ctr_drbg_random, &drbg, 100, "K01", "D", "N",
	    blob, sizeof(blob), &n), EG_OK);
	ck_assert_uint_eq(blob[0], SEAL_VERSION_2);
	ck_assert_int_ne(memcmp(blob + 1, v.blob[0] + 1, SEAL_POINT_LEN), 0);
	seal_epoch_free(&ep);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("seal");
	TCase *t = tcase_create("seal");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_unchecked_fixture(t, eg_scratch_setup, eg_scratch_teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, vector_opens);
	tcase_add_test(t, vector_seals_byte_exact);
	tcase_add_test(t, round_trips);
	tcase_add_test(t, seals_differ);
	tcase_add_test(t, refused_wrong_kiosk_or_key);
	tcase_add_test(t, refused_any_flipped_bit);
	tcase_add_test(t, refused_truncated_or_extended);
	tcase_add_test(t, refused_version_and_bad_points);
	tcase_add_test(t, seal_arguments);
	tcase_add_test(t, plaintext_rules);
	tcase_add_test(t, host_certificate);
	tcase_add_test(t, v2_vector_opens);
	tcase_add_test(t, v2_vector_seals_byte_exact);
	tcase_add_test(t, v2_epoch_shares_e);
	tcase_add_test(t, v2_epoch_rotation);
	tcase_add_test(t, v2_refused);
	tcase_add_test(t, v2_host_cache);
	tcase_add_test(t, v3_vector_opens_only_for_its_event);
	tcase_add_test(t, v3_vector_seals_byte_exact);
	suite_add_tcase(s, t);
	return s;
}

EG_CHECK_MAIN()
