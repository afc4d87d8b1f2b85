/* SPDX-License-Identifier: Apache-2.0 */
/* gate.c — the gate backends' factory: specs parsed, the engine built over
 * libgpiod lines and / or the HID relay (see gate.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "egate/gate.h"
#include "egate/hidrelay_proto.h"
#include "gate_engine.h"
#include "gate_hidrelay.h"

#define GATE_USAGE_GPIO "gpio:CHIP:relay=N,door=M[,door-open=O][,passage=K][,OPTIONS]"
#define GATE_USAGE_HID \
	"hidrelay[:VID:PID][,channel=N][,chip=CHIP,door=M[,door-open=O][,passage=K]][,OPTIONS]"
#define GATE_MAX_OFFSET 4095
#define GATE_CONFIRM_MIN 100u
#define GATE_CONFIRM_MAX 60000u
#define GATE_DEBOUNCE_MAX 1000u

const char *
gate_line_role_str(enum gate_line_role r)
{
	static const char *const n[GATE_LINE_COUNT] = { "relay", "door", "door-open", "passage" };

	return (unsigned)r < GATE_LINE_COUNT ? n[r] : "?";
}

/* ---- the clock ------------------------------------------------------------------------------ */

static uint64_t
mono_now_ms(void *self)
{
	struct timespec ts;

	(void)self;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
mono_sleep_ms(void *self, unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };

	(void)self;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

const struct gate_clock_ops gate_clock_monotonic = {
	.now_ms = mono_now_ms,
	.sleep_ms = mono_sleep_ms,
};

/* ---- specs ------------------------------------------------------------------------------------ */

static bool
named(const char *spec, const char *name)
{
	size_t n = strlen(name);

	return strncmp(spec, name, n) == 0 && (spec[n] == '\0' || spec[n] == ':' ||
	    spec[n] == ',');
}

bool
gate_backend_named(const char *spec)
{
	return spec != NULL && (named(spec, "gpio") || named(spec, "hidrelay"));
}

void
gate_spec_help(char *buf, size_t cap)
{
	if (buf != NULL && cap > 0)
		snprintf(buf, cap, "%s, %s", GATE_USAGE_GPIO, GATE_USAGE_HID);
}

/* A decimal number lo..hi, the whole of s[0..n). */
static bool
number(const char *s, size_t n, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v = 0;

	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* Four hex digits at most, the whole of s[0..n). */
static bool
hex16(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;

	if (n == 0 || n > 4)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ?
		    (unsigned)(c - 'a' + 10) : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;

		if (d > 15)
			return false;
		v = v << 4 | d;
	}
	*out = (uint16_t)v;
	return true;
}

static int
role_named(const char *s, size_t n)
{
	for (int r = 0; r < GATE_LINE_COUNT; r++) {
		const char *name = gate_line_role_str((enum gate_line_role)r);

		if (strlen(name) == n && strncmp(name, s, n) == 0)
			return r;
	}
	return -1;
}

/* active-low=ROLE[+ROLE...] */
static int
parse_active_low(const char *v, size_t n, struct gate_spec *s, char *err, size_t errlen)
{
	size_t i = 0;

	while (i <= n) {
		size_t j = i;
		int r;

		while (j < n && v[j] != '+')
			j++;
		if ((r = role_named(v + i, j - i)) < 0) {
			eg_errbuf(err, errlen, "active-low: '%.*s' is not relay, door, door-open or "
			    "passage", (int)(j - i), v + i);
			return EG_ERR_INVAL;
		}
		s->lines.active_low[r] = true;
		i = j + 1;
	}
	return EG_OK;
}

/* One key=value of the option list. seen[] catches a key given twice. */
static int
parse_option(const char *k, size_t kn, const char *v, size_t vn, struct gate_spec *s,
    unsigned *seen, char *err, size_t errlen)
{
	static const char *const keys[] = { "relay", "door", "door-open", "passage", "chip",
		"channel", "active-low", "bias", "confirm", "debounce" };
	unsigned long x;
	size_t key = sizeof(keys) / sizeof(keys[0]);

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == kn && strncmp(keys[i], k, kn) == 0)
			key = i;
	if (key == sizeof(keys) / sizeof(keys[0])) {
		eg_errbuf(err, errlen, "unknown option '%.*s'", (int)kn, k);
		return EG_ERR_INVAL;
	}
	if (*seen & (1u << key)) {
		eg_errbuf(err, errlen, "'%s' given twice", keys[key]);
		return EG_ERR_INVAL;
	}
	*seen |= 1u << key;
	switch (key) {
	case 0: case 1: case 2: case 3: {
		int role = role_named(k, kn);

		if (role == GATE_LINE_RELAY && s->kind == GATE_KIND_HIDRELAY) {
			eg_errbuf(err, errlen, "%s", "relay=: a HID relay's relay is its channel=");
			return EG_ERR_INVAL;
		}
		if (!number(v, vn, 0, GATE_MAX_OFFSET, &x)) {
			eg_errbuf(err, errlen, "%s=%.*s: a line offset 0..%d", keys[key], (int)vn, v,
			    GATE_MAX_OFFSET);
			return EG_ERR_INVAL;
		}
		s->lines.offset[role] = (int)x;
		return EG_OK;
	}
	case 4:
		if (s->kind != GATE_KIND_HIDRELAY) {
			eg_errbuf(err, errlen, "%s", "chip=: the gpio gate's chip is gpio:CHIP:");
			return EG_ERR_INVAL;
		}
		if (vn == 0 || vn >= sizeof(s->chip)) {
			eg_errbuf(err, errlen, "%s", "chip=: a chip name, path, label or number");
			return EG_ERR_INVAL;
		}
		memcpy(s->chip, v, vn);
		s->chip[vn] = '\0';
		return EG_OK;
	case 5:
		if (s->kind != GATE_KIND_HIDRELAY || !number(v, vn, 1, HIDRELAY_MAX_CHANNELS, &x)) {
			eg_errbuf(err, errlen, "channel=%.*s: %s", (int)vn, v,
			    s->kind != GATE_KIND_HIDRELAY ? "only a HID relay has channels" : "1..8");
			return EG_ERR_INVAL;
		}
		s->channel = (unsigned)x;
		return EG_OK;
	case 6:
		return parse_active_low(v, vn, s, err, errlen);
	case 7:
		if (vn == 7 && strncmp(v, "pull-up", 7) == 0)
			s->lines.bias = GATE_BIAS_PULL_UP;
		else if (vn == 9 && strncmp(v, "pull-down", 9) == 0)
			s->lines.bias = GATE_BIAS_PULL_DOWN;
		else if (vn == 7 && strncmp(v, "disable", 7) == 0)
			s->lines.bias = GATE_BIAS_DISABLE;
		else {
			eg_errbuf(err, errlen, "bias=%.*s: pull-up, pull-down or disable", (int)vn, v);
			return EG_ERR_INVAL;
		}
		return EG_OK;
	case 8:
		if (!number(v, vn, GATE_CONFIRM_MIN, GATE_CONFIRM_MAX, &x)) {
			eg_errbuf(err, errlen, "confirm=%.*s: %u..%u ms", (int)vn, v, GATE_CONFIRM_MIN,
			    GATE_CONFIRM_MAX);
			return EG_ERR_INVAL;
		}
		s->confirm_ms = (unsigned)x;
		return EG_OK;
	default:
		if (!number(v, vn, 0, GATE_DEBOUNCE_MAX, &x)) {
			eg_errbuf(err, errlen, "debounce=%.*s: 0..%u ms", (int)vn, v, GATE_DEBOUNCE_MAX);
			return EG_ERR_INVAL;
		}
		s->debounce_ms = (unsigned)x;
		return EG_OK;
	}
}

