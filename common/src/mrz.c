/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mrz.c — ICAO Doc 9303 machine readable zones (Parts 3-7).
 *
 * Each format is a row of data: where every field sits (line, start,
 * length) and which ranges the composite check digit covers. The parser
 * first settles the structure (line count and lengths), then walks the
 * fields of the chosen layout through a bounded cursor, recording every
 * failure instead of stopping at the first.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/mrz.h"
#include "egate/secure.h"

#define MAX_LINES 3
#define MAX_LINE_LEN 44

/* A field's place in the MRZ; positions 0-based. len 0: absent. */
struct span {
	uint8_t line, start, len;
};

struct layout {
	enum mrz_format format;
	unsigned nlines, linelen;
	bool docnum_extension;	/* extended numbers continue in optional data 1 */
	struct span f[MRZ_FIELD_COUNT_];
	struct span composite[4];	/* ranges covered by the composite check */
};

/* Doc 9303 Part 5 (TD1), Part 6 (TD2), Part 4 (TD3), Part 7 (MRV-A/B). */
static const struct layout layouts[] = {
	{ .format = MRZ_FORMAT_TD1, .nlines = 3, .linelen = 30, .docnum_extension = true,
	  .f = {
		[MRZ_FIELD_DOCUMENT_CODE] = { 0, 0, 2 },
		[MRZ_FIELD_ISSUING_STATE] = { 0, 2, 3 },
		[MRZ_FIELD_DOCUMENT_NUMBER] = { 0, 5, 9 },
		[MRZ_FIELD_DOCUMENT_NUMBER_CHECK] = { 0, 14, 1 },
		[MRZ_FIELD_OPTIONAL_DATA_1] = { 0, 15, 15 },
		[MRZ_FIELD_BIRTH_DATE] = { 1, 0, 6 },
		[MRZ_FIELD_BIRTH_DATE_CHECK] = { 1, 6, 1 },
		[MRZ_FIELD_SEX] = { 1, 7, 1 },
		[MRZ_FIELD_EXPIRY_DATE] = { 1, 8, 6 },
		[MRZ_FIELD_EXPIRY_DATE_CHECK] = { 1, 14, 1 },
		[MRZ_FIELD_NATIONALITY] = { 1, 15, 3 },
		[MRZ_FIELD_OPTIONAL_DATA_2] = { 1, 18, 11 },
		[MRZ_FIELD_COMPOSITE_CHECK] = { 1, 29, 1 },
		[MRZ_FIELD_NAME] = { 2, 0, 30 },
	  },
	  /* upper line 6-30, middle line 1-7, 9-15, 19-29 (1-based) */
	  .composite = { { 0, 5, 25 }, { 1, 0, 7 }, { 1, 8, 7 }, { 1, 18, 11 } } },
	{ .format = MRZ_FORMAT_TD2, .nlines = 2, .linelen = 36, .docnum_extension = true,
	  .f = {
		[MRZ_FIELD_DOCUMENT_CODE] = { 0, 0, 2 },
		[MRZ_FIELD_ISSUING_STATE] = { 0, 2, 3 },
		[MRZ_FIELD_NAME] = { 0, 5, 31 },
		[MRZ_FIELD_DOCUMENT_NUMBER] = { 1, 0, 9 },
		[MRZ_FIELD_DOCUMENT_NUMBER_CHECK] = { 1, 9, 1 },
		[MRZ_FIELD_NATIONALITY] = { 1, 10, 3 },
		[MRZ_FIELD_BIRTH_DATE] = { 1, 13, 6 },
		[MRZ_FIELD_BIRTH_DATE_CHECK] = { 1, 19, 1 },
		[MRZ_FIELD_SEX] = { 1, 20, 1 },
		[MRZ_FIELD_EXPIRY_DATE] = { 1, 21, 6 },
		[MRZ_FIELD_EXPIRY_DATE_CHECK] = { 1, 27, 1 },
		[MRZ_FIELD_OPTIONAL_DATA_1] = { 1, 28, 7 },
		[MRZ_FIELD_COMPOSITE_CHECK] = { 1, 35, 1 },
	  },
	  /* lower line 1-10, 14-20, 22-35 */
	  .composite = { { 1, 0, 10 }, { 1, 13, 7 }, { 1, 21, 14 } } },
	{ .format = MRZ_FORMAT_TD3, .nlines = 2, .linelen = 44,
	  .f = {
		[MRZ_FIELD_DOCUMENT_CODE] = { 0, 0, 2 },
		[MRZ_FIELD_ISSUING_STATE] = { 0, 2, 3 },
		[MRZ_FIELD_NAME] = { 0, 5, 39 },
		[MRZ_FIELD_DOCUMENT_NUMBER] = { 1, 0, 9 },
		[MRZ_FIELD_DOCUMENT_NUMBER_CHECK] = { 1, 9, 1 },
		[MRZ_FIELD_NATIONALITY] = { 1, 10, 3 },
		[MRZ_FIELD_BIRTH_DATE] = { 1, 13, 6 },
		[MRZ_FIELD_BIRTH_DATE_CHECK] = { 1, 19, 1 },
		[MRZ_FIELD_SEX] = { 1, 20, 1 },
		[MRZ_FIELD_EXPIRY_DATE] = { 1, 21, 6 },
		[MRZ_FIELD_EXPIRY_DATE_CHECK] = { 1, 27, 1 },
		[MRZ_FIELD_OPTIONAL_DATA_1] = { 1, 28, 14 },
		[MRZ_FIELD_OPTIONAL_DATA_1_CHECK] = { 1, 42, 1 },
		[MRZ_FIELD_COMPOSITE_CHECK] = { 1, 43, 1 },
	  },
	  /* lower line 1-10, 14-20, 22-43 */
	  .composite = { { 1, 0, 10 }, { 1, 13, 7 }, { 1, 21, 22 } } },
	{ .format = MRZ_FORMAT_MRVA, .nlines = 2, .linelen = 44,
	  .f = {
		[MRZ_FIELD_DOCUMENT_CODE] = { 0, 0, 2 },
		[MRZ_FIELD_ISSUING_STATE] = { 0, 2, 3 },
		[MRZ_FIELD_NAME] = { 0, 5, 39 },
		[MRZ_FIELD_DOCUMENT_NUMBER] = { 1, 0, 9 },
		[MRZ_FIELD_DOCUMENT_NUMBER_CHECK] = { 1, 9, 1 },
		[MRZ_FIELD_NATIONALITY] = { 1, 10, 3 },
		[MRZ_FIELD_BIRTH_DATE] = { 1, 13, 6 },
		[MRZ_FIELD_BIRTH_DATE_CHECK] = { 1, 19, 1 },
		[MRZ_FIELD_SEX] = { 1, 20, 1 },
		[MRZ_FIELD_EXPIRY_DATE] = { 1, 21, 6 },
		[MRZ_FIELD_EXPIRY_DATE_CHECK] = { 1, 27, 1 },
		[MRZ_FIELD_OPTIONAL_DATA_1] = { 1, 28, 16 },
	  } },
	{ .format = MRZ_FORMAT_MRVB, .nlines = 2, .linelen = 36,
	  .f = {
		[MRZ_FIELD_DOCUMENT_CODE] = { 0, 0, 2 },
		[MRZ_FIELD_ISSUING_STATE] = { 0, 2, 3 },
		[MRZ_FIELD_NAME] = { 0, 5, 31 },
		[MRZ_FIELD_DOCUMENT_NUMBER] = { 1, 0, 9 },
		[MRZ_FIELD_DOCUMENT_NUMBER_CHECK] = { 1, 9, 1 },
		[MRZ_FIELD_NATIONALITY] = { 1, 10, 3 },
		[MRZ_FIELD_BIRTH_DATE] = { 1, 13, 6 },
		[MRZ_FIELD_BIRTH_DATE_CHECK] = { 1, 19, 1 },
		[MRZ_FIELD_SEX] = { 1, 20, 1 },
		[MRZ_FIELD_EXPIRY_DATE] = { 1, 21, 6 },
		[MRZ_FIELD_EXPIRY_DATE_CHECK] = { 1, 27, 1 },
		[MRZ_FIELD_OPTIONAL_DATA_1] = { 1, 28, 8 },
	  } },
};

