/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mrz.h — machine readable zones of travel documents (ICAO Doc 9303
 * Parts 3–7): parsing, validation, and the "MRZ information" string that
 * seeds BAC/PACE keys.
 *
 *   struct mrz_result r;
 *   int err = mrz_parse_text(text, len, NULL, &r);   -- NULL: today (UTC)
 *   if (err == EG_OK) ... r.document_number ...
 *   else for (size_t i = 0; i < r.nerrors; i++)
 *           printf("%s: %s\n", mrz_field_name(r.errors[i].field), r.errors[i].reason);
 *   mrz_result_clear(&r);                             -- wipes personal data
 *
 * Formats (detected from the number and length of the lines, then the
 * document code): TD1 (3x30, ID cards), TD2 (2x36), TD3 (2x44, passports),
 * MRV-A (2x44, visas: document code 'V'), MRV-B (2x36, 'V').
 *
 * The parser never stops at the first problem: every field is checked and
 * every failure is recorded as {field, kind, reason}. What the call returns:
 *   EG_OK            every field and check digit is valid
 *   EG_ERR_CHECKSUM  the structure and all fields are well formed, but at
 *                    least one check digit does not match
 *   EG_ERR_FORMAT    anything else (line count or length, character set,
 *                    impossible date, bad value...) — check digit errors
 *                    may be recorded alongside
 *   EG_ERR_INVAL     NULL arguments (r is then untouched if NULL)
 *
 * The result is a plain caller-allocated struct (no allocation anywhere):
 * the fields are the product, so they are public. It holds personal data:
 * wipe it with mrz_result_clear() and never log its strings.
 *
 * Century rule (2-digit years): a birth date takes the century that puts it
 * at or before the reference date ("today"); an expiry date takes the
 * century that puts it in [today - 50 years, today + 50 years). See
 * docs/mrz.md.
 */
#ifndef EGATE_MRZ_H
#define EGATE_MRZ_H

#include <stdbool.h>
#include <stddef.h>

enum mrz_format {
	MRZ_FORMAT_UNKNOWN = 0,	/* structure not recognised */
	MRZ_FORMAT_TD1,		/* 3 x 30 */
	MRZ_FORMAT_TD2,		/* 2 x 36 */
	MRZ_FORMAT_TD3,		/* 2 x 44 */
	MRZ_FORMAT_MRVA,	/* 2 x 44, visa */
	MRZ_FORMAT_MRVB,	/* 2 x 36, visa */
};

/* What an error is about. mrz_field_name() gives the stable snake_case
 * name used in CLI and JSON output. */
enum mrz_field {
	MRZ_FIELD_LINE_COUNT,
	MRZ_FIELD_LINE_1,
	MRZ_FIELD_LINE_2,
	MRZ_FIELD_LINE_3,
	MRZ_FIELD_DOCUMENT_CODE,
	MRZ_FIELD_ISSUING_STATE,
	MRZ_FIELD_NAME,
	MRZ_FIELD_DOCUMENT_NUMBER,
	MRZ_FIELD_DOCUMENT_NUMBER_CHECK,
	MRZ_FIELD_NATIONALITY,
	MRZ_FIELD_BIRTH_DATE,
	MRZ_FIELD_BIRTH_DATE_CHECK,
	MRZ_FIELD_SEX,
	MRZ_FIELD_EXPIRY_DATE,
	MRZ_FIELD_EXPIRY_DATE_CHECK,
	MRZ_FIELD_OPTIONAL_DATA_1,
	MRZ_FIELD_OPTIONAL_DATA_1_CHECK,	/* TD3 personal number check */
	MRZ_FIELD_OPTIONAL_DATA_2,		/* TD1 only */
	MRZ_FIELD_COMPOSITE_CHECK,		/* TD1, TD2, TD3 */
	MRZ_FIELD_COUNT_
};

/* Why. */
enum mrz_problem {
	MRZ_PROB_LINE_COUNT,	/* not 2 or 3 lines */
	MRZ_PROB_LINE_LENGTH,	/* a line has the wrong length for the format */
	MRZ_PROB_CHARSET,	/* a character outside A-Z 0-9 < */
	MRZ_PROB_CHECK_CHAR,	/* check digit position holds a non-digit
				 * (or '<' where the standard does not allow it) */
	MRZ_PROB_CHECK_DIGIT,	/* check digit present but wrong */
	MRZ_PROB_DATE,		/* not a calendar date */
	MRZ_PROB_VALUE,		/* well-formed characters, invalid value */
	MRZ_PROB_EXTENSION,	/* malformed extended document number */
};

#define MRZ_REASON_MAX 96
#define MRZ_MAX_ERRORS 32

struct mrz_error {
	enum mrz_field field;
	enum mrz_problem problem;
	char reason[MRZ_REASON_MAX];	/* e.g. "check digit is 4, computed 3" */
};

/* A date from the MRZ. year is the full year after the century rule;
 * year, month or day is 0 when the MRZ marks it unknown with "<<"
 * (allowed for the birth date only). */
