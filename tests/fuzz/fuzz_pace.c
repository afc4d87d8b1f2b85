/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_pace — untrusted bytes through PACE, CA and AA.
 *
 * Byte 0 selects the mode; the rest is the input. "Records" are a 2-byte
 * big-endian length followed by that many bytes.
 *
 *   0  terminal: icao_pace_run with the Doc 9303 G.1 parameters and the
 *      G.1 terminal keys against a scripted chip whose GENERAL AUTHENTICATE
 *      answers are the records (MSE:Set AT gets 9000). Exercises the '7C'
 *      parsing (80/82/84/86), nonce decryption, point decoding and curve
 *      checks, the reflection check and the token check. A seed holds the
 *      G.1 chip answers, with which the run MUST succeed.
 *      Invariant: EG_OK <=> the SM session is READY and attached.
 *   1  chip: each record is a command APDU for icao_pace_chip_apdu (G.1
 *      parameters, the G.1 chip keys); a seed holds the G.1 terminal's
 *      commands, with which the chip MUST establish the session.
 *   2  points: byte 1 picks a curve (8, 10, 12, 13, 15, 16, 17, 18); the rest is
 *      handed to icao_pace_map and, if accepted, to icao_pace_agree.
 *   3  CA chip: each record is a command APDU for icao_ca_chip_apdu.
 *   4  AA RSA: the rest, padded/cut to 128 bytes, is an ISO 9796-2 message
 *      representative F; it is signed with a fixed RSA-1024 key and
 *      verified (reaching header, trailer and hash parsing), and the raw
 *      bytes are verified as a signature too.
 *   5  AA ECDSA: the rest is verified as a plain signature (P-256).
 *   6  SPKI: the rest through icao_ec_spki_parse (the DG14 CA key parser,
 *      private to firmware/icao: named curves and explicit parameters).
 *   7  DG14: the rest through icao_aa_md_from_dg14.
 *   8  IM terminal: as 0 with the Integrated Mapping parameters and keys
 *      of Doc 9303 App. H (CAN 123456); the second answer must be empty.
 *      A seed holds the H.1 chip answers (the run MUST succeed).
 *   9  CAM terminal: as 0 with the CAM OID (G.1's keys); the last answer
 *      carries DO'8A' A_IC. Invariant: EG_OK <=> READY, and then the CAM
 *      data is present; it is checked against tests/vectors/icao/
 *      pace_cam.txt's CA key (a seed from that file MUST pass).
 *  10  IM chip: records of commands, App. H chip keys (seed: H.1 run).
 *  11  CAM chip: records of commands, G.1 chip keys and pace_cam.txt's CA
 *      key (seed: the G.1 run with the CAM OID).
 *  12  IM point encoding: byte 1 picks a curve (not P-224), the rest is u
 *      for f_G; EG_OK => a point on the curve.
 *  13  CAM A_IC: the rest is decrypted as A_IC after the G.1 agreement
 *      with the CAM OID; EG_OK => CA_IC within 1..n-1 (seed: pace_cam.txt).
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "icao/aa.h"
#include "icao/apdu.h"
#include "icao/ca.h"
#include "icao/ca_chip.h"
#include "icao/chan.h"
#include "icao/iso7816.h"
#include "icao/pace.h"
#include "icao/pace_chip.h"
#include "icao/sm.h"
#include "../../firmware/icao/src/ec.h"
#include "../../firmware/icao/src/pace_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* ICAO Doc 9303 Part 11 App. G.1 */
static const uint8_t g1_kpi[16] = {
	0x89, 0xDE, 0xD1, 0xB2, 0x66, 0x24, 0xEC, 0x1E,
	0x63, 0x4C, 0x19, 0x89, 0x30, 0x28, 0x49, 0xDD };
static const uint8_t g1_terminal_keys[64] = {
	/* mapping */
	0x7F, 0x4E, 0xF0, 0x7B, 0x9E, 0xA8, 0x2F, 0xD7, 0x8A, 0xD6, 0x89,
	0xB3, 0x8D, 0x0B, 0xC7, 0x8C, 0xF2, 0x1F, 0x24, 0x9D, 0x95, 0x3B,
	0xC4, 0x6F, 0x4C, 0x6E, 0x19, 0x25, 0x9C, 0x01, 0x0F, 0x99,
	/* ephemeral */
	0xA7, 0x3F, 0xB7, 0x03, 0xAC, 0x14, 0x36, 0xA1, 0x8E, 0x0C, 0xFA,
	0x5A, 0xBB, 0x3F, 0x7B, 0xEC, 0x7A, 0x07, 0x0E, 0x7A, 0x67, 0x88,
	0x48, 0x6B, 0xEE, 0x23, 0x0C, 0x4A, 0x22, 0x76, 0x25, 0x95 };
static const uint8_t g1_chip_keys[80] = {
	/* nonce s */
	0x3F, 0x00, 0xC4, 0xD3, 0x9D, 0x15, 0x3F, 0x2B, 0x2A, 0x21, 0x4A,
	0x07, 0x8D, 0x89, 0x9B, 0x22,
	/* mapping */
	0x49, 0x8F, 0xF4, 0x97, 0x56, 0xF2, 0xDC, 0x15, 0x87, 0x84, 0x00,
	0x41, 0x83, 0x9A, 0x85, 0x98, 0x2B, 0xE7, 0x76, 0x1D, 0x14, 0x71,
	0x5F, 0xB0, 0x91, 0xEF, 0xA7, 0xBC, 0xE9, 0x05, 0x85, 0x60,
	/* ephemeral */
	0x10, 0x7C, 0xF5, 0x86, 0x96, 0xEF, 0x61, 0x55, 0x05, 0x33, 0x40,
	0xFD, 0x63, 0x33, 0x92, 0xBA, 0x81, 0x90, 0x9D, 0xF7, 0xB9, 0x70,
	0x6F, 0x22, 0x6F, 0x32, 0x08, 0x6C, 0x7A, 0xFF, 0x97, 0x4A };

/* ICAO Doc 9303 Part 11 App. H (ECDH-IM): the terminal's t and ephemeral
 * key, the chip's nonce and ephemeral key */
static const uint8_t h1_terminal_keys[48] = {
	0x5D, 0xD4, 0xCB, 0xFC, 0x96, 0xF5, 0x45, 0x3B, 0x13, 0x0D, 0x89,
	0x0A, 0x1C, 0xDB, 0xAE, 0x32,
	0xA7, 0x3F, 0xB7, 0x03, 0xAC, 0x14, 0x36, 0xA1, 0x8E, 0x0C, 0xFA,
	0x5A, 0xBB, 0x3F, 0x7B, 0xEC, 0x7A, 0x07, 0x0E, 0x7A, 0x67, 0x88,
	0x48, 0x6B, 0xEE, 0x23, 0x0C, 0x4A, 0x22, 0x76, 0x25, 0x95 };
static const uint8_t h1_chip_keys[48] = {
	0x29, 0x23, 0xBE, 0x84, 0xE1, 0x6C, 0xD6, 0xAE, 0x52, 0x90, 0x49,
	0xF1, 0xF1, 0xBB, 0xE9, 0xEB,
	0x10, 0x7C, 0xF5, 0x86, 0x96, 0xEF, 0x61, 0x55, 0x05, 0x33, 0x40,
	0xFD, 0x63, 0x33, 0x92, 0xBA, 0x81, 0x90, 0x9D, 0xF7, 0xB9, 0x70,
	0x6F, 0x22, 0x6F, 0x32, 0x08, 0x6C, 0x7A, 0xFF, 0x97, 0x4A };
/* tests/vectors/icao/pace_cam.txt: the chip's CA key and its SPKI */
static const uint8_t cam_sk[32] = {
	0x2A, 0x92, 0x25, 0x04, 0x30, 0x3C, 0xF0, 0xDD, 0x51, 0x44, 0x4A,
	0x86, 0x33, 0xF2, 0x28, 0x91, 0x79, 0x7A, 0xCD, 0xB7, 0x1F, 0xC4,
	0xF0, 0x10, 0x62, 0xC3, 0x1E, 0xCE, 0x27, 0x76, 0xE5, 0x50 };
static const uint8_t cam_spki[] = {
	0x30, 0x5A, 0x30, 0x14, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02,
	0x01, 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07,
	0x03, 0x42, 0x00, 0x04, 0x89, 0x24, 0xE3, 0x26, 0xC0, 0x6C, 0x6F, 0x03,
	0x36, 0xAE, 0xCE, 0x0A, 0xEC, 0xCB, 0x48, 0x29, 0x31, 0xC2, 0xE7, 0x20,
	0x26, 0x12, 0x64, 0x9C, 0x24, 0xF4, 0xD5, 0xA3, 0xCB, 0xAC, 0xC1, 0xF1,
	0x5B, 0x3E, 0x4F, 0x8F, 0x75, 0x8F, 0x1B, 0xEC, 0x9A, 0xA3, 0x88, 0xBE,
	0x4E, 0x2F, 0x8C, 0x40, 0x07, 0x10, 0xBB, 0xE0, 0x59, 0x28, 0x66, 0x1B,
	0xE5, 0x58, 0xCF, 0x47, 0x94, 0xDA, 0x60, 0x7A };

/* RNG handing out a fixed byte string, then a counter pattern */
struct frng {
	const uint8_t *b;
	size_t len, off;
	uint8_t ctr;
};

static int
frng(void *ctx, unsigned char *out, size_t n)
{
	struct frng *r = ctx;

	for (size_t i = 0; i < n; i++)
		out[i] = r->off < r->len ? r->b[r->off++] : (uint8_t)(0x5A ^ r->ctr++);
	return 0;
}

/* next record, or false */
static bool
record(struct eg_rbuf *in, const uint8_t **p, size_t *n)
{
	uint16_t l;

	if (eg_rbuf_be16(in, &l) != EG_OK)
		return false;
	if (eg_rbuf_ptr(in, l, p) != EG_OK)
		return false;
	*n = l;
	return true;
}

/* ---- mode 0: terminal against scripted answers ---- */

struct script {
	struct eg_rbuf in;
	bool sm_on;
};

static int
script_transmit(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
    size_t rcap, size_t *rlen)
{
	struct script *s = ctx;
	struct icao_apdu a;
	const uint8_t *p;
	size_t n;

	if (icao_apdu_decode(c, clen, &a) != EG_OK)
		abort();	/* our own commands always decode */
	if (a.ins == ICAO_INS_MSE) {
		CHECK(rcap >= 2);
		r[0] = 0x90;
		r[1] = 0x00;
		*rlen = 2;
		return EG_OK;
	}
	CHECK(a.ins == ICAO_INS_GENERAL_AUTH);
	if (!record(&s->in, &p, &n))
		return EG_ERR_IO;
	if (n + 2 > rcap)
		return EG_ERR_OVERFLOW;
	memcpy(r, p, n);
	r[n] = 0x90;
	r[n + 1] = 0x00;
	*rlen = n + 2;
	return EG_OK;
}

/* mapping: 0 GM (G.1), 1 IM (H.1), 2 CAM (G.1 keys, CAM OID) */
static void
mode_terminal(const uint8_t *d, size_t n, int mapping)
{
	static const struct icao_card_ops ops = { .transmit = script_transmit };
	static const char *const oid[] = { "0.4.0.127.0.7.2.2.4.2.2",
		"0.4.0.127.0.7.2.2.4.4.2", "0.4.0.127.0.7.2.2.4.6.2" };
	struct script s = { .in = eg_rbuf_init(d, n) };
	struct frng rng = { g1_terminal_keys, sizeof(g1_terminal_keys), 0, 0 };
	struct icao_pace_params p;
	struct icao_pace_cam cam;
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	uint16_t sw;
	int r;

	if (mapping == 1) {
		rng.b = h1_terminal_keys;
		rng.len = sizeof(h1_terminal_keys);
	}
	CHECK(icao_pace_params_init(&p, oid[mapping], 13) == EG_OK);
	CHECK(icao_chan_new(&ops, &s, &ch) == EG_OK);
	CHECK(icao_sm_new(&sm) == EG_OK);
	r = icao_pace_run_cam(ch, &p, mapping == 1 ? ICAO_PACE_PW_CAN :
	    ICAO_PACE_PW_MRZ, mapping == 1 ? "123456" : "T22000129364081251010318",
	    frng, &rng, sm, &cam, &sw);
	if (r == EG_OK)
		CHECK(icao_sm_state(sm) == ICAO_SM_READY && icao_chan_sm(ch) == sm);
	else
		CHECK(icao_sm_state(sm) == ICAO_SM_IDLE && icao_chan_sm(ch) == NULL &&
		    !cam.present);
	if (r == EG_OK && mapping == 2) {
		CHECK(cam.present);
		r = icao_pace_cam_verify(&cam, cam_spki, sizeof(cam_spki));
		CHECK(r == EG_OK || r == EG_ERR_AUTH);
	}
	icao_pace_cam_clear(&cam);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
}

/* ---- mode 1: chip responder ---- */

/* mapping as for mode_terminal */
static void
mode_chip(const uint8_t *d, size_t n, int mapping)
{
	static const char *const oid[] = { "0.4.0.127.0.7.2.2.4.2.2",
		"0.4.0.127.0.7.2.2.4.4.2", "0.4.0.127.0.7.2.2.4.6.2" };
	struct eg_rbuf in = eg_rbuf_init(d, n);
	struct frng rng = { g1_chip_keys, sizeof(g1_chip_keys), 0, 0 };
	struct icao_pace_params p;
	struct icao_pace_chip *c = NULL;
	struct eg_wbuf resp;
	struct icao_apdu a;
	const uint8_t *rec;
	size_t rn;
	uint16_t sw;

	if (mapping == 1) {
		rng.b = h1_chip_keys;
		rng.len = sizeof(h1_chip_keys);
	}
	CHECK(icao_pace_params_init(&p, oid[mapping], 13) == EG_OK);
	CHECK(icao_pace_chip_new(&p, "T22000129364081251010318", "123456", frng,
	    &rng, &c) == EG_OK);
	if (mapping == 2)
		CHECK(icao_pace_chip_set_cam_key(c, cam_sk, sizeof(cam_sk)) == EG_OK);
	eg_wbuf_init(&resp, 4096, false);
	while (record(&in, &rec, &rn)) {
		if (icao_apdu_decode(rec, rn, &a) != EG_OK)
			continue;
		eg_wbuf_reset(&resp);
		CHECK(icao_pace_chip_apdu(c, &a, &resp, &sw) == EG_OK);
		if (sw != ICAO_SW_OK)
			CHECK(resp.len == 0);
	}
	{
		enum icao_cipher ci;
		uint8_t ke[32], km[32];

		(void)icao_pace_chip_session(c, &ci, ke, km);
	}
	eg_wbuf_free(&resp);
	icao_pace_chip_free(&c);
}

/* ---- mode 2: points ---- */

static void
mode_points(const uint8_t *d, size_t n)
{
	static const int pids[] = { 8, 10, 12, 13, 15, 16, 17, 18 };
	struct frng rng = { NULL, 0, 0, 0 };
	struct icao_pace_params p;
	struct icao_pace *t = NULL;
	uint8_t enc[16] = { 0 }, pt[ICAO_PACE_POINT_MAX];
	size_t pl;

	if (n < 1)
		return;
	CHECK(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.2.2",
	    pids[d[0] % 8]) == EG_OK);
	CHECK(icao_pace_new(ICAO_PACE_TERMINAL, &p, g1_kpi, frng, &rng, &t) ==
	    EG_OK);
	CHECK(icao_pace_nonce_decrypt(t, enc, sizeof(enc)) == EG_OK);
	CHECK(icao_pace_map_pub(t, pt, sizeof(pt), &pl) == EG_OK);
	if (icao_pace_map(t, d + 1, n - 1) == EG_OK) {
		CHECK(icao_pace_eph_pub(t, pt, sizeof(pt), &pl) == EG_OK);
		if (icao_pace_agree(t, d + 1, n - 1) == EG_OK) {
			uint8_t tok[8];

			CHECK(icao_pace_token(t, tok) == EG_OK);
			CHECK(icao_pace_verify(t, tok, 8) != EG_OK ||
			    icao_pace_established(t));
		}
	}
	icao_pace_free(&t);
}

