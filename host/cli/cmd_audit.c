/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate audit — read, export and verify the tamper-evident audit log.
 *
 *   egate audit --db PATH query  [FILTERS] [--json]
 *   egate audit --db PATH export [FILTERS] [--format csv|jsonl]
 *   egate audit --db PATH verify --pubkey PEM [--anchor FILE] [--witness-key VKEY]...
 *   egate audit --db PATH head
 *   egate audit --db PATH prove (--id N | [--kiosk K] --seq N) [--size M] [--json]
 *   egate audit --db PATH consistency --from N [--to M] [--json]
 *   egate audit --db PATH snapshot --out PATH
 *   egate audit --db PATH policy --version N
 *   egate audit --db PATH replay (--all | --id N | [--kiosk K] --seq N[-M] | FILTERS) [--json]
 *   egate audit --db PATH import --cosigned FILE --pubkey PEM [--witness-key VKEY]...
 *
 * The store is opened read-only (no keys): nothing here can change it.
 * See docs/man/egate-audit.1 and docs/audit.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#include "audit.h"
#include "cli.h"
#include "cmd_audit.h"
#include "egate/error.h"
#include "egate/hex.h"
#include "egate/json.h"
#include "egate/secure.h"

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate audit --db PATH query  [FILTERS] [--json]\n"
	    "       egate audit --db PATH export [FILTERS] [--format csv|jsonl]\n"
	    "       egate audit --db PATH verify --pubkey PEM [--anchor FILE]\n"
	    "                [--witness-key VKEY]... [--quorum N] [--progress] [--json]\n"
	    "       egate audit --db PATH head   (print the newest signed checkpoint)\n"
	    "       egate audit --db PATH prove (--id N | [--kiosk K] --seq N) [--size M] [--json]\n"
	    "       egate audit --db PATH consistency --from N [--to M] [--json]\n"
	    "       egate audit --db PATH snapshot --out PATH [--progress]\n"
	    "       egate audit --db PATH policy --version N (the decision parameters logged)\n"
	    "       egate audit --db PATH replay (--all | --id N | [--kiosk K] --seq N[-M] |\n"
	    "                FILTERS) [--json]   (re-derive passages' decisions)\n"
	    "       egate audit --db PATH import --cosigned FILE --pubkey PEM [--witness-key VKEY]...\n"
	    "\n"
	    "filters: --from TIME --to TIME (ISO-8601, UTC unless an offset is given;\n"
	    "         from inclusive, to exclusive), --kiosk ID, --type TYPE,\n"
	    "         --decision D, --reason R, --officer ID, --seq N (with --kiosk:\n"
	    "         one kiosk's passage, e.g. a referral), --limit N,\n"
	    "         --document NUMBER --hmac-key FILE (the number is turned into its\n"
	    "         HMAC with the key; the log never holds it in clear)\n"
	    "\n"
	    "--anchor FILE: a checkpoint kept outside the database (the .anchor file,\n"
	    "         or a witness-cosigned one); --witness-key: a witness vkey (or a\n"
	    "         file holding one) whose cosignature the checkpoint must carry.\n"
	    "         Without --anchor, verify uses PATH.cosigned (kept by import) when\n"
	    "         witness keys are given\n"
	    "\n"
	    "exit: 0 ok/verified, 1 tampering found (query: no record matched),\n"
	    "      2 usage, 3 cannot open or read, 4 wrong public key,\n"
	    "      5 database file damaged, 6 verify: consistent but no external\n"
	    "      checkpoint vouches for it; replay: 0 every passage agrees,\n"
	    "      1 a disagreement (or tampered parameters, a malformed payload),\n"
	    "      7 none disagrees but some could not be replayed (no parameters\n"
	    "      logged for their version, payload purged) or none was selected\n");
}

/* ---- time ----------------------------------------------------------------- */

/* Room for any struct tm, not just plausible ones (-Wformat-truncation). */
#define TIME_LEN 96

/*
 * Parse YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|(+|-)HH:MM] into Unix ms.
 * Returns 0 on success, -1 on malformed input.
 */
static int
parse_time(const char *s, int64_t *ms)
{
	struct tm tm;
	const char *p;
	long frac = 0, off = 0;
	int digits = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%d", &tm);
	if (p == NULL)
		return -1;
	if (*p == 'T' || *p == ' ') {
		p = strptime(p + 1, "%H:%M", &tm);
		if (p == NULL)
			return -1;
		if (*p == ':') {
			p = strptime(p + 1, "%S", &tm);
			if (p == NULL)
				return -1;
			if (*p == '.') {
				for (p++; *p >= '0' && *p <= '9'; p++, digits++)
					if (digits < 3)
						frac = frac * 10 + (*p - '0');
				if (digits == 0)
					return -1;
				for (int d = digits; d < 3; d++)
					frac *= 10;
			}
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, hh, mm, n = 0;

		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5 || hh > 23 || mm > 59)
			return -1;
		off = sign * (hh * 3600L + mm * 60L);
		p += 6;
	}
	if (*p != '\0')
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*ms = ((int64_t)t - off) * 1000 + frac;
	return 0;
}

static void
format_time(int64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)t * 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, cap, "%" PRId64, ms);
		return;
	}
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* ---- files ---------------------------------------------------------------- */

static const char *
load_error(int rc)
{
	switch (rc) {
	case EG_ERR_IO: return strerror(errno);
	case EG_ERR_PERM: return "readable by group or others (chmod 600)";
	case EG_ERR_FORMAT: return "not in the expected format";
	default: return eg_strerror(rc);
	}
}

/* The HMAC of a document number under the key in keyfile (hex text). */
static int
document_hmac(const char *keyfile, const char *number, char out[AUDIT_HMAC_HEX_LEN + 1])
{
	uint8_t *key = NULL;
	size_t klen = 0;
	int rc, ret;

	rc = audit_hmac_key_load(keyfile, &key, &klen);
	if (rc != EG_OK) {
		cli_err("audit", "%s: cannot use as HMAC key: %s", keyfile, load_error(rc));
		return EGATE_EXIT_ERROR;
	}
	ret = EGATE_EXIT_OK;
	if (audit_hmac_hex(key, klen, AUDIT_IDENT_DOCUMENT, number, out) != EG_OK) {
		cli_err("audit", "--document: not a usable document number");
		ret = EGATE_EXIT_USAGE;
	}
	eg_secret_free(&key, klen);
	return ret;
}

/* ---- output --------------------------------------------------------------- */

enum out_fmt { OUT_TABLE, OUT_JSON, OUT_JSONL, OUT_CSV };

struct out_ctx {
	enum out_fmt fmt;
	struct eg_json j;	/* OUT_JSON: one array for the whole result */
	uint64_t rows;
};

/*
 * s for a terminal: control characters (C0, DEL, and C1 as UTF-8) become
 * \xNN, so an officer's reason cannot move the cursor, recolour or retitle
 * the auditor's terminal. out holds cap bytes.
 */
const char *
audit_cli_safe(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	if (s == NULL)
		return "-";
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0' && n + 5 < cap; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			n += (size_t)snprintf(out + n, cap - n, "\\x%02x", *p);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			n += (size_t)snprintf(out + n, cap - n, "\\x%02x", p[1]);
			p++;
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return out;
}

static void
json_key_strn(struct eg_json *j, const char *k, const char *v)
{
	eg_json_key(j, k);
	if (v != NULL)
		eg_json_str(j, v);
	else
		eg_json_null(j);
}