struct mrz_date {
	int year;
	int month;
	int day;
};

/* Longest full document number: TD1 has 9 characters in the number field
 * and up to 14 more in optional data 1 (the 15th is their check digit). */
#define MRZ_DOCNUM_MAX 23
/* MRZ information: number + check + birth + check + expiry + check, NUL. */
#define MRZ_BAC_INFO_MAX (MRZ_DOCNUM_MAX + 1 + 7 + 7 + 1)

/*
 * The parsed MRZ. Text fields are NUL-terminated; trailing '<' fillers are
 * removed, and in names each remaining '<' becomes a space. A field the
 * parser could not reach (unknown structure) is empty.
 */
struct mrz_result {
	enum mrz_format format;
	char document_code[3];		/* "P", "ID", "V", "AC"... (no fillers) */
	char issuing_state[4];		/* "UTO", "D" */
	char primary_id[40];		/* "ERIKSSON" */
	char secondary_id[40];		/* "ANNA MARIA" */
	char document_number[MRZ_DOCNUM_MAX + 1];	/* full, incl. extension */
	bool document_number_extended;	/* continued in optional data (TD1/TD2) */
	char nationality[4];
	char birth_date_raw[7];		/* YYMMDD as in the MRZ (may hold '<') */
	struct mrz_date birth_date;
	char sex;			/* 'M', 'F' or '<' (unspecified) */
	char expiry_date_raw[7];
	struct mrz_date expiry_date;
	char optional_data_1[17];	/* after any document number extension */
	char optional_data_2[12];	/* TD1 line 2 only */
	/* check digits as printed ('0'-'9', '<'); 0 where the format has none */
	char document_number_check;
	char birth_date_check;
	char expiry_date_check;
	char optional_data_1_check;	/* TD3 only */
	char composite_check;		/* TD1/TD2/TD3 only */

	int err;			/* what mrz_parse returned */
	size_t nerrors;
	size_t nerrors_dropped;		/* failures beyond MRZ_MAX_ERRORS */
	struct mrz_error errors[MRZ_MAX_ERRORS];
};

/*
 * mrz_parse — parse and validate an MRZ given as nlines NUL-terminated
 * lines (borrowed; trailing CR, LF, spaces and tabs are ignored). today is
 * the reference date for the century rule; NULL means the current UTC
 * date. r is always filled (zeroed first). Returns EG_OK, EG_ERR_CHECKSUM,
 * EG_ERR_FORMAT (see above) or EG_ERR_INVAL (NULL lines/r, or today not a
 * calendar date).
 */
int mrz_parse(const char *const *lines, size_t nlines, const struct mrz_date *today,
    struct mrz_result *r);

/*
 * mrz_parse_text — the same for one buffer of len bytes (borrowed, need
 * not be NUL-terminated) holding the lines separated by LF, CRLF or CR.
 * Trailing whitespace on a line and empty lines are ignored.
 */
int mrz_parse_text(const char *text, size_t len, const struct mrz_date *today,
    struct mrz_result *r);

/*
 * mrz_result_clear — wipe everything in r (personal data) with eg_memzero.
 * Safe on NULL.
 */
void mrz_result_clear(struct mrz_result *r);

/*
 * mrz_result_error — the first recorded error about field, or NULL.
 * The pointer is into r.
 */
const struct mrz_error *mrz_result_error(const struct mrz_result *r, enum mrz_field field);

/*
 * mrz_bac_info — the "MRZ information" of Doc 9303 Part 11 (BAC) and the
 * MRZ password of PACE: full document number (padded with '<' to at least
 * 9 characters) + its check digit + birth date + check digit + expiry date
 * + check digit, written NUL-terminated to out (cap bytes, at least
 * MRZ_BAC_INFO_MAX is always enough); *outlen (may be NULL) gets its
 * length. The string is key material: wipe it after use.
 * Errors: EG_ERR_INVAL (NULL r/out), EG_ERR_STATE (r has no recognised
 * format), EG_ERR_FORMAT or EG_ERR_CHECKSUM (one of these six fields has an
 * error in r), EG_ERR_OVERFLOW (cap too small; out is then empty).
 */
int mrz_bac_info(const struct mrz_result *r, char *out, size_t cap, size_t *outlen);

/*
 * mrz_check_digit — the Doc 9303 check digit (weights 7,3,1; '<' = 0,
 * '0'-'9' = 0-9, 'A'-'Z' = 10-35) of n characters at s, in *digit (0-9).
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_FORMAT (a character outside the set;
 * *digit untouched).
 */
int mrz_check_digit(const char *s, size_t n, int *digit);

/* Names for output: "TD3", "MRV-A"...; "document_number_check"...;
 * "check_digit"... Never NULL; static strings. */
const char *mrz_format_name(enum mrz_format f);
const char *mrz_field_name(enum mrz_field f);
const char *mrz_problem_name(enum mrz_problem p);

#endif
