/* SPDX-License-Identifier: Apache-2.0 */
/* kiosk_app.c — configuration, policy, inbox and uplink around the passage
 * core (see kiosk_app.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "egate_build.h"
#include "frame.h"
#include "kiosk_app.h"

/* Host -> kiosk messages, in the uplink thread: each handler copies what it
 * keeps and hands the work to the kiosk's thread. */
static void
on_host_message(void *ctx, const Egate__Envelope *env)
{
	struct kiosk_app *a = ctx;
	int rc;

	switch (env->body_case) {
	case EGATE__ENVELOPE__BODY_CONFIG_PUSH:
		policy_apply_on_push(a->pa, env->config_push);
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_COMMAND:
		if ((rc = kiosk_inbox_post(a->inbox, env->officer_command)) != EG_OK)
			EG_LOG(a->msg_log, EG_LOG_WARN, "kiosk.command_dropped",
			    EG_UINT("command_id", env->officer_command->command_id), EG_ERRF(rc));
		break;
	default:
		EG_LOG(a->msg_log, EG_LOG_NOTICE, "kiosk.message_ignored",
		    EG_STR("message", proto_body_name(env->body_case)));
		break;
	}
}

static void *
uplink_thread(void *u)
{
	(void)uplink_run(u);
	return NULL;
}

int
kiosk_app_init(struct kiosk_app *a, const char *path, FILE *out, char *err, size_t errlen)
{
	struct eg_cfg_error cerr;
	struct policy_apply_opts pao;
	struct uplink_conf uc;
	char eb[512];
	int ret;

	memset(a, 0, sizeof(*a));
	eg_log_init(&a->lg, "kiosk");
	a->msg_log = &a->lg;
	if ((ret = eg_kiosk_conf_load(path, &a->conf, &cerr)) != EG_OK) {
		eg_errbuf(err, errlen, "%s", eg_cfg_error_str(&cerr, eb, sizeof(eb)));
		return EG_ERR_CONFIG;
	}
	a->lg.min_level = (enum eg_log_level)a->conf.log_level;
	kiosk_policy_from_conf(&a->conf, &a->policy);
	if ((ret = kiosk_inbox_new(&a->inbox)) != EG_OK)
		return ret;
	/* a policy pushed by the host replaces the file's between passages;
	 * the last one applied is kept next to the spool */
	snprintf(a->config_path, sizeof(a->config_path), "%s.config", a->conf.spool);
	memset(&pao, 0, sizeof(pao));
	pao.policy = &a->policy;
	pao.conf = &a->conf;
	pao.path = a->config_path;
	pao.log = &a->lg;
	pao.out = out;
	if ((ret = policy_apply_new(&pao, &a->pa)) != EG_OK)
		return ret;
	if (!a->conf.host_connect)
		return EG_OK;
	memset(&uc, 0, sizeof(uc));
	uc.host = a->conf.host_address;
	uc.port = (uint16_t)a->conf.host_port;
	uc.server_name = a->conf.host_server_name;
	uc.ca = a->conf.ca;
	uc.cert = a->conf.cert;
	uc.key = a->conf.key;
	uc.spool_path = a->conf.spool;
	uc.kiosk_id = a->conf.id;
	uc.firmware_version = EGATE_VERSION;
	uc.backoff_base_ms = 200;
	uc.backoff_cap_ms = 5000;
	uc.log = &a->lg;
	uc.on_message = on_host_message;
	uc.on_message_ctx = a;
	if ((ret = uplink_new(&uc, &a->up)) != EG_OK) {
		eg_errbuf(err, errlen, "cannot set up the uplink to %s:%lld: %s (see the log; "
		    "[host] connect = false runs without a host)", a->conf.host_address,
		    a->conf.host_port, eg_strerror(ret));
		return EG_ERR_IO;
	}
	policy_apply_set_uplink(a->pa, a->up);
	return EG_OK;
}

int
kiosk_app_start(struct kiosk_app *a, struct kiosk *k, int config_wait_s)
{
	/* the persisted configuration before the first Hello reports it */
	(void)policy_apply_load(a->pa, k);
	if (a->up == NULL)
		return EG_OK;
	if (pthread_create(&a->upt, NULL, uplink_thread, a->up) != 0)
		return EG_ERR_IO;
	a->up_running = true;
	if (config_wait_s > 0)
		(void)policy_apply_sync(a->pa, k, config_wait_s);
	return EG_OK;
}

bool
kiosk_app_drain(struct kiosk_app *a, int seconds, struct uplink_stats *st)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };

	memset(st, 0, sizeof(*st));
	if (a->up == NULL)
		return true;
	for (int i = 0; i < seconds * 20; i++) {
		uplink_get_stats(a->up, st);
		/* every record acknowledged, the last state and answers sent */
		if (st->pending == 0 && ((!st->status_pending && st->live_pending == 0) ||
		    !st->connected))
			return true;
		nanosleep(&t, NULL);
	}
	uplink_get_stats(a->up, st);
	return st->pending == 0;
}

void
kiosk_app_print_uplink(FILE *out, const struct uplink_stats *st)
{
	if (out == NULL)
		return;
	fprintf(out, "uplink: %s; %llu record(s) sent, the host acknowledged every record "
	    "up to seq %llu as durable, %llu waiting in the spool%s%s\n",
	    st->connected ? "connected" : "not connected",
	    (unsigned long long)st->sent, (unsigned long long)st->acked_seq,
	    (unsigned long long)st->pending, st->last_error[0] ? "; last error: " : "",
	    st->last_error);
	fflush(out);
}

void
kiosk_app_fini(struct kiosk_app *a)
{
	if (a->up_running) {
		uplink_stop(a->up);
		pthread_join(a->upt, NULL);
		a->up_running = false;
	}
	uplink_free(&a->up);
	kiosk_inbox_free(&a->inbox);
	policy_apply_free(&a->pa);
}