/* ---- mode 3: CA chip ---- */

static void
mode_ca_chip(const uint8_t *d, size_t n)
{
	struct eg_rbuf in = eg_rbuf_init(d, n);
	struct icao_ca_params p;
	struct icao_ca_chip *c = NULL;
	struct eg_wbuf resp;
	struct icao_apdu a;
	const uint8_t *rec;
	size_t rn;
	uint16_t sw;

	CHECK(icao_ca_params_init(&p, "0.4.0.127.0.7.2.2.3.2.2", -1) == EG_OK);
	CHECK(icao_ca_chip_new(&p, MBEDTLS_ECP_DP_BP256R1, g1_chip_keys + 16, 32,
	    &c) == EG_OK);
	eg_wbuf_init(&resp, 64, false);
	while (record(&in, &rec, &rn)) {
		if (icao_apdu_decode(rec, rn, &a) != EG_OK)
			continue;
		eg_wbuf_reset(&resp);
		CHECK(icao_ca_chip_apdu(c, &a, &resp, &sw) == EG_OK);
	}
	eg_wbuf_free(&resp);
	icao_ca_chip_free(&c);
}

/* ---- modes 4, 5: AA ---- */

/* RSA-1024 test key, made for this fuzzer with openssl genrsa */
static const char rsa_pem[] =
"-----BEGIN RSA PRIVATE KEY-----\n"
"MIICXQIBAAKBgQDrF/4pC6JpoMSLMqmQp6c78S0R3VLVFceJ67XljCpYogi9jwHG\n"
"+ILjCdNctrZ+gBGm90mqq/Z+Y49KLLJqNhEmuIMtYfhhPlGu/T0a/Jf7+Wx+k+ki\n"
"FXc5foh1uQZi72QVzlyIKbXIvrnmgXG35IL10U9AXl3jv57aai2Fy32r8wIDAQAB\n"
"AoGAMxBMEWhIh7720fFYKWZxCbESBA5ZvpTzeX6sTMbML+JKGbplPW2fKGdq9Hlv\n"
"XDy/GNAfvSWK7dr8NbVNr4o84QyiFyNoMuRSyZuzkZ1Je5Bmg0PTRazYrZRpIQ+6\n"
"D+teOl64BsIMCc+8iENeqa9k2mOFQNSR8i5UKPmhJuFp76ECQQD1m/KLhlnLRwjM\n"
"3dyHDXtUV3DiouwBHAw8ZNHXjs4Iryuu2BZvFbLVmUDJGLzNXubNTXHE795XRoEL\n"
"nImYoQFxAkEA9Qool9ZtccClmswYMS7FBYKd+IQ/GvMrJxQqYm1RuUt64ELUo4mp\n"
"i0gamU8NgTxgcJT7AS69jqUCPdDDwVVRowJAVO/BSQ8FLo86M97lzK6U3+39U+MT\n"
"yq5wbNJQ30K7bbVmXejMmU3fso51IRY09LDFEGqf1YM+WOBA8EsKKoZDgQJBAIyr\n"
"q0gXgjb2aFuoZQ7/EX4rUPLVQMEA7jn9+qMMrQjZyw2pcBb+NYXO++4dEtypQ5f9\n"
"/ubb5VhZZCMGkQqRJ08CQQCPjePn7w1Mb9ox5MCifG+rT104cMdXlu/XCGZAyXq2\n"
"FOjvwv86b0LNzBozL0s6J5GnollBb2qbEsp0Oy9ttRwE\n"
"-----END RSA PRIVATE KEY-----\n";

