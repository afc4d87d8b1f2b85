/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console.c — the officer console inside egate-host's network child
 * (proto/PROTOCOL.md, "OfficerRequest and OfficerReply", "OfficerEvent",
 * "ReferralImages"; docs/host.md).
 *
 * It keeps, in memory, what officers ask about: every kiosk seen since the
 * child started (connection, last Heartbeat, versions, events, its last
 * passages) and the explanations of its recent referrals. An officer's
 * action goes through three steps, in this order: the monitor appends an
 * `officer` audit record (no action happens unlogged), the OfficerCommand
 * goes to the kiosk, and the kiosk's CommandResult is appended as an
 * `officer_result` record and relayed to the officer. A kiosk that does not
 * answer within CONSOLE_COMMAND_TIMEOUT_MS gets the officer an error instead.
 *
 * Officers that SUBSCRIBE get the state at once and then an OfficerEvent for
 * every change: a kiosk's status, a referral that starts to wait (and again
 * when its explanation arrives), a referral that stops waiting, and the two
 * pictures of a biometric referral. A referral waits while its kiosk is
 * connected and its last Heartbeat names it; a kiosk whose session ends is
 * OFFLINE, and its referral stops waiting (it is announced again when the
 * kiosk comes back and says so).
 *
 * The pictures (ReferralImages) live here only: in this process's memory,
 * never handed to the monitor (so never in the audit store), never logged
 * (sizes only), wiped with eg_memzero when the referral is decided, stops
 * waiting, its kiosk goes offline, or CONSOLE_IMAGE_TTL_MS passes.
 *
 * The registry is bounded (CONSOLE_KIOSKS_MAX kiosks, CONSOLE_REFERRALS
 * explanations each, CONSOLE_PENDING_MAX commands in flight, one pair of
 * pictures per kiosk) and holds no identifiers: payloads are the audit
 * payloads, which never contain them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"
#include "explain.h"
#include "net_int.h"
#include "privsep.h"
#include "text.h"

#define CONSOLE_KIOSKS_MAX 4096
#define CONSOLE_REFERRALS 8		/* recent REFER explanations per kiosk */
#define CONSOLE_RECENT 5		/* last passages per kiosk, for the tiles */
#define CONSOLE_DEVICES 8
#define CONSOLE_PENDING_MAX 64
#define CONSOLE_COMMAND_TIMEOUT_MS 10000
/* Pictures of a referral that no officer decided: wiped after this long,
 * whatever the kiosk says; pictures whose referral is never announced: after
 * CONSOLE_IMAGE_UNANNOUNCED_MS. */
#define CONSOLE_IMAGE_TTL_MS (15 * 60 * 1000)
#define CONSOLE_IMAGE_UNANNOUNCED_MS 30000

struct referral {
	uint64_t seq;			/* 0: empty slot */
	int64_t ts_ms;
	char reason[48];
	char *payload;			/* audit payload JSON (heap) */
};

struct recent {
	uint64_t seq;			/* 0: empty slot */
	int64_t ts_ms;
	Egate__Decision decision;
	char reason[48];
	char officer[AUDIT_KIOSK_ID_MAX + 1];
};

struct images {
	uint64_t seq;			/* 0: none held */
	uint8_t *live, *portrait;	/* JPEG; wiped when freed */
	size_t live_len, portrait_len;
	int64_t received_ms;		/* monotonic */
};

struct kiosk_entry {
	char id[AUDIT_KIOSK_ID_MAX + 1];
	struct conn *c;			/* the live connection, NULL when offline */
	int64_t last_seen_ms;		/* wall clock */
	char firmware[32];
	uint64_t config_version;
	uint64_t events;
	int64_t not_after_ms;		/* its certificate's notAfter, last handshake; 0 unknown */
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
	struct recent recent[CONSOLE_RECENT];	/* newest first */
	uint64_t announced;		/* the referral subscribers were told waits; 0 none */
	struct images img;
	struct {			/* the last command that decided a referral */
		uint64_t seq;
		char officer[AUDIT_KIOSK_ID_MAX + 1];
		Egate__OfficerAction action;
	} decided;
};

