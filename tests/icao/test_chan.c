/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_chan — the channel and the commands on it, against the simulated
 * chip (simchip.c): whole-file reads with the adaptive chunk size (6282,
 * 6Cxx, 6700, partial 6282), odd-INS READ BINARY beyond 32767, SFI, 61xx
 * GET RESPONSE, the same reads under 3DES and AES secure messaging, and a
 * MAC failure that stops all further traffic.
 */
#include <stdio.h>
#include <string.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "icao/chan.h"
#include "icao/extlen.h"
#include "icao/iso7816.h"
#include "icao/sm.h"
#include "eg_check.h"
#include "simchip.h"
#include "vec.h"

/* A DG2-like file: tag 75, length 82 xx xx, then a pattern. */
static uint8_t *
make_file(size_t total)
{
	uint8_t *f = malloc(total);
	size_t vl = total - 4;

	ck_assert_ptr_nonnull(f);
	f[0] = 0x75;
	f[1] = 0x82;
	f[2] = (uint8_t)(vl >> 8);
	f[3] = (uint8_t)vl;
	for (size_t i = 4; i < total; i++)
		f[i] = (uint8_t)(i * 7 + (i >> 8));
	return f;
}

struct rig {
	struct simchip *sim;
	struct icao_chan *ch;
	struct icao_sm *sm;
	uint8_t *file;
	size_t flen;
};

static void
rig_up(struct rig *g, size_t flen)
{
	memset(g, 0, sizeof(*g));
	g->sim = simchip_new();
	g->flen = flen;
	g->file = make_file(flen);
	simchip_add_file(g->sim, 0x0102, 0x02, g->file, flen);
	ck_assert_eg(icao_chan_new(&simchip_ops, g->sim, &g->ch), EG_OK);
}

static void
rig_sm(struct rig *g, enum icao_cipher c)
{
	uint8_t enc[32], mac[32], ssc[16];

	for (int i = 0; i < 32; i++) {
		enc[i] = (uint8_t)(0x10 + i);
		mac[i] = (uint8_t)(0x80 + i);
	}
	memset(ssc, 0, sizeof(ssc));
	ssc[7] = 0x42;
	ck_assert_eg(icao_sm_new(&g->sm), EG_OK);
	ck_assert_eg(icao_sm_set_keys(g->sm, c, enc, mac, ssc), EG_OK);
	simchip_set_sm(g->sim, c, enc, mac, ssc);
	icao_chan_set_sm(g->ch, g->sm);
}

static void
rig_down(struct rig *g)
{
	icao_chan_free(&g->ch);
	ck_assert_ptr_null(g->ch);
	icao_sm_free(&g->sm);
	simchip_free(&g->sim);
	free(g->file);
}

/* select the file, read it whole, compare; return the stats */
static struct icao_read_stats
read_ok(struct rig *g, const struct icao_read_opts *o)
{
	struct icao_read_stats st;
	struct eg_wbuf w;
	uint16_t sw = 0;

	if (o == NULL || o->sfi == 0) {
		ck_assert_eg(icao_select_fid(g->ch, 0x0102, &sw), EG_OK);
		ck_assert_uint_eq(sw, 0x9000);
	}
	eg_wbuf_init(&w, 1u << 20, true);
	ck_assert_eg(icao_read_file(g->ch, o, &w, &sw, &st), EG_OK);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_uint_eq(w.len, g->flen);
	ck_assert_mem_eq(w.data, g->file, g->flen);
	eg_wbuf_free(&w);
	return st;
}

static unsigned
expected_cmds(size_t flen, size_t chunk)
{
	return 1 + (unsigned)((flen - 4 + chunk - 1) / chunk);
}

START_TEST(test_read_20k_plain)
{
	struct rig g;
	struct icao_read_stats st;

	rig_up(&g, 20 * 1024);
	st = read_ok(&g, NULL);
	ck_assert_uint_eq(st.final_chunk, 223);
	ck_assert_uint_eq(st.commands, expected_cmds(g.flen, 223));
	ck_assert_uint_eq(g.sim->max_le_seen, 223);
	rig_down(&g);
}
END_TEST

START_TEST(test_adaptive_6282_empty)
{
	struct rig g;
	struct icao_read_stats st;

	rig_up(&g, 20 * 1024);
	g.sim->quirk = SIM_Q_6282_EMPTY;
	g.sim->max_le = 160;
	st = read_ok(&g, NULL);
	/* 223 -> 111, then 111 for the rest of the file */
	ck_assert_uint_eq(st.final_chunk, 111);
	ck_assert_uint_eq(st.commands, expected_cmds(g.flen, 111) + 1);
	rig_down(&g);
}
END_TEST

START_TEST(test_adaptive_6c)
{
	struct rig g;
	struct icao_read_stats st;

	rig_up(&g, 20 * 1024);
	g.sim->quirk = SIM_Q_6C;
	g.sim->max_le = 0xA0;
	st = read_ok(&g, NULL);
	ck_assert_uint_eq(st.final_chunk, 0xA0);
	ck_assert_uint_eq(st.commands, expected_cmds(g.flen, 0xA0) + 1);
	rig_down(&g);
}
END_TEST

START_TEST(test_adaptive_6700)
{
	struct rig g;
	struct icao_read_stats st;

	rig_up(&g, 20 * 1024);
	g.sim->quirk = SIM_Q_6700;
	g.sim->max_le = 100;
	st = read_ok(&g, NULL);
	ck_assert_uint_eq(st.final_chunk, 55);	/* 223 -> 111 -> 55 */
	ck_assert_uint_eq(st.commands, expected_cmds(g.flen, 55) + 2);
	rig_down(&g);
}
END_TEST

START_TEST(test_adaptive_6282_partial)
{
	struct rig g;
	struct icao_read_stats st;

	rig_up(&g, 20 * 1024);
	g.sim->quirk = SIM_Q_6282_PARTIAL;
	g.sim->max_le = 128;
	st = read_ok(&g, NULL);
	ck_assert_uint_eq(st.final_chunk, 128);
	/* the first 223-byte read already delivered 128 bytes */
	ck_assert_uint_eq(st.commands, expected_cmds(g.flen, 128));
	rig_down(&g);
}
END_TEST

