/* SPDX-License-Identifier: Apache-2.0 */
/* csca.c — CSCA trust store, master lists and CRLs, entry by entry (see csca.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <mbedtls/pem.h>

#include "egate/error.h"
#include "docauth/cms.h"
#include "docauth/csca.h"
#include "der.h"

#define MAX_FILE (16u * 1024u * 1024u)	/* master lists are a few MB */

struct entry {
	struct cert *c;
	bool anchor;
};

struct csca_store {
	struct entry *e;
	size_t n, cap, n_anchors;
	struct crl **crl;
	size_t n_crl, crl_cap;
};

static const char *const skip_names[CSCA_SKIP_COUNT] = {
	[CSCA_SKIP_UNPARSABLE] = "unparsable",
	[CSCA_SKIP_UNSUPPORTED_KEY] = "unsupported_key",
	[CSCA_SKIP_NOT_CA] = "not_ca",
	[CSCA_SKIP_NO_KEY_CERT_SIGN] = "no_key_cert_sign",
	[CSCA_SKIP_BAD_SELF_SIGNATURE] = "bad_self_signature",
	[CSCA_SKIP_BAD_LINK_SIGNATURE] = "bad_link_signature",
	[CSCA_SKIP_DUPLICATE] = "duplicate",
};

static const char *const ml_names[CSCA_ML_COUNT] = {
	[CSCA_ML_ACCEPTED] = "accepted",
	[CSCA_ML_MALFORMED] = "malformed",
	[CSCA_ML_BAD_DIGEST] = "bad_digest",
	[CSCA_ML_SIGNER_MISSING] = "signer_missing",
	[CSCA_ML_BAD_SIGNATURE] = "bad_signature",
	[CSCA_ML_SIGNER_ROLE] = "signer_role",
	[CSCA_ML_NO_ANCHORS] = "no_anchors",
	[CSCA_ML_SIGNER_UNTRUSTED] = "signer_untrusted",
	[CSCA_ML_SIGNER_NOT_VALID] = "signer_not_valid",
};

const char *
csca_skip_str(enum csca_skip s)
{
	return (unsigned)s < CSCA_SKIP_COUNT ? skip_names[s] : "unknown";
}

const char *
csca_ml_status_str(enum csca_ml_status s)
{
	return (unsigned)s < CSCA_ML_COUNT ? ml_names[s] : "unknown";
}

void
csca_report_init(struct csca_report *r)
{
	if (r != NULL) {
		memset(r, 0, sizeof(*r));
		r->ml_status = CSCA_ML_ACCEPTED;
	}
}

size_t
csca_report_skipped(const struct csca_report *r)
{
	size_t n = 0;

	for (int i = 0; r != NULL && i < CSCA_SKIP_COUNT; i++)
		if (i != CSCA_SKIP_DUPLICATE)
			n += r->skipped[i];
	return n;
}

void
csca_report_summary(const struct csca_report *r, char *out, size_t cap)
{
	size_t k = 0;
	bool first = true;
	int w;

	if (out == NULL || cap == 0)
		return;
	out[0] = '\0';
	if (r == NULL)
		return;
#define PUT(...) do { \
	w = snprintf(out + k, cap - k, __VA_ARGS__); \
	if (w < 0 || (size_t)w >= cap - k) return; \
	k += (size_t)w; \
} while (0)
	PUT("%zu added", r->added);
	for (int i = 0; i < CSCA_SKIP_COUNT; i++) {
		if (r->skipped[i] == 0)
			continue;
		PUT("%s%zu %s", first ? "; skipped: " : ", ", r->skipped[i], skip_names[i]);
		first = false;
	}
	if (r->links_unverified > 0)
		PUT("; %zu link certificate(s) with an unknown issuer", r->links_unverified);
	if (r->lists_refused > 0)
		PUT("; %zu master list(s) refused", r->lists_refused);
	if (r->files_failed > 0)
		PUT("; %zu file(s) with problems", r->files_failed);
	if (r->detail[0] != '\0')
		PUT(" (last: %s)", r->detail);
#undef PUT
}

#define DETAIL(rep, ...) do { \
	if ((rep) != NULL) snprintf((rep)->detail, sizeof((rep)->detail), __VA_ARGS__); \
} while (0)

int
csca_store_new(struct csca_store **out)
{
	if (out == NULL)
		return EG_ERR_INVAL;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return EG_ERR_NOMEM;
	return EG_OK;
}

