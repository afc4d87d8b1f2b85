/* SPDX-License-Identifier: Apache-2.0 */
/* confpush.c — the policy bundle: read and logged by the monitor, pushed to
 * the kiosks by the network child (see confpush.h, docs/host.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "confpush.h"
#include "egate/error.h"
#include "egate/hex.h"
#include "frame.h"
#include "host.h"
#include "policy.h"
#include "privsep.h"

/* ---- monitor ---------------------------------------------------------------- */

struct latest {
	uint64_t version;
	uint8_t digest[32];
	bool have_digest;
};

/* Payload of a config record (audit.c): {"version":N,"sha256":"<64 hex>"},
 * followed by ,"params_sha256":"<64 hex>"} when the parameters were kept. */
static int
latest_row(void *arg, const struct audit_row *row)
{
	struct latest *l = arg;
	unsigned long long v = 0;
	char hex[65] = "";
	size_t dl = 0;

	if (row->payload == NULL ||
	    sscanf(row->payload, "{\"version\":%llu,\"sha256\":\"%64[0-9a-f]\"", &v, hex) != 2)
		return 0;
	if (v >= l->version) {
		l->version = v;
		l->have_digest = strlen(hex) == 64 &&
		    eg_hex_decode(hex, l->digest, sizeof(l->digest), &dl) == EG_OK && dl == 32;
	}
	return 0;
}

static int
make_blob(const struct policy_push *pp, uint8_t **blob, size_t *len)
{
	struct eg_wbuf w;
	int rc;

	eg_wbuf_init(&w, CONFPUSH_TOTAL_MAX + 64u * POLICY_PARTS_MAX, false);
	rc = eg_wbuf_put(&w, pp->digest, sizeof(pp->digest));
	if (rc == EG_OK)
		rc = eg_wbuf_be32(&w, (uint32_t)pp->n);
	for (size_t i = 0; rc == EG_OK && i < pp->n; i++) {
		rc = eg_wbuf_be32(&w, (uint32_t)pp->len[i]);
		if (rc == EG_OK)
			rc = eg_wbuf_put(&w, pp->part[i], pp->len[i]);
	}
	if (rc != EG_OK) {
		eg_wbuf_free(&w);
		return rc;
	}
	*blob = w.data;		/* ownership of the heap storage moves to the caller */
	*len = w.len;
	return EG_OK;
}

int
confpush_mon_load(struct confpush_mon *cm, const char *path, struct audit_db *db,
    struct eg_log *lg)
{
	struct policy p;
	struct policy_push pp;
	struct audit_filter f = { .kiosk_id = AUDIT_HOST_ID, .type = "config" };
	struct latest l = { 0 };
	char err[512] = "", summary[AUDIT_SHORT_MAX], dhex[65], *params = NULL;
	uint8_t *blob = NULL;
	size_t blob_len = 0, total = 0, params_len = 0;
	int rc;

