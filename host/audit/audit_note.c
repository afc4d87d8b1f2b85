/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_note.c — checkpoints as signed notes (c2sp.org/signed-note,
 * c2sp.org/tlog-checkpoint): the body, the log's ECDSA P-256 signature
 * (signature type 0x02, as Sigstore's Rekor and transparency-dev sign
 * notes), witness cosignatures (c2sp.org/tlog-cosignature, Ed25519, type
 * 0x04, with libsodium), verifier keys, and a strict parser for notes
 * received from outside (fuzz target audit_anchor).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <sodium.h>

#include "audit_int.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"

#define EM_DASH "\xe2\x80\x94"		/* U+2014, starts a signature line */
#define SIG_TYPE_ECDSA 0x02
#define SIG_TYPE_COSIG_V1 0x04

/* ---- small helpers ----------------------------------------------------------- */

static size_t
b64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t olen = 0;

	if (mbedtls_base64_encode((unsigned char *)out, cap, &olen, in, n) != 0)
		return 0;
	return olen;
}

/* Strict base64 of at most cap bytes: decodes and re-encodes to the same text. */
static int
b64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *olen)
{
	char again[4 * (AUDIT_SIG_MAX + 16) / 3 + 8];
	size_t m = 0;

	if (n == 0 || n % 4 != 0 || n >= sizeof(again))
		return EG_ERR_FORMAT;
	if (mbedtls_base64_decode(out, cap, olen, in, n) != 0)
		return EG_ERR_FORMAT;
	if (mbedtls_base64_encode((unsigned char *)again, sizeof(again), &m, out, *olen) != 0 ||
	    m != n || memcmp(again, in, n) != 0)
		return EG_ERR_FORMAT;
	return EG_OK;
}

static bool
name_ok(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '+' || c >= 0x80)
			return false;	/* printable ASCII, no space, no '+' */
	}
	return true;
}

