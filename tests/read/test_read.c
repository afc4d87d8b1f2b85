/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_read.c — reading simulated travellers end to end: the reading flow
 * (firmware/doc) through the CCID driver, the simulated USB reader and the
 * simulated ePassport chip (hw/sim), for every traveller profile in
 * hw/sim/travellers and, for the genuine one, every reader profile in
 * hw/profiles/readers.ini. Plus the chip alone, the profile loader, and the
 * ICAO Appendix D exchange carried over the CCID path byte for byte.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "doc/card.h"
#include "doc/read.h"
#include "docauth/cardsec.h"
#include "docauth/testpki.h"
#include "eg_check.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/hex.h"
#include "icao/crypto.h"
#include "icao/extlen.h"
#include "icao/iso7816.h"
#include "icao/pace.h"
#include "icao/trace.h"
#include "egate_build.h"
#include "face.h"
#include "sim_ccid.h"
#include "sim_epassport.h"
#include "sim_portrait.h"
#include "sim_reader.h"
#include "sim_traveller.h"
#include "../icao/vec.h"

#define MRZ_ANNA "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" \
		 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"

/* Fixtures made once in make_suite (before Check forks the tests). */
static struct usb_profile_table profiles;
static struct sim_pki *pki;

static int
test_rng(void *ctx, unsigned char *out, size_t len)
{
	unsigned *n = ctx;

	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)(++*n * 37u + 11u);
	return 0;
}

static void
load_traveller(const char *name, struct sim_traveller *t)
{
	char path[1024];
	struct eg_cfg_error err;

	snprintf(path, sizeof(path), "%s/%s.ini", SIM_TRAVELLERS, name);
	if (sim_traveller_load_file(path, t, &err) != EG_OK)
		ck_abort_msg("%s:%d: %s", err.file, err.line, err.msg);
}

static struct csca_store *
make_store(bool with_crl)
{
	struct csca_store *s;
	const unsigned char *p;
	size_t n;

	ck_assert_eg(csca_store_new(&s), EG_OK);
	p = sim_pki_csca(pki, &n);
	ck_assert_eg(csca_store_add_cert(s, p, n), EG_OK);
	if (with_crl) {
		p = sim_pki_crl(pki, &n);
		ck_assert_eg(csca_store_add_crl(s, p, n), EG_OK);
	}
	return s;
}

struct run {
	struct sim_reader *rdr;
	struct csca_store *store;
	struct doc_result *res;
	unsigned rng_n;
};

/* Read traveller `name` through reader profile `ri` (full CCID path), with
 * the MRZ (NULL: Anna's) or, when can is not NULL, with that CAN only. */
static void
run_read(struct run *x, const char *name, size_t ri, const char *mrz,
    const char *can)
{
	struct sim_traveller t;
	struct doc_card card;
	struct doc_read_opts o;

	memset(x, 0, sizeof(*x));
	ck_assert_uint_lt(ri, profiles.n);
	load_traveller(name, &t);
	ck_assert_eg(sim_reader_open(&t, pki, TESTDATA, &profiles, &profiles.p[ri],
	    &x->rdr), EG_OK);
	x->store = make_store(true);
	doc_card_ccid(sim_reader_ccid(x->rdr), &card);
	memset(&o, 0, sizeof(o));
	o.mrz = can != NULL ? NULL : mrz != NULL ? mrz : MRZ_ANNA;
	o.can = can;
	o.store = x->store;
	o.rng = test_rng;
	o.rng_ctx = &x->rng_n;
	ck_assert_eg(doc_read(&card, &o, &x->res), EG_OK);
	ck_assert_ptr_nonnull(x->res);
}

static void
run_free(struct run *x)
{
	doc_result_free(&x->res);
	ck_assert_ptr_null(x->res);
	csca_store_free(&x->store);
	sim_reader_free(&x->rdr);
}

static enum pa_status
pa(const struct run *x, enum pa_check c)
{
	ck_assert(x->res->pa_ran);
	return x->res->pa.r[c].status;
}

static void
assert_pa_all_pass(const struct run *x)
{
	for (int c = 0; c < PA_CHECK_COUNT; c++)
		ck_assert_msg(x->res->pa.r[c].status == PA_PASS, "%s: %s (%s)",
		    pa_result_str((enum pa_check)c),
		    pa_status_str(x->res->pa.r[c].status), x->res->pa.r[c].reason);
}

/* Extended-length reads on reader profile ri: the reader's limit is one
 * CCID message, the chip's 2048 (EF.ATR/INFO of the default profile); the
 * files come with the largest READ BINARY that fits the smaller one under
 * the session's cipher (block), and the chip never refused a length. */
static void
assert_ext_reads(const struct run *x, size_t ri, size_t block)
{
	struct sim_epassport_stats st;
	size_t rmax = profiles.p[ri].max_message - 10;
	size_t lim = rmax < 2048 ? rmax : 2048;

	ck_assert_uint_eq(x->res->rsize.reader_max, rmax);
	ck_assert(x->res->rsize.chip_ext);
	ck_assert(x->res->rsize.chip_info);
	ck_assert_uint_eq(x->res->rsize.chip_max, 2048);
	ck_assert_uint_eq(x->res->rsize.limit, lim);
	ck_assert(x->res->file[2].extended);
	ck_assert_uint_eq(x->res->file[2].final_chunk, icao_read_chunk_fit(lim, block));
	ck_assert_uint_gt(x->res->file[2].final_chunk, ICAO_READ_CHUNK_DEFAULT);
	/* DG2 in that many commands (header first, then full chunks) */
	ck_assert_uint_eq(x->res->file[2].commands, 1 + (x->res->file[2].data.len - 4 +
	    x->res->file[2].final_chunk - 1) / x->res->file[2].final_chunk);
	sim_epassport_stats(sim_reader_chip(x->rdr), &st);
	ck_assert_uint_eq(st.ext_refused, 0);
	ck_assert_uint_gt(st.ext_commands, 0);
}

/* ---- the genuine traveller on every reader ------------------------------- */

START_TEST(genuine_every_reader)
{
	struct run x;
	size_t n;
	const uint8_t *dg2;
	bool seen_read = false;

	run_read(&x, "genuine-td3", (size_t)_i, NULL, NULL);
	ck_assert_msg(x.res->outcome == DOC_OUTCOME_PASS, "outcome %s",
	    doc_outcome_str(x.res->outcome));
	ck_assert_str_eq(x.res->access, "BAC");
	ck_assert_int_eq(x.res->check[DOC_CHECK_ACCESS_CONTROL].status, PA_PASS);
	ck_assert_int_eq(x.res->check[DOC_CHECK_SECURE_MESSAGING].status, PA_PASS);
	ck_assert_int_eq(x.res->check[DOC_CHECK_FILES_READ].status, PA_PASS);
	assert_pa_all_pass(&x);
	ck_assert_int_eq(x.res->check[DOC_CHECK_CHIP_AUTHENTICATION].status,
	    PA_NOT_CHECKED);
	ck_assert_int_eq(x.res->check[DOC_CHECK_ACTIVE_AUTHENTICATION].status,
	    PA_NOT_CHECKED);
	/* holder data from DG1 */
	ck_assert(x.res->holder_valid);
	ck_assert_str_eq(x.res->holder.primary_id, "ERIKSSON");
	ck_assert_str_eq(x.res->holder.secondary_id, "ANNA MARIA");
	ck_assert_str_eq(x.res->holder.document_number, "L898902C3");
	/* the DGs exactly as on the chip: DG2 for the face pipeline */
	dg2 = sim_epassport_file(sim_reader_chip(x.rdr), 0x0102, &n);
	ck_assert_ptr_nonnull(dg2);
	ck_assert_int_eq(x.res->file[2].status, DOC_FILE_READ);
	ck_assert_uint_eq(x.res->file[2].data.len, n);
	ck_assert(memcmp(x.res->file[2].data.data, dg2, n) == 0);
	ck_assert_int_eq(x.res->file[11].status, DOC_FILE_READ);
	ck_assert_int_eq(x.res->file[12].status, DOC_FILE_READ);
	ck_assert_int_eq(x.res->file[DOC_FILE_CARDACCESS].status, DOC_FILE_NOT_LISTED);
	/* timings for every step */
	ck_assert_uint_ge(x.res->n_steps, 7);
	ck_assert_str_eq(x.res->steps[0].name, "power_on");
	for (size_t i = 0; i < x.res->n_steps; i++) {
		ck_assert(x.res->steps[i].ms >= 0.0);
		if (strcmp(x.res->steps[i].name, "read_DG2") == 0)
			seen_read = true;
	}
	ck_assert(seen_read);
	ck_assert_str_eq(x.res->steps[x.res->n_steps - 1].name, "passive_auth");
	assert_ext_reads(&x, (size_t)_i, 8);	/* BAC: 3DES */
	run_free(&x);
}
END_TEST

/* ---- each misbehaviour: its own failed check ----------------------------- */

