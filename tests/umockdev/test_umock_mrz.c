/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_umock_mrz.c — the MRZ line reader driver (mrzdev.c) over the REAL
 * libusb backend against the simulated CDC-ACM reader (hw/sim/sim_mrz.c)
 * where the kernel would be: the reader shows a CDC communication interface
 * and the CDC data interface, and mrzdev must find and claim the data one.
 * Good documents, split packets, and garbage: over-long lines, control
 * bytes, wrong lengths, a reader unplugged while a read waits.
 */
#include <string.h>
#include <time.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/mrzdev.h"
#include "egate/usb_libusb.h"
#include "sim_mrz.h"
#include "umock.h"

#define TD3_1 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define TD3_2 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
#define TD1_1 "I<UTOD231458907<<<<<<<<<<<<<<<"
#define TD1_2 "7408122F1204159UTO<<<<<<<<<<<6"
#define TD1_3 "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"

struct fx {
	struct umock *u;
	struct sim_mrz *sim;
	struct umock_sim *us;
	struct usb_libusb *lu;
	struct usb_transport t;
	struct mrzdev *d;
};

static void
fx_setup(struct fx *f, size_t packet)
{
	struct usb_match m;

	memset(f, 0, sizeof(*f));
	ck_assert_msg(umock_preloaded(),
	    "run under libumockdev-preload (Debian package umockdev; "
	    "meson test --suite umockdev sets LD_PRELOAD)");
	ck_assert_eg(umock_new(&f->u), EG_OK);
	ck_assert_eg(sim_mrz_new(&f->sim, packet), EG_OK);
	ck_assert_eg(umock_sim_add(f->u, &sim_mrz_device_ops, f->sim, NULL,
	    "egate test", "MRZ reader", NULL, &f->us), EG_OK);
	ck_assert_eg(usb_libusb_new(&f->lu), EG_OK);
	f->t = usb_libusb_transport(f->lu);
	memset(&m, 0, sizeof(m));
	m.vid = SIM_MRZ_VID;
	m.pid = SIM_MRZ_PID;
	ck_assert_eg(mrzdev_open(&f->d, &f->t, &m), EG_OK);
}

static void
fx_teardown(struct fx *f)
{
	mrzdev_free(&f->d);
	usb_libusb_free(&f->lu);
	umock_free(&f->u);
	umock_sim_free(&f->us);
	sim_mrz_free(&f->sim);
}

static void
feed(struct fx *f, const char *s)
{
	umock_dev_lock(umock_sim_dev(f->us));
	ck_assert_eg(sim_mrz_feed(f->sim, s, strlen(s)), EG_OK);
	umock_dev_unlock(umock_sim_dev(f->us));
}

/* packet sizes: one byte per transfer, odd splits, a full-speed packet */
static const size_t packets[] = { 1, 7, 64 };

START_TEST(test_documents)
{
	struct fx f;
	struct mrzdev_doc doc;

	fx_setup(&f, packets[_i]);
	feed(&f, TD3_1 "\r\n" TD3_2 "\r\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 5000), EG_OK);
	ck_assert_uint_eq(doc.nlines, 2);
	ck_assert_uint_eq(doc.width, 44);
	ck_assert_str_eq(doc.line[0], TD3_1);
	ck_assert_str_eq(doc.line[1], TD3_2);
	feed(&f, "\n\n" TD1_1 "\r" TD1_2 "\n" TD1_3 "\r\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 5000), EG_OK);
	ck_assert_uint_eq(doc.nlines, 3);
	ck_assert_str_eq(doc.line[2], TD1_3);
	/* nothing more: a timeout (the bulk-in URB is cancelled by libusb) */
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 200), EG_ERR_TIMEOUT);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_garbage)
{
	struct fx f;
	struct mrzdev_doc doc;
	char line[MRZDEV_MAX_LINE + 1];
	char longl[300];

	fx_setup(&f, 64);
	memset(longl, 'A', sizeof(longl) - 3);
	memcpy(longl + sizeof(longl) - 3, "\r\n", 3);
	feed(&f, longl);
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), 5000),
	    EG_ERR_OVERFLOW);
	feed(&f, "P<UTO\x01\x02\x7f\xff<<\r\n");
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), 5000),
	    EG_ERR_FORMAT);
	feed(&f, "P<UTOERIKSSON<<ANNA\r\n");		/* 19: no MRZ width */
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 5000), EG_ERR_FORMAT);
	feed(&f, TD3_1 "\r\n" TD1_2 "\r\n");		/* 44 then 30 */
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 5000), EG_ERR_FORMAT);
	feed(&f, "p<uto lower case and spaces here, 44 chars.\r\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 5000), EG_ERR_FORMAT);
	/* and the reader still delivers the next document */
	feed(&f, TD3_1 "\r\n" TD3_2 "\r\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 5000), EG_OK);
	ck_assert_str_eq(doc.line[1], TD3_2);
	fx_teardown(&f);
}
END_TEST

/* The reader is unplugged while a read waits, then comes back. */
START_TEST(test_unplug)
{
	struct fx f;
	struct mrzdev_doc doc;
	struct usb_match m;
	struct timespec t0, t;
	int ret;

	fx_setup(&f, 64);
	feed(&f, TD3_1 "\r\n");		/* half a document */
	umock_sim_unplug(f.us);
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 5000), EG_ERR_NO_DEVICE);
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 100), EG_ERR_NO_DEVICE);
	mrzdev_free(&f.d);
	ck_assert_eg(umock_sim_replug(f.us), EG_OK);
	memset(&m, 0, sizeof(m));
	m.vid = SIM_MRZ_VID;
	m.pid = SIM_MRZ_PID;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((ret = mrzdev_open(&f.d, &f.t, &m)) == EG_ERR_NOT_FOUND) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		ck_assert_msg(t.tv_sec - t0.tv_sec < 10, "MRZ reader not back");
		usb_libusb_handle_events(f.lu, 20);
	}
	ck_assert_eg(ret, EG_OK);
	feed(&f, TD3_1 "\r\n" TD3_2 "\r\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 5000), EG_OK);
	fx_teardown(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("umockdev-mrz");
	TCase *tc = tcase_create("libusb");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_documents, 0,
	    (int)(sizeof(packets) / sizeof(packets[0])));
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_unplug);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
