/* SPDX-License-Identifier: Apache-2.0 */
/* audit_replay.c — decision replay from the log (see audit_replay.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit_json.h"
#include "audit_replay.h"
#include "egate/error.h"
#include "frame.h"
#include "policy.h"

_Static_assert(AUDIT_REPLAY_REASON_MAX == PROTO_STR_MAX, "a payload's reason is a protocol string");

#define NONE ((size_t)-1)

static const char *const verdict_names[AUDIT_REPLAY_COUNT] = {
	[AUDIT_REPLAY_AGREE] = "agree",
	[AUDIT_REPLAY_DISAGREE] = "disagree",
	[AUDIT_REPLAY_MALFORMED] = "malformed",
	[AUDIT_REPLAY_POLICY_TAMPERED] = "policy_tampered",
	[AUDIT_REPLAY_NO_POLICY] = "no_policy",
	[AUDIT_REPLAY_BAD_POLICY] = "bad_policy",
	[AUDIT_REPLAY_PURGED] = "purged",
};

const char *
audit_replay_verdict_name(enum audit_replay_verdict v)
{
	return (unsigned)v < AUDIT_REPLAY_COUNT ? verdict_names[v] : "?";
}

/* As the kiosk maps an outcome to the protocol's Decision (kiosk.c). */
const char *
audit_replay_decision_name(enum passage_outcome o)
{
	switch (o) {
	case PO_OPEN: return "OPEN";
	case PO_REFER: return "REFER";
	case PO_ABANDONED: return "ABORTED";
	case PO_REJECT: return "REJECT";
	default: return "FAULT";
	}
}

/* ---- the payload ----------------------------------------------------------- */

/* A string member, "" when absent or null; EG_ERR_FORMAT when another type. */
static int
member_str(const struct audit_json *j, size_t obj, const char *key, char *out, size_t cap)
{
	size_t v = audit_json_member(j, obj, key);

	out[0] = '\0';
	if (v == NONE || j->t[v].type == AUDIT_JSON_NULL)
		return EG_OK;
	if (j->t[v].type != AUDIT_JSON_STRING)
		return EG_ERR_FORMAT;
	return audit_json_str(j, v, out, cap);
}

static int
add_checks(const struct audit_json *j, size_t arr, struct audit_replay_record *r, char *err,
    size_t errlen)
{
	size_t i = arr + 1;

	for (size_t k = 0; k < j->t[arr].size; k++, i = j->t[i].next) {
		char name[64], result[16], detail[sizeof(r->x.items[0].detail)], sub[PASSAGE_ITEM_SUB_MAX];
		struct passage_explain_item *it;
		enum passage_item id;
		int rc;

		if (j->t[i].type != AUDIT_JSON_OBJECT) {
			eg_errbuf(err, errlen, "checks[%zu] is not an object", k);
			return EG_ERR_FORMAT;
		}
		if ((rc = member_str(j, i, "name", name, sizeof(name))) == EG_ERR_OVERFLOW) {
			r->n_other++;	/* longer than any item's name: not one */
			continue;
		}
		if (rc != EG_OK || member_str(j, i, "result", result, sizeof(result)) != EG_OK) {
			eg_errbuf(err, errlen, "checks[%zu]: name and result must be strings", k);
			return EG_ERR_FORMAT;
		}
		/* details longer than an item's are cut, as the kiosk cuts them */
		rc = member_str(j, i, "detail", detail, sizeof(detail));
		if (rc != EG_OK && rc != EG_ERR_OVERFLOW) {
			eg_errbuf(err, errlen, "checks[%zu]: detail must be a string", k);
			return EG_ERR_FORMAT;
		}
		if (passage_item_parse(name, &id, sub) != EG_OK) {
			r->n_other++;	/* pa.*, the host's notes: evidence only */
			continue;
		}
		if (r->x.n == PASSAGE_MAX_EXPLAIN) {
			eg_errbuf(err, errlen, "more than %d items: no passage has that many",
			    PASSAGE_MAX_EXPLAIN);
			return EG_ERR_OVERFLOW;
		}
		it = &r->x.items[r->x.n++];
		memset(it, 0, sizeof(*it));
		it->id = id;
		snprintf(it->sub, sizeof(it->sub), "%s", sub);
		it->result = passage_result_parse(result, detail);
		snprintf(it->detail, sizeof(it->detail), "%s", detail);
	}
	return EG_OK;
}

