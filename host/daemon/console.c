/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console.c — the officer console inside egate-host's network child
 * (proto/PROTOCOL.md, "OfficerRequest and OfficerReply"; docs/host.md).
 *
 * It keeps, in memory, what officers ask about: every kiosk seen since the
 * child started (connection, last Heartbeat, versions, events) and the
 * explanations of its recent referrals. An officer's action goes through
 * three steps, in this order: the monitor appends an `officer` audit record
 * (no action happens unlogged), the OfficerCommand goes to the kiosk, and
 * the kiosk's CommandResult is appended as an `officer_result` record and
 * relayed to the officer. A kiosk that does not answer within
 * CONSOLE_COMMAND_TIMEOUT_MS gets the officer an error instead.
 *
 * The registry is bounded (CONSOLE_KIOSKS_MAX kiosks, CONSOLE_REFERRALS
 * explanations each, CONSOLE_PENDING_MAX commands in flight) and holds no
 * personal data: payloads are the audit payloads, which never contain
 * identifiers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/json.h"
#include "explain.h"
#include "net_int.h"
#include "privsep.h"

#define CONSOLE_KIOSKS_MAX 4096
#define CONSOLE_REFERRALS 8		/* recent REFER explanations per kiosk */
#define CONSOLE_DEVICES 8
#define CONSOLE_PENDING_MAX 64
#define CONSOLE_COMMAND_TIMEOUT_MS 10000
#define CONSOLE_REASON_MAX 200		/* fits the audit record's reason */

struct referral {
	uint64_t seq;			/* 0: empty slot */
	int64_t ts_ms;
	char reason[48];
	char *payload;			/* audit payload JSON (heap) */
};

struct kiosk_entry {
	char id[AUDIT_KIOSK_ID_MAX + 1];
	struct conn *c;			/* the live connection, NULL when offline */
	int64_t last_seen_ms;		/* wall clock */
	char firmware[32];
	uint64_t config_version;
	uint64_t events;
	bool has_hb;
	char state[32], last_decision[16], last_reason[48];
	uint64_t referral_seq;
	bool held;
	int64_t hb_ts_ms, last_ts_ms;
	uint64_t uptime_s;
	uint32_t pending;
	size_t ndev;
	struct {
		char name[16], detail[48];
		Egate__DeviceHealth health;
	} dev[CONSOLE_DEVICES];
	struct referral ref[CONSOLE_REFERRALS];
	size_t ref_next;
};

struct command {
	uint64_t command_id;		/* 0: free slot */
	struct conn *officer;		/* NULL once the officer went away */
	uint64_t request_id;
	char officer_id[AUDIT_KIOSK_ID_MAX + 1];
	char kiosk[AUDIT_KIOSK_ID_MAX + 1];
	char action[24];
	int64_t deadline_ms;		/* monotonic */
};

struct console {
	struct kiosk_entry *k;
	size_t n, cap;
	uint64_t next_command_id;
	struct command cmd[CONSOLE_PENDING_MAX];
};

struct console *
console_new(void)
{
	struct console *con = calloc(1, sizeof(*con));

	/* unique per host: wall-clock milliseconds at start, then counting */
	if (con != NULL)
		con->next_command_id = (uint64_t)host_wall_ms();
	return con;
}

void
console_free(struct console **conp)
{
	struct console *con;

	if (conp == NULL || (con = *conp) == NULL)
		return;
	for (size_t i = 0; i < con->n; i++)
		for (size_t r = 0; r < CONSOLE_REFERRALS; r++)
			free(con->k[i].ref[r].payload);
	free(con->k);
	free(con);
	*conp = NULL;
}

static void
copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

static struct kiosk_entry *
find(struct console *con, const char *id)
{
	for (size_t i = 0; i < con->n; i++)
		if (strcmp(con->k[i].id, id) == 0)
			return &con->k[i];
	return NULL;
}

