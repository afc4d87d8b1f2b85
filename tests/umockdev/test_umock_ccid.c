/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_umock_ccid.c — the CCID driver over the REAL libusb backend
 * (usb_libusb.c, libusb-1.0, usbdevfs ioctls) against the simulated reader
 * (hw/sim/sim_ccid.c) put where the kernel would be by umockdev. Runs under
 * libumockdev-preload (tests/umockdev/meson.build says how).
 *
 * Every test builds its own testbed in its own process (Check forks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eg_check.h"
#include "egate/ccid.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/usb_libusb.h"
#include "egate/usb_profile.h"
#include "sim_card.h"
#include "sim_ccid.h"
#include "umock.h"

static struct usb_profile_table profiles;

struct fx {
	const struct usb_profile *prof;
	struct umock *u;
	struct sim_ccid *rdr;
	struct sim_echo_card *card;
	struct umock_sim *us;
	struct umock_dev *ud;
	struct usb_libusb *lu;
	struct usb_transport t;
	struct ccid_dev *d;
};

static void
load_profiles(void)
{
	struct eg_cfg_error err;

	if (usb_profile_load_file(HW_PROFILES, &profiles, &err) != EG_OK) {
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		abort();
	}
}

static void
need_preload(void)
{
	ck_assert_msg(umock_preloaded(),
	    "run under libumockdev-preload (Debian package umockdev; "
	    "meson test --suite umockdev sets LD_PRELOAD)");
}

static void
ccid_replug(void *dev)
{
	sim_ccid_replug(dev);
}

/* Testbed + simulated reader of profile i (+ card) + libusb + ccid_open. */
static void
fx_setup_desc(struct fx *f, int i, bool with_card, const struct umock_buf *desc)
{
	struct ccid_opts o = { .timeout_ms = 2000, .max_wait_ms = 4000 };
	struct usb_match m;
	struct ccid_event ev;

	memset(f, 0, sizeof(*f));
	need_preload();
	ck_assert_uint_lt((size_t)i, profiles.n);
	f->prof = &profiles.p[i];
	ck_assert_eg(umock_new(&f->u), EG_OK);
	ck_assert_eg(sim_ccid_new(&f->rdr, f->prof), EG_OK);
	ck_assert_eg(sim_echo_card_new(&f->card), EG_OK);
	ck_assert_eg(umock_sim_add(f->u, &sim_ccid_device_ops, f->rdr, desc,
	    "egate test", f->prof->name, ccid_replug, &f->us), EG_OK);
	f->ud = umock_sim_dev(f->us);
	ck_assert_eg(usb_libusb_new(&f->lu), EG_OK);
	f->t = usb_libusb_transport(f->lu);
	if (desc != NULL)
		return;		/* the test opens (and expects a failure) */
	memset(&m, 0, sizeof(m));
	m.vid = f->prof->vid;
	m.pid = f->prof->pid;
	ck_assert_eg(ccid_open(&f->d, &f->t, &m, &profiles, &o), EG_OK);
	if (with_card) {
		umock_dev_lock(f->ud);
		sim_ccid_insert(f->rdr, &sim_echo_card_ops, f->card);
		umock_dev_unlock(f->ud);
		if (!(f->prof->quirks & USB_QUIRK_NO_NOTIFY))
			ck_assert_eg(ccid_wait_event(f->d, 2000, &ev), EG_OK);
	}
}

static void
fx_setup(struct fx *f, int i, bool with_card)
{
	fx_setup_desc(f, i, with_card, NULL);
}

static void
fx_teardown(struct fx *f)
{
	ccid_free(&f->d);
	usb_libusb_free(&f->lu);
	umock_free(&f->u);
	umock_sim_free(&f->us);
	sim_echo_card_free(&f->card);
	sim_ccid_free(&f->rdr);
}

static void
power_on(struct fx *f)
{
	uint8_t atr[CCID_MAX_ATR];
	size_t alen = 0;
	struct ccid_status st;

	ck_assert_eg(ccid_power_on(f->d, atr, sizeof(atr), &alen, &st), EG_OK);
	ck_assert_uint_gt(alen, 1);
	ck_assert_uint_eq(atr[0], 0x3B);
	ck_assert_uint_eq(st.icc, CCID_ICC_ACTIVE);
}

/* ECHO (80 10 00 00) of n bytes, extended when n > 255. */
static void
echo(struct fx *f, size_t n, int want)
{
	static uint8_t c[65536 + 9], r[65536 + 2];
	size_t clen = 0, rlen = 0, i;

	c[clen++] = 0x80; c[clen++] = 0x10; c[clen++] = 0; c[clen++] = 0;
	if (n <= 255) {
		c[clen++] = (uint8_t)n;
	} else {
		c[clen++] = 0; c[clen++] = (uint8_t)(n >> 8); c[clen++] = (uint8_t)n;
	}
	for (i = 0; i < n; i++)
		c[clen++] = (uint8_t)(i * 13 + 7);
	if (n <= 255) {
		c[clen++] = 0;
	} else {
		c[clen++] = 0; c[clen++] = 0;
	}
	ck_assert_eg(ccid_transmit(f->d, c, clen, r, sizeof(r), &rlen), want);
	if (want != EG_OK)
		return;
	ck_assert_uint_eq(rlen, n + 2);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(r[i], (uint8_t)(i * 13 + 7));
	ck_assert_uint_eq(r[n], 0x90);
	ck_assert_uint_eq(r[n + 1], 0x00);
}

/* ---- the good path, every profile ---------------------------------------- */

START_TEST(test_enumerate_open)
{
	struct fx f;
	struct usb_dev_info found[8];
	struct ccid_info ci;
	size_t n = 0;

	fx_setup(&f, _i, false);
	ck_assert_eg(usb_libusb_enumerate(f.lu, USB_CLASS_SMART_CARD, &profiles,
	    found, 8, &n), EG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(found[0].vid, f.prof->vid);
	ck_assert_uint_eq(found[0].pid, f.prof->pid);
	ck_assert_uint_eq(found[0].bus, 1);
	ck_assert_uint_eq(found[0].address, umock_dev_address(f.ud));
	ck_assert_uint_eq(found[0].has_intr_in, 1);
	ccid_get_info(f.d, &ci);
	ck_assert_uint_eq(ci.max_message, f.prof->max_message);
	ck_assert_int_eq(ci.level, CCID_EXCHANGE_EXTENDED_APDU);
	ck_assert_str_eq(ci.name, f.prof->name);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_power_on_echo)
{
	struct fx f;
	struct umock_stats st;

	fx_setup(&f, _i, true);
	power_on(&f);
	echo(&f, 1, EG_OK);
	echo(&f, 255, EG_OK);
	/* chained both ways at the reader's message size */
	echo(&f, f.prof->max_message * 3 + 5, EG_OK);
	umock_dev_stats(f.ud, &st);
	ck_assert_uint_gt(st.submits, 6);
	ck_assert_uint_gt(st.reaps, 6);
	ck_assert_uint_eq(st.claims, 1);
	fx_teardown(&f);
}
END_TEST

/* ---- malformed descriptors: a clear error at open, never a crash ---------- */

/* The built descriptor set of profile 0 with one edit; where is the offset of
 * the CCID class descriptor inside it. */
static void
desc_of(struct umock_buf *b, size_t *ccid_at)
{
	struct sim_ccid *r;
	size_t i;

	ck_assert_eg(sim_ccid_new(&r, &profiles.p[0]), EG_OK);
	ck_assert_eg(umock_sim_desc(&sim_ccid_device_ops, r, b), EG_OK);
	sim_ccid_free(&r);
	for (i = 18; i + 1 < b->n; i += b->b[i])
		if (b->b[i + 1] == CCID_DESC_TYPE)
			break;
	ck_assert_uint_lt(i + 1, b->n);
	*ccid_at = i;
}

static int
open_with(struct fx *f)
{
	struct usb_match m;

	memset(&m, 0, sizeof(m));
	m.vid = f->prof->vid;
	m.pid = f->prof->pid;
	return ccid_open(&f->d, &f->t, &m, &profiles, NULL);
}

enum desc_edit {
	EDIT_CCID_LEN,		/* class descriptor bLength 53 */
	EDIT_MSG_TOO_SMALL,	/* dwMaxCCIDMessageLength 100 (< 271) */
	EDIT_TPDU,		/* dwFeatures: TPDU level */
	EDIT_SLOTS,		/* bMaxSlotIndex 200 */
	EDIT_NO_CCID,		/* class descriptor type 0x22 (not CCID) */
	EDIT_TOTAL_LONG,	/* wTotalLength past the bytes */
	EDIT_ZERO_LEN,		/* a descriptor of bLength 0 */
	EDIT_TRUNCATED,		/* configuration cut inside an endpoint */
	EDIT_NO_BULK,		/* both bulk endpoints turned into interrupt */
	EDIT_COUNT
};

START_TEST(test_bad_descriptors)
{
	/* what ccid_open says, then what power-on says */
	static const int want[EDIT_COUNT][2] = {
		/* libusb refuses the configuration (the stray byte after a
		 * 53-byte descriptor reads as bLength 1) */
		[EDIT_CCID_LEN] = { EG_ERR_FORMAT, 0 },
		[EDIT_MSG_TOO_SMALL] = { EG_ERR_FORMAT, 0 },
		[EDIT_TPDU] = { EG_ERR_UNSUPPORTED, 0 },
		[EDIT_SLOTS] = { EG_ERR_FORMAT, 0 },
		[EDIT_NO_CCID] = { EG_ERR_NOT_FOUND, 0 },
		/* libusb trims wTotalLength to the bytes there, as Linux does */
		[EDIT_TOTAL_LONG] = { EG_OK, EG_OK },
		[EDIT_ZERO_LEN] = { EG_ERR_FORMAT, 0 },
		/* the cut interrupt endpoint is dropped: polled reader */
		[EDIT_TRUNCATED] = { EG_OK, EG_OK },
		/* opens; the first command says what is missing */
		[EDIT_NO_BULK] = { EG_OK, EG_ERR_UNSUPPORTED },
	};
	struct umock_buf b;
	struct fx f;
	size_t at, n = 0;
	uint32_t feat;
	struct usb_dev_info found[4];
	uint8_t atr[CCID_MAX_ATR];
	size_t alen;

	desc_of(&b, &at);
	switch (_i) {
	case EDIT_CCID_LEN: b.b[at] = 53; break;
	case EDIT_MSG_TOO_SMALL:
		b.b[at + 44] = 100; b.b[at + 45] = 0; b.b[at + 46] = 0; b.b[at + 47] = 0;
		break;
	case EDIT_TPDU:
		feat = (uint32_t)(b.b[at + 40] | b.b[at + 41] << 8 |
		    b.b[at + 42] << 16 | (uint32_t)b.b[at + 43] << 24);
		feat = (feat & ~0x00070000u) | 0x00010000u;
		b.b[at + 40] = (uint8_t)feat; b.b[at + 41] = (uint8_t)(feat >> 8);
		b.b[at + 42] = (uint8_t)(feat >> 16); b.b[at + 43] = (uint8_t)(feat >> 24);
		break;
	case EDIT_SLOTS: b.b[at + 4] = 200; break;
	case EDIT_NO_CCID: b.b[at + 1] = 0x22; break;
	case EDIT_TOTAL_LONG: b.b[18 + 2] = (uint8_t)(b.n - 18 + 40); break;
	case EDIT_ZERO_LEN: b.b[at] = 0; break;
	case EDIT_TRUNCATED: b.n -= 3; break;
	case EDIT_NO_BULK:
		for (size_t i = at; i + 3 < b.n; i += b.b[i])
			if (b.b[i + 1] == 0x05 && (b.b[i + 3] & 3) == 2)
				b.b[i + 3] = 3;
		break;
	default: ck_abort();
	}
	fx_setup_desc(&f, 0, false, &b);
	/* enumeration survives whatever the descriptors say */
	ck_assert_eg(usb_libusb_enumerate(f.lu, USB_CLASS_SMART_CARD, &profiles,
	    found, 4, &n), EG_OK);
	ck_assert_eg(open_with(&f), want[_i][0]);
	if (want[_i][0] == EG_OK) {
		umock_dev_lock(f.ud);
		sim_ccid_insert(f.rdr, &sim_echo_card_ops, f.card);
		umock_dev_unlock(f.ud);
		ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &alen, NULL),
		    want[_i][1]);
	}
	if (want[_i][1] == EG_OK && want[_i][0] == EG_OK)
		echo(&f, 300, EG_OK);
	fx_teardown(&f);
}
END_TEST

