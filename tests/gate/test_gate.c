/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_gate.c — the gate engine (firmware/gate) through the gate contract,
 * over the in-memory GPIO model (gate_model.h): specs; a traveller through
 * the door; debouncing; and every misbehaviour with its clear error and a
 * gate that never opens on it: a relay whose door does not follow, a door
 * that does not shut, sensors that contradict each other, a door forced
 * open, a line that cannot be read or driven, a chip that goes away
 * mid-passage and comes back. The HID relay is tested through libusb in
 * tests/umockdev/test_umock_hidrelay.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/gate.h"
#include "gate_model.h"

#define SPEC "gpio:gpiochip0:relay=17,door=27,door-open=5,passage=22"
#define SPEC1 "gpio:gpiochip0:relay=17,door=27,passage=22"	/* no door-open switch */

struct fx {
	struct gate_model m;
	struct gate *g;
	const struct gate_ops *ops;
	struct eg_log lg;
	FILE *logf;
	char *logbuf;
	size_t loglen;
	char err[256];
};

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	gate_model_init(&f->m, false);
	f->logf = open_memstream(&f->logbuf, &f->loglen);
	ck_assert_ptr_nonnull(f->logf);
	eg_log_init(&f->lg, "test");
	f->lg.out = f->logf;
	f->lg.min_level = EG_LOG_DEBUG;
}

static int
fx_open(struct fx *f, const char *spec)
{
	struct gate_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.log = &f->lg;
	o.lines = &gate_model_lines;
	o.lines_self = &f->m;
	o.clock = &gate_model_clock;
	o.clock_self = &f->m;
	f->err[0] = '\0';
	ret = gate_open(spec, &o, &f->g, f->err, sizeof(f->err));
	f->ops = ret == EG_OK ? gate_get_ops(f->g) : NULL;
	return ret;
}

static void
fx_open_ok(struct fx *f, const char *spec)
{
	int ret = fx_open(f, spec);

	ck_assert_msg(ret == EG_OK, "gate_open(%s): %s: %s", spec, eg_err_name(ret), f->err);
}

static void
fx_fini(struct fx *f)
{
	fflush(f->logf);
	if (getenv("GATE_TEST_LOG") != NULL && f->logbuf != NULL)
		fputs(f->logbuf, stderr);
	gate_free(&f->g);
	ck_assert_ptr_null(f->g);
	fclose(f->logf);
	free(f->logbuf);
	gate_model_fini(&f->m);
}

static bool
logged(struct fx *f, const char *s)
{
	fflush(f->logf);
	return f->logbuf != NULL && strstr(f->logbuf, s) != NULL;
}

/* The next event within ms: its type (GATE_EV_NONE on a timeout). */
static enum gate_event_type
next(struct fx *f, unsigned ms, struct gate_event *ev)
{
	struct gate_event e;
	int ret;

	memset(&e, 0, sizeof(e));
	ret = f->ops->wait_event(f->g, ms, &e);
	ck_assert_msg(ret == EG_OK || ret == EG_ERR_TIMEOUT, "wait_event: %s", eg_err_name(ret));
	if (ev != NULL)
		*ev = e;
	return ret == EG_OK ? e.type : GATE_EV_NONE;
}

/* One traveller through: open, DOOR_OPENED, PASSED, close, DOOR_CLOSED. */
static void
walk_through(struct fx *f)
{
	ck_assert_eg(f->ops->open(f->g), EG_OK);
	ck_assert_int_eq(next(f, 3000, NULL), GATE_EV_DOOR_OPENED);
	ck_assert_int_eq(next(f, 20000, NULL), GATE_EV_PASSED);
	ck_assert_eg(f->ops->close(f->g), EG_OK);
	ck_assert_int_eq(next(f, 3000, NULL), GATE_EV_DOOR_CLOSED);
	ck_assert(!f->m.relay);
}

