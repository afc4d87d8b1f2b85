/* SPDX-License-Identifier: Apache-2.0 */
/*
 * passage_table.c — THE passage state machine: guards, actions and the
 * transition table. The first row that matches (state, event) and whose
 * guard holds fires; a row with no guard after guarded rows is their "else".
 * docs/passage.md's diagram is generated from this table. The guards that
 * decide call the predicates of decide.h, the same ones passage_decide()
 * uses on a stored explanation.
 */
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "passage.h"

_Static_assert((int)PI_MIN_AGE == (int)PDC_MIN_AGE && (int)PI_MRZ_VALID == (int)PDC_MRZ_VALID,
    "the document checks are the first explanation items, in the same order");

/* ---- helpers ---------------------------------------------------------- */

static void
fx_add(struct passage_effects *fx, enum passage_effect e)
{
	if (fx->n < PASSAGE_MAX_EFFECTS)
		fx->e[fx->n++] = e;
}

static struct passage_explain_item *
explain(struct passage *p, enum passage_item id, enum passage_check_result result,
    const char *detail)
{
	struct passage_explain_item *it;

	if (p->x.n == PASSAGE_MAX_EXPLAIN)
		return NULL;
	it = &p->x.items[p->x.n++];
	memset(it, 0, sizeof(*it));
	it->id = id;
	it->result = result;
	if (detail != NULL)
		snprintf(it->detail, sizeof(it->detail), "%s", detail);
	return it;
}

static void
explain_score(struct passage *p, enum passage_item id, double v)
{
	double thr = 0;
	bool pass = passage_score_passes(p->policy, id, v, &thr);
	struct passage_explain_item *it = explain(p, id, pass ? PCR_PASS : PCR_FAIL, NULL);

	if (it != NULL) {
		it->value = v;
		it->threshold = thr;
		it->has_value = true;
	}
}

static void
decide(struct passage *p, enum passage_outcome o, const char *rule)
{
	p->x.outcome = o;
	snprintf(p->x.rule, sizeof(p->x.rule), "%s", rule);
}

/* The document checks as the policy sees them: the device's results with
 * ISSUER_ACCEPTED and MIN_AGE computed from the holder (decide.h). */
static void
doc_checks(const struct passage *p, const struct passage_event *ev,
    enum passage_check_result c[PDC_COUNT])
{
	memcpy(c, ev->checks, sizeof(ev->checks));
	passage_holder_checks(p->policy, &ev->holder, c);
}

/* ---- guards ------------------------------------------------------------ */

static bool
g_ok(const struct passage *p, const struct passage_event *ev)
{
	(void)p;
	return ev->ok;
}

static bool
g_checks_acceptable(const struct passage *p, const struct passage_event *ev)
{
	enum passage_check_result c[PDC_COUNT];

	doc_checks(p, ev, c);
	return passage_doc_verdict(p->policy, c, NULL, 0);
}

static bool
g_several_faces(const struct passage *p, const struct passage_event *ev)
{
	(void)p;
	return ev->faces >= 2;
}

static bool
g_quality_ok(const struct passage *p, const struct passage_event *ev)
{
	(void)p;
	return ev->faces == 1 && ev->quality_ok;
}

static bool
g_attempts_left(const struct passage *p, const struct passage_event *ev)
{
	(void)ev;
	return p->capture_attempts < p->policy->max_capture_attempts;
}

static bool
g_live(const struct passage *p, const struct passage_event *ev)
{
	return passage_score_passes(p->policy, PI_LIVENESS, ev->score, NULL);
}

static bool
g_match(const struct passage *p, const struct passage_event *ev)
{
	return passage_score_passes(p->policy, PI_MATCH_1TO1, ev->score, NULL);
}

static bool
g_watchlist_clear(const struct passage *p, const struct passage_event *ev)
{
	return passage_score_passes(p->policy, PI_WATCHLIST, ev->score, NULL);
}

