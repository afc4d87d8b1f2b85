/* SPDX-License-Identifier: Apache-2.0 */
/* test_mrzsrc.c — the MRZ source (egate/mrzsrc.h): its spec parsing, the
 * acm backend over the simulated CDC-ACM MRZ reader, an unplugged reader
 * found again, and misbehaving readers (lines that are no MRZ). */
#include <string.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/mrzsrc.h"
#include "egate/usb_sim.h"
#include "sim_mrz.h"

#define TD3_1 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define TD3_2 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"

struct fx {
	struct sim_mrz *sim;
	struct usb_sim_bus *bus;
	struct usb_transport t;
	struct mrz_source *s;
};

static void
fx_setup(struct fx *f)
{
	struct usb_match m;

	memset(f, 0, sizeof(*f));
	ck_assert_eg(sim_mrz_new(&f->sim, 64), EG_OK);
	ck_assert_eg(usb_sim_bus_new(&f->bus), EG_OK);
	ck_assert_eg(usb_sim_bus_add(f->bus, &sim_mrz_device_ops, f->sim), EG_OK);
	f->t = usb_sim_bus_transport(f->bus);
	memset(&m, 0, sizeof(m));
	m.vid = SIM_MRZ_VID;
	m.pid = SIM_MRZ_PID;
	ck_assert_eg(mrz_source_new_acm(&f->t, &m, NULL, NULL, "acm:1209:0001 test", &f->s),
	    EG_OK);
}

static void
fx_teardown(struct fx *f)
{
	mrz_source_free(&f->s);
	ck_assert_ptr_null(f->s);
	usb_sim_bus_free(&f->bus);
	sim_mrz_free(&f->sim);
}

static void
feed(struct fx *f, const char *s)
{
	ck_assert_eg(sim_mrz_feed(f->sim, s, strlen(s)), EG_OK);
}

START_TEST(test_read_and_reconnect)
{
	struct fx f;
	struct mrzdev_doc doc;

	fx_setup(&f);
	ck_assert_str_eq(mrz_source_desc(f.s), "acm:1209:0001 test");
	feed(&f, TD3_1 "\r\n" TD3_2 "\r\n");
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 100), EG_OK);
	ck_assert_uint_eq(doc.nlines, 2);
	ck_assert_str_eq(doc.line[1], TD3_2);
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10), EG_ERR_TIMEOUT);
	/* unplugged: every read says so, reconnect fails until it is back */
	sim_mrz_unplug(f.sim);
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10), EG_ERR_NO_DEVICE);
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10), EG_ERR_NO_DEVICE);
	ck_assert_int_ne(mrz_source_reconnect(f.s), EG_OK);
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 10), EG_ERR_NO_DEVICE);
	sim_mrz_replug(f.sim);
	ck_assert_eg(mrz_source_reconnect(f.s), EG_OK);
	feed(&f, TD3_1 "\n" TD3_2 "\n");
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 100), EG_OK);
	ck_assert_str_eq(doc.line[0], TD3_1);
	fx_teardown(&f);
}
END_TEST

/* A reader that sends garbage: a clear error, the next document still read. */
START_TEST(test_misbehaving_reader)
{
	struct fx f;
	struct mrzdev_doc doc;
	char longline[200];

	fx_setup(&f);
	feed(&f, "\x01\x02\x1b[2J\r\n");
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 100), EG_ERR_FORMAT);
	feed(&f, TD3_1 "\r\nSHORT\r\n");
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 100), EG_ERR_FORMAT);
	memset(longline, 'A', sizeof(longline) - 3);
	memcpy(longline + sizeof(longline) - 3, "\r\n", 3);
	feed(&f, longline);
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 100), EG_ERR_OVERFLOW);
	feed(&f, TD3_1 "\r\n" TD3_2 "\r\n");
	ck_assert_eg(mrz_source_read_doc(f.s, &doc, 100), EG_OK);
	ck_assert_uint_eq(doc.nlines, 2);
	fx_teardown(&f);
}
END_TEST

static int
fake_open(void *self, const char *arg, const struct mrz_source_opts *o, struct mrz_source **out,
    char *err, size_t errlen)
{
	(void)o;
	(void)out;
	eg_errbuf(err, errlen, "fake:%s", arg);
	*(int *)self += 1;
	return EG_ERR_NOT_FOUND;
}

START_TEST(test_specs)
{
	struct mrz_source *s = (struct mrz_source *)1;
	int calls = 0;
	struct mrz_source_backend fake = { .name = "fake", .usage = "fake:X", .self = &calls,
		.open = fake_open };
	const struct mrz_source_backend *extra[] = { &fake, NULL };
	struct mrz_source_opts o = { .extra = extra };
	char err[256];

	ck_assert_eg(mrz_source_open("serial", NULL, &s, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err, "MRZ reader 'serial': unknown backend (this build takes acm[:VID:PID], hid[:VID:PID])");
	ck_assert_eg(mrz_source_open("acm:12", NULL, &s, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_eg(mrz_source_open("acm:1209:0001:7", NULL, &s, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_eg(mrz_source_open("hid:1209", NULL, &s, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_str_eq(err, "MRZ reader 'hid:1209': hid takes hid or hid:VID:PID (hex)");
	ck_assert_eg(mrz_source_open("hid:x:y", NULL, &s, err, sizeof(err)), EG_ERR_INVAL);
	/* the simulated backend is not built in: only added */
	ck_assert_eg(mrz_source_open("sim", NULL, &s, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_eg(mrz_source_open("fake:x", &o, &s, err, sizeof(err)), EG_ERR_NOT_FOUND);
	ck_assert_int_eq(calls, 1);
	ck_assert_str_eq(err, "fake:x");
	ck_assert_eg(mrz_source_open("sim", &o, &s, err, sizeof(err)), EG_ERR_INVAL);
	ck_assert_str_eq(err, "MRZ reader 'sim': unknown backend (this build takes acm[:VID:PID], hid[:VID:PID], fake:X)");
	ck_assert_eg(mrz_source_open(NULL, NULL, &s, err, sizeof(err)), EG_ERR_INVAL);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("mrzsrc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_read_and_reconnect);
	tcase_add_test(tc, test_misbehaving_reader);
	tcase_add_test(tc, test_specs);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
