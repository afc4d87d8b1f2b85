/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate doc — travel document files checked offline (docs/man/egate-doc.1,
 * docs/document-checks.md), for auditors and integrators:
 *
 *   egate doc verify [--csca PATH]... [--masterlist FILE]... [--crl PATH]...
 *                    [--at YYYY-MM-DD] [--mrz MRZ] [--json] FILE...
 *
 * The FILEs are a document dump (egate read --out writes one): EF.SOD,
 * EF.COM, DG1-DG16, EF.CardAccess, EF.CardSecurity in any order, each
 * recognised by its outer tag. It prints the same named checks as
 * `egate read`; the chip protocols (access control, secure messaging, chip
 * and active authentication, PACE-CAM) need the chip and are "not-checked".
 *
 * Links only common/ and docauth/ (mbedTLS): no OpenCV, libusb or libuvc,
 * so an auditor's package can ship it alone (the egate-doc program built
 * beside egate, doc_main.c). Exit: 0 every check that ran passed, 1 one
 * failed, 2 usage or unreadable input.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "docauth/cert.h"
#include "docauth/csca.h"
#include "docauth/lds.h"
#include "docauth/pa.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"

#define CMD "doc"
#define DOC_FILE_MAX (16u * 1024u * 1024u)
#define MAX_FILES 32
#define MAX_TRUST 32

/* The checks of `egate read` that need the chip (firmware/doc/include/doc/
 * read.h, enum doc_check), by name and in its order: before passive
 * authentication come the first three (CHIP_BEFORE_PA), after it the rest. */
static const char *const chip_checks[] = {
	"access_control", "secure_messaging", "files_read", "chip_authentication",
	"active_authentication", "pace_cam",
};
#define CHIP_BEFORE_PA 3
#define CHIP_CHECKS (sizeof(chip_checks) / sizeof(chip_checks[0]))

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate doc verify [--csca PATH]... [--masterlist FILE]... [--crl PATH]...\n"
	    "                        [--at YYYY-MM-DD] [--mrz MRZ] [--json] FILE...\n"
	    "\n"
	    "Check a travel document's files offline, as egate read checks them on the chip:\n"
	    "EF.SOD, EF.COM, DG1-DG16, EF.CardAccess and EF.CardSecurity, in any order\n"
	    "(recognised by their outer tag; egate read --out writes them).\n"
	    "\n"
	    "  -c, --csca PATH       trust anchors: a CSCA certificate file (PEM or DER) or a\n"
	    "                        folder of them and of .ml master lists (repeatable)\n"
	    "  -M, --masterlist FILE an ICAO CSCA master list, verified against the anchors\n"
	    "                        (repeatable)\n"
	    "  -l, --crl PATH        a CRL file or folder of CRLs (repeatable)\n"
	    "  -a, --at YYYY-MM-DD   check the document as of that day (12:00 UTC);\n"
	    "                        default: now. Master lists are checked as of now.\n"
	    "  -m, --mrz MRZ         the printed MRZ, lines separated by newlines or '\\n'\n"
	    "                        (for dg1_mrz_match)\n"
	    "  -j, --json            print the result as JSON\n"
	    "  -h, --help            this help\n"
	    "\n"
	    "exit: 0 every check that ran passed, 1 a check failed, 2 usage or unreadable input\n");
}

struct doc_file {
	const char *path;
	uint8_t *data;
	size_t len;
	enum lds_file kind;
	int dg;
};

struct doc_ctx {
	struct doc_file f[MAX_FILES];
	size_t n;
	struct csca_store *store;
	struct csca_report rep;
	size_t n_crls;
	char warn[8][400];
	size_t n_warn;
};