START_TEST(test_odd_ins_beyond_32k)
{
	struct rig g;
	struct icao_read_opts o = { .max_chunk = 1000 };	/* extended */
	struct icao_read_stats st;
	struct eg_wbuf w;
	uint16_t sw;

	rig_up(&g, 40 * 1024);
	st = read_ok(&g, &o);
	ck_assert_uint_eq(st.final_chunk, 1000);
	ck_assert_uint_gt(g.sim->max_le_seen, 1000);	/* B1 Le includes DO'53' */
	/* the last command was B1 with DO'54' */
	ck_assert_uint_eq(g.sim->last_capdu[1], 0xB1);
	/* never use B1: refused cleanly, nothing half-read left in w */
	o.no_odd_ins = true;
	eg_wbuf_init(&w, 1u << 20, false);
	ck_assert_eg(icao_read_file(g.ch, &o, &w, &sw, NULL), EG_ERR_UNSUPPORTED);
	ck_assert_uint_eq(w.len, 0);
	/* a chip without B1 */
	o.no_odd_ins = false;
	g.sim->no_odd_ins = true;
	ck_assert_eg(icao_read_file(g.ch, &o, &w, &sw, NULL), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6D00);
	ck_assert_uint_eq(w.len, 0);
	eg_wbuf_free(&w);
	rig_down(&g);
}
END_TEST

START_TEST(test_sfi_and_get_response)
{
	struct rig g;
	struct icao_read_opts o = { .sfi = 0x02 };
	struct icao_read_stats st;

	rig_up(&g, 3000);
	st = read_ok(&g, &o);	/* no SELECT: the SFI selects */
	ck_assert_uint_eq(st.commands, expected_cmds(g.flen, 223));
	ck_assert_uint_eq(g.sim->apdus, st.commands);
	/* responses split with 61xx and fetched with GET RESPONSE */
	g.sim->gr_chunk = 50;
	g.sim->apdus = 0;
	st = read_ok(&g, NULL);
	ck_assert_uint_gt(g.sim->apdus, st.commands + 1);
	rig_down(&g);
}
END_TEST

/* A chip without short EF identifiers: the read by SFI is refused (6A82,
 * 6A86, 6B00, 6D00: whatever the chip says), the file is SELECTed by its
 * identifier and read by offset, plain and under SM; an absent file is
 * still absent (SELECT 6A82); access denied (6982) is not retried; an
 * empty file is reported as such. */
