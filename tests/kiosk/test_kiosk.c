/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_kiosk.c — egate-kiosk's effect executor on the simulated devices:
 * the demo scenario (hw/sim/scenarios/demo.ini) passage by passage, the
 * gate never opening on a referral, unplugged devices, the wipe after every
 * passage, and the spool (one record per passage, no identifiers, no
 * biometrics). Needs the face models (scripts/install-deps); without them
 * the suite fails, it does not skip.
 *
 * Scratch files (each test's spool, simulated PKI, deployment PKI, and the
 * camera frames kiosk_sim.c makes under $TMPDIR) go into one folder
 * "$TMPDIR/test-kiosk.XXXXXX" (/tmp when TMPDIR is unset) that an unchecked
 * fixture (eg_scratch.h) makes in the runner's own process and removes
 * after the executor's tests, whatever they did: Check forks per test, and
 * a test that fails an assertion (or times out) ends its process without
 * fx_teardown. While the tests run, TMPDIR points into that folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decide.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "egate/conf.h"
#include "egate/error.h"
#include "egate/gate.h"
#include "frame.h"
#include "gate_model.h"
#include "kiosk.h"
#include "kiosk_sim.h"
#include "pki.h"
#include "policy.h"
#include "scenario.h"
#include "seal.h"
#include "sim_tmpdir.h"
#include "spool.h"

struct fx {
	char dir[256];
	char spool[300];
	struct eg_kiosk_conf conf;
	struct passage_policy policy;
	struct scenario sc;
	struct kiosk_sim *sim;
	struct kiosk *k;
	struct eg_log log;	/* to logbuf, debug level, when with_log */
	FILE *logf;
	char *logbuf;
	size_t loglen;
};

static int fx_start(struct fx *f, bool with_log, char *err, size_t errlen);

static void
rm_rf(const char *dir)
{
	ck_assert_msg(sim_tmpdir_remove(dir) == EG_OK, "%s not removed", dir);
}

static void
fx_prepare(struct fx *f, double liveness_threshold)
{
	struct kiosk_sim_opts so;
	char err[512] = "", pki[300];
	int ret;

	memset(f, 0, sizeof(*f));
	eg_scratch_mkdir(f->dir, sizeof(f->dir), "fx");
	snprintf(f->spool, sizeof(f->spool), "%s/spool.db", f->dir);
	eg_kiosk_conf_defaults(&f->conf);
	snprintf(f->conf.id, sizeof(f->conf.id), "K-TEST");
	snprintf(f->conf.spool, sizeof(f->conf.spool), "%s", f->spool);
	snprintf(f->conf.accepted_issuers, sizeof(f->conf.accepted_issuers), "UTO");
	f->conf.no_chip_auth = 1;
	f->conf.liveness_threshold = liveness_threshold;
	kiosk_policy_from_conf(&f->conf, &f->policy);
	ret = scenario_load(DEMO_SCENARIO, &f->sc, err, sizeof(err));
	ck_assert_msg(ret == EG_OK, "demo scenario: %s", err);
	/* the simulated lane, and its PKI as the configuration's trust anchor */
	memset(&so, 0, sizeof(so));
	so.sc = &f->sc;
	ck_assert_msg(kiosk_sim_new(&so, &f->sim, err, sizeof(err)) == EG_OK, "%s", err);
	snprintf(pki, sizeof(pki), "%s/pki", f->dir);
	ck_assert_eg(kiosk_sim_write_pki(f->sim, pki), EG_OK);
	snprintf(f->conf.csca, sizeof(f->conf.csca), "%s/csca.der", pki);
	snprintf(f->conf.crl_dir, sizeof(f->conf.crl_dir), "%s/crl", pki);
}

/* kiosk_new with f->conf as it is now; EG_OK or its error. */
static int
fx_start(struct fx *f, bool with_log, char *err, size_t errlen)
{
	struct kiosk_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.conf = &f->conf;
	o.policy = &f->policy;
	o.out = NULL;
	o.dev = kiosk_sim_devices(f->sim);
	o.today = kiosk_sim_date(&f->sc);
	if (with_log && f->logf == NULL) {
		f->logf = open_memstream(&f->logbuf, &f->loglen);
		ck_assert_ptr_nonnull(f->logf);
		eg_log_init(&f->log, "kiosk");
		f->log.out = f->logf;
		f->log.min_level = EG_LOG_DEBUG;
	}
	if (with_log)
		o.log = &f->log;
	if ((ret = kiosk_new(&o, &f->k, err, errlen)) != EG_OK)
		return ret;
	ret = kiosk_sim_watchlist(f->sim, f->k, err, errlen);
	ck_assert_msg(ret == EG_OK, "kiosk_sim_watchlist: %s", err);
	return EG_OK;
}

static void
fx_setup_log(struct fx *f, double liveness_threshold, bool with_log)
{
	char err[512] = "";
	int ret;

	fx_prepare(f, liveness_threshold);
	ret = fx_start(f, with_log, err, sizeof(err));
	ck_assert_msg(ret == EG_OK, "kiosk_new: %s: %s", eg_err_name(ret), err);
}

static void
fx_setup(struct fx *f, double liveness_threshold)
{
	fx_setup_log(f, liveness_threshold, false);
}

static void
fx_teardown(struct fx *f)
{
	kiosk_free(&f->k);
	kiosk_sim_free(&f->sim);
	if (f->logf != NULL)
		fclose(f->logf);
	free(f->logbuf);
	ck_assert_ptr_null(f->k);
	rm_rf(f->dir);
}

static const struct scenario_passage *
find(const struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->sc.n; i++)
		if (strcmp(f->sc.p[i].name, name) == 0)
			return &f->sc.p[i];
	ck_abort_msg("no passage '%s' in the demo", name);
	return NULL;
}

static const struct passage_explain_item *
item(const struct kiosk_report *r, enum passage_item id)
{
	return passage_explanation_find(&r->x, id, NULL);
}

