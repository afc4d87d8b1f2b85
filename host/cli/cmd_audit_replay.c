/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate audit replay — every selected passage's decision re-derived from
 * its stored explanation under the decision parameters of its config
 * version (host/audit/audit_replay.h), and compared with the record.
 * Read-only, like every `egate audit` verb. docs/man/egate-audit.1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_replay.h"
#include "cli.h"
#include "cmd_audit.h"
#include "egate/error.h"
#include "egate/json.h"

/* The parameters of one config version, read once. */
struct kept_policy {
	uint64_t version;
	enum audit_replay_verdict status;	/* AGREE: usable; else why not */
	struct passage_policy pol;
	char why[200];
};

struct replay {
	struct audit_db *db;
	int64_t id;			/* > 0: only this record */
	uint64_t seq_lo, seq_hi;	/* seq_hi > 0: only these seqs */
	int json;
	struct eg_json j;
	struct kept_policy *kp;
	size_t nkp;
	uint64_t count[AUDIT_REPLAY_COUNT], total;
	int err;			/* EG_OK, or what stopped the run */
};

static const struct kept_policy *
policy_of(struct replay *r, uint64_t version)
{
	struct kept_policy *k, *grown;
	char *params = NULL;
	int rc;

	for (size_t i = 0; i < r->nkp; i++)
		if (r->kp[i].version == version)
			return &r->kp[i];
	if ((grown = realloc(r->kp, (r->nkp + 1) * sizeof(*grown))) == NULL)
		return NULL;
	r->kp = grown;
	k = &r->kp[r->nkp++];
	memset(k, 0, sizeof(*k));
	k->version = version;
	if (version == 0) {
		k->status = AUDIT_REPLAY_NO_POLICY;
		snprintf(k->why, sizeof(k->why), "decided under the kiosk's own policy file (version "
		    "0): the host never logged its parameters");
		return k;
	}
	rc = audit_policy_params(r->db, version, &params);
	if (rc == EG_ERR_NOT_FOUND) {
		k->status = AUDIT_REPLAY_NO_POLICY;
		snprintf(k->why, sizeof(k->why), "config version %" PRIu64 " is not logged with its "
		    "decision parameters", version);
	} else if (rc == EG_ERR_MAC) {
		k->status = AUDIT_REPLAY_POLICY_TAMPERED;
		snprintf(k->why, sizeof(k->why), "the stored parameters of version %" PRIu64 " differ "
		    "from the digest in its config record", version);
	} else if (rc != EG_OK) {
		r->err = rc;
		r->nkp--;
		return NULL;
	} else {
		uint64_t v = 0;
		char err[160] = "";

		rc = audit_replay_policy_parse(params, strlen(params), &k->pol, &v, err, sizeof(err));
		if (rc == EG_OK && v != version) {
			rc = EG_ERR_FORMAT;
			snprintf(err, sizeof(err), "they name version %" PRIu64, v);
		}
		if (rc != EG_OK) {
			k->status = AUDIT_REPLAY_BAD_POLICY;
			snprintf(k->why, sizeof(k->why), "parameters of version %" PRIu64 ": %s", version,
			    err);
		}
	}
	free(params);
	return k;
}

static void
put_outcome(struct eg_json *j, const char *key, const char *decision, const char *rule)
{
	eg_json_key(j, key);
	eg_json_obj_begin(j);
	eg_json_key(j, "decision");
	if (decision != NULL)
		eg_json_str(j, decision);
	else
		eg_json_null(j);
	eg_json_key(j, "rule");
	if (rule != NULL)
		eg_json_str(j, rule);
	else
		eg_json_null(j);
	eg_json_obj_end(j);
}

static void
report(struct replay *r, const struct audit_row *row, uint64_t version, bool have_version,
    const struct audit_replay_record *rec, const struct audit_replay_result *res,
    enum audit_replay_verdict v, const char *why)
{
	bool replayed = v == AUDIT_REPLAY_AGREE || v == AUDIT_REPLAY_DISAGREE;

