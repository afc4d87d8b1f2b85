/* SPDX-License-Identifier: Apache-2.0 */
/* explain.c — the canonical JSON explanation of a passage (see explain.h). */
#include <stdio.h>
#include <stdlib.h>

#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"
#include "explain.h"

const char *
proto_decision_name(Egate__Decision d)
{
	switch (d) {
	case EGATE__DECISION__DECISION_OPEN: return "OPEN";
	case EGATE__DECISION__DECISION_REFER: return "REFER";
	case EGATE__DECISION__DECISION_REJECT: return "REJECT";
	case EGATE__DECISION__DECISION_ABORTED: return "ABORTED";
	case EGATE__DECISION__DECISION_FAULT: return "FAULT";
	default: break;
	}
	return "UNSPECIFIED";
}

const char *
proto_check_result_name(Egate__CheckResult r)
{
	switch (r) {
	case EGATE__CHECK_RESULT__CHECK_PASS: return "pass";
	case EGATE__CHECK_RESULT__CHECK_FAIL: return "fail";
	case EGATE__CHECK_RESULT__CHECK_SKIPPED: return "skipped";
	case EGATE__CHECK_RESULT__CHECK_ERROR: return "error";
	default: break;
	}
	return "unspecified";
}

const char *
proto_officer_action_name(Egate__OfficerAction a)
{
	switch (a) {
	case EGATE__OFFICER_ACTION__OFFICER_OPEN: return "OPEN";
	case EGATE__OFFICER_ACTION__OFFICER_HOLD: return "HOLD";
	case EGATE__OFFICER_ACTION__OFFICER_RELEASE: return "RELEASE";
	case EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN: return "OVERRIDE_OPEN";
	case EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT: return "OVERRIDE_REJECT";
	default: break;
	}
	return "UNSPECIFIED";
}

/* A string that may be NULL or empty: written as "" either way, so the
 * layout never depends on protobuf presence. */
static void
key_str(struct eg_json *j, const char *k, const char *v)
{
	eg_json_key_str(j, k, v != NULL ? v : "");
}

int
proto_passage_payload(const Egate__PassageEvent *e, char **json, size_t *len)
{
	const Egate__Identifiers *id;
	struct eg_json j;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int ret = EG_ERR_INVAL;

	if (json != NULL)
		*json = NULL;
	if (len != NULL)
		*len = 0;
	if (e == NULL || json == NULL || len == NULL)
		return EG_ERR_INVAL;
	f = open_memstream(&buf, &n);
	if (f == NULL)
		return EG_ERR_NOMEM;
	id = e->identifiers;
	eg_json_init(&j, f);
	eg_json_obj_begin(&j);
	eg_json_key(&j, "seq");
	eg_json_uint(&j, e->seq);
	eg_json_key_int(&j, "ts_ms", e->ts_ms);
	eg_json_key_str(&j, "decision", proto_decision_name(e->decision));
	key_str(&j, "reason", e->reason);
	eg_json_key(&j, "checks");
	eg_json_arr_begin(&j);
	for (size_t i = 0; i < e->n_checks; i++) {
		const Egate__Check *c = e->checks[i];

		eg_json_obj_begin(&j);
		key_str(&j, "name", c->name);
		eg_json_key_str(&j, "result", proto_check_result_name(c->result));
		key_str(&j, "detail", c->detail);
		eg_json_obj_end(&j);
	}
	eg_json_arr_end(&j);
	eg_json_key(&j, "scores");
	eg_json_arr_begin(&j);
	for (size_t i = 0; i < e->n_scores; i++) {
		const Egate__Score *s = e->scores[i];

		eg_json_obj_begin(&j);
		key_str(&j, "name", s->name);
		eg_json_key_double(&j, "value", s->value);
		eg_json_key_double(&j, "threshold", s->threshold);
		eg_json_key_bool(&j, "passed", s->passed);
		eg_json_obj_end(&j);
	}
	eg_json_arr_end(&j);
	key_str(&j, "model_version", e->model_version);
	eg_json_key(&j, "config_version");
	eg_json_uint(&j, e->config_version);
	/* not personal: the issuing state and the kind of document */
	key_str(&j, "issuing_state", id != NULL ? id->issuing_state : NULL);
	key_str(&j, "document_type", id != NULL ? id->document_type : NULL);
	eg_json_key(&j, "duration_ms");
	eg_json_uint(&j, e->duration_ms);
	key_str(&j, "officer_id", e->officer_id);
	eg_json_key(&j, "command_id");
	eg_json_uint(&j, e->command_id);
	eg_json_key(&j, "overrides_seq");
	eg_json_uint(&j, e->overrides_seq);
	eg_json_obj_end(&j);
	ret = eg_json_finish(&j);
	if (fclose(f) != 0 && ret == EG_OK)
		ret = EG_ERR_IO;
	if (ret != EG_OK || buf == NULL) {
		if (ret == EG_OK)
			ret = EG_ERR_NOMEM;
		free(buf);
		return ret;
	}
	/* eg_json_finish ends the document with a newline: not part of it */
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	*json = buf;
	*len = n;
	return EG_OK;
}
