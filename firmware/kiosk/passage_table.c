/* SPDX-License-Identifier: Apache-2.0 */
/*
 * passage_table.c — THE passage state machine: guards, actions and the
 * transition table. The first row that matches (state, event) and whose
 * guard holds fires; a row with no guard after guarded rows is their "else".
 * docs/passage.md's diagram is generated from this table.
 */
#include <stdio.h>
#include <string.h>

#include "passage.h"

/* ---- helpers ---------------------------------------------------------- */

static void
fx_add(struct passage_effects *fx, enum passage_effect e)
{
	if (fx->n < PASSAGE_MAX_EFFECTS)
		fx->e[fx->n++] = e;
}

/* Rule and item names are the table's UPPER_CASE names in lower case,
 * optionally behind a prefix: "failed:" + "DG_HASHES" -> "failed:dg_hashes". */
static void
lower_name(char *out, size_t outlen, const char *prefix, const char *name)
{
	size_t n = (size_t)snprintf(out, outlen, "%s%s", prefix, name);

	for (size_t i = 0; i < n && i < outlen; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

static struct passage_explain_item *
explain(struct passage *p, const char *name, const char *result)
{
	struct passage_explain_item *it;

	if (p->x.n == PASSAGE_MAX_EXPLAIN)
		return NULL;
	it = &p->x.items[p->x.n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->name, sizeof(it->name), "%s", name);
	snprintf(it->result, sizeof(it->result), "%s", result);
	return it;
}

static void
explain_score(struct passage *p, const char *name, bool pass, double v, double thr)
{
	struct passage_explain_item *it = explain(p, name, pass ? "pass" : "fail");

	if (it != NULL) {
		it->value = v;
		it->threshold = thr;
		it->has_value = true;
	}
}

static const char *
check_result_str(enum passage_check_result r)
{
	switch (r) {
	case PCR_PASS: return "pass";
	case PCR_FAIL: return "fail";
	case PCR_ABSENT: return "absent";
	default: return "not_checked";
	}
}

static void
decide(struct passage *p, enum passage_outcome o, const char *rule)
{
	p->x.outcome = o;
	snprintf(p->x.rule, sizeof(p->x.rule), "%s", rule);
}

/* ---- guards ------------------------------------------------------------ */

static bool
g_ok(const struct passage *p, const struct passage_event *ev)
{
	(void)p;
	return ev->ok;
}

/* Acceptable when no check failed and every mandatory check passed; a chip
 * without AA/CA is acceptable only if the policy says so. */
static bool
g_checks_acceptable(const struct passage *p, const struct passage_event *ev)
{
	for (int c = 0; c < PDC_COUNT; c++) {
		enum passage_check_result r = ev->checks[c];
		bool mandatory = (p->policy->mandatory >> c) & 1u;
		if (r == PCR_FAIL)
			return false;
		if (!mandatory || r == PCR_PASS)
			continue;
		if (c == PDC_CHIP_AUTH && r == PCR_ABSENT &&
		    p->policy->no_chip_auth == PASSAGE_ABSENT_ACCEPT)
			continue;
		return false;
	}
	return true;
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
	return ev->score >= p->policy->liveness_threshold;
}

static bool
g_match(const struct passage *p, const struct passage_event *ev)
{
	return ev->score >= p->policy->match_threshold;
}

static bool
g_watchlist_clear(const struct passage *p, const struct passage_event *ev)
{
	return ev->score < p->policy->watchlist_threshold;
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
	explain(p, "mrz_valid", "pass");
	fx_add(fx, PX_OPEN_CHIP);
}

static void
a_run_checks(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	struct passage_explain_item *it = explain(p, "chip_access", "pass");

	if (it != NULL && ev->detail != NULL)
		snprintf(it->detail, sizeof(it->detail), "%s", ev->detail);	/* PACE / BAC */
	fx_add(fx, PX_RUN_CHECKS);
}

static void
record_checks(struct passage *p, const struct passage_event *ev)
{
	/* MRZ_VALID and CHIP_ACCESS are explained when they happen */
	for (int c = PDC_PASSIVE_AUTH; c < PDC_COUNT; c++) {
		char name[32];
		lower_name(name, sizeof(name), "", passage_doc_check_str((enum passage_doc_check)c));
		explain(p, name, check_result_str(ev->checks[c]));
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
	struct passage_explain_item *it = explain(p, "face_quality", "pass");

	(void)ev;
	snprintf(d, sizeof(d), "attempt %d of %d", p->capture_attempts, p->policy->max_capture_attempts);
	if (it != NULL)
		snprintf(it->detail, sizeof(it->detail), "%s", d);
	fx_add(fx, PX_RUN_LIVENESS);
}

static void
a_match(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, "liveness", true, ev->score, p->policy->liveness_threshold);
	fx_add(fx, PX_RUN_MATCH);
}

static void
a_watchlist(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, "match_1to1", true, ev->score, p->policy->match_threshold);
	fx_add(fx, PX_RUN_WATCHLIST);
}

static void
a_open(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	struct passage_explain_item *it = explain(p, "watchlist", "clear");

	if (it != NULL) {
		it->value = ev->score;
		it->threshold = p->policy->watchlist_threshold;
		it->has_value = true;
	}
	decide(p, PO_OPEN, "all_checks_passed");
	fx_add(fx, PX_WIPE);
	fx_add(fx, PX_GATE_OPEN);
	fx_add(fx, PX_PROMPT_PROCEED);
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
	struct passage_explain_item *it = explain(p, "mrz_valid", "fail");

	if (it != NULL && ev->detail != NULL)
		snprintf(it->detail, sizeof(it->detail), "%s", ev->detail);
	refer(p, fx, "mrz_invalid");
}

static void
a_refer_chip(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	struct passage_explain_item *it = explain(p, "chip_access", "fail");

	if (it != NULL && ev->detail != NULL)
		snprintf(it->detail, sizeof(it->detail), "%s", ev->detail);
	refer(p, fx, "chip_unreadable");
}

static void
a_refer_document(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	char rule[48] = "document_check_failed";

	record_checks(p, ev);
	/* name the check that made the document unacceptable: a failed check
	 * first (it is evidence), else the first mandatory one not passed (a
	 * failure can stop later checks from running at all) */
	for (int pass = 0; pass < 2; pass++) {
		for (int c = 0; c < PDC_COUNT; c++) {
			enum passage_check_result r = ev->checks[c];
			bool mandatory = (p->policy->mandatory >> c) & 1u;
			bool hit = pass == 0 ? r == PCR_FAIL :
			    (mandatory && r != PCR_PASS &&
			    !(c == PDC_CHIP_AUTH && r == PCR_ABSENT &&
			    p->policy->no_chip_auth == PASSAGE_ABSENT_ACCEPT));
			if (hit) {
				lower_name(rule, sizeof(rule), pass == 0 ? "failed:" : "missing:",
				    passage_doc_check_str((enum passage_doc_check)c));
				goto named;
			}
		}
	}
named:
	refer(p, fx, rule);
}

static void
a_refer_tailgating(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	struct passage_explain_item *it = explain(p, "one_person", "fail");

	if (it != NULL)
		snprintf(it->detail, sizeof(it->detail), "%d faces in the frame", ev->faces);
	refer(p, fx, "more_than_one_person");
	fx_add(fx, PX_PROMPT_ONE_PERSON);
}

static void
a_refer_quality(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	struct passage_explain_item *it = explain(p, "face_quality", "fail");

	(void)ev;
	if (it != NULL)
		snprintf(it->detail, sizeof(it->detail), "%d attempts", p->capture_attempts);
	refer(p, fx, "face_capture_failed");
}

static void
a_refer_pad(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, "liveness", false, ev->score, p->policy->liveness_threshold);
	refer(p, fx, "pad_alarm");
}

