/* SPDX-License-Identifier: Apache-2.0 */
/*
 * officer_watch.c — `egate officer watch`: the officer console's live view
 * for a terminal, as a stream of lines. It subscribes (PROTOCOL.md,
 * OFFICER_QUERY_SUBSCRIBE), prints the state, then one entry per change:
 * a kiosk's line of the status table, a referral with its readable
 * explanation, a referral that stops waiting and why. With --json every
 * entry is one JSON object on one line ("event": snapshot, kiosk, referral,
 * closed, images, link). Pictures are never printed or kept: only that
 * they arrived. When the host goes away it says so and reconnects.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "egate/error.h"
#include "egate/json.h"
#include "explain.h"
#include "frame.h"
#include "officer.h"
#include "officer_json.h"
#include "text.h"

#define WATCH_KEEPALIVE_MS 10000	/* PROTOCOL.md: the host drops sessions silent for 30 s */
#define WATCH_BACKOFF_MAX_MS 30000

struct watch {
	bool json;
	int sfd;			/* SIGINT, SIGTERM */
	uint64_t sub;			/* request_id of the SUBSCRIBE */
};

static void
stamp(FILE *o)
{
	struct timespec ts;
	struct tm tm;
	char t[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), "%H:%M:%SZ", &tm);
	fprintf(o, "[%s] ", t);
}

static void
json_event_begin(struct eg_json *j, const char *event)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	eg_json_init(j, stdout);
	eg_json_obj_begin(j);
	eg_json_key_str(j, "event", event);
	eg_json_key_int(j, "ts_ms", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
json_event_end(struct eg_json *j)
{
	eg_json_obj_end(j);
	(void)eg_json_finish(j);
}

static void
print_snapshot(const struct watch *w, const Egate__OfficerReply *r)
{
	if (w->json) {
		struct eg_json j;

		json_event_begin(&j, "snapshot");
		eg_json_key(&j, "kiosks");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < r->n_kiosks; i++)
			officer_json_kiosk(&j, r->kiosks[i]);
		eg_json_arr_end(&j);
		eg_json_key(&j, "referrals");
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < r->n_referrals; i++)
			officer_json_referral(&j, r->referrals[i]);
		eg_json_arr_end(&j);
		json_event_end(&j);
	} else {
		stamp(stdout);
		printf("%zu kiosk(s), %zu referral(s) waiting\n", r->n_kiosks, r->n_referrals);
		officer_print_status_header(stdout);
		for (size_t i = 0; i < r->n_kiosks; i++)
			officer_print_status_line(stdout, r->kiosks[i]);
		for (size_t i = 0; i < r->n_referrals; i++) {
			stamp(stdout);
			printf("REFERRAL waiting\n");
			officer_print_referral(stdout, r->referrals[i], "  ");
		}
	}
	fflush(stdout);
}

static void
print_event(const struct watch *w, const Egate__OfficerEvent *e)
{
	struct eg_json j;
	char a[80], b[200];

	switch (e->update_case) {
	case EGATE__OFFICER_EVENT__UPDATE_KIOSK:
		if (w->json) {
			json_event_begin(&j, "kiosk");
			eg_json_key(&j, "kiosk");
			officer_json_kiosk(&j, e->kiosk);
			json_event_end(&j);
		} else {
			stamp(stdout);
			officer_print_status_line(stdout, e->kiosk);
		}
		break;
	case EGATE__OFFICER_EVENT__UPDATE_REFERRAL:
		if (w->json) {
			json_event_begin(&j, "referral");
			eg_json_key(&j, "referral");
			officer_json_referral(&j, e->referral);
			json_event_end(&j);
		} else {
			stamp(stdout);
			printf("REFERRAL\n");
			officer_print_referral(stdout, e->referral, "  ");
		}
		break;
	case EGATE__OFFICER_EVENT__UPDATE_CLOSED:
		if (w->json) {
			json_event_begin(&j, "closed");
			eg_json_key(&j, "closed");
			officer_json_closed(&j, e->closed);
			json_event_end(&j);
		} else {
			const Egate__ReferralClosed *c = e->closed;

			(void)proto_text_escape(c->kiosk_id, a, sizeof(a));
			(void)proto_text_escape(c->why, b, sizeof(b));
			stamp(stdout);
			printf("referral %s/%" PRIu64 " closed: %s", a, c->seq, b);
			if (c->officer_id != NULL && c->officer_id[0] != '\0') {
				(void)proto_text_escape(c->officer_id, b, sizeof(b));
				printf(" by %s (%s)", b, proto_officer_action_name(c->action));
			}
			printf("\n");
		}
		break;
	case EGATE__OFFICER_EVENT__UPDATE_IMAGES:
		/* a terminal shows no pictures, and nothing of them is kept */
		if (w->json) {
			json_event_begin(&j, "images");
			eg_json_key_str(&j, "kiosk", e->images->kiosk_id);
			eg_json_key(&j, "seq");
			eg_json_uint(&j, e->images->referral_seq);
			eg_json_key(&j, "live_bytes");
			eg_json_uint(&j, e->images->live_face.len);
			eg_json_key(&j, "portrait_bytes");
			eg_json_uint(&j, e->images->chip_portrait.len);
			json_event_end(&j);
		} else {
			(void)proto_text_escape(e->images->kiosk_id, a, sizeof(a));
			stamp(stdout);
			printf("pictures for referral %s/%" PRIu64 " (live face %zu bytes, chip portrait "
			    "%zu bytes): open the officer console to see them\n", a,
			    e->images->referral_seq, e->images->live_face.len,
			    e->images->chip_portrait.len);
		}
		break;
	default:
		break;
	}
	fflush(stdout);
}

