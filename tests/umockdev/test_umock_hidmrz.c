/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_umock_hidmrz.c — the MRZ source's `hid` backend (mrzhid.c,
 * hidkbd.c) over the REAL libusb backend against an emulated keyboard-wedge
 * MRZ reader (umock_hidkbd.c) where the kernel would be: the source is
 * opened from its spec as the kiosk opens it, claims the boot keyboard
 * interface with the kernel driver detached, sets the boot protocol and
 * reads the typed MRZ through interrupt transfers. Garbled reports, an
 * unplug while a read waits and the replug, a reader without a boot
 * interface (found by VID:PID only) and one that refuses the boot protocol.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/mrzsrc.h"
#include "egate/usb_libusb.h"
#include "umock.h"
#include "umock_hidkbd.h"

#define TD3_1 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define TD3_2 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"

struct fx {
	struct umock *u;
	struct umock_hidkbd *kb;
	struct usb_libusb *lu;		/* only to wait on the testbed's events */
	struct mrz_source *s;
	char spec[32];
};

static void
fx_plug(struct fx *f, bool boot)
{
	memset(f, 0, sizeof(*f));
	ck_assert_msg(umock_preloaded(),
	    "run under libumockdev-preload (Debian package umockdev; "
	    "meson test --suite umockdev sets LD_PRELOAD)");
	ck_assert_eg(umock_new(&f->u), EG_OK);
	ck_assert_eg(umock_hidkbd_add(f->u, boot, &f->kb), EG_OK);
	ck_assert_eg(usb_libusb_new(&f->lu), EG_OK);
	snprintf(f->spec, sizeof(f->spec), "hid:%04x:%04x", UMOCK_HIDKBD_VID, UMOCK_HIDKBD_PID);
}

static void
fx_setup(struct fx *f)
{
	char err[256];

	fx_plug(f, true);
	ck_assert_msg(mrz_source_open(f->spec, NULL, &f->s, err, sizeof(err)) == EG_OK, "%s", err);
}

static void
fx_teardown(struct fx *f)
{
	mrz_source_free(&f->s);
	usb_libusb_free(&f->lu);
	umock_free(&f->u);
	umock_hidkbd_free(&f->kb);
}

static void
type(struct fx *f, const char *s)
{
	umock_dev_lock(umock_hidkbd_dev(f->kb));
	ck_assert_eg(umock_hidkbd_type(f->kb, s), EG_OK);
	umock_dev_unlock(umock_hidkbd_dev(f->kb));
}

static void
report(struct fx *f, const uint8_t *rep, size_t len)
{
	umock_dev_lock(umock_hidkbd_dev(f->kb));
	ck_assert_eg(umock_hidkbd_report(f->kb, rep, len), EG_OK);
	umock_dev_unlock(umock_hidkbd_dev(f->kb));
}

static void
expect_td3(struct fx *f)
{
	struct mrzdev_doc doc;

	ck_assert_eg(mrz_source_read_doc(f->s, &doc, 10000), EG_OK);
	ck_assert_uint_eq(doc.nlines, 2);
	ck_assert_uint_eq(doc.width, 44);
	ck_assert_str_eq(doc.line[0], TD3_1);
	ck_assert_str_eq(doc.line[1], TD3_2);
}