/* the result as the record writes it; "" when the item is not there */
static const char *
res(const struct kiosk_report *r, enum passage_item id)
{
	const struct passage_explain_item *it = item(r, id);

	return it != NULL ? passage_item_result_str(it) : "";
}

/* One traveller through the core on fresh simulated devices, as the
 * runner does it; then what must hold after every passage. */
static void
run_p(struct fx *f, const struct scenario_passage *sp, struct kiosk_report *r)
{
	const char *name = sp->name;
	struct passage_decision d;
	char err[512] = "";
	int ret;

	ret = kiosk_sim_prepare(f->sim, f->k, sp, err, sizeof(err));
	ck_assert_msg(ret == EG_OK, "%s: prepare: %s", name, err);
	ck_assert_eg(kiosk_idle(f->k, 0), EG_OK);	/* back in service after a lost device */
	ret = kiosk_run_passage(f->k, r, err, sizeof(err));
	kiosk_sim_release(f->sim);
	ck_assert_msg(ret == EG_OK, "%s: %s: %s", name, eg_err_name(ret), err);
	ck_assert_msg(kiosk_work_wiped(f->k), "%s: work area not wiped", name);
	ck_assert_msg(kiosk_passage(f->k)->state == PS_IDLE ||
	    kiosk_passage(f->k)->state == PS_OUT_OF_SERVICE, "%s: ends in %s", name,
	    passage_state_str(kiosk_passage(f->k)->state));
	ck_assert_msg(r->reported, "%s: no record spooled", name);
	if (r->outcome != PO_OPEN)
		ck_assert_msg(r->gate_openings == 0, "%s: the gate opened on %s", name, r->rule);
	/* the decision is the one decide.h derives from the explanation */
	ck_assert_eg(passage_decide(&r->x, &f->policy, &d), EG_OK);
	ck_assert_msg(d.outcome == r->outcome && strcmp(d.rule, r->rule) == 0,
	    "%s: decide says %s %s, the kiosk %s %s", name, passage_outcome_str(d.outcome),
	    d.rule, passage_outcome_str(r->outcome), r->rule);
}

static void
run(struct fx *f, const char *name, struct kiosk_report *r)
{
	run_p(f, find(f, name), r);
}

/* The demo's genuine passage with another traveller's chip. */
static void
run_chip(struct fx *f, const char *traveller, struct kiosk_report *r)
{
	struct scenario_passage sp = *find(f, "genuine");

	snprintf(sp.name, sizeof(sp.name), "%s", traveller);
	snprintf(sp.traveller, sizeof(sp.traveller), "%s", traveller);
	run_p(f, &sp, r);
}

static void
expect(const struct kiosk_report *r, enum passage_outcome o, const char *rule)
{
	ck_assert_msg(r->outcome == o && strcmp(r->rule, rule) == 0,
	    "got outcome %d rule %s, want %d %s", r->outcome, r->rule, o, rule);
}

/* Every demo passage as the scenario file expects, in order. */
START_TEST(test_demo_all)
{
	struct fx f;
	struct kiosk_report r;
	uint64_t pending = 0;
	struct spool *s = NULL;

	fx_setup(&f, 0);
	for (size_t i = 0; i < f.sc.n; i++) {
		const struct scenario_passage *sp = &f.sc.p[i];
		enum passage_outcome want = sp->expect == SC_EXPECT_OPEN ? PO_OPEN :
		    sp->expect == SC_EXPECT_REFER ? PO_REFER : PO_ABANDONED;

		run(&f, sp->name, &r);
		ck_assert_msg(sp->expect != SC_EXPECT_ANY, "%s: no expectation", sp->name);
		ck_assert_msg(r.outcome == want, "%s: outcome %d, want %d (rule %s)",
		    sp->name, r.outcome, want, r.rule);
		ck_assert_msg(sp->expect_rule[0] != '\0', "%s: no expected rule", sp->name);
		ck_assert_msg(strcmp(r.rule, sp->expect_rule) == 0, "%s: rule %s, want %s",
		    sp->name, r.rule, sp->expect_rule);
		ck_assert_uint_eq(r.seq, i + 1);
	}
	/* one record per passage */
	kiosk_free(&f.k);
	ck_assert_eg(spool_open(f.spool, &s), EG_OK);
	ck_assert_eg(spool_pending(s, &pending), EG_OK);
	ck_assert_uint_eq(pending, f.sc.n);
	spool_close(&s);
	fx_teardown(&f);
}
END_TEST

/* The decisions with their explanations, asserted one by one. */
START_TEST(test_genuine_opens)
{
	struct fx f;
	struct kiosk_report r;
	const struct passage_explain_item *it;

	fx_setup(&f, 0);
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	ck_assert_uint_eq(r.gate_openings, 1);
	it = item(&r, PI_MATCH_1TO1);
	ck_assert_ptr_nonnull(it);
	ck_assert(it->has_value && it->value >= it->threshold && it->threshold == 0.50);
	ck_assert_ptr_nonnull(item(&r, PI_PASSIVE_AUTH));
	ck_assert_str_eq(res(&r, PI_PASSIVE_AUTH), "pass");
	ck_assert_str_eq(res(&r, PI_CHIP_AUTH), "absent");
	ck_assert_str_eq(res(&r, PI_NOT_EXPIRED), "pass");
	ck_assert_str_eq(res(&r, PI_WATCHLIST), "clear");
	ck_assert_str_eq(res(&r, PI_PASSAGE_CONFIRMED), "pass");
	fx_teardown(&f);
}
END_TEST

