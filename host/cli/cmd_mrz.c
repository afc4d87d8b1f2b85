/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate mrz — parse and validate a machine readable zone (docs/man/egate-mrz.1).
 *
 *   egate mrz [--json] [--today YYYY-MM-DD] [LINE... | -]
 *
 * The lines come as separate arguments, as one argument with embedded
 * newlines, or from stdin (no argument or "-"). The MRZ is personal data:
 * input buffers and the result are wiped before exit and nothing is logged.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/mrz.h"
#ifndef EGATE_CLI_CORE
#include "egate/mrzsrc.h"
#endif
#include "egate/secure.h"

/* far more than any MRZ (3 x 44 plus line breaks and whitespace) */
#define MRZ_INPUT_MAX 4096

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate mrz [--json] [--today YYYY-MM-DD] [LINE... | -]\n"
	    "       egate mrz [--json] [--today YYYY-MM-DD] --device SPEC [--wait SECONDS]\n"
	    "\n"
	    "Parse and validate an ICAO 9303 machine readable zone (TD1, TD2, TD3,\n"
	    "MRV-A, MRV-B). Give each line as an argument, or all lines in one\n"
	    "argument separated by newlines, or on stdin (no LINE, or '-').\n"
	    "\n"
	    "  -j, --json         print the fields and errors as JSON\n"
	    "  -t, --today DATE   reference date for two-digit years (default: today, UTC)\n"
	    "  -d, --device SPEC  read the MRZ from an MRZ reader: acm or acm:VID:PID (a\n"
	    "                     CDC-ACM OCR reader), hid or hid:VID:PID (a reader\n"
	    "                     that types the MRZ as a USB HID keyboard); waits for\n"
	    "                     one document\n"
	    "  -w, --wait SECONDS how long to wait for it (default 30)\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "exit: 0 valid, 1 invalid (each failing field on stderr), 2 usage,\n"
	    "      3 input cannot be read (no MRZ reader, nothing within --wait, lines\n"
	    "      that are no MRZ)\n");
}

static int
parse_today(const char *s, struct mrz_date *d)
{
	char tail;

	if (sscanf(s, "%4d-%2d-%2d%c", &d->year, &d->month, &d->day, &tail) != 3 ||
	    strlen(s) != 10)
		return EG_ERR_INVAL;
	return EG_OK;
}

/* read all of stdin into w; EG_ERR_OVERFLOW past its max */
static int
read_stdin(struct eg_wbuf *w)
{
	char chunk[512];
	size_t n;
	int ret = EG_OK;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		if ((ret = eg_wbuf_put(w, chunk, n)) != EG_OK)
			break;
	}
	if (ret == EG_OK && ferror(stdin))
		ret = EG_ERR_IO;
	eg_memzero(chunk, sizeof(chunk));
	return ret;
}

#ifndef EGATE_CLI_CORE
/* --device: one document from an MRZ reader (egate/mrzsrc.h), its lines
 * into w. The reader's answer is personal data: wiped here. Only in the
 * helper egate-tools: `egate` itself does not link libusb (cli_tool.c). */
static int
read_device(const char *spec, unsigned wait_s, struct eg_wbuf *w)
{
	struct mrz_source *src = NULL;
	struct mrzdev_doc d;
	char err[256] = "";
	int ret;

	memset(&d, 0, sizeof(d));
	if ((ret = mrz_source_open(spec, NULL, &src, err, sizeof(err))) != EG_OK) {
		cli_err("mrz", "%s", err);
		return ret;
	}
	ret = mrz_source_read_doc(src, &d, wait_s * 1000u);
	if (ret == EG_OK) {
		for (unsigned i = 0; i < d.nlines && ret == EG_OK; i++) {
			if ((ret = eg_wbuf_put(w, d.line[i], strlen(d.line[i]))) == EG_OK)
				ret = eg_wbuf_u8(w, '\n');
		}
	} else if (ret == EG_ERR_TIMEOUT) {
		cli_err("mrz", "no document on %s within %u s", mrz_source_desc(src), wait_s);
	} else {
		cli_err("mrz", "%s: %s", mrz_source_desc(src), ret == EG_ERR_FORMAT ?
		    "lines that are no MRZ (wrong length or characters)" : eg_strerror(ret));
	}
	eg_memzero(&d, sizeof(d));
	mrz_source_free(&src);
	return ret;
}
#endif