START_TEST(test_td3)
{
	struct fx f;
	struct mrzdev_doc doc;
	struct umock_stats st;

	fx_setup(&f);
	ck_assert_str_eq(mrz_source_desc(f.s), "hid:1209:0005");
	umock_dev_lock(umock_hidkbd_dev(f.kb));
	ck_assert_uint_eq(umock_hidkbd_protocol(f.kb), 0);	/* boot */
	ck_assert_uint_eq(umock_hidkbd_set_protocols(f.kb), 1);
	umock_dev_unlock(umock_hidkbd_dev(f.kb));
	umock_dev_stats(umock_hidkbd_dev(f.kb), &st);
	ck_assert_uint_ge(st.detach_claims, 1);		/* usbhid detached */
	type(&f, TD3_1 "\n" TD3_2 "\n");
	expect_td3(&f);
	/* 90 characters, two reports each: 180 interrupt transfers */
	umock_dev_stats(umock_hidkbd_dev(f.kb), &st);
	ck_assert_uint_ge(st.reaps, 180);
	/* nothing more: a timeout */
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 200), EG_ERR_TIMEOUT);
	/* the next traveller */
	type(&f, "\n" TD3_1 "\n" TD3_2 "\n");
	expect_td3(&f);
	mrz_source_free(&f.s);
	umock_dev_stats(umock_hidkbd_dev(f.kb), &st);
	ck_assert_uint_ge(st.reattaches, 1);		/* usbhid asked back */
	fx_teardown(&f);
}
END_TEST

START_TEST(test_garbled)
{
	struct fx f;
	struct mrzdev_doc doc;
	const uint8_t space[8] = { 0, 0, 0x2C }, up[8] = { 0 },
	    phantom[8] = { 0x02, 0, 1, 1, 1, 1, 1, 1 }, longrep[12] = { 0, 0, 0x04 };
	char longl[200];

	fx_setup(&f);
	/* a space where a filler belongs: the line is no MRZ */
	type(&f, "P<UTOERIKSSON");
	report(&f, space, sizeof(space));
	report(&f, up, sizeof(up));
	type(&f, "ANNA<MARIA<<<<<<<<<<<<<<<<<<<<\n");
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10000), EG_ERR_FORMAT);
	ck_assert_uint_eq(doc.nlines, 0);
	/* a report that is not 8 bytes */
	type(&f, "P<UTO");
	report(&f, longrep, sizeof(longrep));
	type(&f, "\n");
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10000), EG_ERR_FORMAT);
	/* an overlong line */
	memset(longl, 'A', sizeof(longl) - 2);
	longl[sizeof(longl) - 2] = '\n';
	longl[sizeof(longl) - 1] = '\0';
	type(&f, longl);
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10000), EG_ERR_OVERFLOW);
	/* a phantom report in the middle of a good document changes nothing;
	 * the reader still delivers it */
	type(&f, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
	report(&f, phantom, sizeof(phantom));
	type(&f, "\n" TD3_2 "\n");
	expect_td3(&f);
	fx_teardown(&f);
}
END_TEST

static void
link_error(struct fx *f, int err)
{
	umock_dev_lock(umock_hidkbd_dev(f->kb));
	ck_assert_eg(umock_hidkbd_link_error(f->kb, err), EG_OK);
	umock_dev_unlock(umock_hidkbd_dev(f->kb));
}

/* Reports the link spoils: a CRC error, babble, a stall (cleared) each
 * spoil their line; a reader whose transfers keep failing is an I/O error.
 * The next document reads after each. */
START_TEST(test_link_errors)
{
	static const int errs[] = { -EPROTO, -EOVERFLOW, -EPIPE };
	struct fx f;
	struct mrzdev_doc doc;
	struct umock_stats st;

	fx_setup(&f);
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		type(&f, "P<UTOERIKSSON<<ANNA");
		link_error(&f, errs[i]);
		type(&f, "<MARIA<<<<<<<<<<<<<<<<<<<\n");
		ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10000), EG_ERR_FORMAT);
		type(&f, TD3_1 "\n" TD3_2 "\n");
		expect_td3(&f);
	}
	umock_dev_stats(umock_hidkbd_dev(f.kb), &st);
	ck_assert_uint_ge(st.clear_halts, 1);		/* the stall was cleared */
	/* four failed transfers in a row: EG_ERR_IO, and the reader still works */
	type(&f, "P<UTO");
	for (int i = 0; i < 4; i++)
		link_error(&f, -EPROTO);
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10000), EG_ERR_IO);
	type(&f, "\n" TD3_1 "\n" TD3_2 "\n");
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10000), EG_ERR_FORMAT);	/* "P<UTO" */
	expect_td3(&f);
	fx_teardown(&f);
}
END_TEST