START_TEST(test_impostor_and_documents_refer)
{
	struct fx f;
	struct kiosk_report r;
	const struct passage_explain_item *it;

	fx_setup(&f, 0);
	run(&f, "impostor", &r);
	expect(&r, PO_REFER, "biometric_mismatch");
	it = item(&r, PI_MATCH_1TO1);
	ck_assert(it != NULL && it->value < it->threshold);
	run(&f, "expired-passport", &r);
	expect(&r, PO_REFER, "failed:not_expired");
	ck_assert_str_eq(res(&r, PI_PASSIVE_AUTH), "pass");
	run(&f, "altered-dg1", &r);
	expect(&r, PO_REFER, "failed:dg_hashes");
	ck_assert_str_eq(res(&r, PI_DG1_MATCHES_MRZ), "fail");
	run(&f, "revoked-ds", &r);
	expect(&r, PO_REFER, "failed:passive_auth");
	ck_assert_str_eq(res(&r, PI_DG_HASHES), "pass");
	run(&f, "unreadable-chip", &r);
	expect(&r, PO_REFER, "chip_unreadable");
	ck_assert_ptr_null(item(&r, PI_MATCH_1TO1));	/* never reached the face */
	fx_teardown(&f);
}
END_TEST

/* What the reader found beyond PA reaches the decision: PACE-CAM is chip
 * authentication (a clone fails it, a genuine chip passes it without
 * DG14/DG15), a DG that EF.COM lists but the chip does not give leaves the
 * DG hashes unchecked, and a chip without EF.SOD fails passive auth. */
