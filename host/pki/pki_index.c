/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki_index.c — the CA's index of issued certificates and enrolment tokens.
 *
 * Why a text file and not SQLite: the index is small (one line per
 * certificate; thousands at most), written rarely and by one process at a
 * time (the folder is locked), and an integrator must be able to read it,
 * diff it, back it up and restore it with ordinary tools, next to ca.key on
 * an offline machine. Rewriting the whole file to a temporary name and
 * renaming it over the old one is atomic, so the file is always either the
 * old or the new version. OpenSSL's `openssl ca` keeps index.txt for the
 * same reasons; ours is tab-separated with a versioned header and strict
 * fields (egate-pki(1) documents it). The text is parsed only through
 * struct eg_rbuf and has a fuzz target (tests/fuzz/fuzz_pki_index.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/utctime.h"
#include "pki.h"
#include "pki_internal.h"

#define INDEX_MAX_BYTES (16u * 1024u * 1024u)
#define INDEX_MAX_RECORDS 1000000u
#define INDEX_MAX_LINE 1024u
#define INDEX_HEADER "egate-ca-index\t1"
#define NFIELDS 9

/* ---- times ------------------------------------------------------------------ */

void
pki_iso_time(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

static bool
digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int
pki_iso_parse(const char *s, size_t n, time_t *out)
{
	int y, mo, d, h, mi, se;
	int64_t t;

	if (n != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &se))
		return EG_ERR_FORMAT;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
		return EG_ERR_FORMAT;
	/* a date that does not exist (31 February) is refused */
	if (eg_utc_unix(y, mo, d, h, mi, se, &t) != EG_OK)
		return EG_ERR_FORMAT;
	*out = (time_t)t;
	return EG_OK;
}

time_t
pki_x509_time(const mbedtls_x509_time *x)
{
	int64_t s;

	return eg_utc_unix(x->year, x->mon, x->day, x->hour, x->min, x->sec, &s) == EG_OK ?
	    (time_t)s : (time_t)-1;
}

/* ---- fields ----------------------------------------------------------------- */

struct field {
	const char *p;
	size_t n;
};

static bool
is_hex_upper(const struct field *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (!((f->p[i] >= '0' && f->p[i] <= '9') || (f->p[i] >= 'A' && f->p[i] <= 'F')))
			return false;
	return true;
}

static bool
is_hex_lower(const struct field *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (!((f->p[i] >= '0' && f->p[i] <= '9') || (f->p[i] >= 'a' && f->p[i] <= 'f')))
			return false;
	return true;
}

static bool
is(const struct field *f, const char *s)
{
	return f->n == strlen(s) && memcmp(f->p, s, f->n) == 0;
}

static bool
copy_field(const struct field *f, char *out, size_t outsz)
{
	if (f->n >= outsz)
		return false;
	memcpy(out, f->p, f->n);
	out[f->n] = '\0';
	return true;
}

static bool
get_serial(const struct field *f, char out[PKI_SERIAL_HEX])
{
	return f->n >= 2 && f->n <= PKI_SERIAL_HEX - 1 && f->n % 2 == 0 && is_hex_upper(f) &&
	    copy_field(f, out, PKI_SERIAL_HEX);
}

static bool
get_role(const struct field *f, enum pki_role *out)
{
	char s[16];

	return copy_field(f, s, sizeof(s)) && pki_role_parse(s, out) == EG_OK;
}

/* A CN as the index stores it. Issued certificates have pki_cn_ok() CNs;
 * the CA's own name may also hold spaces and other printable characters. */
static bool
cn_field_ok(const char *cn, enum pki_role role)
{
	size_t n = strlen(cn);

	if (role != PKI_ROLE_CA)
		return pki_cn_ok(cn);
	if (n == 0 || n > PKI_CN_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)cn; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool
get_cn(const struct field *f, enum pki_role role, char out[PKI_CN_MAX + 1])
{
	return copy_field(f, out, PKI_CN_MAX + 1) && memchr(f->p, '\0', f->n) == NULL &&
	    cn_field_ok(out, role);
}

static bool
get_time(const struct field *f, time_t *out)
{
	return pki_iso_parse(f->p, f->n, out) == EG_OK;
}

/* "-" or a time */
static bool
get_opt_time(const struct field *f, time_t *out)
{
	if (is(f, "-")) {
		*out = 0;
		return true;
	}
	return get_time(f, out) && *out != 0;
}

static bool
origin_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == ':' || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* ---- parse -------------------------------------------------------------------- */

static int
grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t nc;

	if (n < *cap)
		return EG_OK;
	nc = *cap ? *cap * 2 : 16;
	if ((p = realloc(*arr, nc * elem)) == NULL)
		return EG_ERR_NOMEM;
	*arr = p;
	*cap = nc;
	return EG_OK;
}

static int
parse_cert(const struct field *f, struct pki_cert_rec *r)
{
	memset(r, 0, sizeof(*r));
	if (!get_serial(&f[1], r->serial) || !get_role(&f[2], &r->role) ||
	    !get_cn(&f[3], r->role, r->cn) || !get_time(&f[4], &r->not_before) ||
	    !get_time(&f[5], &r->not_after) || r->not_after < r->not_before)
		return EG_ERR_FORMAT;
	if (is(&f[6], "valid"))
		r->revoked = false;
	else if (is(&f[6], "revoked"))
		r->revoked = true;
	else
		return EG_ERR_FORMAT;
	if (!get_opt_time(&f[7], &r->revoked_at) || (r->revoked_at != 0) != r->revoked)
		return EG_ERR_FORMAT;
	if (!copy_field(&f[8], r->origin, sizeof(r->origin)) || !origin_ok(r->origin))
		return EG_ERR_FORMAT;
	return EG_OK;
}

static int
parse_token(const struct field *f, struct pki_token_rec *r)
{
	memset(r, 0, sizeof(*r));
	if (f[1].n != PKI_HASH_HEX - 1 || !is_hex_lower(&f[1]) ||
	    !copy_field(&f[1], r->hash, sizeof(r->hash)) || !get_role(&f[2], &r->role) ||
	    r->role == PKI_ROLE_CA || !get_cn(&f[3], r->role, r->cn) ||
	    !get_time(&f[4], &r->created) || !get_time(&f[5], &r->expires) ||
	    r->expires < r->created)
		return EG_ERR_FORMAT;
	if (is(&f[6], "unused"))
		r->used = false;
	else if (is(&f[6], "used"))
		r->used = true;
	else
		return EG_ERR_FORMAT;
	if (!get_opt_time(&f[7], &r->used_at) || (r->used_at != 0) != r->used)
		return EG_ERR_FORMAT;
	if (is(&f[8], "-")) {
		if (r->used)
			return EG_ERR_FORMAT;
	} else if (!r->used || !get_serial(&f[8], r->serial)) {
		return EG_ERR_FORMAT;
	}
	return EG_OK;
}

/* Split one line (without its newline) at tabs into exactly NFIELDS. */
static int
split(struct eg_rbuf line, struct field f[NFIELDS])
{
	size_t k = 0;

	f[0].p = (const char *)line.p;
	f[0].n = 0;
	while (eg_rbuf_left(&line) > 0) {
		uint8_t c;
		(void)eg_rbuf_u8(&line, &c);
		if (c == '\t') {
			if (++k == NFIELDS)
				return EG_ERR_FORMAT;
			f[k].p = (const char *)line.p;
			f[k].n = 0;
		} else if (c < 0x20 || c == 0x7f) {
			return EG_ERR_FORMAT;
		} else {
			f[k].n++;
		}
	}
	if (k != NFIELDS - 1)
		return EG_ERR_FORMAT;
	for (size_t i = 0; i < NFIELDS; i++)
		if (f[i].n == 0)
			return EG_ERR_FORMAT;
	return EG_OK;
}

int
pki_index_parse(const char *text, size_t len, struct pki_index *out, int *bad_line)
{
	struct eg_rbuf b = eg_rbuf_init(text, len);
	size_t ccap = 0, tcap = 0;
	int line = 0, ret = EG_OK;

	memset(out, 0, sizeof(*out));
	if (bad_line != NULL)
		*bad_line = 0;
	if (len > INDEX_MAX_BYTES)
		return EG_ERR_OVERFLOW;
	while (eg_rbuf_left(&b) > 0) {
		struct eg_rbuf l;
		struct field f[NFIELDS];
		const uint8_t *nl = memchr(b.p, '\n', eg_rbuf_left(&b));
		size_t n = nl != NULL ? (size_t)(nl - b.p) : eg_rbuf_left(&b);

		line++;
		ret = EG_ERR_FORMAT;
		if (nl == NULL || n > INDEX_MAX_LINE)
			goto fail;	/* every line ends with a newline */
		(void)eg_rbuf_sub(&b, n, &l);
		(void)eg_rbuf_skip(&b, 1);
		if (line == 1) {
			if (n != strlen(INDEX_HEADER) || memcmp(l.p, INDEX_HEADER, n) != 0)
				goto fail;
			continue;
		}
		if (n == 0 || l.p[0] == '#')
			continue;
		if (split(l, f) != EG_OK)
			goto fail;
		if (out->ncerts + out->ntokens >= INDEX_MAX_RECORDS) {
			ret = EG_ERR_OVERFLOW;
			goto fail;
		}
		if (is(&f[0], "cert")) {
			struct pki_cert_rec r;
			if (parse_cert(f, &r) != EG_OK)
				goto fail;
			for (size_t i = 0; i < out->ncerts; i++)
				if (strcmp(out->certs[i].serial, r.serial) == 0)
					goto fail;	/* one serial, one certificate */
			if ((ret = grow((void **)&out->certs, &ccap, out->ncerts, sizeof(r))) != EG_OK)
				goto fail;
			out->certs[out->ncerts++] = r;
		} else if (is(&f[0], "token")) {
			struct pki_token_rec r;
			if (parse_token(f, &r) != EG_OK)
				goto fail;
			for (size_t i = 0; i < out->ntokens; i++)
				if (strcmp(out->tokens[i].hash, r.hash) == 0)
					goto fail;
			if ((ret = grow((void **)&out->tokens, &tcap, out->ntokens, sizeof(r))) != EG_OK)
				goto fail;
			out->tokens[out->ntokens++] = r;
		} else {
			goto fail;
		}
	}
	if (line == 0) {
		ret = EG_ERR_FORMAT;	/* not even a header */
		goto fail;
	}
	return EG_OK;
fail:
	if (bad_line != NULL)
		*bad_line = line;
	pki_index_clear(out);
	return ret;
}

void
pki_index_clear(struct pki_index *idx)
{
	free(idx->certs);
	free(idx->tokens);
	idx->certs = NULL;
	idx->tokens = NULL;
	idx->ncerts = idx->ntokens = 0;
}

/* ---- format ------------------------------------------------------------------- */

static int
put_str(struct eg_wbuf *w, const char *s)
{
	return eg_wbuf_put(w, s, strlen(s));
}

static int
put_fields(struct eg_wbuf *w, const char *const *v, size_t n)
{
	int ret = EG_OK;

	for (size_t i = 0; i < n && ret == EG_OK; i++) {
		ret = put_str(w, v[i]);
		if (ret == EG_OK)
			ret = eg_wbuf_u8(w, i + 1 < n ? '\t' : '\n');
	}
	return ret;
}

int
pki_index_format(const struct pki_index *idx, struct eg_wbuf *w)
{
	int ret;

	ret = put_str(w, INDEX_HEADER "\n"
	    "# The certificates this CA issued and its enrolment tokens (egate-pki(1)).\n"
	    "# Rewritten whole and atomically by egate pki under a lock; do not edit.\n"
	    "# cert  SERIAL ROLE CN NOT_BEFORE NOT_AFTER valid|revoked REVOKED_AT ORIGIN\n"
	    "# token SHA256 ROLE CN CREATED EXPIRES unused|used USED_AT SERIAL\n");
	for (size_t i = 0; i < idx->ncerts && ret == EG_OK; i++) {
		const struct pki_cert_rec *r = &idx->certs[i];
		char nb[21], na[21], ra[21] = "-";
		const char *role = pki_role_str(r->role);

		if (role == NULL || !cn_field_ok(r->cn, r->role) || !origin_ok(r->origin))
			return EG_ERR_INVAL;
		pki_iso_time(r->not_before, nb);
		pki_iso_time(r->not_after, na);
		if (r->revoked)
			pki_iso_time(r->revoked_at, ra);
		const char *v[NFIELDS] = { "cert", r->serial, role, r->cn, nb, na,
			r->revoked ? "revoked" : "valid", ra, r->origin };
		ret = put_fields(w, v, NFIELDS);
	}
	for (size_t i = 0; i < idx->ntokens && ret == EG_OK; i++) {
		const struct pki_token_rec *r = &idx->tokens[i];
		char cr[21], ex[21], ua[21] = "-";
		const char *role = pki_role_str(r->role);

		if (role == NULL || !pki_cn_ok(r->cn))
			return EG_ERR_INVAL;
		pki_iso_time(r->created, cr);
		pki_iso_time(r->expires, ex);
		if (r->used)
			pki_iso_time(r->used_at, ua);
		const char *v[NFIELDS] = { "token", r->hash, role, r->cn, cr, ex,
			r->used ? "used" : "unused", ua, r->used ? r->serial : "-" };
		ret = put_fields(w, v, NFIELDS);
	}
	return ret;
}

/* ---- load (read-only) ---------------------------------------------------------- */

/* Read the whole file at dirfd/name (at most max bytes) into a new buffer. */
static int
read_at(int dirfd, const char *name, size_t max, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, ret = EG_ERR_IO;

	*out = NULL;
	*len = 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return errno == ENOENT ? EG_ERR_NOT_FOUND : EG_ERR_IO;
	if ((buf = malloc(max + 1)) == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	while (n <= max && (r = read(fd, buf + n, max + 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		n += (size_t)r;
	}
	if (n > max) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	*out = buf;
	*len = n;
	buf = NULL;
	ret = EG_OK;
out:
	free(buf);
	close(fd);
	return ret;
}

int
pki_index_read_at(int dirfd, const char *dir, struct pki_index *out, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int ret, line = 0;

	memset(out, 0, sizeof(*out));
	ret = read_at(dirfd, PKI_CA_INDEX, INDEX_MAX_BYTES, &text, &len);
	if (ret == EG_ERR_NOT_FOUND) {
		out->missing = true;
		return EG_OK;
	}
	if (ret != EG_OK) {
		eg_errbuf(err, errlen, "cannot read %s/%s: %s", dir, PKI_CA_INDEX, eg_strerror(ret));
		return ret;
	}
	if ((ret = pki_index_parse(text, len, out, &line)) != EG_OK)
		eg_errbuf(err, errlen, "%s/%s:%d: damaged index (%s); restore it from a backup",
		    dir, PKI_CA_INDEX, line, eg_strerror(ret));
	free(text);
	return ret;
}

int
pki_index_load(const char *dir, struct pki_index *out, char *err, size_t errlen)
{
	int dfd, ret;

	memset(out, 0, sizeof(*out));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		eg_errbuf(err, errlen, "no CA folder %s: %s", dir, strerror(errno));
		return EG_ERR_IO;
	}
	(void)flock(dfd, LOCK_SH);	/* writers hold LOCK_EX */
	ret = pki_index_read_at(dfd, dir, out, err, errlen);
	close(dfd);	/* releases the lock */
	return ret;
}

/* ---- states ------------------------------------------------------------------- */

const char *
pki_state_str(enum pki_cert_state s)
{
	switch (s) {
	case PKI_STATE_VALID: return "valid";
	case PKI_STATE_EXPIRING: return "expiring";
	case PKI_STATE_EXPIRED: return "expired";
	case PKI_STATE_REVOKED: return "revoked";
	case PKI_STATE_SUPERSEDED: return "superseded";
	case PKI_STATE_NOT_YET: return "not-yet-valid";
	}
	return "?";
}

enum pki_cert_state
pki_cert_state(const struct pki_index *idx, size_t i, time_t now, int warn_days)
{
	const struct pki_cert_rec *r = &idx->certs[i];

	if (r->revoked)
		return PKI_STATE_REVOKED;
	for (size_t j = i + 1; j < idx->ncerts; j++) {
		const struct pki_cert_rec *o = &idx->certs[j];
		if (!o->revoked && o->role == r->role && strcmp(o->cn, r->cn) == 0)
			return PKI_STATE_SUPERSEDED;
	}
	if (now < r->not_before)
		return PKI_STATE_NOT_YET;
	if (now >= r->not_after)
		return PKI_STATE_EXPIRED;
	if (r->not_after - now <= (time_t)warn_days * 86400)
		return PKI_STATE_EXPIRING;
	return PKI_STATE_VALID;
}
