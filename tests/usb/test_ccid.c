/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ccid.c — the CCID driver against a simulated reader, once for every
 * profile in hw/profiles/readers.ini (plus one synthetic reader at the CCID
 * minimum message length, without notifications). Each test is a loop test:
 * _i indexes the profile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eg_check.h"
#include "egate/ccid.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/log.h"
#include "egate/usb_profile.h"
#include "egate/usb_sim.h"
#include "sim_card.h"
#include "sim_ccid.h"

static struct usb_profile_table profiles;

struct fx {
	const struct usb_profile *prof;
	struct sim_ccid *rdr;
	struct sim_echo_card *card;
	struct usb_sim_bus *bus;
	struct usb_transport t;
	struct ccid_dev *d;
};

static void
load_profiles(void)
{
	struct eg_cfg_error err;
	struct usb_profile *p;

	if (usb_profile_load_file(HW_PROFILES, &profiles, &err) != EG_OK) {
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		abort();
	}
	/* The smallest reader CCID allows, polled instead of notifying. */
	p = &profiles.p[profiles.n++];
	memset(p, 0, sizeof(*p));
	p->vid = 0x1209;
	p->pid = 0x0002;
	snprintf(p->name, sizeof(p->name), "egate test reader (271 B, no_notify)");
	p->max_message = CCID_MIN_MSG_LEN;
	p->quirks = USB_QUIRK_NO_NOTIFY;
}

static void
fx_setup(struct fx *f, int i, unsigned timeout_ms, unsigned max_wait_ms,
    bool with_card)
{
	struct ccid_opts o = { .timeout_ms = timeout_ms, .max_wait_ms = max_wait_ms };
	struct usb_match m;
	struct ccid_event ev;

	memset(f, 0, sizeof(*f));
	ck_assert_uint_lt((size_t)i, profiles.n);
	f->prof = &profiles.p[i];
	ck_assert_eg(sim_ccid_new(&f->rdr, f->prof), EG_OK);
	ck_assert_eg(sim_echo_card_new(&f->card), EG_OK);
	ck_assert_eg(usb_sim_bus_new(&f->bus), EG_OK);
	ck_assert_eg(usb_sim_bus_add(f->bus, &sim_ccid_device_ops, f->rdr), EG_OK);
	f->t = usb_sim_bus_transport(f->bus);
	memset(&m, 0, sizeof(m));
	m.vid = f->prof->vid;
	m.pid = f->prof->pid;
	ck_assert_eg(ccid_open(&f->d, &f->t, &m, &profiles, &o), EG_OK);
	if (with_card) {
		sim_ccid_insert(f->rdr, &sim_echo_card_ops, f->card);
		if (!(f->prof->quirks & USB_QUIRK_NO_NOTIFY))
			ck_assert_eg(ccid_wait_event(f->d, 10, &ev), EG_OK);
	}
}

static void
fx_teardown(struct fx *f)
{
	ccid_free(&f->d);
	ck_assert_ptr_null(f->d);
	usb_sim_bus_free(&f->bus);
	sim_echo_card_free(&f->card);
	sim_ccid_free(&f->rdr);
}

static void
fx_power(struct fx *f)
{
	uint8_t atr[CCID_MAX_ATR];
	size_t n;

	ck_assert_eg(ccid_power_on(f->d, atr, sizeof(atr), &n, NULL), EG_OK);
}

/* SELECT the eMRTD AID and expect 9000: the "does it still work" probe. */
static void
fx_select_ok(struct fx *f)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00,
	    0x00, 0x02, 0x47, 0x10, 0x01 };
	uint8_t r[16];
	size_t n;

	ck_assert_eg(ccid_transmit(f->d, sel, sizeof(sel), r, sizeof(r), &n),
	    EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r[0], 0x90);
	ck_assert_uint_eq(r[1], 0x00);
}

/* ECHO (80 10) with n data bytes, extended encoding when needed. */
static size_t
build_echo_x(uint8_t *c, size_t n, bool ext)
{
	size_t i, off = 0;

	c[off++] = 0x80; c[off++] = 0x10; c[off++] = 0x00; c[off++] = 0x00;
	if (!ext) {
		c[off++] = (uint8_t)n;
	} else {
		c[off++] = 0x00;
		c[off++] = (uint8_t)(n >> 8);
		c[off++] = (uint8_t)n;
	}
	for (i = 0; i < n; i++)
		c[off++] = (uint8_t)(i * 13 + 5);
	if (!ext) {
		c[off++] = 0x00;
	} else {
		c[off++] = 0x00;
		c[off++] = 0x00;
	}
	return off;
}

static size_t
build_echo(uint8_t *c, size_t n)
{
	return build_echo_x(c, n, n > 255);
}

