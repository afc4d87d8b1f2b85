/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_umock_hidrelay.c — the gate's USB HID relay backend (firmware/gate,
 * gate_hidrelay.c) over the REAL libusb backend against an emulated
 * "USBRelay" board where the kernel would be (umock.h): enumeration, the
 * descriptors, claiming the HID interface, SET_REPORT / GET_REPORT feature
 * reports on endpoint 0, unplug and replug, all through libusb and
 * usbdevfs. The board model answers like the V-USB firmware
 * (hidrelay_proto.h), and misbehaves on request: another device at the
 * same ids, fewer channels than configured, a relay that does not take the
 * command, a short or missing GET_REPORT answer, a relay that switches by
 * itself. Each must give a clear error and a gate that never opens.
 *
 * With chip= the door and passage sensors are GPIO lines beside the board;
 * there the in-memory door of tests/gate (gate_model.h, in real time) stands
 * in for them, and the board's relay moves that door.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/gate.h"
#include "egate/hidrelay_proto.h"
#include "gate_model.h"
#include "umock.h"

/* The board's model (under the device lock). */
struct board {
	uint8_t state;			/* bit N-1: channel N */
	char id[HIDRELAY_ID_LEN + 1];
	bool deaf;			/* SET_REPORT accepted, nothing switches */
	size_t short_report;		/* GET_REPORT answers this many bytes (0: 8) */
	bool stall_get;			/* GET_REPORT stalls */
	unsigned sets, gets;
	struct gate_model *door;	/* the door channel `door_channel` moves */
	unsigned door_channel;
};

static int
board_control(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len)
{
	struct board *b = ctx;
	uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);

	if (setup[0] == HIDRELAY_RT_CLASS_IFACE_OUT && setup[1] == HIDRELAY_REQ_SET_REPORT &&
	    value == HIDRELAY_REPORT_FEATURE_ID0) {
		unsigned ch;

		if (len < 2)
			return -EPIPE;
		b->sets++;
		ch = data[1];
		if (ch < 1 || ch > HIDRELAY_MAX_CHANNELS)
			return (int)len;	/* the firmware ignores it */
		if (!b->deaf) {
			if (data[0] == HIDRELAY_CMD_ON)
				b->state |= (uint8_t)(1u << (ch - 1));
			else if (data[0] == HIDRELAY_CMD_OFF)
				b->state &= (uint8_t)~(1u << (ch - 1));
			if (b->door != NULL && ch == b->door_channel)
				gate_model_relay(b->door, (b->state >> (ch - 1)) & 1u);
		}
		return (int)len;
	}
	if (setup[0] == HIDRELAY_RT_CLASS_IFACE_IN && setup[1] == HIDRELAY_REQ_GET_REPORT &&
	    value == HIDRELAY_REPORT_FEATURE_ID0) {
		uint8_t r[HIDRELAY_REPORT_LEN] = { 0 };
		size_t n = b->short_report != 0 ? b->short_report : sizeof(r);

		b->gets++;
		if (b->stall_get)
			return -EPIPE;
		memcpy(r, b->id, HIDRELAY_ID_LEN);
		r[HIDRELAY_STATE_OFFSET] = b->state;
		if (n > len)
			n = len;
		memcpy(data, r, n);
		return (int)n;
	}
	return -EPIPE;
}

/* The interrupt IN endpoint never has anything (the firmware sends no
 * input reports); there is no OUT endpoint. */
static int
board_in(void *ctx, uint8_t ep, uint8_t *buf, size_t cap)
{
	(void)ctx; (void)ep; (void)buf; (void)cap;
	return UMOCK_PENDING;
}

static int
board_out(void *ctx, uint8_t ep, const uint8_t *data, size_t len)
{
	(void)ctx; (void)ep; (void)data; (void)len;
	return -EPIPE;
}

static const struct umock_dev_ops board_ops = {
	.control = board_control,
	.in = board_in,
	.out = board_out,
};

struct fx {
	struct umock *u;
	struct umock_dev *ud;
	struct board b;
	struct gate_model m;
	struct gate *g;
	const struct gate_ops *ops;
	struct eg_log lg;
	char err[256];
};

/* A board at vid:pid named product: a HID interface with an interrupt IN
 * endpoint, as the V-USB firmware has it, and no serial number. */
