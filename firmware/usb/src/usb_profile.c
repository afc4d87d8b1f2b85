/* SPDX-License-Identifier: Apache-2.0 */
/* usb_profile.c — the reader profile loader (see usb_profile.h). */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/usb_profile.h"

#define SEEN_NAME    0x1u
#define SEEN_MAX     0x2u
#define SEEN_VOLTAGE 0x4u
#define SEEN_QUIRKS  0x8u

struct load_state {
	struct usb_profile_table *t;
	struct eg_cfg_error *err;
	const char *name;
	char section[64];	/* the section being read */
	unsigned seen;		/* SEEN_* of the current section */
	int sec_line;		/* line of the current section's first key */
	int ret;		/* first error */
	bool overflow;
	/* the text, handed to inih line by line so we know the line number */
	const char *text, *end;
	int line;
};

static char *
line_reader(char *str, int num, void *user)
{
	struct load_state *st = user;
	int n = 0;

	if (st->text >= st->end || num < 2)
		return NULL;
	while (st->text < st->end && n < num - 1) {
		char c = *st->text++;

		str[n++] = c;
		if (c == '\n')
			break;
	}
	str[n] = '\0';
	st->line++;
	return str;
}

static void
load_fail(struct load_state *st, int line, const char *section,
    const char *key, const char *fmt, ...)
{
	va_list ap;

	if (st->ret != EG_OK)
		return;
	st->ret = EG_ERR_CONFIG;
	if (st->err == NULL)
		return;
	memset(st->err, 0, sizeof(*st->err));
	snprintf(st->err->file, sizeof(st->err->file), "%s", st->name);
	st->err->line = line;
	snprintf(st->err->section, sizeof(st->err->section), "%s",
	    section != NULL ? section : "");
	snprintf(st->err->key, sizeof(st->err->key), "%s", key != NULL ? key : "");
	va_start(ap, fmt);
	vsnprintf(st->err->msg, sizeof(st->err->msg), fmt, ap);
	va_end(ap);
}

static int
hex4(const char *s, uint16_t *v)
{
	unsigned x = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		x = x << 4 | d;
	}
	*v = (uint16_t)x;
	return 0;
}

/* A new section "VVVV:PPPP" starts a new profile; finish the previous. */
static int
finish_section(struct load_state *st)
{
	if (st->t->n == 0 || st->section[0] == '\0')
		return 0;
	if ((st->seen & (SEEN_NAME | SEEN_MAX)) != (SEEN_NAME | SEEN_MAX)) {
		load_fail(st, st->sec_line, st->section,
		    (st->seen & SEEN_NAME) ? "max_message" : "name",
		    "required key missing");
		return -1;
	}
	return 0;
}

static int
start_section(struct load_state *st, const char *section, int line)
{
	struct usb_profile *p;
	uint16_t vid, pid;
	size_t i;

	if (finish_section(st) != 0)
		return -1;
	if (strlen(section) != 9 || section[4] != ':' ||
	    hex4(section, &vid) != 0 || hex4(section + 5, &pid) != 0) {
		load_fail(st, line, section, NULL,
		    "section must be VID:PID in hex, e.g. [072F:223E]");
		return -1;
	}
	for (i = 0; i < st->t->n; i++) {
		if (st->t->p[i].vid == vid && st->t->p[i].pid == pid) {
			load_fail(st, line, section, NULL, "duplicate device");
			return -1;
		}
	}
	if (st->t->n >= USB_PROFILE_MAX) {
		load_fail(st, line, section, NULL, "more than %d profiles",
		    USB_PROFILE_MAX);
		st->overflow = true;
		return -1;
	}
	p = &st->t->p[st->t->n++];
	memset(p, 0, sizeof(*p));
	p->vid = vid;
	p->pid = pid;
	p->voltage = CCID_VOLTAGE_AUTO;
	snprintf(st->section, sizeof(st->section), "%s", section);
	st->seen = 0;
	st->sec_line = line;
	return 0;
}

static int
parse_quirks(const char *value, uint32_t *out)
{
	char tok[32];
	const char *p = value;

	*out = 0;
	while (*p != '\0') {
		size_t n = 0;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		while (p[n] != '\0' && p[n] != ',' && p[n] != ' ' &&
		    p[n] != '\t')
			n++;
		if (n >= sizeof(tok))
			return -1;
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (strcmp(tok, "no_notify") == 0)
			*out |= USB_QUIRK_NO_NOTIFY;
		else
			return -1;
	}
	return 0;
}