static void
check_echo_x(struct fx *f, size_t n, bool ext)
{
	uint8_t *c = malloc(n + 16), *r = malloc(n + 2);
	size_t clen = build_echo_x(c, n, ext), rlen = 0, i;
	struct ccid_status st;

	ck_assert_eg(ccid_xfr_block(f->d, c, clen, r, n + 2, &rlen, &st), EG_OK);
	ck_assert_uint_eq(rlen, n + 2);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(r[i], (uint8_t)(i * 13 + 5));
	ck_assert_uint_eq(r[n], 0x90);
	ck_assert_uint_eq(r[n + 1], 0x00);
	free(c);
	free(r);
}

static void
check_echo(struct fx *f, size_t n)
{
	check_echo_x(f, n, n > 255);
}

START_TEST(test_open_info)
{
	struct fx f;
	struct ccid_info info;

	fx_setup(&f, _i, 200, 1000, false);
	ccid_get_info(f.d, &info);
	ck_assert_uint_eq(info.vid, f.prof->vid);
	ck_assert_uint_eq(info.pid, f.prof->pid);
	ck_assert_str_eq(info.name, f.prof->name);
	ck_assert_uint_eq(info.max_message, f.prof->max_message);
	ck_assert_int_eq(info.level, CCID_EXCHANGE_EXTENDED_APDU);
	ck_assert_uint_eq(info.max_slot_index, 0);
	ck_assert_eg(ccid_select_slot(f.d, 1), EG_ERR_INVAL);
	ck_assert_eg(ccid_select_slot(f.d, 0), EG_OK);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_power_on_atr)
{
	static const uint8_t want[] = { 0x3B, 0x88, 0x80, 0x01, 0x45, 0x47, 0x41,
	    0x54, 0x45, 0x53, 0x49, 0x4D, 0x00 };
	struct fx f;
	uint8_t atr[CCID_MAX_ATR];
	size_t n = 99;
	struct ccid_status st;

	fx_setup(&f, _i, 200, 1000, true);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_OK);
	ck_assert_uint_eq(st.icc, CCID_ICC_INACTIVE);
	ck_assert_eg(ccid_power_on(f.d, atr, 4, &n, &st), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(n, 0);
	ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &n, &st), EG_OK);
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(atr, want, sizeof(want));
	ck_assert_uint_eq(st.icc, CCID_ICC_ACTIVE);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_OK);
	ck_assert_uint_eq(st.icc, CCID_ICC_ACTIVE);
	ck_assert_eg(ccid_power_off(f.d, &st), EG_OK);
	ck_assert_uint_eq(st.icc, CCID_ICC_INACTIVE);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_no_card)
{
	struct fx f;
	uint8_t atr[CCID_MAX_ATR], r[8];
	size_t n;
	struct ccid_status st;
	static const uint8_t sel[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E };

	fx_setup(&f, _i, 200, 1000, false);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_OK);
	ck_assert_uint_eq(st.icc, CCID_ICC_ABSENT);
	ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &n, &st), EG_ERR_NO_CARD);
	ck_assert_uint_eq(st.berror, CCID_ERR_ICC_MUTE);
	ck_assert_str_eq(ccid_error_str(st.berror), "ICC_MUTE");
	ck_assert_uint_eq(st.bstatus, CCID_CMD_FAILED | CCID_ICC_ABSENT);
	ck_assert_eg(ccid_xfr_block(f.d, sel, sizeof(sel), r, sizeof(r), &n, &st),
	    EG_ERR_NO_CARD);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_xfr_short)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E };
	static const uint8_t rb[] = { 0x00, 0xB0, 0x00, 0x00, 0x16 };
	struct fx f;
	uint8_t r[300];
	const uint8_t *file;
	size_t n, flen;
	struct ccid_status st;

	fx_setup(&f, _i, 200, 1000, true);
	fx_power(&f);
	fx_select_ok(&f);
	ck_assert_eg(ccid_xfr_block(f.d, sel, sizeof(sel), r, sizeof(r), &n, &st),
	    EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(st.chain, CCID_CHAIN_ONE);
	ck_assert_eg(ccid_xfr_block(f.d, rb, sizeof(rb), r, sizeof(r), &n, &st),
	    EG_OK);
	file = sim_echo_card_file(f.card, 0x011E, &flen);
	ck_assert_uint_eq(n, flen + 2);
	ck_assert_mem_eq(r, file, flen);
	ck_assert_uint_eq(r[flen], 0x90);
	/* the largest short APDU both ways: 255 bytes in, 255 + SW out */
	check_echo(&f, 255);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_xfr_extended_chaining)
{
	struct fx f;
	struct sim_ccid_stats s0, s1;
	size_t chunk;

	fx_setup(&f, _i, 200, 1000, true);
	fx_power(&f);
	chunk = f.prof->max_message - CCID_HDR_LEN;
	sim_ccid_stats(f.rdr, &s0);
	check_echo(&f, 2000);	/* > every profile's message: chains both ways */
	sim_ccid_stats(f.rdr, &s1);
	ck_assert_uint_ge(s1.cmd_parts - s0.cmd_parts, 2);
	ck_assert_uint_eq(s1.cmd_parts - s0.cmd_parts, (2009 + chunk - 1) / chunk);
	ck_assert_uint_eq(s1.rsp_parts - s0.rsp_parts, (2002 + chunk - 1) / chunk);
	ck_assert_uint_le(s1.max_out_msg, f.prof->max_message);
	ck_assert_uint_le(s1.max_in_msg, f.prof->max_message);
	/* an extended APDU (265 bytes) is chained only when it does not fit */
	sim_ccid_stats(f.rdr, &s0);
	check_echo(&f, 256);
	sim_ccid_stats(f.rdr, &s1);
	if (265 <= chunk) {
		ck_assert_uint_eq(s1.cmd_parts, s0.cmd_parts);
		ck_assert_uint_eq(s1.rsp_parts, s0.rsp_parts);
	} else {
		ck_assert_uint_eq(s1.cmd_parts - s0.cmd_parts, 2);
		ck_assert_uint_eq(s1.rsp_parts, s0.rsp_parts);	/* 258 fits */
	}
	/* large extended response: read the whole 3000-byte file at once */
	{
		static const uint8_t sel[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01,
		    0x01 };
		static const uint8_t rb[] = { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x0B,
		    0xB8 };
		uint8_t r[3100];
		const uint8_t *file;
		size_t n, flen;

		ck_assert_eg(ccid_transmit(f.d, sel, sizeof(sel), r, sizeof(r), &n),
		    EG_OK);
		ck_assert_eg(ccid_transmit(f.d, rb, sizeof(rb), r, sizeof(r), &n),
		    EG_OK);
		file = sim_echo_card_file(f.card, 0x0101, &flen);
		ck_assert_uint_eq(n, 3002);
		ck_assert_mem_eq(r, file, flen);
		ck_assert_uint_eq(r[3000], 0x90);
	}
	fx_teardown(&f);
}
END_TEST