/* Scores go, in order, to the first item of their name without a value. */
static int
add_scores(const struct audit_json *j, size_t arr, struct audit_replay_record *r, char *err,
    size_t errlen)
{
	size_t i = arr + 1;

	for (size_t k = 0; k < j->t[arr].size; k++, i = j->t[i].next) {
		char name[64], sub[PASSAGE_ITEM_SUB_MAX];
		enum passage_item id;
		size_t v, t;
		double value = NAN, threshold = NAN;
		bool placed = false;
		int rc;

		if (j->t[i].type != AUDIT_JSON_OBJECT) {
			eg_errbuf(err, errlen, "scores[%zu] is not an object", k);
			return EG_ERR_FORMAT;
		}
		if ((rc = member_str(j, i, "name", name, sizeof(name))) == EG_ERR_OVERFLOW)
			continue;
		if (rc != EG_OK) {
			eg_errbuf(err, errlen, "scores[%zu]: name must be a string", k);
			return EG_ERR_FORMAT;
		}
		if (passage_item_parse(name, &id, sub) != EG_OK)
			continue;
		/* NaN is written as null (egate/json.h): kept as NaN, as the kiosk had it */
		v = audit_json_member(j, i, "value");
		t = audit_json_member(j, i, "threshold");
		if (v == NONE || t == NONE ||
		    (j->t[v].type != AUDIT_JSON_NULL && audit_json_num(j, v, &value) != EG_OK) ||
		    (j->t[t].type != AUDIT_JSON_NULL && audit_json_num(j, t, &threshold) != EG_OK)) {
			eg_errbuf(err, errlen, "scores[%zu] (%s): value and threshold must be numbers",
			    k, name);
			return EG_ERR_FORMAT;
		}
		for (size_t n = 0; n < r->x.n && !placed; n++) {
			struct passage_explain_item *it = &r->x.items[n];

			if (it->id != id || it->has_value || strcmp(it->sub, sub) != 0)
				continue;
			it->has_value = true;
			it->value = value;
			it->threshold = threshold;
			placed = true;
		}
		if (!placed) {
			eg_errbuf(err, errlen, "score %s has no check of its name", name);
			return EG_ERR_FORMAT;
		}
	}
	return EG_OK;
}