START_TEST(test_sfi_refused_select_fallback)
{
	static const uint16_t refusals[] = { 0, 0x6A82, 0x6A86, 0x6B00, 0x6D00 };
	struct icao_read_opts o = { .sfi = 0x02, .fid = 0x0102 };
	struct icao_read_stats st;
	struct eg_wbuf out;
	struct rig g;
	uint16_t sw;

	for (size_t k = 0; k < sizeof(refusals) / sizeof(refusals[0]); k++) {
		for (int prot = 0; prot < 2; prot++) {
			rig_up(&g, 700);
			if (prot)
				rig_sm(&g, ICAO_CIPHER_AES128);
			if (refusals[k] == 0)
				g.sim->files[0].sfi = 0;	/* no SFI: 6A82 */
			g.sim->sfi_sw = refusals[k];
			eg_wbuf_init(&out, 4096, false);
			memset(&st, 0, sizeof(st));
			ck_assert_eg(icao_read_file(g.ch, &o, &out, &sw, &st), EG_OK);
			ck_assert_uint_eq(out.len, g.flen);
			ck_assert_mem_eq(out.data, g.file, g.flen);
			ck_assert(st.by_fid);
			ck_assert_uint_eq(st.sfi_sw, refusals[k] ? refusals[k] : 0x6A82);
			ck_assert(!st.empty);
			if (prot)
				ck_assert_int_eq(icao_sm_state(g.sm), ICAO_SM_READY);
			eg_wbuf_free(&out);
			rig_down(&g);
		}
	}
	/* a file that is not there at all: SELECT says so */
	rig_up(&g, 100);
	g.sim->sfi_sw = 0x6A86;
	eg_wbuf_init(&out, 4096, false);
	o.fid = 0x0105;
	ck_assert_eg(icao_read_file(g.ch, &o, &out, &sw, &st), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6A82);
	ck_assert_uint_eq(out.len, 0);
	/* access denied is final: no SELECT after a 6982 */
	g.sim->sfi_sw = 0x6982;
	o.fid = 0x0102;
	g.sim->apdus = 0;
	ck_assert_eg(icao_read_file(g.ch, &o, &out, &sw, &st), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6982);
	ck_assert_uint_eq(g.sim->apdus, 1);
	ck_assert(!st.by_fid);
	/* without fid nothing is SELECTed: the old behaviour */
	g.sim->sfi_sw = 0x6A82;
	o.fid = 0;
	g.sim->apdus = 0;
	ck_assert_eg(icao_read_file(g.ch, &o, &out, &sw, &st), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(g.sim->apdus, 1);
	/* no SFI given, fid given: SELECT first */
	o.sfi = 0;
	o.fid = 0x0102;
	g.sim->apdus = 0;
	ck_assert_eg(icao_read_file(g.ch, &o, &out, &sw, &st), EG_OK);
	ck_assert_uint_eq(out.len, g.flen);
	ck_assert(st.by_fid);
	ck_assert_uint_eq(st.sfi_sw, 0);
	ck_assert_uint_eq(g.sim->apdus, 1 + st.commands);
	eg_wbuf_free(&out);
	rig_down(&g);
}
END_TEST

/* An empty file (present, no byte): EG_ERR_TRUNCATED with stats.empty,
 * after a handful of commands, by SFI and by identifier. */
START_TEST(test_empty_file)
{
	static const uint8_t nothing[1];
	struct icao_read_opts o = { .sfi = 0x1D, .fid = 0x011D };
	struct icao_read_stats st;
	struct eg_wbuf out;
	struct simchip *sim = simchip_new();
	struct icao_chan *ch;
	uint16_t sw;

	simchip_add_file(sim, 0x011D, 0x1D, nothing, 0);
	ck_assert_eg(icao_chan_new(&simchip_ops, sim, &ch), EG_OK);
	eg_wbuf_init(&out, 4096, false);
	for (int by_fid = 0; by_fid < 2; by_fid++) {
		memset(&st, 0, sizeof(st));
		sim->sfi_sw = by_fid ? 0x6A82 : 0;
		ck_assert_eg(icao_read_file(ch, &o, &out, &sw, &st), EG_ERR_TRUNCATED);
		ck_assert(st.empty);
		ck_assert_uint_eq(out.len, 0);
		ck_assert_uint_le(st.commands, 4);
		ck_assert_int_eq(st.by_fid, by_fid);
	}
	eg_wbuf_free(&out);
	icao_chan_free(&ch);
	simchip_free(&sim);
}
END_TEST

/* The trace formatter's redaction rules (trace.h). */
static const char *
tline(struct icao_tracer *t, const struct icao_apdu *a, bool prot,
    const uint8_t *d, size_t dl, uint16_t sw, char *buf, size_t cap)
{
	struct icao_trace_ev ev = { .kind = ICAO_TRACE_APDU, .cmd = a,
		.protected = prot, .wire_clen = 13, .wire_rlen = dl + 2,
		.data = d, .dlen = dl, .sw = sw,
		.err = sw == 0x9000 ? EG_OK : EG_ERR_CARD_STATUS };

	ck_assert_uint_lt(icao_tracer_line(t, &ev, buf, cap), cap);
	return buf;
}

START_TEST(test_trace_redaction)
{
	static const uint8_t fid_dg1[] = { 0x01, 0x01 }, fid_ca[] = { 0x01, 0x1C };
	static const uint8_t secret[] = { 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04 };
	static const uint8_t dg1[] = { 0x61, 0x05, 0x5F, 0x1F, 0x02, 'A', 'B' };
	const struct icao_apdu sel_dg1 = { .ins = 0xA4, .p1 = 2, .p2 = 0x0C,
		.data = fid_dg1, .lc = 2 };
	const struct icao_apdu sel_ca = { .ins = 0xA4, .p1 = 2, .p2 = 0x0C,
		.data = fid_ca, .lc = 2 };
	const struct icao_apdu rb = { .ins = 0xB0, .le = 7 };
	const struct icao_apdu rb_sfi_ca = { .ins = 0xB0, .p1 = 0x9C, .le = 4 };
	const struct icao_apdu ga = { .cla = 0x10, .ins = 0x86, .data = secret,
		.lc = sizeof(secret), .le = 256 };
	const struct icao_apdu ea = { .ins = 0x82, .data = secret,
		.lc = sizeof(secret), .le = 40 };
	const struct icao_apdu gc = { .ins = 0x84, .le = 8 };
	const struct icao_apdu mse = { .ins = 0x22, .p1 = 0xC1, .p2 = 0xA4,
		.data = secret, .lc = sizeof(secret) };
	struct icao_tracer t;
	char buf[512], small[40];
	const char *l;

	memset(&t, 0, sizeof(t));
	/* key agreement and authentication: lengths only, either way */
	l = tline(&t, &ga, false, secret, sizeof(secret), 0x9000, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(l, "> 10 86 00 00 Lc=8 Le=256"));
	ck_assert_ptr_nonnull(strstr(l, "< 8 B SW 9000"));
	ck_assert_ptr_null(strstr(l, "DEAD"));
	ck_assert_ptr_null(strstr(l, "data="));
	ck_assert_ptr_null(strstr(tline(&t, &ea, false, secret, sizeof(secret),
	    0x9000, buf, sizeof(buf)), "DEAD"));
	ck_assert_ptr_null(strstr(tline(&t, &gc, false, secret, sizeof(secret),
	    0x9000, buf, sizeof(buf)), "DEAD"));
	ck_assert_ptr_null(strstr(tline(&t, &mse, false, NULL, 0, 0x9000, buf,
	    sizeof(buf)), "DEAD"));
	/* EF.CardAccess (by SFI in the MF): public, written */
	l = tline(&t, &rb_sfi_ca, false, dg1, 4, 0x9000, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(l, "data=61055F1F"));
	/* after SELECT by AID, SELECT DG1: the FID is written, the contents
	 * are not without ICAO_TRACE_FILE_DATA */
	{
		const struct icao_apdu sel_app = { .ins = 0xA4, .p1 = 4, .p2 = 0x0C,
			.data = (const uint8_t *)ICAO_AID_EMRTD,
			.lc = ICAO_AID_EMRTD_LEN };

		l = tline(&t, &sel_app, false, NULL, 0, 0x9000, buf, sizeof(buf));
		ck_assert_ptr_nonnull(strstr(l, "data=A0000002471001"));
	}
	l = tline(&t, &sel_dg1, true, NULL, 0, 0x9000, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(l, "data=0101 SM"));
	l = tline(&t, &rb, true, dg1, sizeof(dg1), 0x9000, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(l, "(file contents omitted)"));
	ck_assert_ptr_null(strstr(l, "5F1F"));
	t.flags = ICAO_TRACE_FILE_DATA;
	l = tline(&t, &rb, true, dg1, sizeof(dg1), 0x9000, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(l, "data=61055F1F024142"));
	/* ... but never the data of GENERAL AUTHENTICATE, even so */
	ck_assert_ptr_null(strstr(tline(&t, &ga, true, secret, sizeof(secret),
	    0x9000, buf, sizeof(buf)), "DEAD"));
	/* EF.CardAccess by FID is public too */
	t.flags = 0;
	(void)tline(&t, &sel_ca, false, NULL, 0, 0x9000, buf, sizeof(buf));
	l = tline(&t, &rb, false, dg1, sizeof(dg1), 0x9000, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(l, "data=61055F1F024142"));
	/* a line that does not fit is cut, still a C string */
	t.flags = ICAO_TRACE_FILE_DATA;
	(void)tline(&t, &sel_dg1, false, NULL, 0, 0x9000, buf, sizeof(buf));
	l = tline(&t, &rb, false, dg1, sizeof(dg1), 0x9000, small, sizeof(small));
	ck_assert_uint_eq(strlen(l), sizeof(small) - 1);
	ck_assert_str_eq(l + strlen(l) - 3, "...");
	/* notes and the ATR */
	{
		struct icao_trace_ev ev = { .kind = ICAO_TRACE_NOTE,
			.note = "step select", .err = EG_ERR_CARD_STATUS, .ms = 1.5 };

		(void)icao_tracer_line(&t, &ev, buf, sizeof(buf));
		ck_assert_str_eq(buf, "# step select EG_ERR_CARD_STATUS 1.50 ms");
		ev.kind = ICAO_TRACE_ATR;
		ev.data = dg1;
		ev.dlen = 2;
		(void)icao_tracer_line(&t, &ev, buf, sizeof(buf));
		ck_assert_str_eq(buf, "ATR 6105");
	}
}
END_TEST

/* The channel reports every command: the plain one (not the wrapped one),
 * the wire lengths, GET RESPONSE rounds, status and plain data. */
struct tcap {
	unsigned n;
	struct icao_apdu last;
	bool prot;
	size_t wire_c, wire_r, dlen;
	unsigned gr;
	uint16_t sw;
};

static void
tcap_fn(void *ctx, const struct icao_trace_ev *ev)
{
	struct tcap *c = ctx;

	ck_assert_int_eq(ev->kind, ICAO_TRACE_APDU);
	c->n++;
	c->last = *ev->cmd;
	c->prot = ev->protected;
	c->wire_c = ev->wire_clen;
	c->wire_r = ev->wire_rlen;
	c->dlen = ev->dlen;
	c->gr = ev->get_responses;
	c->sw = ev->sw;
}

START_TEST(test_trace_hook)
{
	struct rig g;
	struct tcap c;
	struct eg_wbuf out;
	uint16_t sw;

	memset(&c, 0, sizeof(c));
	rig_up(&g, 600);
	icao_chan_set_trace(g.ch, tcap_fn, &c);
	eg_wbuf_init(&out, 4096, false);
	ck_assert_eg(icao_select_fid(g.ch, 0x0102, &sw), EG_OK);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.last.ins, 0xA4);
	ck_assert(!c.prot);
	ck_assert_uint_eq(c.wire_c, 7);
	ck_assert_uint_eq(c.wire_r, 2);
	ck_assert_eg(icao_read_binary(g.ch, 0, 200, &out, &sw), EG_OK);
	ck_assert_uint_eq(c.dlen, 200);
	ck_assert_uint_eq(c.wire_r, 202);
	/* 61xx: GET RESPONSE rounds are counted, not reported one by one */
	g.sim->gr_chunk = 64;
	eg_wbuf_reset(&out);
	ck_assert_eg(icao_read_binary(g.ch, 0, 200, &out, &sw), EG_OK);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_uint_ge(c.gr, 3);
	g.sim->gr_chunk = 0;
	/* under SM: the plain command (CLA 00, Le 100), wire bytes larger */
	rig_sm(&g, ICAO_CIPHER_AES128);
	eg_wbuf_reset(&out);
	ck_assert_eg(icao_read_binary(g.ch, 0, 100, &out, &sw), EG_OK);
	ck_assert(c.prot);
	ck_assert_uint_eq(c.last.cla, 0x00);
	ck_assert_uint_eq(c.last.le, 100);
	ck_assert_uint_eq(c.dlen, 100);
	ck_assert_uint_gt(c.wire_r, 100 + 16);
	ck_assert_uint_eq(c.sw, 0x9000);
	icao_chan_set_trace(g.ch, NULL, NULL);
	ck_assert_eg(icao_read_binary(g.ch, 0, 10, &out, &sw), EG_OK);
	ck_assert_uint_eq(c.n, 4);
	eg_wbuf_free(&out);
	rig_down(&g);
}
END_TEST