	policy_init(&p);
	memset(&pp, 0, sizeof(pp));
	if ((rc = policy_bundle_load(path, &p, err, sizeof(err))) != EG_OK)
		goto out;
	if ((rc = policy_encode(&p, CONFPUSH_PART_MAX, &pp)) != EG_OK) {
		snprintf(err, sizeof(err), "cannot encode the bundle (%s: a master list or CRL "
		    "larger than one frame?)", eg_err_name(rc));
		goto out;
	}
	for (size_t i = 0; i < pp.n; i++)
		total += pp.len[i];
	if (total > CONFPUSH_TOTAL_MAX) {
		snprintf(err, sizeof(err), "configuration of %zu bytes is above the %u the host "
		    "pushes", total, CONFPUSH_TOTAL_MAX);
		rc = EG_ERR_OVERFLOW;
		goto out;
	}
	if ((rc = audit_query(db, &f, latest_row, &l)) != EG_OK) {
		snprintf(err, sizeof(err), "cannot read the logged configurations: %s",
		    eg_strerror(rc));
		goto out;
	}
	rc = EG_ERR_STATE;
	if (pp.version < l.version) {
		snprintf(err, sizeof(err), "version %" PRIu64 " is older than version %" PRIu64
		    " already pushed (versions only increase)", pp.version, l.version);
		goto out;
	}
	if (pp.version == l.version && (!l.have_digest || memcmp(l.digest, pp.digest, 32) != 0)) {
		snprintf(err, sizeof(err), "version %" PRIu64 " was already pushed with other "
		    "content: give the new content a new version", pp.version);
		goto out;
	}
	if ((rc = make_blob(&pp, &blob, &blob_len)) != EG_OK) {
		snprintf(err, sizeof(err), "%s", eg_strerror(rc));
		goto out;
	}
	eg_hex_encode(pp.digest, sizeof(pp.digest), dhex, sizeof(dhex));
	for (char *q = dhex; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'F')
			*q = (char)(*q - 'A' + 'a');	/* as in the audit record */
	if (pp.version > l.version) {
		snprintf(summary, sizeof(summary), "policy bundle: match %.4g liveness %.4g "
		    "watchlist %.4g; %zu master list(s), %zu CRL(s), gallery %zu bytes",
		    p.threshold[POLICY_T_MATCH], p.threshold[POLICY_T_LIVENESS],
		    p.threshold[POLICY_T_WATCHLIST], p.n_master_lists, p.n_crls, p.gallery.len);
		/* the thresholds and settings by digest, so a decision can be
		 * re-derived later (never the watchlist gallery: policy.h) */
		if ((rc = policy_params_json(&p, &params, &params_len)) != EG_OK) {
			snprintf(err, sizeof(err), "cannot write the decision parameters of version %"
			    PRIu64 ": %s", pp.version, eg_strerror(rc));
			goto out;
		}
		if ((rc = audit_config_add_policy(db, pp.version, host_wall_ms(), pp.digest, summary,
		    params)) != EG_OK) {
			snprintf(err, sizeof(err), "cannot log version %" PRIu64 ": %s", pp.version,
			    eg_strerror(rc));
			goto out;
		}
		EG_LOG(lg, EG_LOG_NOTICE, "config.logged", EG_UINT("version", pp.version),
		    EG_STR("sha256", dhex));
	}
	free(cm->blob);
	cm->blob = blob;
	cm->blob_len = blob_len;
	blob = NULL;
	cm->version = pp.version;
	memcpy(cm->digest, pp.digest, 32);
	EG_LOG(lg, EG_LOG_NOTICE, "config.loaded", EG_STR("path", path),
	    EG_UINT("version", pp.version), EG_STR("sha256", dhex), EG_UINT("parts", pp.n),
	    EG_UINT("bytes", total));
	rc = EG_OK;
out:
	if (rc != EG_OK)
		EG_LOG(lg, EG_LOG_ERROR, "config.refused", EG_STR("path", path),
		    EG_STR("reason", err), EG_UINT("serving", cm->version), EG_ERRF(rc));
	free(blob);
	free(params);
	policy_push_clear(&pp);
	policy_clear(&p);
	return rc;
}

int
confpush_mon_answer(const struct confpush_mon *cm, const uint8_t *body, size_t len,
    struct eg_wbuf *w)
{
	struct eg_rbuf r = eg_rbuf_init(body, len);
	uint64_t off = 0;
	size_t take;
	int rc;

	if ((rc = ps_get_u64(&r, &off)) != EG_OK)
		return rc;
	if (eg_rbuf_left(&r) != 0)
		return EG_ERR_FORMAT;
	if (off > cm->blob_len)
		off = cm->blob_len;
	take = cm->blob_len - (size_t)off < PS_CONFIG_CHUNK ? cm->blob_len - (size_t)off :
	    PS_CONFIG_CHUNK;
	if ((rc = ps_put_u64(w, cm->version)) != EG_OK ||
	    (rc = ps_put_u64(w, cm->blob_len)) != EG_OK)
		return rc;
	return take > 0 ? eg_wbuf_put(w, cm->blob + off, take) : EG_OK;
}

void
confpush_mon_clear(struct confpush_mon *cm)
{
	free(cm->blob);
	memset(cm, 0, sizeof(*cm));
}

/* ---- network child ------------------------------------------------------------- */

static void
parts_free(Egate__ConfigPush **parts, size_t n)
{
	for (size_t i = 0; parts != NULL && i < n; i++)
		if (parts[i] != NULL)
			egate__config_push__free_unpacked(parts[i], NULL);
	free(parts);
}

/* One chunk: request u8 type ‖ u64 offset; answer u8 type ‖ i32 rc ‖ u64
 * version ‖ u64 total ‖ chunk. */