size_t
audit_note_body(const char *origin, uint64_t size, const uint8_t root[AUDIT_HASH_LEN], char *buf,
    size_t cap)
{
	char r64[48];
	int n;

	if (b64_encode(root, AUDIT_HASH_LEN, r64, sizeof(r64)) == 0)
		return 0;
	n = snprintf(buf, cap, "%s\n%" PRIu64 "\n%s\n", origin, size, r64);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

int
audit_note_kid_ecdsa(mbedtls_pk_context *pk, uint8_t kid[4])
{
	uint8_t der[256], h[32];
	int n = mbedtls_pk_write_pubkey_der(pk, der, sizeof(der));

	if (n <= 0 || audit_sha256(NULL, der + sizeof(der) - (size_t)n, (size_t)n, h) != EG_OK)
		return EG_ERR_CRYPTO;
	memcpy(kid, h, 4);
	return EG_OK;
}

bool
audit_note_verify_ecdsa(mbedtls_pk_context *pk, const char *body, size_t blen, const uint8_t *sig,
    size_t siglen)
{
	uint8_t d[32];

	return audit_sha256(NULL, body, blen, d) == EG_OK &&
	    mbedtls_pk_verify(pk, MBEDTLS_MD_SHA256, d, sizeof(d), sig, siglen) == 0;
}

/* The body of a format-2 anchor. */
static size_t
anchor_body(const struct audit_anchor *a, char *buf, size_t cap)
{
	return audit_note_body(a->origin, a->count, a->root, buf, cap);
}

bool
audit_note_verify_log(const struct audit_anchor *a, const char *pubkey_pem)
{
	mbedtls_pk_context pk;
	uint8_t kid[4];
	char body[256];
	size_t blen;
	bool ok = false;

	if (a == NULL || pubkey_pem == NULL || a->format != 2)
		return false;
	mbedtls_pk_init(&pk);
	if (mbedtls_pk_parse_public_key(&pk, (const uint8_t *)pubkey_pem, strlen(pubkey_pem) + 1) != 0 ||
	    !audit_pk_is_p256(&pk) || audit_note_kid_ecdsa(&pk, kid) != EG_OK)
		goto out;
	if ((blen = anchor_body(a, body, sizeof(body))) == 0)
		goto out;
	for (size_t i = 0; i < a->n_sigs && !ok; i++)
		if (strcmp(a->sigs[i].name, a->origin) == 0 && memcmp(a->sigs[i].kid, kid, 4) == 0)
			ok = audit_note_verify_ecdsa(&pk, body, blen, a->sigs[i].sig, a->sigs[i].sig_len);
out:
	mbedtls_pk_free(&pk);
	return ok;
}

int
audit_note_format(const struct audit_anchor *a, char *out, size_t cap)
{
	size_t n;

	if (a == NULL || out == NULL || a->format != 2 || a->n_sigs > AUDIT_NOTE_SIGS_MAX)
		return EG_ERR_INVAL;
	if ((n = anchor_body(a, out, cap)) == 0 || n + 1 >= cap)
		return EG_ERR_OVERFLOW;
	out[n++] = '\n';
	for (size_t i = 0; i < a->n_sigs; i++) {
		const struct audit_note_sig *s = &a->sigs[i];
		uint8_t raw[4 + AUDIT_SIG_MAX];
		char b64[4 * (4 + AUDIT_SIG_MAX) / 3 + 8];
		int m;

		if (s->sig_len > AUDIT_SIG_MAX)
			return EG_ERR_INVAL;
		memcpy(raw, s->kid, 4);
		memcpy(raw + 4, s->sig, s->sig_len);
		if (b64_encode(raw, 4 + s->sig_len, b64, sizeof(b64)) == 0)
			return EG_ERR_OVERFLOW;
		m = snprintf(out + n, cap - n, EM_DASH " %s %s\n", s->name, b64);
		if (m < 0 || (size_t)m >= cap - n)
			return EG_ERR_OVERFLOW;
		n += (size_t)m;
	}
	return EG_OK;
}

/* ---- parser ----------------------------------------------------------------- */

static int
next_line(struct eg_rbuf *b, struct eg_rbuf *line)
{
	const uint8_t *nl = memchr(b->p, '\n', eg_rbuf_left(b));

	if (nl == NULL)
		return EG_ERR_FORMAT;
	if (eg_rbuf_sub(b, (size_t)(nl - b->p), line) != EG_OK || eg_rbuf_skip(b, 1) != EG_OK)
		return EG_ERR_FORMAT;
	return EG_OK;
}

/* canonical decimal: no sign, no leading zero, at most INT64_MAX */
static int
decimal(const uint8_t *p, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 19 || (n > 1 && p[0] == '0'))
		return EG_ERR_FORMAT;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return EG_ERR_FORMAT;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	if (x > INT64_MAX)
		return EG_ERR_FORMAT;
	*v = x;
	return EG_OK;
}

int
audit_note_parse(const char *text, size_t len, struct audit_anchor *out)
{
	struct eg_rbuf b, line;
	struct audit_anchor a;
	uint8_t raw[4 + AUDIT_SIG_MAX];
	size_t n;

	memset(&a, 0, sizeof(a));
	a.format = 2;
	b = eg_rbuf_init(text, len);
	/* no control characters but newline (signed-note) */
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)text[i] < 0x20 && text[i] != '\n') || text[i] == 0x7f)
			return EG_ERR_FORMAT;
	if (next_line(&b, &line) != EG_OK || !name_ok((const char *)line.p, eg_rbuf_left(&line),
		AUDIT_ORIGIN_MAX))
		return EG_ERR_FORMAT;
	memcpy(a.origin, line.p, eg_rbuf_left(&line));
	if (next_line(&b, &line) != EG_OK || decimal(line.p, eg_rbuf_left(&line), &a.count) != EG_OK)
		return EG_ERR_FORMAT;
	if (next_line(&b, &line) != EG_OK ||
	    b64_decode(line.p, eg_rbuf_left(&line), raw, sizeof(raw), &n) != EG_OK ||
	    n != AUDIT_HASH_LEN)
		return EG_ERR_FORMAT;
	memcpy(a.root, raw, AUDIT_HASH_LEN);
	/* no extension lines: the blank line follows at once */
	if (next_line(&b, &line) != EG_OK || eg_rbuf_left(&line) != 0)
		return EG_ERR_FORMAT;
	while (eg_rbuf_left(&b) > 0) {
		struct audit_note_sig *s;
		const uint8_t *sp;
		size_t rest;

		if (a.n_sigs == AUDIT_NOTE_SIGS_MAX)
			return EG_ERR_FORMAT;
		s = &a.sigs[a.n_sigs];
		if (next_line(&b, &line) != EG_OK || eg_rbuf_left(&line) < 4 ||
		    memcmp(line.p, EM_DASH " ", 4) != 0)
			return EG_ERR_FORMAT;
		eg_rbuf_skip(&line, 4);
		rest = eg_rbuf_left(&line);
		sp = memchr(line.p, ' ', rest);
		if (sp == NULL || !name_ok((const char *)line.p, (size_t)(sp - line.p),
			AUDIT_NOTE_NAME_MAX))
			return EG_ERR_FORMAT;
		memcpy(s->name, line.p, (size_t)(sp - line.p));
		s->name[sp - line.p] = '\0';
		eg_rbuf_skip(&line, (size_t)(sp - line.p) + 1);
		if (b64_decode(line.p, eg_rbuf_left(&line), raw, sizeof(raw), &n) != EG_OK || n < 5)
			return EG_ERR_FORMAT;
		memcpy(s->kid, raw, 4);
		memcpy(s->sig, raw + 4, n - 4);
		s->sig_len = n - 4;
		a.n_sigs++;
	}
	if (a.n_sigs == 0)
		return EG_ERR_FORMAT;
	*out = a;
	return EG_OK;
}