static bool
g_has_reason(const struct passage *p, const struct passage_event *ev)
{
	(void)p;
	return ev->officer != NULL && *ev->officer != '\0' &&
	    ev->reason != NULL && *ev->reason != '\0';
}

/* ---- actions ----------------------------------------------------------- */

static void
a_start(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)ev;
	memset(&p->x, 0, sizeof(p->x));
	snprintf(p->x.config_version, sizeof(p->x.config_version), "%s", p->policy->version);
	snprintf(p->x.model_version, sizeof(p->x.model_version), "%s",
	    p->model_version != NULL ? p->model_version : "");
	p->capture_attempts = 0;
	fx_add(fx, PX_READ_MRZ);
}

static void
a_open_chip(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)ev;
	explain(p, PI_MRZ_VALID, PCR_PASS, NULL);
	fx_add(fx, PX_OPEN_CHIP);
}

static void
a_run_checks(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain(p, PI_CHIP_ACCESS, PCR_PASS, ev->detail);	/* PACE / BAC */
	fx_add(fx, PX_RUN_CHECKS);
}

/* The seven checks after MRZ_VALID and CHIP_ACCESS (which are explained when
 * they happen), MIN_AGE last. ISSUER_ACCEPTED's detail is "STATE:TYPE":
 * passage_decide() evaluates it again from there. */
static void
record_checks(struct passage *p, const struct passage_event *ev)
{
	enum passage_check_result c[PDC_COUNT];

	doc_checks(p, ev, c);
	for (int i = PDC_PASSIVE_AUTH; i < PDC_COUNT; i++) {
		/* the record writes both ABSENT and NOT_CHECKED as "skipped": the
		 * detail keeps them apart for a replay (passage_result_parse) */
		struct passage_explain_item *it = explain(p, (enum passage_item)i, c[i],
		    c[i] == PCR_ABSENT ? "absent" : c[i] == PCR_NOT_CHECKED ? "not checked" : NULL);

		if (it != NULL && i == PDC_ISSUER_ACCEPTED && ev->holder.known)
			snprintf(it->detail, sizeof(it->detail), "%.3s%s%.2s", ev->holder.issuing_state,
			    ev->holder.document_type[0] ? ":" : "", ev->holder.document_type);
	}
}

static void
a_capture(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	record_checks(p, ev);
	p->capture_attempts = 1;
	fx_add(fx, PX_PROMPT_LOOK);
	fx_add(fx, PX_CAPTURE_FACE);
}

static void
a_retake(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)ev;
	p->capture_attempts++;
	fx_add(fx, PX_PROMPT_RETAKE);
	fx_add(fx, PX_CAPTURE_FACE);
}

static void
a_liveness(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	char d[64];

	(void)ev;
	snprintf(d, sizeof(d), "attempt %d of %d", p->capture_attempts,
	    p->policy->max_capture_attempts);
	explain(p, PI_FACE_QUALITY, PCR_PASS, d);
	fx_add(fx, PX_RUN_LIVENESS);
}

/* The PAD cues behind the liveness score: evidence, after the score. */
static void
record_pad_cues(struct passage *p, const struct passage_event *ev)
{
	for (size_t i = 0; i < ev->n_pad_items && ev->pad_items != NULL; i++) {
		struct passage_explain_item *it;

		if (p->x.n == PASSAGE_MAX_EXPLAIN)
			return;
		it = &p->x.items[p->x.n++];
		*it = ev->pad_items[i];
		it->id = PI_PAD_CUE;
	}
}

static void
a_match(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, PI_LIVENESS, ev->score);
	record_pad_cues(p, ev);
	fx_add(fx, PX_RUN_MATCH);
}

static void
a_watchlist(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, PI_MATCH_1TO1, ev->score);
	fx_add(fx, PX_RUN_WATCHLIST);
}

static void
a_open(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, PI_WATCHLIST, ev->score);
	decide(p, PO_OPEN, "all_checks_passed");
	fx_add(fx, PX_WIPE);
	fx_add(fx, PX_GATE_OPEN);
}

