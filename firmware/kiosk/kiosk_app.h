/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_app.h — what every egate-kiosk program needs around the passage
 * core: the configuration and its log, the policy in force (the file's,
 * then the host's push: policy_apply.h), the officer inbox, and the uplink
 * to egate-host in its own thread with the dispatcher of host messages.
 * egate-kiosk's daemon (kiosk_daemon.h) and the simulation runner
 * (hw/sim/kiosk_sim_main.c) both sit on it.
 *
 *   kiosk_app_init(&a, path, stdout, err, sizeof(err));  // conf, policy, uplink (not running)
 *   ... kiosk_new() with a.conf, a.policy, a.up, a.inbox ...
 *   kiosk_app_start(&a, k, config_wait_s);   // persisted policy, uplink thread, first push
 *   ... passages; between them: policy_apply_pending(a.pa, k) ...
 *   kiosk_app_drain(&a, seconds, &st);       // the host acknowledged every record?
 *   kiosk_app_fini(&a);
 */
#ifndef EGATE_KIOSK_APP_H
#define EGATE_KIOSK_APP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "egate/conf.h"
#include "egate/log.h"
#include "inbox.h"
#include "kiosk.h"
#include "passage.h"
#include "policy_apply.h"
#include "uplink.h"

struct kiosk_app {
	struct eg_kiosk_conf conf;
	struct eg_log lg;
	struct passage_policy policy;	/* in force: rewritten between passages */
	struct kiosk_inbox *inbox;
	struct policy_apply *pa;
	struct uplink *up;		/* NULL with [host] connect = false */
	pthread_t upt;
	bool up_running;
	struct eg_log *msg_log;		/* for the dispatcher (= &lg) */
	char config_path[sizeof(((struct eg_kiosk_conf *)0)->spool) + 8];
};

/*
 * kiosk_app_init — load the configuration at path (the schema of
 * egate-kiosk.conf(5)), set up the log (stderr, [kiosk] log_level), the
 * policy of the file, the inbox, policy_apply (pushed policies persisted
 * next to the spool) and, with [host] connect, the uplink (not running
 * yet). out (may be NULL) gets "config version N applied" lines. err gets
 * one line. Errors: EG_ERR_CONFIG (the file), EG_ERR_IO (the uplink cannot
 * be set up), EG_ERR_NOMEM. *a is ready for kiosk_app_fini in every case.
 */
int kiosk_app_init(struct kiosk_app *a, const char *path, FILE *out, char *err, size_t errlen);

/*
 * kiosk_app_start — with the kiosk made: put the persisted policy in force,
 * start the uplink thread and, when config_wait_s > 0, wait that long for
 * the host's policy. Errors: EG_ERR_IO (the thread could not start).
 */
int kiosk_app_start(struct kiosk_app *a, struct kiosk *k, int config_wait_s);

/* kiosk_app_drain — wait up to seconds until the host acknowledged every
 * record (and the last state and answers went out); *st gets the uplink's
 * counters. true when nothing waits in the spool. Without an uplink: true,
 * *st zero. */
bool kiosk_app_drain(struct kiosk_app *a, int seconds, struct uplink_stats *st);

/* kiosk_app_print_uplink — one line on out: connected, sent, acknowledged,
 * waiting, the last error. */
void kiosk_app_print_uplink(FILE *out, const struct uplink_stats *st);

/* kiosk_app_fini — stop and join the uplink thread, free everything; safe
 * after a failed init and twice. */
void kiosk_app_fini(struct kiosk_app *a);

#endif