/* After a fault: open() refused again and again, the relay never on. */
static void
assert_stays_shut(struct fx *f)
{
	unsigned ons = f->m.relay_on_count;
	struct gate_status st;

	for (int i = 0; i < 3; i++) {
		ck_assert_eg(f->ops->open(f->g), EG_ERR_DEVICE);
		(void)next(f, 1000, NULL);
		ck_assert_eg(f->ops->status(f->g, &st), EG_ERR_DEVICE);
		ck_assert_msg(st.detail[0] != '\0', "a fault without a reason");
		ck_assert(!st.commanded_open);
	}
	ck_assert_uint_eq(f->m.relay_on_count, ons);
	ck_assert(!f->m.relay);
	ck_assert_eg(f->ops->close(f->g), EG_OK);	/* closing is always allowed */
	ck_assert(!f->m.relay);
}

/* ---- specs ---------------------------------------------------------------------------------- */

START_TEST(test_spec_good)
{
	struct gate_spec s;
	char err[200];

	ck_assert_eg(gate_spec_parse(SPEC, &s, err, sizeof(err)), EG_OK);
	ck_assert_int_eq(s.kind, GATE_KIND_GPIO);
	ck_assert_str_eq(s.chip, "gpiochip0");
	ck_assert_int_eq(s.lines.offset[GATE_LINE_RELAY], 17);
	ck_assert_int_eq(s.lines.offset[GATE_LINE_DOOR_CLOSED], 27);
	ck_assert_int_eq(s.lines.offset[GATE_LINE_DOOR_OPEN], 5);
	ck_assert_int_eq(s.lines.offset[GATE_LINE_PASSAGE], 22);
	ck_assert_uint_eq(s.confirm_ms, 2000);
	ck_assert_uint_eq(s.debounce_ms, 30);
	ck_assert_eg(gate_spec_parse("gpio:/dev/gpiochip1:relay=0,door=1,active-low=door+relay,"
	    "bias=pull-up,confirm=1500,debounce=5", &s, err, sizeof(err)), EG_OK);
	ck_assert_str_eq(s.chip, "/dev/gpiochip1");
	ck_assert(s.lines.active_low[GATE_LINE_DOOR_CLOSED] && s.lines.active_low[GATE_LINE_RELAY]);
	ck_assert(!s.lines.active_low[GATE_LINE_PASSAGE]);
	ck_assert_int_eq(s.lines.offset[GATE_LINE_PASSAGE], -1);
	ck_assert_int_eq(s.lines.bias, GATE_BIAS_PULL_UP);
	ck_assert_uint_eq(s.confirm_ms, 1500);
	ck_assert_uint_eq(s.debounce_ms, 5);
	ck_assert_eg(gate_spec_parse("hidrelay", &s, err, sizeof(err)), EG_OK);
	ck_assert_int_eq(s.kind, GATE_KIND_HIDRELAY);
	ck_assert_uint_eq(s.vid, 0x16c0);
	ck_assert_uint_eq(s.pid, 0x05df);
	ck_assert_uint_eq(s.channel, 1);
	ck_assert_str_eq(s.chip, "");
	ck_assert_eg(gate_spec_parse("hidrelay:1209:ABCD,channel=2,chip=gpiochip0,door=27,"
	    "passage=22,active-low=door", &s, err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(s.vid, 0x1209);
	ck_assert_uint_eq(s.pid, 0xabcd);
	ck_assert_uint_eq(s.channel, 2);
	ck_assert_str_eq(s.chip, "gpiochip0");
	ck_assert_int_eq(s.lines.offset[GATE_LINE_RELAY], -1);
	ck_assert_int_eq(s.lines.offset[GATE_LINE_DOOR_CLOSED], 27);
	ck_assert_eg(gate_spec_parse("hidrelay,channel=8", &s, err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(s.channel, 8);
	ck_assert(gate_backend_named("gpio:x"));
	ck_assert(gate_backend_named("hidrelay"));
	ck_assert(!gate_backend_named("gpiox:1"));
	ck_assert(!gate_backend_named("sim"));
}
END_TEST

START_TEST(test_spec_bad)
{
	static const struct { const char *spec, *says; } bad[] = {
		{ "gpio", "expected gpio:CHIP:" },
		{ "gpio:gpiochip0", "expected gpio:CHIP:" },
		{ "gpio::relay=1,door=2", "expected gpio:CHIP:" },
		{ "gpio:c:relay=1", "needs relay=N and door=M" },
		{ "gpio:c:door=1", "needs relay=N and door=M" },
		{ "gpio:c:relay=1,door=1", "line 1 is both relay and door" },
		{ "gpio:c:relay=1,door=2,relay=3", "'relay' given twice" },
		{ "gpio:c:relay=1,door=2,lamp=3", "unknown option 'lamp'" },
		{ "gpio:c:relay=1,door=2,passage", "options are KEY=VALUE" },
		{ "gpio:c:relay=x,door=2", "a line offset 0..4095" },
		{ "gpio:c:relay=99999,door=2", "a line offset 0..4095" },
		{ "gpio:c:relay=-1,door=2", "a line offset 0..4095" },
		{ "gpio:c:relay=1,door=2,", "a trailing ','" },
		{ "gpio:c:relay=1,door=2,confirm=50", "confirm=50: 100..60000 ms" },
		{ "gpio:c:relay=1,door=2,debounce=5000", "debounce=5000: 0..1000 ms" },
		{ "gpio:c:relay=1,door=2,bias=up", "pull-up, pull-down or disable" },
		{ "gpio:c:relay=1,door=2,active-low=lamp", "'lamp' is not relay" },
		{ "gpio:c:relay=1,door=2,active-low=passage", "there is no passage line" },
		{ "gpio:c:relay=1,door-open=2", "needs relay=N and door=M" },
		{ "gpio:c:relay=1,door=2,channel=1", "only a HID relay has channels" },
		{ "gpio:c:relay=1,door=2,chip=d", "the gpio gate's chip is gpio:CHIP:" },
		{ "hidrelay:16c0", "expected hidrelay:VID:PID" },
		{ "hidrelay:16c0:xyz", "expected hidrelay:VID:PID" },
		{ "hidrelay:16c00:05df", "expected hidrelay:VID:PID" },
		{ "hidrelay,channel=9", "channel=9: 1..8" },
		{ "hidrelay,channel=0", "channel=0: 1..8" },
		{ "hidrelay,relay=3", "a HID relay's relay is its channel=" },
		{ "hidrelay,door=3", "need chip=CHIP" },
		{ "hidrelay,chip=gpiochip0", "chip= without door= or passage=" },
		{ "hidrelay,chip=c,door-open=4,passage=5", "door-open= needs door=" },
		{ "hidrelayx", "not a gate of this library" },
		{ "sim", "not a gate of this library" },
	};
	struct gate_spec s;
	char err[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(gate_spec_parse(bad[i].spec, &s, err, sizeof(err)) == EG_ERR_INVAL,
		    "'%s' accepted", bad[i].spec);
		ck_assert_msg(strstr(err, bad[i].says) != NULL, "'%s': '%s' does not say '%s'",
		    bad[i].spec, err, bad[i].says);
	}
}
END_TEST

/* gate_open: an unknown backend lists them all; a bad spec says why. */
START_TEST(test_open_errors)
{
	struct fx f;

	fx_init(&f);
	ck_assert_eg(fx_open(&f, "lamp:1"), EG_ERR_INVAL);
	ck_assert_msg(strstr(f.err, "unknown backend (this build takes gpio:CHIP:relay=N") != NULL &&
	    strstr(f.err, "hidrelay[:VID:PID]") != NULL, "%s", f.err);
	ck_assert_eg(fx_open(&f, "gpio:c:relay=1"), EG_ERR_INVAL);
	ck_assert_msg(strstr(f.err, "needs relay=N and door=M") != NULL, "%s", f.err);
	/* the chip not there: absent, not a configuration error */
	f.m.present = false;
	ck_assert_eg(fx_open(&f, SPEC), EG_ERR_NOT_FOUND);
	ck_assert_msg(strstr(f.err, "no such chip") != NULL, "%s", f.err);
	f.m.present = true;
	/* a line beyond the chip: the configuration */
	ck_assert_eg(fx_open(&f, "gpio:gpiochip0:relay=40,door=2"), EG_ERR_INVAL);
	ck_assert_msg(strstr(f.err, "relay=40") != NULL, "%s", f.err);
	/* a line another program holds */
	f.m.busy = true;
	ck_assert_eg(fx_open(&f, SPEC), EG_ERR_BUSY);
	ck_assert_msg(strstr(f.err, "busy") != NULL, "%s", f.err);
	f.m.busy = false;
	/* a gate must not start with the door open, or contradicting sensors */
	f.m.level[GATE_LINE_DOOR_CLOSED] = false;
	ck_assert_eg(fx_open(&f, SPEC), EG_ERR_DEVICE);
	ck_assert_msg(strstr(f.err, "door reads open with the relay off") != NULL, "%s", f.err);
	f.m.level[GATE_LINE_DOOR_CLOSED] = true;
	f.m.level[GATE_LINE_DOOR_OPEN] = true;
	ck_assert_eg(fx_open(&f, SPEC), EG_ERR_DEVICE);
	ck_assert_msg(strstr(f.err, "door sensors read shut and open at once") != NULL, "%s", f.err);
	ck_assert_uint_eq(f.m.relay_on_count, 0);
	ck_assert_ptr_null(f.g);
	fx_fini(&f);
}
END_TEST

/* ---- a traveller ------------------------------------------------------------------------------ */

START_TEST(test_passage)
{
	struct fx f;
	struct gate_status st;
	struct gate_event ev;
	uint64_t t0;

	fx_init(&f);
	fx_open_ok(&f, SPEC);
	ck_assert_str_eq(gate_desc(f.g), "gpio:gpiochip0 relay=17 door=27");
	ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
	ck_assert_int_eq(st.door, GATE_DOOR_CLOSED);
	ck_assert(!st.commanded_open);
	/* a shut door, closed again: no event */
	ck_assert_eg(f.ops->close(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 500, NULL), GATE_EV_NONE);
	t0 = gate_model_now(&f.m);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert(f.m.relay);
	ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
	ck_assert(st.commanded_open);
	/* DOOR_OPENED when the door-open switch is reached, not before */
	ck_assert_int_eq(next(&f, 3000, &ev), GATE_EV_DOOR_OPENED);
	ck_assert_uint_ge(gate_model_now(&f.m) - t0, f.m.travel_ms);
	ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
	ck_assert_int_eq(st.door, GATE_DOOR_OPEN);
	ck_assert_int_eq(next(&f, 20000, &ev), GATE_EV_PASSED);
	ck_assert_str_eq(ev.detail, "");
	ck_assert_eg(f.ops->close(f.g), EG_OK);
	ck_assert(!f.m.relay);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_CLOSED);
	ck_assert_int_eq(next(&f, 1000, NULL), GATE_EV_NONE);
	ck_assert(logged(&f, "event=gate.transition gate=\"gpio:gpiochip0 relay=17 door=27\" "
	    "from=OPENING event=DOOR_OPEN"));
	/* and the next traveller */
	walk_through(&f);
	ck_assert_uint_eq(f.m.relay_on_count, 2);
	fx_fini(&f);
}
END_TEST

/* Without a door-open switch the door counts as open once the door-closed
 * sensor releases. */
START_TEST(test_passage_one_sensor)
{
	struct fx f;
	uint64_t t0;

	fx_init(&f);
	fx_open_ok(&f, SPEC1);
	t0 = gate_model_now(&f.m);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	ck_assert_uint_lt(gate_model_now(&f.m) - t0, f.m.travel_ms);
	ck_assert_int_eq(next(&f, 20000, NULL), GATE_EV_PASSED);
	ck_assert_eg(f.ops->close(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_CLOSED);
	fx_fini(&f);
}
END_TEST

/* Contacts that bounce give one event per change; a blip shorter than the
 * debounce time none. */
START_TEST(test_debounce)
{
	struct fx f;

	fx_init(&f);
	f.m.bounce = 4;
	fx_open_ok(&f, SPEC);
	walk_through(&f);
	ck_assert_int_eq(next(&f, 2000, NULL), GATE_EV_NONE);
	/* a 5 ms blip on the passage sensor and on the door sensor while shut */
	gate_model_at(&f.m, 100, GM_LEVEL, GATE_LINE_PASSAGE, true);
	gate_model_at(&f.m, 105, GM_LEVEL, GATE_LINE_PASSAGE, false);
	gate_model_at(&f.m, 300, GM_LEVEL, GATE_LINE_DOOR_CLOSED, false);
	gate_model_at(&f.m, 305, GM_LEVEL, GATE_LINE_DOOR_CLOSED, true);
	ck_assert_int_eq(next(&f, 2000, NULL), GATE_EV_NONE);
	{
		struct gate_status st;

		ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
		ck_assert_int_eq(st.door, GATE_DOOR_CLOSED);
	}
	walk_through(&f);
	fx_fini(&f);
}
END_TEST

/* The gate's controller shut the door by itself while the relay was on. */
START_TEST(test_closed_by_itself)
{
	struct fx f;
	struct gate_event ev;

	fx_init(&f);
	f.m.traveller = false;
	fx_open_ok(&f, SPEC);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	gate_model_at(&f.m, 1000, GM_LEVEL, GATE_LINE_DOOR_OPEN, false);
	gate_model_at(&f.m, 1300, GM_LEVEL, GATE_LINE_DOOR_CLOSED, true);
	ck_assert_int_eq(next(&f, 5000, &ev), GATE_EV_DOOR_CLOSED);
	ck_assert_str_eq(ev.detail, "the door shut by itself");
	ck_assert(!f.m.relay);
	f.m.traveller = true;
	walk_through(&f);	/* nothing wrong with it */
	fx_fini(&f);
}
END_TEST

/* Someone through while the door is shut: PASSED all the same, marked
 * forced; it does not count for the next opening. */
START_TEST(test_forced_passage)
{
	struct fx f;
	struct gate_event ev;

	fx_init(&f);
	fx_open_ok(&f, SPEC);
	gate_model_at(&f.m, 100, GM_LEVEL, GATE_LINE_PASSAGE, true);
	gate_model_at(&f.m, 600, GM_LEVEL, GATE_LINE_PASSAGE, false);
	ck_assert_int_eq(next(&f, 2000, &ev), GATE_EV_PASSED);
	ck_assert_str_eq(ev.detail, "the door was shut: forced passage");
	ck_assert(logged(&f, "gate.forced_passage"));
	/* again, not taken: open() drops it, the opening waits for its own */
	gate_model_at(&f.m, 100, GM_LEVEL, GATE_LINE_PASSAGE, true);
	gate_model_at(&f.m, 600, GM_LEVEL, GATE_LINE_PASSAGE, false);
	f.m.traveller = false;
	ck_assert_int_eq(next(&f, 1, NULL), GATE_EV_NONE);
	{
		struct gate_status st;

		for (int i = 0; i < 10; i++)
			gate_model_clock.sleep_ms(&f.m, 100);
		ck_assert_eg(f.ops->status(f.g, &st), EG_OK);	/* takes the edges */
	}
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert(logged(&f, "gate.event_dropped"));
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	ck_assert_int_eq(next(&f, 5000, NULL), GATE_EV_NONE);	/* nobody walked */
	ck_assert_eg(f.ops->close(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_CLOSED);
	fx_fini(&f);
}
END_TEST

/* ---- misbehaviour: each a clear error, never an open gate --------------------------------------- */

/* A relay that does not confirm: the door never leaves shut. */
START_TEST(test_relay_not_confirmed)
{
	struct fx f;
	struct gate_event ev;
	struct gate_status st;
	uint64_t t0;

	fx_init(&f);
	fx_open_ok(&f, SPEC);
	f.m.door_follows = false;
	t0 = gate_model_now(&f.m);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 10000, &ev), GATE_EV_FAULT);
	ck_assert_str_eq(ev.detail, "relay on, door still shut after 2000 ms");
	ck_assert_uint_ge(gate_model_now(&f.m) - t0, 2000);
	ck_assert_uint_lt(gate_model_now(&f.m) - t0, 2100);
	ck_assert(!f.m.relay);		/* driven off at once */
	ck_assert_eg(f.ops->status(f.g, &st), EG_ERR_DEVICE);
	ck_assert_str_eq(st.detail, "relay on, door still shut after 2000 ms");
	ck_assert(logged(&f, "event=gate.fault"));
	assert_stays_shut(&f);
	/* latched: the door looks fine, but has not moved since */
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_DEVICE);
	ck_assert_eg(f.ops->open(f.g), EG_ERR_DEVICE);
	/* repaired; someone moves the door by hand: back */
	f.m.door_follows = true;
	gate_model_move_door(&f.m, 500);
	for (int i = 0; i < 10; i++)
		gate_model_clock.sleep_ms(&f.m, 100);
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
	walk_through(&f);
	fx_fini(&f);
}
END_TEST

/* The door does not shut after the relay let go. */
START_TEST(test_door_not_closing)
{
	struct fx f;
	struct gate_event ev;

	fx_init(&f);
	fx_open_ok(&f, SPEC);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	ck_assert_int_eq(next(&f, 20000, NULL), GATE_EV_PASSED);
	f.m.door_follows = false;
	ck_assert_eg(f.ops->close(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 10000, &ev), GATE_EV_FAULT);
	ck_assert_str_eq(ev.detail, "relay off, door still open after 2000 ms");
	assert_stays_shut(&f);
	/* the door is still open: not back */
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_DEVICE);
	/* someone shuts it: back (the door moved) */
	gate_model_at(&f.m, 10, GM_LEVEL, GATE_LINE_DOOR_OPEN, false);
	gate_model_at(&f.m, 300, GM_LEVEL, GATE_LINE_DOOR_CLOSED, true);
	for (int i = 0; i < 5; i++)
		gate_model_clock.sleep_ms(&f.m, 100);
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	f.m.door_follows = true;
	walk_through(&f);
	fx_fini(&f);
}
END_TEST

/* Sensors that contradict each other: shut and fully open at once. */
START_TEST(test_impossible_sensors)
{
	struct fx f;
	struct gate_event ev;
	struct gate_status st;

	fx_init(&f);
	fx_open_ok(&f, SPEC);
	gate_model_at(&f.m, 100, GM_LEVEL, GATE_LINE_DOOR_OPEN, true);
	ck_assert_int_eq(next(&f, 1000, &ev), GATE_EV_FAULT);
	ck_assert_str_eq(ev.detail, "door sensors read shut and open at once");
	ck_assert_eg(f.ops->status(f.g, &st), EG_ERR_DEVICE);
	ck_assert_str_eq(st.detail, "door sensors read shut and open at once");
	assert_stays_shut(&f);
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_DEVICE);
	/* the switch works again: back (not latched) */
	gate_model_at(&f.m, 10, GM_LEVEL, GATE_LINE_DOOR_OPEN, false);
	gate_model_clock.sleep_ms(&f.m, 100);
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	walk_through(&f);
	/* during a passage: the relay goes off at once */
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	gate_model_at(&f.m, 50, GM_LEVEL, GATE_LINE_DOOR_CLOSED, true);
	ck_assert_int_eq(next(&f, 3000, &ev), GATE_EV_FAULT);
	ck_assert(!f.m.relay);
	fx_fini(&f);
}
END_TEST