START_TEST(test_small_and_bad_files)
{
	struct simchip *sim = simchip_new();
	struct icao_chan *ch = NULL;
	struct icao_read_opts o = { 0 };
	struct eg_wbuf w;
	uint16_t sw;
	static const uint8_t tiny[] = { 0x01, 0x00 };
	static const uint8_t hdr2[] = { 0x7F, 0x61, 0x82, 0x00, 0x03, 1, 2, 3 };
	static const uint8_t shortf[] = { 0x75, 0x10, 1, 2, 3, 4, 5, 6 };
	static const uint8_t notlv[] = { 0x00, 0x10, 1, 2, 3, 4, 5, 6 };
	static uint8_t big[2000];

	big[0] = 0x75; big[1] = 0x82; big[2] = 0x07; big[3] = 0xCC;
	simchip_add_file(sim, 1, 0, tiny, sizeof(tiny));
	simchip_add_file(sim, 2, 0, hdr2, sizeof(hdr2));
	simchip_add_file(sim, 3, 0, shortf, sizeof(shortf));
	simchip_add_file(sim, 4, 0, notlv, sizeof(notlv));
	simchip_add_file(sim, 5, 0, big, sizeof(big));
	ck_assert_eg(icao_chan_new(&simchip_ops, sim, &ch), EG_OK);
	eg_wbuf_init(&w, 1u << 16, false);

	/* a 2-byte file: the 4-byte header read gets 2 bytes + 6282 */
	ck_assert_eg(icao_select_fid(ch, 1, &sw), EG_OK);
	ck_assert_eg(icao_read_file(ch, NULL, &w, &sw, NULL), EG_OK);
	ck_assert_uint_eq(w.len, 2);
	ck_assert_mem_eq(w.data, tiny, 2);
	eg_wbuf_reset(&w);
	/* a header longer than 4 bytes (two-byte tag, 82 length) */
	ck_assert_eg(icao_select_fid(ch, 2, &sw), EG_OK);
	ck_assert_eg(icao_read_file(ch, NULL, &w, &sw, NULL), EG_OK);
	ck_assert_uint_eq(w.len, sizeof(hdr2));
	ck_assert_mem_eq(w.data, hdr2, sizeof(hdr2));
	eg_wbuf_reset(&w);
	/* the TLV claims 18 bytes, the file has 8 */
	ck_assert_eg(icao_select_fid(ch, 3, &sw), EG_OK);
	ck_assert_eg(icao_read_file(ch, NULL, &w, &sw, NULL), EG_ERR_TRUNCATED);
	ck_assert_uint_eq(w.len, 0);
	/* not a TLV */
	ck_assert_eg(icao_select_fid(ch, 4, &sw), EG_OK);
	ck_assert_eg(icao_read_file(ch, NULL, &w, &sw, NULL), EG_ERR_FORMAT);
	ck_assert_uint_eq(w.len, 0);
	/* larger than allowed */
	o.max_file = 1000;
	ck_assert_eg(icao_select_fid(ch, 5, &sw), EG_OK);
	ck_assert_eg(icao_read_file(ch, &o, &w, &sw, NULL), EG_ERR_OVERFLOW);
	ck_assert_uint_eq(w.len, 0);
	/* no such file */
	ck_assert_eg(icao_select_fid(ch, 9, &sw), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6A82);
	/* the eMRTD application */
	ck_assert_eg(icao_select_aid(ch, (const uint8_t *)ICAO_AID_EMRTD,
	    ICAO_AID_EMRTD_LEN, &sw), EG_OK);
	ck_assert_mem_eq(sim->last_capdu, "\x00\xA4\x04\x0C\x07\xA0\x00\x00\x02\x47\x10\x01",
	    12);
	ck_assert_eg(icao_select_aid(ch, NULL, 0, &sw), EG_ERR_INVAL);
	eg_wbuf_free(&w);
	icao_chan_free(&ch);
	simchip_free(&sim);
}
END_TEST