static void
a_refer_mismatch(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	explain_score(p, "match_1to1", false, ev->score, p->policy->match_threshold);
	refer(p, fx, "biometric_mismatch");
}

static void
a_refer_watchlist(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	struct passage_explain_item *it = explain(p, "watchlist", "hit");

	if (it != NULL) {
		it->value = ev->score;
		it->threshold = p->policy->watchlist_threshold;
		it->has_value = true;
	}
	refer(p, fx, "watchlist_hit");
}

static void
a_refer_event(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	char rule[48];

	/* the event says what happened */
	lower_name(rule, sizeof(rule), "", passage_event_str(ev->type));
	if (ev->detail != NULL) {
		struct passage_explain_item *it = explain(p, rule, "fail");
		if (it != NULL)
			snprintf(it->detail, sizeof(it->detail), "%s", ev->detail);
	}
	refer(p, fx, rule);
}

/* The traveller gave up before a decision: nothing to refer, but the
 * attempt is still reported. */
static void
a_abandon(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	char rule[48];

	lower_name(rule, sizeof(rule), "abandoned:", passage_event_str(ev->type));
	if (ev->detail != NULL) {
		struct passage_explain_item *it = explain(p, rule + strlen("abandoned:"), "fail");

		if (it != NULL)
			snprintf(it->detail, sizeof(it->detail), "%s", ev->detail);
	}
	decide(p, PO_ABANDONED, rule);
	fx_add(fx, PX_WIPE);
	fx_add(fx, PX_REPORT);
	fx_add(fx, PX_PROMPT_PLACE_DOC);
	p->passages++;
}

