/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/config.h"
#include "egate/error.h"

struct load {
	const struct eg_cfg_key *schema;
	size_t nkeys;
	void *out;
	struct eg_cfg_error *err;
	int *seen_line;		/* per key: line it was set on, 0 if not */
	/* the text, fed to inih line by line so we know the line number */
	const char *text, *pos, *end;
	int line;
	bool failed;
};

static void
set_err(struct eg_cfg_error *err, int line, const char *section,
    const char *key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
set_err(struct eg_cfg_error *err, int line, const char *section,
    const char *key, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	snprintf(err->section, sizeof(err->section), "%s", section != NULL ? section : "");
	snprintf(err->key, sizeof(err->key), "%s", key != NULL ? key : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* ini_reader: hand inih one line at a time from our (already checked) text. */
static char *
reader(char *str, int num, void *stream)
{
	struct load *ld = stream;
	size_t n = 0;

	if (ld->pos >= ld->end || num < 2)
		return NULL;
	while (ld->pos < ld->end && n + 1 < (size_t)num) {
		char c = *ld->pos++;
		str[n++] = c;
		if (c == '\n')
			break;
	}
	str[n] = '\0';
	ld->line++;
	return str;
}

static bool
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(v, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/*
 * Integers are decimal, written the plain way: an optional '-', then digits,
 * with no leading zero (except 0 itself). strtoll(..., 0) would read
 * "0443" as octal 291 and "0x10" as 16; on a border system a port that
 * silently differs from what the integrator typed is worse than an error,
 * so those are refused with the reason, as are '+', blanks and overflow.
 * Returns NULL and *out, or the reason (a static phrase).
 */
static const char *
parse_decimal(const char *v, long long *out)
{
	const char *p = v;
	unsigned long long acc = 0, lim;
	bool neg = false;

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p == '+')
		return "has a '+' sign; write the number alone";
	if (*p < '0' || *p > '9')
		return "is not an integer";
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return "is hexadecimal; integers here are decimal";
	if (p[0] == '0' && p[1] != '\0') {
		if (p[1] >= '0' && p[1] <= '9')
			return "has a leading zero (octal?); integers here are decimal: "
			    "write it without the zero";
		return "is not an integer";
	}
	lim = neg ? (unsigned long long)LLONG_MAX + 1u : (unsigned long long)LLONG_MAX;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return *p == ' ' || *p == '\t' ? "is not an integer (a blank inside)" :
			    "is not an integer";
		if (acc > (lim - (unsigned long long)(*p - '0')) / 10)
			return "is too large";
		acc = acc * 10 + (unsigned long long)(*p - '0');
	}
	*out = neg ? (acc == (unsigned long long)LLONG_MAX + 1u ? LLONG_MIN : -(long long)acc) :
	    (long long)acc;
	return NULL;
}

/* Numbers: [-]digits[.digits][e[-]digits] (or [-].digits...), decimal only:
 * no hexadecimal float, no '+', no blanks, no inf or nan. */
static bool
decimal_number_syntax(const char *v)
{
	const char *p = v;
	size_t d = 0;

	if (*p == '-')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		d++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			d++;
		}
	}
	if (d == 0)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static int
store(struct load *ld, const struct eg_cfg_key *k, const char *section,
    const char *name, const char *value)
{
	uint8_t *field = (uint8_t *)ld->out + k->offset;
	char *end;

	switch (k->type) {
	case EG_CFG_STR: {
		size_t n = strlen(value);
		if (n >= k->size) {
			set_err(ld->err, ld->line, section, name,
			    "value is %zu bytes long; at most %zu allowed", n, k->size - 1);
			return 0;
		}
		memcpy(field, value, n + 1);
		return 1;
	}
	case EG_CFG_INT: {
		long long v = 0;
		const char *why = parse_decimal(value, &v);
		if (why != NULL && strcmp(why, "is too large") == 0) {
			set_err(ld->err, ld->line, section, name,
			    "value %.40s is out of range (%.0f to %.0f)", value, k->min, k->max);
			return 0;
		}
		if (why != NULL) {
			set_err(ld->err, ld->line, section, name, "'%.40s' %s", value, why);
			return 0;
		}
		if ((double)v < k->min || (double)v > k->max) {
			set_err(ld->err, ld->line, section, name,
			    "value %lld is out of range (%.0f to %.0f)", v, k->min, k->max);
			return 0;
		}
		memcpy(field, &v, sizeof(v));
		return 1;
	}
	case EG_CFG_DOUBLE: {
		double v;
		errno = 0;
		v = strtod(value, &end);
		if (!decimal_number_syntax(value) || *end != '\0' || errno != 0 || !isfinite(v)) {
			set_err(ld->err, ld->line, section, name,
			    "'%s' is not a number", value);
			return 0;
		}
		if (v < k->min || v > k->max) {
			set_err(ld->err, ld->line, section, name,
			    "value %g is out of range (%g to %g)", v, k->min, k->max);
			return 0;
		}
		memcpy(field, &v, sizeof(v));
		return 1;
	}
	case EG_CFG_BOOL: {
		bool v;
		if (!parse_bool(value, &v)) {
			set_err(ld->err, ld->line, section, name,
			    "'%s' is not a boolean (use true or false)", value);
			return 0;
		}
		memcpy(field, &v, sizeof(v));
		return 1;
	}
	case EG_CFG_ENUM: {
		char list[128] = "";
		size_t used = 0;
		for (int i = 0; k->choices != NULL && k->choices[i] != NULL; i++) {
			if (strcmp(value, k->choices[i]) == 0) {
				memcpy(field, &i, sizeof(i));
				return 1;
			}
			int w = snprintf(list + used, sizeof(list) - used, "%s%s",
			    i ? ", " : "", k->choices[i]);
			if (w > 0 && (size_t)w < sizeof(list) - used)
				used += (size_t)w;
		}
		set_err(ld->err, ld->line, section, name,
		    "'%s' is not one of: %s", value, list);
		return 0;
	}
	}
	set_err(ld->err, ld->line, section, name, "internal: bad key type");
	return 0;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct load *ld = user;

	if (ld->failed)
		return 0;
	for (size_t i = 0; i < ld->nkeys; i++) {
		const struct eg_cfg_key *k = &ld->schema[i];
		if (strcmp(k->section, section) != 0 || strcmp(k->name, name) != 0)
			continue;
		if (ld->seen_line[i] != 0) {
			set_err(ld->err, ld->line, section, name,
			    "set twice (first on line %d)", ld->seen_line[i]);
			ld->failed = true;
			return 0;
		}
		ld->seen_line[i] = ld->line;
		if (!store(ld, k, section, name, value)) {
			ld->failed = true;
			return 0;
		}
		return 1;
	}
	set_err(ld->err, ld->line, section, name, "unknown key");
	ld->failed = true;
	return 0;
}

/* Reject what inih would mangle or what no config file contains. */
static bool
precheck(struct load *ld)
{
	int line = 1;
	size_t col = 0;

	for (const char *p = ld->text; p < ld->end; p++) {
		if (*p == '\0') {
			set_err(ld->err, line, NULL, NULL, "NUL byte in file");
			return false;
		}
		if (*p == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (++col > EG_CFG_MAX_LINE) {
			set_err(ld->err, line, NULL, NULL,
			    "line too long (more than %d bytes)", EG_CFG_MAX_LINE);
			return false;
		}
	}
	return true;
}

int
eg_cfg_load_string(const char *name, const char *text, size_t len,
    const struct eg_cfg_key *schema, size_t nkeys, void *out,
    struct eg_cfg_error *err)
{
	struct eg_cfg_error dummy;
	struct load ld;
	int ret = EG_ERR_CONFIG;
	int r;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name != NULL ? name : "(string)");
	memset(&ld, 0, sizeof(ld));
	ld.schema = schema;
	ld.nkeys = nkeys;
	ld.out = out;
	ld.err = err;
	ld.text = ld.pos = text;
	ld.end = text + len;

	if (len > EG_CFG_MAX_FILE) {
		set_err(err, 0, NULL, NULL, "file is larger than %d bytes", EG_CFG_MAX_FILE);
		return EG_ERR_CONFIG;
	}
	if (!precheck(&ld))
		return EG_ERR_CONFIG;
	if ((ld.seen_line = calloc(nkeys + 1, sizeof(int))) == NULL) {
		set_err(err, 0, NULL, NULL, "out of memory");
		return EG_ERR_NOMEM;
	}
	r = ini_parse_stream(reader, &ld, handler, &ld);
	if (r != 0) {
		if (!ld.failed)	/* inih's own syntax error */
			set_err(err, r > 0 ? r : 0, NULL, NULL, r > 0 ?
			    "syntax error: expected '[section]', 'key = value' or a comment" :
			    "cannot parse");
		goto out;
	}
	for (size_t i = 0; i < nkeys; i++) {
		if (schema[i].required && ld.seen_line[i] == 0) {
			set_err(err, 0, schema[i].section, schema[i].name,
			    "required key is missing");
			goto out;
		}
	}
	ret = EG_OK;
out:
	free(ld.seen_line);
	return ret;
}

int
eg_cfg_load_file(const char *path, const struct eg_cfg_key *schema,
    size_t nkeys, void *out, struct eg_cfg_error *err)
{
	struct eg_cfg_error dummy;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	if ((f = fopen(path, "rb")) == NULL) {
		set_err(err, 0, NULL, NULL, "cannot open: %s", strerror(errno));
		return EG_ERR_IO;
	}
	if ((text = malloc(EG_CFG_MAX_FILE + 1)) == NULL) {
		fclose(f);
		set_err(err, 0, NULL, NULL, "out of memory");
		return EG_ERR_NOMEM;
	}
	len = fread(text, 1, EG_CFG_MAX_FILE + 1, f);
	if (ferror(f)) {
		set_err(err, 0, NULL, NULL, "read error: %s", strerror(errno));
		ret = EG_ERR_IO;
	} else {
		ret = eg_cfg_load_string(path, text, len, schema, nkeys, out, err);
	}
	fclose(f);
	free(text);
	return ret;
}

char *
eg_cfg_error_str(const struct eg_cfg_error *err, char *buf, size_t bufsz)
{
	char where[160] = "";

	if (err->section[0] != '\0' || err->key[0] != '\0') {
		if (err->section[0] != '\0')
			snprintf(where, sizeof(where), "[%s] %s: ", err->section, err->key);
		else
			snprintf(where, sizeof(where), "%s: ", err->key);
	}
	if (err->line > 0)
		snprintf(buf, bufsz, "%s:%d: %s%s", err->file, err->line, where, err->msg);
	else
		snprintf(buf, bufsz, "%s: %s%s", err->file, where, err->msg);
	return buf;
}