START_TEST(test_sm_reads_all_ciphers)
{
	static const enum icao_cipher cs[] = { ICAO_CIPHER_3DES, ICAO_CIPHER_AES128,
		ICAO_CIPHER_AES192, ICAO_CIPHER_AES256 };

	for (size_t i = 0; i < 4; i++) {
		struct rig g;
		struct icao_read_stats st;

		rig_up(&g, 5000);
		rig_sm(&g, cs[i]);
		st = read_ok(&g, NULL);
		ck_assert_uint_eq(st.commands, expected_cmds(g.flen, 223));
		/* and with a chip that answers 6282 above 100 bytes */
		g.sim->quirk = SIM_Q_6282_EMPTY;
		g.sim->max_le = 100;
		st = read_ok(&g, NULL);
		ck_assert_uint_eq(st.final_chunk, 55);
		/* a protected 6Cxx, and responses split with 61xx */
		g.sim->quirk = SIM_Q_6C;
		g.sim->max_le = 0x90;
		g.sim->gr_chunk = 40;
		st = read_ok(&g, NULL);
		ck_assert_uint_eq(st.final_chunk, 0x90);
		ck_assert_int_eq(icao_sm_state(g.sm), ICAO_SM_READY);
		rig_down(&g);
	}
}
END_TEST

/* Extended-length reads: a meter under the channel records the largest
 * response APDU and how many commands went out in the extended form. */
struct meter {
	struct simchip *sim;
	size_t max_rlen;
	unsigned ext, cmds;
};

static int
meter_transmit(void *ctx, const uint8_t *c, size_t clen, uint8_t *r, size_t rcap,
    size_t *rlen)
{
	struct meter *m = ctx;
	int ret = simchip_ops.transmit(m->sim, c, clen, r, rcap, rlen);

	m->cmds++;
	if (clen >= 7 && c[4] == 0x00)
		m->ext++;
	if (ret == EG_OK && *rlen > m->max_rlen)
		m->max_rlen = *rlen;
	return ret;
}

static const struct icao_card_ops meter_ops = { .transmit = meter_transmit };

/* Under 3DES and AES, with the chunk icao_read_chunk_fit() gives for a
 * 512-byte reader: every READ BINARY is extended (DO'97' with two bytes,
 * Lc and Le in the extended form), the chip (simchip: its own SM code)
 * answers with protected responses of up to 512 bytes, and the file comes
 * out whole — also from offsets above 32767 (B1). */
START_TEST(test_sm_extended_reads)
{
	static const enum icao_cipher cs[] = { ICAO_CIPHER_3DES, ICAO_CIPHER_AES128,
		ICAO_CIPHER_AES256 };

	for (size_t i = 0; i < 3; i++) {
		struct rig g;
		struct meter m = { 0 };
		struct icao_read_stats st;
		struct icao_read_opts o = { 0 };
		size_t block = cs[i] == ICAO_CIPHER_3DES ? 8 : 16;

		rig_up(&g, 40 * 1024);
		icao_chan_free(&g.ch);
		m.sim = g.sim;
		ck_assert_eg(icao_chan_new(&meter_ops, &m, &g.ch), EG_OK);
		rig_sm(&g, cs[i]);
		o.max_chunk = icao_read_chunk_fit(512, block);
		o.extended = true;
		ck_assert_uint_eq(o.max_chunk, block == 8 ? 483 : 475);
		st = read_ok(&g, &o);
		ck_assert(st.extended);
		ck_assert_uint_eq(st.final_chunk, o.max_chunk);
		ck_assert_uint_eq(st.commands, expected_cmds(g.flen, o.max_chunk));
		/* SELECT is short, every READ BINARY extended */
		ck_assert_uint_eq(m.ext, st.commands);
		ck_assert_uint_eq(m.cmds, st.commands + 1);
		ck_assert_uint_le(m.max_rlen, 512);
		ck_assert_uint_gt(m.max_rlen, 256);	/* a short APDU could not */
		/* B1 carries Le = n + 4 (DO'53' header) */
		ck_assert_uint_eq(g.sim->max_le_seen, o.max_chunk + 4);
		/* the last command: CLA 0C, B1, extended Lc (00 00 xx), DO'97'
		 * with a 2-byte Le, extended Le 00 00 at the end */
		ck_assert_uint_eq(g.sim->last_capdu[0], 0x0C);
		ck_assert_uint_eq(g.sim->last_capdu[1], ICAO_INS_READ_BINARY_ODD);
		ck_assert_uint_eq(g.sim->last_capdu[4], 0x00);
		ck_assert_uint_eq(g.sim->last_capdu[g.sim->last_clen - 1], 0x00);
		ck_assert_uint_eq(g.sim->last_capdu[g.sim->last_clen - 2], 0x00);
		ck_assert_int_eq(icao_sm_state(g.sm), ICAO_SM_READY);
		rig_down(&g);
	}
}
END_TEST