struct command {
	uint64_t command_id;		/* 0: free slot */
	struct conn *officer;		/* NULL once the officer went away */
	uint64_t request_id;
	char officer_id[AUDIT_KIOSK_ID_MAX + 1];
	char kiosk[AUDIT_KIOSK_ID_MAX + 1];
	char action[24];
	Egate__OfficerAction act;
	uint64_t passage_seq;
	int64_t deadline_ms;		/* monotonic */
};

struct console {
	struct kiosk_entry *k;
	size_t n, cap;
	uint64_t next_command_id;
	struct command cmd[CONSOLE_PENDING_MAX];
};

/* What a kiosk's tile shows, to tell whether a heartbeat changed it. */
struct tile_sig {
	bool connected, has_hb, held;
	char state[32], last_decision[16], last_reason[48];
	uint64_t referral_seq, config_version, events;
	int64_t last_ts_ms;
	size_t ndev;
	Egate__DeviceHealth health[CONSOLE_DEVICES];
	char detail[CONSOLE_DEVICES][48];
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

static void
images_wipe(struct images *im)
{
	eg_secret_free(&im->live, im->live_len);
	eg_secret_free(&im->portrait, im->portrait_len);
	memset(im, 0, sizeof(*im));
}

void
console_free(struct console **conp)
{
	struct console *con;

	if (conp == NULL || (con = *conp) == NULL)
		return;
	for (size_t i = 0; i < con->n; i++) {
		for (size_t r = 0; r < CONSOLE_REFERRALS; r++)
			free(con->k[i].ref[r].payload);
		images_wipe(&con->k[i].img);
	}
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

		/* entries hold no pointers into each other: realloc may move them */
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

static void
tile_sig(const struct kiosk_entry *e, struct tile_sig *s)
{
	memset(s, 0, sizeof(*s));
	s->connected = e->c != NULL;
	s->has_hb = e->has_hb;
	s->held = e->held;
	memcpy(s->state, e->state, sizeof(s->state));
	memcpy(s->last_decision, e->last_decision, sizeof(s->last_decision));
	memcpy(s->last_reason, e->last_reason, sizeof(s->last_reason));
	s->referral_seq = e->referral_seq;
	s->config_version = e->config_version;
	s->events = e->events;
	s->last_ts_ms = e->last_ts_ms;
	s->ndev = e->ndev;
	for (size_t i = 0; i < e->ndev; i++) {
		s->health[i] = e->dev[i].health;
		memcpy(s->detail[i], e->dev[i].detail, sizeof(s->detail[i]));
	}
}

/* ---- building KioskStatus and Referral ------------------------------------------ */

/* Storage for one KioskStatus (pointers into the entry: valid until it changes). */
struct status_buf {
	Egate__KioskStatus ks;
	Egate__Heartbeat hb;
	Egate__DeviceStatus ds[CONSOLE_DEVICES];
	Egate__DeviceStatus *dsp[CONSOLE_DEVICES];
	Egate__PassageSummary ps[CONSOLE_RECENT];
	Egate__PassageSummary *psp[CONSOLE_RECENT];
};

static void
status_fill(struct kiosk_entry *e, struct status_buf *b)
{
	size_t nr = 0;

	egate__kiosk_status__init(&b->ks);
	b->ks.kiosk_id = e->id;
	b->ks.connected = e->c != NULL;
	b->ks.last_seen_ms = e->last_seen_ms;
	b->ks.firmware_version = e->firmware;
	b->ks.config_version = e->config_version;
	b->ks.events = e->events;
	b->ks.cert_not_after_ms = e->not_after_ms;
	if (e->has_hb) {
		egate__heartbeat__init(&b->hb);
		b->hb.ts_ms = e->hb_ts_ms;
		b->hb.uptime_s = e->uptime_s;
		b->hb.state = e->state;
		b->hb.pending_events = e->pending;
		b->hb.referral_seq = e->referral_seq;
		b->hb.held = e->held;
		b->hb.config_version = e->config_version;
		b->hb.last_decision = e->last_decision;
		b->hb.last_reason = e->last_reason;
		b->hb.last_ts_ms = e->last_ts_ms;
		for (size_t d = 0; d < e->ndev; d++) {
			egate__device_status__init(&b->ds[d]);
			b->ds[d].name = e->dev[d].name;
			b->ds[d].detail = e->dev[d].detail;
			b->ds[d].health = e->dev[d].health;
			b->dsp[d] = &b->ds[d];
		}
		b->hb.n_devices = e->ndev;
		b->hb.devices = b->dsp;
		b->ks.heartbeat = &b->hb;
	}
	for (size_t i = 0; i < CONSOLE_RECENT && e->recent[i].seq != 0; i++, nr++) {
		egate__passage_summary__init(&b->ps[i]);
		b->ps[i].seq = e->recent[i].seq;
		b->ps[i].ts_ms = e->recent[i].ts_ms;
		b->ps[i].decision = e->recent[i].decision;
		b->ps[i].reason = e->recent[i].reason;
		b->ps[i].officer_id = e->recent[i].officer;
		b->psp[i] = &b->ps[i];
	}
	b->ks.n_recent = nr;
	b->ks.recent = b->psp;
}

static struct referral *
referral_find(struct kiosk_entry *e, uint64_t seq)
{
	for (size_t j = 0; j < CONSOLE_REFERRALS; j++)
		if (seq != 0 && e->ref[j].seq == seq)
			return &e->ref[j];
	return NULL;
}

/*
 * A referral the console has no explanation for (the host restarted since
 * it was made): read its record's payload from the audit store through the
 * monitor and keep it like a fresh one. NULL if it is not stored (yet).
 */
static const struct referral *
fetch_referral(struct net *n, struct kiosk_entry *e, uint64_t seq)
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
	    ps_put_u64(&w, seq) != EG_OK)
		return NULL;
	if (net_monitor_call(n, w.data, w.len, PS_PAYLOAD, &r) != EG_OK ||
	    eg_rbuf_be32(&r, &plen) != EG_OK || plen == PS_STR_NULL ||
	    eg_rbuf_ptr(&r, plen, &p) != EG_OK || (payload = strndup((const char *)p, plen)) == NULL)
		return NULL;
	ref = &e->ref[e->ref_next];
	e->ref_next = (e->ref_next + 1) % CONSOLE_REFERRALS;
	free(ref->payload);
	ref->payload = payload;
	ref->seq = seq;
	ref->ts_ms = e->last_ts_ms;
	copy(ref->reason, sizeof(ref->reason), e->last_reason);
	EG_LOG(&n->lg, EG_LOG_INFO, "officer.referral_from_store", EG_STR("kiosk", e->id),
	    EG_UINT("seq", seq));
	return ref;
}