static struct kiosk_entry *
find_or_add(struct console *con, const char *id)
{
	struct kiosk_entry *e = find(con, id);

	if (e != NULL)
		return e;
	if (con->n == con->cap) {
		size_t cap = con->cap ? con->cap * 2 : 16;
		struct kiosk_entry *k;

		if (cap > CONSOLE_KIOSKS_MAX || (k = realloc(con->k, cap * sizeof(*k))) == NULL)
			return NULL;
		con->k = k;
		con->cap = cap;
	}
	e = &con->k[con->n++];
	memset(e, 0, sizeof(*e));
	copy(e->id, sizeof(e->id), id);
	return e;
}

void
console_kiosk_online(struct net *n, struct conn *c, const Egate__Hello *h)
{
	struct kiosk_entry *e;

	if (n->con == NULL || (e = find_or_add(n->con, c->cn)) == NULL)
		return;
	e->c = c;
	e->last_seen_ms = host_wall_ms();
	copy(e->firmware, sizeof(e->firmware), h->firmware_version);
	e->config_version = h->config_version;
}

void
console_conn_gone(struct net *n, struct conn *c)
{
	struct console *con = n->con;

	if (con == NULL)
		return;
	for (size_t i = 0; i < con->n; i++)
		if (con->k[i].c == c)
			con->k[i].c = NULL;
	for (size_t i = 0; i < CONSOLE_PENDING_MAX; i++)
		if (con->cmd[i].command_id != 0 && con->cmd[i].officer == c)
			con->cmd[i].officer = NULL;	/* the answer is still logged */
}

void
console_heartbeat(struct net *n, struct conn *c, const Egate__Heartbeat *hb)
{
	struct kiosk_entry *e;

	if (n->con == NULL || (e = find(n->con, c->cn)) == NULL)
		return;
	e->last_seen_ms = host_wall_ms();
	e->has_hb = true;
	copy(e->state, sizeof(e->state), hb->state);
	copy(e->last_decision, sizeof(e->last_decision), hb->last_decision);
	copy(e->last_reason, sizeof(e->last_reason), hb->last_reason);
	e->referral_seq = hb->referral_seq;
	e->held = hb->held;
	e->hb_ts_ms = hb->ts_ms;
	e->last_ts_ms = hb->last_ts_ms;
	e->uptime_s = hb->uptime_s;
	e->pending = hb->pending_events;
	if (hb->config_version != 0)
		e->config_version = hb->config_version;
	e->ndev = hb->n_devices < CONSOLE_DEVICES ? hb->n_devices : CONSOLE_DEVICES;
	for (size_t i = 0; i < e->ndev; i++) {
		copy(e->dev[i].name, sizeof(e->dev[i].name), hb->devices[i]->name);
		copy(e->dev[i].detail, sizeof(e->dev[i].detail), hb->devices[i]->detail);
		e->dev[i].health = hb->devices[i]->health;
		if (hb->devices[i]->health == EGATE__DEVICE_HEALTH__DEVICE_FAILED)
			EG_LOG(&n->lg, EG_LOG_WARN, "alarm.device_failed", EG_STR("kiosk", c->cn),
			    EG_STR("device", e->dev[i].name), EG_STR("detail", e->dev[i].detail));
	}
}

void
console_passage(struct net *n, struct conn *c, const Egate__PassageEvent *e, const char *json)
{
	struct kiosk_entry *k;
	struct referral *r;

	if (n->con == NULL || (k = find(n->con, c->cn)) == NULL)
		return;
	k->events++;
	k->last_seen_ms = host_wall_ms();
	if (e->decision != EGATE__DECISION__DECISION_REFER || json == NULL)
		return;
	for (size_t i = 0; i < CONSOLE_REFERRALS; i++)
		if (k->ref[i].seq == e->seq)
			return;		/* a resend */
	r = &k->ref[k->ref_next];
	k->ref_next = (k->ref_next + 1) % CONSOLE_REFERRALS;
	free(r->payload);
	r->payload = strdup(json);
	r->seq = r->payload != NULL ? e->seq : 0;
	r->ts_ms = e->ts_ms;
	copy(r->reason, sizeof(r->reason), e->reason);
}

void
console_config_applied(struct net *n, struct conn *c, const Egate__ConfigApplied *a)
{
	struct kiosk_entry *k;

	if (n->con != NULL && a->ok && (k = find(n->con, c->cn)) != NULL)
		k->config_version = a->version;
}