static const uint8_t aa_chal[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB,
	0xCD, 0xEF };

static void
mode_aa_rsa(const uint8_t *d, size_t n)
{
	mbedtls_pk_context pk;
	struct frng rng = { NULL, 0, 0, 0 };
	uint8_t f[128], sig[128];

	mbedtls_pk_init(&pk);
	CHECK(mbedtls_pk_parse_key(&pk, (const unsigned char *)rsa_pem,
	    sizeof(rsa_pem), NULL, 0) == 0);
	(void)icao_aa_verify(&pk, MBEDTLS_MD_NONE, aa_chal, sizeof(aa_chal), d, n);
	memset(f, 0, sizeof(f));
	memcpy(f, d, n < sizeof(f) ? n : sizeof(f));
	f[0] &= 0x7F;	/* below the modulus (whose top bit is set) */
	if (mbedtls_rsa_private(mbedtls_pk_rsa(pk), frng, &rng, f, sig) == 0)
		(void)icao_aa_verify(&pk, MBEDTLS_MD_NONE, aa_chal,
		    sizeof(aa_chal), sig, sizeof(sig));
	mbedtls_pk_free(&pk);
}

static void
mode_aa_ecdsa(const uint8_t *d, size_t n)
{
	mbedtls_pk_context pk;
	struct frng rng = { g1_chip_keys + 16, 32, 0, 0 };

	mbedtls_pk_init(&pk);
	CHECK(mbedtls_pk_setup(&pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0);
	CHECK(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk),
	    frng, &rng) == 0);
	(void)icao_aa_verify(&pk, MBEDTLS_MD_NONE, aa_chal, sizeof(aa_chal), d, n);
	mbedtls_pk_free(&pk);
}

