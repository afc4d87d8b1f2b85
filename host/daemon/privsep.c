/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privsep.c — encoding and (bounded) decoding of the monitor's request table.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "privsep.h"
#include "text.h"

/* ---- transport: messages as fragments -------------------------------------- */

int
ps_msg_send(int fd, const void *msg, size_t len)
{
	const uint8_t *p = msg;

	if (len == 0 || len > PS_MSG_MAX)
		return EG_ERR_INVAL;
	while (len > 0) {
		size_t n = len < PS_FRAG_MAX ? len : PS_FRAG_MAX;
		uint8_t more = n < len;
		struct iovec iov[2] = { { &more, 1 }, { (void *)(uintptr_t)p, n } };
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t put;

		do
			put = sendmsg(fd, &mh, MSG_NOSIGNAL);
		while (put < 0 && errno == EINTR);
		if (put != (ssize_t)(n + 1))
			return EG_ERR_IO;
		p += n;
		len -= n;
	}
	return EG_OK;
}

void
ps_reasm_init(struct ps_reasm *r, uint8_t *buf, size_t cap)
{
	r->buf = buf;
	r->cap = cap;
	r->len = 0;
	r->done = false;
}

int
ps_reasm_feed(struct ps_reasm *r, const uint8_t *pkt, size_t n)
{
	int rc = EG_ERR_FORMAT;

	if (r->done) {
		r->len = 0;
		r->done = false;
	}
	if (n < 1 || pkt[0] > 1 || n - 1 > PS_FRAG_MAX)
		goto bad;
	if (n - 1 > r->cap - r->len) {
		rc = EG_ERR_OVERFLOW;
		goto bad;
	}
	memcpy(r->buf + r->len, pkt + 1, n - 1);
	r->len += n - 1;
	if (pkt[0] == 0) {
		if (r->len == 0)
			goto bad;
		r->done = true;
	}
	return EG_OK;
bad:
	r->len = 0;
	r->done = false;
	return rc;
}

int
ps_msg_recv(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t pkt[PS_FRAG_MAX + 1];
	struct ps_reasm r;

	ps_reasm_init(&r, buf, cap);
	*len = 0;
	while (!r.done) {
		ssize_t got;
		int rc;

		do
			got = recv(fd, pkt, sizeof(pkt), MSG_TRUNC);
		while (got < 0 && errno == EINTR);
		if (got <= 0)
			return EG_ERR_IO;
		if ((size_t)got > sizeof(pkt))
			return EG_ERR_FORMAT;
		if ((rc = ps_reasm_feed(&r, pkt, (size_t)got)) != EG_OK)
			return rc;
	}
	*len = r.len;
	return EG_OK;
}

/* ---- encoding ----------------------------------------------------------------- */

int
ps_get_u64(struct eg_rbuf *r, uint64_t *v)
{
	uint32_t hi, lo;
	struct eg_rbuf save = *r;

	if (eg_rbuf_be32(r, &hi) != EG_OK || eg_rbuf_be32(r, &lo) != EG_OK) {
		*r = save;
		return EG_ERR_TRUNCATED;
	}
	*v = ((uint64_t)hi << 32) | lo;
	return EG_OK;
}

int
ps_put_u64(struct eg_wbuf *w, uint64_t v)
{
	int rc = eg_wbuf_be32(w, (uint32_t)(v >> 32));

	return rc != EG_OK ? rc : eg_wbuf_be32(w, (uint32_t)v);
}

int
ps_put_str(struct eg_wbuf *w, const char *s)
{
	size_t n;
	int rc;

	if (s == NULL)
		return eg_wbuf_be32(w, PS_STR_NULL);
	n = strlen(s);
	if (n >= PS_STR_NULL)
		return EG_ERR_OVERFLOW;
	if ((rc = eg_wbuf_be32(w, (uint32_t)n)) != EG_OK)
		return rc;
	return eg_wbuf_put(w, s, n);
}

int
ps_batch_begin(struct eg_wbuf *w)
{
	int rc = eg_wbuf_u8(w, PS_APPEND_BATCH);

	return rc != EG_OK ? rc : eg_wbuf_be16(w, 0);
}

void
ps_batch_set_count(struct eg_wbuf *w, uint16_t n)
{
	if (w->len >= 3) {
		w->data[1] = (uint8_t)(n >> 8);
		w->data[2] = (uint8_t)n;
	}
}