	r->count[v]++;
	r->total++;
	if (r->json) {
		eg_json_obj_begin(&r->j);
		eg_json_key_int(&r->j, "id", row->id);
		eg_json_key_str(&r->j, "kiosk_id", row->kiosk_id != NULL ? row->kiosk_id : "");
		eg_json_key_int(&r->j, "seq", row->seq);
		eg_json_key(&r->j, "config_version");
		if (have_version)
			eg_json_uint(&r->j, version);
		else
			eg_json_null(&r->j);
		put_outcome(&r->j, "recorded", row->decision, row->reason);
		if (replayed) {
			put_outcome(&r->j, "replayed", res->decision, res->rule);
			eg_json_key_str(&r->j, "decided_by", res->by);
			if (res->automated != NULL)
				put_outcome(&r->j, "automated", res->automated, res->automated_rule);
		}
		eg_json_key_str(&r->j, "verdict", audit_replay_verdict_name(v));
		eg_json_key_str(&r->j, "why", why);
		eg_json_obj_end(&r->j);
	} else {
		char k[4 * AUDIT_KIOSK_ID_MAX + 8], de[4 * AUDIT_SHORT_MAX + 8],
		    re[4 * AUDIT_SHORT_MAX + 8], w[4 * 256 + 8], rec_s[64], rep_s[64], ver[24];

		snprintf(ver, sizeof(ver), have_version ? "%" PRIu64 : "-", version);
		snprintf(rec_s, sizeof(rec_s), "%.15s %.47s", audit_cli_safe(row->decision, de,
		    sizeof(de)), audit_cli_safe(row->reason, re, sizeof(re)));
		if (replayed)
			snprintf(rep_s, sizeof(rep_s), "%s %s", res->decision, res->rule);
		else
			snprintf(rep_s, sizeof(rep_s), "-");
		printf("%-6" PRId64 " %-10s %-6" PRId64 " %-6s %-36s %-36s %s\n", row->id,
		    audit_cli_safe(row->kiosk_id, k, sizeof(k)), row->seq, ver, rec_s, rep_s,
		    audit_replay_verdict_name(v));
		if (replayed && res->automated != NULL)
			printf("       the officer's decision over the automated %s %s\n", res->automated,
			    res->automated_rule);
		if (why[0] != '\0')
			printf("       %s\n", audit_cli_safe(why, w, sizeof(w)));
	}
	(void)rec;
}

static int
replay_row(void *arg, const struct audit_row *row)
{
	struct replay *r = arg;
	struct audit_replay_record *rec = NULL;
	struct audit_replay_result res;
	const struct kept_policy *kp;
	char err[200] = "";
	int rc;

	if (r->id > 0 && row->id != r->id)
		return row->id > r->id ? 1 : 0;	/* rows come in id order */
	if (r->seq_hi > 0 && ((uint64_t)row->seq < r->seq_lo || (uint64_t)row->seq > r->seq_hi))
		return 0;
	memset(&res, 0, sizeof(res));
	if (row->purged || row->payload == NULL) {
		report(r, row, 0, false, NULL, &res, AUDIT_REPLAY_PURGED,
		    "the explanation was purged by retention");
		goto done;
	}
	if ((rec = malloc(sizeof(*rec))) == NULL) {
		r->err = EG_ERR_NOMEM;
		return 1;
	}
	rc = audit_replay_payload_parse(row->payload, strlen(row->payload), rec, err, sizeof(err));
	if (rc == EG_ERR_NOMEM) {
		r->err = rc;
		free(rec);
		return 1;
	}
	if (rc != EG_OK) {
		report(r, row, 0, false, NULL, &res, AUDIT_REPLAY_MALFORMED, err);
		goto done;
	}
	if ((kp = policy_of(r, rec->config_version)) == NULL) {
		if (r->err == EG_OK)
			r->err = EG_ERR_NOMEM;
		free(rec);
		return 1;
	}
	if (kp->status != AUDIT_REPLAY_AGREE) {
		report(r, row, rec->config_version, true, rec, &res, kp->status, kp->why);
		goto done;
	}
	(void)audit_replay_compare(rec, row->decision, row->reason, &kp->pol, &res);
	report(r, row, rec->config_version, true, rec, &res, res.verdict, res.why);
done:
	free(rec);
	return ferror(stdout) ? (r->err = EG_ERR_IO, 1) : 0;
}

