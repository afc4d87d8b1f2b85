/* SPDX-License-Identifier: Apache-2.0 */
#include <math.h>
#include <string.h>

#include "egate/error.h"
#include "egate/json.h"

void
eg_json_init(struct eg_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

static void
indent(struct eg_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Called before every value and every key. */
static bool
pre(struct eg_json *j, bool is_key)
{
	if (j->err != EG_OK)
		return false;
	if (j->depth > 0 && j->in_obj[j->depth] && !is_key && !j->want_value) {
		j->err = EG_ERR_STATE;	/* value in an object without a key */
		return false;
	}
	if (is_key && (j->depth == 0 || !j->in_obj[j->depth] || j->want_value)) {
		j->err = EG_ERR_STATE;
		return false;
	}
	if (j->want_value) {
		j->want_value = false;
		return true;
	}
	if (j->depth == 0 && !j->first[0]) {
		j->err = EG_ERR_STATE;	/* two top-level values */
		return false;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	if (j->depth > 0)
		indent(j);
	return true;
}

static void
open_(struct eg_json *j, bool obj)
{
	if (!pre(j, false))
		return;
	if (j->depth == EG_JSON_MAX_DEPTH) {
		j->err = EG_ERR_OVERFLOW;
		return;
	}
	fputc(obj ? '{' : '[', j->out);
	j->depth++;
	j->first[j->depth] = true;
	j->in_obj[j->depth] = obj;
}

static void
close_(struct eg_json *j, bool obj)
{
	bool empty;

	if (j->err != EG_OK)
		return;
	if (j->depth == 0 || j->in_obj[j->depth] != obj || j->want_value) {
		j->err = EG_ERR_STATE;
		return;
	}
	empty = j->first[j->depth];
	j->depth--;
	if (!empty)
		indent(j);
	fputc(obj ? '}' : ']', j->out);
}

void eg_json_obj_begin(struct eg_json *j) { open_(j, true); }
void eg_json_obj_end(struct eg_json *j) { close_(j, true); }
void eg_json_arr_begin(struct eg_json *j) { open_(j, false); }
void eg_json_arr_end(struct eg_json *j) { close_(j, false); }

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

static void
put_string(struct eg_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', j->out);
	while (i < n) {
		unsigned char c = s[i];
		size_t l, run;

		/* a run of printable ASCII needing no escape: one write, not one per byte */
		for (run = i; run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' &&
		    s[run] != '\\'; run++)
			;
		if (run > i) {
			fwrite(s + i, 1, run - i, j->out);
			i = run;
			continue;
		}
		switch (c) {
		case '"': fputs("\\\"", j->out); i++; continue;
		case '\\': fputs("\\\\", j->out); i++; continue;
		case '\n': fputs("\\n", j->out); i++; continue;
		case '\r': fputs("\\r", j->out); i++; continue;
		case '\t': fputs("\\t", j->out); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(j->out, "\\u%04x", c);
			i++;
			continue;
		}
		if ((l = utf8_len(s + i, n - i)) == 0) {
			fputs("\\ufffd", j->out);
			i++;
			continue;
		}
		fwrite(s + i, 1, l, j->out);
		i += l;
	}
	fputc('"', j->out);
}

void
eg_json_key(struct eg_json *j, const char *key)
{
	if (!pre(j, true))
		return;
	put_string(j, key, strlen(key));
	fputs(j->pretty ? ": " : ":", j->out);
	j->want_value = true;
}

void
eg_json_strn(struct eg_json *j, const char *s, size_t n)
{
	if (s == NULL) {
		eg_json_null(j);
		return;
	}
	if (pre(j, false))
		put_string(j, s, n);
}

void
eg_json_str(struct eg_json *j, const char *s)
{
	eg_json_strn(j, s, s != NULL ? strlen(s) : 0);
}

void
eg_json_int(struct eg_json *j, long long v)
{
	if (pre(j, false))
		fprintf(j->out, "%lld", v);
}

void
eg_json_uint(struct eg_json *j, unsigned long long v)
{
	if (pre(j, false))
		fprintf(j->out, "%llu", v);
}

void
eg_json_double(struct eg_json *j, double v)
{
	if (!pre(j, false))
		return;
	if (!isfinite(v))
		fputs("null", j->out);
	else
		fprintf(j->out, "%.17g", v);
}

void
eg_json_bool(struct eg_json *j, bool v)
{
	if (pre(j, false))
		fputs(v ? "true" : "false", j->out);
}

void
eg_json_null(struct eg_json *j)
{
	if (pre(j, false))
		fputs("null", j->out);
}

void
eg_json_hex(struct eg_json *j, const uint8_t *p, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";

	if (!pre(j, false))
		return;
	fputc('"', j->out);
	for (size_t i = 0; i < n; i++) {
		fputc(hx[p[i] >> 4], j->out);
		fputc(hx[p[i] & 15], j->out);
	}
	fputc('"', j->out);
}

void
eg_json_key_str(struct eg_json *j, const char *key, const char *s)
{
	eg_json_key(j, key);
	eg_json_str(j, s);
}

void
eg_json_key_int(struct eg_json *j, const char *key, long long v)
{
	eg_json_key(j, key);
	eg_json_int(j, v);
}

void
eg_json_key_double(struct eg_json *j, const char *key, double v)
{
	eg_json_key(j, key);
	eg_json_double(j, v);
}

void
eg_json_key_bool(struct eg_json *j, const char *key, bool v)
{
	eg_json_key(j, key);
	eg_json_bool(j, v);
}

int
eg_json_finish(struct eg_json *j)
{
	if (j->err == EG_OK && (j->depth != 0 || j->want_value || j->first[0]))
		j->err = EG_ERR_STATE;
	if (j->err == EG_OK) {
		fputc('\n', j->out);
		if (fflush(j->out) != 0 || ferror(j->out))
			j->err = EG_ERR_IO;
	}
	return j->err;
}
