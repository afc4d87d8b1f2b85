/* SPDX-License-Identifier: Apache-2.0 */
/* passage.c — the engine that runs passage_table (see passage.h). */
#include <stdio.h>
#include <string.h>

#include "egate/error.h"
#include "egate/log.h"
#include "passage.h"

static const char *const state_names[] = {
#define X_(n, d) #n,
	PASSAGE_STATES(X_)
#undef X_
};
static const char *const state_helps[] = {
#define X_(n, d) d,
	PASSAGE_STATES(X_)
#undef X_
};
static const char *const event_names[] = {
#define X_(n, d) #n,
	PASSAGE_EVENTS(X_)
#undef X_
};
static const char *const event_helps[] = {
#define X_(n, d) d,
	PASSAGE_EVENTS(X_)
#undef X_
};
static const char *const check_names[] = {
#define X_(n, d) #n,
	PASSAGE_DOC_CHECKS(X_)
#undef X_
};

const char *
passage_state_str(enum passage_state s)
{
	return (unsigned)s < PS_COUNT ? state_names[s] : "ANY_ACTIVE";
}

const char *
passage_state_help(enum passage_state s)
{
	return (unsigned)s < PS_COUNT ? state_helps[s] : "any state of an active passage";
}

const char *
passage_event_str(enum passage_event_type e)
{
	return (unsigned)e < PE_COUNT ? event_names[e] : "?";
}

const char *
passage_event_help(enum passage_event_type e)
{
	return (unsigned)e < PE_COUNT ? event_helps[e] : "?";
}

const char *
passage_doc_check_str(enum passage_doc_check c)
{
	return (unsigned)c < PDC_COUNT ? check_names[c] : "?";
}

static const char *const item_names[] = {
#define X_(id, n, sc) n,
	PASSAGE_ITEMS(X_)
#undef X_
};
static const char *const item_scores[] = {
#define X_(id, n, sc) sc,
	PASSAGE_ITEMS(X_)
#undef X_
};

const char *
passage_item_str(enum passage_item id)
{
	return (unsigned)id < PI_COUNT ? item_names[id] : "?";
}

const char *
passage_item_score_str(enum passage_item id)
{
	if ((unsigned)id >= PI_COUNT)
		return "?";
	return item_scores[id] != NULL ? item_scores[id] : item_names[id];
}

const char *
passage_item_name(const struct passage_explain_item *it, char *buf, size_t cap)
{
	if (it->id == PI_PAD_CUE)
		snprintf(buf, cap, "pad_%s", it->sub);
	else
		snprintf(buf, cap, "%s", passage_item_str(it->id));
	return buf;
}

const char *
passage_item_result_str(const struct passage_explain_item *it)
{
	switch (it->result) {
	case PCR_PASS:
		return it->id == PI_WATCHLIST ? "clear" : it->id == PI_OFFICER_OVERRIDE ? "open" :
		    "pass";
	case PCR_FAIL:
		return it->id == PI_WATCHLIST ? "hit" : it->id == PI_OFFICER_OVERRIDE ? "reject" :
		    "fail";
	case PCR_ABSENT:
		return "absent";
	default:
		return "not_checked";
	}
}

const char *
passage_outcome_str(enum passage_outcome o)
{
	static const char *const n[] = { "NONE", "OPEN", "REFER", "ABANDONED", "REJECT" };

	return (unsigned)o < sizeof(n) / sizeof(n[0]) ? n[o] : "?";
}

const struct passage_explain_item *
passage_explanation_find(const struct passage_explanation *x, enum passage_item id,
    const char *sub)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->items[i].id == id && (sub == NULL || strcmp(x->items[i].sub, sub) == 0))
			return &x->items[i];
	return NULL;
}