/* ---- replies ---------------------------------------------------------------------- */

static void
reply_error(struct net *n, struct conn *c, uint64_t request_id, uint64_t command_id,
    Egate__ErrorCode code, const char *detail)
{
	Egate__Envelope env;
	Egate__OfficerReply r;
	Egate__Error e;

	egate__envelope__init(&env);
	egate__officer_reply__init(&r);
	egate__error__init(&e);
	e.code = code;
	e.detail = (char *)(uintptr_t)detail;
	r.request_id = request_id;
	r.command_id = command_id;
	r.error = &e;
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REPLY;
	env.officer_reply = &r;
	EG_LOG(&n->lg, EG_LOG_NOTICE, "officer.refused", EG_STR("officer", c->cn),
	    EG_UINT("request_id", request_id), EG_STR("reason", detail));
	(void)conn_send(n, c, &env);
}

static void
reply_status(struct net *n, struct conn *c, uint64_t request_id)
{
	struct console *con = n->con;
	Egate__Envelope env;
	Egate__OfficerReply r;
	Egate__KioskStatus *ks = calloc(con->n ? con->n : 1, sizeof(*ks));
	Egate__KioskStatus **ksp = calloc(con->n ? con->n : 1, sizeof(*ksp));
	Egate__Heartbeat *hb = calloc(con->n ? con->n : 1, sizeof(*hb));
	Egate__DeviceStatus *ds = calloc((con->n ? con->n : 1) * CONSOLE_DEVICES, sizeof(*ds));
	Egate__DeviceStatus **dsp = calloc((con->n ? con->n : 1) * CONSOLE_DEVICES, sizeof(*dsp));

	if (ks == NULL || ksp == NULL || hb == NULL || ds == NULL || dsp == NULL) {
		reply_error(n, c, request_id, 0, EGATE__ERROR_CODE__ERROR_INTERNAL, "out of memory");
		goto out;
	}
	egate__envelope__init(&env);
	egate__officer_reply__init(&r);
	for (size_t i = 0; i < con->n; i++) {
		struct kiosk_entry *e = &con->k[i];

		egate__kiosk_status__init(&ks[i]);
		ks[i].kiosk_id = e->id;
		ks[i].connected = e->c != NULL;
		ks[i].last_seen_ms = e->last_seen_ms;
		ks[i].firmware_version = e->firmware;
		ks[i].config_version = e->config_version;
		ks[i].events = e->events;
		if (e->has_hb) {
			egate__heartbeat__init(&hb[i]);
			hb[i].ts_ms = e->hb_ts_ms;
			hb[i].uptime_s = e->uptime_s;
			hb[i].state = e->state;
			hb[i].pending_events = e->pending;
			hb[i].referral_seq = e->referral_seq;
			hb[i].held = e->held;
			hb[i].config_version = e->config_version;
			hb[i].last_decision = e->last_decision;
			hb[i].last_reason = e->last_reason;
			hb[i].last_ts_ms = e->last_ts_ms;
			for (size_t d = 0; d < e->ndev; d++) {
				Egate__DeviceStatus *x = &ds[i * CONSOLE_DEVICES + d];

				egate__device_status__init(x);
				x->name = e->dev[d].name;
				x->detail = e->dev[d].detail;
				x->health = e->dev[d].health;
				dsp[i * CONSOLE_DEVICES + d] = x;
			}
			hb[i].n_devices = e->ndev;
			hb[i].devices = &dsp[i * CONSOLE_DEVICES];
			ks[i].heartbeat = &hb[i];
		}
		ksp[i] = &ks[i];
	}
	r.request_id = request_id;
	r.n_kiosks = con->n;
	r.kiosks = ksp;
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REPLY;
	env.officer_reply = &r;
	(void)conn_send(n, c, &env);
out:
	free(ks);
	free(ksp);
	free(hb);
	free(ds);
	free(dsp);
}

/*
 * A referral the console has no explanation for (the host restarted since
 * it was made): read its record's payload from the audit store through the
 * monitor and keep it like a fresh one. NULL if it is not stored (yet).
 */