/* What makes a spec whole: the lines it needs, no line twice, active-low
 * only for lines it has. */
static int
check_spec(struct gate_spec *s, char *err, size_t errlen)
{
	const int *o = s->lines.offset;

	if (s->kind == GATE_KIND_GPIO && (o[GATE_LINE_RELAY] < 0 || o[GATE_LINE_DOOR_CLOSED] < 0)) {
		eg_errbuf(err, errlen, "%s", "a gpio gate needs relay=N and door=M (the door-closed "
		    "sensor: without it nothing confirms the door)");
		return EG_ERR_INVAL;
	}
	if (o[GATE_LINE_DOOR_OPEN] >= 0 && o[GATE_LINE_DOOR_CLOSED] < 0) {
		eg_errbuf(err, errlen, "%s", "door-open= needs door= (the door-closed sensor)");
		return EG_ERR_INVAL;
	}
	if (s->kind == GATE_KIND_HIDRELAY) {
		bool sensors = o[GATE_LINE_DOOR_CLOSED] >= 0 || o[GATE_LINE_PASSAGE] >= 0;

		if (sensors && s->chip[0] == '\0') {
			eg_errbuf(err, errlen, "%s", "door=/passage= beside a HID relay need chip=CHIP "
			    "(the GPIO chip of the sensors)");
			return EG_ERR_INVAL;
		}
		if (!sensors && s->chip[0] != '\0') {
			eg_errbuf(err, errlen, "%s", "chip= without door= or passage=");
			return EG_ERR_INVAL;
		}
	}
	for (int a = 0; a < GATE_LINE_COUNT; a++) {
		if (o[a] < 0 && s->lines.active_low[a]) {
			eg_errbuf(err, errlen, "active-low=%s, but there is no %s line",
			    gate_line_role_str((enum gate_line_role)a),
			    gate_line_role_str((enum gate_line_role)a));
			return EG_ERR_INVAL;
		}
		for (int b = a + 1; b < GATE_LINE_COUNT; b++)
			if (o[a] >= 0 && o[a] == o[b]) {
				eg_errbuf(err, errlen, "line %d is both %s and %s", o[a],
				    gate_line_role_str((enum gate_line_role)a),
				    gate_line_role_str((enum gate_line_role)b));
				return EG_ERR_INVAL;
			}
	}
	return EG_OK;
}