/* 6700 to an extended read: back to short reads of at most 223 bytes,
 * plain and protected, and the session stays usable. */
START_TEST(test_extended_6700_falls_back)
{
	for (int prot = 0; prot < 2; prot++) {
		struct rig g;
		struct icao_read_stats st;
		struct icao_read_opts o = { 0 };

		rig_up(&g, 8000);
		if (prot)
			rig_sm(&g, ICAO_CIPHER_AES128);
		g.sim->quirk = SIM_Q_6700;
		g.sim->max_le = 300;
		o.max_chunk = 475;
		o.extended = true;
		st = read_ok(&g, &o);
		ck_assert(!st.extended);
		ck_assert_uint_eq(st.final_chunk, 223);
		/* header (4 bytes, fine), one refused 475, then 223s */
		ck_assert_uint_eq(st.commands, expected_cmds(g.flen, 223) + 1);
		ck_assert_uint_eq(g.sim->last_capdu[4] == 0x00 && g.sim->last_clen >= 7, 0);
		if (prot)
			ck_assert_int_eq(icao_sm_state(g.sm), ICAO_SM_READY);
		rig_down(&g);
	}
}
END_TEST

START_TEST(test_sm_mac_failure_stops_traffic)
{
	struct rig g;
	struct eg_wbuf w;
	uint16_t sw;
	unsigned before;

	rig_up(&g, 5000);
	rig_sm(&g, ICAO_CIPHER_AES128);
	ck_assert_eg(icao_select_fid(g.ch, 0x0102, &sw), EG_OK);
	eg_wbuf_init(&w, 1u << 20, true);
	g.sim->corrupt_next_mac = true;
	ck_assert_eg(icao_read_file(g.ch, NULL, &w, &sw, NULL), EG_ERR_MAC);
	ck_assert_uint_eq(w.len, 0);
	ck_assert_int_eq(icao_sm_state(g.sm), ICAO_SM_FAILED);
	/* nothing more reaches the card, protected or plain */
	before = g.sim->apdus;
	ck_assert_eg(icao_select_fid(g.ch, 0x0102, &sw), EG_ERR_STATE);
	ck_assert_eg(icao_read_binary(g.ch, 0, 4, &w, &sw), EG_ERR_STATE);
	ck_assert_uint_eq(g.sim->apdus, before);
	eg_wbuf_free(&w);
	rig_down(&g);
}
END_TEST

START_TEST(test_sm_bare_status_during_read)
{
	/* mid-file the chip answers with a bare (unprotected) status: the
	 * session is over, and icao_read_file stops at once, no retries */
	struct rig g;
	struct eg_wbuf w;
	uint16_t sw;
	unsigned before;

	rig_up(&g, 5000);
	rig_sm(&g, ICAO_CIPHER_AES256);
	ck_assert_eg(icao_select_fid(g.ch, 0x0102, &sw), EG_OK);
	/* a chip with other MAC keys from now on answers a bare 6988 */
	g.sim->ksmac[0] ^= 1;
	before = g.sim->apdus;
	eg_wbuf_init(&w, 1u << 20, true);
	ck_assert_eg(icao_read_file(g.ch, NULL, &w, &sw, NULL), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6988);
	ck_assert_uint_eq(g.sim->apdus, before + 1);
	ck_assert_uint_eq(w.len, 0);
	ck_assert_int_eq(icao_sm_state(g.sm), ICAO_SM_FAILED);
	eg_wbuf_free(&w);
	rig_down(&g);
}
END_TEST

START_TEST(test_sm_chip_rejects_command)
{
	/* the chip has other keys: it answers a bare 6988 */
	struct rig g;
	uint16_t sw;
	uint8_t other[32];

	rig_up(&g, 100);
	rig_sm(&g, ICAO_CIPHER_3DES);
	memset(other, 0x77, sizeof(other));
	memcpy(g.sim->ksmac, other, 32);
	ck_assert_eg(icao_select_fid(g.ch, 0x0102, &sw), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6988);
	ck_assert_int_eq(icao_sm_state(g.sm), ICAO_SM_FAILED);
	rig_down(&g);
}
END_TEST

/* A card that answers every command with one fixed response. */
struct fixed {
	uint8_t r[64];
	size_t rl;
	int err;
	unsigned n;
	uint8_t last[300];
	size_t last_len;
};

static int
fixed_transmit(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
    size_t rcap, size_t *rlen)
{
	struct fixed *f = ctx;

	f->n++;
	f->last_len = clen < sizeof(f->last) ? clen : sizeof(f->last);
	memcpy(f->last, c, f->last_len);
	if (f->err != EG_OK)
		return f->err;
	ck_assert_uint_le(f->rl, rcap);
	memcpy(r, f->r, f->rl);
	*rlen = f->rl;
	return EG_OK;
}

static const struct icao_card_ops fixed_ops = { .transmit = fixed_transmit };