static const struct referral *
fetch_referral(struct net *n, struct kiosk_entry *e)
{
	struct eg_wbuf w;
	struct eg_rbuf r;
	uint8_t req[16 + AUDIT_KIOSK_ID_MAX];
	struct referral *ref;
	uint32_t plen;
	const uint8_t *p;
	char *payload;

	eg_wbuf_init_fixed(&w, req, sizeof(req), false);
	if (eg_wbuf_u8(&w, PS_PAYLOAD) != EG_OK || ps_put_str(&w, e->id) != EG_OK ||
	    ps_put_u64(&w, e->referral_seq) != EG_OK)
		return NULL;
	if (net_monitor_call(n, w.data, w.len, PS_PAYLOAD, &r) != EG_OK ||
	    eg_rbuf_be32(&r, &plen) != EG_OK || plen == PS_STR_NULL ||
	    eg_rbuf_ptr(&r, plen, &p) != EG_OK || (payload = strndup((const char *)p, plen)) == NULL)
		return NULL;
	ref = &e->ref[e->ref_next];
	e->ref_next = (e->ref_next + 1) % CONSOLE_REFERRALS;
	free(ref->payload);
	ref->payload = payload;
	ref->seq = e->referral_seq;
	ref->ts_ms = e->last_ts_ms;
	copy(ref->reason, sizeof(ref->reason), e->last_reason);
	EG_LOG(&n->lg, EG_LOG_INFO, "officer.referral_from_store", EG_STR("kiosk", e->id),
	    EG_UINT("seq", e->referral_seq));
	return ref;
}

static void
reply_queue(struct net *n, struct conn *c, uint64_t request_id)
{
	struct console *con = n->con;
	Egate__Envelope env;
	Egate__OfficerReply r;
	Egate__Referral *rf = calloc(con->n ? con->n : 1, sizeof(*rf));
	Egate__Referral **rfp = calloc(con->n ? con->n : 1, sizeof(*rfp));
	size_t k = 0;

	if (rf == NULL || rfp == NULL) {
		reply_error(n, c, request_id, 0, EGATE__ERROR_CODE__ERROR_INTERNAL, "out of memory");
		goto out;
	}
	/* a referral is pending while its kiosk is connected and says so */
	for (size_t i = 0; i < con->n; i++) {
		struct kiosk_entry *e = &con->k[i];
		const struct referral *ref = NULL;

		if (e->c == NULL || e->referral_seq == 0)
			continue;
		for (size_t j = 0; j < CONSOLE_REFERRALS; j++)
			if (e->ref[j].seq == e->referral_seq)
				ref = &e->ref[j];
		egate__referral__init(&rf[k]);
		rf[k].kiosk_id = e->id;
		rf[k].seq = e->referral_seq;
		if (ref == NULL)
			ref = fetch_referral(n, e);
		if (ref != NULL) {
			rf[k].ts_ms = ref->ts_ms;
			rf[k].reason = (char *)(uintptr_t)ref->reason;
			rf[k].explanation = ref->payload;
		} else {
			/* the record is still on its way (or was sent before a
			 * host restart): the heartbeat's summary */
			rf[k].ts_ms = e->last_ts_ms;
			rf[k].reason = e->last_reason;
		}
		rfp[k] = &rf[k];
		k++;
	}
	egate__envelope__init(&env);
	egate__officer_reply__init(&r);
	r.request_id = request_id;
	r.n_referrals = k;
	r.referrals = rfp;
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REPLY;
	env.officer_reply = &r;
	(void)conn_send(n, c, &env);
out:
	free(rf);
	free(rfp);
}

/* ---- actions ---------------------------------------------------------------------- */

