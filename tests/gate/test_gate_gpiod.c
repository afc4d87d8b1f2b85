/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_gate_gpiod.c — the GPIO gate as the product builds it (gate_open
 * with the default line ops: gate_gpiod.c) against a model of libgpiod 1.6
 * (fake_gpiod.h: this kernel has no gpio-sim). What it checks is
 * gate_gpiod.c's side of the kernel's API: which lines it requests and how
 * (consumer, output with the relay off, both-edge events, active-low and
 * bias flags), that logical levels and edges come out right through
 * active-low wiring, the kernel's timestamps, edges of several lines told
 * apart, and each error of the chip turned into the gate's (no chip, no
 * permission, a line beyond the chip, a line another program holds, a chip
 * unbound in the middle of a passage).
 */
#include <gpiod.h>
#include <string.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/gate.h"
#include "fake_gpiod.h"

/* the world's default wiring: switches close to ground (pulled up) */
#define SPEC "gpio:gpiochip0:relay=0,door=1,door-open=2,passage=3," \
	"active-low=door+door-open+passage,bias=pull-up"

struct fx {
	struct gate *g;
	const struct gate_ops *ops;
	struct fake_gpiod *w;
	char err[256];
};

static int
fx_open(struct fx *f, const char *spec)
{
	struct gate_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.clock = &fake_gpiod_clock;	/* the lines: libgpiod (the model) */
	f->err[0] = '\0';
	ret = gate_open(spec, &o, &f->g, f->err, sizeof(f->err));
	f->ops = ret == EG_OK ? gate_get_ops(f->g) : NULL;
	return ret;
}

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	fake_gpiod_reset();
	f->w = fake_gpiod_world();
}

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

/* The requests, and one traveller through active-low switches. */
START_TEST(test_requests_and_passage)
{
	struct fx f;
	struct gate_status st;
	uint64_t t0;
	int ret;

	fx_init(&f);
	ret = fx_open(&f, SPEC);
	ck_assert_msg(ret == EG_OK, "%s: %s", eg_err_name(ret), f.err);
	/* the relay: an output, driven off, no bias; the rest: inputs with
	 * events, active-low, pulled up; all under our consumer name */
	ck_assert(f.w->requested[0] && f.w->output[0]);
	ck_assert_int_eq(f.w->phys[0], 0);
	ck_assert_int_eq(f.w->flags[0], 0);
	for (int o = 1; o <= 3; o++) {
		ck_assert(f.w->requested[o] && !f.w->output[o]);
		ck_assert_int_eq(f.w->flags[o], GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW |
		    GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP);
		ck_assert_str_eq(f.w->consumer[o], "egate-gate");
	}
	ck_assert(!f.w->requested[4]);
	ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
	ck_assert_int_eq(st.door, GATE_DOOR_CLOSED);	/* low pin, active-low: shut */
	for (int round = 0; round < 2; round++) {
		t0 = f.w->now_ms;
		ck_assert_eg(f.ops->open(f.g), EG_OK);
		ck_assert_int_eq(f.w->phys[0], 1);		/* energised */
		ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
		/* at the door-open switch (300 ms), by the kernel's timestamps,
		 * debounced */
		ck_assert_uint_ge(f.w->now_ms - t0, 300);
		ck_assert_uint_lt(f.w->now_ms - t0, 400);
		ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_PASSED);
		ck_assert_eg(f.ops->close(f.g), EG_OK);
		ck_assert_int_eq(f.w->phys[0], 0);
		ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_CLOSED);
	}
	ck_assert_uint_eq(f.w->relay_energised, 2);
	gate_free(&f.g);
	ck_assert(!f.w->requested[0] && !f.w->requested[1]);	/* released */
	ck_assert_int_eq(f.w->phys[0], 0);
}
END_TEST

/* An active-low relay (energised by a low pin) starts high: off. Without
 * active-low on the switches, a door wired this way reads open: the gate
 * must refuse to start. */