/* The Referral for seq of e: with its explanation if known (from memory or
 * the audit store), else the heartbeat's summary. */
static void
referral_fill(struct net *n, struct kiosk_entry *e, uint64_t seq, Egate__Referral *rf)
{
	const struct referral *ref = referral_find(e, seq);

	if (ref == NULL)
		ref = fetch_referral(n, e, seq);
	egate__referral__init(rf);
	rf->kiosk_id = e->id;
	rf->seq = seq;
	if (ref != NULL) {
		rf->ts_ms = ref->ts_ms;
		rf->reason = (char *)(uintptr_t)ref->reason;
		rf->explanation = ref->payload;
	} else {
		/* the record is still on its way (or was sent before a
		 * host restart): the heartbeat's summary */
		rf->ts_ms = e->last_ts_ms;
		rf->reason = e->last_reason;
	}
}

/* ---- pushing to subscribed officers ---------------------------------------------- */

/* Queue an OfficerEvent on every subscribed officer session (only = one). */
static void
push(struct net *n, Egate__OfficerEvent *ev, struct conn *only)
{
	Egate__Envelope env;

	egate__envelope__init(&env);
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_EVENT;
	env.officer_event = ev;
	for (struct conn *c = n->conns; c != NULL; c = c->next) {
		int rc;

		if (!c->officer || c->subscription == 0 || c->st != C_READY ||
		    (only != NULL && c != only))
			continue;
		ev->subscription_id = c->subscription;
		if ((rc = conn_send(n, c, &env)) != EG_OK) {
			/* an officer that does not read: its view would be wrong */
			EG_LOG(&n->lg, EG_LOG_WARN, "officer.push_failed", EG_STR("officer", c->cn),
			    EG_ERRF(rc), EG_STR("effect", "session closed; the console reconnects"));
			c->st = C_CLOSING;
			c->close_at_ms = host_now_ms() + 2000;
		}
	}
}

