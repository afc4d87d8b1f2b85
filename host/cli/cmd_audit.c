/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate audit — read, export and verify the tamper-evident audit log.
 *
 *   egate audit --db PATH query  [FILTERS] [--json]
 *   egate audit --db PATH export [FILTERS] [--format csv|jsonl]
 *   egate audit --db PATH verify --pubkey PEM [--anchor FILE] [--json]
 *   egate audit --db PATH head
 *
 * The store is opened read-only (no keys): nothing here can change it.
 * See docs/man/egate-audit.1 and docs/audit.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cli.h"
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
	    "       egate audit --db PATH verify --pubkey PEM [--anchor FILE] [--json]\n"
	    "       egate audit --db PATH head   (print the newest signed checkpoint)\n"
	    "\n"
	    "filters: --from TIME --to TIME (ISO-8601, UTC unless an offset is given;\n"
	    "         from inclusive, to exclusive), --kiosk ID, --type TYPE,\n"
	    "         --decision D, --reason R, --officer ID, --seq N (with --kiosk:\n"
	    "         one kiosk's passage, e.g. a referral), --limit N,\n"
	    "         --document NUMBER --hmac-key FILE (the number is turned into its\n"
	    "         HMAC with the key; the log never holds it in clear)\n"
	    "\n"
	    "exit: 0 ok/verified, 1 tampering found, 2 usage, 3 cannot open or read\n");
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

static const char *
dash(const char *s)
{
	return s != NULL ? s : "-";
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
	default:
		format_time(r->ts_ms, t, sizeof(t));
		printf("%-6" PRId64 " %-24s %-10s %-6" PRId64 " %-14s %-15s %-24s %-12s %.16s\n", r->id, t,
		    dash(r->kiosk_id), r->seq, dash(r->type), dash(r->decision), dash(r->reason),
		    dash(r->officer), r->purged ? "(purged)" : dash(r->doc_hmac));
		break;
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
		cli_err("audit", "query failed: %s", eg_strerror(rc));
		return EGATE_EXIT_ERROR;
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

static int
run_verify(struct audit_db *db, const char *pubfile, const char *anchorfile, int json)
{
	struct audit_report rep;
	struct audit_anchor anchor;
	char *pem = NULL, *atext = NULL, t[TIME_LEN] = "-";
	size_t len = 0, alen = 0;
	int rc, ret = EGATE_EXIT_ERROR;

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
			cli_err("audit", "%s: not a checkpoint written by 'egate audit head'", anchorfile);
			goto out;
		}
	}
	rc = audit_verify(db, pem, anchorfile != NULL ? &anchor : NULL, &rep);
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
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_bool(&j, "ok", rep.ok);
		eg_json_key_str(&j, "problem", audit_problem_name(rep.problem));
		eg_json_key_int(&j, "bad_record", rep.bad_record);
		eg_json_key_int(&j, "bad_checkpoint", rep.bad_checkpoint);
		eg_json_key_str(&j, "detail", rep.detail);
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
		eg_json_obj_end(&j);
		if (eg_json_finish(&j) != EG_OK)
			goto out;
	} else if (rep.ok) {
		printf("OK: %" PRIu64 " records (%" PRIu64 " purged), %" PRIu64 " checkpoints, %"
		    PRIu64 " sealed, %" PRIu64 " unsealed; last checkpoint %s%s\n", rep.records,
		    rep.purged, rep.checkpoints, rep.sealed, rep.unsealed, t,
		    rep.anchored ? "; external checkpoint matched" : "");
	} else {
		printf("TAMPERED: %s\n", rep.detail);
		printf("problem: %s; first bad record: %" PRId64 "; checkpoint: %" PRId64
		    "; records verified before it: %" PRIu64 "\n", audit_problem_name(rep.problem),
		    rep.bad_record, rep.bad_checkpoint, rep.records);
	}
	ret = rep.ok ? EGATE_EXIT_OK : EGATE_EXIT_FAIL;
out:
	free(pem);
	free(atext);
	return ret;
}