/* ---- bad CCID replies through the real USB path ---------------------------- */

struct fault_case {
	enum sim_ccid_fault f;
	int want;
};

static const struct fault_case faults[] = {
	{ SIM_CCID_FAULT_WRONG_SEQ, EG_ERR_PROTOCOL },
	{ SIM_CCID_FAULT_WRONG_TYPE, EG_ERR_PROTOCOL },
	{ SIM_CCID_FAULT_WRONG_SLOT, EG_ERR_PROTOCOL },
	{ SIM_CCID_FAULT_BAD_LENGTH, EG_ERR_PROTOCOL },
	{ SIM_CCID_FAULT_HUGE_LENGTH, EG_ERR_PROTOCOL },
	{ SIM_CCID_FAULT_STALL_OUT, EG_ERR_IO },
	{ SIM_CCID_FAULT_STALL_IN, EG_ERR_IO },
	{ SIM_CCID_FAULT_HW_ERROR, EG_ERR_DEVICE },
	{ SIM_CCID_FAULT_TIME_EXT, EG_OK },
};

START_TEST(test_bad_replies)
{
	const struct fault_case *fc = &faults[_i];
	struct fx f;
	struct umock_stats before, after;

	fx_setup(&f, 0, true);
	power_on(&f);
	umock_dev_stats(f.ud, &before);
	umock_dev_lock(f.ud);
	sim_ccid_arm(f.rdr, fc->f, 3, 1);
	umock_dev_unlock(f.ud);
	echo(&f, 40, fc->want);
	/* the reader is usable again at once */
	echo(&f, 40, EG_OK);
	echo(&f, 300, EG_OK);
	umock_dev_stats(f.ud, &after);
	if (fc->want == EG_ERR_IO)	/* halts cleared through usbdevfs */
		ck_assert_uint_gt(after.clear_halts, before.clear_halts);
	if (fc->want == EG_ERR_IO)
		ck_assert_uint_gt(after.stalls, before.stalls);
	fx_teardown(&f);
}
END_TEST