static int
on_kv(void *user, const char *section, const char *key, const char *value)
{
	struct load_state *st = user;
	struct usb_profile *p;
	int line = st->line;
	unsigned bit;

	if (st->ret != EG_OK)
		return 0;
	if (section[0] == '\0') {
		load_fail(st, line, section, key, "key outside a [VID:PID] section");
		return 0;
	}
	if (st->t->n == 0 || strcmp(section, st->section) != 0) {
		if (start_section(st, section, line) != 0)
			return 0;
	}
	p = &st->t->p[st->t->n - 1];
	if (strcmp(key, "name") == 0) {
		bit = SEEN_NAME;
		if (value[0] == '\0' || strlen(value) >= sizeof(p->name)) {
			load_fail(st, line, section, key,
			    "must be 1 to %zu characters", sizeof(p->name) - 1);
			return 0;
		}
		snprintf(p->name, sizeof(p->name), "%s", value);
	} else if (strcmp(key, "max_message") == 0) {
		char *end;
		unsigned long v;

		bit = SEEN_MAX;
		errno = 0;
		v = strtoul(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' ||
		    value[0] == '-' || v < CCID_MIN_MSG_LEN ||
		    v > CCID_MAX_MSG_LEN) {
			load_fail(st, line, section, key,
			    "value '%s' is not a number from %u to %u", value,
			    CCID_MIN_MSG_LEN, CCID_MAX_MSG_LEN);
			return 0;
		}
		p->max_message = (uint32_t)v;
	} else if (strcmp(key, "voltage") == 0) {
		bit = SEEN_VOLTAGE;
		if (strcmp(value, "auto") == 0)
			p->voltage = CCID_VOLTAGE_AUTO;
		else if (strcmp(value, "5V") == 0)
			p->voltage = CCID_VOLTAGE_5V;
		else if (strcmp(value, "3V") == 0)
			p->voltage = CCID_VOLTAGE_3V;
		else if (strcmp(value, "1.8V") == 0)
			p->voltage = CCID_VOLTAGE_1V8;
		else {
			load_fail(st, line, section, key,
			    "value '%s' is not one of auto, 5V, 3V, 1.8V", value);
			return 0;
		}
	} else if (strcmp(key, "quirks") == 0) {
		bit = SEEN_QUIRKS;
		if (parse_quirks(value, &p->quirks) != 0) {
			load_fail(st, line, section, key,
			    "unknown quirk in '%s' (known: no_notify)", value);
			return 0;
		}
	} else {
		load_fail(st, line, section, key, "unknown key");
		return 0;
	}
	if (st->seen & bit) {
		load_fail(st, line, section, key, "duplicate key");
		return 0;
	}
	st->seen |= bit;
	return 1;
}

int
usb_profile_load_string(const char *name, const char *text, size_t len,
    struct usb_profile_table *t, struct eg_cfg_error *err)
{
	struct load_state st;
	size_t i, col = 0;
	int line = 1, rc;
	int ret = EG_ERR_INVAL;

	if (t == NULL || (text == NULL && len > 0))
		goto out;
	t->n = 0;
	memset(&st, 0, sizeof(st));
	st.t = t;
	st.err = err;
	st.name = name != NULL ? name : "(string)";
	if (len > USB_PROFILE_MAX_FILE) {
		load_fail(&st, 0, NULL, NULL, "file larger than %d bytes",
		    USB_PROFILE_MAX_FILE);
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	/* inih splits long lines silently and stops at NUL: check first. */
	for (i = 0; i < len; i++) {
		if (text[i] == '\0') {
			load_fail(&st, line, NULL, NULL, "NUL byte");
			ret = EG_ERR_CONFIG;
			goto out;
		}
		if (text[i] == '\n') {
			line++;
			col = 0;
		} else if (++col > EG_CFG_MAX_LINE) {
			load_fail(&st, line, NULL, NULL, "line longer than %d bytes",
			    EG_CFG_MAX_LINE);
			ret = EG_ERR_CONFIG;
			goto out;
		}
	}
	st.ret = EG_OK;
	st.text = text;
	st.end = text + len;
	rc = ini_parse_stream(line_reader, &st, on_kv, &st);
	if (st.ret == EG_OK && rc != 0)
		load_fail(&st, rc > 0 ? rc : 0, NULL, NULL, "syntax error");
	if (st.ret == EG_OK)
		finish_section(&st);
	ret = st.overflow ? EG_ERR_OVERFLOW : st.ret;
out:
	if (ret != EG_OK && t != NULL)
		t->n = 0;
	return ret;
}

int
usb_profile_load_file(const char *path, struct usb_profile_table *t,
    struct eg_cfg_error *err)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t len;
	int ret = EG_ERR_INVAL;

	if (path == NULL || t == NULL)
		goto out;
	t->n = 0;
	ret = EG_ERR_IO;
	f = fopen(path, "rb");
	if (f == NULL)
		goto out;
	text = malloc(USB_PROFILE_MAX_FILE + 1);
	if (text == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	len = fread(text, 1, USB_PROFILE_MAX_FILE + 1, f);
	if (ferror(f))
		goto out;
	ret = usb_profile_load_string(path, text, len, t, err);
out:
	if (ret == EG_ERR_IO && err != NULL) {
		memset(err, 0, sizeof(*err));
		snprintf(err->file, sizeof(err->file), "%s", path);
		snprintf(err->msg, sizeof(err->msg), "cannot read: %s",
		    strerror(errno));
	}
	if (f != NULL)
		fclose(f);
	free(text);
	return ret;
}

const struct usb_profile *
usb_profile_find(const struct usb_profile_table *t, uint16_t vid, uint16_t pid)
{
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->n && i < USB_PROFILE_MAX; i++)
		if (t->p[i].vid == vid && t->p[i].pid == pid)
			return &t->p[i];
	return NULL;
}