START_TEST(test_lengths_checked)
{
	struct fixed f = { .rl = 12 };
	struct icao_chan *ch = NULL;
	struct eg_wbuf w;
	uint8_t chal[8];
	uint16_t sw;

	memset(f.r, 0x41, 10);
	f.r[10] = 0x90;
	f.r[11] = 0x00;
	ck_assert_eg(icao_chan_new(&fixed_ops, &f, &ch), EG_OK);
	eg_wbuf_init(&w, 1000, false);
	/* 10 bytes for a 4-byte READ BINARY: rejected, nothing appended */
	ck_assert_eg(icao_read_binary(ch, 0, 4, &w, &sw), EG_ERR_PROTOCOL);
	ck_assert_uint_eq(w.len, 0);
	/* 10 bytes for an 8-byte challenge */
	ck_assert_eg(icao_get_challenge(ch, chal, 8, &sw), EG_ERR_PROTOCOL);
	/* a 1-byte response */
	f.rl = 1;
	ck_assert_eg(icao_read_binary(ch, 0, 4, &w, &sw), EG_ERR_TRUNCATED);
	/* a card that always says 6Cxx with a bigger xx makes no progress */
	f.r[0] = 0x6C;
	f.r[1] = 0xF0;
	f.rl = 2;
	ck_assert_eg(icao_read_file(ch, NULL, &w, &sw, NULL), EG_ERR_PROTOCOL);
	ck_assert_uint_le(f.n, 40);
	/* 61xx forever */
	f.r[0] = 0x61;
	f.n = 0;
	ck_assert_eg(icao_read_binary(ch, 0, 4, &w, &sw), EG_ERR_PROTOCOL);
	ck_assert_uint_le(f.n, 400);
	/* invalid arguments */
	ck_assert_eg(icao_read_binary(ch, 0, 0, &w, &sw), EG_ERR_INVAL);
	ck_assert_eg(icao_read_binary(ch, 1u << 24, 4, &w, &sw), EG_ERR_INVAL);
	ck_assert_eg(icao_read_binary_sfi(ch, 0, 0, 4, &w, &sw), EG_ERR_INVAL);
	ck_assert_eg(icao_read_binary_sfi(ch, 32, 0, 4, &w, &sw), EG_ERR_INVAL);
	eg_wbuf_free(&w);
	icao_chan_free(&ch);
}
END_TEST

static void
last_is(const struct fixed *f, const char *hex)
{
	uint8_t want[300];
	size_t n;

	ck_assert_eg(eg_hex_decode(hex, want, sizeof(want), &n), EG_OK);
	ck_assert_uint_eq(f->last_len, n);
	ck_assert_mem_eq(f->last, want, n);
}