void
csca_store_free(struct csca_store **s)
{
	if (s == NULL || *s == NULL)
		return;
	for (size_t i = 0; i < (*s)->n; i++)
		cert_free(&(*s)->e[i].c);
	for (size_t i = 0; i < (*s)->n_crl; i++)
		crl_free(&(*s)->crl[i]);
	free((*s)->e);
	free((*s)->crl);
	free(*s);
	*s = NULL;
}

size_t
csca_store_count(const struct csca_store *s)
{
	return s != NULL ? s->n : 0;
}

size_t
csca_store_crl_count(const struct csca_store *s)
{
	return s != NULL ? s->n_crl : 0;
}

struct cert *
csca_store_cert(struct csca_store *s, size_t i)
{
	return s != NULL && i < s->n ? s->e[i].c : NULL;
}

bool
csca_store_is_anchor(const struct csca_store *s, size_t i)
{
	return s != NULL && i < s->n && s->e[i].anchor;
}

const struct crl *
csca_store_crl(const struct csca_store *s, size_t i)
{
	return s != NULL && i < s->n_crl ? s->crl[i] : NULL;
}

/* ---- issuer search ------------------------------------------------------------ */

enum { BY_KEY_ID, BY_NAME, BY_ANY_ORDER, BY_COUNT };
static const char *const by_names[BY_COUNT] = { "key identifier", "name", "reordered name" };

static bool
candidate(const struct cert *issuer, const struct cert *c, int by)
{
	switch (by) {
	case BY_KEY_ID:
		return c->aki.len > 0 && issuer->ski.len == c->aki.len &&
		    memcmp(issuer->ski.p, c->aki.p, c->aki.len) == 0;
	case BY_NAME:
		return cert_name_eq(&issuer->subject, &c->issuer);
	default:
		return !cert_name_eq(&issuer->subject, &c->issuer) &&
		    cert_name_eq_any_order(&issuer->subject, &c->issuer);
	}
}

long
csca_store_find_issuer(struct csca_store *s, const struct cert *c, bool anchors_only,
    const char **how, char *reason, size_t cap)
{
	long refused = -1;
	char why[160] = "";

	if (how != NULL)
		*how = NULL;
	if (reason != NULL && cap > 0)
		reason[0] = '\0';
	if (s == NULL || c == NULL)
		return -1;
	for (int by = BY_KEY_ID; by < BY_COUNT; by++) {
		for (size_t i = 0; i < s->n; i++) {
			struct cert *is = s->e[i].c;

			if ((anchors_only && !s->e[i].anchor) || is == c || !candidate(is, c, by))
				continue;
			if (cert_verify_signed_by(c, is, why, sizeof(why)) == EG_OK) {
				if (how != NULL)
					*how = by_names[by];
				return (long)i;
			}
			if (refused < 0) {
				refused = (long)i;
				if (reason != NULL && cap > 0) {
					char sub[200];

					cert_name_str(&is->subject, sub, sizeof(sub));
					snprintf(reason, cap, "the key of CSCA %s (found by %s) does not verify "
					    "the signature: %s", sub, by_names[by], why);
				}
			}
		}
	}
	if (refused < 0 && reason != NULL && cap > 0) {
		char iss[200];

		cert_name_str(&c->issuer, iss, sizeof(iss));
		snprintf(reason, cap, "no %sCSCA named %s%s", anchors_only ? "installed " : "", iss,
		    c->aki.len > 0 ? " or with its authority key identifier" : "");
	}
	return -1;
}

/* ---- adding certificates -------------------------------------------------------- */

static int
push(struct csca_store *s, struct cert *c, bool anchor)
{
	if (s->n == s->cap) {
		size_t nc = s->cap == 0 ? 16 : s->cap * 2;
		struct entry *n = realloc(s->e, nc * sizeof(*n));

		if (n == NULL)
			return EG_ERR_NOMEM;
		s->e = n;
		s->cap = nc;
	}
	s->e[s->n].c = c;
	s->e[s->n].anchor = anchor;
	s->n++;
	if (anchor)
		s->n_anchors++;
	return EG_OK;
}

static long
find_same(const struct csca_store *s, const struct cert *c)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].c->der_len == c->der_len &&
		    memcmp(s->e[i].c->der, c->der, c->der_len) == 0)
			return (long)i;
	return -1;
}

/* The role checks of a CSCA (csca.h); CSCA_SKIP_COUNT if it passes. */
static enum csca_skip
ca_role(const struct cert *c)
{
	bool is_ca = c->has_bc ? c->ca : (c->has_ku && (c->ku & CERT_KU_KEY_CERT_SIGN) != 0);

	if (!is_ca)
		return CSCA_SKIP_NOT_CA;
	if (c->has_ku && (c->ku & CERT_KU_KEY_CERT_SIGN) == 0)
		return CSCA_SKIP_NO_KEY_CERT_SIGN;
	return CSCA_SKIP_COUNT;
}