/* A referral: the automated decision is reported at once (the officer's
 * queue shows it with its explanation and seq); the traveller sees "see an
 * officer". An officer's later decision on it is a second record. */
static void
refer(struct passage *p, struct passage_effects *fx, const char *rule)
{
	decide(p, PO_REFER, rule);
	fx_add(fx, PX_WIPE);
	fx_add(fx, PX_GATE_CLOSE);
	fx_add(fx, PX_PROMPT_SEE_OFFICER);
	fx_add(fx, PX_REPORT);
	fx_add(fx, PX_NOTIFY_OFFICER);
}

static void
a_refer_mrz(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain(p, PI_MRZ_VALID, PCR_FAIL, ev->detail);
	refer(p, fx, "mrz_invalid");
}

static void
a_refer_chip(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain(p, PI_CHIP_ACCESS, PCR_FAIL, ev->detail);
	refer(p, fx, "chip_unreadable");
}

static void
a_refer_document(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	enum passage_check_result c[PDC_COUNT];
	char rule[48] = "document_check_failed";

	record_checks(p, ev);
	doc_checks(p, ev, c);
	(void)passage_doc_verdict(p->policy, c, rule, sizeof(rule));
	refer(p, fx, rule);
}

static void
a_refer_tailgating(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	char d[64];

	snprintf(d, sizeof(d), "%d faces in the frame", ev->faces);
	explain(p, PI_ONE_PERSON, PCR_FAIL, d);
	refer(p, fx, "more_than_one_person");
	fx_add(fx, PX_PROMPT_ONE_PERSON);
}

static void
a_refer_quality(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	char d[64];

	(void)ev;
	snprintf(d, sizeof(d), "%d attempts", p->capture_attempts);
	explain(p, PI_FACE_QUALITY, PCR_FAIL, d);
	refer(p, fx, "face_capture_failed");
}

static void
a_refer_pad(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, PI_LIVENESS, ev->score);
	record_pad_cues(p, ev);
	refer(p, fx, "pad_alarm");
}

static void
a_refer_mismatch(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, PI_MATCH_1TO1, ev->score);
	refer(p, fx, "biometric_mismatch");
}

static void
a_refer_watchlist(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, PI_WATCHLIST, ev->score);
	refer(p, fx, "watchlist_hit");
}

static void
a_refer_timeout(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain(p, PI_TIMEOUT, PCR_FAIL, ev->detail);
	refer(p, fx, "timeout");
}

/* A device lost (or failing) during a passage: the passage ends as a
 * referral with rule device_lost, reported at once, and the kiosk goes out
 * of service until the device is back (DEVICE_BACK). */
static void
a_device_lost(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain(p, PI_DEVICE_LOST, PCR_FAIL, ev->detail);
	refer(p, fx, "device_lost");
	fx_add(fx, PX_PROMPT_CLOSED);
	p->passages++;
}

/* The traveller gave up before a decision: nothing to refer, but the
 * attempt is still reported. */
static void
a_abandon(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	enum passage_item id = ev->type == PE_DOC_REMOVED ? PI_DOC_REMOVED : PI_TRAVELLER_LEFT;
	char rule[48];

	explain(p, id, PCR_FAIL, ev->detail);
	snprintf(rule, sizeof(rule), "abandoned:%s", passage_item_str(id));
	decide(p, PO_ABANDONED, rule);
	fx_add(fx, PX_WIPE);
	fx_add(fx, PX_REPORT);
	fx_add(fx, PX_PROMPT_PLACE_DOC);
	p->passages++;
}

/* ---- the gate: opened -> traveller through -> closed ------------------------- */

static void
a_door_opened(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)ev;
	explain(p, PI_DOOR_OPENED, PCR_PASS, NULL);
	fx_add(fx, PX_PROMPT_PROCEED);
}