static int
fetch_chunk(int ps, uint64_t off, uint8_t *resp, size_t cap, uint64_t *version,
    uint64_t *total, const uint8_t **chunk, size_t *clen)
{
	uint8_t req[16];
	struct eg_wbuf w;
	struct eg_rbuf r;
	size_t got = 0;
	uint8_t t = 0;
	uint32_t rc = 0;
	int prc;

	eg_wbuf_init_fixed(&w, req, sizeof(req), false);
	eg_wbuf_u8(&w, PS_CONFIG_GET);
	ps_put_u64(&w, off);
	if (ps_msg_send(ps, w.data, w.len) != EG_OK)
		return EG_ERR_IO;
	if ((prc = ps_msg_recv(ps, resp, cap, &got)) != EG_OK)
		return prc == EG_ERR_IO ? EG_ERR_IO : EG_ERR_PROTOCOL;
	r = eg_rbuf_init(resp, got);
	if (eg_rbuf_u8(&r, &t) != EG_OK || t != PS_CONFIG_GET || eg_rbuf_be32(&r, &rc) != EG_OK)
		return EG_ERR_PROTOCOL;
	if ((int)rc != EG_OK)
		return (int)rc;
	if (ps_get_u64(&r, version) != EG_OK || ps_get_u64(&r, total) != EG_OK)
		return EG_ERR_PROTOCOL;
	*clen = eg_rbuf_left(&r);
	*chunk = r.p;
	return EG_OK;
}

/* Split the blob into unpacked parts. */
static int
unpack_blob(const uint8_t *blob, size_t len, uint8_t digest[32], Egate__ConfigPush ***out,
    size_t *nout)
{
	struct eg_rbuf r = eg_rbuf_init(blob, len);
	Egate__ConfigPush **parts = NULL;
	uint32_t n = 0;
	size_t i = 0;
	int rc = EG_ERR_FORMAT;

	if (eg_rbuf_copy(&r, digest, 32) != EG_OK || eg_rbuf_be32(&r, &n) != EG_OK || n == 0 ||
	    n > POLICY_PARTS_MAX)
		goto out;
	rc = EG_ERR_NOMEM;
	if ((parts = calloc(n, sizeof(*parts))) == NULL)
		goto out;
	rc = EG_ERR_FORMAT;
	for (i = 0; i < n; i++) {
		uint32_t plen = 0;
		const uint8_t *p = NULL;

		if (eg_rbuf_be32(&r, &plen) != EG_OK || eg_rbuf_ptr(&r, plen, &p) != EG_OK)
			goto out;
		if ((parts[i] = egate__config_push__unpack(NULL, plen, p)) == NULL)
			goto out;
	}
	if (eg_rbuf_left(&r) != 0)
		goto out;
	*out = parts;
	*nout = n;
	parts = NULL;
	rc = EG_OK;
out:
	parts_free(parts, n);
	return rc;
}

int
confpush_fetch(struct confpush *cp, int ps, bool *changed)
{
	uint8_t *resp = NULL, *blob = NULL;
	uint64_t version = 0, total = 0, off = 0, v0 = 0;
	Egate__ConfigPush **parts = NULL;
	uint8_t digest[32];
	size_t n = 0;
	int rc = EG_ERR_NOMEM, tries = 0;

	*changed = false;
	if ((resp = malloc(PS_CONFIG_CHUNK + 64)) == NULL)
		goto out;
restart:
	off = 0;
	free(blob);
	blob = NULL;
	do {
		const uint8_t *chunk = NULL;
		size_t clen = 0;

		if ((rc = fetch_chunk(ps, off, resp, PS_CONFIG_CHUNK + 64, &version, &total, &chunk,
		    &clen)) != EG_OK)
			goto out;
		if (off == 0) {
			v0 = version;
			rc = EG_ERR_PROTOCOL;
			if (total > CONFPUSH_TOTAL_MAX + 64u * POLICY_PARTS_MAX)
				goto out;
			rc = EG_ERR_NOMEM;
			if (total > 0 && (blob = malloc(total)) == NULL)
				goto out;
		} else if (version != v0) {
			if (++tries > 3) {	/* reloaded while we read: start again */
				rc = EG_ERR_BUSY;
				goto out;
			}
			goto restart;
		}
		rc = EG_ERR_PROTOCOL;
		if (clen > total - off || (clen == 0 && off < total))
			goto out;
		if (clen > 0)
			memcpy(blob + off, chunk, clen);
		off += clen;
	} while (off < total);
	if (version == cp->version) {
		rc = EG_OK;
		goto out;
	}
	if (version != 0 && (rc = unpack_blob(blob, (size_t)total, digest, &parts, &n)) != EG_OK)
		goto out;
	parts_free(cp->parts, cp->n);
	cp->parts = parts;
	cp->n = n;
	parts = NULL;
	cp->version = version;
	if (version != 0)
		memcpy(cp->digest, digest, 32);
	*changed = true;
	rc = EG_OK;
out:
	free(resp);
	free(blob);
	parts_free(parts, n);
	return rc;
}