/* Append an officer or officer_result record through the monitor. */
static int
log_officer(struct net *n, enum ps_officer_kind kind, const char *officer, const char *action,
    const char *reason, uint64_t command_id, const char *kiosk, uint64_t passage_seq,
    const char *error)
{
	struct eg_wbuf w;
	struct eg_rbuf resp;
	struct eg_json j;
	char *json = NULL;
	size_t jlen = 0;
	FILE *f;
	int rc = EG_ERR_NOMEM;

	if ((f = open_memstream(&json, &jlen)) == NULL)
		return EG_ERR_NOMEM;
	eg_json_init(&j, f);
	eg_json_obj_begin(&j);
	eg_json_key(&j, "command_id");
	eg_json_uint(&j, command_id);
	eg_json_key_str(&j, "kiosk", kiosk);
	eg_json_key_str(&j, "action", action);
	eg_json_key(&j, "passage_seq");
	eg_json_uint(&j, passage_seq);
	if (error != NULL)
		eg_json_key_str(&j, "error", error);
	eg_json_obj_end(&j);
	if (eg_json_finish(&j) != EG_OK || fclose(f) != 0) {
		free(json);
		return EG_ERR_IO;
	}
	eg_wbuf_init(&w, PS_MSG_MAX, false);
	if (ps_officer_put(&w, kind, host_wall_ms(), officer, action, reason, json) == EG_OK)
		rc = net_monitor_call(n, w.data, w.len, PS_OFFICER, &resp);
	eg_wbuf_free(&w);
	free(json);
	return rc;
}

static struct command *
command_slot(struct console *con)
{
	for (size_t i = 0; i < CONSOLE_PENDING_MAX; i++)
		if (con->cmd[i].command_id == 0)
			return &con->cmd[i];
	return NULL;
}

void
console_officer_request(struct net *n, struct conn *c, const Egate__OfficerRequest *q)
{
	struct console *con = n->con;
	struct kiosk_entry *k;
	struct command *cmd;
	Egate__Envelope env;
	Egate__OfficerCommand oc;
	const char *action;
	uint64_t id, passage_seq;
	int rc;

	if (con == NULL) {
		reply_error(n, c, q->request_id, 0, EGATE__ERROR_CODE__ERROR_INTERNAL, "no console");
		return;
	}
	if (q->query == EGATE__OFFICER_QUERY__OFFICER_QUERY_STATUS) {
		reply_status(n, c, q->request_id);
		return;
	}
	if (q->query == EGATE__OFFICER_QUERY__OFFICER_QUERY_QUEUE) {
		reply_queue(n, c, q->request_id);
		return;
	}
	action = proto_officer_action_name(q->action);
	if (strlen(q->reason) > CONSOLE_REASON_MAX) {
		reply_error(n, c, q->request_id, 0, EGATE__ERROR_CODE__ERROR_COMMAND_REJECTED,
		    "reason longer than 200 bytes");
		return;
	}
	if ((k = find(con, q->kiosk_id)) == NULL || k->c == NULL || k->c->st != C_READY) {
		reply_error(n, c, q->request_id, 0, EGATE__ERROR_CODE__ERROR_COMMAND_REJECTED,
		    k == NULL ? "unknown kiosk" : "kiosk offline");
		return;
	}
	if ((cmd = command_slot(con)) == NULL) {
		reply_error(n, c, q->request_id, 0, EGATE__ERROR_CODE__ERROR_COMMAND_REJECTED,
		    "too many commands in flight");
		return;
	}
	id = ++con->next_command_id;
	passage_seq = q->passage_seq;
	if (q->action == EGATE__OFFICER_ACTION__OFFICER_OPEN && passage_seq == 0)
		passage_seq = k->referral_seq;	/* opening a referred gate decides it */
	/* logged before it is sent: no action happens unlogged */
	rc = log_officer(n, PS_OFFICER_ACTION, c->cn, action, q->reason, id, k->id,
	    passage_seq, NULL);
	if (rc != EG_OK) {
		reply_error(n, c, q->request_id, id, EGATE__ERROR_CODE__ERROR_STORAGE,
		    "the action could not be logged; not sent");
		return;
	}
	/* the monitor call may have flushed acks but freed no connection;
	 * k->c is still the kiosk's */
	egate__envelope__init(&env);
	egate__officer_command__init(&oc);
	oc.command_id = id;
	oc.action = q->action;
	oc.officer_id = c->cn;		/* from the certificate */
	oc.reason = q->reason;
	oc.passage_seq = passage_seq;
	oc.ts_ms = host_wall_ms();
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_COMMAND;
	env.officer_command = &oc;
	if (conn_send(n, k->c, &env) != EG_OK) {
		reply_error(n, c, q->request_id, id, EGATE__ERROR_CODE__ERROR_INTERNAL,
		    "command could not be sent");
		return;
	}
	memset(cmd, 0, sizeof(*cmd));
	cmd->command_id = id;
	cmd->officer = c;
	cmd->request_id = q->request_id;
	copy(cmd->officer_id, sizeof(cmd->officer_id), c->cn);
	copy(cmd->kiosk, sizeof(cmd->kiosk), k->id);
	copy(cmd->action, sizeof(cmd->action), action);
	cmd->deadline_ms = host_now_ms() + CONSOLE_COMMAND_TIMEOUT_MS;
	EG_LOG(&n->lg, EG_LOG_NOTICE, "officer.command", EG_STR("officer", c->cn),
	    EG_STR("kiosk", k->id), EG_STR("action", action), EG_UINT("command_id", id),
	    EG_UINT("passage_seq", passage_seq));
}

