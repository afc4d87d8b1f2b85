/* SPDX-License-Identifier: Apache-2.0 */
/* scene.c — the scene script parser (scene.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "scene.h"

struct parser {
	const char *name;
	unsigned line;
	char *err;
	size_t errlen;
	struct scene *s;
	bool ended;		/* an unplug or loop was seen */
	uint32_t end_ms;
};

__attribute__((format(printf, 2, 3)))
static int
fail(struct parser *ps, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (ps->err != NULL && ps->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		snprintf(ps->err, ps->errlen, "%.100s:%u: %s", ps->name, ps->line, msg);
	}
	return EG_ERR_FORMAT;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* the next whitespace-separated word of *p; NUL-terminates it in place */
static char *
next_word(char **p)
{
	char *w;

	while (is_space(**p))
		(*p)++;
	if (**p == '\0')
		return NULL;
	w = *p;
	while (**p != '\0' && !is_space(**p))
		(*p)++;
	if (**p != '\0')
		*(*p)++ = '\0';
	return w;
}

/* a decimal in [lo, hi]; digits only */
static bool
parse_uint(const char *w, uint32_t lo, uint32_t hi, uint32_t *v)
{
	uint64_t x = 0;

	if (*w == '\0')
		return false;
	for (; *w != '\0'; w++) {
		if (*w < '0' || *w > '9')
			return false;
		x = x * 10 + (uint64_t)(*w - '0');
		if (x > hi)
			return false;
	}
	if (x < lo)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* "2", "2.5s", "0.125s", "250ms" -> milliseconds, at most SCENE_MAX_MS */
static bool
parse_time(const char *w, uint32_t *ms)
{
	uint64_t whole = 0, frac = 0;
	unsigned ndig = 0, nfrac = 0;
	bool is_ms = false;

	for (; *w >= '0' && *w <= '9'; w++, ndig++) {
		whole = whole * 10 + (uint64_t)(*w - '0');
		if (whole > SCENE_MAX_MS)
			return false;
	}
	if (ndig == 0)
		return false;
	if (*w == '.') {
		for (w++; *w >= '0' && *w <= '9'; w++, nfrac++) {
			if (nfrac == 3)
				return false;	/* finer than a millisecond */
			frac = frac * 10 + (uint64_t)(*w - '0');
		}
		if (nfrac == 0)
			return false;
		for (unsigned i = nfrac; i < 3; i++)
			frac *= 10;
	}
	if (strcmp(w, "ms") == 0) {
		if (nfrac != 0)
			return false;
		is_ms = true;
	} else if (strcmp(w, "s") != 0 && *w != '\0') {
		return false;
	}
	whole = is_ms ? whole : whole * 1000 + frac;
	if (whole > SCENE_MAX_MS)
		return false;
	*ms = (uint32_t)whole;
	return true;
}

static int
image_index(struct parser *ps, const char *path, uint32_t *idx)
{
	struct scene *s = ps->s;
	char **grown;
	size_t n = strlen(path);

	for (size_t i = 0; i < s->nimages; i++)
		if (strcmp(s->images[i], path) == 0) {
			*idx = (uint32_t)i;
			return EG_OK;
		}
	if (s->nimages == SCENE_MAX_IMAGES)
		return fail(ps, "more than %d different images", SCENE_MAX_IMAGES);
	grown = realloc(s->images, (s->nimages + 1) * sizeof(*grown));
	if (grown == NULL)
		return EG_ERR_NOMEM;
	s->images = grown;
	s->images[s->nimages] = malloc(n + 1);
	if (s->images[s->nimages] == NULL)
		return EG_ERR_NOMEM;
	memcpy(s->images[s->nimages], path, n + 1);
	*idx = (uint32_t)s->nimages++;
	return EG_OK;
}

static int
parse_event(struct parser *ps, char *rest)
{
	struct scene *s = ps->s;
	struct scene_event ev = { .line = ps->line };
	struct scene_event *grown;
	char *tw, *op, *arg, *end;
	int ret;

	tw = next_word(&rest);
	if (tw == NULL || !parse_time(tw, &ev.at_ms))
		return fail(ps, "'at' needs a time like 1.5s or 250ms (at most %us, millisecond steps)",
		    SCENE_MAX_MS / 1000);
	if (s->nevents > 0 && ev.at_ms < s->events[s->nevents - 1].at_ms)
		return fail(ps, "time %u ms is before the previous event (%u ms): times never go back",
		    ev.at_ms, s->events[s->nevents - 1].at_ms);
	if (ps->ended)
		return fail(ps, "nothing can follow 'unplug' or 'loop'");
	op = next_word(&rest);
	if (op == NULL)
		return fail(ps, "'at TIME' needs an action: show, drop, unplug or loop");
	if (strcmp(op, "show") == 0) {
		ev.op = SCENE_SHOW;
		while (is_space(*rest))
			rest++;
		end = rest + strlen(rest);
		while (end > rest && is_space(end[-1]))
			*--end = '\0';
		if (*rest == '\0')
			return fail(ps, "'show' needs an image file");
		if (end - rest > SCENE_MAX_PATH)
			return fail(ps, "image path longer than %d bytes", SCENE_MAX_PATH);
		if ((ret = image_index(ps, rest, &ev.arg)) != EG_OK)
			return ret;
	} else if (strcmp(op, "drop") == 0) {
		ev.op = SCENE_DROP;
		arg = next_word(&rest);
		if (arg == NULL || !parse_uint(arg, 1, SCENE_MAX_DROP, &ev.arg))
			return fail(ps, "'drop' needs a frame count 1..%d", SCENE_MAX_DROP);
	} else if (strcmp(op, "unplug") == 0 || strcmp(op, "loop") == 0) {
		ev.op = op[0] == 'u' ? SCENE_UNPLUG : SCENE_LOOP;
		if (ev.op == SCENE_LOOP && ev.at_ms == 0)
			return fail(ps, "'loop' at 0s would loop forever without a frame");
		ps->ended = true;
	} else {
		return fail(ps, "unknown action '%.40s' (show, drop, unplug, loop)", op);
	}
	if (ev.op != SCENE_SHOW && next_word(&rest) != NULL)
		return fail(ps, "unexpected text after '%s'", scene_op_name(ev.op));
	if (s->nevents == 0 && (ev.op != SCENE_SHOW || ev.at_ms != 0))
		return fail(ps, "the first event must be 'at 0s show FILE'");
	if (s->nevents == SCENE_MAX_EVENTS)
		return fail(ps, "more than %d events", SCENE_MAX_EVENTS);
	grown = realloc(s->events, (s->nevents + 1) * sizeof(*grown));
	if (grown == NULL)
		return EG_ERR_NOMEM;
	s->events = grown;
	s->events[s->nevents++] = ev;
	return EG_OK;
}

static int
parse_line(struct parser *ps, char *line)
{
	char *p = line, *kw, *arg;

	kw = next_word(&p);
	if (kw == NULL || kw[0] == '#')
		return EG_OK;
	if (strcmp(kw, "fps") == 0) {
		if (ps->s->nevents > 0)
			return fail(ps, "'fps' must come before the first event");
		arg = next_word(&p);
		if (arg == NULL || !parse_uint(arg, 1, SCENE_MAX_FPS, &ps->s->fps))
			return fail(ps, "'fps' needs a frame rate 1..%d", SCENE_MAX_FPS);
		if (next_word(&p) != NULL)
			return fail(ps, "unexpected text after 'fps N'");
		return EG_OK;
	}
	if (strcmp(kw, "at") == 0)
		return parse_event(ps, p);
	return fail(ps, "unknown statement '%.40s' (fps, at, or # comment)", kw);
}

int
scene_parse(const char *text, size_t len, const char *name, struct scene **out,
    char *err, size_t errlen)
{
	struct parser ps = { .name = name != NULL ? name : "scene", .err = err, .errlen = errlen };
	struct eg_rbuf b = eg_rbuf_init(text, len);
	char line[SCENE_MAX_LINE + 1];
	size_t n = 0;
	uint8_t c;
	int ret = EG_ERR_NOMEM;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	ps.s = calloc(1, sizeof(*ps.s));
	if (ps.s == NULL)
		goto out;
	ps.s->fps = 30;
	ps.line = 1;
	while (eg_rbuf_left(&b) > 0) {
		(void)eg_rbuf_u8(&b, &c);
		if (c == '\0') {
			ret = fail(&ps, "NUL byte: not a text file");
			goto out;
		}
		if (c != '\n') {
			if (n == SCENE_MAX_LINE) {
				ret = fail(&ps, "line longer than %d bytes", SCENE_MAX_LINE);
				goto out;
			}
			line[n++] = (char)c;
			if (eg_rbuf_left(&b) > 0)
				continue;
		}
		line[n] = '\0';
		if ((ret = parse_line(&ps, line)) != EG_OK)
			goto out;
		n = 0;
		ps.line++;
	}
	if (ps.s->nevents == 0) {
		ret = fail(&ps, "no events: a scene needs at least 'at 0s show FILE'");
		goto out;
	}
	*out = ps.s;
	ps.s = NULL;
	ret = EG_OK;
out:
	if (ret == EG_ERR_NOMEM && err != NULL && errlen > 0)
		snprintf(err, errlen, "%.100s: out of memory", ps.name);
	scene_free(&ps.s);
	return ret;
}

void
scene_free(struct scene **sp)
{
	struct scene *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	for (size_t i = 0; i < s->nimages; i++)
		free(s->images[i]);
	free(s->images);
	free(s->events);
	free(s);
	*sp = NULL;
}

const char *
scene_op_name(enum scene_op op)
{
	switch (op) {
	case SCENE_SHOW: return "show";
	case SCENE_DROP: return "drop";
	case SCENE_UNPLUG: return "unplug";
	case SCENE_LOOP: return "loop";
	}
	return "?";
}