static void
fx_setup(struct fx *f, uint16_t vid, uint16_t pid, const char *product)
{
	static const uint8_t hid_desc[] = { 9, 0x21, 0x01, 0x01, 0, 1, 0x22, 22, 0 };
	struct umock_buf d;
	struct umock_dev_desc dd;
	size_t cfg;

	memset(f, 0, sizeof(*f));
	ck_assert_msg(umock_preloaded(),
	    "run under libumockdev-preload (Debian package umockdev; "
	    "meson test --suite umockdev sets LD_PRELOAD)");
	eg_log_init(&f->lg, "test-umock-hidrelay");
	f->lg.min_level = getenv("GATE_TEST_LOG") != NULL ? EG_LOG_DEBUG : EG_LOG_ERROR;
	gate_model_init(&f->m, true);
	memcpy(f->b.id, "QWERT", HIDRELAY_ID_LEN + 1);
	memset(&d, 0, sizeof(d));
	umock_put_device(&d, 0, vid, pid, 0x0100, 8);
	d.b[16] = 0;			/* iSerialNumber: none */
	cfg = d.n;
	umock_put_config(&d, 1);
	umock_put_iface(&d, 0, 0, 1, HIDRELAY_USB_CLASS_HID, 0, 0);
	umock_put(&d, hid_desc, sizeof(hid_desc));
	umock_put_ep(&d, 0x81, 3, 8, 20);
	umock_config_done(&d, cfg);
	ck_assert(!d.overflow);
	memset(&dd, 0, sizeof(dd));
	dd.desc = d.b;
	dd.len = d.n;
	dd.strings[0] = "www.dcttech.com";
	dd.strings[1] = product;
	dd.speed_mbps = 1;
	ck_assert_eg(umock_new(&f->u), EG_OK);
	ck_assert_eg(umock_dev_add(f->u, &dd, &board_ops, &f->b, &f->ud), EG_OK);
}