/* ---- mode 12: the IM point encoding ---- */

static void
mode_im_encode(const uint8_t *d, size_t n)
{
	static const mbedtls_ecp_group_id gids[] = { MBEDTLS_ECP_DP_SECP192R1,
		MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_BP256R1,
		MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_BP384R1,
		MBEDTLS_ECP_DP_BP512R1, MBEDTLS_ECP_DP_SECP521R1 };
	mbedtls_ecp_group grp;
	mbedtls_ecp_point g;
	mbedtls_mpi u;

	if (n < 1 || n > 1 + 96)
		return;
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&g);
	mbedtls_mpi_init(&u);
	CHECK(mbedtls_ecp_group_load(&grp, gids[d[0] % 7]) == 0);
	CHECK(mbedtls_mpi_read_binary(&u, d + 1, n - 1) == 0);
	if (pace_im_encode(&grp, &u, &g) == EG_OK)
		CHECK(mbedtls_ecp_check_pubkey(&grp, &g) == 0);
	mbedtls_mpi_free(&u);
	mbedtls_ecp_point_free(&g);
	mbedtls_ecp_group_free(&grp);
}

/* ---- mode 13: A_IC after the G.1 agreement with the CAM OID ---- */

static void
mode_cam_decrypt(const uint8_t *d, size_t n)
{
	static const uint8_t g1_enc_nonce[16] = {
		0x95, 0xA3, 0xA0, 0x16, 0x52, 0x2E, 0xE9, 0x8D, 0x01, 0xE7, 0x6C,
		0xB6, 0xB9, 0x8B, 0x42, 0xC3 };
	struct frng rt = { g1_terminal_keys, sizeof(g1_terminal_keys), 0, 0 };
	struct frng rc = { g1_chip_keys, sizeof(g1_chip_keys), 0, 0 };
	struct icao_pace_params p;
	struct icao_pace *t = NULL, *c = NULL;
	struct icao_pace_cam cam;
	uint8_t pt_t[ICAO_PACE_POINT_MAX], pt_c[ICAO_PACE_POINT_MAX], e[32];
	size_t nt, nc, ne;

	CHECK(icao_pace_params_init(&p, "0.4.0.127.0.7.2.2.4.6.2", 13) == EG_OK);
	CHECK(icao_pace_new(ICAO_PACE_TERMINAL, &p, g1_kpi, frng, &rt, &t) == EG_OK);
	CHECK(icao_pace_new(ICAO_PACE_CHIP, &p, g1_kpi, frng, &rc, &c) == EG_OK);
	CHECK(icao_pace_nonce_make(c, e, sizeof(e), &ne) == EG_OK);
	CHECK(ne == 16 && memcmp(e, g1_enc_nonce, 16) == 0);
	CHECK(icao_pace_nonce_decrypt(t, e, ne) == EG_OK);
	CHECK(icao_pace_map_pub(t, pt_t, sizeof(pt_t), &nt) == EG_OK);
	CHECK(icao_pace_map_pub(c, pt_c, sizeof(pt_c), &nc) == EG_OK);
	CHECK(icao_pace_map(t, pt_c, nc) == EG_OK);
	CHECK(icao_pace_map(c, pt_t, nt) == EG_OK);
	CHECK(icao_pace_eph_pub(t, pt_t, sizeof(pt_t), &nt) == EG_OK);
	CHECK(icao_pace_eph_pub(c, pt_c, sizeof(pt_c), &nc) == EG_OK);
	CHECK(icao_pace_agree(t, pt_c, nc) == EG_OK);
	if (icao_pace_cam_decrypt(t, d, n) == EG_OK) {
		CHECK(icao_pace_cam_get(t, &cam) == EG_OK);
		CHECK(cam.ca_ic_len >= 1 && cam.ca_ic_len <= 32);
		(void)icao_pace_cam_verify(&cam, cam_spki, sizeof(cam_spki));
		icao_pace_cam_clear(&cam);
	}
	icao_pace_free(&t);
	icao_pace_free(&c);
}

