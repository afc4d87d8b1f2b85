/* SPDX-License-Identifier: Apache-2.0 */
/* gate_engine.c — the gate engine: the gate contract over GPIO lines and a
 * relay (see gate_engine.h, docs/gate.md). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "gate_engine.h"

#define GE_QUEUE 16

/* The engine's states. */
enum ge_state {
	GS_SHUT = 0,	/* relay off, door shut */
	GS_OPENING,	/* relay on, waiting for the door to open */
	GS_OPEN,	/* relay on, door open */
	GS_CLOSING,	/* relay off, waiting for the door to shut */
	GS_FAULT,	/* relay off; open() refused until reconnect() clears it */
	GS_GONE,	/* the hardware went away; every call EG_ERR_NO_DEVICE */
	GS_COUNT
};

/* What moves them: commands, the door's level, timeouts, faults. */
enum ge_input {
	GI_CMD_OPEN = 0,
	GI_CMD_CLOSE,
	GI_DOOR_CLOSED,		/* the door reads shut */
	GI_DOOR_AJAR,		/* neither shut nor fully open (with a door-open switch) */
	GI_DOOR_OPEN,		/* the door reads open */
	GI_CONFIRM_TIMEOUT,	/* the door did not follow the relay within confirm_ms */
	GI_IMPOSSIBLE,		/* the sensors contradict each other */
	GI_RELAY_MISMATCH,	/* the relay's read-back is not what it was told */
	GI_HW_ERROR,		/* a line or the relay failed (not gone) */
	GI_LOST,		/* the hardware is gone */
	GI_RECOVERED,		/* reconnect(): back, shut, consistent */
	GI_COUNT
};

/* The door as the sensors (or the relay's read-back) say. */
enum ge_level { GL_NONE = 0, GL_CLOSED, GL_AJAR, GL_OPEN };

struct ge_in {
	bool present;
	bool stable;		/* the debounced level */
	bool raw;		/* the last level read */
	uint64_t since;		/* when raw last moved */
};

struct gate {
	struct gate_engine_cfg c;
	char desc[160];
	char chip[64];
	void *lctx;			/* the lines, when c.chip[0] */
	enum ge_state state;
	struct ge_in in[GATE_LINE_COUNT];
	bool relay_cmd;			/* what the relay was last told */
	bool relay_rb;			/* its read-back (when it has one) */
	bool rb_known;
	uint64_t relay_window;		/* the read-back may differ until then */
	uint64_t next_poll;		/* next read of the read-back */
	uint64_t confirm_at;		/* OPENING / CLOSING deadline; 0 none */
	enum ge_level level;		/* the door's level last fed */
	bool in_passage;		/* the passage sensor saw someone */
	/* FAULT */
	char fault[64];
	bool latched;			/* cleared only by a door seen moving */
	bool moved;
	/* the reason for the next fault fed (set before feeding) */
	char why[64];
	int cmd_ret;			/* result of the command being fed */
	struct gate_event q[GE_QUEUE];
	size_t qn, qhead;
	unsigned dropped;
};

static const char *
state_str(enum ge_state s)
{
	static const char *const n[GS_COUNT] = { "SHUT", "OPENING", "OPEN", "CLOSING", "FAULT",
		"GONE" };

	return (unsigned)s < GS_COUNT ? n[s] : "?";
}

static const char *
state_help(enum ge_state s)
{
	static const char *const n[GS_COUNT] = {
		"relay off, the door reads shut",
		"relay on (open() done), waiting for the door sensor to read open",
		"relay on, the door reads open: the traveller may pass",
		"relay off (close() done), waiting for the door sensor to read shut",
		("relay driven off; open() refused (EG_ERR_DEVICE) until reconnect() finds the gate "
		    "shut and consistent"),
		"the chip or the board went away; every call EG_ERR_NO_DEVICE until reconnect()",
	};

	return (unsigned)s < GS_COUNT ? n[s] : "?";
}

static const char *
input_str(enum ge_input i)
{
	static const char *const n[GI_COUNT] = { "CMD_OPEN", "CMD_CLOSE", "DOOR_CLOSED",
		"DOOR_AJAR", "DOOR_OPEN", "CONFIRM_TIMEOUT", "IMPOSSIBLE", "RELAY_MISMATCH",
		"HW_ERROR", "LOST", "RECOVERED" };

	return (unsigned)i < GI_COUNT ? n[i] : "?";
}

static const char *
input_help(enum ge_input i)
{
	static const char *const n[GI_COUNT] = {
		"the kiosk calls open()",
		"the kiosk calls close()",
		"the door sensor reads shut (debounced; without a door sensor: the relay reads off)",
		"the door left the shut position but the door-open switch is not reached",
		("the door reads open (the door-open switch, or the door-closed sensor released; "
		    "without a door sensor: the relay reads on)"),
		"the door did not follow the relay within confirm=MS",
		"the sensors contradict each other (door shut and fully open at once)",
		"the relay's read-back is not what it was told, outside the confirm window",
		"a line or the relay answered with an error (not unplugged)",
		"the chip or the board is gone (EG_ERR_NO_DEVICE)",
		"reconnect(): the hardware answers, the relay is off, the door reads shut",
	};

	return (unsigned)i < GI_COUNT ? n[i] : "?";
}

/* ---- events to the kiosk ------------------------------------------------------------------ */