static int
fx_open(struct fx *f, const char *spec)
{
	struct gate_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.log = &f->lg;
	o.lines = &gate_model_lines;	/* only used with chip= */
	o.lines_self = &f->m;
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
fx_teardown(struct fx *f)
{
	gate_free(&f->g);
	umock_free(&f->u);
	gate_model_fini(&f->m);
}

static uint8_t
board_state(struct fx *f)
{
	uint8_t s;

	umock_dev_lock(f->ud);
	s = f->b.state;
	umock_dev_unlock(f->ud);
	return s;
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

/* After a fault: open() refused, the relay never switched on. */
static void
assert_stays_shut(struct fx *f)
{
	struct gate_status st;

	for (int i = 0; i < 3; i++) {
		ck_assert_eg(f->ops->open(f->g), EG_ERR_DEVICE);
		ck_assert_eg(f->ops->status(f->g, &st), EG_ERR_DEVICE);
		ck_assert_msg(st.detail[0] != '\0', "a fault without a reason");
		ck_assert(!st.commanded_open);
	}
	ck_assert_uint_eq(board_state(f), 0);
	ck_assert_eg(f->ops->close(f->g), EG_OK);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the board as it should be ------------------------------------------------------------- */

/* Relay only: the door is channel 2's read-back, and says so. */
START_TEST(test_relay_readback)
{
	struct fx f;
	struct gate_status st;
	struct gate_event ev;

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBRelay2");
	fx_open_ok(&f, "hidrelay,channel=2,confirm=1000");
	ck_assert_str_eq(gate_desc(f.g), "hidrelay:16c0:05df ch2");
	ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
	ck_assert_int_eq(st.door, GATE_DOOR_CLOSED);
	ck_assert_str_eq(st.detail, "no door sensor: the door is ch2's read-back");
	for (int round = 0; round < 2; round++) {
		ck_assert_eg(f.ops->open(f.g), EG_OK);
		ck_assert_uint_eq(board_state(&f), 0x02);	/* channel 2 only */
		ck_assert_int_eq(next(&f, 3000, &ev), GATE_EV_DOOR_OPENED);
		ck_assert_str_eq(ev.detail, "relay read-back (no door sensor)");
		ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
		ck_assert(st.commanded_open);
		ck_assert_int_eq(st.door, GATE_DOOR_OPEN);
		ck_assert_eg(f.ops->close(f.g), EG_OK);
		ck_assert_uint_eq(board_state(&f), 0);
		ck_assert_int_eq(next(&f, 3000, &ev), GATE_EV_DOOR_CLOSED);
	}
	/* no passage sensor: nothing else comes */
	ck_assert_int_eq(next(&f, 300, NULL), GATE_EV_NONE);
	umock_dev_lock(f.ud);
	ck_assert_uint_ge(f.b.gets, 4);
	umock_dev_unlock(f.ud);
	gate_free(&f.g);
	ck_assert_uint_eq(board_state(&f), 0);
	fx_teardown(&f);
}
END_TEST

/* GPIO sensors beside the board: the door and the traveller as the sensors
 * say, the relay on the board. */
START_TEST(test_with_sensors)
{
	struct fx f;
	struct gate_event ev;

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBRelay1");
	f.b.door = &f.m;
	f.b.door_channel = 1;
	f.m.travel_ms = 150;
	f.m.walk_delay_ms = 50;
	f.m.walk_ms = 100;
	fx_open_ok(&f, "hidrelay,chip=gpiochip0,door=3,door-open=4,passage=5,confirm=2000");
	ck_assert_str_eq(f.m.chip, "gpiochip0");
	ck_assert_int_eq(f.m.cfg.offset[GATE_LINE_RELAY], -1);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 5000, &ev), GATE_EV_DOOR_OPENED);
	ck_assert_str_eq(ev.detail, "");		/* the sensor's, not the read-back */
	ck_assert_int_eq(next(&f, 5000, NULL), GATE_EV_PASSED);
	ck_assert_eg(f.ops->close(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 5000, NULL), GATE_EV_DOOR_CLOSED);
	ck_assert_uint_eq(board_state(&f), 0);
	fx_teardown(&f);
}
END_TEST

/* ---- boards that misbehave ------------------------------------------------------------------- */

/* Another V-USB device at the shared ids, a board with fewer channels. */
START_TEST(test_not_a_relay)
{
	struct fx f;

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBasp");
	ck_assert_eg(fx_open(&f, "hidrelay"), EG_ERR_UNSUPPORTED);
	ck_assert_msg(strstr(f.err, "hidrelay 16c0:05df is 'USBasp', not a USBRelay board") !=
	    NULL, "%s", f.err);
	ck_assert_uint_eq(f.b.sets, 0);	/* nothing was switched on a stranger */
	fx_teardown(&f);

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBRelay1");
	ck_assert_eg(fx_open(&f, "hidrelay,channel=2"), EG_ERR_INVAL);
	ck_assert_msg(strstr(f.err, "channel 2, but the board (USBRelay1) has 1") != NULL, "%s",
	    f.err);
	fx_teardown(&f);

	/* nothing at those ids */
	fx_setup(&f, 0x1209, 0xfff0, "USBRelay1");
	ck_assert_eg(fx_open(&f, "hidrelay"), EG_ERR_NOT_FOUND);
	ck_assert_msg(strstr(f.err, "no HID board 16c0:05df") != NULL, "%s", f.err);
	fx_teardown(&f);
}
END_TEST

/* A board that answers GET_REPORT short, or not at all. */
START_TEST(test_bad_report)
{
	struct fx f;
	struct gate_event ev;

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBRelay1");
	f.b.short_report = 3;
	ck_assert_eg(fx_open(&f, "hidrelay"), EG_ERR_DEVICE);
	ck_assert_msg(strstr(f.err, "GET_REPORT: 3 bytes, not 8") != NULL, "%s", f.err);
	f.b.short_report = 0;
	f.b.stall_get = true;
	ck_assert_eg(fx_open(&f, "hidrelay"), EG_ERR_DEVICE);
	ck_assert_msg(strstr(f.err, "GET_REPORT") != NULL, "%s", f.err);
	f.b.stall_get = false;
	/* it starts well, then its answers turn short: a fault, relay off */
	fx_open_ok(&f, "hidrelay");
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	umock_dev_lock(f.ud);
	f.b.short_report = 5;
	umock_dev_unlock(f.ud);
	ck_assert_int_eq(next(&f, 3000, &ev), GATE_EV_FAULT);
	ck_assert_msg(strstr(ev.detail, "GET_REPORT: 5 bytes, not 8") != NULL, "%s", ev.detail);
	assert_stays_shut(&f);
	/* answers well again: back */
	umock_dev_lock(f.ud);
	f.b.short_report = 0;
	umock_dev_unlock(f.ud);
	ck_assert_eg(f.ops->reconnect(f.g), EG_OK);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	fx_teardown(&f);
}
END_TEST

/* A relay that does not confirm: the board takes SET_REPORT, its state
 * does not change. Without a door sensor: a fault after confirm=MS,
 * latched until the board is replaced. */
START_TEST(test_relay_not_confirmed)
{
	struct fx f;
	struct gate_event ev;
	uint64_t t0;
	int ret;

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBRelay1");
	fx_open_ok(&f, "hidrelay,confirm=400");
	f.b.deaf = true;		/* not yet used by the worker: no lock needed */
	t0 = mono_ms();
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 5000, &ev), GATE_EV_FAULT);
	ck_assert_str_eq(ev.detail, "relay did not confirm 'on' in 400 ms");
	ck_assert_uint_ge(mono_ms() - t0, 400);
	assert_stays_shut(&f);
	/* latched: the read-back says off again, but the relay has shown it
	 * does not follow its command; the gate stays out of service */
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_DEVICE);
	ck_assert_eg(f.ops->open(f.g), EG_ERR_DEVICE);
	/* the board is replaced (unplugged, a working one plugged in): back */
	umock_dev_unplug(f.ud);
	t0 = mono_ms();
	while ((ret = f.ops->reconnect(f.g)) != EG_ERR_NO_DEVICE) {
		ck_assert_eg(ret, EG_ERR_DEVICE);
		ck_assert_msg(mono_ms() - t0 < 10000, "the unplug is not seen");
		(void)nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	f.b.deaf = false;
	f.b.state = 0;
	ck_assert_eg(umock_dev_replug(f.ud), EG_OK);
	t0 = mono_ms();
	while ((ret = f.ops->reconnect(f.g)) == EG_ERR_NO_DEVICE) {
		ck_assert_msg(mono_ms() - t0 < 10000, "the board is not back");
		(void)nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	ck_assert_eg(ret, EG_OK);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	fx_teardown(&f);
}
END_TEST

/* The board's relay takes the command but the door (GPIO sensors) does
 * not move: a fault, the relay off again. */
START_TEST(test_door_does_not_follow)
{
	struct fx f;
	struct gate_event ev;

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBRelay1");
	f.b.door = &f.m;
	f.b.door_channel = 1;
	f.m.door_follows = false;
	fx_open_ok(&f, "hidrelay,chip=gpiochip0,door=3,passage=5,confirm=300");
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 5000, &ev), GATE_EV_FAULT);
	ck_assert_str_eq(ev.detail, "relay on, door still shut after 300 ms");
	assert_stays_shut(&f);
	fx_teardown(&f);
}
END_TEST

