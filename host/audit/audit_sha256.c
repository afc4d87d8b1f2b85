/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_sha256.c — SHA-256 through OpenSSL's libcrypto (audit_sha256.h).
 * OpenSSL 3: the algorithm is fetched once per handle (EVP_MD_fetch) and the
 * context reused; a one-shot EVP_Digest costs about three times as much for
 * a 65-byte input (fetch and context allocation per call, docs/audit.md §10).
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "audit_sha256.h"
#include "egate/error.h"

struct audit_sha256 {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

int
audit_sha256_new(struct audit_sha256 **out)
{
	struct audit_sha256 *s;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return EG_ERR_NOMEM;
	s->md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	s->ctx = EVP_MD_CTX_new();
	if (s->md == NULL || s->ctx == NULL) {
		int ret = s->md == NULL ? EG_ERR_CRYPTO : EG_ERR_NOMEM;

		audit_sha256_free(&s);
		return ret;
	}
	*out = s;
	return EG_OK;
}

void
audit_sha256_free(struct audit_sha256 **s)
{
	if (s == NULL || *s == NULL)
		return;
	EVP_MD_CTX_free((*s)->ctx);	/* cleanses the state */
	EVP_MD_free((*s)->md);
	free(*s);
	*s = NULL;
}

int
audit_sha256_start(struct audit_sha256 *s)
{
	return EVP_DigestInit_ex2(s->ctx, s->md, NULL) == 1 ? EG_OK : EG_ERR_CRYPTO;
}

int
audit_sha256_update(struct audit_sha256 *s, const void *p, size_t n)
{
	if (n == 0)
		return EG_OK;
	return EVP_DigestUpdate(s->ctx, p, n) == 1 ? EG_OK : EG_ERR_CRYPTO;
}

int
audit_sha256_finish(struct audit_sha256 *s, uint8_t out[AUDIT_SHA256_LEN])
{
	return EVP_DigestFinal_ex(s->ctx, out, NULL) == 1 ? EG_OK : EG_ERR_CRYPTO;
}

int
audit_sha256_copy(struct audit_sha256 *dst, const struct audit_sha256 *src)
{
	return EVP_MD_CTX_copy_ex(dst->ctx, src->ctx) == 1 ? EG_OK : EG_ERR_CRYPTO;
}

int
audit_sha256(struct audit_sha256 *s, const void *p, size_t n, uint8_t out[AUDIT_SHA256_LEN])
{
	struct audit_sha256 *own = NULL;
	int ret;

	if (s == NULL) {
		if ((ret = audit_sha256_new(&own)) != EG_OK)
			return ret;
		s = own;
	}
	if ((ret = audit_sha256_start(s)) == EG_OK && (ret = audit_sha256_update(s, p, n)) == EG_OK)
		ret = audit_sha256_finish(s, out);
	audit_sha256_free(&own);
	return ret;
}
