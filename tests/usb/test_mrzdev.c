/* SPDX-License-Identifier: Apache-2.0 */
/* test_mrzdev.c — the MRZ line reader driver against the simulated reader. */
#include <string.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/mrzdev.h"
#include "egate/usb_sim.h"
#include "sim_mrz.h"

/* ICAO 9303 part 4 specimen (TD3) and part 5 specimen (TD1). */
#define TD3_1 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define TD3_2 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
#define TD1_1 "I<UTOD231458907<<<<<<<<<<<<<<<"
#define TD1_2 "7408122F1204159UTO<<<<<<<<<<<6"
#define TD1_3 "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
/* Reads of data already queued: they return as soon as the line is there; the
 * deadline only has to outlast a busy machine or qemu-user (a line over several
 * transfers once missed 10 ms under qemu). Expected timeouts keep 10 ms. */
#define QUEUED_MS 5000

struct fx {
	struct sim_mrz *sim;
	struct usb_sim_bus *bus;
	struct usb_transport t;
	struct mrzdev *d;
};

static void
fx_setup(struct fx *f, size_t packet)
{
	struct usb_match m;

	memset(f, 0, sizeof(*f));
	ck_assert_eg(sim_mrz_new(&f->sim, packet), EG_OK);
	ck_assert_eg(usb_sim_bus_new(&f->bus), EG_OK);
	ck_assert_eg(usb_sim_bus_add(f->bus, &sim_mrz_device_ops, f->sim), EG_OK);
	f->t = usb_sim_bus_transport(f->bus);
	memset(&m, 0, sizeof(m));
	m.vid = SIM_MRZ_VID;
	m.pid = SIM_MRZ_PID;
	ck_assert_eg(mrzdev_open(&f->d, &f->t, &m), EG_OK);
}

static void
fx_teardown(struct fx *f)
{
	mrzdev_free(&f->d);
	ck_assert_ptr_null(f->d);
	usb_sim_bus_free(&f->bus);
	sim_mrz_free(&f->sim);
}

static void
feed(struct fx *f, const char *s)
{
	ck_assert_eg(sim_mrz_feed(f->sim, s, strlen(s)), EG_OK);
}

/* Every packet size, from 1 byte to a whole document per transfer. */
START_TEST(test_td3_crlf)
{
	struct fx f;
	struct mrzdev_doc doc;

	fx_setup(&f, (size_t)_i);
	feed(&f, TD3_1 "\r\n" TD3_2 "\r\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 100), EG_OK);
	ck_assert_uint_eq(doc.nlines, 2);
	ck_assert_uint_eq(doc.width, 44);
	ck_assert_str_eq(doc.line[0], TD3_1);
	ck_assert_str_eq(doc.line[1], TD3_2);
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 10), EG_ERR_TIMEOUT);
	ck_assert_uint_eq(doc.nlines, 0);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_td1_cr_and_lf)
{
	struct fx f;
	struct mrzdev_doc doc;
	char line[MRZDEV_MAX_LINE + 1];

	fx_setup(&f, 64);
	feed(&f, "\r\n\r" TD1_1 "\r" TD1_2 "\n\n" TD1_3 "\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, 100), EG_OK);
	ck_assert_uint_eq(doc.nlines, 3);
	ck_assert_uint_eq(doc.width, 30);
	ck_assert_str_eq(doc.line[2], TD1_3);
	/* a line without its terminator yet is not delivered */
	feed(&f, "ABC");
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), 10), EG_ERR_TIMEOUT);
	feed(&f, "DEF\r\n");
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), QUEUED_MS), EG_OK);
	ck_assert_str_eq(line, "ABCDEF");
	fx_teardown(&f);
}
END_TEST

START_TEST(test_bad_lines)
{
	struct fx f;
	struct mrzdev_doc doc;
	char line[MRZDEV_MAX_LINE + 1], small[10];
	char longl[MRZDEV_MAX_LINE + 3];

	fx_setup(&f, 64);
	/* overlong line: reported, then the next line reads fine */
	memset(longl, 'A', MRZDEV_MAX_LINE + 1);
	longl[MRZDEV_MAX_LINE + 1] = '\n';
	longl[MRZDEV_MAX_LINE + 2] = '\0';
	feed(&f, longl);
	feed(&f, "NEXT\n");
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), QUEUED_MS), EG_ERR_OVERFLOW);
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), QUEUED_MS), EG_OK);
	ck_assert_str_eq(line, "NEXT");
	/* exactly the maximum is fine */
	longl[MRZDEV_MAX_LINE] = '\n';
	longl[MRZDEV_MAX_LINE + 1] = '\0';
	feed(&f, longl);
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), QUEUED_MS), EG_OK);
	ck_assert_uint_eq(strlen(line), MRZDEV_MAX_LINE);
	/* longer than the caller's buffer */
	feed(&f, "0123456789\n");
	ck_assert_eg(mrzdev_read_line(f.d, small, sizeof(small), QUEUED_MS),
	    EG_ERR_OVERFLOW);
	/* control bytes */
	feed(&f, "AB\x01" "C\nOK\n");
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), QUEUED_MS), EG_ERR_FORMAT);
	ck_assert_eg(mrzdev_read_line(f.d, line, sizeof(line), QUEUED_MS), EG_OK);
	ck_assert_str_eq(line, "OK");
	/* not MRZ characters, wrong widths, mixed widths */
	feed(&f, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<a\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, QUEUED_MS), EG_ERR_FORMAT);
	feed(&f, "SHORT\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, QUEUED_MS), EG_ERR_FORMAT);
	feed(&f, TD3_1 "\n" TD1_2 "\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, QUEUED_MS), EG_ERR_FORMAT);
	/* and the next document reads */
	feed(&f, TD3_1 "\n" TD3_2 "\n");
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, QUEUED_MS), EG_OK);
	ck_assert_str_eq(doc.line[1], TD3_2);
	/* unplug */
	sim_mrz_unplug(f.sim);
	ck_assert_eg(mrzdev_read_doc(f.d, &doc, QUEUED_MS), EG_ERR_NO_DEVICE);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_open)
{
	struct usb_sim_bus *bus;
	struct usb_transport t;
	struct usb_match m;
	struct mrzdev *d;

	ck_assert_eg(usb_sim_bus_new(&bus), EG_OK);
	t = usb_sim_bus_transport(bus);
	memset(&m, 0, sizeof(m));
	ck_assert_eg(mrzdev_open(&d, &t, &m), EG_ERR_NOT_FOUND);
	ck_assert_ptr_null(d);
	ck_assert_eg(mrzdev_open(&d, NULL, &m), EG_ERR_INVAL);
	usb_sim_bus_free(&bus);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("mrzdev");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_td3_crlf, 1, 100);
	tcase_add_test(tc, test_td1_cr_and_lf);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_open);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