/* A door forced open while the gate is shut: found between passages
 * (status), never reported as an opening. */
START_TEST(test_forced_door)
{
	struct fx f;
	struct gate_status st;

	fx_init(&f);
	fx_open_ok(&f, SPEC1);
	gate_model_at(&f.m, 100, GM_LEVEL, GATE_LINE_DOOR_CLOSED, false);
	gate_model_clock.sleep_ms(&f.m, 500);
	ck_assert_eg(f.ops->status(f.g, &st), EG_ERR_DEVICE);
	ck_assert_str_eq(st.detail, "door opened with the relay off");
	ck_assert_int_eq(st.door, GATE_DOOR_OPEN);
	ck_assert(!st.commanded_open);
	assert_stays_shut(&f);
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_DEVICE);	/* still open */
	gate_model_at(&f.m, 100, GM_LEVEL, GATE_LINE_DOOR_CLOSED, true);
	gate_model_clock.sleep_ms(&f.m, 500);
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	ck_assert_uint_eq(f.m.relay_on_count, 0);
	walk_through(&f);
	fx_fini(&f);
}
END_TEST

/* A line that cannot be read (status() reads them all), the chip's event
 * queue failing while the door is open, a relay line that cannot be
 * driven. */
START_TEST(test_line_errors)
{
	struct fx f;
	struct gate_event ev;
	struct gate_status st;

	fx_init(&f);
	fx_open_ok(&f, SPEC);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	f.m.get_io_error = true;
	ck_assert_eg(f.ops->status(f.g, &st), EG_ERR_DEVICE);
	ck_assert_msg(strstr(st.detail, "EG_ERR_IO") != NULL, "%s", st.detail);
	ck_assert_int_eq(next(&f, 3000, &ev), GATE_EV_FAULT);
	ck_assert_msg(strstr(ev.detail, "EG_ERR_IO") != NULL, "%s", ev.detail);
	ck_assert(!f.m.relay);
	assert_stays_shut(&f);
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_DEVICE);
	f.m.get_io_error = false;
	for (int i = 0; i < 5; i++)
		gate_model_clock.sleep_ms(&f.m, 100);	/* the door shuts */
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	walk_through(&f);
	/* the event queue fails with the door open: a fault, relay off */
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	f.m.wait_io_error = true;
	ck_assert_int_eq(next(&f, 3000, &ev), GATE_EV_FAULT);
	ck_assert_msg(strstr(ev.detail, "gpio wait: EG_ERR_IO") != NULL, "%s", ev.detail);
	ck_assert(!f.m.relay);
	ck_assert_eg(f.ops->open(f.g), EG_ERR_DEVICE);
	f.m.wait_io_error = false;
	for (int i = 0; i < 10; i++)
		gate_model_clock.sleep_ms(&f.m, 100);	/* the door shuts, the traveller is out */
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	walk_through(&f);
	/* the relay's line refuses "on": open() fails, a fault */
	f.m.set_io_error = true;
	ck_assert_eg(f.ops->open(f.g), EG_ERR_DEVICE);
	ck_assert_int_eq(next(&f, 100, &ev), GATE_EV_FAULT);
	ck_assert_msg(strstr(ev.detail, "relay refused 'on'") != NULL, "%s", ev.detail);
	ck_assert(!f.m.relay);
	f.m.set_io_error = false;
	fx_fini(&f);
}
END_TEST