/* Link faults: a short transfer, babble, a CRC error, a lost reply. */
START_TEST(test_link_faults)
{
	static const struct {
		enum umock_in_fault f;
		size_t n;
		int want;
	} lf[] = {
		{ UMOCK_IN_TRUNCATE, 6, EG_ERR_PROTOCOL },	/* short header */
		{ UMOCK_IN_TRUNCATE, 30, EG_ERR_PROTOCOL },	/* dwLength > bytes */
		{ UMOCK_IN_TRUNCATE, 0, EG_ERR_PROTOCOL },	/* zero-length packet */
		{ UMOCK_IN_BABBLE, 0, EG_ERR_OVERFLOW },
		{ UMOCK_IN_PROTO, 0, EG_ERR_IO },
		{ UMOCK_IN_SILENT, 0, EG_ERR_TIMEOUT },
	};
	struct fx f;
	struct ccid_opts o = { .timeout_ms = 1000, .max_wait_ms = 1000 };
	struct usb_match m;
	struct umock_stats st;

	fx_setup(&f, 0, true);
	ccid_free(&f.d);	/* reopen with a short timeout */
	memset(&m, 0, sizeof(m));
	m.vid = f.prof->vid;
	m.pid = f.prof->pid;
	ck_assert_eg(ccid_open(&f.d, &f.t, &m, &profiles, &o), EG_OK);
	power_on(&f);
	umock_dev_lock(f.ud);
	umock_sim_arm_in(f.us, UMOCK_EP_IN, lf[_i].f, lf[_i].n);
	umock_dev_unlock(f.ud);
	echo(&f, 40, lf[_i].want);
	umock_dev_lock(f.ud);
	umock_sim_arm_in(f.us, UMOCK_EP_IN, UMOCK_IN_OK, 0);
	umock_dev_unlock(f.ud);
	echo(&f, 40, EG_OK);
	umock_dev_stats(f.ud, &st);
	if (lf[_i].f == UMOCK_IN_SILENT)	/* libusb cancelled the URB */
		ck_assert_uint_ge(st.discards, 1);
	fx_teardown(&f);
}
END_TEST

