/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decide.h — the decision of a passage as a pure function: an explanation
 * and a policy in, the outcome and the rule that fired out. No device, no
 * I/O, no clock: the same code runs in three places.
 *
 *   - The passage table (passage_table.c): its guards and actions call the
 *     predicates below (passage_doc_verdict, passage_score_passes,
 *     passage_issuer_accepted, passage_age_passes), so the machine cannot
 *     decide otherwise than this file says.
 *   - The kiosk's tests: after every passage, passage_decide() on the
 *     recorded explanation and the policy in force must give the outcome and
 *     rule the machine gave.
 *   - An auditor's workstation (`egate audit replay`): the stored record's
 *     checks and scores turned back into a struct passage_explanation
 *     (passage_item_parse for the names, passage_result_parse for the
 *     results; a Score's value and threshold go to the item of its name), the policy of the recorded
 *     config version (policy_bundle_load, then passage_policy_from_proto),
 *     and passage_decide()
 *     re-derives the decision.
 *
 * CONTRACT of passage_decide(x, policy):
 *
 *   Items are read in the order the machine records them. The first item
 *   that decides, decides; the rest (door, passage sensor, PAD cues) never
 *   change the decision. What decides, in order:
 *     mrz_valid fail                -> REFER "mrz_invalid"
 *     chip_access fail              -> REFER "chip_unreadable"
 *     the nine document checks      -> REFER "failed:<check>" (a failed check
 *                                      first), else "missing:<check>" (the
 *                                      first mandatory check not passed; a
 *                                      chip_auth "absent" passes when the
 *                                      policy accepts chips without AA/CA)
 *     one_person fail               -> REFER "more_than_one_person"
 *     face_quality fail             -> REFER "face_capture_failed"
 *     liveness value < threshold    -> REFER "pad_alarm"
 *     match_1to1 value < threshold  -> REFER "biometric_mismatch"
 *     watchlist value >= threshold  -> REFER "watchlist_hit"
 *     watchlist value < threshold   -> OPEN  "all_checks_passed"
 *     timeout / device_lost         -> REFER "timeout" / "device_lost"
 *     officer_hold                  -> REFER "officer_hold"
 *     doc_removed / traveller_left  -> ABANDONED "abandoned:<item>"
 *   Thresholds, the mandatory set and no_chip_auth come from the policy
 *   GIVEN, not from the values recorded next to the scores: a replay under
 *   another policy says what that policy would have decided.
 *   issuer_accepted is evaluated again from its detail ("UTO:P", the issuing
 *   state and document type, which the record carries in clear) against the
 *   policy's accepted_issuers; min_age is taken as recorded (the holder's age
 *   is not in the record); face_quality is taken as recorded (the number of
 *   attempts is in its detail, the frames are not).
 *   An officer_override item does not change the automated decision; it is
 *   reported in out->officer (PO_OPEN or PO_REJECT): the record of an
 *   officer's decision carries the automated one it overrides.
 *   An explanation with no deciding item gives PO_NONE and rule "".
 *
 * Everything here is deterministic and allocation-free.
 */
#ifndef EGATE_KIOSK_DECIDE_H
#define EGATE_KIOSK_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "passage.h"

struct passage_decision {
	enum passage_outcome outcome;	/* the automated decision */
	char rule[48];
	enum passage_item by;		/* the item that decided; PI_COUNT: none */
	enum passage_outcome officer;	/* an officer's decision on it, else PO_NONE */
};

/* passage_decide — see the contract above. x and p are read only; *out is
 * filled. Returns EG_OK, or EG_ERR_INVAL for NULL arguments. */
int passage_decide(const struct passage_explanation *x, const struct passage_policy *p,
    struct passage_decision *out);

/* ---- the predicates the table's guards use -------------------------------- */

/* passage_issuer_accepted — list is [policy] accepted_issuers ("UTO",
 * "UTO:P", comma-separated, spaces ignored); "" accepts every issuer. */
bool passage_issuer_accepted(const char *list, const char *state, const char *type);

/* passage_age_passes — age >= min_age; min_age <= 0 always passes, an
 * unknown age (< 0) passes only then. */
bool passage_age_passes(int age, int min_age);

/* passage_holder_checks — ISSUER_ACCEPTED and MIN_AGE of a holder under
 * the policy, into c[PDC_ISSUER_ACCEPTED] and c[PDC_MIN_AGE]
 * (NOT_CHECKED when the holder is unknown). The other checks are left. */
void passage_holder_checks(const struct passage_policy *p, const struct passage_holder *h,
    enum passage_check_result c[PDC_COUNT]);

/* passage_doc_verdict — the document is acceptable when no check failed
 * and every mandatory one passed (chip_auth ABSENT passes when the policy
 * accepts chips without AA/CA). Returns true when acceptable; else writes
 * the rule ("failed:dg_hashes", "missing:chip_auth") into rule (may be NULL). */
bool passage_doc_verdict(const struct passage_policy *p, const enum passage_check_result c[PDC_COUNT],
    char *rule, size_t cap);

/* passage_score_passes — a score against the policy's threshold:
 * PI_LIVENESS and PI_MATCH_1TO1 pass at or above, PI_WATCHLIST passes
 * (clear) below. *threshold (may be NULL) gets the threshold in force.
 * Other items: false. */
bool passage_score_passes(const struct passage_policy *p, enum passage_item id, double value,
    double *threshold);

/* ---- for a replay from a stored record ------------------------------------ */

/*
 * passage_item_parse — the item a record name stands for: "mrz_valid" ->
 * PI_MRZ_VALID; "pad_<cue>" -> PI_PAD_CUE with the cue copied into sub
 * (PASSAGE_ITEM_SUB_MAX bytes; may be NULL); score names ("face_similarity",
 * "pad_liveness") are accepted too. Returns EG_OK or EG_ERR_NOT_FOUND.
 */
int passage_item_parse(const char *name, enum passage_item *id, char *sub);

/*
 * passage_result_parse — a check's result as the record (and the audit
 * payload) writes it back to the enum: "pass" -> PCR_PASS, "fail" ->
 * PCR_FAIL, "skipped" with detail "absent" -> PCR_ABSENT (a chip without
 * AA/CA), anything else -> PCR_NOT_CHECKED. detail may be NULL.
 */
enum passage_check_result passage_result_parse(const char *result, const char *detail);

struct policy;
/*
 * passage_policy_from_proto — the passage policy of a pushed or bundled
 * policy (proto/policy.h): thresholds, mandatory checks, no_chip_auth,
 * watchlist action, accepted issuers, minimum age and the version; the
 * rest (timeouts) is taken from base (may be NULL: passage_policy_default).
 * err (may be NULL) gets one line. Errors: EG_ERR_INVAL (NULL),
 * EG_ERR_CONFIG (a mandatory check this kiosk does not know),
 * EG_ERR_OVERFLOW (accepted_issuers too long).
 */
int passage_policy_from_proto(const struct policy *pp, const struct passage_policy *base,
    struct passage_policy *out, char *err, size_t errlen);

#endif