START_TEST(test_chip_findings_decide)
{
	struct fx f;
	struct kiosk_report r;

	fx_setup(&f, 0);
	run_chip(&f, "genuine-pace-cam", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	ck_assert_str_eq(res(&r, PI_CHIP_AUTH), "pass");
	ck_assert_str_eq(res(&r, PI_CHIP_ACCESS), "pass");
	run_chip(&f, "cloned-pace-cam", &r);
	expect(&r, PO_REFER, "failed:chip_auth");
	ck_assert_str_eq(res(&r, PI_PASSIVE_AUTH), "pass");
	run_chip(&f, "drop-sm", &r);
	expect(&r, PO_REFER, "missing:dg_hashes");
	ck_assert_str_eq(res(&r, PI_DG_HASHES), "not_checked");
	ck_assert_str_eq(res(&r, PI_PASSIVE_AUTH), "pass");
	run_chip(&f, "missing-sod", &r);
	ck_assert_int_eq(r.outcome, PO_REFER);
	ck_assert_str_ne(res(&r, PI_PASSIVE_AUTH), "pass");
	fx_teardown(&f);
}
END_TEST

START_TEST(test_face_cases)
{
	struct fx f;
	struct kiosk_report r;

	fx_setup(&f, 0);
	run(&f, "two-people", &r);
	expect(&r, PO_REFER, "more_than_one_person");
	run(&f, "walk-away", &r);
	expect(&r, PO_ABANDONED, "abandoned:traveller_left");
	ck_assert_int_ge(r.capture_frames, 8);
	run(&f, "printed-photo", &r);
	expect(&r, PO_REFER, "pad_alarm");
	run(&f, "watchlist-hit", &r);
	expect(&r, PO_REFER, "watchlist_hit");
	ck_assert_str_eq(res(&r, PI_MATCH_1TO1), "pass");
	/* eyes painted shut on six frames (the eye model gives p(open) 0.00
	 * there): each attempt compares three frames by quality, so two
	 * attempts see only closed eyes (two retakes) and the third passes on
	 * its first frame; PAD then takes the rest of its presentation
	 * (KIOSK_PAD_FRAMES frames: 7 more) */
	run(&f, "eyes-closed-then-open", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	ck_assert_str_eq(item(&r, PI_FACE_QUALITY)->detail, "attempt 3 of 3");
	ck_assert_int_eq(r.capture_frames, 6 + KIOSK_PAD_FRAMES);
	fx_teardown(&f);
}
END_TEST

/* Unplugged devices mid-passage: a referral, never an open gate. */
START_TEST(test_unplugged_devices_refer)
{
	struct fx f;
	struct kiosk_report r;

	fx_setup(&f, 0);
	run(&f, "camera-unplugged", &r);
	expect(&r, PO_REFER, "device_lost");
	ck_assert_str_eq(item(&r, PI_DEVICE_LOST)->detail, "camera gone");
	ck_assert_uint_eq(r.gate_openings, 0);
	/* the kiosk is out of service, and says which device and why */
	ck_assert_int_eq(r.end_state, PS_OUT_OF_SERVICE);
	ck_assert_int_eq(kiosk_passage(f.k)->state, PS_OUT_OF_SERVICE);
	ck_assert_int_eq(kiosk_health(f.k, KD_CAMERA, NULL), KH_ABSENT);
	ck_assert(!kiosk_in_service(f.k));
	run(&f, "reader-unplugged", &r);
	expect(&r, PO_REFER, "device_lost");
	ck_assert_str_eq(item(&r, PI_DEVICE_LOST)->detail, "chip reader gone");
	ck_assert_uint_eq(r.gate_openings, 0);
	ck_assert_int_eq(kiosk_health(f.k, KD_READER, NULL), KH_ABSENT);
	ck_assert_int_eq(kiosk_health(f.k, KD_CAMERA, NULL), KH_OK);	/* replaced */
	/* and the kiosk carries on with the next traveller */
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	fx_teardown(&f);
}
END_TEST

/* At the production liveness threshold (0.50): the simulated camera shows
 * a live person (swaying in front of a still room), who passes; the
 * printed portrait (still, a paper border) is stopped by the frame cue. */
START_TEST(test_default_pad_threshold)
{
	struct fx f;
	struct kiosk_report r;
	const struct passage_explain_item *it;

	fx_setup(&f, 0);
	ck_assert(f.policy.liveness_threshold == 0.50);
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	ck_assert_double_ge(item(&r, PI_LIVENESS)->value, 0.50);
	run(&f, "printed-photo", &r);
	expect(&r, PO_REFER, "pad_alarm");
	ck_assert_uint_eq(r.gate_openings, 0);
	it = passage_explanation_find(&r.x, PI_PAD_CUE, "frame");
	ck_assert_ptr_nonnull(it);
	ck_assert(it->has_value && it->result == PCR_FAIL);
	ck_assert_double_lt(item(&r, PI_LIVENESS)->value, 0.50);
	fx_teardown(&f);
}
END_TEST

/* The policy's issuer list and minimum age, guards of the table (the
 * specimen holder was born 1974-08-12; the fixture's policy is borrowed by
 * the kiosk). */
START_TEST(test_issuer_and_age_policy)
{
	struct fx f;
	struct kiosk_report r;

	fx_setup(&f, 0);
	snprintf(f.policy.accepted_issuers, sizeof(f.policy.accepted_issuers), "D, FRA");
	run(&f, "genuine", &r);
	expect(&r, PO_REFER, "failed:issuer_accepted");
	ck_assert_str_eq(item(&r, PI_ISSUER_ACCEPTED)->detail, "UTO:P");
	snprintf(f.policy.accepted_issuers, sizeof(f.policy.accepted_issuers), "D,UTO:ID");
	run(&f, "genuine", &r);
	expect(&r, PO_REFER, "failed:issuer_accepted");
	snprintf(f.policy.accepted_issuers, sizeof(f.policy.accepted_issuers), "D, UTO:P");
	f.policy.min_age = 60;	/* the holder is 52 on the demo's date */
	run(&f, "genuine", &r);
	expect(&r, PO_REFER, "failed:min_age");
	f.policy.min_age = 18;
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	ck_assert_str_eq(res(&r, PI_MIN_AGE), "pass");
	ck_assert_str_eq(res(&r, PI_ISSUER_ACCEPTED), "pass");
	fx_teardown(&f);
}
END_TEST

/* A state that takes longer than its timeout: the late result is dropped,
 * the machine sees TIMEOUT and refers; the gate stays shut. */
START_TEST(test_timeout_refers)
{
	struct fx f;
	struct kiosk_report r;

	fx_setup(&f, 0);
	f.policy.timeout_ms[PS_CHIP_ACCESS] = 1;	/* doc_read takes longer */
	run(&f, "genuine", &r);
	expect(&r, PO_REFER, "timeout");
	ck_assert_ptr_nonnull(strstr(item(&r, PI_TIMEOUT)->detail, "CHIP_ACCESS"));
	ck_assert_uint_eq(r.gate_openings, 0);
	f.policy.timeout_ms[PS_CHIP_ACCESS] = 10000;
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	fx_teardown(&f);
}
END_TEST

static bool
contains(const uint8_t *p, size_t n, const void *needle, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp(p + i, needle, m) == 0)
			return true;
	return false;
}

static void
slurp(const char *path, uint8_t **p, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	long len;

	*p = NULL;
	*n = 0;
	if (fp == NULL)
		return;
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	ck_assert_int_ge(len, 0);
	rewind(fp);
	*p = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(*p);
	*n = fread(*p, 1, (size_t)len, fp);
	fclose(fp);
}

/* The spool: one record per passage, each a valid PassageEvent with its
 * explanation, no document number or name, no image, no DG2. */
START_TEST(test_spool_privacy)
{
	static const char *const names[] = { "genuine", "impostor", "two-people",
		"walk-away", "unreadable-chip" };
	static const char *const banned[] = { "L898902C3", "ERIKSSON", "ANNA", "JFIF",
		"FAC\0010\0", "Exif" };
	struct fx f;
	struct kiosk_report r;
	struct spool *s = NULL;
	uint64_t pending = 0, seq = 0, after = 0;
	uint8_t *p = NULL;
	size_t n = 0, total = 0;
	char path[320];

	fx_setup_log(&f, 0, true);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		run(&f, names[i], &r);
	kiosk_free(&f.k);
	/* the log (debug level): transitions and steps, nothing personal */
	ck_assert_int_eq(fflush(f.logf), 0);
	ck_assert_ptr_nonnull(strstr(f.logbuf, "passage.transition"));
	ck_assert_ptr_nonnull(strstr(f.logbuf, "kiosk.report"));
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		ck_assert_msg(!contains((const uint8_t *)f.logbuf, f.loglen, banned[i],
		    strlen(banned[i]) ? strlen(banned[i]) : 1), "the log holds '%s'", banned[i]);
	ck_assert_ptr_null(strstr(f.logbuf, "7408122"));	/* birth date + check */
	ck_assert_eg(spool_open(f.spool, &s), EG_OK);
	ck_assert_eg(spool_pending(s, &pending), EG_OK);
	ck_assert_uint_eq(pending, sizeof(names) / sizeof(names[0]));
	while (spool_next(s, after, &seq, &p, &n) == EG_OK) {
		Egate__PassageEvent *e;

		/* the uplink's record format: a PassageEvent, seq set when sent */
		e = egate__passage_event__unpack(NULL, n, p);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->seq, 0);
		ck_assert_uint_gt(e->n_checks, 0);
		ck_assert_str_eq(e->reason, total == 0 ? "all_checks_passed" :
		    total == 1 ? "biometric_mismatch" : total == 2 ? "more_than_one_person" :
		    total == 3 ? "abandoned:traveller_left" : "chip_unreadable");
		if (e->identifiers != NULL) {
			ck_assert_str_eq(e->identifiers->document_number, "");
			ck_assert_str_eq(e->identifiers->holder_name, "");
			ck_assert_str_eq(e->identifiers->issuing_state, "UTO");
		}
		ck_assert_uint_lt(n, 4096);	/* an embedding alone is 2 KiB */
		egate__passage_event__free_unpacked(e, NULL);
		free(p);
		after = seq;
		total++;
	}
	ck_assert_uint_eq(total, sizeof(names) / sizeof(names[0]));
	spool_close(&s);
	/* the database bytes themselves */
	for (const char *suf = ""; suf != NULL; suf = *suf == '\0' ? "-wal" : NULL) {
		snprintf(path, sizeof(path), "%s%s", f.spool, suf);
		slurp(path, &p, &n);
		for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
			ck_assert_msg(!contains(p, n, banned[i], strlen(banned[i]) ?
			    strlen(banned[i]) : 1), "%s holds '%s'", path, banned[i]);
		ck_assert_msg(!contains(p, n, "\xff\xd8\xff", 3), "%s holds a JPEG", path);
		free(p);
	}
	fx_teardown(&f);
}
END_TEST

