/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_main.c — egate-kiosk (docs/man/egate-kiosk.8, docs/kiosk.md).
 *
 *   egate-kiosk --config FILE [--scenario FILE] [--foreground]
 *
 * This version runs passages on simulated devices: with --scenario, every
 * passage of the scenario in order; without, the one traveller of
 * `reader = sim:PROFILE` in front of `camera = sim:SCENE`. With
 * `[host] connect = true` (the default) an uplink thread delivers every
 * passage record to egate-host over mutual TLS as it is made; at the end
 * the kiosk waits (up to --drain seconds) until the host has acknowledged
 * them all. Records not acknowledged stay in the spool for the next run.
 * Exit: 0 every passage ran (and met its expectation), 1 an expectation
 * failed, 2 usage or configuration error, 3 a device could not be set up.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/conf.h"
#include "egate/error.h"
#include "egate/log.h"
#include "egate_build.h"
#include "inbox.h"
#include "frame.h"
#include "kiosk.h"
#include "policy_apply.h"
#include "scenario.h"
#include "uplink.h"

/* Host -> kiosk messages, in the uplink thread: a small dispatcher. Each
 * handler copies what it keeps and hands the work to the kiosk's thread. */
struct host_msgs {
	struct policy_apply *pa;	/* ConfigPush (policy_apply.h) */
	struct kiosk_inbox *inbox;	/* OfficerCommand (inbox.h) */
	struct eg_log *lg;
};

static void
on_host_message(void *ctx, const Egate__Envelope *env)
{
	struct host_msgs *h = ctx;
	int rc;

	switch (env->body_case) {
	case EGATE__ENVELOPE__BODY_CONFIG_PUSH:
		policy_apply_on_push(h->pa, env->config_push);
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_COMMAND:
		if ((rc = kiosk_inbox_post(h->inbox, env->officer_command)) != EG_OK)
			EG_LOG(h->lg, EG_LOG_WARN, "kiosk.command_dropped",
			    EG_UINT("command_id", env->officer_command->command_id), EG_ERRF(rc));
		break;
	default:
		EG_LOG(h->lg, EG_LOG_NOTICE, "kiosk.message_ignored",
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

/* Wait until the host acknowledged every record, or `seconds` passed. */
static bool
drain(struct uplink *u, int seconds, struct uplink_stats *st)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };

	for (int i = 0; i < seconds * 20; i++) {
		uplink_get_stats(u, st);
		/* every record acknowledged, the last state and answers sent */
		if (st->pending == 0 && ((!st->status_pending && st->live_pending == 0) ||
		    !st->connected))
			return true;
		nanosleep(&t, NULL);
	}
	uplink_get_stats(u, st);
	return st->pending == 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: egate-kiosk --config FILE [--scenario FILE] [--foreground]\n"
	    "  --config FILE     kiosk configuration (egate-kiosk.conf(5))\n"
	    "  --scenario FILE   run the simulated travellers of a scenario\n"
	    "                    (hw/sim/scenarios/*.ini)\n"
	    "  --foreground      stay in the foreground (the only mode of this version)\n"
	    "  --drain SECONDS   at the end, wait this long for the host's acks (default 30)\n"
	    "  --officer-wait SECONDS\n"
	    "                    a referral or hold waits this long for an officer's\n"
	    "                    command through the host (egate officer); 0 (default):\n"
	    "                    the simulated officer closes it at once\n"
	    "  --config-wait SECONDS  at start, wait this long for the host's policy\n"
	    "                    (default 0: start with the policy in force)\n"
	    "  --version, --help\n");
}

static bool
expectation_met(const struct scenario_passage *sp, const struct kiosk_report *r)
{
	enum passage_outcome want = sp->expect == SC_EXPECT_OPEN ? PO_OPEN :
	    sp->expect == SC_EXPECT_REFER ? PO_REFER : PO_ABANDONED;

	if (sp->expect != SC_EXPECT_ANY && r->outcome != want)
		return false;
	return sp->expect_rule[0] == '\0' || strcmp(sp->expect_rule, r->rule) == 0;
}

/* Without a scenario: one passage from reader = sim:PROFILE and
 * camera = sim:SCENE. */