/* The door did not confirm it opened (or the gate failed): never claim it
 * open; shut it, report, and go out of service (the gate is faulty). */
static void
a_gate_fault(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	const char *d = ev->detail != NULL ? ev->detail : passage_event_str(ev->type);
	enum passage_item id = p->state == PS_GATE_OPENING ? PI_DOOR_OPENED :
	    p->state == PS_GATE_CLOSING ? PI_DOOR_CLOSED : PI_PASSAGE_CONFIRMED;

	explain(p, id, PCR_FAIL, d);
	if (ev->type == PE_DEVICE_LOST)
		explain(p, PI_DEVICE_LOST, PCR_FAIL, ev->detail);
	fx_add(fx, PX_GATE_CLOSE);
	fx_add(fx, PX_REPORT);
	fx_add(fx, PX_NOTIFY_OFFICER);
	fx_add(fx, PX_PROMPT_CLOSED);
	p->passages++;
}

static void
a_passed(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)ev;
	explain(p, PI_PASSAGE_CONFIRMED, PCR_PASS, NULL);
	fx_add(fx, PX_GATE_CLOSE);
}

/* Nobody went through in time (or the door shut first): close. */
static void
a_not_passed(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain(p, PI_PASSAGE_CONFIRMED, PCR_FAIL, passage_event_str(ev->type));
	fx_add(fx, PX_GATE_CLOSE);
}

/* The door shut before the traveller went through: nothing more to wait for. */
static void
a_closed_unpassed(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain(p, PI_PASSAGE_CONFIRMED, PCR_FAIL, passage_event_str(ev->type));
	explain(p, PI_DOOR_CLOSED, PCR_PASS, NULL);
	fx_add(fx, PX_GATE_CLOSE);
	fx_add(fx, PX_REPORT);
	fx_add(fx, PX_PROMPT_PLACE_DOC);
	p->passages++;
}

static void
a_door_closed(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)ev;
	explain(p, PI_DOOR_CLOSED, PCR_PASS, NULL);
	fx_add(fx, PX_REPORT);
	fx_add(fx, PX_PROMPT_PLACE_DOC);
	p->passages++;
}

/* ---- officers --------------------------------------------------------------- */

/* An officer opens the gate for a referred traveller: an override, with
 * the officer's identity (from the certificate) and reason. */
static void
a_override_open(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	snprintf(p->x.officer, sizeof(p->x.officer), "%s", ev->officer);
	snprintf(p->x.officer_reason, sizeof(p->x.officer_reason), "%s", ev->reason);
	explain(p, PI_OFFICER_OVERRIDE, PCR_PASS, "let through by the officer");
	if (p->x.outcome == PO_NONE)	/* no passage: the officer opened the gate by hand */
		decide(p, PO_OPEN, "officer_manual_open");
	else	/* the referral's own record keeps the rule that referred */
		decide(p, PO_OPEN, "officer_override_open");
	fx_add(fx, PX_GATE_OPEN);
}

/* An officer closes a referral or ends a hold. The referral (or the hold
 * that ended a passage) is on record already; an officer who closes a
 * referral decides it: a second record, REJECT, with the officer's
 * identity. Without an identity (the simulated officer of a scenario run,
 * or the kiosk's own officer timeout) nothing is decided and nothing more
 * is reported. */
static void
a_officer_close(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	bool decided = ev->officer != NULL && p->state == PS_REFERRED;

	if (ev->officer != NULL) {
		snprintf(p->x.officer, sizeof(p->x.officer), "%s", ev->officer);
		if (ev->reason != NULL)
			snprintf(p->x.officer_reason, sizeof(p->x.officer_reason), "%s", ev->reason);
	}
	if (decided) {
		explain(p, PI_OFFICER_OVERRIDE, PCR_FAIL, "refused by the officer");
		decide(p, PO_REJECT, "officer_override_reject");
	}
	fx_add(fx, PX_GATE_CLOSE);
	if (decided)
		fx_add(fx, PX_REPORT);
	fx_add(fx, PX_PROMPT_PLACE_DOC);
	if (p->x.outcome != PO_NONE)
		p->passages++;
}

