/* SPDX-License-Identifier: Apache-2.0 */
/* tickets.c — session-ticket keys kept across restarts (tickets.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "egate/error.h"
#include "egate/fileio.h"
#include "egate/secure.h"
#include "host.h"
#include "tickets.h"

#define MAGIC "EGTK"
#define HEAD_LEN (4 + 1 + 12 + 2)
#define TAG_LEN 16
#define KEY_REC (EG_TLS_TICKET_NAME_LEN + 32 + 8)
#define FILE_MAX (HEAD_LEN + 1 + EG_TLS_TICKET_KEYS_MAX * KEY_REC + TAG_LEN)

static const char label[] = "egate-host session-ticket keys v1";

static int
fill_random(void *p, size_t n)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t r = getrandom(b, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return EG_ERR_CRYPTO;
		b += r;
		n -= (size_t)r;
	}
	return EG_OK;
}

static void
be_put(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

int
tickets_put(const struct tickets *t, struct eg_wbuf *w)
{
	int rc = eg_wbuf_u8(w, (uint8_t)t->n);

	for (size_t i = 0; rc == EG_OK && i < t->n; i++) {
		uint8_t rec[KEY_REC];

		memcpy(rec, t->keys[i].name, EG_TLS_TICKET_NAME_LEN);
		memcpy(rec + EG_TLS_TICKET_NAME_LEN, t->keys[i].key, 32);
		be_put(rec + EG_TLS_TICKET_NAME_LEN + 32, (uint64_t)t->keys[i].created_s, 8);
		rc = eg_wbuf_put(w, rec, sizeof(rec));
		eg_memzero(rec, sizeof(rec));
	}
	return rc;
}

int
tickets_seal(const struct tickets *t, struct eg_wbuf *out)
{
	uint8_t pt[1 + EG_TLS_TICKET_KEYS_MAX * KEY_REC], head[HEAD_LEN], tag[TAG_LEN];
	struct eg_wbuf w;
	mbedtls_gcm_context gcm;
	int rc = EG_ERR_CRYPTO;

	eg_wbuf_init_fixed(&w, pt, sizeof(pt), false);
	if (t->n == 0 || t->n > EG_TLS_TICKET_KEYS_MAX || tickets_put(t, &w) != EG_OK)
		return EG_ERR_INVAL;
	memcpy(head, MAGIC, 4);
	head[4] = TICKETS_FILE_VERSION;
	if (fill_random(head + 5, 12) != EG_OK)
		goto out0;
	be_put(head + 17, w.len, 2);
	mbedtls_gcm_init(&gcm);
	if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, t->seal_key, 256) != 0 ||
	    mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, w.len, head + 5, 12, head,
	    HEAD_LEN, pt, pt, TAG_LEN, tag) != 0)
		goto out;
	if ((rc = eg_wbuf_put(out, head, sizeof(head))) == EG_OK &&
	    (rc = eg_wbuf_put(out, pt, w.len)) == EG_OK)
		rc = eg_wbuf_put(out, tag, sizeof(tag));
out:
	mbedtls_gcm_free(&gcm);
out0:
	eg_memzero(pt, sizeof(pt));
	return rc;
}

int
tickets_unseal(struct tickets *t, const uint8_t *blob, size_t len)
{
	uint8_t pt[1 + EG_TLS_TICKET_KEYS_MAX * KEY_REC];
	struct eg_rbuf r;
	mbedtls_gcm_context gcm;
	size_t clen;
	uint8_t n = 0;
	int rc = EG_ERR_FORMAT;

	if (len < HEAD_LEN + TAG_LEN || memcmp(blob, MAGIC, 4) != 0 || blob[4] != TICKETS_FILE_VERSION)
		return EG_ERR_FORMAT;
	clen = ((size_t)blob[17] << 8) | blob[18];
	if (clen > sizeof(pt) || len != HEAD_LEN + clen + TAG_LEN)
		return EG_ERR_FORMAT;
	mbedtls_gcm_init(&gcm);
	if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, t->seal_key, 256) != 0 ||
	    mbedtls_gcm_auth_decrypt(&gcm, clen, blob + 5, 12, blob, HEAD_LEN, blob + HEAD_LEN + clen,
	    TAG_LEN, blob + HEAD_LEN, pt) != 0) {
		rc = EG_ERR_MAC;
		goto out;
	}
	r = eg_rbuf_init(pt, clen);
	if (eg_rbuf_u8(&r, &n) != EG_OK || n == 0 || n > EG_TLS_TICKET_KEYS_MAX ||
	    eg_rbuf_left(&r) != (size_t)n * KEY_REC)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = NULL;
		uint64_t c = 0;

		(void)eg_rbuf_ptr(&r, KEY_REC, &p);
		memcpy(t->keys[i].name, p, EG_TLS_TICKET_NAME_LEN);
		memcpy(t->keys[i].key, p + EG_TLS_TICKET_NAME_LEN, 32);
		for (int k = 0; k < 8; k++)
			c = (c << 8) | p[EG_TLS_TICKET_NAME_LEN + 32 + k];
		t->keys[i].created_s = (int64_t)c;
	}
	t->n = n;
	rc = EG_OK;
out:
	mbedtls_gcm_free(&gcm);
	eg_memzero(pt, sizeof(pt));
	return rc;
}

int
tickets_open(struct tickets *t, const char *path, const uint8_t *hmac_key, size_t hmac_len,
    bool *loaded, const char **why)
{
	uint8_t blob[FILE_MAX + 1];
	ssize_t got;
	int fd, rc;

	memset(t, 0, sizeof(*t));
	*loaded = false;
	if (why != NULL)
		*why = NULL;
	if (path == NULL || hmac_key == NULL || hmac_len == 0 ||
	    (size_t)snprintf(t->path, sizeof(t->path), "%s", path) >= sizeof(t->path))
		return EG_ERR_INVAL;
	if (mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), (const uint8_t *)label,
	    sizeof(label) - 1, hmac_key, hmac_len, (const uint8_t *)"seal", 4, t->seal_key,
	    sizeof(t->seal_key)) != 0)
		return EG_ERR_CRYPTO;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno != ENOENT && why != NULL)
			*why = "cannot be read";
		return EG_OK;
	}
	got = read(fd, blob, sizeof(blob));
	close(fd);
	if (got <= 0 || (size_t)got > FILE_MAX) {
		if (why != NULL)
			*why = "wrong size";
		return EG_OK;
	}
	rc = tickets_unseal(t, blob, (size_t)got);
	eg_memzero(blob, sizeof(blob));
	if (rc == EG_OK)
		*loaded = true;
	else if (why != NULL)
		*why = rc == EG_ERR_MAC ? "does not open with this HMAC key (replaced)" :
		    "not a ticket-key file (replaced)";
	return EG_OK;
}

static int
save(const struct tickets *t)
{
	uint8_t store[FILE_MAX];
	struct eg_wbuf w;
	char tmp[sizeof(t->path) + 8];
	int fd, rc;

	eg_wbuf_init_fixed(&w, store, sizeof(store), false);
	if ((rc = tickets_seal(t, &w)) != EG_OK)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
	rc = EG_ERR_IO;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return rc;
	if (fchmod(fd, 0600) == 0 && eg_write_all(fd, w.data, w.len) == EG_OK && fsync(fd) == 0)
		rc = EG_OK;
	close(fd);
	if (rc == EG_OK && rename(tmp, t->path) != 0)
		rc = EG_ERR_IO;
	if (rc != EG_OK)
		unlink(tmp);
	return rc;
}

int
tickets_rotate(struct tickets *t, int64_t now_s, bool *changed)
{
	size_t keep = 0;
	int rc;

	*changed = false;
	if (t->n == 0 || now_s - t->keys[0].created_s >= HOST_TICKET_ROTATE_S ||
	    t->keys[0].created_s > now_s + 86400) {
		if (t->n == EG_TLS_TICKET_KEYS_MAX)
			t->n--;
		memmove(&t->keys[1], &t->keys[0], t->n * sizeof(t->keys[0]));
		if ((rc = fill_random(t->keys[0].name, sizeof(t->keys[0].name))) != EG_OK ||
		    (rc = fill_random(t->keys[0].key, sizeof(t->keys[0].key))) != EG_OK)
			return rc;
		t->keys[0].created_s = now_s;
		t->n++;
		*changed = true;
	}
	/* key i stopped sealing when key i-1 was made: its tickets live
	 * HOST_TICKET_LIFETIME_S more */
	for (keep = 1; keep < t->n; keep++)
		if (now_s - t->keys[keep - 1].created_s >= HOST_TICKET_LIFETIME_S)
			break;
	if (keep < t->n) {
		eg_memzero(&t->keys[keep], (t->n - keep) * sizeof(t->keys[0]));
		t->n = keep;
		*changed = true;
	}
	return *changed ? save(t) : EG_OK;
}

void
tickets_clear(struct tickets *t)
{
	eg_memzero(t, sizeof(*t));
}