static const char *
check_state(const struct mrz_result *r, enum mrz_field f)
{
	return mrz_result_error(r, f) != NULL ? "wrong" : "ok";
}

static void
fmt_date(char *buf, size_t cap, const struct mrz_result *r, enum mrz_field f,
    const char *raw, const struct mrz_date *d)
{
	char y[8], m[4], dd[4];

	if (raw[0] == '\0') {
		snprintf(buf, cap, "(unreadable)");
		return;
	}
	if (mrz_result_error(r, f) != NULL) {
		snprintf(buf, cap, "%s (invalid)", raw);
		return;
	}
	if (d->year)
		snprintf(y, sizeof(y), "%04d", d->year);
	else
		snprintf(y, sizeof(y), "????");
	if (d->month)
		snprintf(m, sizeof(m), "%02d", d->month);
	else
		snprintf(m, sizeof(m), "??");
	if (d->day)
		snprintf(dd, sizeof(dd), "%02d", d->day);
	else
		snprintf(dd, sizeof(dd), "??");
	snprintf(buf, cap, "%s-%s-%s%s", y, m, dd,
	    (!d->year || !d->month || !d->day) ? " (partly unknown)" : "");
}

static void
print_text(const struct mrz_result *r)
{
	char b[64];

	printf("%-18s %s\n", "format", mrz_format_name(r->format));
	printf("%-18s %s\n", "document code", r->document_code);
	printf("%-18s %s\n", "issuing state", r->issuing_state);
	printf("%-18s %s\n", "primary id", r->primary_id);
	printf("%-18s %s\n", "secondary id", r->secondary_id);
	printf("%-18s %s%s  (check %c: %s)\n", "document number", r->document_number,
	    r->document_number_extended ? " (extended)" : "",
	    r->document_number_check ? r->document_number_check : '?',
	    check_state(r, MRZ_FIELD_DOCUMENT_NUMBER_CHECK));
	printf("%-18s %s\n", "nationality", r->nationality);
	fmt_date(b, sizeof(b), r, MRZ_FIELD_BIRTH_DATE, r->birth_date_raw, &r->birth_date);
	printf("%-18s %s  (check %c: %s)\n", "birth date", b,
	    r->birth_date_check ? r->birth_date_check : '?',
	    check_state(r, MRZ_FIELD_BIRTH_DATE_CHECK));
	printf("%-18s %c\n", "sex", r->sex ? r->sex : '?');
	fmt_date(b, sizeof(b), r, MRZ_FIELD_EXPIRY_DATE, r->expiry_date_raw, &r->expiry_date);
	printf("%-18s %s  (check %c: %s)\n", "expiry date", b,
	    r->expiry_date_check ? r->expiry_date_check : '?',
	    check_state(r, MRZ_FIELD_EXPIRY_DATE_CHECK));
	if (r->optional_data_1_check)
		printf("%-18s %s  (check %c: %s)\n", "optional data 1", r->optional_data_1,
		    r->optional_data_1_check, check_state(r, MRZ_FIELD_OPTIONAL_DATA_1_CHECK));
	else
		printf("%-18s %s\n", "optional data 1", r->optional_data_1);
	if (r->format == MRZ_FORMAT_TD1)
		printf("%-18s %s\n", "optional data 2", r->optional_data_2);
	if (r->composite_check)
		printf("%-18s %c: %s\n", "composite check", r->composite_check,
		    check_state(r, MRZ_FIELD_COMPOSITE_CHECK));
	printf("%-18s %s\n", "valid", r->err == EG_OK ? "yes" : "no");
	eg_memzero(b, sizeof(b));
}