static void
row_json(struct eg_json *j, const struct audit_row *r)
{
	char t[TIME_LEN];

	format_time(r->ts_ms, t, sizeof(t));
	eg_json_obj_begin(j);
	eg_json_key_int(j, "id", r->id);
	eg_json_key_str(j, "time", t);
	eg_json_key_int(j, "ts_ms", r->ts_ms);
	json_key_strn(j, "kiosk_id", r->kiosk_id);
	eg_json_key_int(j, "seq", r->seq);
	json_key_strn(j, "type", r->type);
	json_key_strn(j, "decision", r->decision);
	json_key_strn(j, "reason", r->reason);
	json_key_strn(j, "officer", r->officer);
	json_key_strn(j, "doc_hmac", r->doc_hmac);
	json_key_strn(j, "name_hmac", r->name_hmac);
	eg_json_key_bool(j, "purged", r->purged);
	json_key_strn(j, "payload", r->payload);
	eg_json_key(j, "hash");
	eg_json_hex(j, r->hash, sizeof(r->hash));
	eg_json_obj_end(j);
}

/* RFC 4180 field; text starting with = + - @ TAB CR gets a leading ' so a
 * spreadsheet does not run it as a formula (see egate-audit(1)). */
static void
csv_field(FILE *f, const char *s, int last)
{
	if (s != NULL) {
		fputc('"', f);
		if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
			fputc('\'', f);
		for (const char *p = s; *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputc(last ? '\n' : ',', f);
}

static int
row_out(void *arg, const struct audit_row *r)
{
	struct out_ctx *o = arg;
	char t[TIME_LEN], num[32], hex[2 * AUDIT_HASH_LEN + 1];

	o->rows++;
	switch (o->fmt) {
	case OUT_JSON:
		row_json(&o->j, r);
		break;
	case OUT_JSONL: {
		struct eg_json j;

		eg_json_init(&j, stdout);
		row_json(&j, r);
		if (eg_json_finish(&j) != EG_OK)
			return EG_ERR_IO;
		break;
	}
	case OUT_CSV:
		format_time(r->ts_ms, t, sizeof(t));
		snprintf(num, sizeof(num), "%" PRId64, r->id);
		csv_field(stdout, num, 0);
		csv_field(stdout, t, 0);
		csv_field(stdout, r->kiosk_id, 0);
		snprintf(num, sizeof(num), "%" PRId64, r->seq);
		csv_field(stdout, num, 0);
		csv_field(stdout, r->type, 0);
		csv_field(stdout, r->decision, 0);
		csv_field(stdout, r->reason, 0);
		csv_field(stdout, r->officer, 0);
		csv_field(stdout, r->doc_hmac, 0);
		csv_field(stdout, r->name_hmac, 0);
		csv_field(stdout, r->purged ? "1" : "0", 0);
		eg_hex_encode(r->hash, sizeof(r->hash), hex, sizeof(hex));
		csv_field(stdout, hex, 0);
		csv_field(stdout, r->payload, 1);
		break;
	case OUT_TABLE:
	default: {
		char k[4 * AUDIT_KIOSK_ID_MAX + 8], ty[4 * AUDIT_SHORT_MAX + 8],
		    de[4 * AUDIT_SHORT_MAX + 8], re[4 * AUDIT_SHORT_MAX + 8], of[4 * AUDIT_SHORT_MAX + 8],
		    dh[4 * AUDIT_HMAC_HEX_LEN + 8];

		format_time(r->ts_ms, t, sizeof(t));
		printf("%-6" PRId64 " %-24s %-10s %-6" PRId64 " %-14s %-15s %-24s %-12s %.16s\n", r->id, t,
		    audit_cli_safe(r->kiosk_id, k, sizeof(k)), r->seq,
		    audit_cli_safe(r->type, ty, sizeof(ty)), audit_cli_safe(r->decision, de, sizeof(de)),
		    audit_cli_safe(r->reason, re, sizeof(re)), audit_cli_safe(r->officer, of, sizeof(of)),
		    r->purged ? "(purged)" : audit_cli_safe(r->doc_hmac, dh, sizeof(dh)));
		break;
	}
	}
	return ferror(stdout) ? EG_ERR_IO : 0;
}

static int
run_query(struct audit_db *db, const struct audit_filter *f, enum out_fmt fmt)
{
	struct out_ctx o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.fmt = fmt;
	if (fmt == OUT_JSON) {
		eg_json_init(&o.j, stdout);
		eg_json_arr_begin(&o.j);
	} else if (fmt == OUT_CSV) {
		printf("id,time,kiosk_id,seq,type,decision,reason,officer,doc_hmac,name_hmac,purged,"
		    "hash,payload\n");
	} else if (fmt == OUT_TABLE) {
		printf("%-6s %-24s %-10s %-6s %-14s %-15s %-24s %-12s %s\n", "ID", "TIME", "KIOSK",
		    "SEQ", "TYPE", "DECISION", "REASON", "OFFICER", "DOCUMENT");
	}
	rc = audit_query(db, f, row_out, &o);
	if (fmt == OUT_JSON) {
		eg_json_arr_end(&o.j);
		if (eg_json_finish(&o.j) != EG_OK && rc == EG_OK)
			rc = EG_ERR_IO;
	}
	if (fflush(stdout) != 0 && rc == EG_OK)
		rc = EG_ERR_IO;
	if (rc != EG_OK) {
		cli_err("audit", "query failed: %s%s", eg_strerror(rc), rc == EG_ERR_DB ?
		    " (is the file damaged? run 'egate audit verify')" : "");
		return EGATE_EXIT_ERROR;
	}
	if (o.rows == 0) {
		/* a misspelled value must not look like "nothing happened" */
		static const char *const cols[] = { "kiosk_id", "reason", "officer" };
		const char *vals[] = { f->kiosk_id, f->reason, f->officer };
		static const char *const opt[] = { "--kiosk", "--reason", "--officer" };

		for (size_t i = 0; i < 3; i++) {
			bool yes = true;

			if (vals[i] != NULL && audit_value_exists(db, cols[i], vals[i], &yes) == EG_OK &&
			    !yes)
				cli_err("audit", "%s '%s': no record in the log has this value "
				    "(misspelled?)", opt[i], vals[i]);
		}
		cli_err("audit", "no record matched");
		return EGATE_EXIT_FAIL;
	}
	return EGATE_EXIT_OK;
}

static int
run_head(struct audit_db *db)
{
	char text[AUDIT_ANCHOR_TEXT_MAX];
	int rc = audit_checkpoint_latest(db, text, sizeof(text));

	if (rc == EG_ERR_NOT_FOUND) {
		cli_err("audit", "no checkpoint yet");
		return EGATE_EXIT_FAIL;
	}
	if (rc != EG_OK) {
		cli_err("audit", "cannot read the newest checkpoint: %s", eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	fputs(text, stdout);
	return fflush(stdout) == 0 ? EGATE_EXIT_OK : EGATE_EXIT_ERROR;
}


struct progress {
	bool on;
	const char *what;
	time_t last;
};

static void
progress_fn(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	time_t now = time(NULL);

	if (!p->on || (now == p->last && done < total))
		return;
	p->last = now;
	fprintf(stderr, "\r%s: %" PRIu64 " of %" PRIu64 " (%u%%)%s", p->what, done, total,
	    total > 0 ? (unsigned)(done * 100 / total) : 100u, done >= total ? "\n" : "");
	fflush(stderr);
}

/* A witness vkey given as itself or as a file holding it. */
static int
load_vkey(const char *arg, char out[AUDIT_VKEY_MAX])
{
	char *text = NULL;
	size_t len = 0;

	if (audit_vkey_check(arg) == EG_OK) {
		snprintf(out, AUDIT_VKEY_MAX, "%s", arg);
		return EG_OK;
	}
	if (audit_pem_load(arg, false, &text, &len) != EG_OK)
		return EG_ERR_IO;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	snprintf(out, AUDIT_VKEY_MAX, "%s", text);
	free(text);
	return audit_vkey_check(out);
}

#define WITNESS_MAX 16

/* ---- the cosigned checkpoint kept beside the database ----------------------- */

#define COSIGNED_SUFFIX ".cosigned"

static void
cosigned_path(const char *db, char *out, size_t cap)
{
	snprintf(out, cap, "%s" COSIGNED_SUFFIX, db);
}

/* Read and parse a checkpoint file; EG_ERR_NOT_FOUND when it does not exist,
 * EG_ERR_FORMAT when it is not a signed-note checkpoint. */
static int
note_file_read(const char *path, struct audit_anchor *a)
{
	char *text = NULL;
	size_t len = 0;
	int rc = audit_pem_load(path, false, &text, &len);

	if (rc == EG_ERR_IO && errno == ENOENT)
		return EG_ERR_NOT_FOUND;
	if (rc != EG_OK)
		return rc;
	rc = audit_anchor_parse(text, len, a);
	if (rc == EG_OK && a->format != 2)
		rc = EG_ERR_FORMAT;
	free(text);
	return rc;
}

/* Write text to path atomically: a temporary file beside it, fsync, rename,
 * fsync the folder. */
static int
file_replace(const char *path, const char *text)
{
	char tmp[4096], dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = strlen(text);
	int fd, dfd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return EG_ERR_OVERFLOW;
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) + (slash == path), path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return EG_ERR_IO;
	ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
	close(fd);
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return EG_ERR_IO;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return EG_OK;
}

/* Is the format-2 checkpoint a a prefix of this log (its root at its size)?
 * EG_OK yes; EG_ERR_NOT_FOUND the log is shorter; EG_ERR_MAC another root. */
static int
log_contains(struct audit_db *db, const struct audit_anchor *a, uint64_t *records)
{
	uint8_t root[AUDIT_HASH_LEN];
	int rc;

	if ((rc = audit_tree_size(db, records)) != EG_OK)
		return rc;
	if (a->count > *records)
		return EG_ERR_NOT_FOUND;
	if ((rc = audit_root(db, a->count, root)) != EG_OK)
		return rc;
	return memcmp(root, a->root, AUDIT_HASH_LEN) == 0 ? EG_OK : EG_ERR_MAC;
}

/* The key names of a note's cosignatures (lines not by the log), for people. */
static void
cosigners(const struct audit_anchor *a, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < a->n_sigs && n < cap; i++) {
		int m;

		if (strcmp(a->sigs[i].name, a->origin) == 0)
			continue;
		m = snprintf(out + n, cap - n, "%s%s", n > 0 ? ", " : "", a->sigs[i].name);
		if (m < 0)
			break;
		n += (size_t)m;
	}
	if (out[0] == '\0')
		snprintf(out, cap, "(none)");
}

static size_t
count_cosigs(const struct audit_anchor *a)
{
	size_t k = 0;

	for (size_t i = 0; i < a->n_sigs; i++)
		k += strcmp(a->sigs[i].name, a->origin) != 0;
	return k;
}

/* Say why a checkpoint is not (or no longer) part of this log. */
static int
not_contained(const char *what, const struct audit_anchor *a, int rc, uint64_t records)
{
	if (rc == EG_ERR_NOT_FOUND)
		printf("TAMPERED: %s seals %" PRIu64 " records but the log ends at %" PRIu64
		    " (records deleted, or a copy without its -wal file)\n", what, a->count, records);
	else if (rc == EG_ERR_MAC)
		printf("TAMPERED: the log's tree root at size %" PRIu64 " differs from %s: the log "
		    "was rewritten after it was cosigned\n", a->count, what);
	else
		cli_err("audit", "cannot read the log: %s", eg_strerror(rc));
	return rc == EG_ERR_NOT_FOUND || rc == EG_ERR_MAC ? EGATE_EXIT_FAIL : EGATE_EXIT_ERROR;
}

/*
 * import: keep a witness-cosigned checkpoint beside the database (DB.cosigned)
 * once it is shown to be signed by the log's key and contained in the log;
 * cosignatures of the same checkpoint are merged, a newer one replaces it.
 */
static int
run_import(struct audit_db *db, const char *dbpath, const char *file, const char *pubfile,
    char *const *wkeys, size_t nw)
{
	struct audit_anchor in, kept, *out = &in;
	char path[4096], vk[AUDIT_VKEY_MAX], names[512], text[AUDIT_ANCHOR_TEXT_MAX];
	char *pem = NULL;
	const char *what;
	uint64_t records = 0;
	size_t len = 0, added = 0;
	bool had = false;
	int rc, ret = EGATE_EXIT_ERROR;

	cosigned_path(dbpath, path, sizeof(path));
	if ((rc = audit_pem_load(pubfile, false, &pem, &len)) != EG_OK) {
		cli_err("audit", "%s: cannot read: %s", pubfile, load_error(rc));
		goto out;
	}
	rc = note_file_read(file, &in);
	if (rc == EG_ERR_FORMAT) {
		cli_err("audit", "%s: not a signed-note checkpoint (what 'egate witness cosign' "
		    "prints)", file);
		ret = EGATE_EXIT_USAGE;
		goto out;
	}
	if (rc != EG_OK) {
		cli_err("audit", "%s: cannot read: %s", file, load_error(rc));
		goto out;
	}
	if (strcmp(in.origin, audit_origin(db)) != 0) {
		printf("WRONG KEY: %s is a checkpoint of log '%s', not of this log '%s'\n", file,
		    in.origin, audit_origin(db));
		ret = AUDIT_EXIT_WRONG_KEY;
		goto out;
	}
	if (!audit_note_verify_log(&in, pem)) {
		printf("WRONG KEY: %s is not signed by the log key in %s\n", file, pubfile);
		ret = AUDIT_EXIT_WRONG_KEY;
		goto out;
	}
	ret = EGATE_EXIT_FAIL;
	if (count_cosigs(&in) == 0) {
		cli_err("audit", "%s carries no cosignature, only the log's own signature: import "
		    "what 'egate witness cosign' prints", file);
		goto out;
	}
	for (size_t i = 0; i < nw; i++) {
		if (load_vkey(wkeys[i], vk) != EG_OK) {
			cli_err("audit", "--witness-key %s: not a witness key (name+hex8+base64, "
			    "as 'egate witness init' writes) nor a file holding one", wkeys[i]);
			ret = EGATE_EXIT_USAGE;
			goto out;
		}
		if (!audit_witness_verify(&in, vk, NULL)) {
			cli_err("audit", "%s carries no valid cosignature by the witness key %s", file,
			    wkeys[i]);
			goto out;
		}
	}
	if ((rc = log_contains(db, &in, &records)) != EG_OK) {
		ret = not_contained("the cosigned checkpoint", &in, rc, records);
		goto out;
	}
	rc = note_file_read(path, &kept);
	if (rc == EG_OK) {
		had = true;
		/* the one kept before must still be part of the log, too */
		if (strcmp(kept.origin, in.origin) != 0 || !audit_note_verify_log(&kept, pem)) {
			cli_err("audit", "%s is not a checkpoint of this log: move it away", path);
			ret = EGATE_EXIT_ERROR;
			goto out;
		}
		if ((rc = log_contains(db, &kept, &records)) != EG_OK) {
			ret = not_contained("the cosigned checkpoint kept before", &kept, rc, records);
			goto out;
		}
		if (kept.count > in.count) {
			cosigners(&kept, names, sizeof(names));
			printf("kept %s: size %" PRIu64 " cosigned by %s is newer than size %" PRIu64
			    "; nothing imported\n", path, kept.count, names, in.count);
			ret = EGATE_EXIT_OK;
			goto out;
		}
		if (kept.count == in.count) {
			if ((rc = audit_anchor_merge(&kept, &in, &added)) != EG_OK) {
				cli_err("audit", "cannot merge the cosignatures: %s", eg_strerror(rc));
				goto out;
			}
			out = &kept;
		}
	} else if (rc != EG_ERR_NOT_FOUND) {
		cli_err("audit", "%s: %s: move it away", path, rc == EG_ERR_FORMAT ?
		    "not a signed-note checkpoint" : load_error(rc));
		ret = EGATE_EXIT_ERROR;
		goto out;
	}
	if ((rc = audit_note_format(out, text, sizeof(text))) != EG_OK ||
	    (rc = file_replace(path, text)) != EG_OK) {
		cli_err("audit", "%s: cannot write: %s", path, rc == EG_ERR_IO ? strerror(errno) :
		    eg_strerror(rc));
		ret = EGATE_EXIT_ERROR;
		goto out;
	}
	cosigners(out, names, sizeof(names));
	what = out == &kept ? (added > 0 ? "merged into" : "unchanged") : had ? "replaced" :
	    "imported into";
	printf("%s %s: size %" PRIu64 ", cosigned by %s%s\n", what, path, out->count, names,
	    nw == 0 ? " (cosignatures not checked: give --witness-key)" : "");
	ret = EGATE_EXIT_OK;
out:
	free(pem);
	return ret;
}

static int
run_verify(struct audit_db *db, const char *dbpath, const char *pubfile, const char *anchorfile,
    char *const *wkeys, size_t nw, size_t quorum, bool prog, int json)
{
	char beside[4096];
	bool from_beside = false, beside_unused = false;
	struct audit_report rep;
	struct audit_anchor anchor;
	struct audit_verify_opts o;
	struct progress pr = { prog, "verify", 0 };
	char *pem = NULL, *atext = NULL, t[TIME_LEN] = "-", vk[WITNESS_MAX][AUDIT_VKEY_MAX];
	const char *vkp[WITNESS_MAX], *verdict;
	char root64[48] = "";
	size_t len = 0, alen = 0, rl = 0;
	int rc, ret = EGATE_EXIT_ERROR;

	memset(&o, 0, sizeof(o));
	rc = audit_pem_load(pubfile, false, &pem, &len);
	if (rc != EG_OK) {
		cli_err("audit", "%s: cannot read: %s", pubfile, load_error(rc));
		goto out;
	}
	if (anchorfile != NULL) {
		rc = audit_pem_load(anchorfile, false, &atext, &alen);
		if (rc != EG_OK) {
			cli_err("audit", "%s: cannot read: %s", anchorfile, load_error(rc));
			goto out;
		}
		if (audit_anchor_parse(atext, alen, &anchor) != EG_OK) {
			cli_err("audit", "%s: not a checkpoint ('egate audit head', the .anchor file "
			    "or 'egate witness cosign')", anchorfile);
			ret = EGATE_EXIT_USAGE;
			goto out;
		}
		o.anchor = &anchor;
	} else {
		/* the witness-cosigned checkpoint kept beside the database (import):
		 * written by whoever can write there, so it counts only through
		 * the witness keys the auditor gives */
		cosigned_path(dbpath, beside, sizeof(beside));
		rc = note_file_read(beside, &anchor);
		if (rc == EG_OK && nw > 0) {
			o.anchor = &anchor;
			from_beside = true;
		} else if (rc == EG_OK) {
			beside_unused = true;
		} else if (rc != EG_ERR_NOT_FOUND) {
			cli_err("audit", "%s: %s (written by 'egate audit import'): move it away or "
			    "give --anchor", beside, rc == EG_ERR_FORMAT ? "not a signed-note checkpoint" :
			    load_error(rc));
			goto out;
		} else if (nw > 0) {
			cli_err("audit", "--witness-key needs the cosigned checkpoint: --anchor FILE, "
			    "or %s kept by 'egate audit import'", beside);
			ret = EGATE_EXIT_USAGE;
			goto out;
		}
	}
	for (size_t i = 0; i < nw; i++) {
		if (load_vkey(wkeys[i], vk[i]) != EG_OK) {
			cli_err("audit", "--witness-key %s: not a witness key (name+hex8+base64, "
			    "as 'egate witness init' writes) nor a file holding one", wkeys[i]);
			ret = EGATE_EXIT_USAGE;
			goto out;
		}
		vkp[i] = vk[i];
	}
	o.witness_vkeys = vkp;
	o.n_witness = nw;
	o.quorum = quorum;
	o.progress = progress_fn;
	o.progress_arg = &pr;
	rc = audit_verify_ex(db, pem, &o, &rep);
	if (rc == EG_ERR_CRYPTO) {
		cli_err("audit", "%s: not an ECDSA P-256 public key (PEM)", pubfile);
		goto out;
	}
	if (rc != EG_OK) {
		cli_err("audit", "verify failed: %s", eg_strerror(rc));
		goto out;
	}
	if (rep.last_checkpoint_ts_ms != 0)
		format_time(rep.last_checkpoint_ts_ms, t, sizeof(t));
	mbedtls_base64_encode((unsigned char *)root64, sizeof(root64), &rl, rep.root, sizeof(rep.root));
	if (!rep.ok) {
		verdict = rep.problem == AUDIT_PROBLEM_WRONG_KEY ? "WRONG KEY" :
		    rep.problem == AUDIT_PROBLEM_DAMAGED ? "DAMAGED" : "TAMPERED";
		ret = rep.problem == AUDIT_PROBLEM_WRONG_KEY ? AUDIT_EXIT_WRONG_KEY :
		    rep.problem == AUDIT_PROBLEM_DAMAGED ? AUDIT_EXIT_DAMAGED : EGATE_EXIT_FAIL;
	} else if (!rep.anchored) {
		verdict = "UNANCHORED";
		ret = AUDIT_EXIT_UNANCHORED;
	} else {
		verdict = "OK";
		ret = EGATE_EXIT_OK;
	}
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "verdict", verdict);
		eg_json_key_bool(&j, "ok", rep.ok);
		eg_json_key_str(&j, "problem", audit_problem_name(rep.problem));
		eg_json_key_int(&j, "bad_record", rep.bad_record);
		eg_json_key_int(&j, "bad_checkpoint", rep.bad_checkpoint);
		eg_json_key_str(&j, "detail", rep.detail);
		eg_json_key_str(&j, "origin", rep.origin);
		eg_json_key(&j, "records");
		eg_json_uint(&j, rep.records);
		eg_json_key(&j, "purged");
		eg_json_uint(&j, rep.purged);
		eg_json_key(&j, "checkpoints");
		eg_json_uint(&j, rep.checkpoints);
		eg_json_key(&j, "sealed");
		eg_json_uint(&j, rep.sealed);
		eg_json_key(&j, "unsealed");
		eg_json_uint(&j, rep.unsealed);
		eg_json_key_str(&j, "last_checkpoint", t);
		eg_json_key_bool(&j, "anchored", rep.anchored);
		eg_json_key_str(&j, "anchor_file", anchorfile != NULL ? anchorfile :
		    from_beside ? beside : "");
		eg_json_key(&j, "anchor_size");
		eg_json_uint(&j, rep.anchor_count);
		eg_json_key(&j, "witnesses");
		eg_json_uint(&j, rep.witnesses);
		eg_json_key_bool(&j, "witnessed", rep.witnessed);
		eg_json_key(&j, "unwitnessed");
		eg_json_uint(&j, rep.unwitnessed);
		eg_json_key_str(&j, "root", rep.ok ? root64 : "");
		eg_json_obj_end(&j);
		if (eg_json_finish(&j) != EG_OK)
			ret = EGATE_EXIT_ERROR;
	} else if (rep.ok) {
		printf("%s: %" PRIu64 " records (%" PRIu64 " purged), %" PRIu64 " checkpoints, %"
		    PRIu64 " sealed, %" PRIu64 " unsealed; last checkpoint %s\n", verdict, rep.records,
		    rep.purged, rep.checkpoints, rep.sealed, rep.unsealed, t);
		printf("log %s, tree root %s\n", rep.origin, root64);
		if (rep.anchored)
			printf("external checkpoint (size %" PRIu64 "%s%s) contained%s; %" PRIu64
			    " records after it\n", rep.anchor_count, from_beside ? ", from " : "",
			    from_beside ? beside : "", rep.witnessed ? ", witness-cosigned" :
			    nw == 0 ? ", host-signed only (not witnessed: give --witness-key)" : "",
			    rep.unwitnessed);
		else if (beside_unused)
			printf("no external checkpoint given: %s is beside the database, but only "
			    "the witness keys can vouch for it; give --witness-key\n", beside);
		else
			printf("no external checkpoint: nothing outside this file vouches for it (a "
			    "rewrite of the whole file, or by the holder of the signing key, would look "
			    "the same); give --anchor and --witness-key\n");
	} else {
		printf("%s: %s\n", verdict, rep.detail);
		printf("problem: %s; first bad record: %" PRId64 "; checkpoint: %" PRId64
		    "; records verified before it: %" PRIu64 "\n", audit_problem_name(rep.problem),
		    rep.bad_record, rep.bad_checkpoint, rep.records);
	}
out:
	free(pem);
	free(atext);
	return ret;
}