/* A reply that comes late (after its command timed out) is skipped. */
START_TEST(test_late_reply)
{
	struct fx f;
	struct ccid_opts o = { .timeout_ms = 1000, .max_wait_ms = 1000 };
	struct usb_match m;

	fx_setup(&f, 0, true);
	ccid_free(&f.d);
	memset(&m, 0, sizeof(m));
	m.vid = f.prof->vid;
	m.pid = f.prof->pid;
	ck_assert_eg(ccid_open(&f.d, &f.t, &m, &profiles, &o), EG_OK);
	power_on(&f);
	umock_dev_lock(f.ud);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_LATE, 0, 0);
	umock_dev_unlock(f.ud);
	echo(&f, 10, EG_ERR_TIMEOUT);
	echo(&f, 10, EG_OK);
	fx_teardown(&f);
}
END_TEST

/* Card events: NotifySlotChange on the interrupt endpoint, and garbage. */
START_TEST(test_card_events)
{
	static const uint8_t bad[][4] = {
		{ 0x50, 0x03, 0x00, 0x00 },	/* one byte too many */
		{ 0x77, 0x00, 0x00, 0x00 },	/* unknown type */
		{ 0x51, 0x00, 0x00, 0x00 },	/* HardwareError, one short */
	};
	static const size_t bad_len[] = { 3, 1, 3 };
	struct fx f;
	struct ccid_event ev;
	size_t i;

	fx_setup(&f, 0, true);
	power_on(&f);
	umock_dev_lock(f.ud);
	sim_ccid_remove(f.rdr);
	umock_dev_unlock(f.ud);
	ck_assert_eg(ccid_wait_event(f.d, 2000, &ev), EG_OK);
	ck_assert_int_eq(ev.type, CCID_EVENT_CARD_REMOVED);
	echo(&f, 4, EG_ERR_NO_CARD);
	ck_assert_eg(ccid_wait_event(f.d, 100, &ev), EG_ERR_TIMEOUT);
	for (i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		umock_dev_lock(f.ud);
		ck_assert_eg(sim_ccid_push_interrupt(f.rdr, bad[i], bad_len[i]),
		    EG_OK);
		umock_dev_unlock(f.ud);
		ck_assert_eg(ccid_wait_event(f.d, 2000, &ev), EG_ERR_PROTOCOL);
	}
	umock_dev_lock(f.ud);
	sim_ccid_insert(f.rdr, &sim_echo_card_ops, f.card);
	umock_dev_unlock(f.ud);
	ck_assert_eg(ccid_wait_event(f.d, 2000, &ev), EG_OK);
	ck_assert_int_eq(ev.type, CCID_EVENT_CARD_PLACED);
	power_on(&f);
	echo(&f, 4, EG_OK);
	fx_teardown(&f);
}
END_TEST

