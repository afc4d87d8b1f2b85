/* SPDX-License-Identifier: Apache-2.0 */
/*
 * explain.h — what the host stores about a passage: the explanation of the
 * decision as canonical JSON (the audit record's payload), and the names of
 * protocol enums as the audit log writes them.
 */
#ifndef EGATE_PROTO_EXPLAIN_H
#define EGATE_PROTO_EXPLAIN_H

#include <stddef.h>

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

#endif
