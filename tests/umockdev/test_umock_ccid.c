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
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