/* ---- witness keys (Ed25519, type 0x04) ---------------------------------------- */

/* SHA-256(name || "\n" || type || pub)[:4]; EG_ERR_CRYPTO, EG_ERR_NOMEM */
static int
cosig_kid(const char *name, const uint8_t pub[32], uint8_t kid[4])
{
	struct audit_sha256 *c = NULL;
	uint8_t h[32], t = SIG_TYPE_COSIG_V1, nl = '\n';
	int ret;

	if ((ret = audit_sha256_new(&c)) == EG_OK && (ret = audit_sha256_start(c)) == EG_OK &&
	    (ret = audit_sha256_update(c, name, strlen(name))) == EG_OK &&
	    (ret = audit_sha256_update(c, &nl, 1)) == EG_OK &&
	    (ret = audit_sha256_update(c, &t, 1)) == EG_OK &&
	    (ret = audit_sha256_update(c, pub, 32)) == EG_OK &&
	    (ret = audit_sha256_finish(c, h)) == EG_OK)
		memcpy(kid, h, 4);
	audit_sha256_free(&c);
	return ret;
}

/* Parse "[PRIVATE+KEY+]name+hex8+base64(type || 32 bytes)". */
static int
key_parse(const char *text, bool private_key, char name[AUDIT_NOTE_NAME_MAX + 1], uint8_t kid[4],
    uint8_t key[32])
{
	const char *p = text, *plus;
	uint8_t raw[40];
	size_t n = 0, tl;
	unsigned int k = 0;
	int ret = EG_ERR_FORMAT;

	if (text == NULL)
		return EG_ERR_FORMAT;
	tl = strlen(text);
	while (tl > 0 && (text[tl - 1] == '\n' || text[tl - 1] == '\r'))
		tl--;
	if (private_key) {
		if (strncmp(p, "PRIVATE+KEY+", 12) != 0)
			return EG_ERR_FORMAT;
		p += 12;
	}
	plus = memchr(p, '+', (size_t)(text + tl - p));
	if (plus == NULL || !name_ok(p, (size_t)(plus - p), AUDIT_NOTE_NAME_MAX))
		return EG_ERR_FORMAT;
	memcpy(name, p, (size_t)(plus - p));
	name[plus - p] = '\0';
	p = plus + 1;
	if (text + tl - p < 10 || p[8] != '+')
		return EG_ERR_FORMAT;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			return EG_ERR_FORMAT;
		k = k << 4 | (unsigned)v;
	}
	p += 9;
	if (b64_decode((const uint8_t *)p, (size_t)(text + tl - p), raw, sizeof(raw), &n) != EG_OK ||
	    n != 33 || raw[0] != SIG_TYPE_COSIG_V1)
		goto out;
	memcpy(key, raw + 1, 32);
	kid[0] = (uint8_t)(k >> 24);
	kid[1] = (uint8_t)(k >> 16);
	kid[2] = (uint8_t)(k >> 8);
	kid[3] = (uint8_t)k;
	ret = EG_OK;
out:
	eg_memzero(raw, sizeof(raw));
	return ret;
}