uint64_t
confpush_hello_version(const struct confpush *cp, uint64_t kiosk_version)
{
	return cp->version != 0 ? cp->version : kiosk_version;
}

static struct confpush_kiosk *
kiosk_rec(struct confpush *cp, const char *kiosk)
{
	struct confpush_kiosk *k;

	for (size_t i = 0; i < cp->nk; i++)
		if (strcmp(cp->k[i].kiosk, kiosk) == 0)
			return &cp->k[i];
	if (cp->nk >= CONFPUSH_KIOSKS_MAX)
		return NULL;
	if (cp->k == NULL && (cp->k = calloc(CONFPUSH_KIOSKS_MAX, sizeof(*cp->k))) == NULL)
		return NULL;
	k = &cp->k[cp->nk++];
	memset(k, 0, sizeof(*k));
	snprintf(k->kiosk, sizeof(k->kiosk), "%s", kiosk);
	return k;
}

const struct confpush_kiosk *
confpush_kiosk_get(const struct confpush *cp, const char *kiosk)
{
	for (size_t i = 0; i < cp->nk; i++)
		if (strcmp(cp->k[i].kiosk, kiosk) == 0)
			return &cp->k[i];
	return NULL;
}

int
confpush_offer(struct confpush *cp, const char *kiosk, uint64_t kiosk_version,
    struct eg_wbuf *out, bool *sent)
{
	struct confpush_kiosk *k;
	size_t mark = out->len;
	int rc = EG_OK;

	if (sent != NULL)
		*sent = false;
	if (cp->version == 0 || kiosk_version == cp->version)
		return EG_OK;
	for (size_t i = 0; i < cp->n; i++) {
		Egate__Envelope env;

		egate__envelope__init(&env);
		env.body_case = EGATE__ENVELOPE__BODY_CONFIG_PUSH;
		env.config_push = cp->parts[i];
		if ((rc = proto_msg_encode(&env, 0, out)) != EG_OK) {
			out->len = mark;	/* never half a configuration */
			EG_LOG(cp->lg, EG_LOG_ERROR, "config.push_failed", EG_STR("kiosk", kiosk),
			    EG_UINT("version", cp->version), EG_ERRF(rc));
			return rc;
		}
	}
	if ((k = kiosk_rec(cp, kiosk)) != NULL)
		k->pushed = cp->version;
	EG_LOG(cp->lg, EG_LOG_NOTICE, "config.pushed", EG_STR("kiosk", kiosk),
	    EG_UINT("version", cp->version), EG_UINT("kiosk_version", kiosk_version),
	    EG_UINT("parts", cp->n));
	if (sent != NULL)
		*sent = true;
	return EG_OK;
}

void
confpush_applied(struct confpush *cp, const char *kiosk, const Egate__ConfigApplied *a)
{
	struct confpush_kiosk *k = kiosk_rec(cp, kiosk);
	const char *detail = a->detail != NULL ? a->detail : "";

	EG_LOG(cp->lg, a->ok ? EG_LOG_NOTICE : EG_LOG_ERROR,
	    a->ok ? "config.applied" : "config.rejected", EG_STR("kiosk", kiosk),
	    EG_UINT("version", a->version), EG_BOOL("ok", a->ok), EG_INT("error", a->error),
	    EG_STR("detail", detail), EG_UINT("served", cp->version));
	if (k == NULL)
		return;
	k->have_result = true;
	k->result_version = a->version;
	k->result_ok = a->ok;
	k->result_error = (int)a->error;
	snprintf(k->result_detail, sizeof(k->result_detail), "%s", detail);
	k->result_ms = host_wall_ms();
	if (a->ok)
		k->applied = a->version;
}

void
confpush_reported(struct confpush *cp, const char *kiosk, uint64_t version)
{
	struct confpush_kiosk *k = kiosk_rec(cp, kiosk);

	if (k != NULL)
		k->applied = version;
}

void
confpush_clear(struct confpush *cp)
{
	parts_free(cp->parts, cp->n);
	free(cp->k);
	memset(cp, 0, sizeof(*cp));
}
