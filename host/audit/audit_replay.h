/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_replay.h — decision replay (`egate audit replay`): a passage's
 * decision re-derived from what the log keeps of it, and compared with
 * what the log says was decided.
 *
 * Inputs, both read from the log and both untrusted (whoever holds the
 * host's keys can write them):
 *   - the passage record's payload (proto/explain.c writes it): the checks
 *     in the order the kiosk recorded them, the scores with the thresholds
 *     the kiosk applied, the decision, the rule and the config version;
 *   - the decision parameters of that config version, which the host logs
 *     when it serves a policy (audit_config_add_policy; policy_params_json
 *     in proto/policy.h writes them; audit_policy_params reads them back
 *     after checking their digest against the hash-chained config record).
 *
 * The decision itself is passage_decide() of firmware/kiosk/decide.c, the
 * function the kiosk's own passage machine is tested against: the same
 * code, linked, never a copy. The parameters become a struct policy through
 * policy_threshold_set/policy_setting_set (the checks a kiosk applies to a
 * pushed policy) and then the kiosk's passage_policy_from_proto.
 *
 * A record agrees when the re-derived decision and rule are the recorded
 * ones, the record's decision and reason columns say what its payload
 * says, and every recorded threshold is the one the parameters give.
 * An officer's decision (an override) cannot be re-derived from a policy:
 * the replay checks that the officer's item in the explanation gives the
 * recorded decision and rule, and reports the automated decision under it.
 *
 * This library links the kiosk's decision library (no device code, no
 * OpenCV) and is used by the egate CLI and the tests only; egate-host does
 * not link it.
 */
#ifndef EGATE_AUDIT_REPLAY_H
#define EGATE_AUDIT_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "decide.h"

/* The most JSON tokens one payload or one parameter set may have. */
#define AUDIT_REPLAY_TOKENS_MAX 4096u
/* The longest reason a payload can carry: the protocol's string limit
 * (PROTO_STR_MAX in proto/frame.h). */
#define AUDIT_REPLAY_REASON_MAX 4096u

enum audit_replay_verdict {
	AUDIT_REPLAY_AGREE = 0,
	AUDIT_REPLAY_DISAGREE,		/* decision, rule, columns or thresholds differ */
	AUDIT_REPLAY_MALFORMED,		/* the payload is not a passage explanation */
	AUDIT_REPLAY_POLICY_TAMPERED,	/* kept parameters differ from their digest in the chain */
	AUDIT_REPLAY_NO_POLICY,		/* its config version is not logged with parameters
					 * (0: the kiosk's own file, never pushed) */
	AUDIT_REPLAY_BAD_POLICY,	/* parameters this egate cannot read */
	AUDIT_REPLAY_PURGED,		/* payload removed by retention */
	AUDIT_REPLAY_COUNT
};

/* audit_replay_verdict_name — "agree", "disagree", "malformed",
 * "policy_tampered", "no_policy", "bad_policy", "purged"; static string. */
const char *audit_replay_verdict_name(enum audit_replay_verdict v);

/* What a passage payload says. */
struct audit_replay_record {
	char decision[16];		/* "OPEN", "REFER", ... as recorded */
	char reason[AUDIT_REPLAY_REASON_MAX + 1];	/* the rule, whole */
	uint64_t config_version;	/* 0: the kiosk's own policy */
	struct passage_explanation x;	/* the items the kiosk's machine knows, in order */
	size_t n_other;			/* checks it does not know (pa.*, the host's notes) */
};

/*
 * audit_replay_payload_parse — a passage payload (len bytes, need not be
 * NUL-terminated) into *out. err (may be NULL) gets one line.
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_FORMAT (not JSON, not a passage
 * payload, a score without its check), EG_ERR_OVERFLOW (more items than a
 * passage has, too many tokens), EG_ERR_NOMEM.
 */
int audit_replay_payload_parse(const char *payload, size_t len, struct audit_replay_record *out,
    char *err, size_t errlen);

/*
 * audit_replay_policy_parse — decision parameters (policy_params_json's
 * form; len bytes) into the passage policy the kiosk would have applied.
 * *version (may be NULL) gets their version. Every threshold and setting
 * goes through the checks a kiosk applies to a pushed policy; a member
 * this egate does not know is refused (it could change the decision).
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_FORMAT (not JSON of that form),
 * EG_ERR_CONFIG (a value out of range, incomplete), EG_ERR_UNSUPPORTED (an
 * unknown member), EG_ERR_OVERFLOW, EG_ERR_NOMEM.
 */
int audit_replay_policy_parse(const char *params, size_t len, struct passage_policy *out,
    uint64_t *version, char *err, size_t errlen);

struct audit_replay_result {
	enum audit_replay_verdict verdict;	/* AGREE or DISAGREE */
	const char *decision;		/* re-derived: "OPEN", "REFER", ... (static) */
	char rule[48];			/* re-derived rule */
	const char *by;			/* the item that decided ("match_1to1"), or "" */
	const char *automated;		/* officer records: the automated decision under
					 * the officer's, else NULL */
	char automated_rule[48];
	char why[256];			/* the first difference, one line; "" when agreeing */
};

/*
 * audit_replay_compare — replay rec under pol (the parameters of
 * rec->config_version) and compare with the record; row_decision and
 * row_reason are the record's hash-chained columns (NULL when empty).
 * Fills *out. Returns EG_OK or EG_ERR_INVAL (NULL rec, pol or out).
 */
int audit_replay_compare(const struct audit_replay_record *rec, const char *row_decision,
    const char *row_reason, const struct passage_policy *pol, struct audit_replay_result *out);

/*
 * audit_replay_decision_name — the record's name of an outcome, as the
 * kiosk reports it: OPEN, REFER, REJECT, ABORTED (abandoned), FAULT (none).
 */
const char *audit_replay_decision_name(enum passage_outcome o);

#endif