static int
key_format(bool private_key, const char *name, const uint8_t kid[4], const uint8_t key[32],
    char *out, size_t cap)
{
	uint8_t raw[33];
	char b64[64];
	int m;

	raw[0] = SIG_TYPE_COSIG_V1;
	memcpy(raw + 1, key, 32);
	if (b64_encode(raw, sizeof(raw), b64, sizeof(b64)) == 0)
		return EG_ERR_OVERFLOW;
	eg_memzero(raw, sizeof(raw));
	m = snprintf(out, cap, "%s%s+%02x%02x%02x%02x+%s\n", private_key ? "PRIVATE+KEY+" : "", name,
	    kid[0], kid[1], kid[2], kid[3], b64);
	eg_memzero(b64, sizeof(b64));
	return m < 0 || (size_t)m >= cap ? EG_ERR_OVERFLOW : EG_OK;
}

int
audit_witness_keygen(const char *name, char *skey, size_t skey_cap, char *vkey, size_t vkey_cap)
{
	uint8_t seed[32], pk[32], sk[64], kid[4];
	int ret = EG_ERR_INVAL;

	if (name == NULL || skey == NULL || vkey == NULL ||
	    !name_ok(name, strlen(name), AUDIT_NOTE_NAME_MAX))
		return EG_ERR_INVAL;
	ret = EG_ERR_CRYPTO;
	if (sodium_init() < 0)
		goto out;
	randombytes_buf(seed, sizeof(seed));
	if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
		goto out;
	if ((ret = cosig_kid(name, pk, kid)) != EG_OK)
		goto out;
	if ((ret = key_format(true, name, kid, seed, skey, skey_cap)) == EG_OK)
		ret = key_format(false, name, kid, pk, vkey, vkey_cap);
out:
	eg_memzero(seed, sizeof(seed));
	eg_memzero(sk, sizeof(sk));
	return ret;
}

int
audit_vkey_check(const char *vkey)
{
	char name[AUDIT_NOTE_NAME_MAX + 1];
	uint8_t kid[4], pub[32], want[4];

	if (key_parse(vkey, false, name, kid, pub) != EG_OK)
		return EG_ERR_FORMAT;
	if (cosig_kid(name, pub, want) != EG_OK)
		return EG_ERR_CRYPTO;
	return memcmp(kid, want, 4) == 0 ? EG_OK : EG_ERR_FORMAT;
}

int
audit_anchor_merge(struct audit_anchor *into, const struct audit_anchor *from, size_t *added)
{
	struct audit_note_sig add[AUDIT_NOTE_SIGS_MAX];
	size_t n = 0;

	if (added != NULL)
		*added = 0;
	if (into == NULL || from == NULL || into->format != 2 || from->format != 2 ||
	    strcmp(into->origin, from->origin) != 0 || into->count != from->count ||
	    memcmp(into->root, from->root, AUDIT_HASH_LEN) != 0)
		return EG_ERR_INVAL;
	for (size_t i = 0; i < from->n_sigs; i++) {
		const struct audit_note_sig *s = &from->sigs[i];
		bool have = false;

		for (size_t j = 0; j < into->n_sigs && !have; j++)
			have = strcmp(into->sigs[j].name, s->name) == 0 &&
			    memcmp(into->sigs[j].kid, s->kid, 4) == 0;
		for (size_t j = 0; j < n && !have; j++)
			have = strcmp(add[j].name, s->name) == 0 && memcmp(add[j].kid, s->kid, 4) == 0;
		if (have)
			continue;
		if (into->n_sigs + n == AUDIT_NOTE_SIGS_MAX)
			return EG_ERR_OVERFLOW;
		add[n++] = *s;
	}
	memcpy(&into->sigs[into->n_sigs], add, n * sizeof(add[0]));
	into->n_sigs += n;
	if (added != NULL)
		*added = n;
	return EG_OK;
}

/* "cosignature/v1\ntime T\n" ‖ body */
static size_t
cosig_msg(const struct audit_anchor *a, uint64_t ts, char *buf, size_t cap)
{
	int m = snprintf(buf, cap, "cosignature/v1\ntime %" PRIu64 "\n", ts);
	size_t b;

	if (m < 0 || (size_t)m >= cap)
		return 0;
	if ((b = anchor_body(a, buf + m, cap - (size_t)m)) == 0)
		return 0;
	return (size_t)m + b;
}