static void
json_date(struct eg_json *j, const char *key, const struct mrz_result *r, enum mrz_field f,
    const char *raw, const struct mrz_date *d)
{
	bool ok = raw[0] != '\0' && mrz_result_error(r, f) == NULL;

	eg_json_key(j, key);
	eg_json_obj_begin(j);
	eg_json_key_str(j, "raw", raw);
	eg_json_key(j, "year");
	if (ok && d->year) eg_json_int(j, d->year); else eg_json_null(j);
	eg_json_key(j, "month");
	if (ok && d->month) eg_json_int(j, d->month); else eg_json_null(j);
	eg_json_key(j, "day");
	if (ok && d->day) eg_json_int(j, d->day); else eg_json_null(j);
	/* parts the MRZ marks unknown with "<<" (birth dates only) */
	eg_json_key(j, "unknown");
	eg_json_arr_begin(j);
	if (ok && !d->year) eg_json_str(j, "year");
	if (ok && !d->month) eg_json_str(j, "month");
	if (ok && !d->day) eg_json_str(j, "day");
	eg_json_arr_end(j);
	eg_json_obj_end(j);
}

static void
json_check(struct eg_json *j, const char *key, const struct mrz_result *r, char c,
    enum mrz_field f)
{
	if (c == 0)
		return;
	eg_json_key(j, key);
	eg_json_obj_begin(j);
	eg_json_key(j, "digit");
	eg_json_strn(j, &c, 1);
	eg_json_key_bool(j, "ok", mrz_result_error(r, f) == NULL);
	eg_json_obj_end(j);
}

static int
print_json(const struct mrz_result *r)
{
	struct eg_json j;
	char sex[2] = { r->sex, '\0' };

	eg_json_init(&j, stdout);
	eg_json_obj_begin(&j);
	eg_json_key_bool(&j, "valid", r->err == EG_OK);
	eg_json_key_str(&j, "result", eg_err_name(r->err));
	eg_json_key_str(&j, "format", mrz_format_name(r->format));
	if (r->format != MRZ_FORMAT_UNKNOWN) {
		eg_json_key_str(&j, "document_code", r->document_code);
		eg_json_key_str(&j, "issuing_state", r->issuing_state);
		eg_json_key_str(&j, "primary_id", r->primary_id);
		eg_json_key_str(&j, "secondary_id", r->secondary_id);
		eg_json_key_str(&j, "document_number", r->document_number);
		eg_json_key_bool(&j, "document_number_extended", r->document_number_extended);
		eg_json_key_str(&j, "nationality", r->nationality);
		json_date(&j, "birth_date", r, MRZ_FIELD_BIRTH_DATE, r->birth_date_raw,
		    &r->birth_date);
		eg_json_key_str(&j, "sex", sex);
		json_date(&j, "expiry_date", r, MRZ_FIELD_EXPIRY_DATE, r->expiry_date_raw,
		    &r->expiry_date);
		eg_json_key_str(&j, "optional_data_1", r->optional_data_1);
		if (r->format == MRZ_FORMAT_TD1)
			eg_json_key_str(&j, "optional_data_2", r->optional_data_2);
		eg_json_key(&j, "checks");
		eg_json_obj_begin(&j);
		json_check(&j, "document_number", r, r->document_number_check,
		    MRZ_FIELD_DOCUMENT_NUMBER_CHECK);
		json_check(&j, "birth_date", r, r->birth_date_check, MRZ_FIELD_BIRTH_DATE_CHECK);
		json_check(&j, "expiry_date", r, r->expiry_date_check,
		    MRZ_FIELD_EXPIRY_DATE_CHECK);
		json_check(&j, "optional_data_1", r, r->optional_data_1_check,
		    MRZ_FIELD_OPTIONAL_DATA_1_CHECK);
		json_check(&j, "composite", r, r->composite_check, MRZ_FIELD_COMPOSITE_CHECK);
		eg_json_obj_end(&j);
	}
	eg_json_key(&j, "errors");
	eg_json_arr_begin(&j);
	for (size_t i = 0; i < r->nerrors; i++) {
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "field", mrz_field_name(r->errors[i].field));
		eg_json_key_str(&j, "problem", mrz_problem_name(r->errors[i].problem));
		eg_json_key_str(&j, "reason", r->errors[i].reason);
		eg_json_obj_end(&j);
	}
	eg_json_arr_end(&j);
	eg_json_obj_end(&j);
	return eg_json_finish(&j);
}