/* ---- the reader vanishes ---------------------------------------------------- */

static void
wait_reconnect(struct fx *f)
{
	struct timespec t0, t;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ret = ccid_reconnect(f->d);
		if (ret == EG_OK)
			return;
		ck_assert_eg(ret, EG_ERR_NOT_FOUND);
		clock_gettime(CLOCK_MONOTONIC, &t);
		ck_assert_msg(t.tv_sec - t0.tv_sec < 10, "reader not back in 10 s");
		usb_libusb_handle_events(f->lu, 20);
	}
}

/* Unplugged in the middle of an APDU (the simulator's fault: the command
 * went out, then the device died), then plugged back. */
START_TEST(test_unplug_mid_apdu)
{
	struct fx f;
	struct umock_stats st;

	fx_setup(&f, _i, true);
	power_on(&f);
	umock_dev_lock(f.ud);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_UNPLUG, 0, 0);
	umock_dev_unlock(f.ud);
	echo(&f, 300, EG_ERR_NO_DEVICE);
	echo(&f, 4, EG_ERR_NO_DEVICE);
	umock_dev_sync(f.ud);	/* "remove" uevent, sysfs entry gone */
	ck_assert_eg(ccid_reconnect(f.d), EG_ERR_NOT_FOUND);
	ck_assert_eg(umock_sim_replug(f.us), EG_OK);
	wait_reconnect(&f);
	power_on(&f);
	echo(&f, 300, EG_OK);
	umock_dev_stats(f.ud, &st);
	ck_assert_uint_ge(st.enodev, 1);
	fx_teardown(&f);
}
END_TEST