int
gate_spec_parse(const char *spec, struct gate_spec *s, char *err, size_t errlen)
{
	const char *p, *end;
	unsigned seen = 0;
	int ret;

	if (s == NULL)
		return EG_ERR_INVAL;
	memset(s, 0, sizeof(*s));
	for (int r = 0; r < GATE_LINE_COUNT; r++)
		s->lines.offset[r] = -1;
	s->confirm_ms = GATE_CONFIRM_MS_DEFAULT;
	s->debounce_ms = GATE_DEBOUNCE_MS_DEFAULT;
	if (spec == NULL || !gate_backend_named(spec)) {
		eg_errbuf(err, errlen, "not a gate of this library (%s, %s)", GATE_USAGE_GPIO,
		    GATE_USAGE_HID);
		return EG_ERR_INVAL;
	}
	end = spec + strlen(spec);
	if (named(spec, "gpio")) {
		const char *c = spec + 4;

		s->kind = GATE_KIND_GPIO;
		if (*c != ':' || (p = strchr(c + 1, ':')) == NULL || p == c + 1 ||
		    (size_t)(p - c - 1) >= sizeof(s->chip)) {
			eg_errbuf(err, errlen, "%s", "expected " GATE_USAGE_GPIO);
			return EG_ERR_INVAL;
		}
		memcpy(s->chip, c + 1, (size_t)(p - c - 1));
		s->chip[p - c - 1] = '\0';
		p++;
	} else {
		s->kind = GATE_KIND_HIDRELAY;
		s->vid = HIDRELAY_VID;
		s->pid = HIDRELAY_PID;
		s->channel = 1;
		p = spec + 8;
		if (*p == ':') {
			const char *colon = strchr(p + 1, ':'), *stop;

			stop = colon != NULL ? colon + 1 + strcspn(colon + 1, ",") : NULL;
			if (colon == NULL || !hex16(p + 1, (size_t)(colon - p - 1), &s->vid) ||
			    !hex16(colon + 1, (size_t)(stop - colon - 1), &s->pid)) {
				eg_errbuf(err, errlen, "%s", "expected hidrelay:VID:PID, in hex "
				    "(hidrelay:16c0:05df)");
				return EG_ERR_INVAL;
			}
			p = stop;
		}
		if (*p == ',')
			p++;
		else if (*p != '\0') {
			eg_errbuf(err, errlen, "%s", "expected " GATE_USAGE_HID);
			return EG_ERR_INVAL;
		}
	}
	while (p < end) {
		const char *comma = p + strcspn(p, ","), *eq = memchr(p, '=', (size_t)(comma - p));

		if (eq == NULL) {
			eg_errbuf(err, errlen, "'%.*s': options are KEY=VALUE", (int)(comma - p), p);
			return EG_ERR_INVAL;
		}
		if ((ret = parse_option(p, (size_t)(eq - p), eq + 1, (size_t)(comma - eq - 1), s,
		    &seen, err, errlen)) != EG_OK)
			return ret;
		p = *comma == ',' ? comma + 1 : comma;
		if (*comma == ',' && p == end) {
			eg_errbuf(err, errlen, "%s", "a trailing ','");
			return EG_ERR_INVAL;
		}
	}
	return check_spec(s, err, errlen);
}