int
cmd_audit(int argc, char **argv)
{
	enum { O_FROM = 256, O_TO, O_KIOSK, O_TYPE, O_DECISION, O_REASON, O_OFFICER, O_DOCUMENT,
		O_HMAC_KEY, O_LIMIT, O_FORMAT, O_PUBKEY, O_ANCHOR, O_SEQ };
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
		{ NULL, 0, NULL, 0 },
	};
	struct audit_filter f;
	struct audit_db *db = NULL;
	const char *path = NULL, *verb = NULL, *document = NULL, *hmac_key = NULL;
	const char *format = NULL, *pubkey = NULL, *anchor = NULL;
	char doc_hmac[AUDIT_HMAC_HEX_LEN + 1];
	int c, json = 0, filters = 0, ret = EGATE_EXIT_USAGE, rc;
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
		case O_FROM:
		case O_TO: {
			int64_t ms;

			if (parse_time(optarg, &ms) != 0) {
				cli_err("audit", "--%s: '%s' is not an ISO-8601 time "
				    "(e.g. 2026-11-29T10:00:00Z)", c == O_FROM ? "from" : "to", optarg);
				return EGATE_EXIT_USAGE;
			}
			if (c == O_FROM) {
				f.has_from = true;
				f.from_ms = ms;
			} else {
				f.has_to = true;
				f.to_ms = ms;
			}
			filters++;
			break;
		}
		case O_KIOSK: f.kiosk_id = optarg; filters++; break;
		case O_TYPE: f.type = optarg; filters++; break;
		case O_DECISION: f.decision = optarg; filters++; break;
		case O_REASON: f.reason = optarg; filters++; break;
		case O_OFFICER: f.officer = optarg; filters++; break;
		case O_DOCUMENT: document = optarg; filters++; break;
		case O_HMAC_KEY: hmac_key = optarg; break;
		case O_LIMIT:
		case O_SEQ: {
			char *end;
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || v == 0 || optarg[0] == '-') {
				cli_err("audit", "%s needs a positive number",
				    c == O_SEQ ? "--seq" : "--limit");
				return EGATE_EXIT_USAGE;
			}
			if (c == O_SEQ)
				f.seq = v;
			else
				f.limit = v;
			filters++;
			break;
		}
		case O_FORMAT: format = optarg; break;
		case O_PUBKEY: pubkey = optarg; break;
		case O_ANCHOR: anchor = optarg; break;
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
	if (strcmp(verb, "query") != 0 && strcmp(verb, "export") != 0 && strcmp(verb, "verify") != 0 &&
	    strcmp(verb, "head") != 0) {
		cli_err("audit", "unknown verb '%s' (query, export, verify or head)", verb);
		return EGATE_EXIT_USAGE;
	}
	if (path == NULL) {
		cli_err("audit", "--db PATH is required");
		return EGATE_EXIT_USAGE;
	}
	if (strcmp(verb, "head") == 0) {
		if (filters > 0 || format != NULL || hmac_key != NULL || pubkey != NULL ||
		    anchor != NULL || json) {
			cli_err("audit", "head takes no options but --db");
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
	} else {
		if (pubkey != NULL || anchor != NULL) {
			cli_err("audit", "--pubkey and --anchor are for verify");
			return EGATE_EXIT_USAGE;
		}
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
		if (f.has_from && f.has_to && f.to_ms <= f.from_ms) {
			cli_err("audit", "--to must be after --from");
			return EGATE_EXIT_USAGE;
		}
		if (document != NULL) {
			ret = document_hmac(hmac_key, document, doc_hmac);
			if (ret != EGATE_EXIT_OK)
				return ret;
			f.doc_hmac = doc_hmac;
		}
	}

	rc = audit_open(path, NULL, &db);
	if (rc != EG_OK) {
		cli_err("audit", "%s: cannot open: %s", path, eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	if (strcmp(verb, "verify") == 0)
		ret = run_verify(db, pubkey, anchor, json);
	else if (strcmp(verb, "head") == 0)
		ret = run_head(db);
	else
		ret = run_query(db, &f, fmt);
	audit_close(&db);
	return ret;
}