START_TEST(test_wiring)
{
	struct fx f;
	int ret;

	fx_init(&f);
	f.w->relay_on_level = 0;
	f.w->phys[0] = 0;		/* as the board left it: energised! */
	ret = fx_open(&f, "gpio:egate-test:relay=0,door=1,passage=3,active-low=relay+door+passage");
	ck_assert_msg(ret == EG_OK, "%s: %s", eg_err_name(ret), f.err);
	ck_assert_int_eq(f.w->phys[0], 1);		/* off, through active-low */
	ck_assert_int_eq(f.w->flags[0], GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW);
	/* the door was moving shut after the relay let go: wait for it */
	ck_assert_int_eq(next(&f, 1000, NULL), GATE_EV_NONE);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(f.w->phys[0], 0);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	ck_assert_eg(f.ops->close(f.g), EG_OK);
	gate_free(&f.g);

	fx_init(&f);
	ck_assert_eg(fx_open(&f, "gpio:/dev/gpiochip0:relay=0,door=1"), EG_ERR_DEVICE);
	ck_assert_msg(strstr(f.err, "door reads open with the relay off") != NULL, "%s", f.err);
	ck_assert(!f.w->requested[0]);		/* everything let go */
	ck_assert_int_eq(f.w->phys[0], 0);
}
END_TEST

/* Each error of the chip, as the gate says it. */
START_TEST(test_open_errors)
{
	struct fx f;

	fx_init(&f);
	ck_assert_eg(fx_open(&f, "gpio:gpiochip7:relay=0,door=1"), EG_ERR_NOT_FOUND);
	ck_assert_msg(strstr(f.err, "chip 'gpiochip7': no such chip (gpiodetect lists them)") != NULL,
	    "%s", f.err);
	f.w->no_perm = true;
	ck_assert_eg(fx_open(&f, SPEC), EG_ERR_PERM);
	ck_assert_msg(strstr(f.err, "Permission denied") != NULL, "%s", f.err);
	f.w->no_perm = false;
	ck_assert_eg(fx_open(&f, "gpio:gpiochip0:relay=0,door=16"), EG_ERR_INVAL);
	ck_assert_msg(strstr(f.err, "door=16, but gpiochip0 has lines 0..15") != NULL, "%s", f.err);
	f.w->held_offset = 0;
	ck_assert_eg(fx_open(&f, SPEC), EG_ERR_BUSY);
	ck_assert_msg(strstr(f.err, "relay line 0: Device or resource busy, held by "
	    "gpio-door-daemon") != NULL, "%s", f.err);
	f.w->held_offset = 3;
	ck_assert_eg(fx_open(&f, SPEC), EG_ERR_BUSY);
	ck_assert_msg(strstr(f.err, "passage line 3") != NULL, "%s", f.err);
	/* what was requested before the busy line is let go again */
	for (int o = 0; o < FG_LINES; o++)
		ck_assert_msg(!f.w->requested[o], "line %d still requested", o);
	ck_assert_uint_eq(f.w->relay_energised, 0);
}
END_TEST

/* The chip unbound with the door open (a USB GPIO expander unplugged):
 * gone; back once it is there again and the door is shut. */
START_TEST(test_chip_gone)
{
	struct fx f;
	struct gate_event ev;
	int ret;

	fx_init(&f);
	ret = fx_open(&f, SPEC);
	ck_assert_msg(ret == EG_OK, "%s: %s", eg_err_name(ret), f.err);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	f.w->gone = true;
	f.w->present = false;
	ck_assert_eg(f.ops->wait_event(f.g, 1000, &ev), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->open(f.g), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_NO_DEVICE);
	/* back, the board reset: relay low, the door shuts by its spring */
	{
		uint64_t t = f.w->now_ms;

		fake_gpiod_reset();	/* present, relay low, the door shut */
		f.w->now_ms = t;	/* the clock goes on */
	}
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	ck_assert(f.w->requested[0] && f.w->requested[3]);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	gate_free(&f.g);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("gate-gpiod");
	TCase *tc = tcase_create("libgpiod-model");

	tcase_add_test(tc, test_requests_and_passage);
	tcase_add_test(tc, test_wiring);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_chip_gone);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
