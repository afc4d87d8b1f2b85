/* SPDX-License-Identifier: Apache-2.0 */
/* scenario.c — scenario files of the simulated kiosk (see scenario.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "egate/error.h"
#include "scenario.h"

struct sc_parse {
	struct scenario *s;
	struct scenario_passage *cur;	/* the [passage NAME] being read */
	bool in_scenario, in_watchlist;
	char msg[160];
	bool seen_traveller[SCENARIO_MAX_PASSAGES], seen_camera[SCENARIO_MAX_PASSAGES];
	char last_section[SCENARIO_MAX_NAME + 16];
};

const char *
scenario_camera_str(enum scenario_camera c)
{
	switch (c) {
	case SC_CAM_FACE: return "face";
	case SC_CAM_PORTRAIT: return "portrait";
	case SC_CAM_PRINTED: return "printed";
	case SC_CAM_EMPTY: return "empty";
	case SC_CAM_EYES_CLOSED: return "eyes-closed";
	case SC_CAM_SCENE: return "scene";
	}
	return "?";
}

const char *
scenario_expect_str(enum scenario_expect e)
{
	switch (e) {
	case SC_EXPECT_ANY: return "any";
	case SC_EXPECT_OPEN: return "open";
	case SC_EXPECT_REFER: return "refer";
	case SC_EXPECT_ABANDONED: return "abandoned";
	}
	return "?";
}

static bool
copy(struct sc_parse *x, char *dst, size_t cap, const char *key, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= cap) {
		snprintf(x->msg, sizeof(x->msg), "%s: %s (1..%zu characters)", key,
		    n == 0 ? "empty" : "too long", cap - 1);
		return false;
	}
	memcpy(dst, v, n + 1);
	return true;
}

static bool
parse_bool(struct sc_parse *x, const char *key, const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0) {
		*out = true;
		return true;
	}
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0) {
		*out = false;
		return true;
	}
	snprintf(x->msg, sizeof(x->msg), "%s: yes or no", key);
	return false;
}