void
console_command_result(struct net *n, struct conn *c, const Egate__CommandResult *r)
{
	struct console *con = n->con;
	struct command *cmd = NULL;
	Egate__Envelope env;
	Egate__OfficerReply rep;
	Egate__CommandResult res;
	char reason[CONSOLE_REASON_MAX + 1];

	if (con == NULL)
		return;
	for (size_t i = 0; i < CONSOLE_PENDING_MAX; i++)
		if (con->cmd[i].command_id == r->command_id && strcmp(con->cmd[i].kiosk, c->cn) == 0)
			cmd = &con->cmd[i];
	if (cmd == NULL) {
		EG_LOG(&n->lg, EG_LOG_WARN, "officer.unexpected_result", EG_STR("kiosk", c->cn),
		    EG_UINT("command_id", r->command_id));
		return;
	}
	snprintf(reason, sizeof(reason), "%s", r->detail != NULL && r->detail[0] != '\0' ?
	    r->detail : (r->ok ? "done" : "refused"));
	if (log_officer(n, PS_OFFICER_RESULT, cmd->officer_id, r->ok ? "ok" : "refused", reason,
	    cmd->command_id, cmd->kiosk, 0, r->ok ? NULL : "ERROR_COMMAND_REJECTED") != EG_OK)
		EG_LOG(&n->lg, EG_LOG_ERROR, "officer.result_not_logged", EG_STR("kiosk", c->cn),
		    EG_UINT("command_id", r->command_id));
	if (cmd->officer != NULL) {
		egate__envelope__init(&env);
		egate__officer_reply__init(&rep);
		egate__command_result__init(&res);
		res = *r;
		rep.request_id = cmd->request_id;
		rep.command_id = cmd->command_id;
		rep.result = &res;
		env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REPLY;
		env.officer_reply = &rep;
		(void)conn_send(n, cmd->officer, &env);
	}
	EG_LOG(&n->lg, EG_LOG_NOTICE, "officer.result", EG_STR("officer", cmd->officer_id),
	    EG_STR("kiosk", cmd->kiosk), EG_STR("action", cmd->action),
	    EG_UINT("command_id", cmd->command_id), EG_BOOL("ok", r->ok), EG_STR("detail", reason));
	memset(cmd, 0, sizeof(*cmd));
}

void
console_tick(struct net *n)
{
	struct console *con = n->con;
	int64_t now = host_now_ms();

	if (con == NULL)
		return;
	for (size_t i = 0; i < CONSOLE_PENDING_MAX; i++) {
		struct command *cmd = &con->cmd[i];

		if (cmd->command_id == 0 || now < cmd->deadline_ms)
			continue;
		(void)log_officer(n, PS_OFFICER_RESULT, cmd->officer_id, "timeout",
		    "no answer from the kiosk", cmd->command_id, cmd->kiosk, 0, "timeout");
		if (cmd->officer != NULL)
			reply_error(n, cmd->officer, cmd->request_id, cmd->command_id,
			    EGATE__ERROR_CODE__ERROR_COMMAND_REJECTED, "no answer from the kiosk");
		memset(cmd, 0, sizeof(*cmd));
	}
}