static void
push_kiosk(struct net *n, struct kiosk_entry *e)
{
	struct status_buf *b = calloc(1, sizeof(*b));
	Egate__OfficerEvent ev;

	if (b == NULL)
		return;
	status_fill(e, b);
	egate__officer_event__init(&ev);
	ev.update_case = EGATE__OFFICER_EVENT__UPDATE_KIOSK;
	ev.kiosk = &b->ks;
	push(n, &ev, NULL);
	free(b);
}

static void
push_referral(struct net *n, struct kiosk_entry *e, uint64_t seq)
{
	Egate__OfficerEvent ev;
	Egate__Referral rf;

	referral_fill(n, e, seq, &rf);
	egate__officer_event__init(&ev);
	ev.update_case = EGATE__OFFICER_EVENT__UPDATE_REFERRAL;
	ev.referral = &rf;
	push(n, &ev, NULL);
}

static void
push_images(struct net *n, struct kiosk_entry *e, struct conn *only)
{
	Egate__OfficerEvent ev;
	Egate__ReferralImages im;

	if (e->img.seq == 0 || e->img.seq != e->announced)
		return;
	egate__officer_event__init(&ev);
	egate__referral_images__init(&im);
	im.referral_seq = e->img.seq;
	im.kiosk_id = e->id;
	im.live_face.data = e->img.live;
	im.live_face.len = e->img.live_len;
	im.chip_portrait.data = e->img.portrait;
	im.chip_portrait.len = e->img.portrait_len;
	ev.update_case = EGATE__OFFICER_EVENT__UPDATE_IMAGES;
	ev.images = &im;
	push(n, &ev, only);
}

/* The referral subscribers were told about stops waiting: say why, and
 * wipe its pictures. */
static void
referral_closed(struct net *n, struct kiosk_entry *e, const char *why_default)
{
	Egate__OfficerEvent ev;
	Egate__ReferralClosed cl;
	uint64_t seq = e->announced;
	bool decided = e->decided.seq == seq;

	if (seq == 0)
		return;
	if (e->img.seq == seq) {
		images_wipe(&e->img);
		EG_LOG(&n->lg, EG_LOG_INFO, "referral.images_wiped", EG_STR("kiosk", e->id),
		    EG_UINT("seq", seq), EG_STR("why", decided ? "decided" : why_default));
	}
	egate__officer_event__init(&ev);
	egate__referral_closed__init(&cl);
	cl.kiosk_id = e->id;
	cl.seq = seq;
	cl.why = (char *)(uintptr_t)(decided ? "decided" : why_default);
	if (decided) {
		cl.officer_id = e->decided.officer;
		cl.action = e->decided.action;
	}
	ev.update_case = EGATE__OFFICER_EVENT__UPDATE_CLOSED;
	ev.closed = &cl;
	e->announced = 0;
	push(n, &ev, NULL);
}

/* After a change to e: announce or close its referral, and push its tile
 * if what it shows changed. */
static void
kiosk_changed(struct net *n, struct kiosk_entry *e, const struct tile_sig *before)
{
	struct tile_sig after;
	uint64_t waiting = e->c != NULL ? e->referral_seq : 0;

	if (waiting != e->announced) {
		referral_closed(n, e, e->c == NULL ? "kiosk offline" : "no longer waiting at the kiosk");
		if (waiting != 0) {
			e->announced = waiting;
			push_referral(n, e, waiting);
			push_images(n, e, NULL);
		}
	}
	tile_sig(e, &after);
	if (before == NULL || memcmp(before, &after, sizeof(after)) != 0)
		push_kiosk(n, e);
}

/* ---- kiosk messages --------------------------------------------------------------- */

void
console_kiosk_online(struct net *n, struct conn *c, const Egate__Hello *h)
{
	struct kiosk_entry *e;
	struct tile_sig before;

	if (n->con == NULL || (e = find_or_add(n->con, c->cn)) == NULL)
		return;
	tile_sig(e, &before);
	e->c = c;
	e->last_seen_ms = host_wall_ms();
	copy(e->firmware, sizeof(e->firmware), h->firmware_version);
	e->config_version = h->config_version;
	e->not_after_ms = c->not_after_s * 1000;
	if (e->has_hb)
		copy(e->state, sizeof(e->state), "CONNECTED");	/* until its first heartbeat */
	e->referral_seq = 0;
	kiosk_changed(n, e, &before);
}