/* A certificate whose authority key identifier is its own subject key
 * identifier (or, without one, whose issuer is its subject) claims to be
 * self-signed; any other CA is a link. */
static bool
claims_self_signed(const struct cert *c)
{
	if (c->aki.len > 0)
		return c->aki.len == c->ski.len && memcmp(c->aki.p, c->ski.p, c->aki.len) == 0;
	return c->self_issued;
}

/* Is there a CSCA in the store whose subject key identifier is c's
 * authority key identifier (c's issuer, for certain)? */
static bool
keyid_issuer_known(const struct csca_store *s, const struct cert *c)
{
	for (size_t i = 0; c->aki.len > 0 && i < s->n; i++)
		if (s->e[i].c->ski.len == c->aki.len &&
		    memcmp(s->e[i].c->ski.p, c->aki.p, c->aki.len) == 0)
			return true;
	return false;
}

static void
skip(struct csca_report *rep, enum csca_skip why, const char *where, const struct cert *c)
{
	char sub[160] = "";

	if (rep == NULL)
		return;
	rep->skipped[why]++;
	if (why == CSCA_SKIP_DUPLICATE)
		return;
	if (c != NULL)
		cert_name_str(&c->subject, sub, sizeof(sub));
	DETAIL(rep, "%s%s%s: %s", where, sub[0] ? " " : "", sub, skip_names[why]);
}

/*
 * Add a batch of parsed CA candidates (ownership taken): roots first, then
 * links in passes until no link finds its issuer. Returns EG_ERR_NOMEM or
 * EG_OK; *bad counts entries skipped.
 */
static int
add_batch(struct csca_store *s, struct cert **v, size_t n, bool anchor, const char *where,
    struct csca_report *rep, size_t *bad)
{
	bool progress = true;
	int ret = EG_OK;

	/* role, duplicates and self-signed CSCAs */
	for (size_t i = 0; i < n; i++) {
		enum csca_skip why = ca_role(v[i]);
		long same;

		if (why != CSCA_SKIP_COUNT) {
			skip(rep, why, where, v[i]);
			(*bad)++;
			cert_free(&v[i]);
			continue;
		}
		if ((same = find_same(s, v[i])) >= 0) {
			if (anchor && !s->e[same].anchor) {
				s->e[same].anchor = true;
				s->n_anchors++;
			}
			skip(rep, CSCA_SKIP_DUPLICATE, where, v[i]);
			cert_free(&v[i]);
			continue;
		}
		if (!claims_self_signed(v[i]))
			continue;	/* a link: below */
		/* its own key must verify it (whatever its issuer name says) */
		if (cert_verify_signed_by(v[i], v[i], NULL, 0) != EG_OK) {
			skip(rep, CSCA_SKIP_BAD_SELF_SIGNATURE, where, v[i]);
			(*bad)++;
			cert_free(&v[i]);
			continue;
		}
		if ((ret = push(s, v[i], anchor)) != EG_OK)
			goto out;
		v[i] = NULL;
		if (rep != NULL)
			rep->added++;
	}
	/* links whose issuer is (now) known */
	while (progress) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			if (v[i] == NULL || csca_store_find_issuer(s, v[i], false, NULL, NULL, 0) < 0)
				continue;
			if ((ret = push(s, v[i], anchor)) != EG_OK)
				goto out;
			v[i] = NULL;
			progress = true;
			if (rep != NULL)
				rep->added++;
		}
	}
	/* the rest: a known issuer (by key identifier) that refuses the
	 * signature is an error; an unknown one (other keys of the same name
	 * prove nothing) leaves the link to the list's or integrator's word */
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL)
			continue;
		if (keyid_issuer_known(s, v[i])) {
			skip(rep, CSCA_SKIP_BAD_LINK_SIGNATURE, where, v[i]);
			(*bad)++;
			cert_free(&v[i]);
			continue;
		}
		if ((ret = push(s, v[i], anchor)) != EG_OK)
			goto out;
		v[i] = NULL;
		if (rep != NULL) {
			rep->added++;
			rep->links_unverified++;
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		cert_free(&v[i]);
	return ret;
}

static bool
looks_pem(const uint8_t *buf, size_t len)
{
	return len >= 11 && memmem(buf, len, "-----BEGIN", 10) != NULL;
}

/*
 * Split buf into DER blobs: PEM blocks with one of the labels, or
 * concatenated DER TLVs. fn is called for each; *n_bad counts PEM blocks
 * or trailing bytes that could not be decoded.
 */