/* ---- sealed identifiers ------------------------------------------------------ */

/* A deployment PKI in dir: ca/, host.key/.crt (CN egate-host), kiosk.key/.crt
 * (CN K-TEST). */
static void
seal_pki(const char *dir)
{
	struct pki_ca *ca = NULL;
	char p[4][256];
	static const char *const who[][2] = { { "host", "egate-host" }, { "kiosk", "K-TEST" } };

	snprintf(p[0], sizeof(p[0]), "%s/ca", dir);
	ck_assert_eg(pki_ca_create(p[0], "Test CA", 30), EG_OK);
	ck_assert_eg(pki_ca_open(p[0], &ca), EG_OK);
	for (int i = 0; i < 2; i++) {
		enum pki_role r = i == 0 ? PKI_ROLE_HOST : PKI_ROLE_KIOSK;

		snprintf(p[1], sizeof(p[1]), "%s/%s.key", dir, who[i][0]);
		snprintf(p[2], sizeof(p[2]), "%s/%s.csr", dir, who[i][0]);
		snprintf(p[3], sizeof(p[3]), "%s/%s.crt", dir, who[i][0]);
		ck_assert_eg(pki_key_create(p[1]), EG_OK);
		ck_assert_eg(pki_csr_create(p[1], who[i][1], r, p[2]), EG_OK);
		ck_assert_eg(pki_ca_sign(ca, p[2], r, 30, 0, p[3]), EG_OK);
	}
	pki_ca_free(&ca);
}


/*
 * With [host] seal_cert: every record of a passage whose MRZ was read
 * carries a sealed blob that opens with the host's private key to the
 * traveller's document number and name (from DG1 when the chip was read,
 * from the printed MRZ when it was not), for this kiosk's id only; the
 * spool's bytes and the log hold neither in clear.
 */
START_TEST(test_spool_sealed)
{
	static const char *const names[] = { "genuine", "unreadable-chip", "walk-away" };
	static const char *const banned[] = { "L898902C3", "ERIKSSON", "ANNA", "MARIA" };
	char dir[256], path[320], err[512] = "";
	struct fx f;
	struct kiosk_report r;
	struct spool *s = NULL;
	struct seal_key *hk = NULL;
	uint64_t seq = 0, after = 0;
	uint8_t *p = NULL, ver = 0;
	size_t n = 0, total = 0, sealed = 0;

	eg_scratch_mkdir(dir, sizeof(dir), "seal");
	seal_pki(dir);
	fx_prepare(&f, 0);
	snprintf(f.conf.ca, sizeof(f.conf.ca), "%s/ca/ca.crt", dir);
	snprintf(f.conf.cert, sizeof(f.conf.cert), "%s/kiosk.crt", dir);
	snprintf(f.conf.seal_cert, sizeof(f.conf.seal_cert), "%s/host.crt", dir);
	ck_assert_msg(fx_start(&f, true, err, sizeof(err)) == EG_OK, "kiosk_new: %s", err);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		run(&f, names[i], &r);
	kiosk_free(&f.k);
	ck_assert_int_eq(fflush(f.logf), 0);
	ck_assert_ptr_nonnull(strstr(f.logbuf, "kiosk.seal_ready"));
	ck_assert_ptr_nonnull(strstr(f.logbuf, "from=dg1"));
	ck_assert_ptr_nonnull(strstr(f.logbuf, "from=mrz"));
	ck_assert_ptr_nonnull(strstr(f.logbuf, "kiosk.sealed"));
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		ck_assert_msg(!contains((const uint8_t *)f.logbuf, f.loglen, banned[i],
		    strlen(banned[i])), "the log holds '%s'", banned[i]);

	snprintf(path, sizeof(path), "%s/host.key", dir);
	ck_assert_eg(seal_key_from_private(path, &hk, err, sizeof(err)), EG_OK);
	ck_assert_eg(spool_open(f.spool, &s), EG_OK);
	while (spool_next(s, after, &seq, &p, &n) == EG_OK) {
		Egate__PassageEvent *e = egate__passage_event__unpack(NULL, n, p);
		char doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];

		ck_assert_ptr_nonnull(e);
		if (e->identifiers != NULL) {
			ck_assert_str_eq(e->identifiers->document_number, "");
			ck_assert_str_eq(e->identifiers->holder_name, "");
		}
		/* every one of these passages got past the MRZ reader */
		ck_assert_msg(e->sealed_identifiers.len > 0, "record %zu: no sealed identifiers", total);
		ck_assert_uint_le(e->sealed_identifiers.len, PROTO_SEALED_MAX);
		/* version 3: bound to this record's seq and kind, and the kiosk */
		ck_assert_eg(seal_open_bound(hk, "K-TEST", seq, SEAL_KIND_PASSAGE,
		    e->sealed_identifiers.data, e->sealed_identifiers.len, doc, sizeof(doc), name,
		    sizeof(name), &ver), EG_OK);
		ck_assert_uint_eq(ver, SEAL_VERSION_3);
		ck_assert_str_eq(doc, "L898902C3");
		ck_assert_str_eq(name, "ERIKSSON<<ANNA<MARIA");
		ck_assert_eg(seal_open_bound(hk, "K-TEST", seq + 1, SEAL_KIND_PASSAGE,
		    e->sealed_identifiers.data, e->sealed_identifiers.len, doc, sizeof(doc), name,
		    sizeof(name), NULL), EG_ERR_AUTH);
		ck_assert_eg(seal_open_bound(hk, "K-OTHER", seq, SEAL_KIND_PASSAGE,
		    e->sealed_identifiers.data, e->sealed_identifiers.len, doc, sizeof(doc), name,
		    sizeof(name), NULL), EG_ERR_AUTH);
		ck_assert_eg(seal_open(hk, "K-TEST", e->sealed_identifiers.data,
		    e->sealed_identifiers.len, doc, sizeof(doc), name, sizeof(name)), EG_ERR_INVAL);
		sealed++;
		egate__passage_event__free_unpacked(e, NULL);
		free(p);
		after = seq;
		total++;
	}
	ck_assert_uint_eq(total, sizeof(names) / sizeof(names[0]));
	ck_assert_uint_eq(sealed, total);
	spool_close(&s);
	seal_key_free(&hk);
	for (const char *suf = ""; suf != NULL; suf = *suf == '\0' ? "-wal" : NULL) {
		snprintf(path, sizeof(path), "%s%s", f.spool, suf);
		slurp(path, &p, &n);
		for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
			ck_assert_msg(!contains(p, n, banned[i], strlen(banned[i])),
			    "%s holds '%s'", path, banned[i]);
		free(p);
	}
	fx_teardown(&f);
	rm_rf(dir);
}
END_TEST