static void
a_hold(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	bool reported = false, was_idle = p->state == PS_IDLE;

	if (was_idle) {	/* no traveller: a fresh record */
		memset(&p->x, 0, sizeof(p->x));
		snprintf(p->x.config_version, sizeof(p->x.config_version), "%s", p->policy->version);
	} else if (p->x.outcome == PO_NONE) {
		/* a traveller in the middle of a passage: it ends as a referral,
		 * reported at once like every referral */
		explain(p, PI_OFFICER_HOLD, PCR_FAIL, NULL);
		decide(p, PO_REFER, "officer_hold");
		reported = true;
	} else if (p->state == PS_GATE_OPENING || p->state == PS_GATE_OPEN) {
		/* the gate was opening for a decided passage: the decision stands,
		 * the record says the officer stopped it at the gate */
		explain(p, PI_OFFICER_HOLD, PCR_FAIL, "held at the gate");
		reported = true;
	}
	if (ev->officer != NULL)
		snprintf(p->x.officer, sizeof(p->x.officer), "%s", ev->officer);
	fx_add(fx, PX_WIPE);
	fx_add(fx, PX_GATE_CLOSE);
	fx_add(fx, was_idle ? PX_PROMPT_CLOSED : PX_PROMPT_SEE_OFFICER);
	if (reported)
		fx_add(fx, PX_REPORT);
}

/* ---- service ------------------------------------------------------------------ */

static void
a_out_of_service(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)p;
	(void)ev;
	fx_add(fx, PX_GATE_CLOSE);
	fx_add(fx, PX_PROMPT_CLOSED);
}

static void
a_back_in_service(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)p;
	(void)ev;
	fx_add(fx, PX_PROMPT_PLACE_DOC);
}

/* ---- the table ----------------------------------------------------------- */

/* T: a guarded row; E: the row that fires otherwise (or always). ANY as the
 * source state means every active state (passage_is_active). */