START_TEST(test_command_encodings)
{
	struct fixed f = { .rl = 10 };
	struct icao_chan *ch = NULL;
	struct eg_wbuf w;
	uint8_t chal[8];
	uint16_t sw;
	const uint8_t rnd[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	memcpy(f.r, "\x11\x22\x33\x44\x55\x66\x77\x88\x90\x00", 10);
	ck_assert_eg(icao_chan_new(&fixed_ops, &f, &ch), EG_OK);
	eg_wbuf_init(&w, 1000, false);
	ck_assert_eg(icao_get_challenge(ch, chal, 8, &sw), EG_OK);
	last_is(&f, "0084000008");
	ck_assert_mem_eq(chal, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	/* INTERNAL AUTHENTICATE (Active Authentication): Le 256 */
	ck_assert_eg(icao_internal_authenticate(ch, rnd, 8, &w, &sw), EG_OK);
	last_is(&f, "00880000080102030405060708 00");
	ck_assert_uint_eq(w.len, 8);
	/* EXTERNAL AUTHENTICATE without Le (case 3) */
	ck_assert_eg(icao_external_authenticate(ch, rnd, 8, 0, NULL, &sw), EG_OK);
	last_is(&f, "00820000080102030405060708");
	/* READ BINARY at 0x8000: odd INS, DO'54', Le = 16 + DO'53' header */
	memcpy(f.r, "\x53\x02\xAA\xBB\x90\x00", 6);
	f.rl = 6;
	eg_wbuf_reset(&w);
	ck_assert_eg(icao_read_binary(ch, 0x8000, 16, &w, &sw), EG_OK);
	last_is(&f, "00B1000004 54028000 12");
	ck_assert_uint_eq(w.len, 2);
	ck_assert_mem_eq(w.data, "\xAA\xBB", 2);
	ck_assert_eg(icao_read_binary(ch, 0x123456, 200, &w, &sw), EG_OK);
	last_is(&f, "00B1000005 5403123456 CB");
	/* B1 answer that is not exactly one DO'53' */
	memcpy(f.r, "\x53\x01\xAA\x00\x90\x00", 6);
	eg_wbuf_reset(&w);
	ck_assert_eg(icao_read_binary(ch, 0x8000, 16, &w, &sw), EG_ERR_FORMAT);
	ck_assert_uint_eq(w.len, 0);
	/* READ BINARY by SFI 1E (EF.COM), offset 0 */
	memcpy(f.r, "\x60\x14\x90\x00", 4);
	f.rl = 4;
	ck_assert_eg(icao_read_binary_sfi(ch, 0x1E, 0, 4, &w, &sw), EG_OK);
	last_is(&f, "00B09E0004");
	/* a status other than 9000: CARD_STATUS, sw in the out-parameter */
	memcpy(f.r, "\x69\x82", 2);
	f.rl = 2;
	ck_assert_eg(icao_select_fid(ch, 0x0103, &sw), EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(sw, 0x6982);
	last_is(&f, "00A4020C020103");
	eg_wbuf_free(&w);
	icao_chan_free(&ch);
}
END_TEST

START_TEST(test_transport_error_aborts_sm)
{
	struct fixed f = { .err = EG_ERR_IO };
	struct icao_chan *ch = NULL;
	struct icao_sm *sm = NULL;
	uint8_t k[16] = { 1 };
	uint16_t sw;

	ck_assert_eg(icao_chan_new(&fixed_ops, &f, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_sm_set_keys(sm, ICAO_CIPHER_3DES, k, k, NULL), EG_OK);
	icao_chan_set_sm(ch, sm);
	ck_assert_eg(icao_select_fid(ch, 0x011E, &sw), EG_ERR_IO);
	ck_assert_uint_eq(sw, 0);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_FAILED);
	ck_assert_eg(icao_select_fid(ch, 0x011E, &sw), EG_ERR_STATE);
	ck_assert_uint_eq(f.n, 1);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
}
END_TEST

START_TEST(test_pace_builders)
{
	struct vec *v = vec_load("pace_kdf.txt");
	uint8_t oid[16], want[64];
	size_t ol = vec_hex(v, "pace_oid", oid, sizeof(oid));
	struct eg_wbuf d, e;
	struct icao_apdu a;
	struct eg_rbuf val;
	static const uint8_t resp[] = { 0x7C, 0x12, 0x80, 0x10,
		0x95, 0xA3, 0xA0, 0x16, 0x52, 0x2E, 0xE9, 0x8D,
		0x01, 0xE7, 0x6C, 0xB6, 0xB9, 0x8B, 0x42, 0xC3 };

	eg_wbuf_init(&d, 1000, false);
	eg_wbuf_init(&e, 1000, false);
	/* MSE:Set AT of App. G.1: PACE OID, password reference 01 (MRZ) */
	ck_assert_eg(icao_mse_set_at_build(ICAO_MSE_SET_AT_PACE, oid, ol, 1, -1, &d,
	    &a), EG_OK);
	ck_assert_eg(icao_apdu_encode(&a, &e), EG_OK);
	ck_assert_uint_eq(e.len, vec_hex(v, "mse_set_at", want, sizeof(want)));
	ck_assert_mem_eq(e.data, want, e.len);
	/* GENERAL AUTHENTICATE, step 1: empty 7C, chained */
	eg_wbuf_reset(&d);
	eg_wbuf_reset(&e);
	ck_assert_eg(icao_ga_build(false, 0x80, NULL, 0, &d, &a), EG_OK);
	ck_assert_eg(icao_apdu_encode(&a, &e), EG_OK);
	ck_assert_uint_eq(e.len, 8);
	ck_assert_mem_eq(e.data, "\x10\x86\x00\x00\x02\x7C\x00\x00", 8);
	/* step with a value, last command */
	eg_wbuf_reset(&d);
	eg_wbuf_reset(&e);
	ck_assert_eg(icao_ga_build(true, 0x85, (const uint8_t *)"\x01\x02\x03", 3,
	    &d, &a), EG_OK);
	ck_assert_eg(icao_apdu_encode(&a, &e), EG_OK);
	ck_assert_mem_eq(e.data, "\x00\x86\x00\x00\x07\x7C\x05\x85\x03\x01\x02\x03\x00",
	    13);
	/* the chip's encrypted nonce out of a response */
	ck_assert_eg(icao_ga_parse(resp, sizeof(resp), 0x80, &val), EG_OK);
	ck_assert_uint_eq(eg_rbuf_left(&val), 16);
	ck_assert_mem_eq(val.p, want, vec_hex(v, "enc_nonce", want, sizeof(want)));
	ck_assert_eg(icao_ga_parse(resp, sizeof(resp), 0x82, &val), EG_ERR_NOT_FOUND);
	ck_assert_eg(icao_ga_parse(resp, sizeof(resp) - 1, 0x80, &val), EG_ERR_TRUNCATED);
	ck_assert_eg(icao_ga_parse(resp + 2, sizeof(resp) - 2, 0x80, &val), EG_ERR_FORMAT);
	/* CA: MSE:Set AT 41A4 with a private key reference */
	eg_wbuf_reset(&d);
	eg_wbuf_reset(&e);
	ck_assert_eg(icao_mse_set_at_build(ICAO_MSE_SET_AT_CA, oid, ol, -1, 7, &d, &a),
	    EG_OK);
	ck_assert_eg(icao_apdu_encode(&a, &e), EG_OK);
	ck_assert_mem_eq(e.data, "\x00\x22\x41\xA4\x0F\x80\x0A", 7);
	ck_assert_mem_eq(e.data + 17, "\x84\x01\x07", 3);
	eg_wbuf_free(&d);
	eg_wbuf_free(&e);
	vec_free(&v);
}
END_TEST

START_TEST(test_tlv_header)
{
	size_t h, t;

	ck_assert_eg(icao_tlv_header((const uint8_t *)"\x60\x14", 2, &h, &t), EG_OK);
	ck_assert_uint_eq(h, 2);
	ck_assert_uint_eq(t, 0x16);
	ck_assert_eg(icao_tlv_header((const uint8_t *)"\x75\x82\x4F", 3, &h, &t),
	    EG_ERR_TRUNCATED);
	ck_assert_eg(icao_tlv_header((const uint8_t *)"\x7F\x61\x83\x01\x00\x00", 6,
	    &h, &t), EG_OK);
	ck_assert_uint_eq(h, 6);
	ck_assert_uint_eq(t, 0x10006);
	ck_assert_eg(icao_tlv_header((const uint8_t *)"\x75\x80", 2, &h, &t),
	    EG_ERR_FORMAT);
	ck_assert_eg(icao_tlv_header((const uint8_t *)"\x75\x85", 2, &h, &t),
	    EG_ERR_FORMAT);
	ck_assert_eg(icao_tlv_header((const uint8_t *)"\xFF\x01", 2, &h, &t),
	    EG_ERR_FORMAT);
	ck_assert_eg(icao_tlv_header((const uint8_t *)"\x1F\x81\x82\x83\x04", 5,
	    &h, &t), EG_ERR_FORMAT);
	ck_assert_eg(icao_tlv_header(NULL, 0, &h, &t), EG_ERR_TRUNCATED);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("icao-chan");
	TCase *tc = tcase_create("chan");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_read_20k_plain);
	tcase_add_test(tc, test_adaptive_6282_empty);
	tcase_add_test(tc, test_adaptive_6c);
	tcase_add_test(tc, test_adaptive_6700);
	tcase_add_test(tc, test_adaptive_6282_partial);
	tcase_add_test(tc, test_odd_ins_beyond_32k);
	tcase_add_test(tc, test_sfi_and_get_response);
	tcase_add_test(tc, test_small_and_bad_files);
	tcase_add_test(tc, test_sfi_refused_select_fallback);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_trace_redaction);
	tcase_add_test(tc, test_trace_hook);
	tcase_add_test(tc, test_sm_reads_all_ciphers);
	tcase_add_test(tc, test_sm_extended_reads);
	tcase_add_test(tc, test_extended_6700_falls_back);
	tcase_add_test(tc, test_sm_mac_failure_stops_traffic);
	tcase_add_test(tc, test_sm_chip_rejects_command);
	tcase_add_test(tc, test_sm_bare_status_during_read);
	tcase_add_test(tc, test_lengths_checked);
	tcase_add_test(tc, test_transport_error_aborts_sm);
	tcase_add_test(tc, test_command_encodings);
	tcase_add_test(tc, test_pace_builders);
	tcase_add_test(tc, test_tlv_header);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