static void
push(struct gate *g, enum gate_event_type t, const char *detail)
{
	struct gate_event *e;

	if (g->qhead == g->qn)
		g->qhead = g->qn = 0;
	if (g->qn == GE_QUEUE) {
		g->dropped++;
		return;
	}
	e = &g->q[g->qn++];
	memset(e, 0, sizeof(*e));
	e->type = t;
	snprintf(e->detail, sizeof(e->detail), "%s", detail != NULL ? detail : "");
}

static uint64_t
now(const struct gate *g)
{
	return g->c.clock->now_ms(g->c.clock_self);
}

static void
set_why(struct gate *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_why(struct gate *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
}

/* ---- the relay ------------------------------------------------------------------------------ */

static void feed(struct gate *g, enum ge_input in);

static bool
has_door_sensor(const struct gate *g)
{
	return g->in[GATE_LINE_DOOR_CLOSED].present;
}

/* Switch the relay; a failure is fed as LOST or HW_ERROR (by the caller's
 * table row, after this returns: *fail says which). */
static int
relay_drive(struct gate *g, bool on)
{
	char why[64] = "";
	int ret;

	if (g->c.relay != NULL)
		ret = g->c.relay->set(g->c.relay_ctx, on, why, sizeof(why));
	else
		ret = g->c.lines->set(g->lctx, GATE_LINE_RELAY, on);
	g->relay_cmd = on;
	g->relay_window = now(g) + g->c.confirm_ms;
	g->next_poll = 0;		/* read it back at once */
	if (ret != EG_OK && ret != EG_ERR_NO_DEVICE)
		set_why(g, "relay refused '%s': %s", on ? "on" : "off", why[0] ? why :
		    eg_err_name(ret));
	EG_LOG(g->c.log, ret == EG_OK ? EG_LOG_DEBUG : EG_LOG_ERROR, "gate.relay",
	    EG_STR("gate", g->desc), EG_STR("to", on ? "on" : "off"), EG_ERRF(ret),
	    EG_STR("why", why));
	return ret;
}

/* ---- the table's actions -------------------------------------------------------------------- */

typedef void (*ge_action)(struct gate *g, enum ge_input in);
typedef bool (*ge_guard)(const struct gate *g);

static void
fail_command(struct gate *g, int ret)
{
	g->cmd_ret = ret == EG_ERR_NO_DEVICE ? EG_ERR_NO_DEVICE : EG_ERR_DEVICE;
}

static void
a_relay_on(struct gate *g, enum ge_input in)
{
	int ret;

	(void)in;
	if ((ret = relay_drive(g, true)) != EG_OK) {
		fail_command(g, ret);
		return;
	}
	g->confirm_at = now(g) + g->c.confirm_ms;
}

static void
a_relay_off(struct gate *g, enum ge_input in)
{
	int ret;

	(void)in;
	g->confirm_at = 0;
	if ((ret = relay_drive(g, false)) != EG_OK)
		fail_command(g, ret);
}

static void
a_relay_off_confirm(struct gate *g, enum ge_input in)
{
	a_relay_off(g, in);
	if (g->cmd_ret == EG_OK)
		g->confirm_at = now(g) + g->c.confirm_ms;
}

static void
a_opened(struct gate *g, enum ge_input in)
{
	(void)in;
	g->confirm_at = 0;
	push(g, GATE_EV_DOOR_OPENED, has_door_sensor(g) ? "" : "relay read-back (no door sensor)");
}

static void
a_closed(struct gate *g, enum ge_input in)
{
	(void)in;
	g->confirm_at = 0;
	push(g, GATE_EV_DOOR_CLOSED, has_door_sensor(g) ? "" : "relay read-back (no door sensor)");
}

/* The door shut while the relay was on: the gate's controller closed it by
 * itself (its own hold time). Follow it: relay off, report the door. */
static void
a_closed_by_itself(struct gate *g, enum ge_input in)
{
	(void)in;
	(void)relay_drive(g, false);
	g->confirm_at = 0;
	push(g, GATE_EV_DOOR_CLOSED, "the door shut by itself");
}

static void
a_fault(struct gate *g, enum ge_input in)
{
	int ret;

	switch (in) {
	case GI_DOOR_AJAR: case GI_DOOR_OPEN:
		set_why(g, "%s", has_door_sensor(g) ? "door opened with the relay off" :
		    "relay reads on, commanded off");
		break;
	case GI_CONFIRM_TIMEOUT:
		if (!has_door_sensor(g))
			set_why(g, "relay did not confirm '%s' in %u ms",
			    g->state == GS_OPENING ? "on" : "off", g->c.confirm_ms);
		else if (g->state == GS_OPENING)
			set_why(g, "relay on, door still shut after %u ms", g->c.confirm_ms);
		else
			set_why(g, "relay off, door still open after %u ms", g->c.confirm_ms);
		break;
	default:
		if (g->why[0] == '\0')
			set_why(g, "%s", input_str(in));
		break;
	}
	snprintf(g->fault, sizeof(g->fault), "%s", g->why);
	/* fail closed: whatever happened, the relay goes off */
	g->confirm_at = 0;
	ret = relay_drive(g, false);
	/* a door that did not follow its relay (or, on a board without a door
	 * sensor, a relay whose read-back did not follow its command) stays out
	 * of service until it is seen moving (by hand, after a repair), the
	 * board is unplugged and comes back, or the kiosk restarts */
	g->latched = in == GI_CONFIRM_TIMEOUT;
	g->moved = false;
	push(g, GATE_EV_FAULT, g->fault);
	EG_LOG(g->c.log, EG_LOG_ERROR, "gate.fault", EG_STR("gate", g->desc),
	    EG_STR("event", input_str(in)), EG_STR("detail", g->fault),
	    EG_BOOL("latched", g->latched), EG_STR("relay_off", eg_err_name(ret)));
}

static void
a_lost(struct gate *g, enum ge_input in)
{
	(void)in;
	g->confirm_at = 0;
	g->qn = g->qhead = 0;
	g->rb_known = false;
	EG_LOG(g->c.log, EG_LOG_ERROR, "gate.lost", EG_STR("gate", g->desc));
}

static void
a_recovered(struct gate *g, enum ge_input in)
{
	(void)in;
	g->fault[0] = '\0';
	g->latched = g->moved = false;
	g->confirm_at = 0;
	g->qn = g->qhead = 0;
	EG_LOG(g->c.log, EG_LOG_NOTICE, "gate.back", EG_STR("gate", g->desc));
}

static void
a_none(struct gate *g, enum ge_input in)
{
	(void)g;
	(void)in;
}

static bool
g_door_shut(const struct gate *g)
{
	return g->level == GL_CLOSED;
}

/* A latched fault clears only after the door was seen moving. */
static bool
g_clearable(const struct gate *g)
{
	return !g->latched || g->moved;
}

struct ge_row {
	enum ge_state from;
	enum ge_input in;
	ge_guard guard;
	const char *guard_name;
	ge_action action;
	const char *action_name;
	enum ge_state to;
};

#define T(from, in, guard, action, to) \
	{ GS_##from, GI_##in, guard, #guard, action, #action, GS_##to }
#define E(from, in, action, to) \
	{ GS_##from, GI_##in, NULL, NULL, action, #action, GS_##to }
/* rows for every state but FAULT and GONE */
#define LIVE(in, action, to) \
	E(SHUT, in, action, to), E(OPENING, in, action, to), E(OPEN, in, action, to), \
	E(CLOSING, in, action, to)

/* The first row whose state and input match and whose guard holds fires;
 * an input with no row in a state changes nothing. */
static const struct ge_row table[] = {
	E(SHUT,    CMD_OPEN,        a_relay_on,          OPENING),
	E(SHUT,    CMD_CLOSE,       a_relay_off,         SHUT),
	E(SHUT,    DOOR_AJAR,       a_fault,             FAULT),
	E(SHUT,    DOOR_OPEN,       a_fault,             FAULT),

	E(OPENING, DOOR_OPEN,       a_opened,            OPEN),
	T(OPENING, CMD_CLOSE,       g_door_shut,         a_relay_off,        SHUT),
	E(OPENING, CMD_CLOSE,       a_relay_off_confirm, CLOSING),
	E(OPENING, CONFIRM_TIMEOUT, a_fault,             FAULT),

	E(OPEN,    CMD_CLOSE,       a_relay_off_confirm, CLOSING),
	E(OPEN,    DOOR_CLOSED,     a_closed_by_itself,  SHUT),

	E(CLOSING, DOOR_CLOSED,     a_closed,            SHUT),
	E(CLOSING, CMD_OPEN,        a_relay_on,          OPENING),
	E(CLOSING, CONFIRM_TIMEOUT, a_fault,             FAULT),

	LIVE(IMPOSSIBLE,    a_fault, FAULT),
	LIVE(RELAY_MISMATCH, a_fault, FAULT),
	LIVE(HW_ERROR,      a_fault, FAULT),
	LIVE(LOST,          a_lost,  GONE),

	E(FAULT,   CMD_CLOSE,       a_relay_off,         FAULT),
	T(FAULT,   RECOVERED,       g_clearable,         a_recovered,        SHUT),
	E(FAULT,   LOST,            a_lost,              GONE),
	E(FAULT,   HW_ERROR,        a_none,              FAULT),

	E(GONE,    RECOVERED,       a_recovered,         SHUT),
	E(GONE,    HW_ERROR,        a_fault,             FAULT),
};
#undef T
#undef E
#undef LIVE

static void
feed(struct gate *g, enum ge_input in)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct ge_row *r = &table[i];
		enum ge_state from = g->state;
		int outer = g->cmd_ret, ar;

		if (r->from != g->state || r->in != in || (r->guard != NULL && !r->guard(g)))
			continue;
		g->cmd_ret = EG_OK;
		r->action(g, in);
		ar = g->cmd_ret;
		g->cmd_ret = outer != EG_OK ? outer : ar;
		g->state = r->to;
		/* an action that could not switch the relay overrides the row's
		 * target: gone, or a fault (fail closed) */
		if (ar == EG_ERR_NO_DEVICE && g->state != GS_GONE) {
			g->state = GS_GONE;
			g->confirm_at = 0;
			g->qn = g->qhead = 0;
			EG_LOG(g->c.log, EG_LOG_ERROR, "gate.lost", EG_STR("gate", g->desc));
		} else if (ar == EG_ERR_DEVICE && g->state != GS_FAULT) {
			g->state = GS_FAULT;
			g->confirm_at = 0;
			g->latched = g->moved = false;
			snprintf(g->fault, sizeof(g->fault), "%s", g->why[0] ? g->why : input_str(in));
			push(g, GATE_EV_FAULT, g->fault);
			(void)relay_drive(g, false);
			EG_LOG(g->c.log, EG_LOG_ERROR, "gate.fault", EG_STR("gate", g->desc),
			    EG_STR("event", input_str(in)), EG_STR("detail", g->fault));
		}
		EG_LOG(g->c.log, EG_LOG_INFO, "gate.transition", EG_STR("gate", g->desc),
		    EG_STR("from", state_str(from)), EG_STR("event", input_str(in)),
		    EG_STR("guard", r->guard_name != NULL ? r->guard_name : ""),
		    EG_STR("action", r->action_name), EG_STR("to", state_str(g->state)));
		g->why[0] = '\0';
		return;
	}
	g->why[0] = '\0';
}

/* ---- the sensors ------------------------------------------------------------------------------ */

/* The door's level from the debounced door sensors, or from the relay's
 * read-back when there is no door sensor. */
static enum ge_level
door_level(const struct gate *g, bool *impossible)
{
	const struct ge_in *c = &g->in[GATE_LINE_DOOR_CLOSED], *o = &g->in[GATE_LINE_DOOR_OPEN];

	*impossible = false;
	if (!c->present)
		return !g->rb_known ? GL_NONE : g->relay_rb ? GL_OPEN : GL_CLOSED;
	if (o->present && c->stable && o->stable) {
		*impossible = true;
		return GL_NONE;
	}
	if (c->stable)
		return GL_CLOSED;
	if (o->present && !o->stable)
		return GL_AJAR;
	return GL_OPEN;
}

/* Feed the door's level when it changed (or always with force). */
static void
feed_door(struct gate *g, bool force)
{
	bool impossible;
	enum ge_level l = door_level(g, &impossible);

	if (impossible) {
		if (g->level != GL_NONE || force) {
			g->level = GL_NONE;
			set_why(g, "%s", "door sensors read shut and open at once");
			feed(g, GI_IMPOSSIBLE);
		}
		return;
	}
	if (l == GL_NONE || (l == g->level && !force))
		return;
	if (l != g->level && g->state == GS_FAULT)
		g->moved = true;
	g->level = l;
	feed(g, l == GL_CLOSED ? GI_DOOR_CLOSED : l == GL_AJAR ? GI_DOOR_AJAR : GI_DOOR_OPEN);
}

static void
passage_settled(struct gate *g, bool active)
{
	if (active) {
		g->in_passage = true;
		return;
	}
	if (!g->in_passage)
		return;
	g->in_passage = false;
	if (g->level == GL_CLOSED) {
		EG_LOG(g->c.log, EG_LOG_WARN, "gate.forced_passage", EG_STR("gate", g->desc),
		    EG_STR("state", state_str(g->state)));
		push(g, GATE_EV_PASSED, "the door was shut: forced passage");
		return;
	}
	push(g, GATE_EV_PASSED, "");
}

/* A line error: gone, or a hardware fault. */
static void
line_error(struct gate *g, int ret, const char *what)
{
	if (ret == EG_ERR_NO_DEVICE) {
		feed(g, GI_LOST);
		return;
	}
	set_why(g, "gpio %s: %s", what, eg_err_name(ret));
	feed(g, GI_HW_ERROR);
}

static void commit(struct gate *g, enum gate_line_role r, bool *door_moved);

/* An edge: what the line held before it counts if it was steady for the
 * debounce time up to the edge; then the new level starts its own. */
static void
edge(struct gate *g, const struct gate_line_edge *e, uint64_t t)
{
	struct ge_in *in;
	uint64_t at = e->at_ms;
	bool door_moved = false;

	if ((unsigned)e->role >= GATE_LINE_COUNT || e->role == GATE_LINE_RELAY ||
	    !(in = &g->in[e->role])->present)
		return;
	/* a kernel that stamps edges with another clock: the time read */
	if (at > t || t - at > 10000u || at < in->since)
		at = t;
	if (in->raw != in->stable && at - in->since >= g->c.debounce_ms)
		commit(g, e->role, &door_moved);
	if (door_moved)
		feed_door(g, false);
	/* a door seen moving after a fault is evidence someone worked on it */
	if (g->state == GS_FAULT && e->role != GATE_LINE_PASSAGE)
		g->moved = true;
	in->raw = e->active;
	in->since = at;
}

/* A lost edge (the kernel's queue overflowed): the line read now wins. */
static void
resync(struct gate *g)
{
	uint64_t t = now(g);

	for (int r = GATE_LINE_DOOR_CLOSED; r < GATE_LINE_COUNT && g->state != GS_GONE; r++) {
		bool v;
		int ret;

		if (!g->in[r].present)
			continue;
		if ((ret = g->c.lines->get(g->lctx, (enum gate_line_role)r, &v)) != EG_OK) {
			line_error(g, ret, gate_line_role_str((enum gate_line_role)r));
			return;
		}
		if (v != g->in[r].raw) {
			g->in[r].raw = v;
			g->in[r].since = t;
		}
	}
}

static void
read_relay(struct gate *g, uint64_t t)
{
	char why[64] = "";
	bool on = false;
	int ret = g->c.relay->read(g->c.relay_ctx, &on, why, sizeof(why));

	g->next_poll = t + g->c.poll_ms;
	if (ret == EG_ERR_NO_DEVICE) {
		feed(g, GI_LOST);
		return;
	}
	if (ret != EG_OK) {
		set_why(g, "relay read-back: %s", why[0] ? why : eg_err_name(ret));
		feed(g, GI_HW_ERROR);
		return;
	}
	g->relay_rb = on;
	g->rb_known = true;
	if (!has_door_sensor(g))
		feed_door(g, false);
	if (g->state != GS_GONE && g->state != GS_FAULT && on != g->relay_cmd &&
	    t >= g->relay_window && g->confirm_at == 0) {
		set_why(g, "relay reads %s, commanded %s", on ? "on" : "off",
		    g->relay_cmd ? "on" : "off");
		feed(g, GI_RELAY_MISMATCH);
	}
}

/* A level that held for the debounce time becomes the line's level. */
static void
commit(struct gate *g, enum gate_line_role r, bool *door_moved)
{
	struct ge_in *in = &g->in[r];

	in->stable = in->raw;
	if (r == GATE_LINE_PASSAGE)
		passage_settled(g, in->stable);
	else
		*door_moved = true;
}

/* Everything due at time t: debounced levels, the relay's read-back, the
 * confirm deadline. */
static void
settle(struct gate *g, uint64_t t)
{
	bool door_moved = false;

	for (int r = GATE_LINE_DOOR_CLOSED; r < GATE_LINE_COUNT && g->state != GS_GONE; r++) {
		struct ge_in *in = &g->in[r];

		if (in->present && in->raw != in->stable && t - in->since >= g->c.debounce_ms)
			commit(g, (enum gate_line_role)r, &door_moved);
	}
	if (door_moved && g->state != GS_GONE)
		feed_door(g, false);
	if (g->c.relay != NULL && g->c.relay->read != NULL && g->state != GS_GONE &&
	    t >= g->next_poll)
		read_relay(g, t);
	if (g->confirm_at != 0 && t >= g->confirm_at && g->state != GS_GONE) {
		g->confirm_at = 0;
		feed(g, GI_CONFIRM_TIMEOUT);
	}
}

/* When something next falls due after t (or until). */
static uint64_t
next_due(const struct gate *g, uint64_t until)
{
	uint64_t w = until;

	for (int r = GATE_LINE_DOOR_CLOSED; r < GATE_LINE_COUNT; r++) {
		const struct ge_in *in = &g->in[r];

		if (in->present && in->raw != in->stable && in->since + g->c.debounce_ms < w)
			w = in->since + g->c.debounce_ms;
	}
	if (g->confirm_at != 0 && g->confirm_at < w)
		w = g->confirm_at;
	if (g->c.relay != NULL && g->c.relay->read != NULL && g->next_poll < w)
		w = g->next_poll;
	return w;
}

/*
 * Work until an event is queued or the clock reaches until: EG_OK (an
 * event waits), EG_ERR_TIMEOUT, EG_ERR_NO_DEVICE. until <= now: only what is
 * pending.
 */
static int
pump(struct gate *g, uint64_t until)
{
	for (;;) {
		uint64_t t = now(g), w;
		struct gate_line_edge e;
		int ret;

		settle(g, t);
		if (g->state == GS_GONE)
			return EG_ERR_NO_DEVICE;
		if (g->qhead < g->qn)
			return EG_OK;
		w = next_due(g, until);
		if (g->lctx != NULL) {
			/* also with nothing to wait for: take the edges pending */
			memset(&e, 0, sizeof(e));
			ret = g->c.lines->wait(g->lctx, w > t ? (unsigned)(w - t) : 0, &e);
			if (ret == EG_OK) {
				edge(g, &e, now(g));
				continue;
			}
			if (ret != EG_ERR_TIMEOUT) {
				line_error(g, ret, "wait");
				if (g->state == GS_GONE)
					return EG_ERR_NO_DEVICE;
				if (g->qhead < g->qn)
					return EG_OK;
				/* a chip that keeps failing: do not spin */
				if (w > t)
					g->c.clock->sleep_ms(g->c.clock_self, (unsigned)(w - t));
			}
		} else if (w > t) {
			g->c.clock->sleep_ms(g->c.clock_self, (unsigned)(w - t));
		}
		if (w >= until && now(g) >= until) {
			settle(g, now(g));
			if (g->state == GS_GONE)
				return EG_ERR_NO_DEVICE;
			return g->qhead < g->qn ? EG_OK : EG_ERR_TIMEOUT;
		}
	}
}

/* ---- opening: read everything once ------------------------------------------------------------ */

/* Read every input as it is (no debounce: it is the starting level) and the
 * relay's read-back; then the door's level. EG_OK, EG_ERR_NO_DEVICE, or
 * EG_ERR_DEVICE with g->why. */
static int
read_all(struct gate *g)
{
	uint64_t t = now(g);
	char why[64] = "";
	bool impossible;
	int ret;

	for (int r = GATE_LINE_DOOR_CLOSED; r < GATE_LINE_COUNT; r++) {
		bool v;

		if (!g->in[r].present)
			continue;
		if ((ret = g->c.lines->get(g->lctx, (enum gate_line_role)r, &v)) != EG_OK) {
			set_why(g, "gpio %s: %s", gate_line_role_str((enum gate_line_role)r),
			    eg_err_name(ret));
			return ret == EG_ERR_NO_DEVICE ? ret : EG_ERR_DEVICE;
		}
		g->in[r].raw = g->in[r].stable = v;
		g->in[r].since = t;
	}
	g->in_passage = g->in[GATE_LINE_PASSAGE].present && g->in[GATE_LINE_PASSAGE].stable;
	g->rb_known = false;
	if (g->c.relay != NULL && g->c.relay->read != NULL) {
		if ((ret = g->c.relay->read(g->c.relay_ctx, &g->relay_rb, why, sizeof(why))) != EG_OK) {
			set_why(g, "relay read-back: %s", why[0] ? why : eg_err_name(ret));
			return ret == EG_ERR_NO_DEVICE ? ret : EG_ERR_DEVICE;
		}
		g->rb_known = true;
		g->next_poll = t + g->c.poll_ms;
		if (g->relay_rb) {
			set_why(g, "%s", "relay reads on after 'off'");
			return EG_ERR_DEVICE;
		}
	}
	g->level = door_level(g, &impossible);
	if (impossible) {
		set_why(g, "%s", "door sensors read shut and open at once");
		return EG_ERR_DEVICE;
	}
	if (g->level != GL_CLOSED) {
		set_why(g, "%s", "door reads open with the relay off");
		return EG_ERR_DEVICE;
	}
	return EG_OK;
}

/* Open the lines and the relay's device (again), relay off, read all. */
static int
bring_up(struct gate *g, bool reopen, char *err, size_t errlen)
{
	char why[128] = "";
	int ret;

	if (reopen) {
		if (g->lctx != NULL) {
			g->c.lines->close(g->lctx);
			g->lctx = NULL;
		}
		if (g->c.relay != NULL && (ret = g->c.relay->reopen(g->c.relay_ctx, why,
		    sizeof(why))) != EG_OK) {
			eg_errbuf(err, errlen, "%s", why[0] ? why : eg_err_name(ret));
			return ret;
		}
	}
	if (g->chip[0] != '\0' && (ret = g->c.lines->open(g->c.lines_self, g->chip,
	    &g->c.lines_cfg, &g->lctx, why, sizeof(why))) != EG_OK) {
		g->lctx = NULL;
		eg_errbuf(err, errlen, "%s", why[0] ? why : eg_err_name(ret));
		return ret;
	}
	if ((ret = relay_drive(g, false)) != EG_OK) {
		eg_errbuf(err, errlen, "%s", g->why[0] ? g->why : eg_err_name(ret));
		g->why[0] = '\0';
		return ret == EG_ERR_NO_DEVICE ? ret : EG_ERR_DEVICE;
	}
	g->relay_window = 0;	/* "off" is read back at once, no window */
	if ((ret = read_all(g)) != EG_OK) {
		eg_errbuf(err, errlen, "%s", g->why);
		g->why[0] = '\0';
		return ret;
	}
	g->why[0] = '\0';
	return EG_OK;
}

/* ---- the gate contract ------------------------------------------------------------------------- */

static int
ge_open(void *ctx)
{
	struct gate *g = ctx;

	if (g->state == GS_GONE || pump(g, 0) == EG_ERR_NO_DEVICE)
		return EG_ERR_NO_DEVICE;
	if (g->state == GS_FAULT)
		return EG_ERR_DEVICE;	/* never opens on a fault */
	/* what happened before the command is not this passage's */
	for (size_t i = g->qhead; i < g->qn; i++)
		EG_LOG(g->c.log, EG_LOG_NOTICE, "gate.event_dropped", EG_STR("gate", g->desc),
		    EG_UINT("type", g->q[i].type), EG_STR("detail", g->q[i].detail));
	g->qn = g->qhead = 0;
	g->cmd_ret = EG_OK;
	feed(g, GI_CMD_OPEN);
	if (g->cmd_ret == EG_OK)
		feed_door(g, true);	/* the door may already be open (closing, reopened) */
	return g->cmd_ret;
}

static int
ge_close(void *ctx)
{
	struct gate *g = ctx;

	if (g->state == GS_GONE || pump(g, 0) == EG_ERR_NO_DEVICE)
		return EG_ERR_NO_DEVICE;
	g->cmd_ret = EG_OK;
	feed(g, GI_CMD_CLOSE);
	if (g->cmd_ret == EG_OK && g->state != GS_FAULT)
		feed_door(g, true);	/* a door already shut: no event, SHUT */
	return g->cmd_ret;
}

static int
ge_wait_event(void *ctx, unsigned timeout_ms, struct gate_event *ev)
{
	struct gate *g = ctx;
	int ret;

	if (g->state == GS_GONE)
		return EG_ERR_NO_DEVICE;
	if ((ret = pump(g, now(g) + timeout_ms)) != EG_OK)
		return ret;
	*ev = g->q[g->qhead++];
	return EG_OK;
}

static int
ge_status(void *ctx, struct gate_status *st)
{
	struct gate *g = ctx;
	const char *d;

	memset(st, 0, sizeof(*st));
	if (g->state != GS_GONE && g->lctx != NULL && pump(g, 0) != EG_ERR_NO_DEVICE)
		resync(g);
	if (g->state == GS_GONE || pump(g, 0) == EG_ERR_NO_DEVICE) {
		snprintf(st->detail, sizeof(st->detail), "%s", "gate gone");
		return EG_ERR_NO_DEVICE;
	}
	st->door = g->level == GL_CLOSED ? GATE_DOOR_CLOSED : g->level == GL_NONE ?
	    GATE_DOOR_UNKNOWN : GATE_DOOR_OPEN;
	st->commanded_open = g->relay_cmd;
	if (g->state == GS_FAULT) {
		snprintf(st->detail, sizeof(st->detail), "%s", g->fault);
		return EG_ERR_DEVICE;
	}
	d = g->c.relay != NULL && g->c.relay->detail != NULL ? g->c.relay->detail(g->c.relay_ctx) :
	    NULL;
	if (d != NULL && !has_door_sensor(g))
		snprintf(st->detail, sizeof(st->detail), "%s", d);
	return EG_OK;
}

static int
ge_reconnect(void *ctx)
{
	struct gate *g = ctx;
	char err[128] = "";
	int ret;

	if (g->state == GS_GONE) {
		if ((ret = bring_up(g, true, err, sizeof(err))) != EG_OK) {
			EG_LOG(g->c.log, EG_LOG_DEBUG, "gate.reconnect", EG_STR("gate", g->desc),
			    EG_ERRF(ret), EG_STR("why", err));
			if (ret == EG_ERR_DEVICE) {
				/* back, but not in a state to serve: a fault */
				set_why(g, "%s", err);
				feed(g, GI_HW_ERROR);
			}
			return ret == EG_ERR_NOT_FOUND ? EG_ERR_NO_DEVICE : ret;
		}
		g->in_passage = false;
		feed(g, GI_RECOVERED);
		return EG_OK;
	}
	if (pump(g, 0) == EG_ERR_NO_DEVICE)
		return EG_ERR_NO_DEVICE;
	if (g->state != GS_FAULT)
		return EG_OK;
	/* a fault: back when the relay is off and the door reads shut */
	if ((ret = relay_drive(g, false)) != EG_OK) {
		if (ret == EG_ERR_NO_DEVICE)
			feed(g, GI_LOST);
		return ret == EG_ERR_NO_DEVICE ? ret : EG_ERR_DEVICE;
	}
	g->relay_window = 0;
	if ((ret = read_all(g)) != EG_OK) {
		EG_LOG(g->c.log, EG_LOG_DEBUG, "gate.reconnect", EG_STR("gate", g->desc),
		    EG_ERRF(ret), EG_STR("why", g->why));
		g->why[0] = '\0';
		if (ret == EG_ERR_NO_DEVICE)
			feed(g, GI_LOST);
		return ret;
	}
	feed(g, GI_RECOVERED);
	if (g->state == GS_FAULT) {
		EG_LOG(g->c.log, EG_LOG_DEBUG, "gate.reconnect", EG_STR("gate", g->desc),
		    EG_STR("why", "latched: the door (or a board's read-back) has not moved since the fault"));
		return EG_ERR_DEVICE;
	}
	return EG_OK;
}

static const struct gate_ops gate_engine_ops = {
	.name = "gate",
	.open = ge_open,
	.close = ge_close,
	.wait_event = ge_wait_event,
	.status = ge_status,
	.reconnect = ge_reconnect,
};

/* ---- life ---------------------------------------------------------------------------------------- */

int
gate_engine_new(const struct gate_engine_cfg *c, struct gate **out, char *err, size_t errlen)
{
	struct gate *g = NULL;
	int ret = EG_ERR_INVAL;

	*out = NULL;
	if (c->clock == NULL || (c->chip != NULL && c->chip[0] != '\0' && c->lines == NULL) ||
	    (c->relay == NULL && (c->chip == NULL || c->chip[0] == '\0' ||
	    c->lines_cfg.offset[GATE_LINE_RELAY] < 0)))
		goto out;
	ret = EG_ERR_NOMEM;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		goto out;
	g->c = *c;
	g->c.desc = NULL;
	g->c.chip = NULL;
	snprintf(g->desc, sizeof(g->desc), "%s", c->desc != NULL ? c->desc : "gate");
	snprintf(g->chip, sizeof(g->chip), "%s", c->chip != NULL ? c->chip : "");
	if (g->c.poll_ms == 0)
		g->c.poll_ms = GATE_POLL_MS_DEFAULT;
	for (int r = GATE_LINE_DOOR_CLOSED; r < GATE_LINE_COUNT; r++)
		g->in[r].present = g->chip[0] != '\0' && c->lines_cfg.offset[r] >= 0;
	g->state = GS_SHUT;
	if ((ret = bring_up(g, false, err, errlen)) != EG_OK)
		goto out;
	EG_LOG(g->c.log, EG_LOG_INFO, "gate.ready", EG_STR("gate", g->desc),
	    EG_STR("door", has_door_sensor(g) ? "sensor" : "relay read-back"),
	    EG_BOOL("passage_sensor", g->in[GATE_LINE_PASSAGE].present),
	    EG_UINT("confirm_ms", g->c.confirm_ms), EG_UINT("debounce_ms", g->c.debounce_ms));
	*out = g;
	g = NULL;
	ret = EG_OK;
out:
	if (g != NULL) {
		g->c.relay_ctx = c->relay_ctx;
		gate_free(&g);
	} else if (ret != EG_OK && c->relay != NULL && c->relay_ctx != NULL) {
		c->relay->close(c->relay_ctx);
	}
	return ret;
}

void
gate_free(struct gate **pg)
{
	struct gate *g;

	if (pg == NULL || (g = *pg) == NULL)
		return;
	/* shut before letting go (best effort: it may be gone) */
	if (g->state != GS_GONE) {
		if (g->c.relay != NULL)
			(void)g->c.relay->set(g->c.relay_ctx, false, NULL, 0);
		else if (g->lctx != NULL)
			(void)g->c.lines->set(g->lctx, GATE_LINE_RELAY, false);
	}
	if (g->lctx != NULL)
		g->c.lines->close(g->lctx);
	if (g->c.relay != NULL && g->c.relay_ctx != NULL)
		g->c.relay->close(g->c.relay_ctx);
	free(g);
	*pg = NULL;
}

const struct gate_ops *
gate_get_ops(const struct gate *g)
{
	(void)g;
	return &gate_engine_ops;
}

const char *
gate_desc(const struct gate *g)
{
	return g->desc;
}

/* ---- the table as Markdown -------------------------------------------------------------------------- */

/* "g_door_shut" -> "door shut" */
static void
pretty(const char *name, char *out, size_t cap)
{
	size_t n = 0;

	if (strncmp(name, "g_", 2) == 0 || strncmp(name, "a_", 2) == 0)
		name += 2;
	for (; *name != '\0' && n + 1 < cap; name++)
		out[n++] = *name == '_' ? ' ' : *name;
	out[n] = '\0';
}

void
gate_engine_diagram(FILE *out)
{
	fprintf(out, "# The gate engine\n\n"
	    "<!-- Generated by egate-gate-diagram from firmware/gate/src/gate_engine.c.\n"
	    "     Do not edit: tests/gate fails when this file and the table differ. -->\n\n"
	    "Every gate backend of `egate-kiosk` (`gpio:…`, `hidrelay…`; docs/kiosk.md, \"The\n"
	    "gate\") is this one engine over its relay and its sensors. The first row that matches\n"
	    "the state and the input, and whose guard holds, fires; an input with no row in a state\n"
	    "changes nothing. Every transition is logged as\n"
	    "`event=gate.transition from=A event=E guard=G action=X to=B`. The door's level is fed\n"
	    "when it changes (debounced), and once after every command.\n\n");
	fprintf(out, "```mermaid\nstateDiagram-v2\n    [*] --> SHUT\n");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct ge_row *r = &table[i];
		char gname[48] = "";
		bool guarded_before = false;

		for (size_t j = 0; j < i; j++)
			if (table[j].from == r->from && table[j].in == r->in &&
			    table[j].guard_name != NULL)
				guarded_before = true;
		if (r->guard_name != NULL)
			pretty(r->guard_name, gname, sizeof(gname));
		else if (guarded_before)
			snprintf(gname, sizeof(gname), "else");
		fprintf(out, "    %s --> %s : %s%s%s%s\n", state_str(r->from), state_str(r->to),
		    input_str(r->in), gname[0] ? " [" : "", gname, gname[0] ? "]" : "");
	}
	fprintf(out, "```\n\n## States\n\n| state | meaning |\n|---|---|\n");
	for (int s = 0; s < GS_COUNT; s++)
		fprintf(out, "| `%s` | %s |\n", state_str((enum ge_state)s),
		    state_help((enum ge_state)s));
	fprintf(out, "\n## Inputs\n\n| input | meaning |\n|---|---|\n");
	for (int i = 0; i < GI_COUNT; i++)
		fprintf(out, "| `%s` | %s |\n", input_str((enum ge_input)i),
		    input_help((enum ge_input)i));
	fprintf(out, "\n## Transitions\n\n| from | input | guard | action | to |\n"
	    "|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct ge_row *r = &table[i];
		char gname[48] = "", aname[48] = "";

		if (r->guard_name != NULL)
			pretty(r->guard_name, gname, sizeof(gname));
		pretty(r->action_name, aname, sizeof(aname));
		fprintf(out, "| %s | %s | %s | %s | %s |\n", state_str(r->from), input_str(r->in),
		    gname[0] ? gname : "—", aname, state_str(r->to));
	}
	fprintf(out, "\n## What the kiosk sees\n\n"
	    "| engine | gate contract (outputs.h) |\n|---|---|\n"
	    "| OPENING → OPEN | `GATE_EV_DOOR_OPENED` |\n"
	    "| OPEN → SHUT, CLOSING → SHUT | `GATE_EV_DOOR_CLOSED` |\n"
	    "| the passage sensor active, then clear again (debounced), in any state | "
	    "`GATE_EV_PASSED` (detail `forced passage` when the door was shut) |\n"
	    "| any → FAULT | `GATE_EV_FAULT` with the reason; `status()` EG_ERR_DEVICE with it; "
	    "`open()` EG_ERR_DEVICE |\n"
	    "| any → GONE | every call `EG_ERR_NO_DEVICE` until `reconnect()` |\n"
	    "| `open()` | events queued before it are dropped (logged `gate.event_dropped`) |\n");
}