static bool
all_digits(const char *v, size_t n)
{
	if (strlen(v) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static bool
parse_today(struct sc_parse *x, const char *v)
{
	struct scenario *s = x->s;
	char y[5], m[3], d[3];

	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		goto bad;
	memcpy(y, v, 4);
	y[4] = '\0';
	memcpy(m, v + 5, 2);
	m[2] = '\0';
	memcpy(d, v + 8, 2);
	d[2] = '\0';
	if (!all_digits(y, 4) || !all_digits(m, 2) || !all_digits(d, 2))
		goto bad;
	s->today_y = atoi(y);
	s->today_m = atoi(m);
	s->today_d = atoi(d);
	if (s->today_y < 1970 || s->today_m < 1 || s->today_m > 12 || s->today_d < 1 ||
	    s->today_d > 31)
		goto bad;
	return true;
bad:
	snprintf(x->msg, sizeof(x->msg), "today: YYYY-MM-DD (1970 or later)");
	return false;
}

static bool
parse_camera(struct sc_parse *x, struct scenario_passage *p, const char *v)
{
	static const struct { const char *prefix; enum scenario_camera c; } kinds[] = {
		{ "face:", SC_CAM_FACE }, { "portrait:", SC_CAM_PORTRAIT },
		{ "printed:", SC_CAM_PRINTED }, { "eyes-closed:", SC_CAM_EYES_CLOSED },
		{ "scene:", SC_CAM_SCENE },
	};

	if (strcmp(v, "empty") == 0) {
		p->camera = SC_CAM_EMPTY;
		p->camera_arg[0] = '\0';
		return true;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);
		if (strncmp(v, kinds[i].prefix, n) == 0) {
			p->camera = kinds[i].c;
			return copy(x, p->camera_arg, sizeof(p->camera_arg), "camera", v + n);
		}
	}
	snprintf(x->msg, sizeof(x->msg), "camera: face:, portrait:, printed: or eyes-closed:IMAGE, empty or scene:FILE");
	return false;
}

static bool
parse_expect(struct sc_parse *x, struct scenario_passage *p, const char *v)
{
	if (strcmp(v, "open") == 0)
		p->expect = SC_EXPECT_OPEN;
	else if (strcmp(v, "refer") == 0)
		p->expect = SC_EXPECT_REFER;
	else if (strcmp(v, "abandoned") == 0)
		p->expect = SC_EXPECT_ABANDONED;
	else {
		snprintf(x->msg, sizeof(x->msg), "expect: open, refer or abandoned");
		return false;
	}
	return true;
}

static bool
passage_key(struct sc_parse *x, const char *key, const char *v)
{
	struct scenario_passage *p = x->cur;
	size_t i = (size_t)(p - x->s->p);

	if (strcmp(key, "traveller") == 0) {
		x->seen_traveller[i] = true;
		return copy(x, p->traveller, sizeof(p->traveller), key, v);
	}
	if (strcmp(key, "chip_face") == 0)
		return copy(x, p->chip_face, sizeof(p->chip_face), key, v);
	if (strcmp(key, "expiry") == 0) {
		if (!all_digits(v, 6)) {
			snprintf(x->msg, sizeof(x->msg), "expiry: YYMMDD");
			return false;
		}
		memcpy(p->expiry, v, 7);
		return true;
	}
	if (strcmp(key, "camera") == 0) {
		x->seen_camera[i] = true;
		return parse_camera(x, p, v);
	}
	if (strcmp(key, "camera_unplug") == 0)
		return parse_bool(x, key, v, &p->camera_unplug);
	if (strcmp(key, "reader_unplug") == 0)
		return parse_bool(x, key, v, &p->reader_unplug);
	if (strcmp(key, "doc_removed") == 0)
		return parse_bool(x, key, v, &p->doc_removed);
	if (strcmp(key, "expect") == 0)
		return parse_expect(x, p, v);
	if (strcmp(key, "expect_rule") == 0)
		return copy(x, p->expect_rule, sizeof(p->expect_rule), key, v);
	snprintf(x->msg, sizeof(x->msg), "unknown key '%.40s' in a passage", key);
	return false;
}

/* A new section: [scenario], [watchlist] or [passage NAME]. */
static bool
section(struct sc_parse *x, const char *sec)
{
	struct scenario *s = x->s;

	x->cur = NULL;
	x->in_scenario = strcmp(sec, "scenario") == 0;
	x->in_watchlist = strcmp(sec, "watchlist") == 0;
	if (x->in_scenario || x->in_watchlist)
		return true;
	if (strncmp(sec, "passage ", 8) != 0 || sec[8] == '\0') {
		snprintf(x->msg, sizeof(x->msg), "unknown section [%.40s]", sec);
		return false;
	}
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->p[i].name, sec + 8) == 0) {
			snprintf(x->msg, sizeof(x->msg), "passage '%.40s' appears twice", sec + 8);
			return false;
		}
	if (s->n == SCENARIO_MAX_PASSAGES) {
		snprintf(x->msg, sizeof(x->msg), "more than %d passages", SCENARIO_MAX_PASSAGES);
		return false;
	}
	x->cur = &s->p[s->n++];
	return copy(x, x->cur->name, sizeof(x->cur->name), "passage name", sec + 8);
}

