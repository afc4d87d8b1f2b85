/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_libusb.c — the libusb backend without hardware: the context comes up
 * (or fails with a named error), enumeration and open behave when no reader
 * is attached. Hardware tests are manual: see docs/devices.md.
 */
#include <string.h>

#include "eg_check.h"
#include "egate/ccid.h"
#include "egate/error.h"
#include "egate/usb_libusb.h"

static void
on_hotplug(void *user, int arrived, const struct usb_dev_info *info)
{
	(void)arrived;
	(void)info;
	(*(int *)user)++;
}

START_TEST(test_hotplug)
{
	struct usb_libusb *lu = NULL;
	struct usb_dev_info info[64];
	size_t n = 0;
	int calls = 0, ret;

	ck_assert_eg(usb_libusb_new(&lu), EG_OK);
	ck_assert_eg(usb_libusb_enumerate(lu, USB_CLASS_SMART_CARD, NULL, info, 64,
	    &n), EG_OK);
	ret = usb_libusb_hotplug_start(lu, USB_CLASS_SMART_CARD, NULL, on_hotplug,
	    &calls);
	ck_assert_msg(ret == EG_OK || ret == EG_ERR_UNSUPPORTED, "got %s",
	    eg_err_name(ret));
	if (ret == EG_OK) {
		/* LIBUSB_HOTPLUG_ENUMERATE: one arrival per present reader */
		ck_assert_int_eq(calls, (int)n);
		ck_assert_eg(usb_libusb_hotplug_start(lu, USB_CLASS_SMART_CARD, NULL,
		    on_hotplug, &calls), EG_ERR_INVAL);
		ck_assert_eg(usb_libusb_handle_events(lu, 1), EG_OK);
	}
	usb_libusb_free(&lu);
}
END_TEST

START_TEST(test_no_reader)
{
	struct usb_libusb *lu = NULL;
	struct usb_transport t;
	struct usb_dev_info info[8];
	struct usb_match m;
	struct ccid_dev *d;
	size_t n = 99;
	int ret;

	/* libusb starts even without usbfs (it then sees no device) */
	ret = usb_libusb_new(&lu);
	ck_assert_eg(ret, EG_OK);
	ck_assert_eg(usb_libusb_enumerate(lu, USB_CLASS_SMART_CARD, NULL, info, 8,
	    &n), EG_OK);
	ck_assert_uint_lt(n, 100);
	/* a VID:PID no reader has (pid.codes test range, unassigned) */
	t = usb_libusb_transport(lu);
	memset(&m, 0, sizeof(m));
	m.vid = 0x1209;
	m.pid = 0x000F;
	ck_assert_eg(ccid_open(&d, &t, &m, NULL, NULL), EG_ERR_NOT_FOUND);
	ck_assert_ptr_null(d);
	ck_assert_eg(usb_libusb_handle_events(lu, 1), EG_OK);
	usb_libusb_free(&lu);
	ck_assert_ptr_null(lu);
	usb_libusb_free(&lu);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("usb_libusb");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_no_reader);
	tcase_add_test(tc, test_hotplug);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