/* ---- proofs ------------------------------------------------------------------- */

static void
b64(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t ol = 0;

	if (mbedtls_base64_encode((unsigned char *)out, cap, &ol, p, n) != 0)
		out[0] = '\0';
}

struct find {
	int64_t id;
	size_t n;
	char kiosk[2][AUDIT_KIOSK_ID_MAX + 1];
	struct audit_row row;
	char *payload;
};

static int
find_row(void *arg, const struct audit_row *r)
{
	struct find *f = arg;

	if (f->n < 2)
		snprintf(f->kiosk[f->n], sizeof(f->kiosk[0]), "%s", r->kiosk_id != NULL ? r->kiosk_id : "");
	f->n++;
	f->id = r->id;
	return 0;
}

/* The record named by --id, or by --seq (with --kiosk if ambiguous). */
static int
resolve_record(struct audit_db *db, int64_t id, const struct audit_filter *f, int64_t *out)
{
	struct audit_filter q;
	struct find fd;

	if (id > 0) {
		*out = id;
		return EGATE_EXIT_OK;
	}
	memset(&fd, 0, sizeof(fd));
	q = *f;
	if (audit_query(db, &q, find_row, &fd) != EG_OK) {
		cli_err("audit", "cannot read the log");
		return EGATE_EXIT_ERROR;
	}
	if (fd.n == 0) {
		cli_err("audit", "no record with seq %" PRIu64 "%s%s", f->seq,
		    f->kiosk_id != NULL ? " for kiosk " : "", f->kiosk_id != NULL ? f->kiosk_id : "");
		return EGATE_EXIT_FAIL;
	}
	if (fd.n > 1) {
		cli_err("audit", "seq %" PRIu64 " exists for several kiosks (%s, %s, ...): add "
		    "--kiosk", f->seq, fd.kiosk[0], fd.kiosk[1]);
		return EGATE_EXIT_USAGE;
	}
	*out = fd.id;
	return EGATE_EXIT_OK;
}

