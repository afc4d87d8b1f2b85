/* SPDX-License-Identifier: Apache-2.0 */
/* decide.c — the decision of a passage as a pure function (see decide.h). */
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "egate/error.h"
#include "policy.h"

/* ---- predicates --------------------------------------------------------------- */

bool
passage_issuer_accepted(const char *list, const char *state, const char *type)
{
	const char *p = list;
	size_t sl;

	if (p == NULL || *p == '\0')
		return true;
	if (state == NULL || *state == '\0')
		return false;
	sl = strlen(state);
	while (*p != '\0') {
		const char *e = strchr(p, ',');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		char item[16];

		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		if (n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			while (n > 0 && item[n - 1] == ' ')
				item[--n] = '\0';
			if (strcmp(item, state) == 0 ||
			    (strncmp(item, state, sl) == 0 && item[sl] == ':' && type != NULL &&
			    strcmp(item + sl + 1, type) == 0))
				return true;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	return false;
}

bool
passage_age_passes(int age, int min_age)
{
	if (min_age <= 0)
		return true;
	return age >= 0 && age >= min_age;
}

void
passage_holder_checks(const struct passage_policy *p, const struct passage_holder *h,
    enum passage_check_result c[PDC_COUNT])
{
	if (h == NULL || !h->known) {
		c[PDC_ISSUER_ACCEPTED] = PCR_NOT_CHECKED;
		c[PDC_MIN_AGE] = PCR_NOT_CHECKED;
		return;
	}
	c[PDC_ISSUER_ACCEPTED] = passage_issuer_accepted(p->accepted_issuers, h->issuing_state,
	    h->document_type) ? PCR_PASS : PCR_FAIL;
	c[PDC_MIN_AGE] = passage_age_passes(h->age, p->min_age) ? PCR_PASS : PCR_FAIL;
}

/* Rule names are the check's UPPER_CASE name in lower case behind a prefix:
 * "failed:" + "DG_HASHES" -> "failed:dg_hashes". */
static void
rule_name(char *out, size_t cap, const char *prefix, enum passage_doc_check c)
{
	if (out != NULL && cap > 0)
		snprintf(out, cap, "%s%s", prefix, passage_item_str((enum passage_item)c));
}

static bool
check_passes(const struct passage_policy *p, enum passage_doc_check c,
    enum passage_check_result r)
{
	return r == PCR_PASS || (c == PDC_CHIP_AUTH && r == PCR_ABSENT &&
	    p->no_chip_auth == PASSAGE_ABSENT_ACCEPT);
}

bool
passage_doc_verdict(const struct passage_policy *p, const enum passage_check_result c[PDC_COUNT],
    char *rule, size_t cap)
{
	/* a failed check first (it is evidence), else the first mandatory one
	 * not passed (a failure can stop later checks from running at all) */
	for (int i = 0; i < PDC_COUNT; i++)
		if (c[i] == PCR_FAIL) {
			rule_name(rule, cap, "failed:", (enum passage_doc_check)i);
			return false;
		}
	for (int i = 0; i < PDC_COUNT; i++)
		if (((p->mandatory >> i) & 1u) && !check_passes(p, (enum passage_doc_check)i, c[i])) {
			rule_name(rule, cap, "missing:", (enum passage_doc_check)i);
			return false;
		}
	return true;
}

bool
passage_score_passes(const struct passage_policy *p, enum passage_item id, double value,
    double *threshold)
{
	double t;
	bool pass;

	switch (id) {
	case PI_LIVENESS:
		t = p->liveness_threshold;
		pass = value >= t;
		break;
	case PI_MATCH_1TO1:
		t = p->match_threshold;
		pass = value >= t;
		break;
	case PI_WATCHLIST:
		t = p->watchlist_threshold;
		pass = value < t;
		break;
	default:
		return false;
	}
	if (threshold != NULL)
		*threshold = t;
	return pass;
}

/* ---- the decision -------------------------------------------------------------- */

static void
set(struct passage_decision *d, enum passage_outcome o, const char *rule, enum passage_item by)
{
	d->outcome = o;
	snprintf(d->rule, sizeof(d->rule), "%s", rule);
	d->by = by;
}

/* issuer_accepted's detail is "STATE" or "STATE:TYPE" (decide.h). */
static enum passage_check_result
issuer_again(const struct passage_policy *p, const struct passage_explain_item *it)
{
	char state[8] = "", type[4] = "";
	const char *colon = strchr(it->detail, ':');
	size_t n = colon != NULL ? (size_t)(colon - it->detail) : strlen(it->detail);

	if (it->result == PCR_NOT_CHECKED || it->detail[0] == '\0' || n >= sizeof(state))
		return it->result;
	memcpy(state, it->detail, n);
	if (colon != NULL)
		snprintf(type, sizeof(type), "%s", colon + 1);
	return passage_issuer_accepted(p->accepted_issuers, state, type) ? PCR_PASS : PCR_FAIL;
}

int
passage_decide(const struct passage_explanation *x, const struct passage_policy *p,
    struct passage_decision *out)
{
	enum passage_check_result doc[PDC_COUNT];
	char rule[48];

	if (x == NULL || p == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->by = PI_COUNT;
	for (int i = 0; i < PDC_COUNT; i++)
		doc[i] = PCR_NOT_CHECKED;
	for (size_t i = 0; i < x->n; i++) {
		const struct passage_explain_item *it = &x->items[i];

		if (it->id == PI_OFFICER_OVERRIDE)
			out->officer = it->result == PCR_PASS ? PO_OPEN : PO_REJECT;
		if (out->outcome != PO_NONE)
			continue;	/* decided; only an officer's item is still looked at */
		switch (it->id) {
		case PI_MRZ_VALID:
			doc[PDC_MRZ_VALID] = it->result;
			if (it->result == PCR_FAIL)
				set(out, PO_REFER, "mrz_invalid", it->id);
			break;
		case PI_CHIP_ACCESS:
			doc[PDC_CHIP_ACCESS] = it->result;
			if (it->result == PCR_FAIL)
				set(out, PO_REFER, "chip_unreadable", it->id);
			break;
		case PI_PASSIVE_AUTH: case PI_DG_HASHES: case PI_DG1_MATCHES_MRZ: case PI_CHIP_AUTH:
		case PI_NOT_EXPIRED: case PI_ISSUER_ACCEPTED: case PI_MIN_AGE:
			doc[it->id] = it->id == PI_ISSUER_ACCEPTED ? issuer_again(p, it) : it->result;
			/* the machine records the nine together, MIN_AGE last */
			if (it->id == PI_MIN_AGE && !passage_doc_verdict(p, doc, rule, sizeof(rule)))
				set(out, PO_REFER, rule, it->id);
			break;
		case PI_ONE_PERSON:
			if (it->result == PCR_FAIL)
				set(out, PO_REFER, "more_than_one_person", it->id);
			break;
		case PI_FACE_QUALITY:
			if (it->result == PCR_FAIL)
				set(out, PO_REFER, "face_capture_failed", it->id);
			break;
		case PI_LIVENESS:
			if (it->has_value && !passage_score_passes(p, it->id, it->value, NULL))
				set(out, PO_REFER, "pad_alarm", it->id);
			break;
		case PI_MATCH_1TO1:
			if (it->has_value && !passage_score_passes(p, it->id, it->value, NULL))
				set(out, PO_REFER, "biometric_mismatch", it->id);
			break;
		case PI_WATCHLIST:
			if (!it->has_value)
				break;
			if (passage_score_passes(p, it->id, it->value, NULL))
				set(out, PO_OPEN, "all_checks_passed", it->id);
			else
				set(out, PO_REFER, "watchlist_hit", it->id);
			break;
		case PI_TIMEOUT:
		case PI_DEVICE_LOST:
		case PI_OFFICER_HOLD:
			set(out, PO_REFER, passage_item_str(it->id), it->id);
			break;
		case PI_DOC_REMOVED:
		case PI_TRAVELLER_LEFT:
			snprintf(rule, sizeof(rule), "abandoned:%s", passage_item_str(it->id));
			set(out, PO_ABANDONED, rule, it->id);
			break;
		default:	/* PAD cues, the door, the passage sensor: evidence only */
			break;
		}
	}
	return EG_OK;
}

/* ---- replay support --------------------------------------------------------------- */

int
passage_item_parse(const char *name, enum passage_item *id, char *sub)
{
	if (name == NULL || id == NULL)
		return EG_ERR_INVAL;
	for (int i = 0; i < PI_COUNT; i++) {
		if (i == PI_PAD_CUE)
			continue;
		if (strcmp(name, passage_item_str((enum passage_item)i)) == 0 ||
		    strcmp(name, passage_item_score_str((enum passage_item)i)) == 0) {
			*id = (enum passage_item)i;
			if (sub != NULL)
				sub[0] = '\0';
			return EG_OK;
		}
	}
	if (strncmp(name, "pad_", 4) == 0 && name[4] != '\0' &&
	    strlen(name + 4) < PASSAGE_ITEM_SUB_MAX) {
		*id = PI_PAD_CUE;
		if (sub != NULL)
			snprintf(sub, PASSAGE_ITEM_SUB_MAX, "%s", name + 4);
		return EG_OK;
	}
	return EG_ERR_NOT_FOUND;
}

enum passage_check_result
passage_result_parse(const char *result, const char *detail)
{
	if (result == NULL)
		return PCR_NOT_CHECKED;
	if (strcmp(result, "pass") == 0)
		return PCR_PASS;
	if (strcmp(result, "fail") == 0)
		return PCR_FAIL;
	if (strcmp(result, "skipped") == 0 && detail != NULL && strcmp(detail, "absent") == 0)
		return PCR_ABSENT;
	return PCR_NOT_CHECKED;
}

int
passage_policy_from_proto(const struct policy *pp, const struct passage_policy *base,
    struct passage_policy *out, char *err, size_t errlen)
{
	struct passage_policy np;

	if (pp == NULL || out == NULL)
		return EG_ERR_INVAL;
	if (base != NULL)
		np = *base;	/* timeouts stay */
	else
		passage_policy_default(&np);
	snprintf(np.version, sizeof(np.version), "%llu", (unsigned long long)pp->version);
	np.match_threshold = pp->threshold[POLICY_T_MATCH];
	np.liveness_threshold = pp->threshold[POLICY_T_LIVENESS];
	np.watchlist_threshold = pp->threshold[POLICY_T_WATCHLIST];
	np.max_capture_attempts = (int)pp->threshold[POLICY_T_MAX_CAPTURES];
	np.min_age = (int)pp->threshold[POLICY_T_MIN_AGE];
	np.no_chip_auth = pp->no_chip_auth == POLICY_NCA_ACCEPT ? PASSAGE_ABSENT_ACCEPT :
	    PASSAGE_ABSENT_REFER;
	np.watchlist_action = pp->watchlist_action == POLICY_WL_REFER_SILENT ?
	    PASSAGE_HIT_REFER_SILENT : PASSAGE_HIT_REFER;
	/* the policy's check names are the machine's (decide.h: one list) */
	np.mandatory = 0;
	for (int c = 0; c < POLICY_C_COUNT; c++) {
		enum passage_item id;

		if (!(pp->mandatory & (1u << c)))
			continue;
		if (passage_item_parse(policy_doc_check_name((enum policy_doc_check)c), &id,
		    NULL) != EG_OK || (int)id >= PDC_COUNT) {
			eg_errbuf(err, errlen, "mandatory check %s unknown to this kiosk",
			    policy_doc_check_name((enum policy_doc_check)c));
			return EG_ERR_CONFIG;
		}
		np.mandatory |= 1u << id;
	}
	if (strlen(pp->setting[POLICY_S_ACCEPTED_ISSUERS]) >= sizeof(np.accepted_issuers)) {
		eg_errbuf(err, errlen, "accepted_issuers longer than %zu bytes",
		    sizeof(np.accepted_issuers) - 1);
		return EG_ERR_OVERFLOW;
	}
	snprintf(np.accepted_issuers, sizeof(np.accepted_issuers), "%s",
	    pp->setting[POLICY_S_ACCEPTED_ISSUERS]);
	*out = np;
	return EG_OK;
}