#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

static const char *const field_names[MRZ_FIELD_COUNT_] = {
	[MRZ_FIELD_LINE_COUNT] = "line_count",
	[MRZ_FIELD_LINE_1] = "line_1",
	[MRZ_FIELD_LINE_2] = "line_2",
	[MRZ_FIELD_LINE_3] = "line_3",
	[MRZ_FIELD_DOCUMENT_CODE] = "document_code",
	[MRZ_FIELD_ISSUING_STATE] = "issuing_state",
	[MRZ_FIELD_NAME] = "name",
	[MRZ_FIELD_DOCUMENT_NUMBER] = "document_number",
	[MRZ_FIELD_DOCUMENT_NUMBER_CHECK] = "document_number_check",
	[MRZ_FIELD_NATIONALITY] = "nationality",
	[MRZ_FIELD_BIRTH_DATE] = "birth_date",
	[MRZ_FIELD_BIRTH_DATE_CHECK] = "birth_date_check",
	[MRZ_FIELD_SEX] = "sex",
	[MRZ_FIELD_EXPIRY_DATE] = "expiry_date",
	[MRZ_FIELD_EXPIRY_DATE_CHECK] = "expiry_date_check",
	[MRZ_FIELD_OPTIONAL_DATA_1] = "optional_data_1",
	[MRZ_FIELD_OPTIONAL_DATA_1_CHECK] = "optional_data_1_check",
	[MRZ_FIELD_OPTIONAL_DATA_2] = "optional_data_2",
	[MRZ_FIELD_COMPOSITE_CHECK] = "composite_check",
};