static int
run_prove(struct audit_db *db, int64_t id, const struct audit_filter *f, uint64_t size, int json)
{
	char note[AUDIT_ANCHOR_TEXT_MAX], h64[48], *hex = NULL;
	uint8_t leaf[AUDIT_HASH_LEN], root[AUDIT_HASH_LEN], path[AUDIT_PROOF_MAX][AUDIT_HASH_LEN];
	uint8_t eleaf[AUDIT_HASH_LEN], *entry = NULL;
	struct audit_anchor cp;
	size_t n = 0, elen = 0;
	int rc, ret;

	if ((ret = resolve_record(db, id, f, &id)) != EGATE_EXIT_OK)
		return ret;
	ret = EGATE_EXIT_ERROR;
	rc = audit_checkpoint_at(db, size, note, sizeof(note), &cp);
	if (rc == EG_ERR_NOT_FOUND) {
		cli_err("audit", size == 0 ? "no signed checkpoint yet" :
		    "no signed checkpoint of size %" PRIu64 " (see 'egate audit head')", size);
		return EGATE_EXIT_FAIL;
	}
	if (rc != EG_OK) {
		cli_err("audit", "cannot read the checkpoint: %s", eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	if ((uint64_t)id > cp.count) {
		cli_err("audit", "record %" PRId64 " is after the checkpoint (size %" PRIu64 "): "
		    "not sealed yet, wait for the next checkpoint", id, cp.count);
		return EGATE_EXIT_FAIL;
	}
	if ((rc = audit_prove_inclusion(db, (uint64_t)id - 1, cp.count, leaf, path, &n, root)) !=
	    EG_OK || (rc = audit_leaf_entry(db, id, &entry, &elen, eleaf)) != EG_OK) {
		cli_err("audit", "cannot build the proof: %s", eg_strerror(rc));
		goto out;
	}
	if (memcmp(root, cp.root, AUDIT_HASH_LEN) != 0 || memcmp(leaf, eleaf, AUDIT_HASH_LEN) != 0) {
		cli_err("audit", "the database disagrees with its own checkpoint: run 'egate audit "
		    "verify'");
		ret = EGATE_EXIT_FAIL;
		goto out;
	}
	if ((hex = malloc(2 * elen + 1)) == NULL)
		goto out;
	for (size_t i = 0; i < elen; i++)
		snprintf(hex + 2 * i, 3, "%02x", entry[i]);
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_int(&j, "record_id", id);
		eg_json_key(&j, "leaf_index");
		eg_json_uint(&j, (uint64_t)id - 1);
		eg_json_key(&j, "tree_size");
		eg_json_uint(&j, cp.count);
		b64(leaf, sizeof(leaf), h64, sizeof(h64));
		eg_json_key_str(&j, "leaf_hash", h64);
		eg_json_key(&j, "audit_path");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			b64(path[i], AUDIT_HASH_LEN, h64, sizeof(h64));
			eg_json_str(&j, h64);
		}
		eg_json_arr_end(&j);
		b64(root, sizeof(root), h64, sizeof(h64));
		eg_json_key_str(&j, "root", h64);
		eg_json_key_str(&j, "entry", hex);
		eg_json_key_str(&j, "checkpoint", note);
		eg_json_obj_end(&j);
		if (eg_json_finish(&j) != EG_OK)
			goto out;
	} else {
		printf("record %" PRId64 "\nindex %" PRId64 "\nsize %" PRIu64 "\n", id, id - 1, cp.count);
		b64(leaf, sizeof(leaf), h64, sizeof(h64));
		printf("leaf %s\n", h64);
		b64(root, sizeof(root), h64, sizeof(h64));
		printf("root %s\n", h64);
		for (size_t i = 0; i < n; i++) {
			b64(path[i], AUDIT_HASH_LEN, h64, sizeof(h64));
			printf("path %s\n", h64);
		}
		printf("entry %s\n\n%s", hex, note);
	}
	ret = fflush(stdout) == 0 ? EGATE_EXIT_OK : EGATE_EXIT_ERROR;
out:
	free(hex);
	free(entry);
	return ret;
}