static void
warn(struct doc_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn(struct doc_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->n_warn == sizeof(x->warn) / sizeof(x->warn[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(x->warn[x->n_warn++], sizeof(x->warn[0]), fmt, ap);
	va_end(ap);
}

static int
slurp(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *b = NULL;
	int ret = EG_ERR_IO;

	*out = NULL;
	if (f == NULL)
		return EG_ERR_IO;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	ret = EG_ERR_OVERFLOW;
	if (st.st_size <= 0 || (size_t)st.st_size > DOC_FILE_MAX)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((b = malloc((size_t)st.st_size)) == NULL)
		goto out;
	ret = EG_ERR_IO;
	if (fread(b, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		goto out;
	*out = b;
	*len = (size_t)st.st_size;
	b = NULL;
	ret = EG_OK;
out:
	free(b);
	fclose(f);
	return ret;
}

/* The MRZ argument: real newlines or the two characters '\' 'n'. */
static int
copy_mrz(const char *in, char *out, size_t cap)
{
	size_t k = 0;

	for (const char *p = in; *p != '\0'; p++) {
		if (k + 1 >= cap)
			return EG_ERR_OVERFLOW;
		if (p[0] == '\\' && p[1] == 'n') {
			out[k++] = '\n';
			p++;
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
	return EG_OK;
}

/* "YYYY-MM-DD" -> that day at 12:00 UTC */
static int
parse_date(const char *s, time_t *t)
{
	struct tm tm;
	int y, m, d;
	char tail;

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 || y > 2200 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return EG_ERR_FORMAT;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	*t = timegm(&tm);
	gmtime_r(t, &tm);
	return tm.tm_mday == d ? EG_OK : EG_ERR_FORMAT;	/* no 31 February */
}

/* Read and recognise the files; 2 on a problem (said on stderr). */
static int
load_files(struct doc_ctx *x, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		struct doc_file *f = &x->f[x->n];
		int r;

		if (x->n == MAX_FILES) {
			cli_err(CMD, "too many files (at most %d)", MAX_FILES);
			return EGATE_EXIT_USAGE;
		}
		f->path = argv[i];
		if ((r = slurp(argv[i], &f->data, &f->len)) != EG_OK) {
			cli_err(CMD, "%s: cannot read: %s", argv[i], eg_strerror(r));
			return EGATE_EXIT_USAGE;
		}
		x->n++;
		if ((r = lds_file_identify(f->data, f->len, &f->kind, &f->dg)) != EG_OK) {
			cli_err(CMD, "%s: not an eMRTD file (%s): the whole file must be one EF.SOD, "
			    "EF.COM, DG, EF.CardAccess or EF.CardSecurity, exactly as read",
			    argv[i], r == EG_ERR_NOT_FOUND ? "unknown tag" : eg_strerror(r));
			return EGATE_EXIT_USAGE;
		}
		for (size_t k = 0; k + 1 < x->n; k++)
			if (x->f[k].kind == f->kind && x->f[k].dg == f->dg) {
				cli_err(CMD, "%s and %s are both %s", x->f[k].path, argv[i],
				    lds_file_name(f->kind, f->dg));
				return EGATE_EXIT_USAGE;
			}
	}
	return EGATE_EXIT_OK;
}

static int
load_trust(struct doc_ctx *x, const char *const *csca, size_t n_csca, const char *const *ml,
    size_t n_ml, const char *const *crl, size_t n_crl)
{
	time_t now = time(NULL);
	char sum[400];
	int r;

	if ((r = csca_store_new(&x->store)) != EG_OK) {
		cli_err(CMD, "%s", eg_strerror(r));
		return EGATE_EXIT_USAGE;
	}
	csca_report_init(&x->rep);
	for (size_t i = 0; i < n_csca; i++) {
		struct csca_report one;

		csca_report_init(&one);
		r = csca_store_load_path_report(x->store, csca[i], now, &one);
		if (r == EG_ERR_IO) {
			cli_err(CMD, "--csca %s: cannot read", csca[i]);
			return EGATE_EXIT_USAGE;
		}
		if (r == EG_ERR_NOMEM) {
			cli_err(CMD, "%s", eg_strerror(r));
			return EGATE_EXIT_USAGE;
		}
		if (r != EG_OK || csca_report_skipped(&one) > 0 || one.lists_refused > 0) {
			csca_report_summary(&one, sum, sizeof(sum));
			warn(x, "--csca %s: %s", csca[i], sum);
		}
		x->rep.added += one.added;
		x->rep.lists += one.lists;
		x->rep.lists_refused += one.lists_refused;
		for (int k = 0; k < CSCA_SKIP_COUNT; k++)
			x->rep.skipped[k] += one.skipped[k];
		x->rep.links_unverified += one.links_unverified;
	}
	/* master lists after every anchor is in */
	for (size_t i = 0; i < n_ml; i++) {
		uint8_t *b;
		size_t len;

		if ((r = slurp(ml[i], &b, &len)) != EG_OK) {
			cli_err(CMD, "--masterlist %s: cannot read: %s", ml[i], eg_strerror(r));
			return EGATE_EXIT_USAGE;
		}
		r = csca_store_add_masterlist_report(x->store, b, len, now, &x->rep);
		free(b);
		if (r != EG_OK)
			warn(x, "--masterlist %s: refused (%s): %s", ml[i],
			    csca_ml_status_str(x->rep.ml_status), x->rep.detail);
	}
	for (size_t i = 0; i < n_crl; i++) {
		struct stat st;
		size_t ok = 0, bad = 0;

		if (stat(crl[i], &st) != 0) {
			cli_err(CMD, "--crl %s: cannot read", crl[i]);
			return EGATE_EXIT_USAGE;
		}
		if (S_ISDIR(st.st_mode)) {
			if (csca_store_load_crl_dir(x->store, crl[i], &ok, &bad) != EG_OK) {
				cli_err(CMD, "--crl %s: cannot read", crl[i]);
				return EGATE_EXIT_USAGE;
			}
			if (bad > 0)
				warn(x, "--crl %s: %zu file(s) not usable as CRLs", crl[i], bad);
		} else {
			uint8_t *b;
			size_t len;

			if ((r = slurp(crl[i], &b, &len)) != EG_OK) {
				cli_err(CMD, "--crl %s: cannot read: %s", crl[i], eg_strerror(r));
				return EGATE_EXIT_USAGE;
			}
			if (csca_store_add_crl(x->store, b, len) != EG_OK)
				warn(x, "--crl %s: not a CRL (or partly unreadable)", crl[i]);
			free(b);
		}
	}
	x->n_crls = csca_store_crl_count(x->store);
	return EGATE_EXIT_OK;
}

/* The chip-side checks, offline: what the files say about them. */
static void
chip_check(const struct doc_ctx *x, const struct pa_report *r, const char *name,
    const char **st, char *reason, size_t cap)
{
	*st = "not-checked";
	if (strcmp(name, "files_read") == 0) {
		const struct doc_file *com = NULL;
		struct lds_com c;
		char miss[160] = "";
		size_t k = 0;
		bool sod = false;

		for (size_t i = 0; i < x->n; i++) {
			if (x->f[i].kind == LDS_FILE_COM)
				com = &x->f[i];
			sod |= x->f[i].kind == LDS_FILE_SOD;
		}
		if (com == NULL || lds_com_parse(com->data, com->len, &c) != EG_OK) {
			snprintf(reason, cap, "offline: %s", com == NULL ? "no EF.COM given" :
			    "EF.COM malformed");
			return;
		}
		for (int dg = 1; dg <= LDS_MAX_DG; dg++) {
			bool given = false;
			int w;

			if (!(c.dg_mask & (1u << dg)) || dg == 3 || dg == 4)
				continue;	/* DG3/DG4 need EAC: never required */
			for (size_t i = 0; i < x->n; i++)
				given |= x->f[i].kind == LDS_FILE_DG && x->f[i].dg == dg;
			if (given || k >= sizeof(miss))
				continue;
			w = snprintf(miss + k, sizeof(miss) - k, "%sDG%d", k > 0 ? ", " : "", dg);
			k = w < 0 ? k : k + (size_t)w;
		}
		if (!sod && k < sizeof(miss)) {
			int w = snprintf(miss + k, sizeof(miss) - k, "%sEF.SOD", k > 0 ? ", " : "");

			k = w < 0 ? k : k + (size_t)w;
		}
		if (k == 0) {
			*st = "pass";
			snprintf(reason, cap, "every file EF.COM lists was given (%zu files)", x->n);
		} else {
			snprintf(reason, cap, "offline: not given: %s", miss);
		}
		return;
	}
	(void)r;
	if (strcmp(name, "chip_authentication") == 0 || strcmp(name, "active_authentication") == 0) {
		int dg = name[0] == 'c' ? 14 : 15;
		bool have = false;

		for (size_t i = 0; i < x->n; i++)
			have |= x->f[i].kind == LDS_FILE_DG && x->f[i].dg == dg;
		if (dg == 15 && have) {
			struct lds_dg15 k;

			for (size_t i = 0; i < x->n; i++) {
				if (x->f[i].kind != LDS_FILE_DG || x->f[i].dg != 15)
					continue;
				if (lds_dg15_parse(x->f[i].data, x->f[i].len, &k) == EG_OK) {
					snprintf(reason, cap, "offline: needs the chip (DG15 holds an %s "
					    "key%s%s%s)", mbedtls_pk_get_name(&k.pk),
					    k.key.curve_name[0] ? " on " : "", k.key.curve_name,
					    k.key.explicit_params ? ", explicit parameters" : "");
					lds_dg15_free(&k);
				} else {
					snprintf(reason, cap, "offline: needs the chip (DG15 does not parse)");
				}
			}
			return;
		}
		snprintf(reason, cap, "offline: needs the chip%s", have ? (dg == 14 ?
		    " (DG14 given)" : "") : (dg == 14 ? " (no DG14 given)" : " (no DG15 given)"));
		return;
	}
	if (strcmp(name, "pace_cam") == 0) {
		bool cs = false;

		for (size_t i = 0; i < x->n; i++)
			cs |= x->f[i].kind == LDS_FILE_CARD_SECURITY;
		snprintf(reason, cap, "offline: needs the chip%s", cs ? " (EF.CardSecurity "
		    "given: its signature is the card_security check)" : "");
		return;
	}
	snprintf(reason, cap, "offline: needs the chip");
}

static void
print_check(const char *name, const char *st, const char *reason)
{
	printf("  %-24s %-12s %s\n", name, st, reason);
}

static void
json_check(struct eg_json *j, const char *name, const char *st, const char *code,
    const char *reason)
{
	eg_json_obj_begin(j);
	eg_json_key_str(j, "name", name);
	eg_json_key_str(j, "status", st);
	if (code != NULL)
		eg_json_key_str(j, "code", code);
	eg_json_key_str(j, "reason", reason);
	eg_json_obj_end(j);
}

static bool
any_fail(const struct doc_ctx *x, const struct pa_report *r)
{
	for (int c = 0; c < PA_CHECK_COUNT; c++)
		if (r->r[c].status == PA_FAIL)
			return true;
	(void)x;	/* the chip-side checks never fail offline */
	return false;
}

static void
output(const struct doc_ctx *x, const struct pa_report *r, time_t t, bool json)
{
	char when[32], reason[320], sum[400];
	const char *st;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	csca_report_summary(&x->rep, sum, sizeof(sum));
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_bool(&j, "passed", !any_fail(x, r));
		eg_json_key_str(&j, "check_time", when);
		eg_json_key(&j, "files");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < x->n; i++) {
			eg_json_obj_begin(&j);
			eg_json_key_str(&j, "path", x->f[i].path);
			eg_json_key_str(&j, "file", lds_file_name(x->f[i].kind, x->f[i].dg));
			eg_json_key_int(&j, "size", (long long)x->f[i].len);
			eg_json_obj_end(&j);
		}
		eg_json_arr_end(&j);
		eg_json_key(&j, "trust");
		eg_json_obj_begin(&j);
		eg_json_key_int(&j, "cscas", (long long)csca_store_count(x->store));
		eg_json_key_int(&j, "crls", (long long)x->n_crls);
		eg_json_key_int(&j, "master_lists", (long long)x->rep.lists);
		eg_json_key_int(&j, "master_lists_refused", (long long)x->rep.lists_refused);
		eg_json_key(&j, "skipped");
		eg_json_obj_begin(&j);
		for (int k = 0; k < CSCA_SKIP_COUNT; k++)
			eg_json_key_int(&j, csca_skip_str((enum csca_skip)k), (long long)x->rep.skipped[k]);
		eg_json_obj_end(&j);
		eg_json_key_int(&j, "links_unverified", (long long)x->rep.links_unverified);
		eg_json_key(&j, "warnings");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < x->n_warn; i++)
			eg_json_str(&j, x->warn[i]);
		eg_json_arr_end(&j);
		eg_json_obj_end(&j);
		eg_json_key_str(&j, "ds_subject", r->ds_subject);
		eg_json_key_str(&j, "ds_sha256", r->ds_sha256);
		eg_json_key_str(&j, "csca_subject", r->csca_subject);
		eg_json_key_str(&j, "csca_sha256", r->csca_sha256);
		eg_json_key(&j, "checks");
		eg_json_arr_begin(&j);
		for (size_t c = 0; c < CHIP_BEFORE_PA; c++) {
			chip_check(x, r, chip_checks[c], &st, reason, sizeof(reason));
			json_check(&j, chip_checks[c], st, NULL, reason);
		}
		for (int c = 0; c < PA_CHECK_COUNT; c++)
			json_check(&j, pa_result_str((enum pa_check)c), pa_status_str(r->r[c].status),
			    pa_reason_str(r->r[c].code), r->r[c].reason);
		for (size_t c = CHIP_BEFORE_PA; c < CHIP_CHECKS; c++) {
			chip_check(x, r, chip_checks[c], &st, reason, sizeof(reason));
			json_check(&j, chip_checks[c], st, NULL, reason);
		}
		eg_json_arr_end(&j);
		eg_json_key(&j, "data_groups");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < r->n_dg; i++) {
			eg_json_obj_begin(&j);
			eg_json_key_int(&j, "dg", r->dg[i].dg);
			eg_json_key_str(&j, "status", pa_dg_status_str(r->dg[i].status));
			eg_json_obj_end(&j);
		}
		eg_json_arr_end(&j);
		eg_json_obj_end(&j);
		(void)eg_json_finish(&j);
		printf("\n");
		return;
	}
	printf("%-10s", "files");
	for (size_t i = 0; i < x->n; i++)
		printf("%s%s (%zu B)", i > 0 ? ", " : " ", lds_file_name(x->f[i].kind, x->f[i].dg),
		    x->f[i].len);
	printf("\n%-10s %zu CSCAs, %zu CRLs (%s)\n", "trust", csca_store_count(x->store),
	    x->n_crls, sum);
	printf("%-10s %s\n", "at", when);
	printf("checks\n");
	for (size_t c = 0; c < CHIP_BEFORE_PA; c++) {
		chip_check(x, r, chip_checks[c], &st, reason, sizeof(reason));
		print_check(chip_checks[c], st, reason);
	}
	for (int c = 0; c < PA_CHECK_COUNT; c++)
		print_check(pa_result_str((enum pa_check)c), pa_status_str(r->r[c].status),
		    r->r[c].reason);
	for (size_t c = CHIP_BEFORE_PA; c < CHIP_CHECKS; c++) {
		chip_check(x, r, chip_checks[c], &st, reason, sizeof(reason));
		print_check(chip_checks[c], st, reason);
	}
	if (r->ds_subject[0] != '\0')
		printf("%-10s %s\n%-10s sha256 %s\n", "ds", r->ds_subject, "", r->ds_sha256);
	if (r->csca_subject[0] != '\0')
		printf("%-10s %s\n%-10s sha256 %s\n", "csca", r->csca_subject, "", r->csca_sha256);
	printf("%-10s %s\n", "result", any_fail(x, r) ? "fail" : "pass");
}

static int
verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "csca", required_argument, NULL, 'c' },
		{ "masterlist", required_argument, NULL, 'M' },
		{ "crl", required_argument, NULL, 'l' },
		{ "at", required_argument, NULL, 'a' },
		{ "mrz", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *csca[MAX_TRUST], *ml[MAX_TRUST], *crl[MAX_TRUST], *mrz_arg = NULL;
	size_t n_csca = 0, n_ml = 0, n_crl = 0;
	struct doc_ctx *x = NULL;
	struct pa_input in;
	struct pa_report *r = NULL;
	char mrz[256];
	time_t t = time(NULL);
	bool json = false;
	int c, ret = EGATE_EXIT_USAGE;

	mrz[0] = '\0';
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:M:l:a:m:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
		case 'M':
		case 'l': {
			const char **v = c == 'c' ? csca : c == 'M' ? ml : crl;
			size_t *n = c == 'c' ? &n_csca : c == 'M' ? &n_ml : &n_crl;

			if (*n == MAX_TRUST) {
				cli_err(CMD, "too many --%s options", c == 'c' ? "csca" : c == 'M' ?
				    "masterlist" : "crl");
				goto out;
			}
			v[(*n)++] = optarg;
			break;
		}
		case 'a':
			if (parse_date(optarg, &t) != EG_OK) {
				cli_err(CMD, "--at wants a date YYYY-MM-DD, not '%s'", optarg);
				goto out;
			}
			break;
		case 'm':
			mrz_arg = optarg;
			if (copy_mrz(optarg, mrz, sizeof(mrz)) != EG_OK) {
				cli_err(CMD, "--mrz is too long");
				goto out;
			}
			break;
		case 'j': json = true; break;
		case 'h': help(stdout); ret = EGATE_EXIT_OK; goto out;
		default: help(stderr); goto out;
		}
	}
	if (optind >= argc) {
		cli_err(CMD, "verify: no files given");
		help(stderr);
		goto out;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL || (r = calloc(1, sizeof(*r))) == NULL) {
		cli_err(CMD, "%s", eg_strerror(EG_ERR_NOMEM));
		goto out;
	}
	if ((ret = load_files(x, argc - optind, argv + optind)) != EGATE_EXIT_OK ||
	    (ret = load_trust(x, csca, n_csca, ml, n_ml, crl, n_crl)) != EGATE_EXIT_OK)
		goto out;
	for (size_t i = 0; i < x->n_warn; i++)
		cli_err(CMD, "%s", x->warn[i]);
	memset(&in, 0, sizeof(in));
	in.check_time = t;
	in.printed_mrz = mrz_arg != NULL ? mrz : NULL;
	for (size_t i = 0; i < x->n; i++) {
		const struct doc_file *f = &x->f[i];

		switch (f->kind) {
		case LDS_FILE_SOD: in.sod = f->data; in.sod_len = f->len; break;
		case LDS_FILE_COM: in.com = f->data; in.com_len = f->len; break;
		case LDS_FILE_DG: in.dg[f->dg] = f->data; in.dg_len[f->dg] = f->len; break;
		case LDS_FILE_CARD_SECURITY:
			in.card_security = f->data;
			in.card_security_len = f->len;
			break;
		default: break;	/* EF.CardAccess: read, listed, not signed */
		}
	}
	if (pa_verify(&in, x->store, r) != EG_OK) {
		cli_err(CMD, "%s", eg_strerror(EG_ERR_INVAL));
		ret = EGATE_EXIT_USAGE;
		goto out;
	}
	output(x, r, t, json);
	ret = any_fail(x, r) ? EGATE_EXIT_FAIL : EGATE_EXIT_OK;
out:
	if (x != NULL) {
		for (size_t i = 0; i < x->n; i++)
			eg_secret_free(&x->f[i].data, x->f[i].len);	/* personal data */
		csca_store_free(&x->store);
		free(x);
	}
	free(r);
	eg_memzero(mrz, sizeof(mrz));
	return ret;
}

int
cmd_doc(int argc, char **argv)
{
	if (argc < 2) {
		help(stderr);
		return EGATE_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help(stdout);
		return EGATE_EXIT_OK;
	}
	if (strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	cli_err(CMD, "'%s' is not a doc command (verify)", argv[1]);
	return EGATE_EXIT_USAGE;
}