const char *
mrz_field_name(enum mrz_field f)
{
	if ((unsigned)f >= MRZ_FIELD_COUNT_ || field_names[f] == NULL)
		return "unknown";
	return field_names[f];
}

const char *
mrz_problem_name(enum mrz_problem p)
{
	switch (p) {
	case MRZ_PROB_LINE_COUNT: return "line_count";
	case MRZ_PROB_LINE_LENGTH: return "line_length";
	case MRZ_PROB_CHARSET: return "charset";
	case MRZ_PROB_CHECK_CHAR: return "check_char";
	case MRZ_PROB_CHECK_DIGIT: return "check_digit";
	case MRZ_PROB_DATE: return "date";
	case MRZ_PROB_VALUE: return "value";
	case MRZ_PROB_EXTENSION: return "extension";
	}
	return "unknown";
}

const char *
mrz_format_name(enum mrz_format f)
{
	switch (f) {
	case MRZ_FORMAT_TD1: return "TD1";
	case MRZ_FORMAT_TD2: return "TD2";
	case MRZ_FORMAT_TD3: return "TD3";
	case MRZ_FORMAT_MRVA: return "MRV-A";
	case MRZ_FORMAT_MRVB: return "MRV-B";
	case MRZ_FORMAT_UNKNOWN: break;
	}
	return "unknown";
}

/* ---- character values and check digits ---------------------------------- */

static bool
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_mrz_char(int c)
{
	return is_upper(c) || is_digit(c) || c == '<';
}

/* value of an MRZ character, -1 outside the set */
static int
char_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (is_upper(c))
		return c - 'A' + 10;
	if (c == '<')
		return 0;
	return -1;
}

int
mrz_check_digit(const char *s, size_t n, int *digit)
{
	static const int weight[3] = { 7, 3, 1 };
	struct eg_rbuf b;
	unsigned sum = 0;
	uint8_t c;

	if ((s == NULL && n > 0) || digit == NULL)
		return EG_ERR_INVAL;
	/* never a NULL base: eg_rbuf_init's NULL + 0 is UB under clang's UBSan */
	b = eg_rbuf_init(n > 0 ? s : "", n);
	for (size_t i = 0; eg_rbuf_u8(&b, &c) == EG_OK; i++) {
		int v = char_value(c);
		if (v < 0)
			return EG_ERR_FORMAT;
		sum = (sum + (unsigned)(v * weight[i % 3])) % 10;
	}
	*digit = (int)sum;
	return EG_OK;
}

/* ---- the parse context ----------------------------------------------------- */

struct ctx {
	struct mrz_result *r;
	const struct layout *lay;
	char line[MAX_LINES][MAX_LINE_LEN + 1];
	size_t len[MAX_LINES];
	bool bad[MRZ_FIELD_COUNT_];	/* field has invalid characters */
	struct mrz_date today;
};