static void
mode_spki(const uint8_t *d, size_t n)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q;

	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	if (icao_ec_spki_parse(d, n, &grp, &q) == EG_OK)
		CHECK(mbedtls_ecp_check_pubkey(&grp, &q) == 0);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_group_free(&grp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0]) {
	case 0: mode_terminal(data + 1, size - 1, 0); break;
	case 1: mode_chip(data + 1, size - 1, 0); break;
	case 2: mode_points(data + 1, size - 1); break;
	case 3: mode_ca_chip(data + 1, size - 1); break;
	case 4: mode_aa_rsa(data + 1, size - 1); break;
	case 5: mode_aa_ecdsa(data + 1, size - 1); break;
	case 6: mode_spki(data + 1, size - 1); break;
	case 7: {
		mbedtls_md_type_t md;

		(void)icao_aa_md_from_dg14(data + 1, size - 1, &md);
		break;
	}
	case 8: mode_terminal(data + 1, size - 1, 1); break;
	case 9: mode_terminal(data + 1, size - 1, 2); break;
	case 10: mode_chip(data + 1, size - 1, 1); break;
	case 11: mode_chip(data + 1, size - 1, 2); break;
	case 12: mode_im_encode(data + 1, size - 1); break;
	case 13: mode_cam_decrypt(data + 1, size - 1); break;
	default: break;
	}
	return 0;
}