static void
a_finish(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	struct passage_explain_item *it = explain(p, "passage_confirmed",
	    ev->type == PE_PASSED ? "pass" : "fail");

	if (it != NULL && ev->type != PE_PASSED)
		snprintf(it->detail, sizeof(it->detail), "%s", passage_event_str(ev->type));
	fx_add(fx, PX_GATE_CLOSE);
	fx_add(fx, PX_REPORT);
	fx_add(fx, PX_PROMPT_PLACE_DOC);
	p->passages++;
}

/* An officer opens the gate for a referred traveller: an override, with
 * the officer's identity (from the certificate) and reason. */
static void
a_override_open(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	struct passage_explain_item *it;

	snprintf(p->x.officer, sizeof(p->x.officer), "%s", ev->officer);
	snprintf(p->x.officer_reason, sizeof(p->x.officer_reason), "%s", ev->reason);
	it = explain(p, "officer_override", "open");
	if (it != NULL)
		snprintf(it->detail, sizeof(it->detail), "let through by the officer");
	if (p->x.outcome == PO_NONE)	/* no passage: the officer opened the gate by hand */
		decide(p, PO_OPEN, "officer_manual_open");
	else	/* the referral's own record keeps the rule that referred */
		decide(p, PO_OPEN, "officer_override_open");
	fx_add(fx, PX_GATE_OPEN);
	fx_add(fx, PX_PROMPT_PROCEED);
}

/* An officer closes a referral or ends a hold. The referral (or the hold
 * that ended a passage) is on record already; an officer who closes a
 * referral decides it: a second record, REJECT, with the officer's
 * identity. Without an identity (the simulated officer of a scenario run)
 * nothing is decided and nothing more is reported. */
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
		struct passage_explain_item *it = explain(p, "officer_override", "reject");

		if (it != NULL)
			snprintf(it->detail, sizeof(it->detail), "refused by the officer");
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
		decide(p, PO_REFER, "officer_hold");
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

static void
a_out_of_service(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	(void)p;
	(void)ev;
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
	E(IDLE,         OFFICER_HOLD,    a_hold,             HOLD),
	E(OUT_OF_SERVICE, HOST_UP,       a_back_in_service,  IDLE),

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

	T(WATCHLIST,    WATCHLIST_DONE,  g_watchlist_clear,  a_open,             GATE_OPEN),
	E(WATCHLIST,    WATCHLIST_DONE,  a_refer_watchlist,  REFERRED),
	E(WATCHLIST,    TRAVELLER_LEFT,  a_abandon,          IDLE),

	E(GATE_OPEN,    PASSED,          a_finish,           IDLE),
	E(GATE_OPEN,    TIMEOUT,         a_finish,           IDLE),
	E(GATE_OPEN,    DEVICE_LOST,     a_refer_event,      REFERRED),
	E(GATE_OPEN,    OFFICER_HOLD,    a_hold,             HOLD),

	T(REFERRED,     OFFICER_OPEN,    g_has_reason,       a_override_open,    GATE_OPEN),
	E(REFERRED,     OFFICER_RELEASE, a_officer_close,    IDLE),
	E(REFERRED,     OFFICER_HOLD,    a_hold,             HOLD),

	T(HOLD,         OFFICER_OPEN,    g_has_reason,       a_override_open,    GATE_OPEN),
	E(HOLD,         OFFICER_RELEASE, a_officer_close,    IDLE),

	/* cancel paths from every active state; never open the gate */
	E(ANY,          TIMEOUT,         a_refer_event,      REFERRED),
	E(ANY,          DEVICE_LOST,     a_refer_event,      REFERRED),
	E(ANY,          OFFICER_HOLD,    a_hold,             HOLD),
};

const size_t passage_table_len = sizeof(passage_table) / sizeof(passage_table[0]);