/* APDU lengths right at the chaining boundary: chunk (one message) and
 * chunk + 1 (two parts). */
START_TEST(test_chaining_boundary)
{
	struct fx f;
	struct sim_ccid_stats s0, s1;
	size_t chunk, data;

	fx_setup(&f, _i, 200, 1000, true);
	fx_power(&f);
	chunk = f.prof->max_message - CCID_HDR_LEN;
	data = chunk - 9;	/* 4 header + 3 Lc + data + 2 Le = chunk */
	sim_ccid_stats(f.rdr, &s0);
	check_echo_x(&f, data, true);
	sim_ccid_stats(f.rdr, &s1);
	ck_assert_uint_eq(s1.cmd_parts, s0.cmd_parts);
	ck_assert_uint_eq(s1.max_out_msg, f.prof->max_message);
	check_echo_x(&f, data + 1, true);
	sim_ccid_stats(f.rdr, &s0);
	ck_assert_uint_eq(s0.cmd_parts - s1.cmd_parts, 2);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_response_overflow)
{
	struct fx f;
	uint8_t c[2100], r[100];
	size_t clen = build_echo(c, 2000), n = 7, chunk;
	struct sim_ccid_stats s0, s1;

	fx_setup(&f, _i, 200, 1000, true);
	fx_power(&f);
	chunk = f.prof->max_message - CCID_HDR_LEN;
	sim_ccid_stats(f.rdr, &s0);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n),
	    EG_ERR_OVERFLOW);
	ck_assert_uint_eq(n, 0);
	/* the rest of the chained response was still read out */
	sim_ccid_stats(f.rdr, &s1);
	ck_assert_uint_eq(s1.rsp_parts - s0.rsp_parts, (2002 + chunk - 1) / chunk);
	fx_select_ok(&f);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_time_extension)
{
	struct fx f;
	struct ccid_status st;
	struct sim_ccid_stats s;
	uint8_t c[300], r[300];
	size_t clen = build_echo(c, 10), n;

	fx_setup(&f, _i, 100, 250, true);
	fx_power(&f);
	/* 3 time extensions, multiplier 2: each wait 100 * 2 ms */
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_TIME_EXT, 3, 2);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st), EG_OK);
	ck_assert_uint_eq(st.time_ext, 3);
	ck_assert_uint_eq(n, 12);
	sim_ccid_stats(f.rdr, &s);
	ck_assert_uint_eq(s.last_in_timeout, 200);
	/* multiplier 9 would be 900 ms: capped at max_wait 250 */
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_TIME_EXT, 1, 9);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st), EG_OK);
	ck_assert_uint_eq(st.time_ext, 1);
	sim_ccid_stats(f.rdr, &s);
	ck_assert_uint_eq(s.last_in_timeout, 250);
	/* multiplier 0 counts as 1 */
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_TIME_EXT, 2, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st), EG_OK);
	sim_ccid_stats(f.rdr, &s);
	ck_assert_uint_eq(s.last_in_timeout, 100);
	/* time extension on power on */
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_TIME_EXT, 2, 1);
	{
		uint8_t atr[CCID_MAX_ATR];

		ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &n, &st), EG_OK);
		ck_assert_uint_eq(st.time_ext, 2);
	}
	/* endless time extensions: give up after CCID_MAX_TIME_EXT, recover */
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_TIME_EXT, CCID_MAX_TIME_EXT + 1, 1);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_TIMEOUT);
	fx_select_ok(&f);
	fx_teardown(&f);
}
END_TEST