int
audit_cli_replay(struct audit_db *db, const struct audit_filter *f, int64_t id,
    uint64_t seq_lo, uint64_t seq_hi, int json)
{
	struct audit_filter q = *f;
	struct replay r;
	uint64_t bad, unreplayed;
	int rc, ret = EGATE_EXIT_ERROR;

	memset(&r, 0, sizeof(r));
	r.db = db;
	r.id = id;
	r.seq_lo = seq_lo;
	r.seq_hi = seq_hi;
	r.json = json;
	q.type = "passage";
	if (json) {
		eg_json_init(&r.j, stdout);
		eg_json_obj_begin(&r.j);
		eg_json_key(&r.j, "records");
		eg_json_arr_begin(&r.j);
	} else {
		printf("%-6s %-10s %-6s %-6s %-36s %-36s %s\n", "ID", "KIOSK", "SEQ", "CONFIG",
		    "RECORDED", "REPLAYED", "VERDICT");
	}
	rc = audit_query(db, &q, replay_row, &r);
	if (rc != EG_OK && rc != 1)
		r.err = rc;
	if (r.err != EG_OK) {
		if (json)
			(void)eg_json_finish(&r.j);
		cli_err("audit", "replay stopped: %s", eg_strerror(r.err));
		goto out;
	}
	bad = r.count[AUDIT_REPLAY_DISAGREE] + r.count[AUDIT_REPLAY_MALFORMED] +
	    r.count[AUDIT_REPLAY_POLICY_TAMPERED];
	unreplayed = r.count[AUDIT_REPLAY_NO_POLICY] + r.count[AUDIT_REPLAY_BAD_POLICY] +
	    r.count[AUDIT_REPLAY_PURGED];
	if (json) {
		eg_json_arr_end(&r.j);
		eg_json_key(&r.j, "passages");
		eg_json_uint(&r.j, r.total);
		for (int v = 0; v < AUDIT_REPLAY_COUNT; v++) {
			eg_json_key(&r.j, audit_replay_verdict_name((enum audit_replay_verdict)v));
			eg_json_uint(&r.j, r.count[v]);
		}
		eg_json_key_str(&r.j, "verdict", bad > 0 ? "DISAGREE" : unreplayed > 0 ||
		    r.total == 0 ? "INCOMPLETE" : "AGREE");
		eg_json_obj_end(&r.j);
		if (eg_json_finish(&r.j) != EG_OK)
			goto out;
	} else if (r.total == 0) {
		printf("INCOMPLETE: no passage record selected\n");
	} else {
		printf("%s: %" PRIu64 " passage%s replayed: %" PRIu64 " agree, %" PRIu64 " disagree, "
		    "%" PRIu64 " malformed, %" PRIu64 " under tampered parameters; %" PRIu64
		    " not replayable (%" PRIu64 " without logged parameters, %" PRIu64
		    " with unreadable ones, %" PRIu64 " purged)\n",
		    bad > 0 ? "DISAGREE" : unreplayed > 0 ? "INCOMPLETE" : "AGREE", r.total,
		    r.total == 1 ? "" : "s", r.count[AUDIT_REPLAY_AGREE],
		    r.count[AUDIT_REPLAY_DISAGREE], r.count[AUDIT_REPLAY_MALFORMED],
		    r.count[AUDIT_REPLAY_POLICY_TAMPERED], unreplayed, r.count[AUDIT_REPLAY_NO_POLICY],
		    r.count[AUDIT_REPLAY_BAD_POLICY], r.count[AUDIT_REPLAY_PURGED]);
	}
	if (fflush(stdout) != 0)
		goto out;
	ret = bad > 0 ? EGATE_EXIT_FAIL : unreplayed > 0 || r.total == 0 ?
	    AUDIT_EXIT_NOT_REPLAYED : EGATE_EXIT_OK;
out:
	free(r.kp);
	return ret;
}