/* A seal_cert that is not the host's (wrong CN), one from outside the CA,
 * or an id that is not the kiosk certificate's CN: the kiosk does not start. */
START_TEST(test_seal_cert_refused)
{
	char dir[256], err[512];
	struct fx f;

	eg_scratch_mkdir(dir, sizeof(dir), "seal");
	seal_pki(dir);
	fx_prepare(&f, 0);
	snprintf(f.conf.ca, sizeof(f.conf.ca), "%s/ca/ca.crt", dir);
	snprintf(f.conf.cert, sizeof(f.conf.cert), "%s/kiosk.crt", dir);
	/* the kiosk's own certificate: chains, but CN is not egate-host */
	snprintf(f.conf.seal_cert, sizeof(f.conf.seal_cert), "%s/kiosk.crt", dir);
	err[0] = '\0';
	ck_assert_eg(fx_start(&f, false, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "seal_cert"));
	ck_assert_ptr_null(f.k);
	/* the host's certificate checked against another CA (its own cert) */
	snprintf(f.conf.seal_cert, sizeof(f.conf.seal_cert), "%s/host.crt", dir);
	snprintf(f.conf.ca, sizeof(f.conf.ca), "%s/kiosk.crt", dir);
	ck_assert_eg(fx_start(&f, false, err, sizeof(err)), EG_ERR_CONFIG);
	/* right host certificate, server_name says otherwise */
	snprintf(f.conf.ca, sizeof(f.conf.ca), "%s/ca/ca.crt", dir);
	snprintf(f.conf.host_server_name, sizeof(f.conf.host_server_name), "other-host");
	ck_assert_eg(fx_start(&f, false, err, sizeof(err)), EG_ERR_CONFIG);
	snprintf(f.conf.host_server_name, sizeof(f.conf.host_server_name), "egate-host");
	/* [kiosk] id differs from the certificate's CN */
	snprintf(f.conf.id, sizeof(f.conf.id), "K-OTHER");
	err[0] = '\0';
	ck_assert_eg(fx_start(&f, false, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "K-TEST"));
	/* all right */
	snprintf(f.conf.id, sizeof(f.conf.id), "K-TEST");
	ck_assert_msg(fx_start(&f, false, err, sizeof(err)) == EG_OK, "%s", err);
	fx_teardown(&f);
	rm_rf(dir);
}
END_TEST