/* A reply fault gives EG_ERR_PROTOCOL, then the reader works again. */
static void
protocol_fault(int i, enum sim_ccid_fault fault)
{
	struct fx f;
	struct ccid_status st;
	uint8_t c[2100], r[2100];
	size_t clen, n;

	fx_setup(&f, i, 100, 250, true);
	fx_power(&f);
	/* short APDU */
	clen = build_echo(c, 5);
	sim_ccid_arm(f.rdr, fault, 0, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_PROTOCOL);
	ck_assert_uint_eq(n, 0);
	fx_select_ok(&f);
	/* in the middle of a chained exchange (first part's reply) */
	clen = build_echo(c, 2000);
	sim_ccid_arm(f.rdr, fault, 0, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_PROTOCOL);
	fx_select_ok(&f);
	check_echo(&f, 2000);
	/* on slot status */
	sim_ccid_arm(f.rdr, fault, 0, 0);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_ERR_PROTOCOL);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_OK);
	fx_teardown(&f);
}

START_TEST(test_bad_length) { protocol_fault(_i, SIM_CCID_FAULT_BAD_LENGTH); }
END_TEST
START_TEST(test_huge_length) { protocol_fault(_i, SIM_CCID_FAULT_HUGE_LENGTH); }
END_TEST
START_TEST(test_wrong_seq) { protocol_fault(_i, SIM_CCID_FAULT_WRONG_SEQ); }
END_TEST
START_TEST(test_wrong_type) { protocol_fault(_i, SIM_CCID_FAULT_WRONG_TYPE); }
END_TEST
START_TEST(test_wrong_slot) { protocol_fault(_i, SIM_CCID_FAULT_WRONG_SLOT); }
END_TEST

/* A reply that comes after its command timed out is skipped (by its older
 * sequence number) when it turns up in front of the next command's reply. */
START_TEST(test_late_reply)
{
	struct fx f;
	struct ccid_status st;
	struct eg_log lg;
	struct ccid_opts o = { .timeout_ms = 100, .max_wait_ms = 250, .log = &lg };
	struct usb_match m;
	uint8_t c[2100], r[2100];
	size_t clen = build_echo(c, 40), n, tlen = 0;
	char *text = NULL;
	FILE *mem = open_memstream(&text, &tlen);

	ck_assert_ptr_nonnull(mem);
	eg_log_init(&lg, "ccid");
	lg.out = mem;
	lg.timestamps = false;
	lg.journal = false;
	fx_setup(&f, _i, 100, 250, true);
	ccid_free(&f.d);
	memset(&m, 0, sizeof(m));
	m.vid = f.prof->vid;
	m.pid = f.prof->pid;
	ck_assert_eg(ccid_open(&f.d, &f.t, &m, &profiles, &o), EG_OK);
	fx_power(&f);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_LATE, 0, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_TIMEOUT);
	check_echo(&f, 40);
	/* a late status reply in front of a chained exchange */
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_LATE, 0, 0);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_ERR_TIMEOUT);
	check_echo(&f, 2000);
	fclose(mem);
	/* both late replies were seen and skipped, not lost to a drain */
	ck_assert_ptr_nonnull(strstr(text, "event=ccid.stale_reply seq=1 want=2"));
	ck_assert_ptr_nonnull(strstr(text, "event=ccid.stale_reply seq=3 want=4"));
	free(text);
	fx_teardown(&f);
}
END_TEST