/* The proof from --from to the checkpoint of size --to (default newest), as
 * a c2sp.org/tlog-witness add-checkpoint request body (or JSON). */
static int
run_consistency(struct audit_db *db, uint64_t from, uint64_t to, int json)
{
	char note[AUDIT_ANCHOR_TEXT_MAX], h64[48];
	uint8_t proof[AUDIT_PROOF_MAX][AUDIT_HASH_LEN], r0[AUDIT_HASH_LEN];
	struct audit_anchor cp;
	size_t k = 0;
	int rc;

	rc = audit_checkpoint_at(db, to, note, sizeof(note), &cp);
	if (rc == EG_ERR_NOT_FOUND) {
		cli_err("audit", to == 0 ? "no signed checkpoint yet" :
		    "no signed checkpoint of size %" PRIu64, to);
		return EGATE_EXIT_FAIL;
	}
	if (rc != EG_OK) {
		cli_err("audit", "cannot read the checkpoint: %s", eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	if (from > cp.count) {
		cli_err("audit", "--from %" PRIu64 " is beyond the checkpoint's size %" PRIu64, from,
		    cp.count);
		return EGATE_EXIT_USAGE;
	}
	if (from > 0 && ((rc = audit_prove_consistency(db, from, cp.count, proof, &k)) != EG_OK ||
	    (rc = audit_root(db, from, r0)) != EG_OK)) {
		cli_err("audit", "cannot build the proof: %s", eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key(&j, "old_size");
		eg_json_uint(&j, from);
		eg_json_key(&j, "new_size");
		eg_json_uint(&j, cp.count);
		if (from > 0) {
			b64(r0, sizeof(r0), h64, sizeof(h64));
			eg_json_key_str(&j, "old_root", h64);
		}
		b64(cp.root, sizeof(cp.root), h64, sizeof(h64));
		eg_json_key_str(&j, "new_root", h64);
		eg_json_key(&j, "proof");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < k; i++) {
			b64(proof[i], AUDIT_HASH_LEN, h64, sizeof(h64));
			eg_json_str(&j, h64);
		}
		eg_json_arr_end(&j);
		eg_json_key_str(&j, "checkpoint", note);
		eg_json_obj_end(&j);
		if (eg_json_finish(&j) != EG_OK)
			return EGATE_EXIT_ERROR;
	} else {
		printf("old %" PRIu64 "\n", from);
		for (size_t i = 0; i < k; i++) {
			b64(proof[i], AUDIT_HASH_LEN, h64, sizeof(h64));
			printf("%s\n", h64);
		}
		printf("\n%s", note);
	}
	return fflush(stdout) == 0 ? EGATE_EXIT_OK : EGATE_EXIT_ERROR;
}

static int
run_snapshot(struct audit_db *db, const char *dbpath, const char *out, bool prog)
{
	struct progress pr = { prog, "snapshot (pages)", 0 };
	char from[4096], to[4096], *text = NULL;
	size_t len = 0;
	int rc = audit_snapshot(db, out, progress_fn, &pr);

	if (rc == EG_ERR_STATE) {
		cli_err("audit", "%s exists: give a new file", out);
		return EGATE_EXIT_USAGE;
	}
	if (rc != EG_OK) {
		cli_err("audit", "snapshot failed: %s", eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	printf("snapshot written to %s\n", out);
	/* the cosigned checkpoint kept beside the database goes along */
	cosigned_path(dbpath, from, sizeof(from));
	cosigned_path(out, to, sizeof(to));
	rc = audit_pem_load(from, false, &text, &len);
	if (rc == EG_ERR_IO && errno == ENOENT)
		return EGATE_EXIT_OK;
	if (rc == EG_OK)
		rc = file_replace(to, text);
	free(text);
	if (rc != EG_OK) {
		cli_err("audit", "cannot copy %s to %s: %s", from, to, eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	printf("with %s\n", to);
	return EGATE_EXIT_OK;
}

/* The decision parameters of config version v, checked against the digest
 * its hash-chained config record names. */
static int
run_policy(struct audit_db *db, uint64_t v)
{
	char *params = NULL;
	int rc = audit_policy_params(db, v, &params);

	if (rc == EG_ERR_NOT_FOUND) {
		cli_err("audit", "configuration version %" PRIu64 " is not logged with its decision "
		    "parameters (never pushed, or logged by an older egate-host)", v);
		return EGATE_EXIT_FAIL;
	}
	if (rc == EG_ERR_MAC) {
		printf("TAMPERED: the stored parameters of version %" PRIu64 " differ from the digest "
		    "in its config record\n", v);
		return EGATE_EXIT_FAIL;
	}
	if (rc != EG_OK) {
		cli_err("audit", "cannot read the parameters: %s", eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	printf("%s\n", params);
	free(params);
	return fflush(stdout) == 0 ? EGATE_EXIT_OK : EGATE_EXIT_ERROR;
}

static bool
one_of(const char *v, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

static bool
parse_u64(const char *arg, bool zero_ok, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '\0' || end == arg || arg[0] == '-' || (!zero_ok && x == 0) ||
	    x > INT64_MAX)
		return false;
	*v = x;
	return true;
}

/* --from/--to as a time window into f (query, export, replay). */
static int
time_window(const char *from_arg, const char *to_arg, struct audit_filter *f)
{
	int64_t ms;

	if (from_arg != NULL && parse_time(from_arg, &ms) == 0) {
		f->has_from = true;
		f->from_ms = ms;
	} else if (from_arg != NULL) {
		cli_err("audit", "--from: '%s' is not an ISO-8601 time (e.g. 2026-11-29T10:00:00Z)",
		    from_arg);
		return EGATE_EXIT_USAGE;
	}
	if (to_arg != NULL && parse_time(to_arg, &ms) == 0) {
		f->has_to = true;
		f->to_ms = ms;
	} else if (to_arg != NULL) {
		cli_err("audit", "--to: '%s' is not an ISO-8601 time (e.g. 2026-11-29T10:00:00Z)",
		    to_arg);
		return EGATE_EXIT_USAGE;
	}
	if (f->has_from && f->has_to && f->to_ms <= f->from_ms) {
		cli_err("audit", "--to must be after --from");
		return EGATE_EXIT_USAGE;
	}
	return EGATE_EXIT_OK;
}

int
cmd_audit(int argc, char **argv)
{
	enum { O_FROM = 256, O_TO, O_KIOSK, O_TYPE, O_DECISION, O_REASON, O_OFFICER, O_DOCUMENT,
		O_HMAC_KEY, O_LIMIT, O_FORMAT, O_PUBKEY, O_ANCHOR, O_SEQ, O_ID, O_SIZE, O_WITNESS,
		O_QUORUM, O_PROGRESS, O_OUT, O_VERSION, O_COSIGNED, O_ALL };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "kiosk", required_argument, NULL, O_KIOSK },
		{ "type", required_argument, NULL, O_TYPE },
		{ "decision", required_argument, NULL, O_DECISION },
		{ "reason", required_argument, NULL, O_REASON },
		{ "officer", required_argument, NULL, O_OFFICER },
		{ "document", required_argument, NULL, O_DOCUMENT },
		{ "hmac-key", required_argument, NULL, O_HMAC_KEY },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "seq", required_argument, NULL, O_SEQ },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "pubkey", required_argument, NULL, O_PUBKEY },
		{ "anchor", required_argument, NULL, O_ANCHOR },
		{ "checkpoint", required_argument, NULL, O_ANCHOR },
		{ "id", required_argument, NULL, O_ID },
		{ "size", required_argument, NULL, O_SIZE },
		{ "witness-key", required_argument, NULL, O_WITNESS },
		{ "quorum", required_argument, NULL, O_QUORUM },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "out", required_argument, NULL, O_OUT },
		{ "version", required_argument, NULL, O_VERSION },
		{ "cosigned", required_argument, NULL, O_COSIGNED },
		{ "all", no_argument, NULL, O_ALL },
		{ NULL, 0, NULL, 0 },
	};
	/* every type a host writes: passage (net.c, privsep.c), officer and
	 * officer_result (privsep.c), config and system (audit.c) */
	static const char *const types[] = { "passage", "officer", "officer_result", "config",
		"system", NULL };
	static const char *const decisions[] = { "OPEN", "REFER", "REJECT", "ABORTED", "FAULT",
		NULL };
	static const char *const verbs[] = { "query", "export", "verify", "head", "prove",
		"consistency", "snapshot", "policy", "import", "replay", NULL };
	struct audit_filter f;
	struct audit_db *db = NULL;
	const char *path = NULL, *verb = NULL, *document = NULL, *hmac_key = NULL;
	const char *format = NULL, *pubkey = NULL, *anchor = NULL, *out = NULL, *cosigned = NULL;
	const char *from_arg = NULL, *to_arg = NULL;
	char *wkeys[WITNESS_MAX];
	char doc_hmac[AUDIT_HMAC_HEX_LEN + 1];
	uint64_t id = 0, size = 0, quorum = 0, version = 0, seq_lo = 0, seq_hi = 0;
	size_t nw = 0;
	int c, json = 0, filters = 0, ret = EGATE_EXIT_USAGE, rc;
	bool prog = isatty(STDERR_FILENO) != 0, proof_opts = false, all = false;
	enum out_fmt fmt = OUT_TABLE;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'j': json = 1; break;
		case 'h':
			help(stdout);
			return EGATE_EXIT_OK;
		case O_FROM: from_arg = optarg; filters++; break;
		case O_TO: to_arg = optarg; filters++; break;
		case O_KIOSK: f.kiosk_id = optarg; filters++; break;
		case O_TYPE:
			if (!one_of(optarg, types)) {
				cli_err("audit", "--type '%s': not a record type (passage, officer, "
				    "officer_result, config, system)", optarg);
				return EGATE_EXIT_USAGE;
			}
			f.type = optarg;
			filters++;
			break;
		case O_DECISION:
			if (!one_of(optarg, decisions)) {
				cli_err("audit", "--decision '%s': not a decision (OPEN, REFER, REJECT, "
				    "ABORTED, FAULT)", optarg);
				return EGATE_EXIT_USAGE;
			}
			f.decision = optarg;
			filters++;
			break;
		case O_REASON: f.reason = optarg; filters++; break;
		case O_OFFICER: f.officer = optarg; filters++; break;
		case O_DOCUMENT: document = optarg; filters++; break;
		case O_HMAC_KEY: hmac_key = optarg; break;
		case O_SEQ:
			if (strchr(optarg, '-') != NULL) {
				/* A-B: a range of seqs (replay) */
				char lo[24] = "", *dash = strchr(optarg, '-');

				if ((size_t)(dash - optarg) >= sizeof(lo) ||
				    (memcpy(lo, optarg, (size_t)(dash - optarg)), false) ||
				    !parse_u64(lo, false, &seq_lo) ||
				    !parse_u64(dash + 1, false, &seq_hi) || seq_hi < seq_lo) {
					cli_err("audit", "--seq needs a positive number or a range "
					    "A-B with A <= B");
					return EGATE_EXIT_USAGE;
				}
				filters++;
				break;
			}
			/* fall through */
		case O_LIMIT:
		case O_ID:
		case O_SIZE:
		case O_VERSION:
		case O_QUORUM: {
			uint64_t v;

			if (!parse_u64(optarg, false, &v)) {
				cli_err("audit", "--%s needs a positive number", c == O_SEQ ? "seq" :
				    c == O_LIMIT ? "limit" : c == O_ID ? "id" : c == O_SIZE ? "size" :
				    c == O_VERSION ? "version" : "quorum");
				return EGATE_EXIT_USAGE;
			}
			if (c == O_SEQ) {
				f.seq = v;
				filters++;
			} else if (c == O_LIMIT) {
				f.limit = v;
				filters++;
			} else if (c == O_ID) {
				id = v;
				proof_opts = true;
			} else if (c == O_SIZE) {
				size = v;
				proof_opts = true;
			} else if (c == O_VERSION) {
				version = v;
			} else {
				quorum = v;
			}
			break;
		}
		case O_FORMAT: format = optarg; break;
		case O_PUBKEY: pubkey = optarg; break;
		case O_ANCHOR: anchor = optarg; break;
		case O_WITNESS:
			if (nw == WITNESS_MAX) {
				cli_err("audit", "at most %d --witness-key", WITNESS_MAX);
				return EGATE_EXIT_USAGE;
			}
			wkeys[nw++] = optarg;
			break;
		case O_PROGRESS: prog = true; break;
		case O_OUT: out = optarg; break;
		case O_COSIGNED: cosigned = optarg; break;
		case O_ALL: all = true; break;
		default:
			return EGATE_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return EGATE_EXIT_USAGE;
	}
	verb = argv[optind];
	if (optind + 1 < argc) {
		cli_err("audit", "unexpected argument '%s'", argv[optind + 1]);
		return EGATE_EXIT_USAGE;
	}
	if (!one_of(verb, verbs)) {
		cli_err("audit", "unknown verb '%s' (query, export, verify, head, prove, consistency, "
		    "snapshot, policy, import or replay)", verb);
		return EGATE_EXIT_USAGE;
	}
	if (path == NULL) {
		cli_err("audit", "--db PATH is required");
		return EGATE_EXIT_USAGE;
	}
	if ((anchor != NULL || quorum > 0) && strcmp(verb, "verify") != 0) {
		cli_err("audit", "--anchor and --quorum are for verify");
		return EGATE_EXIT_USAGE;
	}
	if ((pubkey != NULL || nw > 0) && strcmp(verb, "verify") != 0 && strcmp(verb, "import") != 0) {
		cli_err("audit", "--pubkey and --witness-key are for verify and import");
		return EGATE_EXIT_USAGE;
	}
	if (cosigned != NULL && strcmp(verb, "import") != 0) {
		cli_err("audit", "--cosigned is for import");
		return EGATE_EXIT_USAGE;
	}
	if (out != NULL && strcmp(verb, "snapshot") != 0) {
		cli_err("audit", "--out is for snapshot");
		return EGATE_EXIT_USAGE;
	}
	if (version > 0 && strcmp(verb, "policy") != 0) {
		cli_err("audit", "--version is for policy");
		return EGATE_EXIT_USAGE;
	}
	if (size > 0 && strcmp(verb, "prove") != 0) {
		cli_err("audit", "--size is for prove");
		return EGATE_EXIT_USAGE;
	}
	if (proof_opts && strcmp(verb, "prove") != 0 && strcmp(verb, "replay") != 0) {
		cli_err("audit", "--id is for prove and replay");
		return EGATE_EXIT_USAGE;
	}
	if (all && strcmp(verb, "replay") != 0) {
		cli_err("audit", "--all is for replay");
		return EGATE_EXIT_USAGE;
	}
	if (seq_hi > 0 && strcmp(verb, "replay") != 0) {
		cli_err("audit", "a range of seqs (--seq A-B) is for replay");
		return EGATE_EXIT_USAGE;
	}
	if (strcmp(verb, "import") == 0) {
		if (cosigned == NULL || pubkey == NULL || filters > 0 || format != NULL ||
		    hmac_key != NULL || json) {
			cli_err("audit", "import takes --cosigned FILE --pubkey PEM [--witness-key "
			    "VKEY]...");
			return EGATE_EXIT_USAGE;
		}
	} else if (strcmp(verb, "policy") == 0) {
		if (filters > 0 || format != NULL || hmac_key != NULL || json || version == 0) {
			cli_err("audit", "policy takes --version N only (it prints JSON)");
			return EGATE_EXIT_USAGE;
		}
	} else if (strcmp(verb, "replay") == 0) {
		if ((int)all + (id > 0) + (filters > 0) != 1 || format != NULL || hmac_key != NULL ||
		    document != NULL || f.type != NULL) {
			cli_err("audit", "replay takes one selection: --all, --id N, or filters "
			    "(--seq N or A-B, --kiosk, --from, --to, --decision, --reason, "
			    "--officer, --limit); and --json");
			return EGATE_EXIT_USAGE;
		}
		if (time_window(from_arg, to_arg, &f) != EGATE_EXIT_OK)
			return EGATE_EXIT_USAGE;
	} else if (strcmp(verb, "head") == 0 || strcmp(verb, "snapshot") == 0) {
		if (filters > 0 || format != NULL || hmac_key != NULL || json) {
			cli_err("audit", "%s takes no filters", verb);
			return EGATE_EXIT_USAGE;
		}
		if (strcmp(verb, "snapshot") == 0 && out == NULL) {
			cli_err("audit", "snapshot needs --out PATH");
			return EGATE_EXIT_USAGE;
		}
	} else if (strcmp(verb, "verify") == 0) {
		if (pubkey == NULL) {
			cli_err("audit", "verify needs --pubkey PEM");
			return EGATE_EXIT_USAGE;
		}
		if (filters > 0 || format != NULL || hmac_key != NULL) {
			cli_err("audit", "verify takes no filters: it always checks the whole log");
			return EGATE_EXIT_USAGE;
		}
		if (quorum > nw) {
			cli_err("audit", "--quorum %" PRIu64 " is more than the %zu witness keys given",
			    quorum, nw);
			return EGATE_EXIT_USAGE;
		}
	} else if (strcmp(verb, "prove") == 0) {
		if ((id == 0) == (f.seq == 0) || format != NULL || hmac_key != NULL ||
		    filters - (f.seq > 0) - (f.kiosk_id != NULL) > 0 || (id > 0 && f.kiosk_id != NULL)) {
			cli_err("audit", "prove takes --id N, or --seq N with an optional --kiosk K "
			    "(and --size M, --json)");
			return EGATE_EXIT_USAGE;
		}
	} else if (strcmp(verb, "consistency") == 0) {
		uint64_t a = 0, b = 0;

		if (from_arg == NULL || !parse_u64(from_arg, true, &a) ||
		    (to_arg != NULL && !parse_u64(to_arg, false, &b)) || filters > 2 ||
		    format != NULL || hmac_key != NULL || (to_arg != NULL && b < a)) {
			cli_err("audit", "consistency takes --from N (a tree size, 0 allowed) and "
			    "--to M >= N (a checkpoint's size; default the newest), --json");
			return EGATE_EXIT_USAGE;
		}
		f.from_ms = (int64_t)a;
		f.to_ms = (int64_t)b;
	} else {
		if (time_window(from_arg, to_arg, &f) != EGATE_EXIT_OK)
			return EGATE_EXIT_USAGE;
		if ((document == NULL) != (hmac_key == NULL)) {
			cli_err("audit", "--document and --hmac-key go together");
			return EGATE_EXIT_USAGE;
		}
		if (strcmp(verb, "query") == 0) {
			if (format != NULL) {
				cli_err("audit", "--format is for export (query has --json)");
				return EGATE_EXIT_USAGE;
			}
			fmt = json ? OUT_JSON : OUT_TABLE;
		} else {
			if (json) {
				cli_err("audit", "export uses --format csv|jsonl, not --json");
				return EGATE_EXIT_USAGE;
			}
			if (format == NULL || strcmp(format, "jsonl") == 0)
				fmt = OUT_JSONL;
			else if (strcmp(format, "csv") == 0)
				fmt = OUT_CSV;
			else {
				cli_err("audit", "--format must be csv or jsonl");
				return EGATE_EXIT_USAGE;
			}
		}
		if (document != NULL) {
			ret = document_hmac(hmac_key, document, doc_hmac);
			if (ret != EGATE_EXIT_OK)
				return ret;
			f.doc_hmac = doc_hmac;
		}
	}

	rc = audit_open(path, NULL, &db);
	if (rc == EG_ERR_CHECKSUM) {
		printf("DAMAGED: %s: the database file is damaged (SQLite quick_check fails); "
		    "restore it from a snapshot\n", path);
		return AUDIT_EXIT_DAMAGED;
	}
	if (rc != EG_OK) {
		cli_err("audit", "%s: cannot open: %s%s", path, eg_strerror(rc),
		    rc == EG_ERR_UNSUPPORTED ? " (a schema-1 log: start egate-host once to migrate it, "
		    "or a log from a newer egate)" : "");
		return EGATE_EXIT_ERROR;
	}
	if (strcmp(verb, "verify") == 0)
		ret = run_verify(db, path, pubkey, anchor, wkeys, nw, (size_t)quorum, prog, json);
	else if (strcmp(verb, "head") == 0)
		ret = run_head(db);
	else if (strcmp(verb, "prove") == 0)
		ret = run_prove(db, (int64_t)id, &f, size, json);
	else if (strcmp(verb, "consistency") == 0)
		ret = run_consistency(db, (uint64_t)f.from_ms, (uint64_t)f.to_ms, json);
	else if (strcmp(verb, "snapshot") == 0)
		ret = run_snapshot(db, path, out, prog);
	else if (strcmp(verb, "policy") == 0)
		ret = run_policy(db, version);
	else if (strcmp(verb, "import") == 0)
		ret = run_import(db, path, cosigned, pubkey, wkeys, nw);
	else if (strcmp(verb, "replay") == 0)
		ret = audit_cli_replay(db, &f, (int64_t)id, seq_lo, seq_hi, json);
	else
		ret = run_query(db, &f, fmt);
	audit_close(&db);
	return ret;
}