void
console_conn_gone(struct net *n, struct conn *c)
{
	struct console *con = n->con;

	if (con == NULL)
		return;
	for (size_t i = 0; i < con->n; i++) {
		struct kiosk_entry *e = &con->k[i];
		struct tile_sig before;

		if (e->c != c)
			continue;
		/* OFFLINE, not the last state it reported: nothing waits at a
		 * kiosk the host cannot reach (issue 14) */
		tile_sig(e, &before);
		e->c = NULL;
		copy(e->state, sizeof(e->state), "OFFLINE");
		e->referral_seq = 0;
		e->held = false;
		if (e->img.seq != 0 && e->img.seq != e->announced) {
			images_wipe(&e->img);
			EG_LOG(&n->lg, EG_LOG_INFO, "referral.images_wiped", EG_STR("kiosk", e->id),
			    EG_STR("why", "kiosk offline"));
		}
		kiosk_changed(n, e, &before);
	}
	for (size_t i = 0; i < CONSOLE_PENDING_MAX; i++)
		if (con->cmd[i].command_id != 0 && con->cmd[i].officer == c)
			con->cmd[i].officer = NULL;	/* the answer is still logged */
}

void
console_heartbeat(struct net *n, struct conn *c, const Egate__Heartbeat *hb)
{
	struct kiosk_entry *e;
	struct tile_sig before;

	if (n->con == NULL || (e = find(n->con, c->cn)) == NULL || e->c != c)
		return;
	tile_sig(e, &before);
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
		bool was_failed = i < before.ndev &&
		    before.health[i] == EGATE__DEVICE_HEALTH__DEVICE_FAILED;

		copy(e->dev[i].name, sizeof(e->dev[i].name), hb->devices[i]->name);
		copy(e->dev[i].detail, sizeof(e->dev[i].detail), hb->devices[i]->detail);
		e->dev[i].health = hb->devices[i]->health;
		if (hb->devices[i]->health == EGATE__DEVICE_HEALTH__DEVICE_FAILED && !was_failed)
			EG_LOG(&n->lg, EG_LOG_WARN, "alarm.device_failed", EG_STR("kiosk", c->cn),
			    EG_STR("device", e->dev[i].name), EG_STR("detail", e->dev[i].detail));
	}
	kiosk_changed(n, e, &before);
}

void
console_passage(struct net *n, struct conn *c, const Egate__PassageEvent *e, const char *json,
    const char *officer)
{
	struct kiosk_entry *k;
	struct referral *r;
	struct tile_sig before;
	bool resend = false;

	if (n->con == NULL || (k = find(n->con, c->cn)) == NULL)
		return;
	tile_sig(k, &before);
	k->events++;
	k->last_seen_ms = host_wall_ms();
	for (size_t i = 0; i < CONSOLE_RECENT; i++)
		resend |= k->recent[i].seq == e->seq;
	if (!resend) {
		memmove(&k->recent[1], &k->recent[0], (CONSOLE_RECENT - 1) * sizeof(k->recent[0]));
		k->recent[0].seq = e->seq;
		k->recent[0].ts_ms = e->ts_ms;
		k->recent[0].decision = e->decision;
		copy(k->recent[0].reason, sizeof(k->recent[0].reason), e->reason);
		/* the officer column of the audit record: only a verified one */
		copy(k->recent[0].officer, sizeof(k->recent[0].officer), officer);
	}
	if (e->decision == EGATE__DECISION__DECISION_REFER && json != NULL &&
	    referral_find(k, e->seq) == NULL) {
		r = &k->ref[k->ref_next];
		k->ref_next = (k->ref_next + 1) % CONSOLE_REFERRALS;
		free(r->payload);
		r->payload = strdup(json);
		r->seq = r->payload != NULL ? e->seq : 0;
		r->ts_ms = e->ts_ms;
		copy(r->reason, sizeof(r->reason), e->reason);
		/* announced before its record arrived: now with the explanation */
		if (r->seq != 0 && k->announced == e->seq)
			push_referral(n, k, e->seq);
	}
	kiosk_changed(n, k, &before);
}

void
console_config_applied(struct net *n, struct conn *c, const Egate__ConfigApplied *a)
{
	struct kiosk_entry *k;
	struct tile_sig before;

	if (n->con == NULL || !a->ok || (k = find(n->con, c->cn)) == NULL)
		return;
	tile_sig(k, &before);
	k->config_version = a->version;
	kiosk_changed(n, k, &before);
}