/* Abort after a timeout: the reader drops the command, the next one works. */
START_TEST(test_abort)
{
	struct fx f;
	struct ccid_status st;
	struct sim_ccid_stats s;
	uint8_t c[2100], r[2100];
	size_t clen = build_echo(c, 2000), n;

	fx_setup(&f, _i, 100, 250, true);
	fx_power(&f);
	ck_assert_eg(ccid_abort(f.d, &st), EG_OK);
	sim_ccid_stats(f.rdr, &s);
	ck_assert_uint_eq(s.aborts, 1);
	/* a chained response cut short by a timeout, then aborted */
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_LATE, 0, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_TIMEOUT);
	ck_assert_eg(ccid_abort(f.d, &st), EG_OK);
	sim_ccid_stats(f.rdr, &s);
	ck_assert_uint_eq(s.aborts, 2);
	check_echo(&f, 2000);
	/* unplugged: the EP0 request fails first */
	sim_ccid_unplug(f.rdr);
	ck_assert_eg(ccid_abort(f.d, &st), EG_ERR_NO_DEVICE);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_stall)
{
	struct fx f;
	struct sim_ccid_stats s;
	uint8_t c[300], r[300];
	size_t clen = build_echo(c, 20), n;

	fx_setup(&f, _i, 100, 250, true);
	fx_power(&f);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_STALL_OUT, 0, 0);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n), EG_ERR_IO);
	sim_ccid_stats(f.rdr, &s);
	ck_assert_uint_ge(s.clear_halts, 1);
	fx_select_ok(&f);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_STALL_IN, 0, 0);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n), EG_ERR_IO);
	/* the stale reply of the stalled exchange is drained, not taken */
	fx_select_ok(&f);
	check_echo(&f, 20);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_card_removed_mid_apdu)
{
	struct fx f;
	struct ccid_status st;
	struct ccid_event ev;
	uint8_t c[2100], r[2100], atr[CCID_MAX_ATR];
	size_t clen = build_echo(c, 2000), n;
	bool notify = !(profiles.p[_i].quirks & USB_QUIRK_NO_NOTIFY);

	fx_setup(&f, _i, 100, 250, true);
	fx_power(&f);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_REMOVE_CARD, 0, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_NO_CARD);
	ck_assert_uint_eq(st.berror, CCID_ERR_ICC_MUTE);
	ck_assert_uint_eq(st.icc, CCID_ICC_ABSENT);
	if (notify) {
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_OK);
		ck_assert_int_eq(ev.type, CCID_EVENT_CARD_REMOVED);
	}
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n), EG_ERR_NO_CARD);
	/* the next document, taken away while its response is being chained */
	sim_ccid_insert(f.rdr, &sim_echo_card_ops, f.card);
	ck_assert_eg(ccid_wait_event(f.d, 200, &ev), EG_OK);
	ck_assert_int_eq(ev.type, CCID_EVENT_CARD_PLACED);
	ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &n, &st), EG_OK);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_REMOVE_MID_CHAIN, 0, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_NO_CARD);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(st.icc, CCID_ICC_ABSENT);
	if (notify) {
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_OK);
		ck_assert_int_eq(ev.type, CCID_EVENT_CARD_REMOVED);
	}
	/* the next document */
	sim_ccid_insert(f.rdr, &sim_echo_card_ops, f.card);
	ck_assert_eg(ccid_wait_event(f.d, 200, &ev), EG_OK);
	ck_assert_int_eq(ev.type, CCID_EVENT_CARD_PLACED);
	ck_assert_uint_eq(ev.slot, 0);
	ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &n, &st), EG_OK);
	check_echo(&f, 2000);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_unplug_reconnect)
{
	struct fx f;
	struct ccid_status st;
	struct ccid_event ev;
	struct ccid_info info;
	uint8_t c[300], r[300], atr[CCID_MAX_ATR];
	size_t clen = build_echo(c, 30), n;

	fx_setup(&f, _i, 100, 250, true);
	fx_power(&f);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_UNPLUG, 0, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_NO_DEVICE);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_ERR_NO_DEVICE);
	ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_ERR_NO_DEVICE);
	ck_assert_eg(ccid_reconnect(f.d), EG_ERR_NOT_FOUND);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n),
	    EG_ERR_NO_DEVICE);
	sim_ccid_replug(f.rdr);
	/* the old handle stays dead until reconnect */
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_ERR_NO_DEVICE);
	ck_assert_eg(ccid_reconnect(f.d), EG_OK);
	ccid_get_info(f.d, &info);
	ck_assert_uint_eq(info.max_message, f.prof->max_message);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_OK);
	ck_assert_uint_eq(st.icc, CCID_ICC_INACTIVE);	/* power was lost */
	ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &n, &st), EG_OK);
	check_echo(&f, 30);
	/* unplugged between commands */
	sim_ccid_unplug(f.rdr);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n),
	    EG_ERR_NO_DEVICE);
	sim_ccid_replug(f.rdr);
	ck_assert_eg(ccid_reconnect(f.d), EG_OK);
	fx_power(&f);
	fx_select_ok(&f);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_hw_error)
{
	struct fx f;
	struct ccid_status st;
	uint8_t c[300], r[300];
	size_t clen = build_echo(c, 3), n;

	fx_setup(&f, _i, 100, 250, true);
	fx_power(&f);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_HW_ERROR, 0, 0);
	ck_assert_eg(ccid_xfr_block(f.d, c, clen, r, sizeof(r), &n, &st),
	    EG_ERR_DEVICE);
	ck_assert_uint_eq(st.berror, CCID_ERR_HW_ERROR);
	ck_assert_str_eq(ccid_error_str(st.berror), "HW_ERROR");
	ccid_last_status(f.d, &st);
	ck_assert_uint_eq(st.berror, CCID_ERR_HW_ERROR);
	fx_select_ok(&f);
	ccid_last_status(f.d, &st);
	ck_assert_uint_eq(st.bstatus, CCID_ICC_ACTIVE);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_events)
{
	struct fx f;
	struct ccid_event ev;
	bool notify = !(profiles.p[_i].quirks & USB_QUIRK_NO_NOTIFY);

	fx_setup(&f, _i, 100, 250, false);
	ck_assert_eg(ccid_wait_event(f.d, 60, &ev), EG_ERR_TIMEOUT);
	sim_ccid_insert(f.rdr, &sim_echo_card_ops, f.card);
	ck_assert_eg(ccid_wait_event(f.d, 60, &ev), EG_OK);
	ck_assert_int_eq(ev.type, CCID_EVENT_CARD_PLACED);
	ck_assert_eg(ccid_wait_event(f.d, 60, &ev), EG_ERR_TIMEOUT);
	sim_ccid_remove(f.rdr);
	ck_assert_eg(ccid_wait_event(f.d, 60, &ev), EG_OK);
	ck_assert_int_eq(ev.type, CCID_EVENT_CARD_REMOVED);
	if (notify) {
		static const uint8_t bad_type[] = { 0x52, 0x03 };
		static const uint8_t bad_len[] = { 0x50, 0x03, 0x00 };
		static const uint8_t hw[] = { 0x51, 0x00, 0x07, 0x01 };

		ck_assert_eg(sim_ccid_push_interrupt(f.rdr, bad_type, 2), EG_OK);
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_ERR_PROTOCOL);
		ck_assert_eg(sim_ccid_push_interrupt(f.rdr, bad_len, 3), EG_OK);
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_ERR_PROTOCOL);
		ck_assert_eg(sim_ccid_push_interrupt(f.rdr, hw, 4), EG_OK);
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_OK);
		ck_assert_int_eq(ev.type, CCID_EVENT_HW_ERROR);
		ck_assert_uint_eq(ev.hw_error, 1);
	}
	fx_teardown(&f);
}
END_TEST