int
audit_replay_payload_parse(const char *payload, size_t len, struct audit_replay_record *out,
    char *err, size_t errlen)
{
	struct audit_json j;
	size_t checks, scores, cv;
	int rc;

	if (payload == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((rc = audit_json_parse(payload, len, AUDIT_REPLAY_TOKENS_MAX, &j)) != EG_OK) {
		eg_errbuf(err, errlen, "payload is not JSON (%s)", eg_strerror(rc));
		return rc == EG_ERR_NOMEM ? rc : rc == EG_ERR_OVERFLOW ? rc : EG_ERR_FORMAT;
	}
	rc = EG_ERR_FORMAT;
	if (j.t[0].type != AUDIT_JSON_OBJECT) {
		eg_errbuf(err, errlen, "payload is not a JSON object");
		goto out;
	}
	checks = audit_json_member(&j, 0, "checks");
	scores = audit_json_member(&j, 0, "scores");
	cv = audit_json_member(&j, 0, "config_version");
	if (checks == NONE || j.t[checks].type != AUDIT_JSON_ARRAY || scores == NONE ||
	    j.t[scores].type != AUDIT_JSON_ARRAY || cv == NONE ||
	    audit_json_u64(&j, cv, &out->config_version) != EG_OK) {
		eg_errbuf(err, errlen, "not a passage payload (checks, scores, config_version)");
		goto out;
	}
	if (member_str(&j, 0, "decision", out->decision, sizeof(out->decision)) != EG_OK ||
	    out->decision[0] == '\0') {
		eg_errbuf(err, errlen, "payload has no decision");
		goto out;
	}
	if (member_str(&j, 0, "reason", out->reason, sizeof(out->reason)) != EG_OK) {
		eg_errbuf(err, errlen, "payload reason is not a string of at most %u bytes",
		    AUDIT_REPLAY_REASON_MAX);
		goto out;
	}
	if ((rc = add_checks(&j, checks, out, err, errlen)) != EG_OK ||
	    (rc = add_scores(&j, scores, out, err, errlen)) != EG_OK)
		goto out;
	snprintf(out->x.config_version, sizeof(out->x.config_version), "%llu",
	    (unsigned long long)out->config_version);
	rc = EG_OK;
out:
	audit_json_free(&j);
	return rc;
}

/* ---- the decision parameters ------------------------------------------------- */

static bool
digest_list(const struct audit_json *j, size_t arr)
{
	size_t i = arr + 1;

	if (arr == NONE || j->t[arr].type != AUDIT_JSON_ARRAY)
		return false;
	for (size_t k = 0; k < j->t[arr].size; k++, i = j->t[i].next)
		if (j->t[i].type != AUDIT_JSON_STRING || j->t[i].len != 64)
			return false;
	return true;
}

int
audit_replay_policy_parse(const char *params, size_t len, struct passage_policy *out,
    uint64_t *version, char *err, size_t errlen)
{
	static const char *const known[] = { "version", "thresholds", "settings",
		"master_lists_sha256", "crls_sha256" };
	struct audit_json j;
	struct policy p;
	size_t th, st, i;
	char name[AUDIT_JSON_KEY_MAX + 1];
	int rc;

	if (params == NULL || out == NULL)
		return EG_ERR_INVAL;
	policy_init(&p);
	if ((rc = audit_json_parse(params, len, AUDIT_REPLAY_TOKENS_MAX, &j)) != EG_OK) {
		eg_errbuf(err, errlen, "parameters are not JSON (%s)", eg_strerror(rc));
		return rc == EG_ERR_NOMEM ? rc : rc == EG_ERR_OVERFLOW ? rc : EG_ERR_FORMAT;
	}
	rc = EG_ERR_FORMAT;
	if (j.t[0].type != AUDIT_JSON_OBJECT) {
		eg_errbuf(err, errlen, "parameters are not a JSON object");
		goto out;
	}
	/* a member this code does not know could change a decision: refused */
	i = 1;
	for (size_t m = 0; m < j.t[0].size; m++, i = j.t[i + 1].next) {
		bool ok = false;

		(void)audit_json_str(&j, i, name, sizeof(name));
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			ok = ok || strcmp(name, known[k]) == 0;
		if (!ok) {
			eg_errbuf(err, errlen, "unknown member '%s' (parameters of a newer egate?)",
			    name);
			rc = EG_ERR_UNSUPPORTED;
			goto out;
		}
	}
	th = audit_json_member(&j, 0, "thresholds");
	st = audit_json_member(&j, 0, "settings");
	if (audit_json_u64(&j, audit_json_member(&j, 0, "version"), &p.version) != EG_OK ||
	    th == NONE || j.t[th].type != AUDIT_JSON_OBJECT || st == NONE ||
	    j.t[st].type != AUDIT_JSON_OBJECT ||
	    !digest_list(&j, audit_json_member(&j, 0, "master_lists_sha256")) ||
	    !digest_list(&j, audit_json_member(&j, 0, "crls_sha256"))) {
		eg_errbuf(err, errlen, "not decision parameters (version, thresholds, settings, "
		    "digests)");
		goto out;
	}
	i = th + 1;
	for (size_t m = 0; m < j.t[th].size; m++, i = j.t[i + 1].next) {
		double v;

		(void)audit_json_str(&j, i, name, sizeof(name));
		if (audit_json_num(&j, i + 1, &v) != EG_OK) {
			eg_errbuf(err, errlen, "threshold %s is not a number", name);
			goto out;
		}
		if ((rc = policy_threshold_set(&p, name, v, err, errlen)) != EG_OK) {
			rc = rc == EG_ERR_NOT_FOUND ? EG_ERR_UNSUPPORTED : EG_ERR_CONFIG;
			goto out;
		}
	}
	i = st + 1;
	for (size_t m = 0; m < j.t[st].size; m++, i = j.t[i + 1].next) {
		char value[POLICY_SETTING_MAX + 1];

		(void)audit_json_str(&j, i, name, sizeof(name));
		if (j.t[i + 1].type != AUDIT_JSON_STRING ||
		    audit_json_str(&j, i + 1, value, sizeof(value)) != EG_OK) {
			eg_errbuf(err, errlen, "setting %s is not a string of at most %u bytes", name,
			    POLICY_SETTING_MAX);
			rc = EG_ERR_FORMAT;
			goto out;
		}
		if ((rc = policy_setting_set(&p, name, value, err, errlen)) != EG_OK) {
			rc = rc == EG_ERR_NOT_FOUND ? EG_ERR_UNSUPPORTED : EG_ERR_CONFIG;
			goto out;
		}
	}
	if (!policy_complete(&p, err, errlen)) {
		rc = EG_ERR_CONFIG;
		goto out;
	}
	if ((rc = passage_policy_from_proto(&p, NULL, out, err, errlen)) != EG_OK)
		goto out;
	if (version != NULL)
		*version = p.version;
	rc = EG_OK;
out:
	audit_json_free(&j);
	policy_clear(&p);
	return rc;
}

/* ---- the comparison ------------------------------------------------------------ */

static const char *
officer_rule(const struct passage_decision *d)
{
	if (d->officer == PO_REJECT)
		return "officer_override_reject";
	return d->outcome == PO_NONE ? "officer_manual_open" : "officer_override_open";
}

/* The recorded reason against the column: equal, or the column is the
 * host's cut of a longer one (net.c: AUDIT_SHORT_MAX bytes ending "..."). */
static bool
reason_column_matches(const char *payload_reason, const char *column)
{
	size_t n;

	if (column == NULL)
		column = "";
	if (strcmp(payload_reason, column) == 0)
		return true;
	n = strlen(column);
	return strlen(payload_reason) > AUDIT_SHORT_MAX && n >= 3 && n <= AUDIT_SHORT_MAX &&
	    strcmp(column + n - 3, "...") == 0 && strncmp(payload_reason, column, n - 3) == 0;
}

int
audit_replay_compare(const struct audit_replay_record *rec, const char *row_decision,
    const char *row_reason, const struct passage_policy *pol, struct audit_replay_result *out)
{
	struct passage_decision d;
	const char *dec;
	int rc;

	if (rec == NULL || pol == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->by = "";
	if ((rc = passage_decide(&rec->x, pol, &d)) != EG_OK)
		return rc;
	if (d.officer != PO_NONE) {
		/* the officer's decision on top of the automated one (decide.h) */
		out->automated = audit_replay_decision_name(d.outcome);
		snprintf(out->automated_rule, sizeof(out->automated_rule), "%s", d.rule);
		dec = audit_replay_decision_name(d.officer);
		snprintf(out->rule, sizeof(out->rule), "%s", officer_rule(&d));
		out->by = passage_item_str(PI_OFFICER_OVERRIDE);
	} else {
		dec = audit_replay_decision_name(d.outcome);
		snprintf(out->rule, sizeof(out->rule), "%s", d.rule);
		out->by = d.by < PI_COUNT ? passage_item_str(d.by) : "";
	}
	out->decision = dec;
	out->verdict = AUDIT_REPLAY_DISAGREE;
	if (row_decision == NULL || strcmp(row_decision, rec->decision) != 0) {
		snprintf(out->why, sizeof(out->why), "the decision column (%s) is not the payload's "
		    "(%s)", row_decision != NULL ? row_decision : "none", rec->decision);
		return EG_OK;
	}
	if (!reason_column_matches(rec->reason, row_reason)) {
		snprintf(out->why, sizeof(out->why), "the reason column is not the payload's");
		return EG_OK;
	}
	if (strcmp(dec, rec->decision) != 0 || strcmp(out->rule, rec->reason) != 0) {
		/* the recorded reason cut to 64 bytes on a UTF-8 boundary */
		size_t n = strlen(rec->reason);

		if (n > 64)
			for (n = 64; n > 0 && ((uint8_t)rec->reason[n] & 0xC0) == 0x80; n--)
				;
		snprintf(out->why, sizeof(out->why), "recorded %s %.*s, the policy gives %s %s",
		    rec->decision, (int)n, rec->reason, dec, out->rule);
		return EG_OK;
	}
	/* the thresholds the kiosk recorded are the version's */
	for (size_t i = 0; i < rec->x.n; i++) {
		const struct passage_explain_item *it = &rec->x.items[i];
		double t;

		if (!it->has_value || (it->id != PI_LIVENESS && it->id != PI_MATCH_1TO1 &&
		    it->id != PI_WATCHLIST))
			continue;
		(void)passage_score_passes(pol, it->id, it->value, &t);
		if (!(it->threshold == t)) {
			snprintf(out->why, sizeof(out->why), "%s: recorded threshold %.17g, version "
			    "%s has %.17g", passage_item_score_str(it->id), it->threshold,
			    pol->version, t);
			return EG_OK;
		}
	}
	out->verdict = AUDIT_REPLAY_AGREE;
	return EG_OK;
}