int
ps_record_put(struct eg_wbuf *w, const struct audit_record *r)
{
	int rc;

	if ((rc = ps_put_str(w, r->kiosk_id)) != EG_OK ||
	    (rc = ps_put_u64(w, r->seq)) != EG_OK ||
	    (rc = ps_put_u64(w, (uint64_t)r->ts_ms)) != EG_OK ||
	    (rc = ps_put_str(w, r->decision)) != EG_OK ||
	    (rc = ps_put_str(w, r->reason)) != EG_OK ||
	    (rc = ps_put_str(w, r->officer)) != EG_OK ||
	    (rc = ps_put_str(w, r->document_number)) != EG_OK ||
	    (rc = ps_put_str(w, r->holder_name)) != EG_OK ||
	    (rc = ps_put_str(w, r->payload)) != EG_OK)
		return rc;
	return EG_OK;
}

/* One str into the arena at *off; *out NULL when absent. */
static int
get_str(struct eg_rbuf *r, char *arena, size_t cap, size_t *off, const char **out)
{
	uint32_t n;
	const uint8_t *p;
	int rc;

	if ((rc = eg_rbuf_be32(r, &n)) != EG_OK)
		return rc;
	if (n == PS_STR_NULL) {
		*out = NULL;
		return EG_OK;
	}
	if ((rc = eg_rbuf_ptr(r, n, &p)) != EG_OK)
		return rc;
	if (memchr(p, 0, n) != NULL || cap - *off < (size_t)n + 1)
		return EG_ERR_FORMAT;
	memcpy(arena + *off, p, n);
	arena[*off + n] = '\0';
	*out = arena + *off;
	*off += (size_t)n + 1;
	return EG_OK;
}

static int
valid_kiosk(const char *k)
{
	size_t n = k != NULL ? strlen(k) : 0;

	return n > 0 && n <= AUDIT_KIOSK_ID_MAX && strcmp(k, AUDIT_HOST_ID) != 0;
}

int
ps_batch_decode(const uint8_t *body, size_t len, struct ps_batch *b)
{
	struct eg_rbuf r = eg_rbuf_init(body, len);
	size_t off = 0;
	uint16_t n;
	int rc = EG_ERR_FORMAT;

	memset(b, 0, offsetof(struct ps_batch, recs));
	b->arena = NULL;
	if (len > PS_MSG_MAX)
		return EG_ERR_FORMAT;
	if ((rc = eg_rbuf_be16(&r, &n)) != EG_OK)
		goto out;
	rc = EG_ERR_FORMAT;
	if (n == 0 || n > PS_BATCH_MAX)
		goto out;
	/* every string fits in len bytes plus its NUL (9 strings a record) */
	b->arena_len = len + (size_t)n * 9;
	if ((b->arena = malloc(b->arena_len)) == NULL) {
		rc = EG_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct audit_record *a = &b->recs[i];
		uint64_t ts;

		memset(a, 0, sizeof(*a));
		if ((rc = get_str(&r, b->arena, b->arena_len, &off, &a->kiosk_id)) != EG_OK ||
		    (rc = ps_get_u64(&r, &a->seq)) != EG_OK ||
		    (rc = ps_get_u64(&r, &ts)) != EG_OK ||
		    (rc = get_str(&r, b->arena, b->arena_len, &off, &a->decision)) != EG_OK ||
		    (rc = get_str(&r, b->arena, b->arena_len, &off, &a->reason)) != EG_OK ||
		    (rc = get_str(&r, b->arena, b->arena_len, &off, &a->officer)) != EG_OK ||
		    (rc = get_str(&r, b->arena, b->arena_len, &off, &a->document_number)) != EG_OK ||
		    (rc = get_str(&r, b->arena, b->arena_len, &off, &a->holder_name)) != EG_OK ||
		    (rc = get_str(&r, b->arena, b->arena_len, &off, &a->payload)) != EG_OK)
			goto out;
		a->ts_ms = (int64_t)ts;
		a->type = "passage";
		if (!valid_kiosk(a->kiosk_id)) {
			rc = EG_ERR_FORMAT;
			goto out;
		}
	}
	if (eg_rbuf_left(&r) != 0) {
		rc = EG_ERR_FORMAT;
		goto out;
	}
	b->n = n;
	rc = EG_OK;
out:
	if (rc != EG_OK)
		ps_batch_clear(b);
	return rc;
}

void
ps_batch_clear(struct ps_batch *b)
{
	if (b->arena != NULL)
		eg_secret_free(&b->arena, b->arena_len);
	b->arena = NULL;
	b->arena_len = 0;
	b->n = 0;
}

int
ps_kiosk_decode(const uint8_t *body, size_t len, char out[AUDIT_KIOSK_ID_MAX + 1])
{
	struct eg_rbuf r = eg_rbuf_init(body, len);
	size_t off = 0;
	const char *k;
	int rc;

	if ((rc = get_str(&r, out, AUDIT_KIOSK_ID_MAX + 1, &off, &k)) != EG_OK)
		return rc == EG_ERR_TRUNCATED ? rc : EG_ERR_FORMAT;
	if (eg_rbuf_left(&r) != 0 || !valid_kiosk(k))
		return EG_ERR_FORMAT;
	return EG_OK;
}