START_TEST(test_escape)
{
	struct fx f;
	uint8_t in[2] = { 0xE0, 0x01 }, out[32];
	size_t n;
	struct ccid_status st;

	fx_setup(&f, _i, 100, 250, false);
	ck_assert_eg(ccid_escape(f.d, in, sizeof(in), out, sizeof(out), &n, &st),
	    EG_OK);
	ck_assert_uint_eq(n, 7);
	ck_assert_mem_eq(out, "SIMCCID", 7);
	ck_assert_eg(ccid_escape(f.d, in, sizeof(in), out, 3, &n, &st),
	    EG_ERR_OVERFLOW);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_open_errors)
{
	struct usb_sim_bus *bus;
	struct usb_transport t;
	struct usb_match m;
	struct ccid_dev *d = (struct ccid_dev *)&m;

	ck_assert_eg(usb_sim_bus_new(&bus), EG_OK);
	t = usb_sim_bus_transport(bus);
	memset(&m, 0, sizeof(m));
	m.vid = 0x072F;
	ck_assert_eg(ccid_open(&d, &t, &m, &profiles, NULL), EG_ERR_NOT_FOUND);
	ck_assert_ptr_null(d);
	ck_assert_eg(ccid_open(&d, NULL, &m, NULL, NULL), EG_ERR_INVAL);
	ccid_free(&d);
	ccid_free(NULL);
	usb_sim_bus_free(&bus);
}
END_TEST

