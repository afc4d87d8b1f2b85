/* SPDX-License-Identifier: Apache-2.0 */
/* officer_json.c — the JSON objects of the officer's views (officer_json.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "explain.h"
#include "officer_json.h"

const char *
officer_health_name(Egate__DeviceHealth h)
{
	switch (h) {
	case EGATE__DEVICE_HEALTH__DEVICE_OK: return "ok";
	case EGATE__DEVICE_HEALTH__DEVICE_DEGRADED: return "degraded";
	case EGATE__DEVICE_HEALTH__DEVICE_FAILED: return "FAILED";
	case EGATE__DEVICE_HEALTH__DEVICE_ABSENT: return "absent";
	default: return "?";
	}
}

static const char *
s(const char *v)
{
	return v != NULL ? v : "";
}

bool
officer_cert_days(const Egate__KioskStatus *k, int64_t now_ms, long *days)
{
	int64_t end = k->cert_not_after_ms;

	if (end <= 0)
		return false;
	*days = end >= now_ms ? (long)((end - now_ms) / 86400000) :
	    -(long)((now_ms - end + 86399999) / 86400000);
	return true;
}

void
officer_json_kiosk(struct eg_json *j, const Egate__KioskStatus *k)
{
	const Egate__Heartbeat *h = k->heartbeat;
	long days;

	eg_json_obj_begin(j);
	eg_json_key_str(j, "kiosk", s(k->kiosk_id));
	eg_json_key_bool(j, "connected", k->connected);
	eg_json_key_int(j, "last_seen_ms", k->last_seen_ms);
	eg_json_key_str(j, "firmware", s(k->firmware_version));
	eg_json_key(j, "config_version");
	eg_json_uint(j, k->config_version);
	eg_json_key(j, "events");
	eg_json_uint(j, k->events);
	eg_json_key_int(j, "cert_not_after_ms", k->cert_not_after_ms);
	eg_json_key(j, "cert_days_left");
	if (officer_cert_days(k, cli_wall_ms(), &days))
		eg_json_int(j, days);
	else
		eg_json_null(j);
	/* a kiosk the host cannot reach is OFFLINE, not what it said last */
	eg_json_key_str(j, "state", !k->connected ? "OFFLINE" : h ? s(h->state) : "");
	eg_json_key_bool(j, "held", k->connected && h ? h->held : false);
	eg_json_key(j, "referral_seq");
	eg_json_uint(j, k->connected && h ? h->referral_seq : 0);
	eg_json_key_str(j, "last_decision", h ? s(h->last_decision) : "");
	eg_json_key_str(j, "last_reason", h ? s(h->last_reason) : "");
	eg_json_key_int(j, "last_ts_ms", h ? h->last_ts_ms : 0);
	eg_json_key_int(j, "pending_events", h ? h->pending_events : 0);
	eg_json_key(j, "devices");
	eg_json_obj_begin(j);
	for (size_t d = 0; h != NULL && d < h->n_devices; d++)
		eg_json_key_str(j, s(h->devices[d]->name), officer_health_name(h->devices[d]->health));
	eg_json_obj_end(j);
	eg_json_key(j, "device_details");
	eg_json_obj_begin(j);
	for (size_t d = 0; h != NULL && d < h->n_devices; d++)
		eg_json_key_str(j, s(h->devices[d]->name), s(h->devices[d]->detail));
	eg_json_obj_end(j);
	eg_json_key(j, "recent");
	eg_json_arr_begin(j);
	for (size_t i = 0; i < k->n_recent; i++) {
		const Egate__PassageSummary *p = k->recent[i];

		eg_json_obj_begin(j);
		eg_json_key(j, "seq");
		eg_json_uint(j, p->seq);
		eg_json_key_int(j, "ts_ms", p->ts_ms);
		eg_json_key_str(j, "decision", proto_decision_name(p->decision));
		eg_json_key_str(j, "reason", s(p->reason));
		eg_json_key_str(j, "officer", s(p->officer_id));
		eg_json_obj_end(j);
	}
	eg_json_arr_end(j);
	eg_json_obj_end(j);
}

void
officer_json_referral(struct eg_json *j, const Egate__Referral *f)
{
	eg_json_obj_begin(j);
	eg_json_key_str(j, "kiosk", s(f->kiosk_id));
	eg_json_key(j, "seq");
	eg_json_uint(j, f->seq);
	eg_json_key_int(j, "ts_ms", f->ts_ms);
	eg_json_key_str(j, "reason", s(f->reason));
	/* the explanation is the audit payload: already JSON, kept as a string */
	eg_json_key_str(j, "explanation", s(f->explanation));
	eg_json_obj_end(j);
}

void
officer_json_closed(struct eg_json *j, const Egate__ReferralClosed *c)
{
	eg_json_obj_begin(j);
	eg_json_key_str(j, "kiosk", s(c->kiosk_id));
	eg_json_key(j, "seq");
	eg_json_uint(j, c->seq);
	eg_json_key_str(j, "why", s(c->why));
	eg_json_key_str(j, "officer", s(c->officer_id));
	eg_json_key_str(j, "action", c->action != 0 ? proto_officer_action_name(c->action) : "");
	eg_json_obj_end(j);
}

/* Run fn into a memory stream; the document without its final newline. */
static char *
to_str(void (*fn)(struct eg_json *, const void *), const void *arg)
{
	struct eg_json j;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc;

	if (f == NULL)
		return NULL;
	eg_json_init(&j, f);
	fn(&j, arg);
	rc = eg_json_finish(&j);
	if (fclose(f) != 0 || rc != 0) {
		free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

static void
kiosk_cb(struct eg_json *j, const void *a)
{
	officer_json_kiosk(j, a);
}

static void
referral_cb(struct eg_json *j, const void *a)
{
	officer_json_referral(j, a);
}

static void
closed_cb(struct eg_json *j, const void *a)
{
	officer_json_closed(j, a);
}

char *
officer_json_kiosk_str(const Egate__KioskStatus *k)
{
	return to_str(kiosk_cb, k);
}

char *
officer_json_referral_str(const Egate__Referral *f)
{
	return to_str(referral_cb, f);
}

char *
officer_json_closed_str(const Egate__ReferralClosed *c)
{
	return to_str(closed_cb, c);
}
