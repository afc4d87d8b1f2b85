/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The passage state machine: every traveller scenario of the simulated-
 * traveller list, the officer's override, the cancel paths, and a sweep of
 * every (state, event) pair proving the gate opens only on a clear decision
 * or an officer's command with a reason.
 */
#include <stdio.h>
#include <string.h>

#include "egate/error.h"
#include "eg_check.h"
#include "decide.h"
#include "passage.h"

struct run {
	struct passage_policy pol;
	struct passage p;
	bool gate_opened;
	bool reported;
	int reports;
	bool officer_notified;
	bool wiped;
	int captures;
};

static void
start(struct run *r)
{
	memset(r, 0, sizeof(*r));
	passage_policy_default(&r->pol);
	snprintf(r->pol.version, sizeof(r->pol.version), "cfg-7");
	passage_init(&r->p, &r->pol, "faceplugin-0.0.1", NULL);
}

static int
feed(struct run *r, struct passage_event ev)
{
	struct passage_effects fx;
	int ret = passage_handle(&r->p, &ev, &fx);

	for (size_t i = 0; i < fx.n; i++) {
		r->gate_opened |= fx.e[i] == PX_GATE_OPEN;
		r->reported |= fx.e[i] == PX_REPORT;
		r->reports += fx.e[i] == PX_REPORT;
		r->officer_notified |= fx.e[i] == PX_NOTIFY_OFFICER;
		r->wiped |= fx.e[i] == PX_WIPE;
		r->captures += fx.e[i] == PX_CAPTURE_FACE;
	}
	return ret;
}

static struct passage_event
ev(enum passage_event_type t)
{
	struct passage_event e;

	memset(&e, 0, sizeof(e));
	e.type = t;
	return e;
}

static struct passage_event
ok(enum passage_event_type t)
{
	struct passage_event e = ev(t);

	e.ok = true;
	return e;
}

static struct passage_event
score(enum passage_event_type t, double s)
{
	struct passage_event e = ev(t);

	e.score = s;
	return e;
}

static struct passage_event
checks_all_pass(void)
{
	struct passage_event e = ev(PE_CHECKS_DONE);

	for (int c = 0; c < PDC_COUNT; c++)
		e.checks[c] = PCR_PASS;
	e.holder.known = true;
	snprintf(e.holder.issuing_state, sizeof(e.holder.issuing_state), "UTO");
	snprintf(e.holder.document_type, sizeof(e.holder.document_type), "P");
	e.holder.age = 40;
	return e;
}

static struct passage_event
capture(int faces, bool quality)
{
	struct passage_event e = ev(PE_FACE_CAPTURED);

	e.faces = faces;
	e.quality_ok = quality;
	return e;
}

/* Up to the face capture with a good document. */
static void
document_ok(struct run *r)
{
	ck_assert_eg(feed(r, ev(PE_DOC_PLACED)), EG_OK);
	ck_assert_eg(feed(r, ok(PE_MRZ_READ)), EG_OK);
	struct passage_event c = ok(PE_CHIP_OPENED);
	c.detail = "PACE";
	ck_assert_eg(feed(r, c), EG_OK);
	ck_assert_eg(feed(r, checks_all_pass()), EG_OK);
	ck_assert_int_eq(r->p.state, PS_FACE_CAPTURE);
}

static const struct passage_explain_item *
item(const struct passage *p, enum passage_item id)
{
	return passage_explanation_find(&p->x, id, NULL);
}

/* the result of an item as the record writes it; "" when absent */
static const char *
res(const struct passage *p, enum passage_item id)
{
	const struct passage_explain_item *it = item(p, id);

	return it != NULL ? passage_item_result_str(it) : "";
}

/* The decision the machine made is the one decide.h derives from its
 * explanation under the same policy. */
static void
assert_decide_agrees(const struct run *r)
{
	struct passage_decision d;
	enum passage_outcome want = r->p.x.outcome;

	ck_assert_eg(passage_decide(&r->p.x, &r->pol, &d), EG_OK);
	if (d.officer != PO_NONE) {
		/* an officer's record: the officer's outcome over the automated one */
		ck_assert_int_eq(d.officer, want);
		return;
	}
	if (strcmp(r->p.x.rule, "officer_manual_open") == 0)
		return;	/* no automated decision at all */
	ck_assert_msg(d.outcome == want && strcmp(d.rule, r->p.x.rule) == 0,
	    "decide: %s %s, machine: %s %s", passage_outcome_str(d.outcome), d.rule,
	    passage_outcome_str(want), r->p.x.rule);
}

/* The gate opens, the traveller walks through, the door shuts. */
static void
through_gate(struct run *r)
{
	ck_assert_int_eq(r->p.state, PS_GATE_OPENING);
	ck_assert_eg(feed(r, ev(PE_DOOR_OPENED)), EG_OK);
	ck_assert_int_eq(r->p.state, PS_GATE_OPEN);
	ck_assert_eg(feed(r, ev(PE_PASSED)), EG_OK);
	ck_assert_int_eq(r->p.state, PS_GATE_CLOSING);
	ck_assert_eg(feed(r, ev(PE_DOOR_CLOSED)), EG_OK);
	ck_assert_int_eq(r->p.state, PS_IDLE);
}