static int
split(const uint8_t *buf, size_t len, const char *const *labels,
    int (*fn)(void *ctx, const uint8_t *der, size_t len), void *ctx, size_t *n_bad)
{
	int ret = EG_OK;

	if (!looks_pem(buf, len)) {
		struct eg_rbuf b = eg_rbuf_init(buf, len);
		struct eg_tlv t;

		while (eg_rbuf_left(&b) > 0) {
			if (ber_read(&b, &t) != EG_OK || t.tag != 0x30) {
				(*n_bad)++;
				break;
			}
			if ((ret = fn(ctx, t.raw, t.raw_len)) != EG_OK)
				break;
		}
		return ret;
	}
	{
		char *z = malloc(len + 1), *p;

		if (z == NULL)
			return EG_ERR_NOMEM;
		memcpy(z, buf, len);
		z[len] = '\0';
		p = z;
		while ((p = strstr(p, "-----BEGIN ")) != NULL && ret == EG_OK) {
			char hdr[64], ftr[64];
			const char *const *l;
			mbedtls_pem_context pem;
			size_t used = 0;

			for (l = labels; *l != NULL; l++) {
				snprintf(hdr, sizeof(hdr), "-----BEGIN %s-----", *l);
				if (strncmp(p, hdr, strlen(hdr)) == 0)
					break;
			}
			if (*l == NULL) {	/* another kind of block: skip it */
				p += 11;
				continue;
			}
			snprintf(ftr, sizeof(ftr), "-----END %s-----", *l);
			mbedtls_pem_init(&pem);
			if (mbedtls_pem_read_buffer(&pem, hdr, ftr, (const unsigned char *)p, NULL, 0,
			    &used) == 0) {
				ret = fn(ctx, pem.buf, pem.buflen);
				p += used;
			} else {
				(*n_bad)++;
				p += strlen(hdr);
			}
			mbedtls_pem_free(&pem);
		}
		free(z);
	}
	return ret;
}

struct collect {
	struct cert **v;
	size_t n, cap;
	size_t n_unparsable, n_unsupported;
	const char *where;
	struct csca_report *rep;
};

static int
collect_cert(void *ctx, const uint8_t *der, size_t len)
{
	struct collect *c = ctx;
	struct cert *crt = NULL;
	int r;

	if ((r = cert_parse(der, len, &crt)) != EG_OK) {
		if (r == EG_ERR_NOMEM)
			return r;
		if (r == EG_ERR_UNSUPPORTED || r == EG_ERR_CERT) {
			c->n_unsupported++;
			skip(c->rep, CSCA_SKIP_UNSUPPORTED_KEY, c->where, NULL);
		} else {
			c->n_unparsable++;
			skip(c->rep, CSCA_SKIP_UNPARSABLE, c->where, NULL);
		}
		if (c->rep != NULL)
			snprintf(c->rep->detail, sizeof(c->rep->detail), "%s: certificate %zu: %s (%s)",
			    c->where, c->n + c->n_unparsable + c->n_unsupported,
			    r == EG_ERR_UNSUPPORTED || r == EG_ERR_CERT ? "unsupported or invalid key" :
			    "does not parse", eg_err_name(r));
		return EG_OK;
	}
	if (c->n == c->cap) {
		size_t nc = c->cap == 0 ? 16 : c->cap * 2;
		struct cert **n = realloc(c->v, nc * sizeof(*n));

		if (n == NULL) {
			cert_free(&crt);
			return EG_ERR_NOMEM;
		}
		c->v = n;
		c->cap = nc;
	}
	c->v[c->n++] = crt;
	return EG_OK;
}

