/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_crypto.c — the canonical encodings of the audit chain, the HMAC of
 * identifiers, key ids. The byte layouts are normative: docs/audit.md.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit_int.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"

#define PAYLOAD_LABEL "egate-audit-payload/v1"
#define RECORD_LABEL "egate-audit-record/v1"

/*
 * A sink that feeds the same bytes to up to two SHA-256 contexts (the chain
 * link and the RFC 9162 leaf) and optionally to a buffer (the entry itself).
 */
struct sink {
	struct audit_sha256 *c[2];
	struct eg_wbuf *w;
};

static int
put(struct sink *k, const void *p, size_t n)
{
	for (int i = 0; i < 2; i++)
		if (k->c[i] != NULL && audit_sha256_update(k->c[i], p, n) != EG_OK)
			return EG_ERR_CRYPTO;
	if (k->w != NULL && n > 0 && eg_wbuf_put(k->w, p, n) != EG_OK)
		return EG_ERR_NOMEM;
	return EG_OK;
}

static int
put_u64(struct sink *k, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	return put(k, b, sizeof(b));
}

void
audit_hex_lower(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* F(NULL) = 0x00; F(s) = 0x01 ‖ u32be(len) ‖ bytes */
static int
put_field(struct sink *k, const struct audit_str *s)
{
	uint8_t b[5];
	int rc;

	if (s->p == NULL) {
		b[0] = 0x00;
		return put(k, b, 1);
	}
	if (s->n > UINT32_MAX)
		return EG_ERR_OVERFLOW;
	b[0] = 0x01;
	b[1] = (uint8_t)(s->n >> 24);
	b[2] = (uint8_t)(s->n >> 16);
	b[3] = (uint8_t)(s->n >> 8);
	b[4] = (uint8_t)s->n;
	if ((rc = put(k, b, 5)) != EG_OK)
		return rc;
	return put(k, s->p, s->n);
}

/* *use: s, or a handle of its own in *own when s is NULL (freed by the caller) */
static int
handle(struct audit_sha256 *s, struct audit_sha256 **own, struct audit_sha256 **use)
{
	int ret;

	*use = s;
	if (s != NULL)
		return EG_OK;
	if ((ret = audit_sha256_new(own)) != EG_OK)
		return ret;
	*use = *own;
	return EG_OK;
}

int
audit_payload_digest(struct audit_sha256 *s, const struct audit_str *doc_hmac,
    const struct audit_str *name_hmac, const struct audit_str *payload,
    uint8_t out[AUDIT_HASH_LEN])
{
	struct audit_sha256 *own = NULL;
	struct sink k = { { NULL, NULL }, NULL };
	int ret;

	if ((ret = handle(s, &own, &k.c[0])) != EG_OK)
		return ret;
	if ((ret = audit_sha256_start(k.c[0])) != EG_OK ||
	    (ret = put(&k, PAYLOAD_LABEL, sizeof(PAYLOAD_LABEL))) != EG_OK ||
	    (ret = put_field(&k, doc_hmac)) != EG_OK ||
	    (ret = put_field(&k, name_hmac)) != EG_OK ||
	    (ret = put_field(&k, payload)) != EG_OK)
		goto out;
	ret = audit_sha256_finish(k.c[0], out);
out:
	audit_sha256_free(&own);
	return ret;
}

int
audit_record_hashes(struct audit_sha256 *cs, struct audit_sha256 *ls,
    const uint8_t prev[AUDIT_HASH_LEN], int64_t id, const struct audit_hdr *h,
    const uint8_t payload_digest[AUDIT_HASH_LEN], uint8_t out[AUDIT_HASH_LEN],
    uint8_t leaf[AUDIT_HASH_LEN], struct eg_wbuf *entry)
{
	static const uint8_t leaf_prefix = 0x00;	/* RFC 9162: leaf hash prefix */
	struct audit_sha256 *own[2] = { NULL, NULL };
	struct sink k = { { NULL, NULL }, entry };
	int ret = EG_OK;

	if (out != NULL && (ret = handle(cs, &own[0], &k.c[0])) == EG_OK)
		ret = audit_sha256_start(k.c[0]);
	if (ret == EG_OK && leaf != NULL && (ret = handle(ls, &own[1], &k.c[1])) == EG_OK &&
	    (ret = audit_sha256_start(k.c[1])) == EG_OK)
		ret = audit_sha256_update(k.c[1], &leaf_prefix, 1);
	if (ret != EG_OK)
		goto out;
	/* sizeof includes the label's NUL: the label is NUL-terminated */
	if ((ret = put(&k, RECORD_LABEL, sizeof(RECORD_LABEL))) != EG_OK ||
	    (ret = put(&k, prev, AUDIT_HASH_LEN)) != EG_OK ||
	    (ret = put_u64(&k, (uint64_t)id)) != EG_OK ||
	    (ret = put_field(&k, &h->kiosk_id)) != EG_OK ||
	    (ret = put_u64(&k, (uint64_t)h->seq)) != EG_OK ||
	    (ret = put_u64(&k, (uint64_t)h->ts_ms)) != EG_OK ||
	    (ret = put_field(&k, &h->type)) != EG_OK ||
	    (ret = put_field(&k, &h->decision)) != EG_OK ||
	    (ret = put_field(&k, &h->reason)) != EG_OK ||
	    (ret = put_field(&k, &h->officer)) != EG_OK ||
	    (ret = put(&k, payload_digest, AUDIT_HASH_LEN)) != EG_OK)
		goto out;
	if (out != NULL && (ret = audit_sha256_finish(k.c[0], out)) != EG_OK)
		goto out;
	if (leaf != NULL)
		ret = audit_sha256_finish(k.c[1], leaf);
out:
	audit_sha256_free(&own[0]);
	audit_sha256_free(&own[1]);
	return ret;
}

int
audit_record_digest(struct audit_sha256 *s, const uint8_t prev[AUDIT_HASH_LEN], int64_t id,
    const struct audit_hdr *h, const uint8_t payload_digest[AUDIT_HASH_LEN],
    uint8_t out[AUDIT_HASH_LEN])
{
	return audit_record_hashes(s, NULL, prev, id, h, payload_digest, out, NULL, NULL);
}

int
audit_node_hash(struct audit_sha256 *s, const uint8_t l[AUDIT_HASH_LEN],
    const uint8_t r[AUDIT_HASH_LEN], uint8_t out[AUDIT_HASH_LEN])
{
	uint8_t b[1 + 2 * AUDIT_HASH_LEN];

	b[0] = 0x01;	/* RFC 9162: interior node prefix */
	memcpy(b + 1, l, AUDIT_HASH_LEN);
	memcpy(b + 1 + AUDIT_HASH_LEN, r, AUDIT_HASH_LEN);
	return audit_sha256(s, b, sizeof(b), out);
}

size_t
audit_checkpoint_text(uint64_t count, const uint8_t head[AUDIT_HASH_LEN], int64_t ts_ms,
    char *buf, size_t cap)
{
	char hex[2 * AUDIT_HASH_LEN + 1];
	int n;

	audit_hex_lower(head, AUDIT_HASH_LEN, hex);
	n = snprintf(buf, cap, "egate-audit-checkpoint/v1\ncount %" PRIu64 "\nhead %s\ntime %" PRId64 "\n",
	    count, hex, ts_ms);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

int
audit_key_id(mbedtls_pk_context *pk, char out[AUDIT_KEY_ID_LEN + 1])
{
	uint8_t der[256], h[32];
	int n;

	n = mbedtls_pk_write_pubkey_der(pk, der, sizeof(der));
	if (n <= 0)
		return EG_ERR_CRYPTO;
	if (audit_sha256(NULL, der + sizeof(der) - (size_t)n, (size_t)n, h) != EG_OK)
		return EG_ERR_CRYPTO;
	audit_hex_lower(h, AUDIT_KEY_ID_LEN / 2, out);
	return EG_OK;
}

bool
audit_pk_is_p256(mbedtls_pk_context *pk)
{
	if (mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECKEY && mbedtls_pk_get_type(pk) != MBEDTLS_PK_ECDSA)
		return false;
	return mbedtls_pk_ec(*pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

/* Normalise an identifier into out (cap bytes); returns its length or 0. */
static size_t
normalise(enum audit_ident kind, const char *v, char *out, size_t cap)
{
	size_t n = 0, len = strlen(v), b = 0, e = len;

	if (kind == AUDIT_IDENT_NAME) {
		while (b < e && (v[b] == ' ' || v[b] == '<' || v[b] == '\t'))
			b++;
		while (e > b && (v[e - 1] == ' ' || v[e - 1] == '<' || v[e - 1] == '\t'))
			e--;
	}
	for (size_t i = b; i < e; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (kind == AUDIT_IDENT_DOCUMENT && (ch == '<' || ch == ' ' || ch == '\t'))
			continue;
		if (n >= cap)
			return 0;
		out[n++] = (char)toupper(ch);
	}
	return n;
}

/*
 * HMAC-SHA-256 (RFC 2104) with the key's inner and outer pads hashed once:
 * each identifier then costs two SHA-256 compressions instead of four and
 * no allocation (the append path computes two per record).
 */
int
audit_hmac_init(struct audit_hmac *h, const uint8_t *key, size_t keylen)
{
	uint8_t k[64], pad[64];
	int ret;

	memset(h, 0, sizeof(*h));
	memset(k, 0, sizeof(k));
	if ((ret = audit_sha256_new(&h->in)) != EG_OK ||
	    (ret = audit_sha256_new(&h->out)) != EG_OK ||
	    (ret = audit_sha256_new(&h->work)) != EG_OK)
		goto out;
	if (keylen > sizeof(k)) {
		if ((ret = audit_sha256(h->work, key, keylen, k)) != EG_OK)
			goto out;
	} else {
		memcpy(k, key, keylen);
	}
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	if ((ret = audit_sha256_start(h->in)) != EG_OK ||
	    (ret = audit_sha256_update(h->in, pad, sizeof(pad))) != EG_OK)
		goto out;
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	if ((ret = audit_sha256_start(h->out)) != EG_OK ||
	    (ret = audit_sha256_update(h->out, pad, sizeof(pad))) != EG_OK)
		goto out;
out:
	eg_memzero(k, sizeof(k));
	eg_memzero(pad, sizeof(pad));
	if (ret != EG_OK)
		audit_hmac_free(h);
	return ret;
}

void
audit_hmac_free(struct audit_hmac *h)
{
	/* the midstates stand for the key: freeing a context cleanses it */
	audit_sha256_free(&h->in);
	audit_sha256_free(&h->out);
	audit_sha256_free(&h->work);
}

int
audit_hmac_ident(struct audit_hmac *h, enum audit_ident kind, const char *value,
    char out[AUDIT_HMAC_HEX_LEN + 1])
{
	static const char *const labels[2] = { "egate-doc\n", "egate-name\n" };
	char norm[AUDIT_SHORT_MAX];
	uint8_t mac[32];
	size_t n;
	int ret = EG_ERR_INVAL;

	if (out != NULL)
		out[0] = '\0';
	if (h == NULL || h->work == NULL || value == NULL || out == NULL ||
	    (kind != AUDIT_IDENT_DOCUMENT && kind != AUDIT_IDENT_NAME) ||
	    strlen(value) > AUDIT_SHORT_MAX)
		goto out;
	n = normalise(kind, value, norm, sizeof(norm));
	if (n == 0)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (audit_sha256_copy(h->work, h->in) != EG_OK ||
	    audit_sha256_update(h->work, labels[kind], strlen(labels[kind])) != EG_OK ||
	    audit_sha256_update(h->work, norm, n) != EG_OK ||
	    audit_sha256_finish(h->work, mac) != EG_OK ||
	    audit_sha256_copy(h->work, h->out) != EG_OK ||
	    audit_sha256_update(h->work, mac, sizeof(mac)) != EG_OK ||
	    audit_sha256_finish(h->work, mac) != EG_OK)
		goto out;
	audit_hex_lower(mac, sizeof(mac), out);
	ret = EG_OK;
out:
	eg_memzero(norm, sizeof(norm));
	eg_memzero(mac, sizeof(mac));
	return ret;
}

int
audit_hmac_hex(const uint8_t *key, size_t keylen, enum audit_ident kind, const char *value,
    char out[AUDIT_HMAC_HEX_LEN + 1])
{
	struct audit_hmac h;
	int ret;

	if (out != NULL)
		out[0] = '\0';
	if (key == NULL || keylen < AUDIT_HMAC_KEY_MIN || value == NULL || out == NULL)
		return EG_ERR_INVAL;
	if ((ret = audit_hmac_init(&h, key, keylen)) != EG_OK)
		return ret;
	ret = audit_hmac_ident(&h, kind, value, out);
	audit_hmac_free(&h);
	return ret;
}