int
cmd_mrz(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "today", required_argument, NULL, 't' },
		{ "device", required_argument, NULL, 'd' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mrz_date today, *todayp = NULL;
	struct mrz_result r;
	struct eg_wbuf in;
	const char *device = NULL;
	unsigned long wait_s = 30;
	char *end;
	int json = 0, c, ret = EGATE_EXIT_ERROR, err;

	memset(&r, 0, sizeof(r));
	eg_wbuf_init(&in, MRZ_INPUT_MAX, true);
	optind = 1;
	while ((c = getopt_long(argc, argv, "jt:d:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'w':
			wait_s = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || wait_s > 3600) {
				cli_err("mrz", "--wait takes 0..3600 seconds");
				ret = EGATE_EXIT_USAGE;
				goto out;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 't':
			if (parse_today(optarg, &today) != EG_OK) {
				cli_err("mrz", "--today wants YYYY-MM-DD, got '%s'", optarg);
				ret = EGATE_EXIT_USAGE;
				goto out;
			}
			todayp = &today;
			break;
		case 'h':
			help(stdout);
			ret = EGATE_EXIT_OK;
			goto out;
		default:
			help(stderr);
			ret = EGATE_EXIT_USAGE;
			goto out;
		}
	}

	if (device != NULL) {
		if (optind < argc) {
			cli_err("mrz", "--device reads the MRZ from the reader: no LINE arguments");
			ret = EGATE_EXIT_USAGE;
			goto out;
		}
#ifdef EGATE_CLI_CORE
		/* getopt_long only reordered argv: egate-tools gets the same arguments */
		ret = cli_tool_exec(argc, argv);
		goto out;
#else
		if ((err = read_device(device, (unsigned)wait_s, &in)) != EG_OK) {
			ret = err == EG_ERR_INVAL ? EGATE_EXIT_USAGE : EGATE_EXIT_ERROR;
			goto out;
		}
#endif
	} else if (optind >= argc || (argc - optind == 1 && strcmp(argv[optind], "-") == 0)) {
		err = read_stdin(&in);
		if (err == EG_ERR_OVERFLOW) {
			cli_err("mrz", "input longer than %d bytes is not an MRZ", MRZ_INPUT_MAX);
			ret = EGATE_EXIT_FAIL;
			goto out;
		}
		if (err != EG_OK) {
			cli_err("mrz", "cannot read stdin: %s", eg_strerror(err));
			goto out;
		}
	} else {
		for (int i = optind; i < argc; i++) {
			if (strcmp(argv[i], "-") == 0) {
				cli_err("mrz", "'-' (stdin) cannot be mixed with LINE arguments");
				ret = EGATE_EXIT_USAGE;
				goto out;
			}
			err = eg_wbuf_put(&in, argv[i], strlen(argv[i]));
			if (err == EG_OK)
				err = eg_wbuf_u8(&in, '\n');
			if (err != EG_OK) {
				cli_err("mrz", "input longer than %d bytes is not an MRZ",
				    MRZ_INPUT_MAX);
				ret = EGATE_EXIT_FAIL;
				goto out;
			}
		}
	}

	err = mrz_parse_text((const char *)in.data, in.len, todayp, &r);
	if (err == EG_ERR_INVAL) {
		if (todayp != NULL) {
			cli_err("mrz", "--today is not a calendar date");
			ret = EGATE_EXIT_USAGE;
		} else {
			cli_err("mrz", "cannot determine today's date");
		}
		goto out;
	}
	for (size_t i = 0; i < r.nerrors; i++)
		cli_err("mrz", "%s: %s", mrz_field_name(r.errors[i].field), r.errors[i].reason);
	if (r.nerrors_dropped > 0)
		cli_err("mrz", "(%zu more errors not shown)", r.nerrors_dropped);
	if (json) {
		if (print_json(&r) != EG_OK) {
			cli_err("mrz", "cannot write output");
			goto out;
		}
	} else if (r.format != MRZ_FORMAT_UNKNOWN) {
		print_text(&r);
	}
	if (fflush(stdout) != 0) {
		cli_err("mrz", "cannot write output");
		goto out;
	}
	ret = err == EG_OK ? EGATE_EXIT_OK : EGATE_EXIT_FAIL;
out:
	mrz_result_clear(&r);
	eg_wbuf_free(&in);
	return ret;
}