static void
collect_free(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		cert_free(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static const char *const cert_labels[] = { "CERTIFICATE", "X509 CERTIFICATE",
	"TRUSTED CERTIFICATE", NULL };

static int
add_certs(struct csca_store *s, const uint8_t *buf, size_t len, const char *where,
    struct csca_report *rep)
{
	struct collect col = { .where = where, .rep = rep };
	size_t bad = 0, n_bad_blocks = 0, before = rep != NULL ? rep->added : 0;
	int ret;

	if (s == NULL || buf == NULL || len == 0)
		return EG_ERR_INVAL;
	ret = split(buf, len, cert_labels, collect_cert, &col, &n_bad_blocks);
	if (ret == EG_OK)
		ret = add_batch(s, col.v, col.n, true, where, rep, &bad);
	col.n = 0;	/* add_batch took them */
	collect_free(&col);
	if (n_bad_blocks > 0 && rep != NULL) {
		rep->skipped[CSCA_SKIP_UNPARSABLE] += n_bad_blocks;
		DETAIL(rep, "%s: %zu block(s) that are not certificates", where, n_bad_blocks);
	}
	if (ret != EG_OK)
		return ret;
	bad += col.n_unparsable + col.n_unsupported + n_bad_blocks;
	if (bad > 0)
		return EG_ERR_CERT;
	if (rep != NULL && rep->added == before && rep->skipped[CSCA_SKIP_DUPLICATE] == 0)
		return EG_ERR_CERT;	/* nothing in it */
	return EG_OK;
}

int
csca_store_add_cert_report(struct csca_store *s, const uint8_t *buf, size_t len,
    struct csca_report *rep)
{
	struct csca_report local;

	if (rep == NULL) {
		csca_report_init(&local);
		rep = &local;
	}
	return add_certs(s, buf, len, "certificate", rep);
}

int
csca_store_add_cert(struct csca_store *s, const uint8_t *buf, size_t len)
{
	return csca_store_add_cert_report(s, buf, len, NULL);
}

/* ---- CRLs ---------------------------------------------------------------------- */

struct crl_ctx {
	struct csca_store *s;
	size_t added, bad;
};

static int
collect_crl(void *ctx, const uint8_t *der, size_t len)
{
	struct crl_ctx *c = ctx;
	struct crl *crl = NULL;
	int r;

	if ((r = crl_parse(der, len, &crl)) != EG_OK) {
		if (r == EG_ERR_NOMEM)
			return r;
		c->bad++;
		return EG_OK;
	}
	if (c->s->n_crl == c->s->crl_cap) {
		size_t nc = c->s->crl_cap == 0 ? 8 : c->s->crl_cap * 2;
		struct crl **n = realloc(c->s->crl, nc * sizeof(*n));

		if (n == NULL) {
			crl_free(&crl);
			return EG_ERR_NOMEM;
		}
		c->s->crl = n;
		c->s->crl_cap = nc;
	}
	c->s->crl[c->s->n_crl++] = crl;
	c->added++;
	return EG_OK;
}

static int
add_crls(struct csca_store *s, const uint8_t *buf, size_t len, size_t *added)
{
	static const char *const labels[] = { "X509 CRL", NULL };
	struct crl_ctx c = { .s = s };
	size_t n_bad = 0;
	int ret;

	if (s == NULL || buf == NULL || len == 0)
		return EG_ERR_INVAL;
	ret = split(buf, len, labels, collect_crl, &c, &n_bad);
	if (added != NULL)
		*added = c.added;
	if (ret != EG_OK)
		return ret;
	return c.bad + n_bad > 0 || c.added == 0 ? EG_ERR_CERT : EG_OK;
}

int
csca_store_add_crl(struct csca_store *s, const uint8_t *buf, size_t len)
{
	return add_crls(s, buf, len, NULL);
}

/* ---- files ----------------------------------------------------------------------- */

static bool
has_ext(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');

	for (; dot != NULL && *exts != NULL; exts++)
		if (strcasecmp(dot + 1, *exts) == 0)
			return true;
	return false;
}

static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf = NULL;
	int ret = EG_ERR_IO;

	*out = NULL;
	if (f == NULL)
		return EG_ERR_IO;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	ret = EG_ERR_OVERFLOW;
	if (st.st_size <= 0 || (size_t)st.st_size > MAX_FILE)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((buf = malloc((size_t)st.st_size)) == NULL)
		goto out;
	ret = EG_ERR_IO;
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		goto out;
	*out = buf;
	*len = (size_t)st.st_size;
	buf = NULL;
	ret = EG_OK;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the files in dir with one of exts, sorted (so loads are
 * reproducible). *out is a NULL-terminated array to free with free_names. */
static int
list_dir(const char *dir, const char *const *exts, char ***out, size_t *n_out)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int ret = EG_OK;

	*out = NULL;
	*n_out = 0;
	if ((d = opendir(dir)) == NULL)
		return EG_ERR_IO;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !has_ext(e->d_name, exts))
			continue;
		if (n + 1 >= cap) {
			size_t nc = cap == 0 ? 16 : cap * 2;
			char **nv = realloc(v, nc * sizeof(*nv));

			if (nv == NULL) {
				ret = EG_ERR_NOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		if ((v[n] = strdup(e->d_name)) == NULL) {
			ret = EG_ERR_NOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (v != NULL)
		v[n] = NULL;
	if (ret != EG_OK) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return ret;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	*n_out = n;
	return EG_OK;
}

static void
free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int
load_dir(struct csca_store *s, const char *dir, const char *const *exts, bool crl,
    struct csca_report *rep)
{
	char **names = NULL;
	size_t n = 0;
	int ret;

	if (s == NULL || dir == NULL)
		return EG_ERR_INVAL;
	if ((ret = list_dir(dir, exts, &names, &n)) != EG_OK)
		return ret;
	for (size_t i = 0; i < n && ret == EG_OK; i++) {
		char path[4096];
		uint8_t *buf = NULL;
		size_t len = 0, added = 0;
		int r;

		rep->files++;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path) ||
		    (r = read_file(path, &buf, &len)) != EG_OK) {
			rep->files_failed++;
			DETAIL(rep, "%s: cannot be read", names[i]);
			continue;
		}
		if (crl) {
			r = add_crls(s, buf, len, &added);
			rep->added += added;
			if (r == EG_ERR_CERT) {
				rep->skipped[CSCA_SKIP_UNPARSABLE]++;
				DETAIL(rep, "%s: not a CRL (or partly unreadable)", names[i]);
			}
		} else {
			r = add_certs(s, buf, len, names[i], rep);
		}
		free(buf);
		if (r == EG_ERR_NOMEM)
			ret = r;
		else if (r != EG_OK)
			rep->files_failed++;
	}
	free_names(names, n);
	return ret;
}

int
csca_store_load_dir(struct csca_store *s, const char *dir, size_t *n_loaded, size_t *n_failed)
{
	static const char *const exts[] = { "pem", "crt", "cer", "der", NULL };
	struct csca_report rep;
	int ret;

	csca_report_init(&rep);
	ret = load_dir(s, dir, exts, false, &rep);
	if (n_loaded != NULL)
		*n_loaded = rep.added;
	if (n_failed != NULL)
		*n_failed = rep.files_failed;
	return ret;
}

int
csca_store_load_crl_dir(struct csca_store *s, const char *dir, size_t *n_loaded,
    size_t *n_failed)
{
	static const char *const exts[] = { "crl", "pem", "der", NULL };
	struct csca_report rep;
	int ret;

	csca_report_init(&rep);
	ret = load_dir(s, dir, exts, true, &rep);
	if (n_loaded != NULL)
		*n_loaded = rep.added;
	if (n_failed != NULL)
		*n_failed = rep.files_failed;
	return ret;
}

/* ---- master lists ----------------------------------------------------------------- */

static int
ml_refuse(struct csca_report *rep, enum csca_ml_status st)
{
	rep->ml_status = st;
	rep->lists_refused++;
	switch (st) {
	case CSCA_ML_MALFORMED:
		return EG_ERR_FORMAT;
	case CSCA_ML_BAD_DIGEST:
	case CSCA_ML_BAD_SIGNATURE:
		return EG_ERR_AUTH;
	default:
		return EG_ERR_CERT;
	}
}

/* The master list signer's role (ICAO Doc 9303 Part 12, 7.1.3). */
static bool
ml_signer_role(const struct cert *c, char *why, size_t cap)
{
	if (!c->eku_ml_signer) {
		snprintf(why, cap, "no extendedKeyUsage id-icao-cscaMasterListSigningKey (2.23.136.1.1.3)");
		return false;
	}
	if (c->has_bc && c->ca) {
		snprintf(why, cap, "it is a CA certificate");
		return false;
	}
	if (c->has_ku && (c->ku & CERT_KU_DIGITAL_SIGNATURE) == 0) {
		snprintf(why, cap, "its keyUsage lacks digitalSignature");
		return false;
	}
	return true;
}

int
csca_store_add_masterlist_report(struct csca_store *s, const uint8_t *buf, size_t len,
    time_t now, struct csca_report *rep)
{
	struct csca_report local;
	struct cms_signed_data sd;
	struct cert *signer = NULL;
	struct collect col;
	struct eg_rbuf b, in, set;
	struct eg_tlv seq, t;
	char why[200], sub[200];
	size_t bad = 0;
	long version;
	int ret, r2;

	if (rep == NULL) {
		csca_report_init(&local);
		rep = &local;
	}
	memset(&sd, 0, sizeof(sd));
	memset(&col, 0, sizeof(col));
	col.where = "master list entry";
	col.rep = rep;
	if (s == NULL || buf == NULL)
		return EG_ERR_INVAL;
	rep->lists++;
	rep->ml_status = CSCA_ML_ACCEPTED;
	if ((ret = cms_parse(buf, len, &sd)) != EG_OK) {
		if (ret == EG_ERR_NOMEM)
			return ret;
		DETAIL(rep, "master list refused (malformed): not a CMS SignedData: %s",
		    eg_strerror(ret));
		ret = ml_refuse(rep, CSCA_ML_MALFORMED);
		goto out;
	}
	if (sd.econtent_type.len != DER_OID_LEN(DER_OID_CSCA_ML) ||
	    memcmp(sd.econtent_type.p, DER_OID_CSCA_ML, sd.econtent_type.len) != 0) {
		DETAIL(rep, "master list refused (malformed): eContentType is not id-icao-cscaMasterList");
		ret = ml_refuse(rep, CSCA_ML_MALFORMED);
		goto out;
	}
	if ((ret = cms_check_message_digest(&sd, why, sizeof(why))) != EG_OK) {
		DETAIL(rep, "master list refused (%s): %s", ret == EG_ERR_AUTH ? "bad_digest" :
		    "malformed", why);
		ret = ml_refuse(rep, ret == EG_ERR_AUTH ? CSCA_ML_BAD_DIGEST : CSCA_ML_MALFORMED);
		goto out;
	}
	if ((ret = cms_signer_cert(&sd, &signer, &r2)) != EG_OK) {
		DETAIL(rep, "master list refused (signer_missing): signer certificate missing or "
		    "unparsable%s%s", r2 != EG_OK ? ": " : "", r2 != EG_OK ? eg_err_name(r2) : "");
		ret = ml_refuse(rep, CSCA_ML_SIGNER_MISSING);
		goto out;
	}
	cert_name_str(&signer->subject, sub, sizeof(sub));
	if ((ret = cms_verify_signature(&sd, &signer->pk, why, sizeof(why))) != EG_OK) {
		DETAIL(rep, "master list refused (bad_signature): master list signature: %s", why);
		ret = ml_refuse(rep, CSCA_ML_BAD_SIGNATURE);
		goto out;
	}
	if (!ml_signer_role(signer, why, sizeof(why))) {
		DETAIL(rep, "master list refused (signer_role): signer %.120s is not a master "
		    "list signer: %.120s", sub, why);
		ret = ml_refuse(rep, CSCA_ML_SIGNER_ROLE);
		goto out;
	}
	if (s->n_anchors == 0) {
		DETAIL(rep, "master list refused (no_anchors): no CSCA anchors installed to verify "
		    "the master list signer");
		ret = ml_refuse(rep, CSCA_ML_NO_ANCHORS);
		goto out;
	}
	if (csca_store_find_issuer(s, signer, true, NULL, why, sizeof(why)) < 0) {
		DETAIL(rep, "master list refused (signer_untrusted): master list signer %.100s "
		    "does not chain to an installed CSCA: %.120s", sub, why);
		ret = ml_refuse(rep, CSCA_ML_SIGNER_UNTRUSTED);
		goto out;
	}
	if (!cert_valid_at(signer, (int64_t)now)) {
		DETAIL(rep, "master list refused (signer_not_valid): master list signer "
		    "certificate not valid at the check time");
		ret = ml_refuse(rep, CSCA_ML_SIGNER_NOT_VALID);
		goto out;
	}
	/* CscaMasterList ::= SEQUENCE { version INTEGER (v0), certList SET OF Certificate } */
	b = eg_rbuf_init(sd.econtent.p, sd.econtent.len);
	if (ber_expect(&b, 0x30, &seq) != EG_OK || eg_rbuf_left(&b) != 0) {
		DETAIL(rep, "master list refused (malformed): CscaMasterList is not a SEQUENCE");
		ret = ml_refuse(rep, CSCA_ML_MALFORMED);
		goto out;
	}
	in = seq.value;
	if (ber_expect(&in, 0x02, &t) != EG_OK || der_int(&t, &version) != EG_OK ||
	    version != 0 || ber_expect(&in, 0x31, &t) != EG_OK || eg_rbuf_left(&in) != 0) {
		DETAIL(rep, "master list refused (malformed): CscaMasterList version or certList "
		    "malformed");
		ret = ml_refuse(rep, CSCA_ML_MALFORMED);
		goto out;
	}
	/* entry by entry: an entry that is not a certificate is skipped */
	set = t.value;
	ret = EG_OK;
	while (eg_rbuf_left(&set) > 0 && ret == EG_OK) {
		if (ber_read(&set, &t) != EG_OK) {
			rep->skipped[CSCA_SKIP_UNPARSABLE]++;
			DETAIL(rep, "master list entry %zu: not a TLV; the rest of the list is unreadable",
			    col.n + col.n_unparsable + col.n_unsupported + 1);
			bad++;
			break;
		}
		ret = collect_cert(&col, t.raw, t.raw_len);
	}
	if (ret == EG_OK)
		ret = add_batch(s, col.v, col.n, false, "master list entry", rep, &bad);
	col.n = 0;
out:
	collect_free(&col);
	cert_free(&signer);
	cms_signed_data_free(&sd);
	return ret;
}

int
csca_store_add_masterlist(struct csca_store *s, const uint8_t *buf, size_t len,
    time_t now, size_t *n_added, char *reason, size_t cap)
{
	struct csca_report rep;
	int ret;

	csca_report_init(&rep);
	ret = csca_store_add_masterlist_report(s, buf, len, now, &rep);
	if (n_added != NULL)
		*n_added = rep.added;
	if (reason != NULL && cap > 0) {
		if (ret == EG_OK) {
			char sum[300];

			csca_report_summary(&rep, sum, sizeof(sum));
			snprintf(reason, cap, "master list accepted: %s", sum);
		} else {
			snprintf(reason, cap, "%s", rep.detail[0] ? rep.detail : eg_strerror(ret));
		}
	}
	return ret;
}

int
csca_store_load_masterlist_file(struct csca_store *s, const char *path, time_t now,
    size_t *n_added, char *reason, size_t cap)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if (n_added != NULL)
		*n_added = 0;
	if (s == NULL || path == NULL)
		return EG_ERR_INVAL;
	if ((ret = read_file(path, &buf, &len)) != EG_OK) {
		if (reason != NULL && cap > 0)
			snprintf(reason, cap, "cannot read %s: %s", path, eg_strerror(ret));
		return ret;
	}
	ret = csca_store_add_masterlist(s, buf, len, now, n_added, reason, cap);
	free(buf);
	return ret;
}