/* Trust only from the configuration: no anchor, no kiosk. */
START_TEST(test_no_trust_anchor)
{
	struct fx f;
	char err[512] = "", empty[300];

	fx_prepare(&f, 0);
	f.conf.csca[0] = '\0';
	ck_assert_eg(fx_start(&f, false, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_msg(strstr(err, "no trust anchor") != NULL, "%s", err);
	ck_assert_ptr_null(f.k);
	snprintf(empty, sizeof(empty), "%s/empty", f.dir);
	ck_assert_int_eq(mkdir(empty, 0700), 0);
	snprintf(f.conf.csca, sizeof(f.conf.csca), "%s", empty);
	err[0] = '\0';
	ck_assert_eg(fx_start(&f, false, err, sizeof(err)), EG_ERR_CONFIG);
	ck_assert_msg(strstr(err, "no trust anchor") != NULL, "%s", err);
	snprintf(f.conf.csca, sizeof(f.conf.csca), "%s/nonexistent", f.dir);
	ck_assert_int_ne(fx_start(&f, false, err, sizeof(err)), EG_OK);
	ck_assert_ptr_null(f.k);
	fx_teardown(&f);
}
END_TEST

/* The product's gate (firmware/gate's engine over tests/gate's door model,
 * on the model's clock) in the lane: a passage through it; then a door that
 * does not follow its relay. The gate's FAULT and its reason reach the
 * record (device_lost), the health and the out-of-service state; the relay
 * is off and the kiosk stays out of service until the gate is back. */
START_TEST(test_gate_engine_fault)
{
	struct fx f;
	struct kiosk_report r;
	struct gate_model m;
	struct gate_opts go;
	struct gate *g = NULL;
	const char *detail = NULL;
	char err[512] = "";

	fx_setup(&f, 0.01);
	gate_model_init(&m, false);
	memset(&go, 0, sizeof(go));
	go.lines = &gate_model_lines;
	go.lines_self = &m;
	go.clock = &gate_model_clock;
	go.clock_self = &m;
	ck_assert_msg(gate_open("gpio:gpiochip0:relay=17,door=27,door-open=5,passage=22", &go, &g,
	    err, sizeof(err)) == EG_OK, "%s", err);
	kiosk_sim_use_gate(f.sim, gate_get_ops(g), g);
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	ck_assert_str_eq(res(&r, PI_DOOR_OPENED), "pass");
	ck_assert_str_eq(res(&r, PI_PASSAGE_CONFIRMED), "pass");
	ck_assert_str_eq(res(&r, PI_DOOR_CLOSED), "pass");
	ck_assert_uint_eq(m.relay_on_count, 1);
	ck_assert(!m.relay);
	/* the door stops following its relay */
	m.door_follows = false;
	ck_assert_eg(kiosk_sim_prepare(f.sim, f.k, find(&f, "genuine"), err, sizeof(err)), EG_OK);
	ck_assert_eg(kiosk_run_passage(f.k, &r, err, sizeof(err)), EG_OK);
	kiosk_sim_release(f.sim);
	ck_assert(r.reported);
	ck_assert_ptr_nonnull(item(&r, PI_DEVICE_LOST));
	ck_assert_str_eq(item(&r, PI_DEVICE_LOST)->detail, "relay on, door still shut after 2000 ms");
	ck_assert_str_eq(res(&r, PI_DOOR_OPENED), "fail");
	ck_assert_ptr_null(item(&r, PI_PASSAGE_CONFIRMED));
	ck_assert_int_eq(r.end_state, PS_OUT_OF_SERVICE);
	ck_assert_int_eq(kiosk_health(f.k, KD_GATE, &detail), KH_FAILED);
	ck_assert_str_eq(detail, "relay on, door still shut after 2000 ms");
	ck_assert(!m.relay);			/* driven off by the engine */
	ck_assert_uint_eq(m.relay_on_count, 2);
	ck_assert(!kiosk_in_service(f.k));
	ck_assert_eg(kiosk_run_passage(f.k, &r, err, sizeof(err)), EG_ERR_STATE);
	kiosk_sim_use_gate(f.sim, NULL, NULL);
	gate_free(&g);
	gate_model_fini(&m);
	fx_teardown(&f);
}
END_TEST

/* A gate whose door does not confirm it opened: the record says so, the
 * gate is marked failed and the kiosk goes out of service; it comes back
 * only when the door works again. */
START_TEST(test_gate_does_not_confirm)
{
	struct fx f;
	struct kiosk_report r;
	char err[512] = "";

	fx_setup(&f, 0);
	f.policy.timeout_ms[PS_GATE_OPENING] = 300;
	ck_assert_eg(kiosk_sim_prepare(f.sim, f.k, find(&f, "genuine"), err, sizeof(err)), EG_OK);
	kiosk_sim_gate(f.sim)->door_stuck = true;
	ck_assert_eg(kiosk_run_passage(f.k, &r, err, sizeof(err)), EG_OK);
	kiosk_sim_release(f.sim);
	expect(&r, PO_OPEN, "all_checks_passed");	/* the decision stands */
	ck_assert_str_eq(res(&r, PI_DOOR_OPENED), "fail");
	ck_assert_ptr_null(item(&r, PI_PASSAGE_CONFIRMED));
	ck_assert(r.reported);
	ck_assert_int_eq(r.end_state, PS_OUT_OF_SERVICE);
	ck_assert_int_eq(kiosk_health(f.k, KD_GATE, NULL), KH_FAILED);
	ck_assert_int_eq(kiosk_sim_gate(f.sim)->openings, 0);
	ck_assert(kiosk_work_wiped(f.k));
	/* still out of service at the next look: the gate is still faulty */
	ck_assert_eg(kiosk_idle(f.k, 0), EG_OK);
	ck_assert(!kiosk_in_service(f.k));
	ck_assert_eg(kiosk_run_passage(f.k, &r, err, sizeof(err)), EG_ERR_STATE);
	/* the gate works again: back in service */
	kiosk_sim_gate(f.sim)->door_stuck = false;
	kiosk_set_health(f.k, KD_GATE, KH_OK, "back");
	ck_assert_eg(kiosk_idle(f.k, 0), EG_OK);
	ck_assert(kiosk_in_service(f.k));
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	ck_assert_str_eq(res(&r, PI_DOOR_CLOSED), "pass");
	fx_teardown(&f);
}
END_TEST

/* The default PAD device: presentation-level PAD over the frames of the
 * capture, every cue in the record next to the fused score, the cues in use
 * and the sign of life from the policy. */
START_TEST(test_pad_cue_in_record)
{
	struct fx f;
	struct kiosk_report r;
	const struct passage_explain_item *cue, *lv;
	double lowest = 2;
	size_t n = 0;

	fx_setup(&f, 0);
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	lv = item(&r, PI_LIVENESS);
	ck_assert_ptr_nonnull(lv);
	for (size_t i = 0; i < r.x.n; i++) {
		const struct passage_explain_item *it = &r.x.items[i];

		if (it->id != PI_PAD_CUE)
			continue;
		n++;
		/* the sign-of-life cues are not vetoes: the fused score is the
		 * lowest of the others, an artefact cue relieved by the sign of
		 * life with its odds of life x 9 (the record says which) */
		if (it->has_value && strcmp(it->sub, "micro_motion") != 0 &&
		    strcmp(it->sub, "blink") != 0) {
			double v = it->value;

			if (strstr(it->detail, "relieved x9") != NULL)
				v = 9 * v / (1 - v + 9 * v);
			lowest = v < lowest ? v : lowest;
		}
	}
	ck_assert_uint_eq(n, 10);	/* ten cues */
	ck_assert_double_eq_tol(lv->value, lowest, 1e-9);
	/* the whole frame's periodic structure: none in a person's portrait;
	 * the simulated person sways and blinks, so the artefact cue is
	 * relieved: it would refuse only under 0.5 / (9 - 8 x 0.5) = 0.1 */
	cue = passage_explanation_find(&r.x, PI_PAD_CUE, "moire");
	ck_assert_ptr_nonnull(cue);
	ck_assert(cue->has_value && cue->result == PCR_PASS);
	ck_assert_ptr_nonnull(strstr(cue->detail, "relieved x9"));
	ck_assert_double_eq_tol(cue->threshold, 0.1, 1e-12);
	/* the frame cue is never relieved */
	cue = passage_explanation_find(&r.x, PI_PAD_CUE, "frame");
	ck_assert_ptr_nonnull(cue);
	ck_assert_ptr_null(strstr(cue->detail, "relieved"));
	ck_assert_double_eq(cue->threshold, 0.5);
	cue = passage_explanation_find(&r.x, PI_PAD_CUE, "micro_motion");
	ck_assert_ptr_nonnull(cue);
	ck_assert(cue->has_value && cue->result == PCR_PASS);
	ck_assert_double_eq(cue->threshold, 0.5);
	/* no depth stream: the cue abstains, and the record says why */
	cue = passage_explanation_find(&r.x, PI_PAD_CUE, "depth");
	ck_assert_ptr_nonnull(cue);
	ck_assert(!cue->has_value && cue->result == PCR_NOT_CHECKED);
	ck_assert_str_eq(cue->detail, "no depth stream");
	/* a sign of life required: the live person shows one */
	f.policy.pad_live_sign = true;
	run(&f, "genuine", &r);
	expect(&r, PO_OPEN, "all_checks_passed");
	/* the still print shows none; with the frame cue switched off by the
	 * policy, only the requirement stops it */
	f.policy.pad_cues = (1u << POLICY_PAD_COUNT) - 1u;
	f.policy.pad_cues &= ~(1u << POLICY_PAD_FRAME);
	run(&f, "printed-photo", &r);
	expect(&r, PO_REFER, "pad_alarm");
	ck_assert_ptr_null(passage_explanation_find(&r.x, PI_PAD_CUE, "frame"));
	ck_assert_double_lt(item(&r, PI_LIVENESS)->value, 0.01);
	for (size_t i = 0; i < r.x.n; i++)	/* every veto cue let it through */
		if (r.x.items[i].id == PI_PAD_CUE && r.x.items[i].has_value &&
		    strcmp(r.x.items[i].sub, "blink") != 0)
			ck_assert_double_ge(r.x.items[i].value, 0.5);
	fx_teardown(&f);
}
END_TEST

/* ---- scenario parser --------------------------------------------------------- */

static int
parse(const char *text, char *err, size_t cap, struct scenario *s)
{
	return scenario_parse(text, strlen(text), "t.ini", s, err, cap);
}

START_TEST(test_scenario_parse)
{
	static struct scenario s;
	char err[256];

	ck_assert_eg(parse("[scenario]\nname = x\ntoday = 2026-11-29\n[passage a]\n"
	    "traveller = genuine-td3\ncamera = portrait:sample5.jpg\nexpiry = 341231\n"
	    "expect = open\nexpect_rule = all_checks_passed\n", err, sizeof(err), &s), EG_OK);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.p[0].name, "a");
	ck_assert_int_eq(s.p[0].camera, SC_CAM_PORTRAIT);
	ck_assert_str_eq(s.p[0].camera_arg, "sample5.jpg");
	ck_assert_int_eq(s.today_y, 2026);
	ck_assert_str_eq(s.p[0].expiry, "341231");

	ck_assert_eg(parse("[passage a]\ntraveller = x\ncamera = face:y\ncolour = red\n",
	    err, sizeof(err), &s), EG_ERR_FORMAT);
	ck_assert_str_eq(err, "t.ini:4: unknown key 'colour' in a passage");
	ck_assert_eg(parse("[passage a]\ntraveller = x\n", err, sizeof(err), &s),
	    EG_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err, "needs traveller and camera"));
	ck_assert_eg(parse("[passage a]\ntraveller = x\ncamera = webcam\n", err, sizeof(err),
	    &s), EG_ERR_FORMAT);
	ck_assert_eg(parse("[passage a]\ntraveller = x\ncamera = empty\nexpiry = 3412\n",
	    err, sizeof(err), &s), EG_ERR_FORMAT);
	ck_assert_eg(parse("[scenario]\ntoday = 2026-13-01\n[passage a]\ntraveller = x\n"
	    "camera = empty\n", err, sizeof(err), &s), EG_ERR_FORMAT);
	ck_assert_eg(parse("[bogus]\nx = 1\n", err, sizeof(err), &s), EG_ERR_FORMAT);
	ck_assert_eg(parse("[scenario]\nname = x\n", err, sizeof(err), &s), EG_ERR_FORMAT);
	ck_assert_str_eq(err, "t.ini: no [passage NAME] section");
	ck_assert_eg(scenario_parse("[passage a]\0", 12, "t", &s, err, sizeof(err)),
	    EG_ERR_FORMAT);
}
END_TEST