/* ---- opening ---------------------------------------------------------------------------------- */

int
gate_open(const char *spec, const struct gate_opts *o, struct gate **out, char *err, size_t errlen)
{
	static const struct gate_opts none = { 0 };
	struct gate_engine_cfg c;
	struct gate_spec s;
	char why[200] = "", desc[160];
	int ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (o == NULL)
		o = &none;
	if (spec == NULL || !gate_backend_named(spec)) {
		eg_errbuf(err, errlen, "gate '%.40s': unknown backend (this build takes %s, %s%s%s)",
		    spec != NULL ? spec : "", GATE_USAGE_GPIO, GATE_USAGE_HID,
		    o->extra_usage != NULL && o->extra_usage[0] ? ", " : "",
		    o->extra_usage != NULL ? o->extra_usage : "");
		return EG_ERR_INVAL;
	}
	if ((ret = gate_spec_parse(spec, &s, why, sizeof(why))) != EG_OK) {
		eg_errbuf(err, errlen, "gate '%.60s': %s", spec, why);
		return ret;
	}
	memset(&c, 0, sizeof(c));
	c.confirm_ms = s.confirm_ms;
	c.debounce_ms = s.debounce_ms;
	c.chip = s.chip;
	c.lines_cfg = s.lines;
	c.lines = o->lines != NULL ? o->lines : &gate_gpiod_ops;
	c.lines_self = o->lines_self;
	c.clock = o->clock != NULL ? o->clock : &gate_clock_monotonic;
	c.clock_self = o->clock_self;
	c.log = o->log;
	if (s.kind == GATE_KIND_GPIO) {
		snprintf(desc, sizeof(desc), "gpio:%.63s relay=%d door=%d", s.chip,
		    s.lines.offset[GATE_LINE_RELAY], s.lines.offset[GATE_LINE_DOOR_CLOSED]);
	} else {
		snprintf(desc, sizeof(desc), "hidrelay:%04x:%04x ch%u%s%.63s", s.vid, s.pid, s.channel,
		    s.chip[0] ? " sensors on " : "", s.chip);
		c.relay = &gate_hidrelay_ops;
		if ((ret = gate_hidrelay_new(s.vid, s.pid, s.channel, o->usb, o->log, &c.relay_ctx,
		    why, sizeof(why))) != EG_OK) {
			eg_errbuf(err, errlen, "%s", why[0] ? why : eg_err_name(ret));
			return ret;
		}
	}
	c.desc = desc;
	if ((ret = gate_engine_new(&c, out, why, sizeof(why))) != EG_OK)
		eg_errbuf(err, errlen, "%s: %s", desc, why[0] ? why : eg_err_name(ret));
	return ret;
}