#define T(from, ev, guard, action, to) \
	{ PS_##from, PE_##ev, guard, #guard, action, #action, PS_##to }
#define E(from, ev, action, to) \
	{ PS_##from, PE_##ev, NULL, NULL, action, #action, PS_##to }
#define PS_ANY PS_ANY_ACTIVE

const struct passage_transition passage_table[] = {
	E(IDLE,         DOC_PLACED,      a_start,            READING_MRZ),
	E(IDLE,         HOST_DOWN,       a_out_of_service,   OUT_OF_SERVICE),
	E(IDLE,         DEVICE_LOST,     a_out_of_service,   OUT_OF_SERVICE),
	E(IDLE,         OFFICER_HOLD,    a_hold,             HOLD),
	E(OUT_OF_SERVICE, HOST_UP,       a_back_in_service,  IDLE),
	E(OUT_OF_SERVICE, DEVICE_BACK,   a_back_in_service,  IDLE),

	T(READING_MRZ,  MRZ_READ,        g_ok,               a_open_chip,        CHIP_ACCESS),
	E(READING_MRZ,  MRZ_READ,        a_refer_mrz,        REFERRED),
	E(READING_MRZ,  DOC_REMOVED,     a_abandon,          IDLE),

	T(CHIP_ACCESS,  CHIP_OPENED,     g_ok,               a_run_checks,       DOC_CHECKS),
	E(CHIP_ACCESS,  CHIP_OPENED,     a_refer_chip,       REFERRED),
	E(CHIP_ACCESS,  DOC_REMOVED,     a_abandon,          IDLE),

	T(DOC_CHECKS,   CHECKS_DONE,     g_checks_acceptable, a_capture,         FACE_CAPTURE),
	E(DOC_CHECKS,   CHECKS_DONE,     a_refer_document,   REFERRED),
	E(DOC_CHECKS,   DOC_REMOVED,     a_abandon,          IDLE),

	T(FACE_CAPTURE, FACE_CAPTURED,   g_several_faces,    a_refer_tailgating, REFERRED),
	T(FACE_CAPTURE, FACE_CAPTURED,   g_quality_ok,       a_liveness,         LIVENESS),
	T(FACE_CAPTURE, FACE_CAPTURED,   g_attempts_left,    a_retake,           FACE_CAPTURE),
	E(FACE_CAPTURE, FACE_CAPTURED,   a_refer_quality,    REFERRED),
	E(FACE_CAPTURE, TRAVELLER_LEFT,  a_abandon,          IDLE),

	T(LIVENESS,     LIVENESS_DONE,   g_live,             a_match,            MATCH),
	E(LIVENESS,     LIVENESS_DONE,   a_refer_pad,        REFERRED),
	E(LIVENESS,     TRAVELLER_LEFT,  a_abandon,          IDLE),

	T(MATCH,        MATCH_DONE,      g_match,            a_watchlist,        WATCHLIST),
	E(MATCH,        MATCH_DONE,      a_refer_mismatch,   REFERRED),
	E(MATCH,        TRAVELLER_LEFT,  a_abandon,          IDLE),

	T(WATCHLIST,    WATCHLIST_DONE,  g_watchlist_clear,  a_open,             GATE_OPENING),
	E(WATCHLIST,    WATCHLIST_DONE,  a_refer_watchlist,  REFERRED),
	E(WATCHLIST,    TRAVELLER_LEFT,  a_abandon,          IDLE),

	/* the door's own account of the passage: opened, traveller through,
	 * closed; a door that does not confirm is a faulty gate */
	E(GATE_OPENING, DOOR_OPENED,     a_door_opened,      GATE_OPEN),
	E(GATE_OPENING, TIMEOUT,         a_gate_fault,       OUT_OF_SERVICE),
	E(GATE_OPENING, DEVICE_LOST,     a_gate_fault,       OUT_OF_SERVICE),
	E(GATE_OPENING, OFFICER_HOLD,    a_hold,             HOLD),
	E(GATE_OPEN,    PASSED,          a_passed,           GATE_CLOSING),
	E(GATE_OPEN,    TIMEOUT,         a_not_passed,       GATE_CLOSING),
	E(GATE_OPEN,    DOOR_CLOSED,     a_closed_unpassed,  IDLE),
	E(GATE_OPEN,    DEVICE_LOST,     a_gate_fault,       OUT_OF_SERVICE),
	E(GATE_OPEN,    OFFICER_HOLD,    a_hold,             HOLD),
	E(GATE_CLOSING, DOOR_CLOSED,     a_door_closed,      IDLE),
	E(GATE_CLOSING, TIMEOUT,         a_gate_fault,       OUT_OF_SERVICE),
	E(GATE_CLOSING, DEVICE_LOST,     a_gate_fault,       OUT_OF_SERVICE),

	T(REFERRED,     OFFICER_OPEN,    g_has_reason,       a_override_open,    GATE_OPENING),
	E(REFERRED,     OFFICER_RELEASE, a_officer_close,    IDLE),
	E(REFERRED,     OFFICER_HOLD,    a_hold,             HOLD),

	T(HOLD,         OFFICER_OPEN,    g_has_reason,       a_override_open,    GATE_OPENING),
	E(HOLD,         OFFICER_RELEASE, a_officer_close,    IDLE),

	/* cancel paths from every active state; never open the gate */
	E(ANY,          TIMEOUT,         a_refer_timeout,    REFERRED),
	E(ANY,          DEVICE_LOST,     a_device_lost,      OUT_OF_SERVICE),
	E(ANY,          OFFICER_HOLD,    a_hold,             HOLD),
};

const size_t passage_table_len = sizeof(passage_table) / sizeof(passage_table[0]);