int
csca_store_load_path_report(struct csca_store *s, const char *path, time_t now,
    struct csca_report *rep)
{
	static const char *const cert_ext[] = { "pem", "crt", "cer", "der", NULL };
	static const char *const ml_ext[] = { "ml", NULL };
	struct csca_report local;
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if (rep == NULL) {
		csca_report_init(&local);
		rep = &local;
	}
	if (s == NULL || path == NULL)
		return EG_ERR_INVAL;
	if (stat(path, &st) != 0) {
		DETAIL(rep, "cannot read %s", path);
		return EG_ERR_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		char **names = NULL;
		size_t n = 0;

		if ((ret = load_dir(s, path, cert_ext, false, rep)) != EG_OK)
			return ret;
		if ((ret = list_dir(path, ml_ext, &names, &n)) != EG_OK)
			return ret;
		for (size_t i = 0; i < n && ret == EG_OK; i++) {
			char file[4096];
			size_t before = csca_report_skipped(rep);
			int r;

			rep->files++;
			if ((size_t)snprintf(file, sizeof(file), "%s/%s", path, names[i]) >=
			    sizeof(file) || read_file(file, &buf, &len) != EG_OK) {
				rep->files_failed++;
				DETAIL(rep, "%s: cannot be read", names[i]);
				continue;
			}
			r = csca_store_add_masterlist_report(s, buf, len, now, rep);
			free(buf);
			buf = NULL;
			if (r == EG_ERR_NOMEM) {
				ret = r;
			} else if (r != EG_OK || csca_report_skipped(rep) > before) {
				char d[sizeof(rep->detail)];

				rep->files_failed++;
				snprintf(d, sizeof(d), "%s", rep->detail);
				DETAIL(rep, "%.60s: %.250s", names[i], d);
			}
		}
		free_names(names, n);
		return ret;
	}
	if ((ret = read_file(path, &buf, &len)) != EG_OK) {
		DETAIL(rep, "cannot read %s", path);
		return ret;
	}
	rep->files++;
	/* a certificate file, or else a master list */
	{
		struct cms_signed_data probe;
		bool is_cms = !looks_pem(buf, len) && cms_parse(buf, len, &probe) == EG_OK;

		if (is_cms)
			cms_signed_data_free(&probe);
		if (is_cms)
			ret = csca_store_add_masterlist_report(s, buf, len, now, rep);
		else
			ret = add_certs(s, buf, len, path, rep);
	}
	if (ret != EG_OK)
		rep->files_failed++;
	free(buf);
	return ret;
}

int
csca_store_load_path(struct csca_store *s, const char *path, time_t now,
    size_t *n_loaded, size_t *n_failed, char *reason, size_t cap)
{
	struct csca_report rep;
	int ret;

	csca_report_init(&rep);
	ret = csca_store_load_path_report(s, path, now, &rep);
	if (n_loaded != NULL)
		*n_loaded = rep.added;
	if (n_failed != NULL)
		*n_failed = rep.files_failed;
	if (reason != NULL && cap > 0)
		csca_report_summary(&rep, reason, cap);
	return ret;
}