/* The reader is unplugged while a read waits, then comes back. */
START_TEST(test_unplug_replug)
{
	struct fx f;
	struct mrzdev_doc doc;
	struct timespec t0, t;
	int ret;

	fx_setup(&f);
	type(&f, TD3_1 "\n");		/* half a document */
	umock_dev_unplug(umock_hidkbd_dev(f.kb));
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 5000), EG_ERR_NO_DEVICE);
	ck_assert_uint_eq(doc.nlines, 0);
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 100), EG_ERR_NO_DEVICE);
	ck_assert_eg(mrz_source_reconnect(f.s), EG_ERR_NOT_FOUND);
	umock_dev_lock(umock_hidkbd_dev(f.kb));
	ck_assert_uint_gt(umock_hidkbd_queued(f.kb), 0);
	umock_hidkbd_clear(f.kb);	/* what was typed is lost with the reader */
	umock_dev_unlock(umock_hidkbd_dev(f.kb));
	ck_assert_eg(umock_dev_replug(umock_hidkbd_dev(f.kb)), EG_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((ret = mrz_source_reconnect(f.s)) == EG_ERR_NOT_FOUND) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		ck_assert_msg(t.tv_sec - t0.tv_sec < 10, "MRZ reader not back");
		usb_libusb_handle_events(f.lu, 20);
	}
	ck_assert_eg(ret, EG_OK);
	umock_dev_lock(umock_hidkbd_dev(f.kb));
	ck_assert_uint_eq(umock_hidkbd_set_protocols(f.kb), 2);	/* boot again */
	umock_dev_unlock(umock_hidkbd_dev(f.kb));
	type(&f, TD3_1 "\n" TD3_2 "\n");
	expect_td3(&f);
	fx_teardown(&f);
}
END_TEST

/* A reader whose HID interface is not of the boot subclass: `hid` does not
 * take it, `hid:VID:PID` does (no SET_PROTOCOL: it must send boot reports). */
START_TEST(test_not_boot)
{
	struct fx f;
	char err[256];

	fx_plug(&f, false);
	ck_assert_eg(mrz_source_open("hid", NULL, &f.s, err, sizeof(err)), EG_ERR_NOT_FOUND);
	ck_assert_msg(strstr(err, "no usable HID keyboard MRZ reader 0000:0000") != NULL, "%s", err);
	ck_assert_msg(mrz_source_open(f.spec, NULL, &f.s, err, sizeof(err)) == EG_OK, "%s", err);
	umock_dev_lock(umock_hidkbd_dev(f.kb));
	ck_assert_uint_eq(umock_hidkbd_set_protocols(f.kb), 0);
	umock_dev_unlock(umock_hidkbd_dev(f.kb));
	type(&f, TD3_1 "\n" TD3_2 "\n");
	expect_td3(&f);
	fx_teardown(&f);
}
END_TEST

/* A boot keyboard that refuses SET_PROTOCOL(boot): a clear open error. */
START_TEST(test_refuses_boot)
{
	struct fx f;
	char err[256];

	fx_plug(&f, true);
	umock_dev_lock(umock_hidkbd_dev(f.kb));
	umock_hidkbd_refuse_protocol(f.kb, true);
	umock_dev_unlock(umock_hidkbd_dev(f.kb));
	ck_assert_eg(mrz_source_open("hid", NULL, &f.s, err, sizeof(err)), EG_ERR_IO);
	ck_assert_ptr_null(f.s);
	ck_assert_msg(strstr(err, "no usable HID keyboard MRZ reader") != NULL, "%s", err);
	fx_teardown(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("umockdev-hidmrz");
	TCase *tc = tcase_create("libusb");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_td3);
	tcase_add_test(tc, test_garbled);
	tcase_add_test(tc, test_link_errors);
	tcase_add_test(tc, test_unplug_replug);
	tcase_add_test(tc, test_not_boot);
	tcase_add_test(tc, test_refuses_boot);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
