/* SPDX-License-Identifier: Apache-2.0 */
/* text.c — officers' reasons and escaping of stored text (see text.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "text.h"

/*
 * The next UTF-8 character of r: its code point in *cp and EG_OK, or
 * EG_ERR_FORMAT (cursor not moved) for a byte that does not start a valid
 * shortest-form character of at most U+10FFFF outside the surrogates.
 */
static int
utf8_next(struct eg_rbuf *r, uint32_t *cp)
{
	struct eg_rbuf t = *r;
	uint8_t b0, b;
	uint32_t c, min;
	int n;

	if (eg_rbuf_u8(&t, &b0) != EG_OK)
		return EG_ERR_TRUNCATED;
	if (b0 < 0x80) {
		*cp = b0;
		*r = t;
		return EG_OK;
	}
	if ((b0 & 0xE0) == 0xC0) {
		n = 1; c = b0 & 0x1Fu; min = 0x80;
	} else if ((b0 & 0xF0) == 0xE0) {
		n = 2; c = b0 & 0x0Fu; min = 0x800;
	} else if ((b0 & 0xF8) == 0xF0) {
		n = 3; c = b0 & 0x07u; min = 0x10000;
	} else {
		return EG_ERR_FORMAT;
	}
	for (int i = 0; i < n; i++) {
		if (eg_rbuf_u8(&t, &b) != EG_OK || (b & 0xC0) != 0x80)
			return EG_ERR_FORMAT;
		c = (c << 6) | (b & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return EG_ERR_FORMAT;
	*cp = c;
	*r = t;
	return EG_OK;
}

static bool
is_control(uint32_t c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

/* Characters that change how the text around them reads. */
static bool
is_format_trap(uint32_t c)
{
	return c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
	    (c >= 0x2066 && c <= 0x2069);
}

static bool
is_space(uint32_t c)
{
	return c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) ||
	    c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

int
proto_reason_check(const char *s, char *why, size_t whylen)
{
	struct eg_rbuf r;
	size_t len;
	bool seen = false;

	if (s == NULL)
		return EG_ERR_INVAL;
	len = strnlen(s, PROTO_REASON_MAX + 1);
	if (len == 0) {
		eg_errbuf(why, whylen, "a reason is required");
		return EG_ERR_FORMAT;
	}
	if (len > PROTO_REASON_MAX) {
		eg_errbuf(why, whylen, "the reason is longer than %u bytes", PROTO_REASON_MAX);
		return EG_ERR_FORMAT;
	}
	r = eg_rbuf_init(s, len);
	while (eg_rbuf_left(&r) > 0) {
		size_t at = len - eg_rbuf_left(&r);
		uint32_t c;

		if (utf8_next(&r, &c) != EG_OK) {
			eg_errbuf(why, whylen, "the reason is not valid UTF-8 (byte %zu)", at + 1);
			return EG_ERR_FORMAT;
		}
		if (is_control(c)) {
			eg_errbuf(why, whylen, "the reason holds a control character (U+%04X at byte %zu)",
			    (unsigned)c, at + 1);
			return EG_ERR_FORMAT;
		}
		if (is_format_trap(c)) {
			eg_errbuf(why, whylen, "the reason holds a line separator or a text direction "
			    "control (U+%04X at byte %zu)", (unsigned)c, at + 1);
			return EG_ERR_FORMAT;
		}
		seen |= !is_space(c);
	}
	if (!seen) {
		eg_errbuf(why, whylen, "the reason is blank");
		return EG_ERR_FORMAT;
	}
	return EG_OK;
}

/* Append n bytes to out if they fit whole; count them either way. */
static void
put(char *out, size_t cap, size_t *len, bool *full, const char *p, size_t n)
{
	if (!*full && *len + n < cap) {
		memcpy(out + *len, p, n);
		out[*len + n] = '\0';
	} else {
		*full = true;	/* nothing after a cut: never half a character */
	}
	*len += n;
}

size_t
proto_text_escape(const char *s, char *out, size_t cap)
{
	struct eg_rbuf r;
	size_t len = 0;
	bool full = cap == 0;
	char esc[16];

	if (cap > 0)
		out[0] = '\0';
	if (s == NULL)
		return 0;
	r = eg_rbuf_init(s, strlen(s));
	while (eg_rbuf_left(&r) > 0) {
		const uint8_t *start = r.p;
		uint32_t c;

		if (utf8_next(&r, &c) != EG_OK) {
			uint8_t b = 0;

			(void)eg_rbuf_u8(&r, &b);
			snprintf(esc, sizeof(esc), "\\x%02X", b);
			put(out, cap, &len, &full, esc, strlen(esc));
		} else if (c < 0x80 && is_control(c)) {
			snprintf(esc, sizeof(esc), "\\x%02X", (unsigned)c);
			put(out, cap, &len, &full, esc, strlen(esc));
		} else if (is_control(c) || is_format_trap(c)) {
			snprintf(esc, sizeof(esc), "\\u%04X", (unsigned)c);
			put(out, cap, &len, &full, esc, strlen(esc));
		} else if (c == '\\') {
			put(out, cap, &len, &full, "\\\\", 2);
		} else {
			put(out, cap, &len, &full, (const char *)start, (size_t)(r.p - start));
		}
	}
	return len;
}

void
proto_text_put(FILE *f, const char *s)
{
	char buf[512];
	size_t n = proto_text_escape(s, buf, sizeof(buf));

	if (n < sizeof(buf)) {
		fputs(buf, f);
		return;
	}
	/* long text: escape it into a buffer of its size */
	{
		char *big = malloc(n + 1);

		if (big == NULL) {
			fputs(buf, f);
			return;
		}
		(void)proto_text_escape(s, big, n + 1);
		fputs(big, f);
		free(big);
	}
}