static int
single(const struct eg_kiosk_conf *c, struct scenario *sc)
{
	struct scenario_passage *p = &sc->p[0];

	memset(sc, 0, sizeof(*sc));
	if (strncmp(c->reader, "sim:", 4) != 0 || strncmp(c->camera, "sim:", 4) != 0)
		return EG_ERR_INVAL;
	snprintf(sc->name, sizeof(sc->name), "config");
	snprintf(p->name, sizeof(p->name), "traveller");
	snprintf(p->traveller, sizeof(p->traveller), "%s", c->reader + 4);
	p->camera = SC_CAM_SCENE;
	snprintf(p->camera_arg, sizeof(p->camera_arg), "%s", c->camera + 4);
	if (strlen(c->reader + 4) >= sizeof(p->traveller) ||
	    strlen(c->camera + 4) >= sizeof(p->camera_arg) || c->camera[4] != '/')
		return EG_ERR_INVAL;
	sc->n = 1;
	return EG_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "scenario", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "drain", required_argument, NULL, 'd' },
		{ "officer-wait", required_argument, NULL, 'o' },
		{ "config-wait", required_argument, NULL, 'w' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = NULL, *scen_path = NULL;
	struct eg_kiosk_conf conf;
	struct eg_cfg_error cerr;
	struct passage_policy policy;
	struct kiosk_opts ko;
	struct kiosk *k = NULL;
	struct scenario *sc = NULL;
	struct kiosk_report rep;
	struct eg_log lg;
	char err[512], eb[512];
	size_t met = 0;
	int c, ret = 2, drain_s = 30, config_wait_s = 0;
	struct policy_apply *pa = NULL;
	struct policy_apply_opts pao;
	struct host_msgs hm = { NULL };
	char config_path[sizeof(conf.spool) + 8];
	struct uplink *up = NULL;
	struct uplink_conf uc;
	pthread_t upt;
	bool up_running = false;
	struct kiosk_inbox *inbox = NULL;
	int officer_wait_s = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "c:s:fd:o:w:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf_path = optarg; break;
		case 'o':
			officer_wait_s = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || officer_wait_s < 0 || officer_wait_s > 86400) {
				fprintf(stderr, "egate-kiosk: --officer-wait: 0 to 86400 seconds\n");
				return 2;
			}
			break;
		case 'd': drain_s = atoi(optarg); break;
		case 'w': config_wait_s = atoi(optarg); break;
		case 's': scen_path = optarg; break;
		case 'f': break;
		case 'V': printf("egate-kiosk %s\n", EGATE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || conf_path == NULL) {
		usage(stderr);
		return 2;
	}
	if (eg_kiosk_conf_load(conf_path, &conf, &cerr) != EG_OK) {
		fprintf(stderr, "egate-kiosk: %s\n", eg_cfg_error_str(&cerr, eb, sizeof(eb)));
		return 2;
	}
	eg_log_init(&lg, "kiosk");
	lg.min_level = (enum eg_log_level)conf.log_level;
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		goto out;
	if (scen_path != NULL) {
		if (scenario_load(scen_path, sc, err, sizeof(err)) != EG_OK) {
			fprintf(stderr, "egate-kiosk: %s\n", err);
			goto out;
		}
	} else if (single(&conf, sc) != EG_OK) {
		fprintf(stderr, "egate-kiosk: without --scenario, the configuration needs "
		    "reader = sim:PROFILE and camera = sim:/ABSOLUTE/SCENE\n");
		goto out;
	}
	kiosk_policy_from_conf(&conf, &policy);
	if (kiosk_inbox_new(&inbox) != EG_OK)
		goto out;
	/* a policy pushed by the host (policy_apply.h) replaces it between
	 * passages; the last one applied is kept next to the spool */
	snprintf(config_path, sizeof(config_path), "%s.config", conf.spool);
	memset(&pao, 0, sizeof(pao));
	pao.policy = &policy;
	pao.conf = &conf;
	pao.path = config_path;
	pao.log = &lg;
	pao.out = stdout;
	if (policy_apply_new(&pao, &pa) != EG_OK)
		goto out;
	hm.pa = pa;
	hm.lg = &lg;
	hm.inbox = inbox;
	if (conf.host_connect) {
		memset(&uc, 0, sizeof(uc));
		uc.host = conf.host_address;
		uc.port = (uint16_t)conf.host_port;
		uc.server_name = conf.host_server_name;
		uc.ca = conf.ca;
		uc.cert = conf.cert;
		uc.key = conf.key;
		uc.spool_path = conf.spool;
		uc.kiosk_id = conf.id;
		uc.firmware_version = EGATE_VERSION;
		uc.backoff_base_ms = 200;
		uc.backoff_cap_ms = 5000;
		uc.log = &lg;
		uc.on_message = on_host_message;
		uc.on_message_ctx = &hm;
		if (uplink_new(&uc, &up) != EG_OK) {
			fprintf(stderr, "egate-kiosk: cannot set up the uplink to %s:%lld "
			    "(see the log; [host] connect = false runs without a host)\n",
			    conf.host_address, conf.host_port);
			ret = 3;
			goto out;
		}
		policy_apply_set_uplink(pa, up);
	}
	memset(&ko, 0, sizeof(ko));
	ko.uplink = up;
	ko.conf = &conf;
	ko.policy = &policy;
	ko.log = &lg;
	ko.out = stdout;
	ko.bilingual = true;
	ko.inbox = inbox;
	ko.officer_wait_ms = officer_wait_s * 1000;
	if ((c = kiosk_new(&ko, &k, err, sizeof(err))) != EG_OK ||
	    kiosk_set_scenario(k, sc, err, sizeof(err)) != EG_OK) {
		fprintf(stderr, "egate-kiosk: %s\n", err);
		ret = c == EG_ERR_CONFIG ? 2 : 3;	/* e.g. [host] seal_cert refused */
		goto out;
	}
	/* the persisted configuration before the first Hello reports it */
	(void)policy_apply_load(pa, k);
	if (up != NULL) {
		if (pthread_create(&upt, NULL, uplink_thread, up) != 0) {
			ret = 3;
			goto out;
		}
		up_running = true;
		if (config_wait_s > 0)
			(void)policy_apply_sync(pa, k, config_wait_s);
	}
	printf("egate-kiosk %s: kiosk %s, scenario '%s', %zu passage(s)\n", EGATE_VERSION,
	    conf.id, sc->name, sc->n);
	for (size_t i = 0; i < sc->n; i++) {
		(void)kiosk_idle(k, 0);	/* officer commands between travellers (a hold) */
		(void)policy_apply_pending(pa, k);	/* between passages only */
		if (kiosk_run_passage(k, &sc->p[i], &rep, err, sizeof(err)) != EG_OK) {
			fprintf(stderr, "egate-kiosk: passage '%s': %s\n", sc->p[i].name, err);
			ret = 3;
			goto out;
		}
		if (expectation_met(&sc->p[i], &rep)) {
			met++;
			printf("   expected %s%s%s: met\n", scenario_expect_str(sc->p[i].expect),
			    sc->p[i].expect_rule[0] ? " / " : "", sc->p[i].expect_rule);
		} else {
			printf("   expected %s%s%s: NOT MET\n", scenario_expect_str(sc->p[i].expect),
			    sc->p[i].expect_rule[0] ? " / " : "", sc->p[i].expect_rule);
		}
	}
	printf("%zu of %zu passages as expected\n", met, sc->n);
	ret = met == sc->n ? 0 : 1;
	if (up != NULL) {
		struct uplink_stats st;
		bool all = drain(up, drain_s, &st);
		printf("uplink: %s; %llu record(s) sent, the host acknowledged every record "
		    "up to seq %llu as durable, %llu waiting in the spool%s%s\n",
		    st.connected ? "connected" : "not connected",
		    (unsigned long long)st.sent, (unsigned long long)st.acked_seq,
		    (unsigned long long)st.pending, st.last_error[0] ? "; last error: " : "",
		    st.last_error);
		if (!all && ret == 0)
			ret = 1;
	}
out:
	if (up_running) {
		uplink_stop(up);
		pthread_join(upt, NULL);
	}
	uplink_free(&up);
	kiosk_free(&k);
	kiosk_inbox_free(&inbox);
	policy_apply_free(&pa);
	free(sc);
	return ret;
}