const char *
passage_effect_str(enum passage_effect e)
{
	static const char *const names[] = {
		[PX_NONE] = "none",
		[PX_PROMPT_PLACE_DOC] = "prompt_place_doc",
		[PX_PROMPT_LOOK] = "prompt_look",
		[PX_PROMPT_RETAKE] = "prompt_retake",
		[PX_PROMPT_PROCEED] = "prompt_proceed",
		[PX_PROMPT_SEE_OFFICER] = "prompt_see_officer",
		[PX_PROMPT_ONE_PERSON] = "prompt_one_person",
		[PX_PROMPT_CLOSED] = "prompt_closed",
		[PX_READ_MRZ] = "read_mrz",
		[PX_OPEN_CHIP] = "open_chip",
		[PX_RUN_CHECKS] = "run_checks",
		[PX_CAPTURE_FACE] = "capture_face",
		[PX_RUN_LIVENESS] = "run_liveness",
		[PX_RUN_MATCH] = "run_match",
		[PX_RUN_WATCHLIST] = "run_watchlist",
		[PX_GATE_OPEN] = "gate_open",
		[PX_GATE_CLOSE] = "gate_close",
		[PX_NOTIFY_OFFICER] = "notify_officer",
		[PX_REPORT] = "report",
		[PX_WIPE] = "wipe",
		[PX_START_TIMER] = "start_timer",
	};

	return (unsigned)e < sizeof(names) / sizeof(names[0]) && names[e] ? names[e] : "?";
}

void
passage_policy_default(struct passage_policy *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->version, sizeof(p->version), "default");
	p->mandatory = (1u << PDC_COUNT) - 1;
	p->no_chip_auth = PASSAGE_ABSENT_REFER;
	/* docs/face.md: genuine pairs >= 0.46, impostors <= 0.43 on the
	 * synthetic set; the threshold leans to refusing */
	p->match_threshold = 0.50;
	p->liveness_threshold = 0.50;
	p->watchlist_threshold = 0.50;
	p->watchlist_action = PASSAGE_HIT_REFER;
	p->max_capture_attempts = 3;
	p->timeout_ms[PS_READING_MRZ] = 10000;
	p->timeout_ms[PS_CHIP_ACCESS] = 10000;
	p->timeout_ms[PS_DOC_CHECKS] = 15000;
	p->timeout_ms[PS_FACE_CAPTURE] = 15000;
	p->timeout_ms[PS_LIVENESS] = 5000;
	p->timeout_ms[PS_MATCH] = 5000;
	p->timeout_ms[PS_WATCHLIST] = 5000;
	/* the gate: the door confirms within 3 s, the traveller has 20 s to
	 * go through */
	p->timeout_ms[PS_GATE_OPENING] = 3000;
	p->timeout_ms[PS_GATE_OPEN] = 20000;
	p->timeout_ms[PS_GATE_CLOSING] = 3000;
}

void
passage_init(struct passage *p, const struct passage_policy *policy,
    const char *model_version, const struct eg_log *log)
{
	memset(p, 0, sizeof(*p));
	p->state = PS_IDLE;
	p->policy = policy;
	p->model_version = model_version;
	p->log = log;
}

bool
passage_is_active(enum passage_state s)
{
	return s >= PS_READING_MRZ && s <= PS_WATCHLIST;
}

static bool
matches(const struct passage_transition *t, enum passage_state s, enum passage_event_type e)
{
	if (t->event != e)
		return false;
	return t->from == s || (t->from == PS_ANY_ACTIVE && passage_is_active(s));
}

int
passage_handle(struct passage *p, const struct passage_event *ev, struct passage_effects *fx)
{
	enum passage_state from = p->state;

	fx->n = 0;
	for (size_t i = 0; i < passage_table_len; i++) {
		const struct passage_transition *t = &passage_table[i];
		if (!matches(t, from, ev->type) || (t->guard != NULL && !t->guard(p, ev)))
			continue;
		/* actions see the state they leave; then the machine moves */
		if (t->action != NULL)
			t->action(p, ev, fx);
		p->state = t->to;
		if (p->policy->timeout_ms[p->state] > 0 && fx->n < PASSAGE_MAX_EFFECTS)
			fx->e[fx->n++] = PX_START_TIMER;
		EG_LOG(p->log, EG_LOG_INFO, "passage.transition",
		    EG_STR("from", passage_state_str(from)),
		    EG_STR("event", passage_event_str(ev->type)),
		    EG_STR("guard", t->guard_name != NULL ? t->guard_name : "-"),
		    EG_STR("action", t->action_name != NULL ? t->action_name : "-"),
		    EG_STR("to", passage_state_str(p->state)));
		return EG_OK;
	}
	EG_LOG(p->log, EG_LOG_DEBUG, "passage.ignored",
	    EG_STR("state", passage_state_str(from)),
	    EG_STR("event", passage_event_str(ev->type)));
	return EG_ERR_STATE;
}
