/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_crypto.c — the canonical encodings of the audit chain, the HMAC of
 * identifiers, key ids. The byte layouts are normative: docs/audit.md.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

#include "audit_int.h"
#include "egate/error.h"
#include "egate/secure.h"

#define PAYLOAD_LABEL "egate-audit-payload/v1"
#define RECORD_LABEL "egate-audit-record/v1"

static int
put(mbedtls_sha256_context *c, const void *p, size_t n)
{
	return mbedtls_sha256_update_ret(c, p, n) == 0 ? EG_OK : EG_ERR_CRYPTO;
}

static int
put_u64(mbedtls_sha256_context *c, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	return put(c, b, sizeof(b));
}

/* F(NULL) = 0x00; F(s) = 0x01 ‖ u32be(len) ‖ bytes */
static int
put_field(mbedtls_sha256_context *c, const struct audit_str *s)
{
	uint8_t b[5];

	if (s->p == NULL) {
		b[0] = 0x00;
		return put(c, b, 1);
	}
	if (s->n > UINT32_MAX)
		return EG_ERR_OVERFLOW;
	b[0] = 0x01;
	b[1] = (uint8_t)(s->n >> 24);
	b[2] = (uint8_t)(s->n >> 16);
	b[3] = (uint8_t)(s->n >> 8);
	b[4] = (uint8_t)s->n;
	if (put(c, b, 5) != EG_OK)
		return EG_ERR_CRYPTO;
	return put(c, s->p, s->n);
}

int
audit_payload_digest(const struct audit_str *doc_hmac, const struct audit_str *name_hmac,
    const struct audit_str *payload, uint8_t out[AUDIT_HASH_LEN])
{
	mbedtls_sha256_context c;
	int ret = EG_ERR_CRYPTO;

	mbedtls_sha256_init(&c);
	if (mbedtls_sha256_starts_ret(&c, 0) != 0)
		goto out;
	if ((ret = put(&c, PAYLOAD_LABEL, sizeof(PAYLOAD_LABEL))) != EG_OK ||
	    (ret = put_field(&c, doc_hmac)) != EG_OK ||
	    (ret = put_field(&c, name_hmac)) != EG_OK ||
	    (ret = put_field(&c, payload)) != EG_OK)
		goto out;
	ret = mbedtls_sha256_finish_ret(&c, out) == 0 ? EG_OK : EG_ERR_CRYPTO;
out:
	mbedtls_sha256_free(&c);
	return ret;
}

int
audit_record_digest(const uint8_t prev[AUDIT_HASH_LEN], int64_t id, const struct audit_hdr *h,
    const uint8_t payload_digest[AUDIT_HASH_LEN], uint8_t out[AUDIT_HASH_LEN])
{
	mbedtls_sha256_context c;
	int ret = EG_ERR_CRYPTO;

	mbedtls_sha256_init(&c);
	if (mbedtls_sha256_starts_ret(&c, 0) != 0)
		goto out;
	/* sizeof includes the label's NUL: the label is NUL-terminated */
	if ((ret = put(&c, RECORD_LABEL, sizeof(RECORD_LABEL))) != EG_OK ||
	    (ret = put(&c, prev, AUDIT_HASH_LEN)) != EG_OK ||
	    (ret = put_u64(&c, (uint64_t)id)) != EG_OK ||
	    (ret = put_field(&c, &h->kiosk_id)) != EG_OK ||
	    (ret = put_u64(&c, (uint64_t)h->seq)) != EG_OK ||
	    (ret = put_u64(&c, (uint64_t)h->ts_ms)) != EG_OK ||
	    (ret = put_field(&c, &h->type)) != EG_OK ||
	    (ret = put_field(&c, &h->decision)) != EG_OK ||
	    (ret = put_field(&c, &h->reason)) != EG_OK ||
	    (ret = put_field(&c, &h->officer)) != EG_OK ||
	    (ret = put(&c, payload_digest, AUDIT_HASH_LEN)) != EG_OK)
		goto out;
	ret = mbedtls_sha256_finish_ret(&c, out) == 0 ? EG_OK : EG_ERR_CRYPTO;
out:
	mbedtls_sha256_free(&c);
	return ret;
}

size_t
audit_checkpoint_text(uint64_t count, const uint8_t head[AUDIT_HASH_LEN], int64_t ts_ms,
    char *buf, size_t cap)
{
	char hex[2 * AUDIT_HASH_LEN + 1];
	int n;

	for (size_t i = 0; i < AUDIT_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", head[i]);
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
	if (mbedtls_sha256_ret(der + sizeof(der) - (size_t)n, (size_t)n, h, 0) != 0)
		return EG_ERR_CRYPTO;
	for (size_t i = 0; i < AUDIT_KEY_ID_LEN / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
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

int
audit_hmac_hex(const uint8_t *key, size_t keylen, enum audit_ident kind, const char *value,
    char out[AUDIT_HMAC_HEX_LEN + 1])
{
	static const char *const labels[2] = { "egate-doc\n", "egate-name\n" };
	char norm[AUDIT_SHORT_MAX];
	uint8_t mac[32];
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t c;
	size_t n;
	int ret = EG_ERR_INVAL;

	mbedtls_md_init(&c);
	if (out != NULL)
		out[0] = '\0';
	if (key == NULL || keylen < AUDIT_HMAC_KEY_MIN || value == NULL || out == NULL ||
	    (kind != AUDIT_IDENT_DOCUMENT && kind != AUDIT_IDENT_NAME) ||
	    strlen(value) > AUDIT_SHORT_MAX)
		goto out;
	n = normalise(kind, value, norm, sizeof(norm));
	if (n == 0)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (md == NULL || mbedtls_md_setup(&c, md, 1) != 0 ||
	    mbedtls_md_hmac_starts(&c, key, keylen) != 0 ||
	    mbedtls_md_hmac_update(&c, (const uint8_t *)labels[kind], strlen(labels[kind])) != 0 ||
	    mbedtls_md_hmac_update(&c, (const uint8_t *)norm, n) != 0 ||
	    mbedtls_md_hmac_finish(&c, mac) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(mac); i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	ret = EG_OK;
out:
	mbedtls_md_free(&c);
	eg_memzero(norm, sizeof(norm));
	eg_memzero(mac, sizeof(mac));
	return ret;
}