int
ps_officer_put(struct eg_wbuf *w, enum ps_officer_kind kind, int64_t ts_ms,
    const char *officer, const char *action, const char *reason, const char *payload)
{
	int rc;

	if (officer == NULL || action == NULL || reason == NULL ||
	    (kind != PS_OFFICER_ACTION && kind != PS_OFFICER_RESULT))
		return EG_ERR_INVAL;
	if ((rc = eg_wbuf_u8(w, PS_OFFICER)) != EG_OK || (rc = eg_wbuf_u8(w, (uint8_t)kind)) != EG_OK ||
	    (rc = ps_put_u64(w, (uint64_t)ts_ms)) != EG_OK || (rc = ps_put_str(w, officer)) != EG_OK ||
	    (rc = ps_put_str(w, action)) != EG_OK || (rc = ps_put_str(w, reason)) != EG_OK ||
	    (rc = ps_put_str(w, payload)) != EG_OK)
		return rc;
	return EG_OK;
}

static int
short_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= AUDIT_SHORT_MAX;
}

int
ps_officer_decode(const uint8_t *body, size_t len, char *arena, size_t cap,
    struct audit_record *out)
{
	struct eg_rbuf r = eg_rbuf_init(body, len);
	size_t off = 0;
	uint8_t kind;
	uint64_t ts;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = eg_rbuf_u8(&r, &kind)) != EG_OK || (rc = ps_get_u64(&r, &ts)) != EG_OK ||
	    (rc = get_str(&r, arena, cap, &off, &out->officer)) != EG_OK ||
	    (rc = get_str(&r, arena, cap, &off, &out->decision)) != EG_OK ||
	    (rc = get_str(&r, arena, cap, &off, &out->reason)) != EG_OK ||
	    (rc = get_str(&r, arena, cap, &off, &out->payload)) != EG_OK)
		return rc == EG_ERR_TRUNCATED ? rc : EG_ERR_FORMAT;
	/* an officer's reason is stored for ever: the network child checked
	 * it, and the monitor refuses one that breaks the rule all the same */
	if (eg_rbuf_left(&r) != 0 || (kind != PS_OFFICER_ACTION && kind != PS_OFFICER_RESULT) ||
	    !short_ok(out->officer) || !short_ok(out->decision) || !short_ok(out->reason) ||
	    (kind == PS_OFFICER_ACTION && proto_reason_check(out->reason, NULL, 0) != EG_OK)) {
		memset(out, 0, sizeof(*out));
		return EG_ERR_FORMAT;
	}
	out->kiosk_id = AUDIT_HOST_ID;
	out->seq = 0;
	out->ts_ms = (int64_t)ts;
	out->type = kind == PS_OFFICER_ACTION ? "officer" : "officer_result";
	return EG_OK;
}

int
ps_payload_decode(const uint8_t *body, size_t len, char kiosk[AUDIT_KIOSK_ID_MAX + 1],
    uint64_t *seq)
{
	struct eg_rbuf r = eg_rbuf_init(body, len);
	size_t off = 0;
	const char *k;
	int rc;

	if ((rc = get_str(&r, kiosk, AUDIT_KIOSK_ID_MAX + 1, &off, &k)) != EG_OK ||
	    (rc = ps_get_u64(&r, seq)) != EG_OK)
		return rc == EG_ERR_TRUNCATED ? rc : EG_ERR_FORMAT;
	if (eg_rbuf_left(&r) != 0 || !valid_kiosk(k) || *seq == 0 || *seq > INT64_MAX)
		return EG_ERR_FORMAT;
	return EG_OK;
}

int
ps_officer_check_decode(const uint8_t *body, size_t len, char kiosk[AUDIT_KIOSK_ID_MAX + 1],
    char officer[AUDIT_SHORT_MAX + 1], uint64_t *command_id)
{
	struct eg_rbuf r = eg_rbuf_init(body, len);
	size_t koff = 0, ooff = 0;
	const char *k = NULL, *o = NULL;
	int rc;

	if ((rc = get_str(&r, kiosk, AUDIT_KIOSK_ID_MAX + 1, &koff, &k)) != EG_OK ||
	    (rc = get_str(&r, officer, AUDIT_SHORT_MAX + 1, &ooff, &o)) != EG_OK ||
	    (rc = ps_get_u64(&r, command_id)) != EG_OK)
		return rc == EG_ERR_TRUNCATED ? rc : EG_ERR_FORMAT;
	if (eg_rbuf_left(&r) != 0 || k == NULL || !valid_kiosk(k) || o == NULL || o[0] == '\0' ||
	    *command_id == 0)
		return EG_ERR_FORMAT;
	return EG_OK;
}