static void
add_error(struct ctx *x, enum mrz_field f, enum mrz_problem p, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
add_error(struct ctx *x, enum mrz_field f, enum mrz_problem p, const char *fmt, ...)
{
	struct mrz_result *r = x->r;
	struct mrz_error *e;
	va_list ap;

	if (r->nerrors >= MRZ_MAX_ERRORS) {
		r->nerrors_dropped++;
		return;
	}
	e = &r->errors[r->nerrors++];
	e->field = f;
	e->problem = p;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

/* A bounded view of field f of the current layout: *p, *n. False if the
 * layout has no such field. */
static bool
field_get(const struct ctx *x, enum mrz_field f, const char **p, size_t *n)
{
	const struct span *s = &x->lay->f[f];
	struct eg_rbuf b;
	const uint8_t *q;

	if (s->len == 0 || s->line >= MAX_LINES)
		return false;
	b = eg_rbuf_init(x->line[s->line], x->len[s->line]);
	if (eg_rbuf_skip(&b, s->start) != EG_OK || eg_rbuf_ptr(&b, s->len, &q) != EG_OK)
		return false;	/* cannot happen once the lengths are checked */
	*p = (const char *)q;
	*n = s->len;
	return true;
}

/* copy n chars at p to dst (cap bytes), dropping trailing '<' fillers */
static void
copy_trimmed(char *dst, size_t cap, const char *p, size_t n)
{
	while (n > 0 && p[n - 1] == '<')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static void
describe_char(char *buf, size_t cap, unsigned char c)
{
	if (c >= 0x20 && c < 0x7F)
		snprintf(buf, cap, "'%c'", c);
	else
		snprintf(buf, cap, "byte 0x%02X", c);
}

/* ---- structure: lines ----------------------------------------------------- */

static bool
is_trailing_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/*
 * Settle the format from nlines lines (p[i], n[i]): record structure
 * errors and return false, or copy the lines into x and return true.
 */
static bool
parse_structure(struct ctx *x, const char *const *p, const size_t *n, size_t nlines)
{
	const struct layout *lay = NULL;
	bool ok = true;
	size_t want = 0;

	if (nlines != 2 && nlines != 3) {
		add_error(x, MRZ_FIELD_LINE_COUNT, MRZ_PROB_LINE_COUNT,
		    "%zu line%s, expected 2 (TD2, TD3, MRV) or 3 (TD1)", nlines,
		    nlines == 1 ? "" : "s");
		return false;
	}
	if (nlines == 3)
		want = 30;
	else if (n[0] == 44 || n[0] == 36)
		want = n[0];
	else if (n[1] == 44 || n[1] == 36)
		want = n[1];
	if (want == 0) {
		add_error(x, MRZ_FIELD_LINE_1, MRZ_PROB_LINE_LENGTH,
		    "length %zu, expected 36 (TD2, MRV-B) or 44 (TD3, MRV-A)", n[0]);
		add_error(x, MRZ_FIELD_LINE_2, MRZ_PROB_LINE_LENGTH,
		    "length %zu, expected 36 (TD2, MRV-B) or 44 (TD3, MRV-A)", n[1]);
		return false;
	}
	for (size_t i = 0; i < nlines; i++) {
		if (n[i] != want) {
			add_error(x, (enum mrz_field)(MRZ_FIELD_LINE_1 + i), MRZ_PROB_LINE_LENGTH,
			    "length %zu, expected %zu", n[i], want);
			ok = false;
		}
	}
	if (!ok)
		return false;
	for (size_t i = 0; i < nlines; i++) {
		memcpy(x->line[i], p[i], want);
		x->line[i][want] = '\0';
		x->len[i] = want;
	}
	/* a visa is told from a TD2/TD3 by its document code 'V' */
	for (size_t i = 0; i < NLAYOUTS && lay == NULL; i++) {
		const struct layout *l = &layouts[i];
		bool visa = l->format == MRZ_FORMAT_MRVA || l->format == MRZ_FORMAT_MRVB;
		if (l->nlines == nlines && l->linelen == want && visa == (x->line[0][0] == 'V'))
			lay = l;
	}
	if (lay == NULL)	/* 3 lines starting with 'V': judge as TD1 */
		lay = &layouts[0];
	x->lay = lay;
	x->r->format = lay->format;
	return true;
}

/* ---- fields --------------------------------------------------------------- */

/* charset check of every field; one error per field (first bad char) */
static void
check_charset(struct ctx *x)
{
	for (int f = 0; f < MRZ_FIELD_COUNT_; f++) {
		const struct span *s = &x->lay->f[f];
		const char *p;
		size_t n;
		if (!field_get(x, (enum mrz_field)f, &p, &n))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (is_mrz_char((unsigned char)p[i]))
				continue;
			char d[16];
			describe_char(d, sizeof(d), (unsigned char)p[i]);
			add_error(x, (enum mrz_field)f, MRZ_PROB_CHARSET,
			    "invalid character %s at line %u position %zu (allowed: A-Z 0-9 <)",
			    d, s->line + 1u, s->start + i + 1);
			x->bad[f] = true;
			break;
		}
	}
}

static void
parse_document_code(struct ctx *x)
{
	const char *p;
	size_t n;
	char t;
	bool ok;

	if (!field_get(x, MRZ_FIELD_DOCUMENT_CODE, &p, &n) || x->bad[MRZ_FIELD_DOCUMENT_CODE])
		return;
	copy_trimmed(x->r->document_code, sizeof(x->r->document_code), p, n);
	t = p[0];
	switch (x->lay->format) {
	case MRZ_FORMAT_TD3:
		ok = t == 'P';
		break;
	case MRZ_FORMAT_MRVA:
	case MRZ_FORMAT_MRVB:
		ok = t == 'V';
		break;
	default:
		ok = t == 'A' || t == 'C' || t == 'I';
		break;
	}
	if (!ok)
		add_error(x, MRZ_FIELD_DOCUMENT_CODE, MRZ_PROB_VALUE,
		    "document type '%c' is not valid for %s (expected %s)", t,
		    mrz_format_name(x->lay->format),
		    x->lay->format == MRZ_FORMAT_TD3 ? "P" :
		    (x->lay->format == MRZ_FORMAT_MRVA || x->lay->format == MRZ_FORMAT_MRVB) ?
		    "V" : "A, C or I");
	if (is_digit(p[1]))
		add_error(x, MRZ_FIELD_DOCUMENT_CODE, MRZ_PROB_VALUE,
		    "second character '%c' must be a letter or '<'", p[1]);
}

/* issuing state / nationality: letters followed by fillers, at least one */
static void
parse_state(struct ctx *x, enum mrz_field f, char *dst, size_t cap)
{
	const char *p;
	size_t n, letters = 0;

	if (!field_get(x, f, &p, &n) || x->bad[f])
		return;
	while (letters < n && is_upper(p[letters]))
		letters++;
	for (size_t i = letters; i < n; i++) {
		if (p[i] != '<') {
			add_error(x, f, MRZ_PROB_VALUE,
			    "must be letters padded with '<', found '%c' at position %zu",
			    p[i], i + 1);
			return;
		}
	}
	if (letters == 0) {
		add_error(x, f, MRZ_PROB_VALUE, "state code is empty");
		return;
	}
	copy_trimmed(dst, cap, p, n);
}

/* names: primary<<secondary, '<' as space, no digits */
static void
parse_name(struct ctx *x)
{
	struct mrz_result *r = x->r;
	const char *p, *sep;
	size_t n, pn, i;

	if (!field_get(x, MRZ_FIELD_NAME, &p, &n) || x->bad[MRZ_FIELD_NAME])
		return;
	for (i = 0; i < n; i++) {
		if (is_digit(p[i])) {
			add_error(x, MRZ_FIELD_NAME, MRZ_PROB_VALUE,
			    "digit '%c' at position %zu (names are letters only)", p[i], i + 1);
			return;
		}
	}
	if (p[0] == '<') {
		add_error(x, MRZ_FIELD_NAME, MRZ_PROB_VALUE, "primary identifier is empty");
		return;
	}
	sep = NULL;
	for (i = 0; i + 1 < n; i++) {
		if (p[i] == '<' && p[i + 1] == '<') {
			sep = p + i;
			break;
		}
	}
	pn = sep != NULL ? (size_t)(sep - p) : n;
	copy_trimmed(r->primary_id, sizeof(r->primary_id), p, pn);
	if (sep != NULL)
		copy_trimmed(r->secondary_id, sizeof(r->secondary_id), sep + 2,
		    n - pn - 2);
	for (i = 0; r->primary_id[i] != '\0'; i++)
		if (r->primary_id[i] == '<')
			r->primary_id[i] = ' ';
	for (i = 0; r->secondary_id[i] != '\0'; i++)
		if (r->secondary_id[i] == '<')
			r->secondary_id[i] = ' ';
}

/*
 * Compare the check digit in field ck against data (n chars). filler_ok:
 * '<' is accepted in the check position (Doc 9303 allows it only for an
 * all-filler TD3 personal number). Skipped when either side has invalid
 * characters (already reported).
 */
static void
verify_check(struct ctx *x, enum mrz_field ck, char c, const char *data, size_t n,
    bool data_bad, bool filler_ok)
{
	int d;

	if (data_bad || x->bad[ck])
		return;
	if (!is_digit(c)) {
		if (c == '<' && filler_ok)
			return;
		add_error(x, ck, MRZ_PROB_CHECK_CHAR, "check digit is '%c', expected a digit 0-9", c);
		return;
	}
	if (mrz_check_digit(data, n, &d) != EG_OK)
		return;
	if (d != c - '0')
		add_error(x, ck, MRZ_PROB_CHECK_DIGIT, "check digit is %c, computed %d", c, d);
}

static char
field_char(const struct ctx *x, enum mrz_field f)
{
	const char *p;
	size_t n;

	return field_get(x, f, &p, &n) ? p[0] : 0;
}

static void
parse_document_number(struct ctx *x)
{
	struct mrz_result *r = x->r;
	const char *num, *opt;
	size_t nnum, nopt, k;
	char full[MRZ_DOCNUM_MAX + 1];
	char ck;
	bool bad = x->bad[MRZ_FIELD_DOCUMENT_NUMBER];

	if (!field_get(x, MRZ_FIELD_DOCUMENT_NUMBER, &num, &nnum))
		return;
	ck = field_char(x, MRZ_FIELD_DOCUMENT_NUMBER_CHECK);
	r->document_number_check = ck;
	if (!bad && num[0] == '<')
		add_error(x, MRZ_FIELD_DOCUMENT_NUMBER, MRZ_PROB_VALUE,
		    "document number is empty or starts with '<'");

	if (ck != '<' || !x->lay->docnum_extension ||
	    !field_get(x, MRZ_FIELD_OPTIONAL_DATA_1, &opt, &nopt)) {
		if (!bad)
			copy_trimmed(r->document_number, sizeof(r->document_number), num, nnum);
		verify_check(x, MRZ_FIELD_DOCUMENT_NUMBER_CHECK, ck, num, nnum, bad, false);
		return;
	}

	/* Extended number (Doc 9303 Part 5 for TD1, Part 6 for TD2): the check digit
	 * position holds '<'; optional data 1 starts with the remaining
	 * characters, then the check digit over the whole number, then '<'. */
	r->document_number_extended = true;
	if (x->bad[MRZ_FIELD_OPTIONAL_DATA_1]) {
		add_error(x, MRZ_FIELD_DOCUMENT_NUMBER, MRZ_PROB_EXTENSION,
		    "extended number unreadable: optional data 1 has invalid characters");
		return;
	}
	for (k = 0; k < nopt && opt[k] != '<'; k++)
		;
	if (k < 2) {
		add_error(x, MRZ_FIELD_DOCUMENT_NUMBER, MRZ_PROB_EXTENSION,
		    "check digit position holds '<' but optional data 1 does not continue "
		    "the number (need its remaining characters and a check digit)");
		return;
	}
	r->document_number_check = opt[k - 1];
	if (bad)
		return;
	memcpy(full, num, nnum);
	memcpy(full + nnum, opt, k - 1);
	full[nnum + k - 1] = '\0';
	memcpy(r->document_number, full, nnum + k);
	/* what follows the extension (and its filler) is the real optional data */
	{
		size_t rest = k < nopt ? k + 1 : nopt;
		while (rest < nopt && opt[rest] == '<')
			rest++;
		copy_trimmed(r->optional_data_1, sizeof(r->optional_data_1), opt + rest,
		    nopt - rest);
	}
	verify_check(x, MRZ_FIELD_DOCUMENT_NUMBER_CHECK, opt[k - 1], full, nnum + k - 1,
	    false, false);
	eg_memzero(full, sizeof(full));
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && (y == 0 || is_leap(y)))	/* unknown year: allow 29 */
		return 29;
	return dim[m - 1];
}

/* (y1,m1,d1) compared with (y2,m2,d2): <0, 0, >0 */
static int
date_cmp(int y1, int m1, int d1, const struct mrz_date *b)
{
	if (y1 != b->year)
		return y1 < b->year ? -1 : 1;
	if (m1 != b->month)
		return m1 < b->month ? -1 : 1;
	if (d1 != b->day)
		return d1 < b->day ? -1 : 1;
	return 0;
}

/* two digits, "<<" (-> 0, *unknown) or invalid (-1) */
static int
two(const char *p, bool *unknown)
{
	*unknown = false;
	if (p[0] == '<' && p[1] == '<') {
		*unknown = true;
		return 0;
	}
	if (!is_digit(p[0]) || !is_digit(p[1]))
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/*
 * Dates YYMMDD. birth: parts may be "<<" (unknown), century puts the date
 * at or before today. expiry: fully known, century puts it in
 * [today - 50y, today + 50y).
 */
static void
parse_date(struct ctx *x, enum mrz_field f, enum mrz_field ck, char *raw,
    struct mrz_date *out, char *ckout)
{
	const struct mrz_date *t = &x->today;
	const char *p;
	size_t n;
	bool uy, um, ud, birth = f == MRZ_FIELD_BIRTH_DATE;
	int yy, mm, dd, y;

	if (!field_get(x, f, &p, &n))
		return;
	*ckout = field_char(x, ck);
	verify_check(x, ck, *ckout, p, n, x->bad[f], false);
	if (x->bad[f])
		return;
	memcpy(raw, p, 6);
	raw[6] = '\0';
	yy = two(p, &uy);
	mm = two(p + 2, &um);
	dd = two(p + 4, &ud);
	if (yy < 0 || mm < 0 || dd < 0) {
		add_error(x, f, MRZ_PROB_DATE,
		    "not YYMMDD: each part must be two digits%s", birth ? " or \"<<\"" : "");
		return;
	}
	if (!birth && (uy || um || ud)) {
		add_error(x, f, MRZ_PROB_DATE, "%s unknown (\"<<\"), only allowed in a birth date",
		    uy ? "year" : um ? "month" : "day");
		return;
	}
	if (!um && (mm < 1 || mm > 12)) {
		add_error(x, f, MRZ_PROB_DATE, "month %02d out of range 01-12", mm);
		return;
	}
	if (uy) {
		y = 0;
	} else if (birth) {
		/* latest year ending in yy whose date is not after today;
		 * unknown month/day count as the earliest possible */
		y = t->year - t->year % 100 + yy;
		if (date_cmp(y, um ? 1 : mm, ud ? 1 : dd, t) > 0)
			y -= 100;
	} else {
		/* the one year ending in yy with date in [today-50y, today+50y) */
		struct mrz_date lo = { t->year - 50, t->month, t->day };
		y = lo.year - lo.year % 100 + yy;
		if (date_cmp(y, mm, dd, &lo) < 0)
			y += 100;
	}
	if (!ud && (dd < 1 || dd > (um ? 31 : days_in_month(y, mm)))) {
		if (um || uy)
			add_error(x, f, MRZ_PROB_DATE, "day %02d out of range", dd);
		else
			add_error(x, f, MRZ_PROB_DATE, "day %02d does not exist in %04d-%02d",
			    dd, y, mm);
		return;
	}
	out->year = y;
	out->month = um ? 0 : mm;
	out->day = ud ? 0 : dd;
}

static void
parse_sex(struct ctx *x)
{
	char c = field_char(x, MRZ_FIELD_SEX);

	if (x->bad[MRZ_FIELD_SEX])
		return;
	if (c != 'M' && c != 'F' && c != '<') {
		add_error(x, MRZ_FIELD_SEX, MRZ_PROB_VALUE, "'%c' is not M, F or <", c);
		return;
	}
	x->r->sex = c;
}

static void
parse_optional(struct ctx *x)
{
	struct mrz_result *r = x->r;
	const char *p;
	size_t n;
	bool all_fillers = true;

	if (!r->document_number_extended && field_get(x, MRZ_FIELD_OPTIONAL_DATA_1, &p, &n) &&
	    !x->bad[MRZ_FIELD_OPTIONAL_DATA_1])
		copy_trimmed(r->optional_data_1, sizeof(r->optional_data_1), p, n);
	if (field_get(x, MRZ_FIELD_OPTIONAL_DATA_2, &p, &n) && !x->bad[MRZ_FIELD_OPTIONAL_DATA_2])
		copy_trimmed(r->optional_data_2, sizeof(r->optional_data_2), p, n);
	if (x->lay->f[MRZ_FIELD_OPTIONAL_DATA_1_CHECK].len == 0 ||
	    !field_get(x, MRZ_FIELD_OPTIONAL_DATA_1, &p, &n))
		return;
	for (size_t i = 0; i < n; i++)
		all_fillers = all_fillers && p[i] == '<';
	r->optional_data_1_check = field_char(x, MRZ_FIELD_OPTIONAL_DATA_1_CHECK);
	verify_check(x, MRZ_FIELD_OPTIONAL_DATA_1_CHECK, r->optional_data_1_check, p, n,
	    x->bad[MRZ_FIELD_OPTIONAL_DATA_1], all_fillers);
}

static void
parse_composite(struct ctx *x)
{
	char buf[64];
	size_t n = 0;
	bool bad = false;
	char ck;

	if (x->lay->f[MRZ_FIELD_COMPOSITE_CHECK].len == 0)
		return;
	for (size_t i = 0; i < 4; i++) {
		const struct span *s = &x->lay->composite[i];
		struct eg_rbuf b;
		if (s->len == 0)
			continue;
		b = eg_rbuf_init(x->line[s->line], x->len[s->line]);
		if (n + s->len > sizeof(buf) || eg_rbuf_skip(&b, s->start) != EG_OK ||
		    eg_rbuf_copy(&b, buf + n, s->len) != EG_OK)
			goto out;	/* layout table bug; cannot happen */
		n += s->len;
	}
	for (size_t i = 0; i < n; i++)
		bad = bad || !is_mrz_char((unsigned char)buf[i]);
	ck = field_char(x, MRZ_FIELD_COMPOSITE_CHECK);
	x->r->composite_check = ck;
	verify_check(x, MRZ_FIELD_COMPOSITE_CHECK, ck, buf, n, bad, false);
out:
	eg_memzero(buf, sizeof(buf));
}

static int
classify(const struct mrz_result *r, const bool *only)
{
	bool fmt = false, sum = false;

	for (size_t i = 0; i < r->nerrors; i++) {
		if (only != NULL && !only[r->errors[i].field])
			continue;
		if (r->errors[i].problem == MRZ_PROB_CHECK_DIGIT)
			sum = true;
		else
			fmt = true;
	}
	if (r->nerrors_dropped > 0 && only == NULL)
		fmt = true;	/* unknown kinds were dropped: assume the worst */
	return fmt ? EG_ERR_FORMAT : sum ? EG_ERR_CHECKSUM : EG_OK;
}

static bool
today_valid(const struct mrz_date *t)
{
	return t->year >= 1000 && t->year <= 9999 && t->month >= 1 && t->month <= 12 &&
	    t->day >= 1 && t->day <= days_in_month(t->year, t->month);
}

/* parse nlines spans (already stripped of trailing whitespace) */
static int
parse_lines(const char *const *p, const size_t *n, size_t nlines,
    const struct mrz_date *today, struct mrz_result *r)
{
	struct ctx x;
	int ret = EG_ERR_INVAL;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.r = r;
	if (today != NULL) {
		x.today = *today;
	} else {
		time_t now = time(NULL);
		struct tm tm;
		if (gmtime_r(&now, &tm) == NULL)
			goto out;
		x.today.year = tm.tm_year + 1900;
		x.today.month = tm.tm_mon + 1;
		x.today.day = tm.tm_mday;
	}
	if (!today_valid(&x.today))
		goto out;

	if (!parse_structure(&x, p, n, nlines)) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	check_charset(&x);
	parse_document_code(&x);
	parse_state(&x, MRZ_FIELD_ISSUING_STATE, r->issuing_state, sizeof(r->issuing_state));
	parse_name(&x);
	parse_document_number(&x);
	parse_state(&x, MRZ_FIELD_NATIONALITY, r->nationality, sizeof(r->nationality));
	parse_date(&x, MRZ_FIELD_BIRTH_DATE, MRZ_FIELD_BIRTH_DATE_CHECK, r->birth_date_raw,
	    &r->birth_date, &r->birth_date_check);
	parse_sex(&x);
	parse_date(&x, MRZ_FIELD_EXPIRY_DATE, MRZ_FIELD_EXPIRY_DATE_CHECK, r->expiry_date_raw,
	    &r->expiry_date, &r->expiry_date_check);
	parse_optional(&x);
	parse_composite(&x);
	ret = classify(r, NULL);
out:
	eg_memzero(&x, sizeof(x));
	r->err = ret;
	return ret;
}

int
mrz_parse(const char *const *lines, size_t nlines, const struct mrz_date *today,
    struct mrz_result *r)
{
	const char *p[MAX_LINES];
	size_t n[MAX_LINES];

	if (r == NULL)
		return EG_ERR_INVAL;
	if (lines == NULL && nlines > 0) {
		memset(r, 0, sizeof(*r));
		r->err = EG_ERR_INVAL;
		return EG_ERR_INVAL;
	}
	for (size_t i = 0; i < nlines && i < MAX_LINES; i++) {
		if (lines[i] == NULL) {
			memset(r, 0, sizeof(*r));
			r->err = EG_ERR_INVAL;
			return EG_ERR_INVAL;
		}
		/* an MRZ line is at most 44 characters: look no further than
		 * needed to tell a wrong length */
		p[i] = lines[i];
		n[i] = strnlen(lines[i], 1024);
		while (n[i] > 0 && is_trailing_space((unsigned char)p[i][n[i] - 1]))
			n[i]--;
	}
	return parse_lines(p, n, nlines, today, r);
}

int
mrz_parse_text(const char *text, size_t len, const struct mrz_date *today,
    struct mrz_result *r)
{
	const char *p[MAX_LINES];
	size_t n[MAX_LINES], nlines = 0;
	struct eg_rbuf b;
	uint8_t c;

	if (r == NULL)
		return EG_ERR_INVAL;
	if (text == NULL && len > 0) {
		memset(r, 0, sizeof(*r));
		r->err = EG_ERR_INVAL;
		return EG_ERR_INVAL;
	}
	b = eg_rbuf_init(len > 0 ? text : "", len);	/* see mrz_check_digit */
	while (eg_rbuf_left(&b) > 0) {
		const char *start = (const char *)b.p;
		size_t ln = 0;
		while (eg_rbuf_u8(&b, &c) == EG_OK && c != '\n' && c != '\r')
			ln++;
		/* CRLF counts as one break */
		if (c == '\r' && eg_rbuf_left(&b) > 0 && *b.p == '\n')
			(void)eg_rbuf_skip(&b, 1);
		while (ln > 0 && is_trailing_space((unsigned char)start[ln - 1]))
			ln--;
		if (ln == 0)
			continue;	/* empty lines are ignored */
		if (nlines < MAX_LINES) {
			p[nlines] = start;
			n[nlines] = ln;
		}
		nlines++;
	}
	return parse_lines(p, n, nlines, today, r);
}

void
mrz_result_clear(struct mrz_result *r)
{
	if (r != NULL)
		eg_memzero(r, sizeof(*r));
}

const struct mrz_error *
mrz_result_error(const struct mrz_result *r, enum mrz_field field)
{
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < r->nerrors && i < MRZ_MAX_ERRORS; i++)
		if (r->errors[i].field == field)
			return &r->errors[i];
	return NULL;
}

int
mrz_bac_info(const struct mrz_result *r, char *out, size_t cap, size_t *outlen)
{
	bool only[MRZ_FIELD_COUNT_] = { false };
	size_t dn, len;
	int ret;

	if (r == NULL || out == NULL)
		return EG_ERR_INVAL;
	if (cap > 0)
		out[0] = '\0';
	if (outlen != NULL)
		*outlen = 0;
	if (r->format == MRZ_FORMAT_UNKNOWN)
		return EG_ERR_STATE;
	only[MRZ_FIELD_DOCUMENT_NUMBER] = only[MRZ_FIELD_DOCUMENT_NUMBER_CHECK] = true;
	only[MRZ_FIELD_BIRTH_DATE] = only[MRZ_FIELD_BIRTH_DATE_CHECK] = true;
	only[MRZ_FIELD_EXPIRY_DATE] = only[MRZ_FIELD_EXPIRY_DATE_CHECK] = true;
	if ((ret = classify(r, only)) != EG_OK)
		return ret;
	dn = strnlen(r->document_number, sizeof(r->document_number));
	if (dn == 0 || dn >= sizeof(r->document_number) ||
	    strnlen(r->birth_date_raw, 7) != 6 || strnlen(r->expiry_date_raw, 7) != 6)
		return EG_ERR_STATE;	/* fields never filled: not a parse result */
	len = (dn < 9 ? 9 : dn) + 1 + 7 + 7;
	if (cap < len + 1)
		return EG_ERR_OVERFLOW;
	memcpy(out, r->document_number, dn);
	for (; dn < 9; dn++)
		out[dn] = '<';
	out[dn++] = r->document_number_check;
	memcpy(out + dn, r->birth_date_raw, 6);
	out[dn + 6] = r->birth_date_check;
	dn += 7;
	memcpy(out + dn, r->expiry_date_raw, 6);
	out[dn + 6] = r->expiry_date_check;
	dn += 7;
	out[dn] = '\0';
	if (outlen != NULL)
		*outlen = dn;
	return EG_OK;
}