START_TEST(expired_ds)
{
	struct run x;

	run_read(&x, "expired", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_int_eq(pa(&x, PA_DS_VALIDITY), PA_FAIL);
	ck_assert_int_eq(pa(&x, PA_SOD_SIGNATURE), PA_PASS);
	ck_assert_int_eq(pa(&x, PA_DG_HASHES), PA_PASS);
	ck_assert_int_eq(pa(&x, PA_DS_CHAIN), PA_PASS);
	run_free(&x);
}
END_TEST

START_TEST(altered_dg1)
{
	struct run x;

	run_read(&x, "altered-dg1", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_int_eq(pa(&x, PA_DG_HASHES), PA_FAIL);
	ck_assert_int_eq(pa(&x, PA_SOD_SIGNATURE), PA_PASS);
	ck_assert_int_eq(pa(&x, PA_DG1_MRZ_MATCH), PA_FAIL);
	for (size_t i = 0; i < x.res->pa.n_dg; i++)
		if (x.res->pa.dg[i].dg == 1)
			ck_assert_int_eq(x.res->pa.dg[i].status, PA_DG_MISMATCH);
		else
			ck_assert_int_eq(x.res->pa.dg[i].status, PA_DG_MATCH);
	run_free(&x);
}
END_TEST

START_TEST(revoked_ds)
{
	struct run x;

	run_read(&x, "revoked-ds", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_int_eq(pa(&x, PA_DS_REVOCATION), PA_FAIL);
	ck_assert_int_eq(pa(&x, PA_DS_VALIDITY), PA_PASS);
	ck_assert_int_eq(pa(&x, PA_SOD_SIGNATURE), PA_PASS);
	run_free(&x);
}
END_TEST

START_TEST(bad_sod_signature)
{
	struct run x;

	run_read(&x, "bad-sod-signature", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_int_eq(pa(&x, PA_SOD_SIGNATURE), PA_FAIL);
	ck_assert_int_eq(pa(&x, PA_DG_HASHES), PA_PASS);
	run_free(&x);
}
END_TEST

START_TEST(unreadable_mute)
{
	struct run x;

	run_read(&x, "unreadable", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_UNREADABLE);
	ck_assert_int_ne(x.res->err, EG_OK);
	ck_assert(!x.res->pa_ran);
	ck_assert(!x.res->holder_valid);
	ck_assert_uint_eq(x.res->n_steps, 1);
	ck_assert_str_eq(x.res->steps[0].name, "power_on");
	run_free(&x);
}
END_TEST

START_TEST(no_emrtd_app)
{
	struct run x;

	run_read(&x, "no-emrtd-app", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_UNREADABLE);
	ck_assert_eg(x.res->err, EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(x.res->sw, 0x6A82);
	ck_assert(!x.res->pa_ran);
	run_free(&x);
}
END_TEST

START_TEST(big_reads_6282_adapt)
{
	struct run x;
	struct sim_epassport_stats st;

	run_read(&x, "big-reads-6282", 0, NULL, NULL);
	ck_assert_msg(x.res->outcome == DOC_OUTCOME_PASS, "outcome %s",
	    doc_outcome_str(x.res->outcome));
	assert_pa_all_pass(&x);
	sim_epassport_stats(sim_reader_chip(x.rdr), &st);
	ck_assert_uint_gt(st.short_reads, 0);
	/* the terminal adapted: few 6282s, then chunks the chip accepts */
	ck_assert_uint_le(st.short_reads, 8);
	ck_assert_uint_le(x.res->file[2].final_chunk, 160);
	ck_assert_uint_gt(x.res->file[2].final_chunk, 0);
	run_free(&x);
}
END_TEST

START_TEST(wrong_mac_kills_session)
{
	struct run x;

	run_read(&x, "wrong-mac", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_eg(x.res->err, EG_ERR_MAC);
	ck_assert_int_eq(x.res->check[DOC_CHECK_ACCESS_CONTROL].status, PA_PASS);
	ck_assert_int_eq(x.res->check[DOC_CHECK_SECURE_MESSAGING].status, PA_FAIL);
	ck_assert_ptr_nonnull(strstr(x.res->check[DOC_CHECK_SECURE_MESSAGING].reason,
	    "EG_ERR_MAC"));
	/* nothing read after the failure; PA runs on what was read before
	 * it (verified), and a SOD not read is a named failure */
	ck_assert(x.res->pa_ran);
	ck_assert_int_eq(pa(&x, PA_SOD_PARSE), PA_FAIL);
	ck_assert_ptr_nonnull(strstr(x.res->pa.r[PA_SOD_PARSE].reason,
	    "EF.SOD not read"));
	ck_assert_int_ne(x.res->file[2].status, DOC_FILE_READ);
	ck_assert_int_eq(x.res->file[2].status, DOC_FILE_ERROR);
	ck_assert_str_eq(doc_file_reason_str(x.res->file[2].reason), "not_reached");
	run_free(&x);
}
END_TEST

START_TEST(truncated_responses)
{
	struct run x;

	run_read(&x, "truncated", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_int_eq(x.res->check[DOC_CHECK_SECURE_MESSAGING].status, PA_FAIL);
	ck_assert_int_ne(x.res->err, EG_OK);
	ck_assert(x.res->pa_ran);
	ck_assert_int_eq(pa(&x, PA_SOD_PARSE), PA_FAIL);
	run_free(&x);
}
END_TEST

START_TEST(no_bac_chip)
{
	struct run x;

	run_read(&x, "no-bac", 0, NULL, NULL);
	ck_assert_str_eq(x.res->access, "none");
	ck_assert_int_eq(x.res->check[DOC_CHECK_ACCESS_CONTROL].status, PA_NOT_CHECKED);
	ck_assert_ptr_nonnull(strstr(x.res->check[DOC_CHECK_ACCESS_CONTROL].reason,
	    "6A88"));
	ck_assert_int_eq(x.res->check[DOC_CHECK_SECURE_MESSAGING].status,
	    PA_NOT_CHECKED);
	assert_pa_all_pass(&x);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	run_free(&x);
}
END_TEST

START_TEST(wrong_mrz_fails_bac)
{
	struct run x;
	/* same layout, another document number (valid check digits) */
	const char *other = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
	    "L898902C<3UTO7408122F1204159ZE184226B<<<<<16";
	struct mrz_result m;

	ck_assert_eg(mrz_parse_text(other, strlen(other), NULL, &m), EG_OK);
	mrz_result_clear(&m);
	run_read(&x, "genuine-td3", 0, other, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_int_eq(x.res->check[DOC_CHECK_ACCESS_CONTROL].status, PA_FAIL);
	ck_assert_eg(x.res->err, EG_ERR_CARD_STATUS);
	ck_assert_uint_eq(x.res->sw, 0x6300);
	ck_assert(!x.res->pa_ran);
	run_free(&x);
}
END_TEST


/* ---- failures in the middle of a read ----------------------------------- */

struct pull {
	struct sim_reader *rdr;
	unsigned after, seen;
};

static void
pull_card(void *ctx, const uint8_t *c, size_t cl, const uint8_t *r, size_t rl)
{
	struct pull *p = ctx;

	(void)c; (void)cl; (void)r; (void)rl;
	if (++p->seen == p->after)	/* the traveller takes the passport away */
		sim_ccid_arm(sim_reader_sim_ccid(p->rdr), SIM_CCID_FAULT_REMOVE_CARD, 0, 0);
}

START_TEST(card_removed_mid_dg2)
{
	struct sim_traveller t;
	struct sim_reader *rdr;
	struct doc_card card;
	struct doc_read_opts o;
	struct doc_result *res;
	struct csca_store *s = make_store(true);
	struct pull p = { .after = 20 };	/* within DG2 on every reader */
	unsigned n = 0;

	load_traveller("genuine-td3", &t);
	ck_assert_eg(sim_reader_open(&t, pki, TESTDATA, &profiles, &profiles.p[_i],
	    &rdr), EG_OK);
	p.rdr = rdr;
	sim_epassport_set_trace(sim_reader_chip(rdr), pull_card, &p);
	doc_card_ccid(sim_reader_ccid(rdr), &card);
	memset(&o, 0, sizeof(o));
	o.mrz = MRZ_ANNA;
	o.store = s;
	o.rng = test_rng;
	o.rng_ctx = &n;
	ck_assert_eg(doc_read(&card, &o, &res), EG_OK);
	ck_assert_int_eq(res->outcome, DOC_OUTCOME_UNREADABLE);
	ck_assert_eg(res->err, EG_ERR_NO_CARD);
	ck_assert_int_eq(res->file[2].status, DOC_FILE_ERROR);
	ck_assert_uint_eq(res->file[2].data.len, 0);	/* no partial DG2 handed out */
	ck_assert(!res->pa_ran);
	doc_result_free(&res);
	csca_store_free(&s);
	sim_reader_free(&rdr);
}
END_TEST

/* After a bad response MAC the terminal's session refuses every further
 * command: nothing reaches the chip any more. */
START_TEST(session_dead_after_wrong_mac)
{
	struct sim_epassport_cfg cfg = { .mrz_info = "L898902C<369080619406236",
		.flags = SIM_EP_F_WRONG_MAC, .wrong_mac_after = 1 };
	struct sim_epassport *c;
	struct sim_epassport_stats st;
	struct icao_chan *ch;
	struct icao_sm *sm;
	struct eg_wbuf out;
	uint8_t ob[64];
	uint16_t sw;
	unsigned n = 0, before;

	ck_assert_eg(sim_epassport_new(&cfg, &c), EG_OK);
	ck_assert_eg(sim_epassport_add_file(c, 0x011E, 0x1E,
	    (const uint8_t *)"\x60\x03\x5C\x01\x61", 5), EG_OK);
	ck_assert_eg(icao_chan_new(&sim_epassport_icao_ops, c, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&sm), EG_OK);
	ck_assert_eg(icao_select_aid(ch, (const uint8_t *)ICAO_AID_EMRTD,
	    ICAO_AID_EMRTD_LEN, &sw), EG_OK);
	ck_assert_eg(icao_bac_run(ch, cfg.mrz_info, test_rng, &n, sm, &sw), EG_OK);
	ck_assert_eg(icao_select_fid(ch, 0x011E, &sw), EG_OK);	/* response 1: good */
	eg_wbuf_init_fixed(&out, ob, sizeof(ob), false);
	ck_assert_eg(icao_read_binary(ch, 0, 4, &out, &sw), EG_ERR_MAC);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_int_eq(icao_sm_state(sm), ICAO_SM_FAILED);
	sim_epassport_stats(c, &st);
	before = st.apdus;
	ck_assert_eg(icao_read_binary(ch, 0, 4, &out, &sw), EG_ERR_STATE);
	ck_assert_eg(icao_select_fid(ch, 0x0101, &sw), EG_ERR_STATE);
	sim_epassport_stats(c, &st);
	ck_assert_uint_eq(st.apdus, before);
	icao_chan_free(&ch);
	icao_sm_free(&sm);
	sim_epassport_free(&c);
}
END_TEST

/* The log has every step and the outcome, and no personal data or keys. */
START_TEST(log_without_personal_data)
{
	struct run x;
	struct sim_traveller t;
	struct doc_card card;
	struct doc_read_opts o;
	struct eg_log lg;
	char *buf = NULL;
	size_t len = 0;
	unsigned n = 0;

	memset(&x, 0, sizeof(x));
	load_traveller("genuine-td3", &t);
	ck_assert_eg(sim_reader_open(&t, pki, TESTDATA, &profiles, &profiles.p[0],
	    &x.rdr), EG_OK);
	x.store = make_store(true);
	doc_card_ccid(sim_reader_ccid(x.rdr), &card);
	eg_log_init(&lg, "doc");
	lg.out = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(lg.out);
	memset(&o, 0, sizeof(o));
	o.mrz = MRZ_ANNA;
	o.store = x.store;
	o.rng = test_rng;
	o.rng_ctx = &n;
	o.log = &lg;
	ck_assert_eg(doc_read(&card, &o, &x.res), EG_OK);
	fclose(lg.out);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	ck_assert_ptr_nonnull(strstr(buf, "doc.step"));
	ck_assert_ptr_nonnull(strstr(buf, "read_DG2"));
	ck_assert_ptr_nonnull(strstr(buf, "outcome=pass"));
	ck_assert_ptr_null(strstr(buf, "ERIKSSON"));
	ck_assert_ptr_null(strstr(buf, "L898902C"));
	ck_assert_ptr_null(strstr(buf, "740812"));
	free(buf);
	run_free(&x);
}
END_TEST

/* ---- PACE, Chip Authentication, Active Authentication --------------------- */

static void
assert_check(const struct run *x, enum doc_check c, enum pa_status st,
    const char *in_reason)
{
	const struct doc_check_result *k = &x->res->check[c];

	ck_assert_msg(k->status == st, "%s: %s (%s)", doc_check_str(c),
	    doc_check_status_str(k), k->reason);
	if (in_reason != NULL)
		ck_assert_msg(strstr(k->reason, in_reason) != NULL,
		    "%s: no '%s' in '%s'", doc_check_str(c), in_reason, k->reason);
}

static bool
has_step(const struct run *x, const char *name)
{
	for (size_t i = 0; i < x->res->n_steps; i++)
		if (strcmp(x->res->steps[i].name, name) == 0)
			return true;
	return false;
}

/* genuine-pace on every reader: PACE with the MRZ, AES secure messaging */
START_TEST(genuine_pace_every_reader)
{
	struct run x;

	run_read(&x, "genuine-pace", (size_t)_i, NULL, NULL);
	ck_assert_msg(x.res->outcome == DOC_OUTCOME_PASS, "outcome %s",
	    doc_outcome_str(x.res->outcome));
	ck_assert_str_eq(x.res->access, "PACE");
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS,
	    "PACE-GM (AES-128, brainpoolP256r1)");
	assert_check(&x, DOC_CHECK_SECURE_MESSAGING, PA_PASS, "AES-128");
	assert_check(&x, DOC_CHECK_FILES_READ, PA_PASS, NULL);
	assert_pa_all_pass(&x);
	ck_assert(has_step(&x, "access_control_pace"));
	ck_assert(!has_step(&x, "access_control_bac"));
	ck_assert_str_eq(x.res->holder.primary_id, "ERIKSSON");
	assert_ext_reads(&x, (size_t)_i, 16);	/* PACE: AES */
	run_free(&x);
}
END_TEST

START_TEST(pace_p256_aes256)
{
	struct run x;

	run_read(&x, "genuine-pace-p256", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS,
	    "PACE-GM (AES-256, NIST P-256)");
	assert_check(&x, DOC_CHECK_SECURE_MESSAGING, PA_PASS, "AES-256");
	assert_pa_all_pass(&x);
	run_free(&x);
}
END_TEST

START_TEST(pace_with_can)
{
	struct run x;

	/* the right CAN: PACE, and PA without a printed MRZ to compare */
	run_read(&x, "genuine-pace", 0, NULL, "123456");
	ck_assert_str_eq(x.res->access, "PACE");
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "PACE-GM");
	assert_check(&x, DOC_CHECK_SECURE_MESSAGING, PA_PASS, "AES-128");
	ck_assert_int_eq(pa(&x, PA_SOD_SIGNATURE), PA_PASS);
	ck_assert_int_eq(pa(&x, PA_DG_HASHES), PA_PASS);
	ck_assert(x.res->holder_valid);
	run_free(&x);
	/* a wrong CAN: access control fails, nothing is read, no BAC */
	run_read(&x, "genuine-pace", 0, NULL, "654321");
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "wrong CAN");
	ck_assert(!x.res->pa_ran);
	ck_assert(!has_step(&x, "access_control_bac"));
	ck_assert_int_eq(x.res->file[1].status, DOC_FILE_NOT_LISTED);
	run_free(&x);
	/* a CAN for a chip that has none: it refuses the password reference */
	run_read(&x, "genuine-pace-p256", 0, NULL, "123456");
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "PACE: ");
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "SW 6A80");
	run_free(&x);
}
END_TEST

#define MRZ_OTHER "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" \
		  "L898902C<3UTO7408122F1204159ZE184226B<<<<<16"

START_TEST(pace_wrong_mrz)
{
	struct run x;

	/* PACE refused, BAC with the same MRZ refused too: a clean failure */
	run_read(&x, "genuine-pace", 0, MRZ_OTHER, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "PACE refused: wrong MRZ");
	ck_assert(has_step(&x, "access_control_pace"));
	ck_assert(has_step(&x, "access_control_bac"));
	ck_assert(!x.res->pa_ran);
	run_free(&x);
	/* a PACE-only chip: the right MRZ passes over PACE, a wrong one fails
	 * and BAC is refused (6985) */
	run_read(&x, "pace-only", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	ck_assert_str_eq(x.res->access, "PACE");
	run_free(&x);
	run_read(&x, "pace-only", 0, MRZ_OTHER, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "SW 6985");
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "PACE refused");
	run_free(&x);
}
END_TEST

/* EF.CardAccess offers PACE, the chip does not answer it: BAC */
START_TEST(pace_offered_falls_back_to_bac)
{
	struct run x;

	run_read(&x, "pace-offered", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	ck_assert_str_eq(x.res->access, "BAC");
	ck_assert_int_eq(x.res->file[DOC_FILE_CARDACCESS].status, DOC_FILE_READ);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "BAC (PACE: ");
	assert_check(&x, DOC_CHECK_SECURE_MESSAGING, PA_PASS, "3DES");
	run_free(&x);
	/* with a CAN: PACE is the only way and it fails */
	run_read(&x, "pace-offered", 0, NULL, "123456");
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_FAIL, "PACE");
	ck_assert(!x.res->pa_ran);
	run_free(&x);
}
END_TEST

START_TEST(genuine_ca_aa)
{
	struct run x;

	run_read(&x, "genuine-ca-aa", (size_t)_i, NULL, NULL);
	ck_assert_msg(x.res->outcome == DOC_OUTCOME_PASS, "outcome %s",
	    doc_outcome_str(x.res->outcome));
	ck_assert_str_eq(x.res->access, "PACE");
	assert_check(&x, DOC_CHECK_CHIP_AUTHENTICATION, PA_PASS, "CA (AES-128)");
	assert_check(&x, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_PASS, "AA (ECDSA SHA256)");
	assert_check(&x, DOC_CHECK_SECURE_MESSAGING, PA_PASS, "then CA AES-128");
	assert_check(&x, DOC_CHECK_FILES_READ, PA_PASS, NULL);
	assert_pa_all_pass(&x);
	/* CA right after DG14, before EF.SOD and the other files */
	{
		size_t i14 = 0, ica = 0, isod = 0, idg1 = 0;

		for (size_t i = 0; i < x.res->n_steps; i++) {
			const char *n = x.res->steps[i].name;

			if (strcmp(n, "read_DG14") == 0) i14 = i;
			if (strcmp(n, "chip_auth") == 0) ica = i;
			if (strcmp(n, "read_EF.SOD") == 0) isod = i;
			if (strcmp(n, "read_DG1") == 0) idg1 = i;
		}
		ck_assert_uint_gt(i14, 0);
		ck_assert_uint_eq(ica, i14 + 1);
		ck_assert_uint_eq(isod, ica + 1);
		ck_assert_uint_gt(idg1, isod);
	}
	run_free(&x);
}
END_TEST

START_TEST(aa_rsa)
{
	struct run x;

	run_read(&x, "genuine-aa-rsa", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	ck_assert_str_eq(x.res->access, "BAC");
	assert_check(&x, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_PASS, "AA (RSA, ISO 9796-2)");
	assert_check(&x, DOC_CHECK_CHIP_AUTHENTICATION, PA_NOT_CHECKED, "no DG14");
	ck_assert(!x.res->check[DOC_CHECK_CHIP_AUTHENTICATION].inconclusive);
	run_free(&x);
}
END_TEST

START_TEST(cloned_aa)
{
	struct run x;

	run_read(&x, "cloned-aa", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	assert_check(&x, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_FAIL, "cloned chip");
	assert_check(&x, DOC_CHECK_CHIP_AUTHENTICATION, PA_PASS, NULL);
	/* everything else is genuine: the files are the issuer's */
	assert_pa_all_pass(&x);
	ck_assert_eg(x.res->err, EG_OK);
	run_free(&x);
	/* DG15 with a key, and the chip cannot answer: also a failure */
	run_read(&x, "aa-offered", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	assert_check(&x, DOC_CHECK_ACTIVE_AUTHENTICATION, PA_FAIL, "6D00");
	assert_pa_all_pass(&x);	/* DG15's hash is in EF.SOD */
	run_free(&x);
}
END_TEST

START_TEST(cloned_ca)
{
	struct run x;

	run_read(&x, "cloned-ca", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	/* the read after the key switch fails, and that is the clone */
	assert_check(&x, DOC_CHECK_CHIP_AUTHENTICATION, PA_FAIL, "cloned chip");
	ck_assert_msg(strstr(x.res->check[DOC_CHECK_CHIP_AUTHENTICATION].reason,
	    "read_EF.SOD") != NULL, "%s",
	    x.res->check[DOC_CHECK_CHIP_AUTHENTICATION].reason);
	ck_assert_eg(x.res->err, EG_OK);	/* not a generic error */
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "PACE");
	ck_assert_int_ne(x.res->check[DOC_CHECK_SECURE_MESSAGING].status, PA_FAIL);
	ck_assert_int_eq(x.res->file[DOC_FILE_SOD].status, DOC_FILE_ERROR);
	ck_assert_int_eq(x.res->file[DOC_FILE_SOD].reason,
	    DOC_FREASON_CHIP_AUTH_FAILED);
	/* the rest was not read: reported as such, per file */
	ck_assert_int_eq(x.res->file[1].status, DOC_FILE_ERROR);
	ck_assert_int_eq(x.res->file[1].reason, DOC_FREASON_NOT_REACHED);
	ck_assert(x.res->pa_ran);
	ck_assert_int_eq(pa(&x, PA_SOD_PARSE), PA_FAIL);
	ck_assert_ptr_nonnull(strstr(x.res->pa.r[PA_SOD_PARSE].reason,
	    "chip_auth_failed"));
	ck_assert_int_ne(x.res->check[DOC_CHECK_ACTIVE_AUTHENTICATION].status,
	    PA_PASS);
	run_free(&x);
	/* a clone that answers under its own keys: the read fails with
	 * EG_ERR_MAC, and that too is the clone, not a broken session */
	run_read(&x, "cloned-ca-lax", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	assert_check(&x, DOC_CHECK_CHIP_AUTHENTICATION, PA_FAIL,
	    "read_EF.SOD after CA: EG_ERR_MAC");
	ck_assert_eg(x.res->err, EG_OK);
	ck_assert_int_eq(x.res->file[DOC_FILE_SOD].err, EG_ERR_MAC);
	ck_assert_int_ne(x.res->check[DOC_CHECK_SECURE_MESSAGING].status, PA_FAIL);
	ck_assert(x.res->pa_ran);
	ck_assert_int_eq(pa(&x, PA_SOD_PARSE), PA_FAIL);
	run_free(&x);
}
END_TEST

/* ---- reading that adapts to the chip ------------------------------------ */

static unsigned
count_steps(const struct run *x, const char *name)
{
	unsigned n = 0;

	for (size_t i = 0; i < x->res->n_steps; i++)
		n += strcmp(x->res->steps[i].name, name) == 0;
	return n;
}

/* A chip without short EF identifiers: every file SELECTed by identifier
 * after the first refusal, the read passes. */
START_TEST(adapt_no_sfi)
{
	struct run x;

	run_read(&x, "no-sfi", 0, NULL, NULL);
	ck_assert_msg(x.res->outcome == DOC_OUTCOME_PASS, "outcome %s",
	    doc_outcome_str(x.res->outcome));
	assert_pa_all_pass(&x);
	assert_check(&x, DOC_CHECK_FILES_READ, PA_PASS, NULL);
	ck_assert(x.res->adapt.no_sfi);
	ck_assert_uint_eq(x.res->adapt.sfi_sw, 0x6A82);
	ck_assert(x.res->file[DOC_FILE_CARDACCESS].by_fid);
	ck_assert(x.res->file[1].by_fid);
	ck_assert(x.res->file[2].by_fid);
	ck_assert(x.res->file[11].by_fid);
	/* a refusal in the clear (EF.CardAccess, before PACE) was enough:
	 * every later file was SELECTed at once, nothing re-established */
	for (int i = 0; i < DOC_FILE_COUNT; i++)
		if (x.res->file[i].status == DOC_FILE_READ)
			ck_assert_msg(x.res->file[i].by_fid, "%s", doc_file_name(i));
	ck_assert_uint_eq(x.res->adapt.reestablished, 0);
	run_free(&x);
	/* the same chip with SFI answers as before: nothing adapted */
	run_read(&x, "genuine-pace", 0, NULL, NULL);
	ck_assert(!x.res->adapt.no_sfi);
	ck_assert(!x.res->file[2].by_fid);
	run_free(&x);
}
END_TEST

/* Protected answers without DO'99': taken on their MAC, counted, pass. */
START_TEST(adapt_no_do99)
{
	struct run x;

	run_read(&x, "no-do99", 0, NULL, NULL);
	ck_assert_msg(x.res->outcome == DOC_OUTCOME_PASS, "outcome %s",
	    doc_outcome_str(x.res->outcome));
	assert_pa_all_pass(&x);
	ck_assert_uint_gt(x.res->adapt.no_do99, 10);
	assert_check(&x, DOC_CHECK_SECURE_MESSAGING, PA_PASS, "without DO'99'");
	run_free(&x);
	/* with DO'99' nothing is counted */
	run_read(&x, "genuine-pace", 0, NULL, NULL);
	ck_assert_uint_eq(x.res->adapt.no_do99, 0);
	ck_assert_ptr_null(strstr(x.res->check[DOC_CHECK_SECURE_MESSAGING].reason,
	    "DO'99'"));
	run_free(&x);
}
END_TEST

/* DG11 is listed and absent; the chip answers 6A82 in the clear and ends
 * secure messaging. A 6A82 to a read by SFI says nothing about the file
 * yet: access control is re-established and DG11 SELECTed, which the chip
 * refuses the same way (the file is absent): access control again, and
 * the other files are read. DG11 is reported per file, files_read fails on
 * it, PA passes on what was read. */
START_TEST(adapt_sm_dropped)
{
	struct run x;
	struct sim_epassport_stats st;

	run_read(&x, "drop-sm", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_uint_eq(x.res->adapt.reestablished, 2);
	ck_assert_str_eq(x.res->adapt.sm_dropped_at, "read_DG11");
	ck_assert_uint_eq(x.res->adapt.sm_dropped_sw, 0x6A82);
	ck_assert_uint_eq(count_steps(&x, "reestablish_access"), 2);
	sim_epassport_stats(sim_reader_chip(x.rdr), &st);
	ck_assert_uint_eq(st.sm_dropped, 2);
	ck_assert_uint_eq(st.bac_ok, 3);
	ck_assert_int_eq(x.res->file[11].status, DOC_FILE_ERROR);
	ck_assert_int_eq(x.res->file[11].reason, DOC_FREASON_NOT_FOUND);
	ck_assert(x.res->file[11].retried);
	ck_assert(!x.res->adapt.no_sfi);	/* nothing proved a lack of SFI */
	ck_assert_int_eq(x.res->file[12].status, DOC_FILE_READ);
	ck_assert_int_eq(x.res->file[2].status, DOC_FILE_READ);
	assert_check(&x, DOC_CHECK_FILES_READ, PA_FAIL, "DG11 (not_found, SW 6A82)");
	assert_check(&x, DOC_CHECK_SECURE_MESSAGING, PA_PASS,
	    "ended the session at read_DG11");
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "BAC");
	ck_assert(x.res->pa_ran);
	ck_assert_int_eq(pa(&x, PA_SOD_SIGNATURE), PA_PASS);
	ck_assert_int_eq(pa(&x, PA_DG_HASHES), PA_PASS);
	ck_assert_int_eq(pa(&x, PA_SOD_PARSE), PA_PASS);
	run_free(&x);
}
END_TEST

/* No SFI and SM dropped after an error: the first read by SFI is refused in
 * the clear (ending the session); access control is re-established, the
 * file SELECTed, and from then on no error: the read passes. */
START_TEST(adapt_no_sfi_and_sm_dropped)
{
	struct run x;

	run_read(&x, "no-sfi-drop-sm", 0, NULL, NULL);
	ck_assert_msg(x.res->outcome == DOC_OUTCOME_PASS, "outcome %s: %s",
	    doc_outcome_str(x.res->outcome),
	    x.res->check[DOC_CHECK_FILES_READ].reason);
	assert_pa_all_pass(&x);
	ck_assert_uint_eq(x.res->adapt.reestablished, 1);
	ck_assert_str_eq(x.res->adapt.sm_dropped_at, "read_EF.COM");
	ck_assert(x.res->adapt.no_sfi);
	ck_assert(x.res->file[DOC_FILE_COM].retried);
	ck_assert(x.res->file[DOC_FILE_COM].by_fid);
	ck_assert(x.res->file[2].by_fid);
	run_free(&x);
}
END_TEST

/* A chip without EF.SOD, and one with an empty EF.SOD: passive
 * authentication runs and sod_parse fails by name, never "not run". */
START_TEST(adapt_missing_or_empty_sod)
{
	struct run x;

	run_read(&x, "missing-sod", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert(x.res->pa_ran);
	ck_assert_int_eq(pa(&x, PA_SOD_PARSE), PA_FAIL);
	ck_assert_str_eq(x.res->pa.r[PA_SOD_PARSE].reason,
	    "EF.SOD missing: the chip has no such file (SW 6A82)");
	ck_assert_int_eq(x.res->file[DOC_FILE_SOD].reason, DOC_FREASON_NOT_FOUND);
	ck_assert_int_eq(x.res->file[2].status, DOC_FILE_READ);	/* the rest read */
	assert_check(&x, DOC_CHECK_FILES_READ, PA_FAIL, "EF.SOD (not_found");
	run_free(&x);
	run_read(&x, "empty-sod", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	ck_assert(x.res->pa_ran);
	ck_assert_int_eq(pa(&x, PA_SOD_PARSE), PA_FAIL);
	ck_assert_str_eq(x.res->pa.r[PA_SOD_PARSE].reason,
	    "EF.SOD empty: the file has no content");
	ck_assert_int_eq(x.res->file[DOC_FILE_SOD].reason, DOC_FREASON_EMPTY);
	ck_assert_uint_le(x.res->file[DOC_FILE_SOD].commands, 4);
	ck_assert_int_eq(x.res->file[2].status, DOC_FILE_READ);
	run_free(&x);
}
END_TEST

/* ---- PACE-CAM and Integrated Mapping -------------------------------------- */

/* PACE-CAM: EF.CardSecurity is read in the MF, verified, and the chip
 * proves it holds the private key of its CA key: pace_cam passes, next to
 * chip_authentication and active_authentication. */
START_TEST(pace_cam_genuine)
{
	struct run x;

	run_read(&x, "genuine-pace-cam", 0, NULL, NULL);
	ck_assert_msg(x.res->outcome == DOC_OUTCOME_PASS, "outcome %s: %s",
	    doc_outcome_str(x.res->outcome),
	    x.res->check[DOC_CHECK_PACE_CAM].reason);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS,
	    "PACE-CAM (AES-128, brainpoolP256r1)");
	assert_check(&x, DOC_CHECK_PACE_CAM, PA_PASS, "signed by C=UT");
	assert_pa_all_pass(&x);
	ck_assert_int_eq(x.res->file[DOC_FILE_CARDSECURITY].status, DOC_FILE_READ);
	ck_assert(has_step(&x, "pace_cam"));
	ck_assert_str_eq(doc_check_str(DOC_CHECK_PACE_CAM), "pace_cam");
	run_free(&x);
	/* with the CAN too */
	run_read(&x, "genuine-pace-cam", 0, NULL, "123456");
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	assert_check(&x, DOC_CHECK_PACE_CAM, PA_PASS, NULL);
	run_free(&x);
	/* GM and BAC say why there is no PACE-CAM */
	run_read(&x, "genuine-pace", 0, NULL, NULL);
	assert_check(&x, DOC_CHECK_PACE_CAM, PA_NOT_CHECKED, "PACE-GM");
	run_free(&x);
	run_read(&x, "genuine-td3", 0, NULL, NULL);
	assert_check(&x, DOC_CHECK_PACE_CAM, PA_NOT_CHECKED, NULL);
	run_free(&x);
}
END_TEST

/* A clone: EF.CardSecurity copied, the chip maps with another key. PACE
 * itself works (the clone knows the MRZ), pace_cam fails by name. */
START_TEST(pace_cam_cloned)
{
	struct run x;

	run_read(&x, "cloned-pace-cam", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_FAIL);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS, "PACE-CAM");
	assert_check(&x, DOC_CHECK_PACE_CAM, PA_FAIL, "cloned chip");
	assert_pa_all_pass(&x);		/* the copied data is genuine */
	run_free(&x);
}
END_TEST

/* EF.CardSecurity's verification on its own: the simulated chip's file,
 * then spoilt: a flipped signature, no trusted CSCA, truncated, another
 * eContentType (an EF.SOD's CMS), and made by the test PKI with a wrong
 * messageDigest or without its DS certificate. */
START_TEST(cardsec_verify_cases)
{
	struct run x;
	struct cardsec cs;
	struct csca_store *other;
	struct eg_wbuf f, made;
	struct tpki *tp;
	struct tpki_cred ca, ds;
	const struct lds_secinfo *k;
	char why[200];
	uint8_t set[] = { 0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F,
		0x00, 0x07, 0x02, 0x02, 0x04, 0x06, 0x02, 0x02, 0x01, 0x02, 0x02,
		0x01, 0x0D };

	run_read(&x, "genuine-pace-cam", 0, NULL, NULL);
	eg_wbuf_init(&f, 1 << 16, false);
	ck_assert_eg(eg_wbuf_put(&f, x.res->file[DOC_FILE_CARDSECURITY].data.data,
	    x.res->file[DOC_FILE_CARDSECURITY].data.len), EG_OK);
	ck_assert_eg(cardsec_verify(f.data, f.len, x.store, 0x70000000, &cs, why,
	    sizeof(why)), EG_OK);
	ck_assert_ptr_nonnull(strstr(why, "DS Utopia 1"));
	ck_assert_ptr_nonnull(k = cardsec_ca_key(&cs));
	ck_assert_uint_gt(k->spki_len, 60);
	/* a byte of the signature (near the end) */
	f.data[f.len - 5] ^= 0x01;
	ck_assert_eg(cardsec_verify(f.data, f.len, x.store, 0x70000000, &cs, why,
	    sizeof(why)), EG_ERR_AUTH);
	f.data[f.len - 5] ^= 0x01;
	/* nobody trusted */
	ck_assert_eg(csca_store_new(&other), EG_OK);
	ck_assert_eg(cardsec_verify(f.data, f.len, other, 0x70000000, &cs, why,
	    sizeof(why)), EG_ERR_CERT);
	ck_assert_eg(cardsec_verify(f.data, f.len, NULL, 0x70000000, &cs, why,
	    sizeof(why)), EG_ERR_CERT);
	csca_store_free(&other);
	/* the DS outside its validity (2046) */
	ck_assert_eg(cardsec_verify(f.data, f.len, x.store, 2400000000, &cs, why,
	    sizeof(why)), EG_ERR_CERT);
	/* cut */
	ck_assert_int_ne(cardsec_verify(f.data, f.len - 1, x.store, 0x70000000,
	    &cs, why, sizeof(why)), EG_OK);
	/* an EF.SOD is a signed CMS of another content type (77 stripped) */
	{
		const struct doc_file *sod = &x.res->file[DOC_FILE_SOD];
		size_t hl = sod->data.data[1] == 0x82 ? 4 : sod->data.data[1] == 0x81 ? 3 : 2;

		ck_assert_eg(cardsec_parse(sod->data.data + hl, sod->data.len - hl,
		    &cs), EG_ERR_FORMAT);
	}
	/* test PKI: bad digest, no certificate */
	ck_assert_eg(tpki_new(&tp, "cardsec test"), EG_OK);
	tpki_cred_init(&ca);
	tpki_cred_init(&ds);
	ck_assert_eg(tpki_cred_make(tp, TPKI_KEY_EC_P256, "C=UT,CN=CSCA t", NULL,
	    true, "20200101000000", "20491231235959", 1, &ca), EG_OK);
	ck_assert_eg(tpki_cred_make(tp, TPKI_KEY_EC_P256, "C=UT,CN=DS t", &ca,
	    false, "20200101000000", "20451231235959", 2, &ds), EG_OK);
	ck_assert_eg(csca_store_new(&other), EG_OK);
	ck_assert_eg(csca_store_add_cert(other, ca.cert.data, ca.cert.len), EG_OK);
	eg_wbuf_init(&made, 1 << 14, false);
	ck_assert_eg(tpki_cardsecurity_build(tp, &ds, set, sizeof(set), 0, &made),
	    EG_OK);
	ck_assert_eg(cardsec_verify(made.data, made.len, other, 0x70000000, &cs,
	    why, sizeof(why)), EG_OK);
	ck_assert_ptr_null(cardsec_ca_key(&cs));	/* a PACEInfo only */
	ck_assert_uint_eq(cs.si.n, 1);
	eg_wbuf_reset(&made);
	ck_assert_eg(tpki_cardsecurity_build(tp, &ds, set, sizeof(set),
	    TPKI_BAD_DIGEST, &made), EG_OK);
	ck_assert_eg(cardsec_verify(made.data, made.len, other, 0x70000000, &cs,
	    why, sizeof(why)), EG_ERR_AUTH);
	eg_wbuf_reset(&made);
	ck_assert_eg(tpki_cardsecurity_build(tp, &ds, set, sizeof(set),
	    TPKI_NO_CERT, &made), EG_OK);
	ck_assert_eg(cardsec_verify(made.data, made.len, other, 0x70000000, &cs,
	    why, sizeof(why)), EG_ERR_CERT);
	eg_wbuf_free(&made);
	csca_store_free(&other);
	tpki_cred_free(&ca);
	tpki_cred_free(&ds);
	tpki_free(&tp);
	eg_wbuf_free(&f);
	run_free(&x);
}
END_TEST

/* Integrated Mapping on the simulated passport. */
START_TEST(pace_im_read)
{
	struct run x;

	run_read(&x, "pace-im", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	assert_check(&x, DOC_CHECK_ACCESS_CONTROL, PA_PASS,
	    "PACE-IM (AES-256, NIST P-256)");
	assert_check(&x, DOC_CHECK_SECURE_MESSAGING, PA_PASS, "AES-256");
	assert_pa_all_pass(&x);
	run_free(&x);
}
END_TEST

/* ---- the APDU trace ------------------------------------------------------- */

/* What the trace sink wrote, and what went over the wire meanwhile. */
struct tcap {
	struct icao_tracer t;
	char *text, *line;
	size_t len, cap;
	/* wire: the secret part of every exchange (protected payloads, key
	 * agreement and authentication data), hex, each ended by '|' */
	char *wire;
	size_t wlen, wcap;
};

static void
tcap_sink(void *ctx, const struct icao_trace_ev *ev)
{
	struct tcap *c = ctx;
	size_t n = icao_tracer_line(&c->t, ev, c->line, ICAO_TRACE_LINE_MAX);

	ck_assert_uint_lt(c->len + n + 2, c->cap);
	memcpy(c->text + c->len, c->line, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = '\0';
}

static void
tcap_wire_add(struct tcap *c, const uint8_t *p, size_t n)
{
	ck_assert_uint_lt(c->wlen + 2 * n + 2, c->wcap);
	ck_assert_eg(eg_hex_encode(p, n, c->wire + c->wlen, c->wcap - c->wlen), EG_OK);
	c->wlen += 2 * n;
	c->wire[c->wlen++] = '|';
	c->wire[c->wlen] = '\0';
}

static void
tcap_wire(void *ctx, const uint8_t *cmd, size_t cl, const uint8_t *rsp, size_t rl)
{
	struct tcap *c = ctx;
	uint8_t ins = cl > 1 ? cmd[1] : 0;

	if (cl < 5)
		return;
	/* (a plain MSE:Set AT for PACE carries the public OID of
	 * EF.CardAccess, which the trace shows: not a secret) */
	if ((cmd[0] & 0x0C) != 0 || ins == 0x86 || ins == 0x84 ||
	    ins == 0x82 || ins == 0x88) {
		tcap_wire_add(c, cmd + 4, cl - 4);
		if (rl > 2)
			tcap_wire_add(c, rsp, rl - 2);
	}
}

/* no 8-byte window of any secret exchange appears in the trace */
static void
assert_no_window(const char *text, const char *hex, size_t hlen, const char *what)
{
	char win[17];

	for (size_t i = 0; i + 16 <= hlen; i += 2) {
		if (memchr(hex + i, '|', 16) != NULL)
			continue;
		memcpy(win, hex + i, 16);
		win[16] = '\0';
		ck_assert_msg(strstr(text, win) == NULL, "%s: %s in the trace", what, win);
	}
}

static void
assert_absent_hex(const char *text, const uint8_t *p, size_t n, const char *what)
{
	char hex[2 * 256 + 1];

	ck_assert_uint_le(n, 256);
	ck_assert_eg(eg_hex_encode(p, n, hex, sizeof(hex)), EG_OK);
	assert_no_window(text, hex, 2 * n, what);
}

/* Read `name` with a trace (flags), collect the trace and the wire. */
static void
traced_read(struct run *x, struct tcap *c, const char *name, unsigned flags)
{
	struct sim_traveller t;
	struct doc_card card;
	struct doc_read_opts o;

	memset(x, 0, sizeof(*x));
	memset(c, 0, sizeof(*c));
	c->t.flags = flags;
	c->cap = 1u << 22;
	c->wcap = 1u << 22;
	c->text = calloc(1, c->cap);
	c->wire = calloc(1, c->wcap);
	c->line = malloc(ICAO_TRACE_LINE_MAX);
	ck_assert(c->text != NULL && c->wire != NULL && c->line != NULL);
	load_traveller(name, &t);
	ck_assert_eg(sim_reader_open(&t, pki, TESTDATA, &profiles, &profiles.p[0],
	    &x->rdr), EG_OK);
	sim_epassport_set_trace(sim_reader_chip(x->rdr), tcap_wire, c);
	x->store = make_store(true);
	doc_card_ccid(sim_reader_ccid(x->rdr), &card);
	memset(&o, 0, sizeof(o));
	o.mrz = MRZ_ANNA;
	o.store = x->store;
	o.rng = test_rng;
	o.rng_ctx = &x->rng_n;
	o.trace = tcap_sink;
	o.trace_ctx = c;
	ck_assert_eg(doc_read(&card, &o, &x->res), EG_OK);
	ck_assert_int_eq(x->res->outcome, DOC_OUTCOME_PASS);
}

static void
tcap_free(struct tcap *c)
{
	free(c->text);
	free(c->wire);
	free(c->line);
}

/* A default trace holds every command and no key material, no key
 * agreement or authentication data, no protected payload and nothing of
 * DG1 (as text or bytes); with ICAO_TRACE_FILE_DATA the DG1 bytes are
 * there (the check above can see them) and still nothing secret. */
START_TEST(trace_without_secrets)
{
	static const char *const names[] = { "genuine-td3", "genuine-pace",
		"genuine-ca-aa", "genuine-pace-cam" };
	uint8_t kseed[16], kenc[16], kmac[16], kpi[32];
	struct run x;
	struct tcap c;
	const struct doc_file *dg1;

	ck_assert_eg(icao_bac_kseed("L898902C3674081221204159", kseed), EG_OK);
	ck_assert_eg(icao_kdf(kseed, 16, ICAO_KDF_ENC, ICAO_CIPHER_3DES, kenc), EG_OK);
	ck_assert_eg(icao_kdf(kseed, 16, ICAO_KDF_MAC, ICAO_CIPHER_3DES, kmac), EG_OK);
	ck_assert_eg(icao_pace_kpi(ICAO_PACE_PW_MRZ, "L898902C3674081221204159",
	    ICAO_CIPHER_AES128, kpi), EG_OK);
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		for (int with_data = 0; with_data < 2; with_data++) {
			traced_read(&x, &c, names[k],
			    with_data ? ICAO_TRACE_FILE_DATA : 0);
			ck_assert_ptr_nonnull(strstr(c.text, "> 00 A4 04 0C"));
			ck_assert_ptr_nonnull(strstr(c.text, "ATR 3B"));
			ck_assert_ptr_nonnull(strstr(c.text, "# passive_auth"));
			ck_assert_uint_gt(c.wlen, 100);
			assert_no_window(c.text, c.wire, c.wlen, names[k]);
			assert_absent_hex(c.text, kenc, 16, "BAC Kenc");
			assert_absent_hex(c.text, kmac, 16, "BAC Kmac");
			assert_absent_hex(c.text, kpi, 16, "PACE Kpi");
			ck_assert_ptr_null(strstr(c.text, "ERIKSSON"));
			ck_assert_ptr_null(strstr(c.text, "L898902C3"));
			dg1 = &x.res->file[1];
			ck_assert_int_eq(dg1->status, DOC_FILE_READ);
			if (with_data) {
				char hex[2 * 93 + 1];

				ck_assert_uint_le(dg1->data.len, 93);
				ck_assert_eg(eg_hex_encode(dg1->data.data, dg1->data.len,
				    hex, sizeof(hex)), EG_OK);
				/* the file's contents, in the read's pieces */
				ck_assert_ptr_nonnull(strstr(c.text, hex + 8));
			} else {
				assert_absent_hex(c.text, dg1->data.data,
				    dg1->data.len, "DG1");
				ck_assert_ptr_null(strstr(c.text, "4552494B53534F4E"));
				ck_assert_ptr_nonnull(strstr(c.text,
				    "(file contents omitted)"));
			}
			tcap_free(&c);
			run_free(&x);
		}
	}
}
END_TEST

/* The reason table: every value has a distinct name. */
START_TEST(file_reason_names)
{
	for (int i = 0; i < DOC_FREASON_COUNT; i++) {
		const char *a = doc_file_reason_str((enum doc_file_reason)i);

		ck_assert_str_ne(a, "unknown");
		for (int k = i + 1; k < DOC_FREASON_COUNT; k++)
			ck_assert_str_ne(a, doc_file_reason_str((enum doc_file_reason)k));
	}
	ck_assert_str_eq(doc_file_reason_str(DOC_FREASON_COUNT), "unknown");
	ck_assert_str_eq(doc_file_reason_str(DOC_FREASON_SM_DROPPED), "sm_dropped");
}
END_TEST

/* inconclusive is not-checked with the flag: shown, and not a failure */
START_TEST(inconclusive_status)
{
	struct doc_check_result k;

	memset(&k, 0, sizeof(k));
	ck_assert_str_eq(doc_check_status_str(&k), "not-checked");
	k.inconclusive = true;
	ck_assert_str_eq(doc_check_status_str(&k), "inconclusive");
	k.status = PA_PASS;
	k.inconclusive = false;
	ck_assert_str_eq(doc_check_status_str(&k), "pass");
	k.status = PA_FAIL;
	ck_assert_str_eq(doc_check_status_str(&k), "fail");
}
END_TEST

START_TEST(can_without_pace_is_unreadable)
{
	struct sim_traveller t;
	struct sim_reader *rdr;
	struct doc_card card;
	struct doc_read_opts o;
	struct doc_result *res;
	unsigned n = 0;

	load_traveller("genuine-td3", &t);
	ck_assert_eg(sim_reader_open(&t, pki, TESTDATA, &profiles, &profiles.p[0],
	    &rdr), EG_OK);
	doc_card_ccid(sim_reader_ccid(rdr), &card);
	memset(&o, 0, sizeof(o));
	o.can = "123456";
	o.rng = test_rng;
	o.rng_ctx = &n;
	ck_assert_eg(doc_read(&card, &o, &res), EG_OK);
	ck_assert_int_eq(res->outcome, DOC_OUTCOME_UNREADABLE);
	ck_assert_eg(res->err, EG_ERR_UNSUPPORTED);
	doc_result_free(&res);
	sim_reader_free(&rdr);
}
END_TEST

START_TEST(bad_arguments)
{
	struct doc_card card = { &sim_epassport_icao_ops, NULL, NULL };
	struct doc_read_opts o;
	struct doc_result *res = (struct doc_result *)&card;
	unsigned n = 0;

	memset(&o, 0, sizeof(o));
	o.rng = test_rng;
	o.rng_ctx = &n;
	ck_assert_eg(doc_read(&card, &o, &res), EG_ERR_INVAL);	/* no MRZ/CAN */
	ck_assert_ptr_null(res);
	o.mrz = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
	    "L898902C46UTO7408122F1204159ZE184226B<<<<<10";	/* bad check digit */
	ck_assert_int_ne(doc_read(&card, &o, &res), EG_OK);
	ck_assert_ptr_null(res);
	o.mrz = MRZ_ANNA;
	o.rng = NULL;
	ck_assert_eg(doc_read(&card, &o, &res), EG_ERR_INVAL);
	ck_assert_eg(doc_read(NULL, &o, &res), EG_ERR_INVAL);
}
END_TEST


/* ---- the same chip behind a vpcd virtual reader -------------------------- */

/* The card side of the vpcd protocol (2-byte length + payload; 1-byte
 * payloads are control codes) serving the simulated chip. */
struct vcard {
	pthread_t th;
	uint16_t port;
	struct sim_epassport *chip;
};

static int
vread(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* header and payload in one send: two small writes would meet Nagle and
 * delayed ACKs (40 ms per APDU) */
static int
vsend(int fd, const uint8_t *p, size_t n)
{
	uint8_t b[2 + 65536];

	if (n > 65535)
		return -1;
	b[0] = (uint8_t)(n >> 8);
	b[1] = (uint8_t)n;
	memcpy(b + 2, p, n);
	return send(fd, b, n + 2, MSG_NOSIGNAL) == (ssize_t)(n + 2) ? 0 : -1;
}

static void *
vcard_main(void *arg)
{
	struct vcard *vc = arg;
	struct sockaddr_in sa;
	uint8_t *msg = malloc(70000), *rsp = malloc(70000), hdr[2];
	size_t n, rl;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(vc->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || msg == NULL || rsp == NULL ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	while (vread(fd, hdr, 2) == 0) {
		n = (size_t)hdr[0] << 8 | hdr[1];
		if (n == 0 || vread(fd, msg, n) != 0)
			break;
		rl = 0;
		if (n == 1) {
			if ((msg[0] == VPCD_CTRL_ON || msg[0] == VPCD_CTRL_RESET ||
			    msg[0] == VPCD_CTRL_ATR) &&
			    sim_epassport_card_ops.power_on(vc->chip, rsp, 64, &rl) != EG_OK)
				break;
			if (msg[0] == VPCD_CTRL_ATR && vsend(fd, rsp, rl) != 0)
				break;
			continue;
		}
		if (sim_epassport_card_ops.apdu(vc->chip, msg, n, rsp, 70000, &rl) != EG_OK ||
		    vsend(fd, rsp, rl) != 0)
			break;
	}
out:
	if (fd >= 0)
		close(fd);
	free(msg);
	free(rsp);
	return NULL;
}

START_TEST(genuine_over_vpcd)
{
	struct sim_traveller t;
	struct vcard vc;
	struct vpcd *v;
	struct doc_card card;
	struct doc_read_opts o;
	struct doc_result *res;
	struct csca_store *s = make_store(true);
	unsigned n = 0;

	load_traveller("genuine-td3", &t);
	memset(&vc, 0, sizeof(vc));
	ck_assert_eg(sim_traveller_build(&t, pki, TESTDATA, &vc.chip), EG_OK);
	ck_assert_eg(vpcd_new(&v, 0, 5000), EG_OK);
	vc.port = vpcd_port(v);
	ck_assert_int_eq(pthread_create(&vc.th, NULL, vcard_main, &vc), 0);
	ck_assert_eg(vpcd_accept(v, 5000), EG_OK);
	doc_card_vpcd(v, &card);
	memset(&o, 0, sizeof(o));
	o.mrz = MRZ_ANNA;
	o.store = s;
	o.rng = test_rng;
	o.rng_ctx = &n;
	ck_assert_eg(doc_read(&card, &o, &res), EG_OK);
	ck_assert_msg(res->outcome == DOC_OUTCOME_PASS, "outcome %s",
	    doc_outcome_str(res->outcome));
	ck_assert_str_eq(res->access, "BAC");
	ck_assert_uint_gt(res->file[2].data.len, 10000);
	doc_result_free(&res);
	vpcd_free(&v);			/* closes the socket: the card side ends */
	ck_assert_int_eq(pthread_join(vc.th, NULL), 0);
	sim_epassport_free(&vc.chip);
	csca_store_free(&s);
}
END_TEST

/* ---- the chip alone (icao_card_ops, no reader) ---------------------------- */

START_TEST(direct_chip_read)
{
	struct sim_traveller t;
	struct sim_epassport *chip;
	struct doc_card card;
	struct doc_read_opts o;
	struct doc_result *res;
	struct csca_store *s = make_store(true);
	unsigned n = 0;

	load_traveller("genuine-td3", &t);
	ck_assert_eg(sim_traveller_build(&t, pki, TESTDATA, &chip), EG_OK);
	card.ops = &sim_epassport_icao_ops;
	card.ctx = chip;
	card.power_on = NULL;
	memset(&o, 0, sizeof(o));
	o.mrz = MRZ_ANNA;
	o.store = s;
	o.rng = test_rng;
	o.rng_ctx = &n;
	ck_assert_eg(doc_read(&card, &o, &res), EG_OK);
	ck_assert_int_eq(res->outcome, DOC_OUTCOME_PASS);
	/* no CRL in the store: revocation not checked, still a pass */
	doc_result_free(&res);
	csca_store_free(&s);
	s = make_store(false);
	o.store = s;
	ck_assert_eg(doc_read(&card, &o, &res), EG_OK);
	ck_assert_int_eq(res->outcome, DOC_OUTCOME_PASS);
	ck_assert_int_ne(res->pa.r[PA_DS_REVOCATION].status, PA_FAIL);
	doc_result_free(&res);
	/* no trust store at all: the DS chain fails */
	o.store = NULL;
	ck_assert_eg(doc_read(&card, &o, &res), EG_OK);
	ck_assert_int_eq(res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_int_eq(res->pa.r[PA_DS_CHAIN].status, PA_FAIL);
	doc_result_free(&res);
	csca_store_free(&s);
	sim_epassport_free(&chip);
	ck_assert_ptr_null(chip);
}
END_TEST

/* A chip that lists DG2 in EF.COM but withholds it (and has no EF.SOD):
 * files_read fails and names them; nothing passes on the files it gave. */
START_TEST(withheld_files_fail)
{
	/* the MRZ information of MRZ_ANNA */
	struct sim_epassport_cfg cfg = { .mrz_info = "L898902C3674081221204159" };
	struct sim_epassport *c;
	struct eg_wbuf com, dg1;
	struct doc_card card = { &sim_epassport_icao_ops, NULL, NULL };
	struct doc_read_opts o;
	struct doc_result *res;
	unsigned n = 0;

	eg_wbuf_init(&com, 256, false);
	eg_wbuf_init(&dg1, 256, false);
	ck_assert_eg(tpki_com_build((1u << 1) | (1u << 2) | (1u << 3), &com), EG_OK);
	ck_assert_eg(tpki_dg1_build("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	    "L898902C36UTO7408122F1204159ZE184226B<<<<<10", &dg1), EG_OK);
	ck_assert_eg(sim_epassport_new(&cfg, &c), EG_OK);
	ck_assert_eg(sim_epassport_add_file(c, 0x011E, 0x1E, com.data, com.len), EG_OK);
	ck_assert_eg(sim_epassport_add_file(c, 0x0101, 0x01, dg1.data, dg1.len), EG_OK);
	card.ctx = c;
	memset(&o, 0, sizeof(o));
	o.mrz = MRZ_ANNA;
	o.rng = test_rng;
	o.rng_ctx = &n;
	ck_assert_eg(doc_read(&card, &o, &res), EG_OK);
	ck_assert_int_eq(res->outcome, DOC_OUTCOME_FAIL);
	ck_assert_int_eq(res->check[DOC_CHECK_FILES_READ].status, PA_FAIL);
	ck_assert_ptr_nonnull(strstr(res->check[DOC_CHECK_FILES_READ].reason,
	    "DG2 (not_found, SW 6A82)"));
	ck_assert_ptr_nonnull(strstr(res->check[DOC_CHECK_FILES_READ].reason,
	    "EF.SOD (not_found, SW 6A82)"));
	ck_assert_int_eq(res->file[2].reason, DOC_FREASON_NOT_FOUND);
	/* passive authentication ran and names the missing EF.SOD */
	ck_assert(res->pa_ran);
	ck_assert_int_eq(res->pa.r[PA_SOD_PARSE].status, PA_FAIL);
	ck_assert_str_eq(res->pa.r[PA_SOD_PARSE].reason,
	    "EF.SOD missing: the chip has no such file (SW 6A82)");
	/* DG3 needs EAC: skipped, never sent, not counted as withheld */
	ck_assert_int_eq(res->file[3].status, DOC_FILE_SKIPPED_EAC);
	ck_assert_ptr_null(strstr(res->check[DOC_CHECK_FILES_READ].reason, "DG3"));
	ck_assert(res->holder_valid);
	doc_result_free(&res);
	sim_epassport_free(&c);
	eg_wbuf_free(&com);
	eg_wbuf_free(&dg1);
}
END_TEST

static size_t
xfer(struct sim_epassport *c, const char *hex, uint8_t *r, size_t cap)
{
	uint8_t cmd[300];
	size_t n, rl = 0;

	ck_assert_eg(eg_hex_decode(hex, cmd, sizeof(cmd), &n), EG_OK);
	ck_assert_eg(sim_epassport_icao_ops.transmit(c, cmd, n, r, cap, &rl), EG_OK);
	ck_assert_uint_ge(rl, 2);
	return rl;
}

static uint16_t
sw_of(const uint8_t *r, size_t n)
{
	return (uint16_t)(r[n - 2] << 8 | r[n - 1]);
}

START_TEST(chip_access_rules)
{
	struct sim_epassport_cfg cfg = { .mrz_info = "L898902C<369080619406236" };
	struct sim_epassport *c;
	uint8_t r[600];
	size_t n;
	struct sim_epassport_stats st;

	ck_assert_eg(sim_epassport_new(&cfg, &c), EG_OK);
	ck_assert_eg(sim_epassport_add_file(c, 0x0101, 1, (const uint8_t *)"\x61\x01\x00", 3),
	    EG_OK);
	ck_assert_eg(sim_epassport_add_file(c, 0x0101, 1, (const uint8_t *)"x", 1),
	    EG_ERR_INVAL);
	/* DG1 is not in the MF */
	n = xfer(c, "00A4020C020101", r, sizeof(r));
	ck_assert_uint_eq(sw_of(r, n), 0x6A82);
	n = xfer(c, "00A4040C07A0000002471001", r, sizeof(r));
	ck_assert_uint_eq(sw_of(r, n), 0x9000);
	/* BAC required: unprotected read -> 6982; missing file -> 6A82 */
	n = xfer(c, "00B0810004", r, sizeof(r));
	ck_assert_uint_eq(sw_of(r, n), 0x6982);
	n = xfer(c, "00A4020C020102", r, sizeof(r));
	ck_assert_uint_eq(sw_of(r, n), 0x6A82);
	/* MUTUAL AUTHENTICATE without a challenge; wrong Le for the challenge */
	n = xfer(c, "0082000028"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000" "28", r, sizeof(r));
	ck_assert_uint_eq(sw_of(r, n), 0x6985);
	n = xfer(c, "0084000004", r, sizeof(r));
	ck_assert_uint_eq(sw_of(r, n), 0x6700);
	/* a wrong M.IFD -> 6300 */
	n = xfer(c, "0084000008", r, sizeof(r));
	ck_assert_uint_eq(n, 10);
	n = xfer(c, "0082000028" "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
	    "0000000000000000" "28", r, sizeof(r));
	ck_assert_uint_eq(sw_of(r, n), 0x6300);
	/* SM command without a session */
	n = xfer(c, "0CB0810004", r, sizeof(r));
	ck_assert_uint_eq(sw_of(r, n), 0x6988);
	sim_epassport_stats(c, &st);
	ck_assert_uint_eq(st.bac_ok, 0);
	sim_epassport_free(&c);
}
END_TEST

/* ---- ICAO Doc 9303 Part 11 Appendix D over the CCID path ------------------ */

struct trace {
	uint8_t c[8][128], r[8][128];
	size_t cl[8], rl[8];
	size_t n;
};

static void
trace_fn(void *ctx, const uint8_t *capdu, size_t clen, const uint8_t *rapdu,
    size_t rlen)
{
	struct trace *t = ctx;

	if (t->n == 8 || clen > 128 || rlen > 128)
		return;
	memcpy(t->c[t->n], capdu, clen);
	memcpy(t->r[t->n], rapdu, rlen);
	t->cl[t->n] = clen;
	t->rl[t->n] = rlen;
	t->n++;
}

/* Terminal randomness of App. D: RND.IFD first, then K.IFD. */
struct appd_rng {
	uint8_t b[24];
	size_t off;
};

static int
appd_rng(void *ctx, unsigned char *out, size_t len)
{
	struct appd_rng *a = ctx;

	if (a->off + len > sizeof(a->b))
		return -1;
	memcpy(out, a->b + a->off, len);
	a->off += len;
	return 0;
}

static void
assert_hex(const uint8_t *p, size_t n, const struct vec *v, const char *name)
{
	uint8_t want[256];
	size_t wl = vec_hex(v, name, want, sizeof(want));

	ck_assert_msg(n == wl && memcmp(p, want, n) == 0, "%s differs", name);
}

START_TEST(appendix_d_over_ccid)
{
	struct vec *bac = vec_load("bac.txt"), *sm = vec_load("sm_3des.txt");
	uint8_t rnd_ic[8], k_ic[16], com[22], atr[40], e_ifd[32], m_ifd[8], resp[40];
	struct sim_epassport_cfg cfg;
	struct sim_epassport *chip;
	struct sim_ccid *rdr;
	struct usb_sim_bus *bus;
	struct usb_transport tr;
	struct ccid_dev *d;
	struct usb_match m = { .vid = profiles.p[_i].vid, .pid = profiles.p[_i].pid };
	struct icao_chan *ch;
	struct icao_sm *s;
	struct appd_rng rng = { .off = 0 };
	struct trace t = { .n = 0 };
	struct doc_card card;
	struct eg_wbuf out;
	uint8_t ob[64];
	uint16_t sw;
	size_t al;

	vec_hex(bac, "rnd_ic", rnd_ic, sizeof(rnd_ic));
	vec_hex(bac, "k_ic", k_ic, sizeof(k_ic));
	vec_hex(bac, "rnd_ifd", rng.b, 8);
	vec_hex(bac, "k_ifd", rng.b + 8, 16);
	/* EF.COM of App. D.4: the two reads return its 4 + 18 bytes */
	ck_assert_uint_eq(vec_hex(sm, "read4_data", com, 4), 4);
	ck_assert_uint_eq(vec_hex(sm, "read18_data", com + 4, 18), 18);
	memset(&cfg, 0, sizeof(cfg));
	cfg.mrz_info = vec_str(bac, "mrz_info_str");
	cfg.fixed_rnd_ic = rnd_ic;
	cfg.fixed_k_ic = k_ic;
	ck_assert_eg(sim_epassport_new(&cfg, &chip), EG_OK);
	ck_assert_eg(sim_epassport_add_file(chip, 0x011E, 0x1E, com, sizeof(com)), EG_OK);
	sim_epassport_set_trace(chip, trace_fn, &t);
	/* the full reader path */
	ck_assert_eg(sim_ccid_new(&rdr, &profiles.p[_i]), EG_OK);
	ck_assert_eg(usb_sim_bus_new(&bus), EG_OK);
	ck_assert_eg(usb_sim_bus_add(bus, &sim_ccid_device_ops, rdr), EG_OK);
	tr = usb_sim_bus_transport(bus);
	ck_assert_eg(ccid_open(&d, &tr, &m, &profiles, NULL), EG_OK);
	sim_ccid_insert(rdr, &sim_epassport_card_ops, chip);
	ck_assert_eg(ccid_power_on(d, atr, sizeof(atr), &al, NULL), EG_OK);
	doc_card_ccid(d, &card);
	ck_assert_eg(icao_chan_new(card.ops, card.ctx, &ch), EG_OK);
	ck_assert_eg(icao_sm_new(&s), EG_OK);
	ck_assert_eg(icao_select_aid(ch, (const uint8_t *)ICAO_AID_EMRTD,
	    ICAO_AID_EMRTD_LEN, &sw), EG_OK);
	ck_assert_eg(icao_bac_run(ch, cfg.mrz_info, appd_rng, &rng, s, &sw), EG_OK);
	/* the chip received E.IFD || M.IFD and answered E.IC || M.IC */
	ck_assert_uint_eq(t.n, 3);	/* SELECT, GET CHALLENGE, MUTUAL AUTH */
	vec_hex(bac, "e_ifd", e_ifd, sizeof(e_ifd));
	vec_hex(bac, "m_ifd", m_ifd, sizeof(m_ifd));
	ck_assert_uint_eq(t.cl[2], 5 + 40 + 1);
	ck_assert(memcmp(t.c[2] + 5, e_ifd, 32) == 0);
	ck_assert(memcmp(t.c[2] + 37, m_ifd, 8) == 0);
	vec_hex(bac, "resp", resp, sizeof(resp));
	ck_assert_uint_eq(t.rl[2], 42);
	ck_assert(memcmp(t.r[2], resp, 40) == 0);
	/* App. D.4: the protected APDUs and responses, byte for byte */
	ck_assert_eg(icao_select_fid(ch, 0x011E, &sw), EG_OK);
	eg_wbuf_init_fixed(&out, ob, sizeof(ob), false);
	ck_assert_eg(icao_read_binary(ch, 0, 4, &out, &sw), EG_OK);
	ck_assert_eg(icao_read_binary(ch, 4, 18, &out, &sw), EG_OK);
	ck_assert_uint_eq(out.len, 22);
	ck_assert(memcmp(out.data, com, 22) == 0);
	ck_assert_uint_eq(t.n, 6);
	assert_hex(t.c[3], t.cl[3], sm, "select_prot");
	assert_hex(t.r[3], t.rl[3], sm, "select_resp");
	assert_hex(t.c[4], t.cl[4], sm, "read4_prot");
	assert_hex(t.r[4], t.rl[4], sm, "read4_resp");
	assert_hex(t.c[5], t.cl[5], sm, "read18_prot");
	assert_hex(t.r[5], t.rl[5], sm, "read18_resp");
	icao_chan_free(&ch);
	icao_sm_free(&s);
	ccid_free(&d);
	usb_sim_bus_free(&bus);
	sim_ccid_free(&rdr);
	sim_epassport_free(&chip);
	vec_free(&bac);
	vec_free(&sm);
}
END_TEST

/* ---- extended length: chips that do not, or only partly ------------------- */

START_TEST(short_only_chip)
{
	struct run x;
	struct sim_epassport_stats st;

	run_read(&x, "short-only", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	ck_assert(!x.res->rsize.chip_ext);
	ck_assert_uint_eq(x.res->rsize.limit, 0);
	ck_assert(!has_step(&x, "read_EF.ATR/INFO"));
	ck_assert(!x.res->file[2].extended);
	ck_assert_uint_eq(x.res->file[2].final_chunk, ICAO_READ_CHUNK_DEFAULT);
	sim_epassport_stats(sim_reader_chip(x.rdr), &st);
	ck_assert_uint_eq(st.ext_commands, 0);
	ck_assert_uint_le(st.max_le_seen, ICAO_READ_CHUNK_DEFAULT);
	run_free(&x);
}
END_TEST

/* The ATR says "extended", EF.ATR/INFO is missing: the reader's 512 bytes
 * are tried, the chip (300 at most) answers 6700, reading goes on short. */
START_TEST(ext_atr_only_falls_back)
{
	struct run x;
	struct sim_epassport_stats st;

	run_read(&x, "ext-atr-only", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	assert_pa_all_pass(&x);
	ck_assert(x.res->rsize.chip_ext);
	ck_assert(!x.res->rsize.chip_info);
	ck_assert_uint_eq(x.res->rsize.limit, 512);
	ck_assert(!x.res->file[2].extended);
	ck_assert_uint_eq(x.res->file[2].final_chunk, ICAO_READ_CHUNK_DEFAULT);
	sim_epassport_stats(sim_reader_chip(x.rdr), &st);
	ck_assert_uint_ge(st.ext_refused, 1);
	ck_assert_int_eq(x.res->check[DOC_CHECK_SECURE_MESSAGING].status, PA_PASS);
	run_free(&x);
}
END_TEST

/* EF.ATR/INFO gives 400 bytes, below the reader's 512: 400 is the limit
 * and the chip refuses nothing. */
START_TEST(ext_chip_limit_below_reader)
{
	struct run x;
	struct sim_epassport_stats st;

	run_read(&x, "ext-small-chip", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	ck_assert(has_step(&x, "read_EF.ATR/INFO"));
	ck_assert_uint_eq(x.res->rsize.chip_max, 400);
	ck_assert_uint_eq(x.res->rsize.limit, 400);
	ck_assert(x.res->file[2].extended);
	/* 3DES: pad <= 400 - 21 = 379 -> 376 -> data + 4 <= 375 */
	ck_assert_uint_eq(x.res->file[2].final_chunk, 371);
	sim_epassport_stats(sim_reader_chip(x.rdr), &st);
	ck_assert_uint_eq(st.ext_refused, 0);
	run_free(&x);
}
END_TEST

/* A reader at the short-APDU level cannot carry extended APDUs: however
 * much the chip takes, the files are read in short chunks. */
START_TEST(short_level_reader_reads_short)
{
	struct sim_traveller t;
	struct sim_epassport *chip;
	struct sim_epassport_stats st;
	struct sim_ccid *rdr;
	struct usb_sim_bus *bus;
	struct usb_transport tr;
	struct ccid_dev *d;
	struct usb_match m = { .vid = profiles.p[0].vid, .pid = profiles.p[0].pid };
	struct doc_card card;
	struct doc_read_opts o;
	struct doc_result *res;
	struct csca_store *s = make_store(true);
	unsigned n = 0;

	load_traveller("genuine-td3", &t);
	ck_assert_eg(sim_traveller_build(&t, pki, TESTDATA, &chip), EG_OK);
	ck_assert_eg(sim_ccid_new(&rdr, &profiles.p[0]), EG_OK);
	sim_ccid_set_features(rdr, CCID_FEAT_LEVEL_SHORT | 0x000000BEu);
	ck_assert_eg(usb_sim_bus_new(&bus), EG_OK);
	ck_assert_eg(usb_sim_bus_add(bus, &sim_ccid_device_ops, rdr), EG_OK);
	tr = usb_sim_bus_transport(bus);
	ck_assert_eg(ccid_open(&d, &tr, &m, &profiles, NULL), EG_OK);
	sim_ccid_insert(rdr, &sim_epassport_card_ops, chip);
	doc_card_ccid(d, &card);
	ck_assert_uint_eq(card.max_rapdu, 0);
	memset(&o, 0, sizeof(o));
	o.mrz = MRZ_ANNA;
	o.store = s;
	o.rng = test_rng;
	o.rng_ctx = &n;
	ck_assert_eg(doc_read(&card, &o, &res), EG_OK);
	ck_assert_int_eq(res->outcome, DOC_OUTCOME_PASS);
	ck_assert(res->rsize.chip_ext);		/* the chip would */
	ck_assert_uint_eq(res->rsize.limit, 0);	/* the reader cannot */
	ck_assert(!res->file[2].extended);
	ck_assert_uint_eq(res->file[2].final_chunk, ICAO_READ_CHUNK_DEFAULT);
	sim_epassport_stats(chip, &st);
	ck_assert_uint_eq(st.ext_commands, 0);
	doc_result_free(&res);
	ccid_free(&d);
	usb_sim_bus_free(&bus);
	sim_ccid_free(&rdr);
	sim_epassport_free(&chip);
	csca_store_free(&s);
}
END_TEST

/* ---- DG2 portraits (sim_portrait.h) ---------------------------------------- */

static uint8_t *
slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	p = malloc((size_t)n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* The embedding of the face the kiosk would take from an encoded image. */
static void
embed_of(struct face_ctx *fc, const uint8_t *img, size_t len, struct face_result *r)
{
	struct fcv_image im = { 0 };
	struct face_opts fo = { 0 };

	ck_assert_eg(face_img_decode(img, len, FACE_MAX_DIM, &im), EG_OK);
	ck_assert_eg(face_analyse(fc, &im, &fo, r), EG_OK);
	fcv_image_free(&im);
}

START_TEST(portrait_sizes_and_match)
{
	struct sim_portraits *pc;
	struct face_ctx *fc;
	struct face_result ra, rb;
	struct eg_wbuf a, b, c;
	enum face_img_fmt fmt;
	uint32_t pw, ph;
	uint16_t w = 0, h = 0;
	uint8_t *photo;
	size_t plen;
	char path[1024], err[256];

	snprintf(path, sizeof(path), "%s/sample1.jpg", TESTDATA);
	eg_wbuf_init(&a, 1 << 20, true);
	eg_wbuf_init(&b, 1 << 20, true);
	eg_wbuf_init(&c, 1 << 20, true);
	ck_assert_eg(sim_portraits_new(&pc), EG_OK);
	/* JPEG within the default budget, in the token frame */
	ck_assert_eg(sim_portraits_get(pc, path, SIM_DG2_JPEG, SIM_PORTRAIT_BUDGET, &a,
	    &w, &h), EG_OK);
	ck_assert_uint_le(a.len, SIM_PORTRAIT_BUDGET);
	ck_assert_uint_gt(a.len, 6000);		/* not a thumbnail either */
	ck_assert_eg(face_img_probe(a.data, a.len, &fmt, &pw, &ph), EG_OK);
	ck_assert_int_eq(fmt, FACE_IMG_JPEG);
	ck_assert_uint_eq(pw, SIM_PORTRAIT_W);
	ck_assert_uint_eq(ph, SIM_PORTRAIT_H);
	ck_assert_uint_eq(w, SIM_PORTRAIT_W);
	ck_assert_uint_eq(h, SIM_PORTRAIT_H);
	/* the second time from the cache: the same bytes */
	ck_assert_eg(sim_portraits_get(pc, path, SIM_DG2_JPEG, SIM_PORTRAIT_BUDGET, &b,
	    &w, &h), EG_OK);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert(memcmp(a.data, b.data, a.len) == 0);
	/* JPEG 2000 within 15,000 bytes; a tighter JPEG budget is kept too */
	eg_wbuf_reset(&b);
	ck_assert_eg(sim_portraits_get(pc, path, SIM_DG2_JP2, 15000, &b, &w, &h), EG_OK);
	ck_assert_uint_le(b.len, 15000);
	ck_assert_eg(face_img_probe(b.data, b.len, &fmt, &pw, &ph), EG_OK);
	ck_assert_int_eq(fmt, FACE_IMG_JP2);
	ck_assert_uint_eq(pw, SIM_PORTRAIT_W);
	ck_assert_eg(sim_portraits_get(pc, path, SIM_DG2_JPEG, 8000, &c, &w, &h), EG_OK);
	ck_assert_uint_le(c.len, 8000);
	ck_assert_uint_lt(c.len, a.len);
	/* the face pipeline finds one face in the portrait and it is the
	 * photo's chosen face (same person, same picture: far above the
	 * profile's threshold) */
	ck_assert_eg(face_ctx_new(FACE_PROFILE_SRC, EGATE_MODEL_DIR, &fc, err, sizeof(err)),
	    EG_OK);
	photo = slurp_file(path, &plen);
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	embed_of(fc, photo, plen, &ra);
	embed_of(fc, a.data, a.len, &rb);
	ck_assert_uint_eq(rb.nfaces, 1);
	ck_assert_uint_eq(ra.emb_len, rb.emb_len);
	ck_assert_double_ge(face_cosine(ra.emb, rb.emb, ra.emb_len), 0.9);
	face_result_wipe(&rb);
	embed_of(fc, b.data, b.len, &rb);
	ck_assert_double_ge(face_cosine(ra.emb, rb.emb, ra.emb_len), 0.9);
	face_result_wipe(&ra);
	face_result_wipe(&rb);
	free(photo);
	face_ctx_free(&fc);
	eg_wbuf_free(&a);
	eg_wbuf_free(&b);
	eg_wbuf_free(&c);
	sim_portraits_free(&pc);
	ck_assert_ptr_null(pc);
}
END_TEST

START_TEST(portrait_errors)
{
	struct sim_portraits *pc;
	struct face_ctx *fc;
	struct fcv_image blank = { 0 };
	struct eg_wbuf out;
	uint8_t *enc = NULL;
	size_t elen = 0;
	uint16_t w, h;
	char path[1024], err[256];

	eg_wbuf_init(&out, 1 << 20, true);
	ck_assert_eg(sim_portraits_new(&pc), EG_OK);
	snprintf(path, sizeof(path), "%s/no-such-image.jpg", TESTDATA);
	ck_assert_eg(sim_portraits_get(pc, path, SIM_DG2_JPEG, SIM_PORTRAIT_BUDGET, &out,
	    &w, &h), EG_ERR_IO);
	ck_assert_eg(face_ctx_new(FACE_PROFILE_SRC, EGATE_MODEL_DIR, &fc, err, sizeof(err)),
	    EG_OK);
	/* a grey picture has no face to crop */
	ck_assert_eg(fcv_image_alloc(320, 240, &blank), EG_OK);
	memset(blank.data, 128, blank.stride * 240);
	ck_assert_eg(fcv_image_encode(&blank, ".jpg", 90, &enc, &elen), EG_OK);
	ck_assert_eg(sim_portrait_make(fc, enc, elen, SIM_DG2_JPEG, SIM_PORTRAIT_BUDGET,
	    &out, &w, &h), EG_ERR_NO_FACE);
	/* not a portrait kind, a budget too small, no image */
	ck_assert_eg(sim_portrait_make(fc, enc, elen, SIM_DG2_PHOTO, SIM_PORTRAIT_BUDGET,
	    &out, &w, &h), EG_ERR_INVAL);
	ck_assert_eg(sim_portrait_make(fc, enc, elen, SIM_DG2_JPEG, 100, &out, &w, &h),
	    EG_ERR_INVAL);
	ck_assert_eg(sim_portrait_make(fc, enc, 10, SIM_DG2_JPEG, SIM_PORTRAIT_BUDGET,
	    &out, &w, &h), EG_ERR_TRUNCATED);
	ck_assert_uint_eq(out.len, 0);
	free(enc);
	fcv_image_free(&blank);
	face_ctx_free(&fc);
	eg_wbuf_free(&out);
	sim_portraits_free(&pc);
}
END_TEST

/* DG2 as JPEG 2000, and DG2 as the whole photo (past offset 32767: B1). */
START_TEST(dg2_jp2_and_photo)
{
	struct run x;
	struct face_dg2 d;

	run_read(&x, "genuine-jp2", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	ck_assert_eg(face_dg2_parse(x.res->file[2].data.data, x.res->file[2].data.len, &d),
	    EG_OK);
	ck_assert_int_eq(d.fmt, FACE_IMG_JP2);
	ck_assert_uint_le(d.image_len, 15000);
	run_free(&x);
	run_read(&x, "big-dg2", 0, NULL, NULL);
	ck_assert_int_eq(x.res->outcome, DOC_OUTCOME_PASS);
	ck_assert_uint_gt(x.res->file[2].data.len, 100000);
	ck_assert_eg(face_dg2_parse(x.res->file[2].data.data, x.res->file[2].data.len, &d),
	    EG_OK);
	ck_assert_int_eq(d.fmt, FACE_IMG_JPEG);
	run_free(&x);
}
END_TEST

/* ---- profiles and the PKI ------------------------------------------------ */

START_TEST(shipped_profiles_load)
{
	static const char *const names[] = { "genuine-td3", "expired", "altered-dg1",
		"revoked-ds", "bad-sod-signature", "unreadable", "big-reads-6282",
		"wrong-mac", "truncated", "no-bac", "no-emrtd-app", "pace-offered",
		"aa-offered", "genuine-td1", "genuine-pace", "genuine-pace-p256",
		"pace-only", "genuine-ca-aa", "genuine-aa-rsa", "cloned-aa",
		"cloned-ca", "cloned-ca-lax", "genuine-jp2", "big-dg2", "short-only",
		"ext-atr-only", "ext-small-chip", "genuine-td3-short", "genuine-td3-photo",
		"genuine-ca-aa-photo", "no-sfi", "no-do99", "drop-sm", "no-sfi-drop-sm",
		"missing-sod", "empty-sod", "genuine-pace-cam", "cloned-pace-cam",
		"pace-im" };
	struct sim_traveller t;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		load_traveller(names[i], &t);
		ck_assert_str_eq(t.name, names[i]);
	}
}
END_TEST

START_TEST(profile_errors)
{
	static const char *const bad[] = {
		/* unknown key */
		"[traveller]\nname=x\nmrz1=P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"mrz2=L898902C36UTO7408122F1204159ZE184226B<<<<<10\nface=a.jpg\ncolour=red\n",
		/* wrong check digit */
		"[traveller]\nname=x\nmrz1=P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"mrz2=L898902C46UTO7408122F1204159ZE184226B<<<<<10\nface=a.jpg\n",
		/* missing face */
		"[traveller]\nname=x\nmrz1=P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"mrz2=L898902C36UTO7408122F1204159ZE184226B<<<<<10\n",
		/* bad enum, bad range */
		"[traveller]\nname=x\nmrz1=P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"mrz2=L898902C36UTO7408122F1204159ZE184226B<<<<<10\nface=a.jpg\n"
		"[document]\nsigner=forged\n",
		"[traveller]\nname=x\nmrz1=P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"mrz2=L898902C36UTO7408122F1204159ZE184226B<<<<<10\nface=a.jpg\n"
		"[chip]\nmax_read=-1\n",
		/* DG2 kind and budget */
		"[traveller]\nname=x\nmrz1=P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"mrz2=L898902C36UTO7408122F1204159ZE184226B<<<<<10\nface=a.jpg\n"
		"[document]\ndg2=png\n",
		"[traveller]\nname=x\nmrz1=P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"mrz2=L898902C36UTO7408122F1204159ZE184226B<<<<<10\nface=a.jpg\n"
		"[document]\ndg2_budget=100\n",
	};
	struct sim_traveller t;
	struct eg_cfg_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_eg(sim_traveller_load_string("bad", bad[i], strlen(bad[i]),
		    &t, &err), EG_ERR_CONFIG);
	ck_assert_eg(sim_traveller_load_file("/nonexistent/x.ini", &t, &err),
	    EG_ERR_IO);
}
END_TEST

START_TEST(missing_face_image)
{
	struct sim_traveller t;
	struct sim_epassport *c;

	load_traveller("genuine-td3", &t);
	snprintf(t.face, sizeof(t.face), "no-such-image.jpg");
	ck_assert_eg(sim_traveller_build(&t, pki, TESTDATA, &c), EG_ERR_IO);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(pki_is_deterministic)
{
	struct sim_pki *p2;
	const unsigned char *a, *b;
	size_t al, bl;

	ck_assert_eg(sim_pki_new(&p2), EG_OK);
	a = sim_pki_csca(pki, &al);
	b = sim_pki_csca(p2, &bl);
	ck_assert_uint_eq(al, bl);
	ck_assert(memcmp(a, b, al) == 0);
	a = sim_pki_crl(pki, &al);
	b = sim_pki_crl(p2, &bl);
	ck_assert_uint_eq(al, bl);
	ck_assert(memcmp(a, b, al) == 0);
	sim_pki_free(&p2);
	ck_assert_ptr_null(p2);
}
END_TEST

START_TEST(json_output)
{
	struct run x;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct eg_json j;

	run_read(&x, "altered-dg1", 0, NULL, NULL);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	eg_json_init(&j, f);
	doc_result_json(x.res, false, &j);
	ck_assert_int_eq(eg_json_finish(&j), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\"outcome\":\"fail\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"name\":\"dg_hashes\",\"status\":\"fail\""));
	ck_assert_ptr_null(strstr(buf, "ERIKSSON"));	/* no holder unless asked */
	free(buf);
	run_free(&x);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("read");
	TCase *tc = tcase_create("read");
	struct eg_cfg_error err;

	if (usb_profile_load_file(HW_PROFILES, &profiles, &err) != EG_OK) {
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		abort();
	}
	if (sim_pki_new(&pki) != EG_OK)
		abort();
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, genuine_every_reader, 0, (int)profiles.n);
	tcase_add_loop_test(tc, appendix_d_over_ccid, 0, (int)profiles.n);
	tcase_add_loop_test(tc, card_removed_mid_dg2, 0, (int)profiles.n);
	tcase_add_test(tc, session_dead_after_wrong_mac);
	tcase_add_test(tc, log_without_personal_data);
	tcase_add_test(tc, expired_ds);
	tcase_add_test(tc, altered_dg1);
	tcase_add_test(tc, revoked_ds);
	tcase_add_test(tc, bad_sod_signature);
	tcase_add_test(tc, unreadable_mute);
	tcase_add_test(tc, no_emrtd_app);
	tcase_add_test(tc, big_reads_6282_adapt);
	tcase_add_test(tc, wrong_mac_kills_session);
	tcase_add_test(tc, truncated_responses);
	tcase_add_test(tc, no_bac_chip);
	tcase_add_test(tc, wrong_mrz_fails_bac);
	tcase_add_loop_test(tc, genuine_pace_every_reader, 0, (int)profiles.n);
	tcase_add_test(tc, pace_p256_aes256);
	tcase_add_test(tc, pace_with_can);
	tcase_add_test(tc, pace_wrong_mrz);
	tcase_add_test(tc, pace_offered_falls_back_to_bac);
	tcase_add_loop_test(tc, genuine_ca_aa, 0, (int)profiles.n);
	tcase_add_test(tc, aa_rsa);
	tcase_add_test(tc, cloned_aa);
	tcase_add_test(tc, cloned_ca);
	tcase_add_test(tc, inconclusive_status);
	tcase_add_test(tc, adapt_no_sfi);
	tcase_add_test(tc, adapt_no_do99);
	tcase_add_test(tc, adapt_sm_dropped);
	tcase_add_test(tc, adapt_no_sfi_and_sm_dropped);
	tcase_add_test(tc, adapt_missing_or_empty_sod);
	tcase_add_test(tc, file_reason_names);
	tcase_add_test(tc, trace_without_secrets);
	tcase_add_test(tc, pace_cam_genuine);
	tcase_add_test(tc, pace_cam_cloned);
	tcase_add_test(tc, cardsec_verify_cases);
	tcase_add_test(tc, pace_im_read);
	tcase_add_test(tc, can_without_pace_is_unreadable);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, direct_chip_read);
	tcase_add_test(tc, withheld_files_fail);
	tcase_add_test(tc, genuine_over_vpcd);
	tcase_add_test(tc, chip_access_rules);
	tcase_add_test(tc, shipped_profiles_load);
	tcase_add_test(tc, profile_errors);
	tcase_add_test(tc, missing_face_image);
	tcase_add_test(tc, pki_is_deterministic);
	tcase_add_test(tc, portrait_sizes_and_match);
	tcase_add_test(tc, portrait_errors);
	tcase_add_test(tc, dg2_jp2_and_photo);
	tcase_add_test(tc, short_only_chip);
	tcase_add_test(tc, ext_atr_only_falls_back);
	tcase_add_test(tc, ext_chip_limit_below_reader);
	tcase_add_test(tc, short_level_reader_reads_short);
	tcase_add_test(tc, json_output);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