int
audit_witness_cosign(struct audit_anchor *a, const char *skey, uint64_t ts)
{
	char name[AUDIT_NOTE_NAME_MAX + 1], msg[384];
	uint8_t kid[4], seed[32], pk[32], sk[64], want[4];
	struct audit_note_sig *s;
	size_t mlen;
	int ret = EG_ERR_FORMAT;

	if (a == NULL || a->format != 2 || ts > INT64_MAX)
		return EG_ERR_INVAL;
	if (key_parse(skey, true, name, kid, seed) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0)
		goto out;
	if (cosig_kid(name, pk, want) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (memcmp(want, kid, 4) != 0)
		goto out;
	ret = EG_ERR_OVERFLOW;
	if (a->n_sigs == AUDIT_NOTE_SIGS_MAX || (mlen = cosig_msg(a, ts, msg, sizeof(msg))) == 0)
		goto out;
	s = &a->sigs[a->n_sigs];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	memcpy(s->kid, kid, 4);
	for (int i = 0; i < 8; i++)
		s->sig[i] = (uint8_t)(ts >> (56 - 8 * i));
	ret = EG_ERR_CRYPTO;
	if (crypto_sign_detached(s->sig + 8, NULL, (const uint8_t *)msg, mlen, sk) != 0)
		goto out;
	s->sig_len = 8 + crypto_sign_BYTES;
	a->n_sigs++;
	ret = EG_OK;
out:
	eg_memzero(seed, sizeof(seed));
	eg_memzero(sk, sizeof(sk));
	return ret;
}

bool
audit_witness_verify(const struct audit_anchor *a, const char *vkey, uint64_t *ts_out)
{
	char name[AUDIT_NOTE_NAME_MAX + 1], msg[384];
	uint8_t kid[4], pub[32], want[4];

	if (a == NULL || a->format != 2 || key_parse(vkey, false, name, kid, pub) != EG_OK)
		return false;
	if (cosig_kid(name, pub, want) != EG_OK || memcmp(want, kid, 4) != 0 || sodium_init() < 0)
		return false;
	for (size_t i = 0; i < a->n_sigs; i++) {
		const struct audit_note_sig *s = &a->sigs[i];
		uint64_t ts = 0;
		size_t mlen;

		if (strcmp(s->name, name) != 0 || memcmp(s->kid, kid, 4) != 0)
			continue;	/* signed-note: ignore unknown keys */
		if (s->sig_len != 8 + crypto_sign_BYTES)
			return false;
		for (int j = 0; j < 8; j++)
			ts = ts << 8 | s->sig[j];
		if (ts > INT64_MAX || (mlen = cosig_msg(a, ts, msg, sizeof(msg))) == 0)
			return false;
		if (crypto_sign_verify_detached(s->sig + 8, (const uint8_t *)msg, mlen, pub) != 0)
			return false;	/* a known key that fails: reject the note */
		if (ts_out != NULL)
			*ts_out = ts;
		return true;
	}
	return false;
}

int
audit_witness_request_parse(const char *text, size_t len, uint64_t *old,
    uint8_t proof[][AUDIT_HASH_LEN], size_t *k, struct audit_anchor *cp)
{
	struct eg_rbuf b, line;
	uint8_t raw[AUDIT_SIG_MAX];
	size_t n;

	if (text == NULL || old == NULL || proof == NULL || k == NULL || cp == NULL)
		return EG_ERR_INVAL;
	*k = 0;
	b = eg_rbuf_init(text, len);
	if (next_line(&b, &line) != EG_OK || eg_rbuf_left(&line) < 5 || memcmp(line.p, "old ", 4) != 0 ||
	    decimal(line.p + 4, eg_rbuf_left(&line) - 4, old) != EG_OK)
		return EG_ERR_FORMAT;
	for (;;) {
		if (next_line(&b, &line) != EG_OK)
			return EG_ERR_FORMAT;
		if (eg_rbuf_left(&line) == 0)
			break;
		if (*k == 63 || b64_decode(line.p, eg_rbuf_left(&line), raw, sizeof(raw), &n) != EG_OK ||
		    n != AUDIT_HASH_LEN)
			return EG_ERR_FORMAT;
		memcpy(proof[(*k)++], raw, AUDIT_HASH_LEN);
	}
	return audit_note_parse((const char *)b.p, eg_rbuf_left(&b), cp);
}