START_TEST(test_scenario_limits)
{
	static struct scenario s;
	static char text[SCENARIO_MAX_FILE + 2];
	char err[256];
	size_t off = 0;

	for (int i = 0; i <= SCENARIO_MAX_PASSAGES; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    "[passage p%d]\ntraveller = x\ncamera = empty\n", i);
	ck_assert_eg(scenario_parse(text, off, "t", &s, err, sizeof(err)), EG_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err, "more than 32 passages"));
	memset(text, ';', sizeof(text) - 1);
	ck_assert_eg(scenario_parse(text, SCENARIO_MAX_FILE + 1, "t", &s, err, sizeof(err)),
	    EG_ERR_OVERFLOW);
	ck_assert_eg(scenario_load("/nonexistent/x.ini", &s, err, sizeof(err)), EG_ERR_IO);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("kiosk");
	TCase *tc = tcase_create("executor");

	tcase_set_timeout(tc, 600);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, test_demo_all);
	tcase_add_test(tc, test_genuine_opens);
	tcase_add_test(tc, test_impostor_and_documents_refer);
	tcase_add_test(tc, test_chip_findings_decide);
	tcase_add_test(tc, test_face_cases);
	tcase_add_test(tc, test_unplugged_devices_refer);
	tcase_add_test(tc, test_default_pad_threshold);
	tcase_add_test(tc, test_timeout_refers);
	tcase_add_test(tc, test_issuer_and_age_policy);
	tcase_add_test(tc, test_spool_privacy);
	tcase_add_test(tc, test_spool_sealed);
	tcase_add_test(tc, test_seal_cert_refused);
	tcase_add_test(tc, test_no_trust_anchor);
	tcase_add_test(tc, test_gate_does_not_confirm);
	tcase_add_test(tc, test_gate_engine_fault);
	tcase_add_test(tc, test_pad_cue_in_record);
	suite_add_tcase(s, tc);
	tc = tcase_create("scenario");
	tcase_add_test(tc, test_scenario_parse);
	tcase_add_test(tc, test_scenario_limits);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