static void
print_link(const struct watch *w, const char *state, const char *detail)
{
	if (w->json) {
		struct eg_json j;

		json_event_begin(&j, "link");
		eg_json_key_str(&j, "state", state);
		eg_json_key_str(&j, "detail", detail);
		json_event_end(&j);
	} else {
		stamp(stdout);
		printf("link to egate-host %s: ", state);
		proto_text_put(stdout, detail);
		printf("\n");
	}
	fflush(stdout);
}

/* Events that arrive before the snapshot's reply (none should). */
static void
early(const Egate__Envelope *env, void *arg)
{
	if (env->body_case == EGATE__ENVELOPE__BODY_OFFICER_EVENT)
		print_event(arg, env->officer_event);
}

static bool
stop_requested(const struct watch *w, int wait_ms)
{
	struct pollfd p = { .fd = w->sfd, .events = POLLIN };
	struct signalfd_siginfo si;

	if (poll(&p, 1, wait_ms) > 0 && read(w->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		return true;
	return false;
}

static int
keepalive(struct officer_link *l)
{
	Egate__Envelope env;
	Egate__Heartbeat hb;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	egate__envelope__init(&env);
	egate__heartbeat__init(&hb);
	hb.ts_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	env.body_case = EGATE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	return officer_link_send(l, &env, officer_link_now_ms() + 5000);
}

/*
 * One session: subscribe and print until the link breaks (returns a phrase
 * in why and false) or a signal asks to stop (returns true).
 */
static bool
session(struct watch *w, struct officer_link *l, bool *stop, char *why, size_t whylen)
{
	Egate__OfficerRequest q;
	const Egate__OfficerReply *rep = NULL;
	int64_t next_ka;
	int rc;

	egate__officer_request__init(&q);
	q.request_id = ++w->sub;
	q.query = EGATE__OFFICER_QUERY__OFFICER_QUERY_SUBSCRIBE;
	if (officer_link_request(l, &q, &rep, officer_link_now_ms() + 15000, early, w, why, whylen) != EG_OK)
		return false;
	if (rep->error != NULL) {
		snprintf(why, whylen, "the host refused the subscription: %s",
		    rep->error->detail ? rep->error->detail : "");
		return false;
	}
	print_snapshot(w, rep);
	next_ka = officer_link_now_ms() + WATCH_KEEPALIVE_MS;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = officer_link_fd(l), .events = POLLIN },
			{ .fd = w->sfd, .events = POLLIN },
		};
		int64_t left = next_ka - officer_link_now_ms();
		const Egate__Envelope *env = NULL;

		if (left <= 0) {
			if ((rc = keepalive(l)) != EG_OK) {
				snprintf(why, whylen, "%s", eg_strerror(rc));
				return false;
			}
			next_ka = officer_link_now_ms() + WATCH_KEEPALIVE_MS;
			continue;
		}
		if (poll(p, 2, (int)left) < 0 && errno != EINTR) {
			snprintf(why, whylen, "poll: %s", strerror(errno));
			return false;
		}
		if (p[1].revents != 0 && stop_requested(w, 0)) {
			*stop = true;
			return true;
		}
		if (p[0].revents == 0)
			continue;
		/* everything that has arrived, without waiting */
		while ((rc = officer_link_recv(l, &env, 0)) == EG_OK) {
			if (env->body_case == EGATE__ENVELOPE__BODY_OFFICER_EVENT &&
			    env->officer_event->subscription_id == q.request_id)
				print_event(w, env->officer_event);
			else if (env->body_case == EGATE__ENVELOPE__BODY_ERROR) {
				snprintf(why, whylen, "host: %s", env->error->detail ? env->error->detail : "");
				return false;
			}
		}
		if (rc != EG_ERR_TIMEOUT) {
			snprintf(why, whylen, "%s", rc == EG_ERR_CLOSED ? "the host closed the connection" :
			    eg_strerror(rc));
			return false;
		}
	}
}

int
officer_watch_run(const struct officer_link_opts *o, bool json)
{
	struct watch w = { .json = json, .sfd = -1 };
	struct officer_link *l = NULL;
	int64_t backoff = 1000;
	bool ever = false, stop = false;
	char why[512];
	int ex = EGATE_EXIT_OK;

	if ((w.sfd = officer_signals_fd()) < 0) {
		cli_err("officer", "signalfd: %s", strerror(errno));
		return EGATE_EXIT_ERROR;
	}
	while (!stop) {
		int rc = officer_link_open(&l, o, why, sizeof(why));

		if (rc != EGATE_EXIT_OK) {
			/* nothing to watch with a certificate the host refuses, or
			 * a command line that cannot work; a host that is not there
			 * yet is waited for */
			if (rc == OFFICER_EXIT_CERT || rc == EGATE_EXIT_USAGE || !ever) {
				cli_err("officer", "%s", why);
				ex = rc;
				break;
			}
		} else if (officer_link_version(l) < EGATE_PROTO_VERSION_LIVE) {
			cli_err("officer", "egate-host speaks protocol version %u: watch needs version 2",
			    officer_link_version(l));
			ex = EGATE_EXIT_FAIL;
			break;
		} else {
			ever = true;
			backoff = 1000;
			print_link(&w, "up", o->host);
			if (session(&w, l, &stop, why, sizeof(why)))
				break;
		}
		officer_link_close(&l);
		print_link(&w, "down", why);
		if (stop_requested(&w, (int)backoff))
			break;
		backoff = backoff * 2 > WATCH_BACKOFF_MAX_MS ? WATCH_BACKOFF_MAX_MS : backoff * 2;
	}
	officer_link_close(&l);
	close(w.sfd);
	return ex;
}