/* The chip goes away with the door open (a USB GPIO expander unplugged):
 * EG_ERR_NO_DEVICE everywhere until it is back; back only once the door is
 * shut again. */
START_TEST(test_chip_gone)
{
	struct fx f;
	struct gate_status st;
	struct gate_event ev;

	fx_init(&f);
	fx_open_ok(&f, SPEC);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	gate_model_at(&f.m, 50, GM_GONE, GATE_LINE_RELAY, false);
	ck_assert_eg(f.ops->wait_event(f.g, 3000, &ev), EG_ERR_NO_DEVICE);
	ck_assert(logged(&f, "event=gate.lost"));
	ck_assert_eg(f.ops->open(f.g), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->close(f.g), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->status(f.g, &st), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->wait_event(f.g, 10, &ev), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_NO_DEVICE);
	/* back: its outputs start low, the relay drops, the door shuts */
	gate_model_at(&f.m, 100, GM_BACK, GATE_LINE_RELAY, false);
	gate_model_clock.sleep_ms(&f.m, 200);
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_DEVICE);	/* still open */
	ck_assert_eg(f.ops->open(f.g), EG_ERR_DEVICE);
	gate_model_clock.sleep_ms(&f.m, 1000);
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	ck_assert_uint_eq(f.m.opens, 2);
	walk_through(&f);
	fx_fini(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("gate");
	TCase *tc = tcase_create("engine");

	tcase_add_test(tc, test_spec_good);
	tcase_add_test(tc, test_spec_bad);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_passage);
	tcase_add_test(tc, test_passage_one_sensor);
	tcase_add_test(tc, test_debounce);
	tcase_add_test(tc, test_closed_by_itself);
	tcase_add_test(tc, test_forced_passage);
	tcase_add_test(tc, test_relay_not_confirmed);
	tcase_add_test(tc, test_door_not_closing);
	tcase_add_test(tc, test_impossible_sensors);
	tcase_add_test(tc, test_forced_door);
	tcase_add_test(tc, test_line_errors);
	tcase_add_test(tc, test_chip_gone);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