static int
handler(void *user, const char *sec, const char *key, const char *v)
{
	struct sc_parse *x = user;
	struct scenario *s = x->s;

	if (key == NULL)
		return 0;	/* inih without INI_CALL_HANDLER_ON_NEW_SECTION: unused */
	if (strcmp(sec, x->last_section) != 0 || (x->cur == NULL && !x->in_scenario &&
	    !x->in_watchlist)) {
		if (strlen(sec) >= sizeof(x->last_section)) {
			snprintf(x->msg, sizeof(x->msg), "section name too long");
			return 0;
		}
		snprintf(x->last_section, sizeof(x->last_section), "%s", sec);
		if (!section(x, sec))
			return 0;
	}
	if (x->in_scenario) {
		if (strcmp(key, "name") == 0)
			return copy(x, s->name, sizeof(s->name), key, v);
		if (strcmp(key, "description") == 0)
			return copy(x, s->description, sizeof(s->description), key, v);
		if (strcmp(key, "today") == 0)
			return parse_today(x, v);
		snprintf(x->msg, sizeof(x->msg), "unknown key '%.40s' in [scenario]", key);
		return 0;
	}
	if (x->in_watchlist) {
		if (strcmp(key, "face") != 0) {
			snprintf(x->msg, sizeof(x->msg), "unknown key '%.40s' in [watchlist]", key);
			return 0;
		}
		if (s->nwatch == SCENARIO_MAX_WATCHLIST) {
			snprintf(x->msg, sizeof(x->msg), "more than %d watchlist faces",
			    SCENARIO_MAX_WATCHLIST);
			return 0;
		}
		return copy(x, s->watch[s->nwatch++], sizeof(s->watch[0]), key, v);
	}
	return passage_key(x, key, v);
}

int
scenario_parse(const char *text, size_t len, const char *name, struct scenario *out,
    char *err, size_t errlen)
{
	struct sc_parse x;
	char *buf = NULL;
	int ret = EG_ERR_INVAL, line;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (text == NULL || name == NULL || out == NULL)
		goto out;
	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x.s = out;
	ret = EG_ERR_OVERFLOW;
	if (len > SCENARIO_MAX_FILE) {
		snprintf(x.msg, sizeof(x.msg), "larger than %d bytes", SCENARIO_MAX_FILE);
		line = 0;
		goto fail;
	}
	ret = EG_ERR_FORMAT;
	if (memchr(text, '\0', len) != NULL) {
		snprintf(x.msg, sizeof(x.msg), "NUL byte in the text");
		line = 0;
		goto fail;
	}
	ret = EG_ERR_NOMEM;
	if ((buf = malloc(len + 1)) == NULL)
		goto out;
	memcpy(buf, text, len);
	buf[len] = '\0';
	ret = EG_ERR_FORMAT;
	line = ini_parse_string(buf, handler, &x);
	if (line != 0) {
		if (x.msg[0] == '\0')
			snprintf(x.msg, sizeof(x.msg), "syntax error");
		goto fail;
	}
	for (size_t i = 0; i < out->n; i++)
		if (!x.seen_traveller[i] || !x.seen_camera[i]) {
			snprintf(x.msg, sizeof(x.msg), "passage '%s' needs traveller and camera",
			    out->p[i].name);
			goto fail;
		}
	if (out->n == 0) {
		snprintf(x.msg, sizeof(x.msg), "no [passage NAME] section");
		goto fail;
	}
	ret = EG_OK;
	goto out;
fail:
	if (err != NULL && errlen > 0) {
		if (line > 0)
			snprintf(err, errlen, "%s:%d: %s", name, line, x.msg);
		else
			snprintf(err, errlen, "%s: %s", name, x.msg);
	}
	memset(out, 0, sizeof(*out));
out:
	free(buf);
	return ret;
}

int
scenario_load(const char *path, struct scenario *out, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *buf = NULL;
	const char *slash;
	size_t n;
	int ret = EG_ERR_INVAL;

	if (path == NULL || out == NULL)
		goto out;
	ret = EG_ERR_IO;
	if ((f = fopen(path, "rb")) == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = EG_ERR_NOMEM;
	if ((buf = malloc(SCENARIO_MAX_FILE + 1)) == NULL)
		goto out;
	n = fread(buf, 1, SCENARIO_MAX_FILE + 1, f);
	ret = EG_ERR_IO;
	if (ferror(f)) {
		if (err != NULL)
			snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	if ((ret = scenario_parse(buf, n, path, out, err, errlen)) != EG_OK)
		goto out;
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(out->dir, sizeof(out->dir), ".");
	else
		snprintf(out->dir, sizeof(out->dir), "%.*s", (int)(slash - path), path);
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return ret;
}
