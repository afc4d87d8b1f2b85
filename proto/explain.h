/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explain.h — what the host stores about a passage: the explanation of the
 * decision as canonical JSON (the audit record's payload), and the names of
 * protocol enums as the audit log writes them.
 */
#ifndef EGATE_PROTO_EXPLAIN_H
#define EGATE_PROTO_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "egate.pb-c.h"

/*
 * proto_passage_payload — the audit payload of a passage event as JSON with
 * a fixed key order and no whitespace (layout: PROTOCOL.md, "Audit payload"):
 * seq, ts_ms, decision, reason, checks, scores, model_version,
 * config_version, issuing_state, document_type, duration_ms, officer_id,
 * command_id, overrides_seq. The holder's identifiers (document number,
 * name) are NEVER in it: the host stores them only as HMACs. Doubles are written with 17
 * significant digits, so values survive exactly.
 * On success *json is a NUL-terminated heap string of *len bytes that the
 * caller frees with free(). Errors: EG_ERR_INVAL (NULL), EG_ERR_NOMEM,
 * EG_ERR_IO (writer failure).
 */
int proto_passage_payload(const Egate__PassageEvent *e, char **json, size_t *len);

/* Upper-case names as stored in the audit log ("OPEN", "REFER", ...);
 * "UNSPECIFIED" for 0 and unknown values. Static strings. */
const char *proto_decision_name(Egate__Decision d);
/* "pass", "fail", "skipped", "error"; "unspecified" otherwise. */
const char *proto_check_result_name(Egate__CheckResult r);
/* "OPEN", "HOLD", "RELEASE", "OVERRIDE_OPEN", "OVERRIDE_REJECT"; "UNSPECIFIED". */
const char *proto_officer_action_name(Egate__OfficerAction a);

/* ---- the readable explanation ------------------------------------------------ */

#define PROTO_EXPLAIN_ITEMS 48		/* checks, and scores, kept (more: truncated) */

struct proto_explain_check {
	char name[48];
	char result[16];		/* "pass", "fail", "skipped", "error" */
	char detail[128];
};

struct proto_explain_score {
	char name[48];
	double value, threshold;
	bool passed;
};

/* The decision of one passage as people read it: what the audit payload
 * (PROTOCOL.md, "Audit payload") says, in fixed-size fields. Strings are cut
 * to their field (on a UTF-8 boundary) and kept verbatim otherwise: escape
 * them before printing (proto_text_put). */
struct proto_explain {
	uint64_t seq;
	int64_t ts_ms;
	char decision[16];
	char reason[128];		/* the rule that fired */
	struct proto_explain_check checks[PROTO_EXPLAIN_ITEMS];
	size_t n_checks;
	struct proto_explain_score scores[PROTO_EXPLAIN_ITEMS];
	size_t n_scores;
	char model_version[64];
	uint64_t config_version;
	char issuing_state[8], document_type[8];
	uint64_t duration_ms;
	char officer_id[64];
	uint64_t command_id, overrides_seq;
	bool truncated;			/* items or strings did not fit */
};

/*
 * proto_explain_parse — read an audit payload (JSON text of len bytes, no
 * NUL needed; untrusted: it comes from the host, which took it from a kiosk)
 * into *x. Keys may come in any order; unknown keys are skipped; missing
 * ones stay zero/empty. Nesting is limited to 16 levels, strings are
 * unescaped (\uXXXX with surrogate pairs) and must be valid JSON.
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_FORMAT (not a JSON object, trailing
 * bytes, a value of the wrong type for a known key), EG_ERR_OVERFLOW
 * (nesting). *x is zeroed first and holds what was read up to an error.
 */
int proto_explain_parse(const char *json, size_t len, struct proto_explain *x);

/*
 * proto_explain_from_event — the same from a PassageEvent (the kiosk has one
 * before anything is sent). Identifiers are never copied. Errors:
 * EG_ERR_INVAL.
 */
int proto_explain_from_event(const Egate__PassageEvent *e, struct proto_explain *x);

/*
 * proto_explain_text — the explanation for people, a few lines, each
 * starting with indent:
 *
 *   REFER: rule biometric_mismatch (passage 12, 2025-11-02T10:15:04Z, 7.4 s)
 *   failed or not checked: match_1to1=fail (score below threshold)
 *   scores: face_similarity 0.412 < threshold 0.550 (failed); pad_liveness 0.930 ...
 *   document UTO P; model arcface-r100:1a2b3c4d; configuration 7
 *
 * Every string is escaped (proto_text_put). Returns EG_OK or EG_ERR_IO.
 */
int proto_explain_text(const struct proto_explain *x, const char *indent, FILE *out);

#endif