/* Exchange levels other than extended APDU. */
START_TEST(test_other_levels)
{
	struct fx f;
	struct ccid_info info;
	struct usb_match m;
	uint8_t c[2100], r[2100];
	size_t n, clen;

	fx_setup(&f, _i, 100, 250, true);
	ccid_free(&f.d);
	memset(&m, 0, sizeof(m));
	m.vid = f.prof->vid;
	m.pid = f.prof->pid;
	/* short APDU level: short APDUs work, extended ones are refused
	 * before anything is sent */
	sim_ccid_set_features(f.rdr, CCID_FEAT_LEVEL_SHORT | 0xBE);
	ck_assert_eg(ccid_open(&f.d, &f.t, &m, &profiles, NULL), EG_OK);
	ccid_get_info(f.d, &info);
	ck_assert_int_eq(info.level, CCID_EXCHANGE_SHORT_APDU);
	fx_power(&f);
	check_echo(&f, 255);
	clen = build_echo(c, 2000);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n),
	    EG_ERR_UNSUPPORTED);
	clen = build_echo_x(c, 10, true);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n),
	    EG_ERR_UNSUPPORTED);
	fx_select_ok(&f);
	ccid_free(&f.d);
	/* TPDU and character level: refused at open */
	sim_ccid_set_features(f.rdr, CCID_FEAT_LEVEL_TPDU | 0xBE);
	ck_assert_eg(ccid_open(&f.d, &f.t, &m, &profiles, NULL),
	    EG_ERR_UNSUPPORTED);
	ck_assert_ptr_null(f.d);
	sim_ccid_set_features(f.rdr, 0xBE);
	ck_assert_eg(ccid_open(&f.d, &f.t, &m, &profiles, NULL),
	    EG_ERR_UNSUPPORTED);
	fx_teardown(&f);
}
END_TEST

/* A reader with five slots: slot state per slot, multi-byte notifications. */
START_TEST(test_multi_slot)
{
	static const uint8_t two[] = { 0x50, 0x08, 0x03 };	/* 1 out, 4 in */
	static const uint8_t short_msg[] = { 0x50, 0x08 };
	struct fx f;
	struct ccid_info info;
	struct ccid_status st;
	struct ccid_event ev;
	struct usb_match m;
	uint8_t atr[CCID_MAX_ATR];
	size_t n;
	bool notify = !(profiles.p[_i].quirks & USB_QUIRK_NO_NOTIFY);

	fx_setup(&f, _i, 100, 250, false);
	ccid_free(&f.d);
	sim_ccid_set_slots(f.rdr, 5);
	memset(&m, 0, sizeof(m));
	m.vid = f.prof->vid;
	m.pid = f.prof->pid;
	ck_assert_eg(ccid_open(&f.d, &f.t, &m, &profiles, NULL), EG_OK);
	ccid_get_info(f.d, &info);
	ck_assert_uint_eq(info.max_slot_index, 4);
	ck_assert_eg(ccid_select_slot(f.d, 5), EG_ERR_INVAL);
	sim_ccid_insert(f.rdr, &sim_echo_card_ops, f.card);
	ck_assert_eg(ccid_wait_event(f.d, 60, &ev), EG_OK);
	ck_assert_int_eq(ev.type, CCID_EVENT_CARD_PLACED);
	ck_assert_uint_eq(ev.slot, 0);
	/* slot 1 is empty, slot 0 holds the card */
	ck_assert_eg(ccid_select_slot(f.d, 1), EG_OK);
	ck_assert_eg(ccid_slot_status(f.d, &st), EG_OK);
	ck_assert_uint_eq(st.icc, CCID_ICC_ABSENT);
	ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &n, &st), EG_ERR_NO_CARD);
	ck_assert_eg(ccid_select_slot(f.d, 0), EG_OK);
	ck_assert_eg(ccid_power_on(f.d, atr, sizeof(atr), &n, &st), EG_OK);
	fx_select_ok(&f);
	if (notify) {
		ck_assert_eg(sim_ccid_push_interrupt(f.rdr, two, sizeof(two)), EG_OK);
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_OK);
		ck_assert_int_eq(ev.type, CCID_EVENT_CARD_REMOVED);
		ck_assert_uint_eq(ev.slot, 1);
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_OK);
		ck_assert_int_eq(ev.type, CCID_EVENT_CARD_PLACED);
		ck_assert_uint_eq(ev.slot, 4);
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_ERR_TIMEOUT);
		ck_assert_eg(sim_ccid_push_interrupt(f.rdr, short_msg,
		    sizeof(short_msg)), EG_OK);
		ck_assert_eg(ccid_wait_event(f.d, 10, &ev), EG_ERR_PROTOCOL);
	}
	fx_teardown(&f);
}
END_TEST

/* The card-transport shape of the APDU layer. */
typedef int (*card_transmit_fn)(struct ccid_dev *, const uint8_t *, size_t,
    uint8_t *, size_t, size_t *);

START_TEST(test_transmit_shape)
{
	card_transmit_fn fn = ccid_transmit;
	struct fx f;
	uint8_t c[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02,
	    0x47, 0x10, 0x02 }, r[4];
	size_t n;

	fx_setup(&f, _i, 100, 250, true);
	fx_power(&f);
	ck_assert_eg(fn(f.d, c, sizeof(c), r, sizeof(r), &n), EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r[0], 0x6A);
	ck_assert_uint_eq(r[1], 0x82);
	ck_assert_eg(fn(f.d, c, 3, r, sizeof(r), &n), EG_ERR_INVAL);
	fx_teardown(&f);
}
END_TEST