static void
assert_referred(struct run *r, const char *rule)
{
	ck_assert_int_eq(r->p.state, PS_REFERRED);
	ck_assert_int_eq(r->p.x.outcome, PO_REFER);
	ck_assert_str_eq(r->p.x.rule, rule);
	ck_assert(!r->gate_opened);
	ck_assert(r->officer_notified);
	ck_assert(r->wiped);
	/* the automated referral is on record at once, before any officer */
	ck_assert_int_eq(r->reports, 1);
	assert_decide_agrees(r);
}

START_TEST(test_genuine_traveller)
{
	struct run r;
	const struct passage_explain_item *it;

	start(&r);
	document_ok(&r);
	ck_assert_eg(feed(&r, capture(1, true)), EG_OK);
	ck_assert_eg(feed(&r, score(PE_LIVENESS_DONE, 0.93)), EG_OK);
	ck_assert_eg(feed(&r, score(PE_MATCH_DONE, 0.81)), EG_OK);
	ck_assert_eg(feed(&r, score(PE_WATCHLIST_DONE, 0.12)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_GATE_OPENING);
	ck_assert(r.gate_opened);
	ck_assert(r.wiped);
	ck_assert_int_eq(r.p.x.outcome, PO_OPEN);
	ck_assert_str_eq(r.p.x.rule, "all_checks_passed");
	ck_assert_str_eq(r.p.x.config_version, "cfg-7");
	ck_assert_str_eq(r.p.x.model_version, "faceplugin-0.0.1");
	/* the explanation: every check, every score with its threshold */
	ck_assert_ptr_nonnull(it = item(&r.p, PI_MATCH_1TO1));
	ck_assert(it->has_value);
	ck_assert_double_eq(it->value, 0.81);
	ck_assert_double_eq(it->threshold, 0.50);
	ck_assert_int_eq(it->result, PCR_PASS);
	ck_assert_ptr_nonnull(it = item(&r.p, PI_CHIP_ACCESS));
	ck_assert_str_eq(it->detail, "PACE");
	ck_assert_ptr_nonnull(item(&r.p, PI_PASSIVE_AUTH));
	ck_assert_ptr_nonnull(item(&r.p, PI_DG1_MATCHES_MRZ));
	ck_assert_ptr_nonnull(item(&r.p, PI_LIVENESS));
	ck_assert_ptr_nonnull(item(&r.p, PI_WATCHLIST));
	ck_assert(!r.reported);	/* reported when the passage ends */
	through_gate(&r);
	ck_assert(r.reported);
	ck_assert_int_eq(r.reports, 1);
	ck_assert_str_eq(res(&r.p, PI_DOOR_OPENED), "pass");
	ck_assert_str_eq(res(&r.p, PI_PASSAGE_CONFIRMED), "pass");
	ck_assert_str_eq(res(&r.p, PI_DOOR_CLOSED), "pass");
	ck_assert_str_eq(res(&r.p, PI_ISSUER_ACCEPTED), "pass");
	ck_assert_str_eq(item(&r.p, PI_ISSUER_ACCEPTED)->detail, "UTO:P");
	ck_assert_uint_eq(r.p.passages, 1);
	assert_decide_agrees(&r);
}
END_TEST

START_TEST(test_impostor)
{
	struct run r;

	start(&r);
	document_ok(&r);
	feed(&r, capture(1, true));
	feed(&r, score(PE_LIVENESS_DONE, 0.9));
	feed(&r, score(PE_MATCH_DONE, 0.08));
	assert_referred(&r, "biometric_mismatch");
	ck_assert_str_eq(res(&r.p, PI_MATCH_1TO1), "fail");
	ck_assert_double_eq(item(&r.p, PI_MATCH_1TO1)->value, 0.08);
}
END_TEST

/* Each failed document check names itself as the rule that fired. */
START_TEST(test_document_failures)
{
	static const struct {
		enum passage_doc_check check;
		const char *rule;
	} cases[] = {
		{ PDC_NOT_EXPIRED, "failed:not_expired" },		/* expired passport */
		{ PDC_DG_HASHES, "failed:dg_hashes" },			/* altered DG1 */
		{ PDC_DG1_MATCHES_MRZ, "failed:dg1_matches_mrz" },
		{ PDC_CHIP_AUTH, "failed:chip_auth" },			/* cloned chip */
		{ PDC_PASSIVE_AUTH, "failed:passive_auth" },		/* revoked DS */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;
		struct passage_event c = checks_all_pass();

		start(&r);
		feed(&r, ev(PE_DOC_PLACED));
		feed(&r, ok(PE_MRZ_READ));
		feed(&r, ok(PE_CHIP_OPENED));
		c.checks[cases[i].check] = PCR_FAIL;
		ck_assert_eg(feed(&r, c), EG_OK);
		assert_referred(&r, cases[i].rule);
		ck_assert_int_eq(r.captures, 0);	/* no face taken for a bad document */
	}
}
END_TEST

/* A cloned chip stops the reading: later checks never run. The rule must
 * name the failed check, not the first one that is merely missing. */
START_TEST(test_failed_check_named_before_missing_ones)
{
	struct run r;
	struct passage_event c = ev(PE_CHECKS_DONE);

	for (int i = 0; i < PDC_COUNT; i++)
		c.checks[i] = PCR_NOT_CHECKED;
	c.checks[PDC_MRZ_VALID] = PCR_PASS;
	c.checks[PDC_CHIP_ACCESS] = PCR_PASS;
	c.checks[PDC_CHIP_AUTH] = PCR_FAIL;
	start(&r);
	feed(&r, ev(PE_DOC_PLACED));
	feed(&r, ok(PE_MRZ_READ));
	feed(&r, ok(PE_CHIP_OPENED));
	feed(&r, c);
	assert_referred(&r, "failed:chip_auth");
	ck_assert_str_eq(res(&r.p, PI_PASSIVE_AUTH), "not_checked");
}
END_TEST

START_TEST(test_chip_without_aa_ca)
{
	struct run r;
	struct passage_event c = checks_all_pass();

	c.checks[PDC_CHIP_AUTH] = PCR_ABSENT;
	start(&r);	/* default policy: refer */
	feed(&r, ev(PE_DOC_PLACED));
	feed(&r, ok(PE_MRZ_READ));
	feed(&r, ok(PE_CHIP_OPENED));
	feed(&r, c);
	assert_referred(&r, "missing:chip_auth");
	ck_assert_str_eq(res(&r.p, PI_CHIP_AUTH), "absent");
	ck_assert_str_eq(item(&r.p, PI_CHIP_AUTH)->detail, "absent");

	start(&r);	/* policy: accept */
	r.pol.no_chip_auth = PASSAGE_ABSENT_ACCEPT;
	feed(&r, ev(PE_DOC_PLACED));
	feed(&r, ok(PE_MRZ_READ));
	feed(&r, ok(PE_CHIP_OPENED));
	feed(&r, c);
	ck_assert_int_eq(r.p.state, PS_FACE_CAPTURE);

	/* a check not mandatory may be skipped, but never fail */
	start(&r);
	r.pol.mandatory &= ~(1u << PDC_MIN_AGE);
	c = checks_all_pass();
	c.checks[PDC_MIN_AGE] = PCR_NOT_CHECKED;
	feed(&r, ev(PE_DOC_PLACED));
	feed(&r, ok(PE_MRZ_READ));
	feed(&r, ok(PE_CHIP_OPENED));
	feed(&r, c);
	ck_assert_int_eq(r.p.state, PS_FACE_CAPTURE);
}
END_TEST

START_TEST(test_unreadable_chip_and_bad_mrz)
{
	struct run r;
	struct passage_event e;

	start(&r);
	feed(&r, ev(PE_DOC_PLACED));
	feed(&r, ok(PE_MRZ_READ));
	e = ev(PE_CHIP_OPENED);
	e.detail = "no answer to SELECT eMRTD (6A82)";
	feed(&r, e);
	assert_referred(&r, "chip_unreadable");
	ck_assert_str_eq(item(&r.p, PI_CHIP_ACCESS)->detail, "no answer to SELECT eMRTD (6A82)");

	start(&r);
	feed(&r, ev(PE_DOC_PLACED));
	e = ev(PE_MRZ_READ);
	e.detail = "document_number_check: check digit is 4, computed 3";
	feed(&r, e);
	assert_referred(&r, "mrz_invalid");
}
END_TEST

START_TEST(test_eyes_closed_then_open)
{
	struct run r;

	start(&r);
	document_ok(&r);
	ck_assert_int_eq(r.captures, 1);
	ck_assert_eg(feed(&r, capture(1, false)), EG_OK);	/* eyes closed */
	ck_assert_int_eq(r.p.state, PS_FACE_CAPTURE);
	ck_assert_int_eq(r.captures, 2);
	ck_assert_eg(feed(&r, capture(1, true)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_LIVENESS);
	ck_assert_str_eq(item(&r.p, PI_FACE_QUALITY)->detail, "attempt 2 of 3");
}
END_TEST

START_TEST(test_quality_never_good)
{
	struct run r;

	start(&r);
	document_ok(&r);
	feed(&r, capture(1, false));
	feed(&r, capture(0, false));
	ck_assert_int_eq(r.p.state, PS_FACE_CAPTURE);
	feed(&r, capture(1, false));
	assert_referred(&r, "face_capture_failed");
	ck_assert_int_eq(r.captures, 3);
}
END_TEST

START_TEST(test_printed_photo_and_tailgating_and_watchlist)
{
	struct run r;

	start(&r);
	document_ok(&r);
	feed(&r, capture(1, true));
	feed(&r, score(PE_LIVENESS_DONE, 0.04));
	assert_referred(&r, "pad_alarm");
	ck_assert_double_eq(item(&r.p, PI_LIVENESS)->threshold, 0.5);

	start(&r);
	document_ok(&r);
	feed(&r, capture(2, true));
	assert_referred(&r, "more_than_one_person");
	ck_assert_str_eq(item(&r.p, PI_ONE_PERSON)->detail, "2 faces in the frame");

	start(&r);
	document_ok(&r);
	feed(&r, capture(1, true));
	feed(&r, score(PE_LIVENESS_DONE, 0.9));
	feed(&r, score(PE_MATCH_DONE, 0.9));
	feed(&r, score(PE_WATCHLIST_DONE, 0.77));
	assert_referred(&r, "watchlist_hit");
	ck_assert_str_eq(res(&r.p, PI_WATCHLIST), "hit");
}
END_TEST

START_TEST(test_walks_away_and_document_pulled)
{
	struct run r;

	start(&r);
	document_ok(&r);
	feed(&r, capture(1, true));
	ck_assert_eg(feed(&r, ev(PE_TRAVELLER_LEFT)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_IDLE);
	ck_assert_int_eq(r.p.x.outcome, PO_ABANDONED);
	ck_assert_str_eq(r.p.x.rule, "abandoned:traveller_left");
	ck_assert(r.reported);
	ck_assert(r.wiped);
	ck_assert(!r.gate_opened);

	start(&r);
	feed(&r, ev(PE_DOC_PLACED));
	feed(&r, ok(PE_MRZ_READ));
	ck_assert_eg(feed(&r, ev(PE_DOC_REMOVED)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_IDLE);
	ck_assert_str_eq(r.p.x.rule, "abandoned:doc_removed");
	/* a late chip result after the cancel is ignored */
	ck_assert_eg(feed(&r, ok(PE_CHIP_OPENED)), EG_ERR_STATE);
	ck_assert_int_eq(r.p.state, PS_IDLE);
}
END_TEST

START_TEST(test_officer_override_needs_identity_and_reason)
{
	struct run r;
	struct passage_event o;

	start(&r);
	document_ok(&r);
	feed(&r, capture(1, true));
	feed(&r, score(PE_LIVENESS_DONE, 0.9));
	feed(&r, score(PE_MATCH_DONE, 0.3));
	assert_referred(&r, "biometric_mismatch");
	/* no reason: refused, nothing happens */
	o = ev(PE_OFFICER_OPEN);
	o.officer = "officer.kim";
	ck_assert_eg(feed(&r, o), EG_ERR_STATE);
	ck_assert_int_eq(r.p.state, PS_REFERRED);
	ck_assert(!r.gate_opened);
	o.reason = "";
	ck_assert_eg(feed(&r, o), EG_ERR_STATE);
	o.officer = NULL;
	o.reason = "checked passport by hand";
	ck_assert_eg(feed(&r, o), EG_ERR_STATE);
	/* identity and reason: the gate opens and the record says who and why */
	o.officer = "officer.kim";
	ck_assert_eg(feed(&r, o), EG_OK);
	ck_assert_int_eq(r.p.state, PS_GATE_OPENING);
	ck_assert(r.gate_opened);
	ck_assert_int_eq(r.p.x.outcome, PO_OPEN);
	/* the officer's decision is its own rule; the referral's record (already
	 * reported) keeps what the machine said */
	ck_assert_str_eq(r.p.x.rule, "officer_override_open");
	ck_assert_str_eq(res(&r.p, PI_MATCH_1TO1), "fail");
	ck_assert_str_eq(r.p.x.officer, "officer.kim");
	ck_assert_str_eq(r.p.x.officer_reason, "checked passport by hand");
	ck_assert_str_eq(res(&r.p, PI_OFFICER_OVERRIDE), "open");
	ck_assert_int_eq(r.reports, 1);
	through_gate(&r);
	ck_assert_int_eq(r.reports, 2);	/* the officer's decision, after the passage */
	assert_decide_agrees(&r);
}
END_TEST

/* An officer who closes a referral decides it: REJECT, a second record. The
 * simulated officer of a scenario run (no identity) decides nothing. */
START_TEST(test_officer_reject_and_simulated_close)
{
	struct run r;
	struct passage_event o = ev(PE_OFFICER_RELEASE);

	start(&r);
	document_ok(&r);
	feed(&r, capture(1, true));
	feed(&r, score(PE_LIVENESS_DONE, 0.9));
	feed(&r, score(PE_MATCH_DONE, 0.3));
	assert_referred(&r, "biometric_mismatch");
	o.officer = "officer.kim";
	o.reason = "not the holder";
	ck_assert_eg(feed(&r, o), EG_OK);
	ck_assert_int_eq(r.p.state, PS_IDLE);
	ck_assert_int_eq(r.p.x.outcome, PO_REJECT);
	ck_assert_str_eq(r.p.x.rule, "officer_override_reject");
	ck_assert_str_eq(res(&r.p, PI_OFFICER_OVERRIDE), "reject");
	ck_assert_int_eq(r.reports, 2);
	ck_assert(!r.gate_opened);

	start(&r);
	document_ok(&r);
	feed(&r, capture(1, true));
	feed(&r, score(PE_LIVENESS_DONE, 0.9));
	feed(&r, score(PE_MATCH_DONE, 0.3));
	assert_referred(&r, "biometric_mismatch");
	ck_assert_eg(feed(&r, ev(PE_OFFICER_RELEASE)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_IDLE);
	ck_assert_int_eq(r.p.x.outcome, PO_REFER);
	ck_assert_int_eq(r.reports, 1);
}
END_TEST

START_TEST(test_officer_hold_and_release)
{
	struct run r;
	struct passage_event o = ev(PE_OFFICER_HOLD);

	start(&r);
	document_ok(&r);
	o.officer = "officer.lee";
	feed(&r, o);
	ck_assert_int_eq(r.p.state, PS_HOLD);
	ck_assert_str_eq(r.p.x.rule, "officer_hold");
	ck_assert(r.wiped);
	ck_assert_eg(feed(&r, ev(PE_DOC_PLACED)), EG_ERR_STATE);	/* held: nothing starts */
	feed(&r, ev(PE_OFFICER_RELEASE));
	ck_assert_int_eq(r.p.state, PS_IDLE);
	ck_assert(r.reported);
	ck_assert(!r.gate_opened);

	/* manual opening with no traveller is recorded as such */
	start(&r);
	feed(&r, o);
	ck_assert_int_eq(r.p.state, PS_HOLD);
	o = ev(PE_OFFICER_OPEN);
	o.officer = "officer.lee";
	o.reason = "wheelchair user, assisted passage";
	feed(&r, o);
	ck_assert(r.gate_opened);
	ck_assert_str_eq(r.p.x.rule, "officer_manual_open");
	through_gate(&r);
	ck_assert(r.reported);
}
END_TEST

START_TEST(test_cancel_paths_from_every_active_state)
{
	static const enum passage_event_type cancels[] = { PE_TIMEOUT, PE_DEVICE_LOST };

	for (size_t c = 0; c < 2; c++) {
		for (int depth = 1; depth <= 7; depth++) {
			struct run r;
			struct passage_event d;
			start(&r);
			feed(&r, ev(PE_DOC_PLACED));
			if (depth > 1) feed(&r, ok(PE_MRZ_READ));
			if (depth > 2) feed(&r, ok(PE_CHIP_OPENED));
			if (depth > 3) feed(&r, checks_all_pass());
			if (depth > 4) feed(&r, capture(1, true));
			if (depth > 5) feed(&r, score(PE_LIVENESS_DONE, 0.9));
			if (depth > 6) feed(&r, score(PE_MATCH_DONE, 0.9));
			ck_assert(passage_is_active(r.p.state));
			d = ev(cancels[c]);
			d.detail = "camera unplugged";
			ck_assert_eg(feed(&r, d), EG_OK);
			if (cancels[c] == PE_TIMEOUT) {
				assert_referred(&r, "timeout");
				continue;
			}
			/* a lost device: the passage ends as device_lost, reported
			 * at once, and the kiosk is out of service */
			ck_assert_int_eq(r.p.state, PS_OUT_OF_SERVICE);
			ck_assert_str_eq(r.p.x.rule, "device_lost");
			ck_assert(!r.gate_opened && r.wiped && r.reports == 1);
			assert_decide_agrees(&r);
			ck_assert_eg(feed(&r, ev(PE_DOC_PLACED)), EG_ERR_STATE);
			ck_assert_eg(feed(&r, ev(PE_DEVICE_BACK)), EG_OK);
			ck_assert_int_eq(r.p.state, PS_IDLE);
		}
	}
}
END_TEST

START_TEST(test_host_unreachable)
{
	struct run r;

	start(&r);
	ck_assert_eg(feed(&r, ev(PE_HOST_DOWN)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_OUT_OF_SERVICE);
	ck_assert_eg(feed(&r, ev(PE_DOC_PLACED)), EG_ERR_STATE);
	ck_assert_eg(feed(&r, ev(PE_HOST_UP)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_IDLE);
	/* a passage under way when the host goes away finishes (events spool) */
	document_ok(&r);
	ck_assert_eg(feed(&r, ev(PE_HOST_DOWN)), EG_ERR_STATE);
	ck_assert_int_eq(r.p.state, PS_FACE_CAPTURE);
}
END_TEST

/* Sweep: from every reachable state, every event with every data variant;
 * the gate opens only from WATCHLIST with a clear result, or from REFERRED/
 * HOLD on an officer's command with identity and reason. */
START_TEST(test_gate_opens_only_when_it_should)
{
	for (int s = 0; s < PS_COUNT; s++) {
		for (int e = 0; e < PE_COUNT; e++) {
			for (int variant = 0; variant < 4; variant++) {
				struct run r;
				struct passage_event x = ev((enum passage_event_type)e);
				start(&r);
				r.p.state = (enum passage_state)s;
				x.ok = variant & 1;
				x.score = variant & 2 ? 0.99 : 0.01;
				x.faces = variant;
				x.quality_ok = variant & 1;
				if (variant == 3) {
					x.officer = "o";
					x.reason = "r";
				}
				for (int c = 0; c < PDC_COUNT; c++)
					x.checks[c] = variant & 1 ? PCR_PASS : PCR_FAIL;
				feed(&r, x);
				if (!r.gate_opened)
					continue;
				bool allowed = (s == PS_WATCHLIST && e == PE_WATCHLIST_DONE && x.score < 0.5) ||
				    ((s == PS_REFERRED || s == PS_HOLD) && e == PE_OFFICER_OPEN && variant == 3);
				ck_assert_msg(allowed, "gate opened from %s on %s (variant %d)",
				    passage_state_str((enum passage_state)s),
				    passage_event_str((enum passage_event_type)e), variant);
			}
		}
	}
}
END_TEST

START_TEST(test_table_is_well_formed)
{
	for (size_t i = 0; i < passage_table_len; i++) {
		const struct passage_transition *t = &passage_table[i];
		ck_assert(t->from <= PS_ANY_ACTIVE);
		ck_assert(t->to < PS_COUNT);
		ck_assert(t->event < PE_COUNT);
		ck_assert_ptr_nonnull(t->action);
		/* no row is dead: an unguarded row is never followed by a row for
		 * the same (state, event) */
		if (t->guard == NULL)
			for (size_t j = i + 1; j < passage_table_len; j++)
				ck_assert_msg(!(passage_table[j].from == t->from &&
				    passage_table[j].event == t->event), "row %zu is unreachable", j);
	}
	/* every state can be left */
	for (int s = 0; s < PS_COUNT; s++) {
		bool leaves = false;
		for (size_t i = 0; i < passage_table_len; i++)
			if (passage_table[i].from == (enum passage_state)s ||
			    (passage_table[i].from == PS_ANY_ACTIVE && passage_is_active((enum passage_state)s)))
				leaves = true;
		ck_assert_msg(leaves, "state %s has no way out", passage_state_str((enum passage_state)s));
	}
}
END_TEST


/* Up to the gate, everything clear. */
static void
to_gate(struct run *r)
{
	start(r);
	document_ok(r);
	feed(r, capture(1, true));
	feed(r, score(PE_LIVENESS_DONE, 0.9));
	feed(r, score(PE_MATCH_DONE, 0.9));
	feed(r, score(PE_WATCHLIST_DONE, 0.1));
	ck_assert_int_eq(r->p.state, PS_GATE_OPENING);
	ck_assert(r->gate_opened);
}

/* The door is part of the passage: opened -> traveller through -> closed,
 * and a door that does not confirm is a faulty gate (out of service, the
 * record says which step failed), never a gate claimed open. */
START_TEST(test_door_states)
{
	struct run r;

	/* the door never confirms it opened */
	to_gate(&r);
	ck_assert_eg(feed(&r, ev(PE_TIMEOUT)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_OUT_OF_SERVICE);
	ck_assert_str_eq(res(&r.p, PI_DOOR_OPENED), "fail");
	ck_assert_int_eq(r.reports, 1);
	ck_assert_int_eq(r.p.x.outcome, PO_OPEN);	/* the decision stands */
	assert_decide_agrees(&r);
	ck_assert_eg(feed(&r, ev(PE_DEVICE_BACK)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_IDLE);

	/* nobody goes through: the gate closes after the state's timeout */
	to_gate(&r);
	feed(&r, ev(PE_DOOR_OPENED));
	ck_assert_eg(feed(&r, ev(PE_TIMEOUT)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_GATE_CLOSING);
	ck_assert_str_eq(res(&r.p, PI_PASSAGE_CONFIRMED), "fail");
	ck_assert_str_eq(item(&r.p, PI_PASSAGE_CONFIRMED)->detail, "TIMEOUT");
	ck_assert_int_eq(r.reports, 0);
	feed(&r, ev(PE_DOOR_CLOSED));
	ck_assert_int_eq(r.p.state, PS_IDLE);
	ck_assert_int_eq(r.reports, 1);

	/* the door shuts before anyone passed */
	to_gate(&r);
	feed(&r, ev(PE_DOOR_OPENED));
	ck_assert_eg(feed(&r, ev(PE_DOOR_CLOSED)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_IDLE);
	ck_assert_str_eq(res(&r.p, PI_PASSAGE_CONFIRMED), "fail");
	ck_assert_str_eq(res(&r.p, PI_DOOR_CLOSED), "pass");
	ck_assert_int_eq(r.reports, 1);

	/* the door does not confirm it closed: out of service */
	to_gate(&r);
	feed(&r, ev(PE_DOOR_OPENED));
	feed(&r, ev(PE_PASSED));
	ck_assert_eg(feed(&r, ev(PE_TIMEOUT)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_OUT_OF_SERVICE);
	ck_assert_str_eq(res(&r.p, PI_DOOR_CLOSED), "fail");
	ck_assert_int_eq(r.reports, 1);

	/* the gate itself goes away while open */
	to_gate(&r);
	feed(&r, ev(PE_DOOR_OPENED));
	struct passage_event d = ev(PE_DEVICE_LOST);
	d.detail = "gate";
	ck_assert_eg(feed(&r, d), EG_OK);
	ck_assert_int_eq(r.p.state, PS_OUT_OF_SERVICE);
	ck_assert_str_eq(item(&r.p, PI_DEVICE_LOST)->detail, "gate");
	ck_assert_int_eq(r.reports, 1);

	/* an officer's hold while the gate opens: reported, with the hold */
	to_gate(&r);
	struct passage_event h = ev(PE_OFFICER_HOLD);
	h.officer = "officer.lee";
	ck_assert_eg(feed(&r, h), EG_OK);
	ck_assert_int_eq(r.p.state, PS_HOLD);
	ck_assert_int_eq(r.reports, 1);
	ck_assert_str_eq(res(&r.p, PI_OFFICER_HOLD), "fail");
	assert_decide_agrees(&r);
}
END_TEST

/* A device lost with no traveller: out of service until it is back. */
START_TEST(test_device_lost_when_idle)
{
	struct run r;

	start(&r);
	ck_assert_eg(feed(&r, ev(PE_DEVICE_LOST)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_OUT_OF_SERVICE);
	ck_assert_int_eq(r.reports, 0);
	ck_assert_eg(feed(&r, ev(PE_DOC_PLACED)), EG_ERR_STATE);
	ck_assert_eg(feed(&r, ev(PE_DEVICE_BACK)), EG_OK);
	ck_assert_int_eq(r.p.state, PS_IDLE);
}
END_TEST

/* Issuer and age rules are guards of the table, from the holder and the
 * policy (the specimen holder's issuing state is UTO). */
START_TEST(test_issuer_and_age_guards)
{
	static const struct {
		const char *issuers;
		int min_age, age;
		const char *rule;	/* NULL: accepted */
	} cases[] = {
		{ "D, FRA", 0, 40, "failed:issuer_accepted" },
		{ "D,UTO:ID", 0, 40, "failed:issuer_accepted" },
		{ "D, UTO:P", 60, 52, "failed:min_age" },
		{ "D, UTO:P", 18, 52, NULL },
		{ "UTO", 18, -1, "failed:min_age" },	/* unknown birth date */
		{ "", 0, -1, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;
		struct passage_event c = checks_all_pass();

		start(&r);
		snprintf(r.pol.accepted_issuers, sizeof(r.pol.accepted_issuers), "%s",
		    cases[i].issuers);
		r.pol.min_age = cases[i].min_age;
		c.holder.age = cases[i].age;
		/* what the device put there for these two is ignored */
		c.checks[PDC_ISSUER_ACCEPTED] = PCR_FAIL;
		c.checks[PDC_MIN_AGE] = PCR_FAIL;
		feed(&r, ev(PE_DOC_PLACED));
		feed(&r, ok(PE_MRZ_READ));
		feed(&r, ok(PE_CHIP_OPENED));
		feed(&r, c);
		if (cases[i].rule == NULL) {
			ck_assert_msg(r.p.state == PS_FACE_CAPTURE, "case %zu", i);
			ck_assert_str_eq(res(&r.p, PI_MIN_AGE), "pass");
		} else {
			assert_referred(&r, cases[i].rule);
		}
	}
}
END_TEST

/* The decision of a stored explanation under another policy: what that
 * policy would have decided (decide.h's contract). */
START_TEST(test_decide_replay_other_policy)
{
	struct run r;
	struct passage_decision d;
	struct passage_policy strict;

	to_gate(&r);
	through_gate(&r);
	ck_assert_str_eq(r.p.x.rule, "all_checks_passed");
	strict = r.pol;
	strict.match_threshold = 0.95;	/* the score was 0.9 */
	ck_assert_eg(passage_decide(&r.p.x, &strict, &d), EG_OK);
	ck_assert_int_eq(d.outcome, PO_REFER);
	ck_assert_str_eq(d.rule, "biometric_mismatch");
	ck_assert_int_eq(d.by, PI_MATCH_1TO1);
	strict = r.pol;
	snprintf(strict.accepted_issuers, sizeof(strict.accepted_issuers), "D");
	ck_assert_eg(passage_decide(&r.p.x, &strict, &d), EG_OK);
	ck_assert_str_eq(d.rule, "failed:issuer_accepted");
	strict = r.pol;
	strict.watchlist_threshold = 0.05;	/* the best watchlist score was 0.1 */
	ck_assert_eg(passage_decide(&r.p.x, &strict, &d), EG_OK);
	ck_assert_str_eq(d.rule, "watchlist_hit");
	/* a chip without AA/CA: the policy decides whether that is missing */
	start(&r);
	r.pol.no_chip_auth = PASSAGE_ABSENT_ACCEPT;
	struct passage_event c = checks_all_pass();
	c.checks[PDC_CHIP_AUTH] = PCR_ABSENT;
	feed(&r, ev(PE_DOC_PLACED));
	feed(&r, ok(PE_MRZ_READ));
	feed(&r, ok(PE_CHIP_OPENED));
	feed(&r, c);
	feed(&r, capture(1, true));
	feed(&r, score(PE_LIVENESS_DONE, 0.9));
	feed(&r, score(PE_MATCH_DONE, 0.9));
	feed(&r, score(PE_WATCHLIST_DONE, 0.1));
	assert_decide_agrees(&r);
	strict = r.pol;
	strict.no_chip_auth = PASSAGE_ABSENT_REFER;
	ck_assert_eg(passage_decide(&r.p.x, &strict, &d), EG_OK);
	ck_assert_str_eq(d.rule, "missing:chip_auth");
	/* nothing decisive */
	start(&r);
	feed(&r, ev(PE_DOC_PLACED));
	feed(&r, ok(PE_MRZ_READ));
	ck_assert_eg(passage_decide(&r.p.x, &r.pol, &d), EG_OK);
	ck_assert_int_eq(d.outcome, PO_NONE);
	ck_assert_int_eq(d.by, PI_COUNT);
	ck_assert_eg(passage_decide(NULL, &r.pol, &d), EG_ERR_INVAL);
}
END_TEST

/* Record names back to items, for a replay from the audit payload. */
START_TEST(test_item_names)
{
	enum passage_item id;
	char sub[PASSAGE_ITEM_SUB_MAX], name[48];
	struct passage_explain_item it;

	for (int i = 0; i < PI_COUNT; i++) {
		if (i == PI_PAD_CUE)
			continue;
		ck_assert_eg(passage_item_parse(passage_item_str((enum passage_item)i), &id, sub),
		    EG_OK);
		ck_assert_int_eq(id, i);
		ck_assert_eg(passage_item_parse(passage_item_score_str((enum passage_item)i), &id,
		    NULL), EG_OK);
		ck_assert_int_eq(id, i);
	}
	ck_assert_eg(passage_item_parse("face_similarity", &id, NULL), EG_OK);
	ck_assert_int_eq(id, PI_MATCH_1TO1);
	ck_assert_eg(passage_item_parse("pad_liveness", &id, NULL), EG_OK);
	ck_assert_int_eq(id, PI_LIVENESS);
	ck_assert_eg(passage_item_parse("pad_spectrum", &id, sub), EG_OK);
	ck_assert_int_eq(id, PI_PAD_CUE);
	ck_assert_str_eq(sub, "spectrum");
	memset(&it, 0, sizeof(it));
	it.id = PI_PAD_CUE;
	snprintf(it.sub, sizeof(it.sub), "blink");
	ck_assert_str_eq(passage_item_name(&it, name, sizeof(name)), "pad_blink");
	ck_assert_eg(passage_item_parse("colour", &id, sub), EG_ERR_NOT_FOUND);
	/* results as the record writes them */
	ck_assert_int_eq(passage_result_parse("pass", NULL), PCR_PASS);
	ck_assert_int_eq(passage_result_parse("fail", "x"), PCR_FAIL);
	ck_assert_int_eq(passage_result_parse("skipped", "absent"), PCR_ABSENT);
	ck_assert_int_eq(passage_result_parse("skipped", "not checked"), PCR_NOT_CHECKED);
	ck_assert_int_eq(passage_result_parse("error", NULL), PCR_NOT_CHECKED);
	ck_assert_eg(passage_item_parse("pad_", &id, sub), EG_ERR_NOT_FOUND);
	/* the policy's check names are the machine's */
	for (int c = 0; c < PDC_COUNT; c++) {
		char lower[32];
		const char *n = passage_doc_check_str((enum passage_doc_check)c);
		size_t k;

		for (k = 0; n[k] != '\0' && k + 1 < sizeof(lower); k++)
			lower[k] = (char)(n[k] >= 'A' && n[k] <= 'Z' ? n[k] - 'A' + 'a' : n[k]);
		lower[k] = '\0';
		ck_assert_str_eq(passage_item_str((enum passage_item)c), lower);
	}
}
END_TEST

/* PAD cues ride along with the liveness score: evidence in the record,
 * never a decision of their own. */
START_TEST(test_pad_cues_recorded)
{
	struct run r;
	struct passage_explain_item cues[2];
	struct passage_event l = score(PE_LIVENESS_DONE, 0.2);

	memset(cues, 0, sizeof(cues));
	snprintf(cues[0].sub, sizeof(cues[0].sub), "spectrum");
	cues[0].result = PCR_FAIL;
	cues[0].has_value = true;
	cues[0].value = 0.2;
	cues[0].threshold = 0.5;
	snprintf(cues[1].sub, sizeof(cues[1].sub), "blink");
	cues[1].result = PCR_NOT_CHECKED;
	snprintf(cues[1].detail, sizeof(cues[1].detail), "one frame");
	l.pad_items = cues;
	l.n_pad_items = 2;
	start(&r);
	document_ok(&r);
	feed(&r, capture(1, true));
	feed(&r, l);
	assert_referred(&r, "pad_alarm");
	ck_assert_ptr_nonnull(passage_explanation_find(&r.p.x, PI_PAD_CUE, "spectrum"));
	ck_assert_str_eq(passage_explanation_find(&r.p.x, PI_PAD_CUE, "blink")->detail,
	    "one frame");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("passage");
	TCase *tc = tcase_create("scenarios");

	tcase_add_test(tc, test_genuine_traveller);
	tcase_add_test(tc, test_impostor);
	tcase_add_test(tc, test_document_failures);
	tcase_add_test(tc, test_failed_check_named_before_missing_ones);
	tcase_add_test(tc, test_chip_without_aa_ca);
	tcase_add_test(tc, test_unreadable_chip_and_bad_mrz);
	tcase_add_test(tc, test_eyes_closed_then_open);
	tcase_add_test(tc, test_quality_never_good);
	tcase_add_test(tc, test_printed_photo_and_tailgating_and_watchlist);
	tcase_add_test(tc, test_walks_away_and_document_pulled);
	tcase_add_test(tc, test_officer_override_needs_identity_and_reason);
	tcase_add_test(tc, test_officer_reject_and_simulated_close);
	tcase_add_test(tc, test_officer_hold_and_release);
	tcase_add_test(tc, test_cancel_paths_from_every_active_state);
	tcase_add_test(tc, test_host_unreachable);
	tcase_add_test(tc, test_gate_opens_only_when_it_should);
	tcase_add_test(tc, test_table_is_well_formed);
	tcase_add_test(tc, test_door_states);
	tcase_add_test(tc, test_device_lost_when_idle);
	tcase_add_test(tc, test_issuer_and_age_guards);
	tcase_add_test(tc, test_decide_replay_other_policy);
	tcase_add_test(tc, test_item_names);
	tcase_add_test(tc, test_pad_cues_recorded);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