/* Unplugged while the driver waits for a reply (a URB in flight), and while
 * idle between commands. */
START_TEST(test_unplug_in_flight)
{
	struct fx f;
	struct ccid_event ev;

	fx_setup(&f, 0, true);
	power_on(&f);
	/* the interrupt URB is in flight while the device leaves */
	umock_sim_unplug(f.us);
	ck_assert_eg(ccid_wait_event(f.d, 2000, &ev), EG_ERR_NO_DEVICE);
	echo(&f, 4, EG_ERR_NO_DEVICE);
	ck_assert_eg(umock_sim_replug(f.us), EG_OK);
	wait_reconnect(&f);
	/* the card is still there, powered down by the unplug */
	power_on(&f);
	echo(&f, 4, EG_OK);
	fx_teardown(&f);
}
END_TEST

/* libusb's hotplug (udev monitor inside the preload) sees both ways. */
struct hp {
	int arrived, left;
	uint16_t vid;
};

static void
on_hotplug(void *user, int arrived, const struct usb_dev_info *info)
{
	struct hp *h = user;

	if (info->vid != h->vid)
		return;
	if (arrived)
		h->arrived++;
	else
		h->left++;
}

static void
wait_hp(struct fx *f, struct hp *h, int arrived, int left)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (h->arrived < arrived || h->left < left) {
		ck_assert_eg(usb_libusb_handle_events(f->lu, 50), EG_OK);
		clock_gettime(CLOCK_MONOTONIC, &t);
		ck_assert_msg(t.tv_sec - t0.tv_sec < 10,
		    "hotplug: %d/%d arrivals, %d/%d departures after 10 s",
		    h->arrived, arrived, h->left, left);
	}
}

START_TEST(test_hotplug)
{
	struct fx f;
	struct hp h = { 0, 0, 0 };

	fx_setup(&f, 0, false);
	h.vid = f.prof->vid;
	ck_assert_eg(usb_libusb_hotplug_start(f.lu, USB_CLASS_SMART_CARD,
	    &profiles, on_hotplug, &h), EG_OK);
	ck_assert_int_eq(h.arrived, 1);		/* LIBUSB_HOTPLUG_ENUMERATE */
	umock_sim_unplug(f.us);
	wait_hp(&f, &h, 1, 1);
	ck_assert_eg(umock_sim_replug(f.us), EG_OK);
	wait_hp(&f, &h, 2, 1);
	wait_reconnect(&f);
	fx_teardown(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("umockdev-ccid");
	TCase *tc = tcase_create("libusb");
	int n;

	load_profiles();
	n = (int)profiles.n;
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_enumerate_open, 0, n);
	tcase_add_loop_test(tc, test_power_on_echo, 0, n);
	tcase_add_loop_test(tc, test_unplug_mid_apdu, 0, n);
	suite_add_tcase(s, tc);
	tc = tcase_create("misbehaving");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bad_descriptors, 0, EDIT_COUNT);
	tcase_add_loop_test(tc, test_bad_replies, 0,
	    (int)(sizeof(faults) / sizeof(faults[0])));
	tcase_add_loop_test(tc, test_link_faults, 0, 6);
	tcase_add_test(tc, test_late_reply);
	tcase_add_test(tc, test_card_events);
	tcase_add_test(tc, test_unplug_in_flight);
	tcase_add_test(tc, test_hotplug);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