/* The driver says what went wrong, and never logs APDU contents. */
START_TEST(test_logging)
{
	struct fx f;
	struct eg_log lg;
	struct ccid_opts o = { .timeout_ms = 100, .max_wait_ms = 250, .log = &lg };
	struct usb_match m;
	char *text = NULL;
	size_t tlen = 0, n;
	FILE *mem = open_memstream(&text, &tlen);
	uint8_t c[64], r[64];
	size_t clen = build_echo(c, 8);

	ck_assert_ptr_nonnull(mem);
	eg_log_init(&lg, "ccid");
	lg.out = mem;
	lg.min_level = EG_LOG_DEBUG;
	lg.timestamps = false;
	lg.journal = false;
	fx_setup(&f, _i, 100, 250, true);
	ccid_free(&f.d);
	memset(&m, 0, sizeof(m));
	m.vid = f.prof->vid;
	m.pid = f.prof->pid;
	ck_assert_eg(ccid_open(&f.d, &f.t, &m, &profiles, &o), EG_OK);
	fx_power(&f);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_WRONG_SEQ, 0, 0);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n), EG_ERR_PROTOCOL);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_BAD_LENGTH, 0, 0);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n), EG_ERR_PROTOCOL);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_STALL_OUT, 0, 0);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n), EG_ERR_IO);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_TIME_EXT, 1, 2);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n), EG_OK);
	sim_ccid_arm(f.rdr, SIM_CCID_FAULT_REMOVE_CARD, 0, 0);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n), EG_ERR_NO_CARD);
	sim_ccid_unplug(f.rdr);
	ck_assert_eg(ccid_transmit(f.d, c, clen, r, sizeof(r), &n),
	    EG_ERR_NO_DEVICE);
	sim_ccid_replug(f.rdr);
	ck_assert_eg(ccid_reconnect(f.d), EG_OK);
	fclose(mem);
	ck_assert_ptr_nonnull(strstr(text, "event=ccid.open"));
	ck_assert_ptr_nonnull(strstr(text, "event=ccid.protocol field=sequence"));
	ck_assert_ptr_nonnull(strstr(text,
	    "event=ccid.protocol field=length_mismatch"));
	ck_assert_ptr_nonnull(strstr(text, "event=ccid.stall"));
	ck_assert_ptr_nonnull(strstr(text, "event=ccid.time_extension n=1 wait_ms=200"));
	ck_assert_ptr_nonnull(strstr(text, "error=ICC_MUTE"));
	ck_assert_ptr_nonnull(strstr(text, "event=ccid.unplugged"));
	ck_assert_ptr_nonnull(strstr(text, "event=ccid.reconnect err=EG_OK"));
	/* the ECHO payload (05 12 1F ...) appears in no form */
	ck_assert_ptr_null(strstr(text, "05121f"));
	ck_assert_ptr_null(strstr(text, "05121F"));
	free(text);
	fx_teardown(&f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("ccid");
	TCase *tc = tcase_create("every-profile");
	int n;

	load_profiles();
	n = (int)profiles.n;
	tcase_add_loop_test(tc, test_open_info, 0, n);
	tcase_add_loop_test(tc, test_power_on_atr, 0, n);
	tcase_add_loop_test(tc, test_no_card, 0, n);
	tcase_add_loop_test(tc, test_xfr_short, 0, n);
	tcase_add_loop_test(tc, test_xfr_extended_chaining, 0, n);
	tcase_add_loop_test(tc, test_chaining_boundary, 0, n);
	tcase_add_loop_test(tc, test_response_overflow, 0, n);
	tcase_add_loop_test(tc, test_time_extension, 0, n);
	tcase_add_loop_test(tc, test_bad_length, 0, n);
	tcase_add_loop_test(tc, test_huge_length, 0, n);
	tcase_add_loop_test(tc, test_wrong_seq, 0, n);
	tcase_add_loop_test(tc, test_wrong_type, 0, n);
	tcase_add_loop_test(tc, test_wrong_slot, 0, n);
	tcase_add_loop_test(tc, test_stall, 0, n);
	tcase_add_loop_test(tc, test_late_reply, 0, n);
	tcase_add_loop_test(tc, test_abort, 0, n);
	tcase_add_loop_test(tc, test_card_removed_mid_apdu, 0, n);
	tcase_add_loop_test(tc, test_unplug_reconnect, 0, n);
	tcase_add_loop_test(tc, test_hw_error, 0, n);
	tcase_add_loop_test(tc, test_events, 0, n);
	tcase_add_loop_test(tc, test_escape, 0, n);
	tcase_add_loop_test(tc, test_transmit_shape, 0, n);
	tcase_add_loop_test(tc, test_logging, 0, n);
	tcase_add_loop_test(tc, test_other_levels, 0, n);
	tcase_add_loop_test(tc, test_multi_slot, 0, n);
	tcase_add_test(tc, test_open_errors);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