void
console_images(struct net *n, struct conn *c, const Egate__ReferralImages *m)
{
	struct kiosk_entry *k;
	uint64_t seq = m->referral_seq;

	if (n->con == NULL || (k = find(n->con, c->cn)) == NULL || k->c != c)
		return;
	/* only for the referral the kiosk announced or just reported */
	if (seq != k->referral_seq && referral_find(k, seq) == NULL) {
		EG_LOG(&n->lg, EG_LOG_WARN, "referral.images_refused", EG_STR("kiosk", c->cn),
		    EG_UINT("seq", seq), EG_STR("reason", "not a referral of this kiosk"));
		return;
	}
	if (k->decided.seq == seq) {
		EG_LOG(&n->lg, EG_LOG_NOTICE, "referral.images_refused", EG_STR("kiosk", c->cn),
		    EG_UINT("seq", seq), EG_STR("reason", "already decided"));
		return;
	}
	images_wipe(&k->img);
	if ((m->live_face.len > 0 && (k->img.live = malloc(m->live_face.len)) == NULL) ||
	    (m->chip_portrait.len > 0 && (k->img.portrait = malloc(m->chip_portrait.len)) == NULL)) {
		images_wipe(&k->img);
		return;
	}
	if (m->live_face.len > 0)
		memcpy(k->img.live, m->live_face.data, m->live_face.len);
	if (m->chip_portrait.len > 0)
		memcpy(k->img.portrait, m->chip_portrait.data, m->chip_portrait.len);
	k->img.live_len = m->live_face.len;
	k->img.portrait_len = m->chip_portrait.len;
	k->img.seq = seq;
	k->img.received_ms = host_now_ms();
	/* sizes only: the pictures are never logged */
	EG_LOG(&n->lg, EG_LOG_INFO, "referral.images", EG_STR("kiosk", c->cn), EG_UINT("seq", seq),
	    EG_UINT("live_bytes", k->img.live_len), EG_UINT("portrait_bytes", k->img.portrait_len));
	push_images(n, k, NULL);
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

/* STATUS (kiosks), QUEUE (referrals) or SUBSCRIBE (both). */
static void
reply_state(struct net *n, struct conn *c, uint64_t request_id, bool kiosks, bool queue)
{
	struct console *con = n->con;
	size_t cnt = con->n ? con->n : 1, k = 0;
	struct status_buf *sb = kiosks ? calloc(cnt, sizeof(*sb)) : NULL;
	Egate__KioskStatus **ksp = calloc(cnt, sizeof(*ksp));
	Egate__Referral *rf = calloc(cnt, sizeof(*rf));
	Egate__Referral **rfp = calloc(cnt, sizeof(*rfp));
	Egate__Envelope env;
	Egate__OfficerReply r;

	if ((kiosks && sb == NULL) || ksp == NULL || rf == NULL || rfp == NULL) {
		reply_error(n, c, request_id, 0, EGATE__ERROR_CODE__ERROR_INTERNAL, "out of memory");
		goto out;
	}
	egate__envelope__init(&env);
	egate__officer_reply__init(&r);
	for (size_t i = 0; kiosks && i < con->n; i++) {
		status_fill(&con->k[i], &sb[i]);
		ksp[i] = &sb[i].ks;
	}
	/* a referral is pending while its kiosk is connected and says so;
	 * fetching an explanation from the store does not change con->k */
	for (size_t i = 0; queue && i < con->n; i++) {
		struct kiosk_entry *e = &con->k[i];

		if (e->c == NULL || e->referral_seq == 0)
			continue;
		referral_fill(n, e, e->referral_seq, &rf[k]);
		rfp[k] = &rf[k];
		k++;
	}
	r.request_id = request_id;
	r.n_kiosks = kiosks ? con->n : 0;
	r.kiosks = ksp;
	r.n_referrals = k;
	r.referrals = rfp;
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REPLY;
	env.officer_reply = &r;
	(void)conn_send(n, c, &env);
out:
	free(sb);
	free(ksp);
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

static void
subscribe(struct net *n, struct conn *c, uint64_t request_id)
{
	struct console *con = n->con;

	if (c->version < EGATE_PROTO_VERSION_LIVE) {
		reply_error(n, c, request_id, 0, EGATE__ERROR_CODE__ERROR_UNEXPECTED,
		    "SUBSCRIBE needs protocol version 2");
		return;
	}
	c->subscription = request_id;
	reply_state(n, c, request_id, true, true);
	for (size_t i = 0; i < con->n; i++)
		push_images(n, &con->k[i], c);	/* those of waiting referrals */
	EG_LOG(&n->lg, EG_LOG_INFO, "officer.subscribed", EG_STR("officer", c->cn),
	    EG_UINT("request_id", request_id), EG_UINT("kiosks", con->n));
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
	char why[160];
	uint64_t id, passage_seq;
	int rc;

	if (con == NULL) {
		reply_error(n, c, q->request_id, 0, EGATE__ERROR_CODE__ERROR_INTERNAL, "no console");
		return;
	}
	switch (q->query) {
	case EGATE__OFFICER_QUERY__OFFICER_QUERY_STATUS:
		reply_state(n, c, q->request_id, true, false);
		return;
	case EGATE__OFFICER_QUERY__OFFICER_QUERY_QUEUE:
		reply_state(n, c, q->request_id, false, true);
		return;
	case EGATE__OFFICER_QUERY__OFFICER_QUERY_SUBSCRIBE:
		subscribe(n, c, q->request_id);
		return;
	default:
		break;
	}
	action = proto_officer_action_name(q->action);
	/* checked again here: what is stored for ever must be readable */
	if (proto_reason_check(q->reason, why, sizeof(why)) != EG_OK) {
		reply_error(n, c, q->request_id, 0, EGATE__ERROR_CODE__ERROR_COMMAND_REJECTED, why);
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
	cmd->act = q->action;
	cmd->passage_seq = passage_seq;
	cmd->deadline_ms = host_now_ms() + CONSOLE_COMMAND_TIMEOUT_MS;
	EG_LOG(&n->lg, EG_LOG_NOTICE, "officer.command", EG_STR("officer", c->cn),
	    EG_STR("kiosk", k->id), EG_STR("action", action), EG_UINT("command_id", id),
	    EG_UINT("passage_seq", passage_seq));
}

/* Whether the action, carried out, decides the referral passage_seq. */
static bool
decides(Egate__OfficerAction a, uint64_t passage_seq)
{
	return passage_seq != 0 && (a == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN ||
	    a == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT ||
	    a == EGATE__OFFICER_ACTION__OFFICER_OPEN);
}

void
console_command_result(struct net *n, struct conn *c, const Egate__CommandResult *r)
{
	struct console *con = n->con;
	struct command *cmd = NULL;
	struct kiosk_entry *k;
	Egate__Envelope env;
	Egate__OfficerReply rep;
	Egate__CommandResult res;
	char reason[PROTO_REASON_MAX + 1];

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
	if (r->ok && decides(cmd->act, cmd->passage_seq) && (k = find(con, cmd->kiosk)) != NULL) {
		/* decided: the pictures go at once; the referral closes with
		 * the kiosk's next heartbeat, naming the officer */
		k->decided.seq = cmd->passage_seq;
		copy(k->decided.officer, sizeof(k->decided.officer), cmd->officer_id);
		k->decided.action = cmd->act;
		if (k->img.seq == cmd->passage_seq) {
			images_wipe(&k->img);
			EG_LOG(&n->lg, EG_LOG_INFO, "referral.images_wiped", EG_STR("kiosk", k->id),
			    EG_UINT("seq", cmd->passage_seq), EG_STR("why", "decided"));
		}
	}
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
	for (size_t i = 0; i < con->n; i++) {
		struct images *im = &con->k[i].img;
		const char *why = NULL;

		if (im->seq == 0)
			continue;
		if (now - im->received_ms > CONSOLE_IMAGE_TTL_MS)
			why = "timed out";
		else if (im->seq != con->k[i].announced &&
		    now - im->received_ms > CONSOLE_IMAGE_UNANNOUNCED_MS)
			why = "referral never announced";
		if (why == NULL)
			continue;
		EG_LOG(&n->lg, EG_LOG_INFO, "referral.images_wiped", EG_STR("kiosk", con->k[i].id),
		    EG_UINT("seq", im->seq), EG_STR("why", why));
		images_wipe(im);
	}
}