/* A relay that switches on by itself while the gate is shut. */
START_TEST(test_relay_by_itself)
{
	struct fx f;
	struct gate_event ev;

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBRelay1");
	fx_open_ok(&f, "hidrelay");
	umock_dev_lock(f.ud);
	f.b.state = 0x01;
	umock_dev_unlock(f.ud);
	ck_assert_int_eq(next(&f, 3000, &ev), GATE_EV_FAULT);
	ck_assert_str_eq(ev.detail, "relay reads on, commanded off");
	ck_assert_uint_eq(board_state(&f), 0);	/* driven off at once */
	assert_stays_shut(&f);
	fx_teardown(&f);
}
END_TEST

/* The board is unplugged with the gate open, and comes back. */
START_TEST(test_unplug)
{
	struct fx f;
	struct gate_event ev;
	struct gate_status st;
	uint64_t t0;
	int ret;

	fx_setup(&f, HIDRELAY_VID, HIDRELAY_PID, "USBRelay1");
	fx_open_ok(&f, "hidrelay");
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	umock_dev_unplug(f.ud);
	ck_assert_eg(f.ops->wait_event(f.g, 3000, &ev), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->open(f.g), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->close(f.g), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->status(f.g, &st), EG_ERR_NO_DEVICE);
	ck_assert_eg(f.ops->reconnect(f.g), EG_ERR_NO_DEVICE);
	/* a board that loses power starts with every relay off */
	f.b.state = 0;
	ck_assert_eg(umock_dev_replug(f.ud), EG_OK);
	t0 = mono_ms();
	while ((ret = f.ops->reconnect(f.g)) == EG_ERR_NO_DEVICE) {
		ck_assert_msg(mono_ms() - t0 < 10000, "the board is not back");
		(void)nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	ck_assert_eg(ret, EG_OK);
	ck_assert_eg(f.ops->status(f.g, &st), EG_OK);
	ck_assert_int_eq(st.door, GATE_DOOR_CLOSED);
	ck_assert_eg(f.ops->open(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_OPENED);
	ck_assert_eg(f.ops->close(f.g), EG_OK);
	ck_assert_int_eq(next(&f, 3000, NULL), GATE_EV_DOOR_CLOSED);
	fx_teardown(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("umockdev-hidrelay");
	TCase *tc = tcase_create("libusb");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_relay_readback);
	tcase_add_test(tc, test_with_sensors);
	tcase_add_test(tc, test_not_a_relay);
	tcase_add_test(tc, test_bad_report);
	tcase_add_test(tc, test_relay_not_confirmed);
	tcase_add_test(tc, test_door_does_not_follow);
	tcase_add_test(tc, test_relay_by_itself);
	tcase_add_test(tc, test_unplug);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
