/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate officer — the border officer's tools: kiosk status, the queue of
 * referrals with their explanations, the officer's actions (open, hold,
 * release, override), a live view for a terminal (watch) and the officer
 * console for a browser (console, officer_console.c). Talks to egate-host
 * over mutual TLS with an officer certificate (OU=officer; officer_link.c);
 * the host takes the officer's identity from that certificate, logs every
 * action in the audit log before it forwards it, and relays the kiosk's
 * answer. Protocol: proto/PROTOCOL.md, "OfficerRequest and OfficerReply".
 * Manual: docs/man/egate-officer.1, docs/operator-guide.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "egate/error.h"
#include "egate/json.h"
#include "explain.h"
#include "frame.h"
#include "officer.h"
#include "officer_json.h"
#include "officer_link.h"
#include "text.h"

static void
help(FILE *f)
{
	fprintf(f,
	    "usage: egate officer [CONNECTION] status [--json]\n"
	    "       egate officer [CONNECTION] queue  [--json]\n"
	    "       egate officer [CONNECTION] open     --kiosk ID --reason TEXT [--json]\n"
	    "       egate officer [CONNECTION] hold     --kiosk ID --reason TEXT [--json]\n"
	    "       egate officer [CONNECTION] release  --kiosk ID --reason TEXT [--json]\n"
	    "       egate officer [CONNECTION] override --kiosk ID --passage SEQ\n"
	    "                                           (--open | --reject) --reason TEXT [--json]\n"
	    "       egate officer [CONNECTION] watch    [--json]\n"
	    "       egate officer [CONNECTION] console  --listen 127.0.0.1:PORT [--url-file FILE]\n"
	    "\n"
	    "connection (each also from the environment variable in brackets):\n"
	    "  --host ADDR         egate-host address [EGATE_HOST] (default localhost)\n"
	    "  --port N            its port [EGATE_PORT] (default 4433)\n"
	    "  --ca FILE           deployment CA certificate [EGATE_CA]\n"
	    "  --cert FILE         your officer certificate (OU=officer) [EGATE_OFFICER_CERT]\n"
	    "  --key FILE          its private key [EGATE_OFFICER_KEY]\n"
	    "  --server-name CN    CN of the host certificate (default egate-host)\n"
	    "  --timeout SECONDS   give up after this long (default 15)\n"
	    "\n"
	    "Your identity is your certificate's CN. Every action needs a reason\n"
	    "(1 to %u bytes, not blank, no control characters) and is in the audit log,\n"
	    "with the kiosk's answer. 'watch' prints the live view as lines (one JSON\n"
	    "object a line with --json); 'console' serves the officer console to a\n"
	    "browser on this computer only (loopback), at the address it prints.\n"
	    "\n"
	    "exit: 0 done, 1 refused (by the host or the kiosk), 2 usage,\n"
	    "      3 cannot connect (network, files, TLS), 4 your certificate cannot be\n"
	    "      used (expired, not yet valid, revoked, wrong role, another deployment)\n",
	    PROTO_REASON_MAX);
}

static void
fmt_time(int64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(out, cap, "-");
	else
		strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* s escaped for a terminal, cut to cap (text from kiosks is untrusted). */
static const char *
esc(const char *s, char *buf, size_t cap)
{
	(void)proto_text_escape(s != NULL ? s : "", buf, cap);
	return buf;
}

void
officer_print_status_line(FILE *o, const Egate__KioskStatus *k)
{
	const Egate__Heartbeat *h = k->heartbeat;
	char id[80], state[80], last[160], ref[24], dev[64], det[96], cert[24];
	bool online = k->connected;
	long days;

	snprintf(last, sizeof(last), "%s", "-");
	if (h != NULL && h->last_decision[0] != '\0') {
		char d[40], r[100];

		snprintf(last, sizeof(last), "%s %s", esc(h->last_decision, d, sizeof(d)),
		    esc(h->last_reason, r, sizeof(r)));
	}
	snprintf(ref, sizeof(ref), "%" PRIu64, online && h ? h->referral_seq : 0);
	snprintf(cert, sizeof(cert), "%s", "-");
	if (officer_cert_days(k, cli_wall_ms(), &days))
		snprintf(cert, sizeof(cert), days < 0 ? "expired" : "%ldd", days);
	fprintf(o, "%-10s %-8s %-14s %-5s %-8s %-36s %-6" PRIu64 " %-7s ",
	    esc(k->kiosk_id, id, sizeof(id)), online ? "online" : "offline",
	    !online ? "OFFLINE" : h ? esc(h->state, state, sizeof(state)) : "-",
	    online && h && h->held ? "yes" : "no", online && h && h->referral_seq ? ref : "-", last,
	    k->config_version, cert);
	for (size_t d = 0; h != NULL && d < h->n_devices; d++) {
		fprintf(o, "%s%s=%s", d ? "," : "", esc(h->devices[d]->name, dev, sizeof(dev)),
		    officer_health_name(h->devices[d]->health));
		if (h->devices[d]->health != EGATE__DEVICE_HEALTH__DEVICE_OK &&
		    h->devices[d]->detail != NULL && h->devices[d]->detail[0] != '\0')
			fprintf(o, "(%s)", esc(h->devices[d]->detail, det, sizeof(det)));
	}
	fprintf(o, "%s\n", h == NULL || h->n_devices == 0 ? "-" : "");
}

void
officer_print_status_header(FILE *o)
{
	fprintf(o, "%-10s %-8s %-14s %-5s %-8s %-36s %-6s %-7s %s\n", "KIOSK", "LINK", "STATE",
	    "HELD", "REFERRAL", "LAST DECISION", "CONFIG", "CERT", "DEVICES");
}

void
officer_print_referral(FILE *o, const Egate__Referral *f, const char *indent)
{
	struct proto_explain *x = calloc(1, sizeof(*x));
	char t[40], id[80], r[100];

	fmt_time(f->ts_ms, t, sizeof(t));
	fprintf(o, "%skiosk %s  passage %" PRIu64 "  %s  rule %s\n", indent,
	    esc(f->kiosk_id, id, sizeof(id)), f->seq, t, f->reason[0] ? esc(f->reason, r, sizeof(r)) : "-");
	if (f->explanation == NULL || f->explanation[0] == '\0') {
		fprintf(o, "%s  (the record with the explanation has not arrived yet)\n", indent);
	} else if (x == NULL || proto_explain_parse(f->explanation, strlen(f->explanation), x) != EG_OK) {
		/* not readable as an explanation: shown as it is, escaped */
		fprintf(o, "%s  explanation: ", indent);
		proto_text_put(o, f->explanation);
		fputc('\n', o);
	} else {
		char in[64];

		snprintf(in, sizeof(in), "%s  ", indent);
		(void)proto_explain_text(x, in, o);
	}
	free(x);
}

/* A kiosk whose certificate ends within OFFICER_CERT_WARN_DAYS is locked
 * out when it does: say so on stderr, as `egate pki list` does. */
static void
warn_cert_expiry(const Egate__OfficerReply *r)
{
	int64_t now = cli_wall_ms();

	for (size_t i = 0; i < r->n_kiosks; i++) {
		const Egate__KioskStatus *k = r->kiosks[i];
		char id[80], date[24];
		time_t end = (time_t)(k->cert_not_after_ms / 1000);
		struct tm tm;
		long days;

		if (!officer_cert_days(k, now, &days) || days >= OFFICER_CERT_WARN_DAYS)
			continue;
		gmtime_r(&end, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		if (days < 0)
			cli_err("officer", "warning: kiosk %s's certificate expired on %s: it cannot "
			    "connect again until it is renewed (egate pki renew on the CA machine)",
			    esc(k->kiosk_id, id, sizeof(id)), date);
		else
			cli_err("officer", "warning: kiosk %s's certificate expires in %ld days (%s): "
			    "renew it (egate pki renew on the CA machine)",
			    esc(k->kiosk_id, id, sizeof(id)), days, date);
	}
}

static void
print_status(const Egate__OfficerReply *r, bool json)
{
	warn_cert_expiry(r);
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < r->n_kiosks; i++)
			officer_json_kiosk(&j, r->kiosks[i]);
		eg_json_arr_end(&j);
		(void)eg_json_finish(&j);
		return;
	}
	officer_print_status_header(stdout);
	for (size_t i = 0; i < r->n_kiosks; i++)
		officer_print_status_line(stdout, r->kiosks[i]);
	if (r->n_kiosks == 0)
		printf("(no kiosk has connected since the host started)\n");
}

static void
print_queue(const Egate__OfficerReply *r, bool json)
{
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < r->n_referrals; i++)
			officer_json_referral(&j, r->referrals[i]);
		eg_json_arr_end(&j);
		(void)eg_json_finish(&j);
		return;
	}
	if (r->n_referrals == 0) {
		printf("no referral waiting\n");
		return;
	}
	for (size_t i = 0; i < r->n_referrals; i++)
		officer_print_referral(stdout, r->referrals[i], "");
}

/* ---- main -------------------------------------------------------------------------- */

enum { O_HOST = 256, O_PORT, O_CA, O_CERT, O_KEY, O_SNI, O_TIMEOUT, O_KIOSK, O_REASON,
	O_PASSAGE, O_OPEN, O_REJECT, O_JSON, O_LISTEN, O_URL_FILE };

static const char *
envor(const char *v, const char *name, const char *dflt)
{
	const char *e = getenv(name);

	return v != NULL ? v : (e != NULL && e[0] != '\0' ? e : dflt);
}

struct officer_args {
	struct officer_link_opts co;
	const char *kiosk, *reason, *listen, *url_file;
	uint64_t passage;
	bool json, open, reject;
};

/* One option of either half of the command line. Returns EGATE_EXIT_OK to
 * go on, -1 after --help, or EGATE_EXIT_USAGE. */
static int
take_opt(int c, struct officer_args *a)
{
	char *end;

	switch (c) {
	case O_HOST: a->co.host = optarg; break;
	case O_PORT: a->co.port = optarg; break;
	case O_CA: a->co.ca = optarg; break;
	case O_CERT: a->co.cert = optarg; break;
	case O_KEY: a->co.key = optarg; break;
	case O_SNI: a->co.server_name = optarg; break;
	case O_TIMEOUT:
		a->co.timeout_s = (int)strtol(optarg, &end, 10);
		if (*end != '\0' || a->co.timeout_s < 1 || a->co.timeout_s > 3600) {
			cli_err("officer", "--timeout: 1 to 3600 seconds");
			return EGATE_EXIT_USAGE;
		}
		break;
	case O_KIOSK: a->kiosk = optarg; break;
	case O_REASON: a->reason = optarg; break;
	case O_PASSAGE:
		errno = 0;
		a->passage = strtoull(optarg, &end, 10);
		if (errno != 0 || *end != '\0' || a->passage == 0 || optarg[0] == '-') {
			cli_err("officer", "--passage: a sequence number >= 1");
			return EGATE_EXIT_USAGE;
		}
		break;
	case O_OPEN: a->open = true; break;
	case O_REJECT: a->reject = true; break;
	case O_JSON: a->json = true; break;
	case O_LISTEN: a->listen = optarg; break;
	case O_URL_FILE: a->url_file = optarg; break;
	case 'h': help(stdout); return -1;
	default: help(stderr); return EGATE_EXIT_USAGE;
	}
	return EGATE_EXIT_OK;
}

static void
print_result(const char *sub, const struct officer_args *a, const Egate__OfficerReply *rep)
{
	const Egate__CommandResult *res = rep->result;
	bool ok = rep->error == NULL && res != NULL && res->ok;
	const char *detail = rep->error != NULL ? rep->error->detail :
	    res != NULL && res->detail ? res->detail : "";
	char d[256], k[80];

	if (detail == NULL)
		detail = "";
	if (a->json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_bool(&j, "ok", ok);
		eg_json_key_int(&j, "command_id", (long long)rep->command_id);
		eg_json_key_str(&j, "detail", detail);
		eg_json_obj_end(&j);
		(void)eg_json_finish(&j);
	} else if (rep->error == NULL) {
		printf("%s %s: %s (command %" PRIu64 "%s%s)\n", sub, esc(a->kiosk, k, sizeof(k)),
		    ok ? "done" : "REFUSED by the kiosk", rep->command_id,
		    detail[0] ? ": " : "", esc(detail, d, sizeof(d)));
	}
}

int
cmd_officer(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, O_HOST },
		{ "port", required_argument, NULL, O_PORT },
		{ "ca", required_argument, NULL, O_CA },
		{ "cert", required_argument, NULL, O_CERT },
		{ "key", required_argument, NULL, O_KEY },
		{ "server-name", required_argument, NULL, O_SNI },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "kiosk", required_argument, NULL, O_KIOSK },
		{ "reason", required_argument, NULL, O_REASON },
		{ "passage", required_argument, NULL, O_PASSAGE },
		{ "open", no_argument, NULL, O_OPEN },
		{ "reject", no_argument, NULL, O_REJECT },
		{ "json", no_argument, NULL, O_JSON },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "url-file", required_argument, NULL, O_URL_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct officer_args a = { .co = { .timeout_s = 15 } };
	Egate__OfficerRequest q;
	const Egate__OfficerReply *rep = NULL;
	struct officer_link *l = NULL;
	const char *sub;
	char why[512];
	int c, rc, ex, sub_argc;
	char **sub_argv;

	/* connection options, the subcommand, then its options (any order) */
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1)
		if ((ex = take_opt(c, &a)) != EGATE_EXIT_OK)
			return ex < 0 ? EGATE_EXIT_OK : ex;
	if (optind >= argc) {
		help(stderr);
		return EGATE_EXIT_USAGE;
	}
	sub = argv[optind];
	sub_argc = argc - optind;
	sub_argv = argv + optind;
	optind = 1;
	while ((c = getopt_long(sub_argc, sub_argv, "h", opts, NULL)) != -1)
		if ((ex = take_opt(c, &a)) != EGATE_EXIT_OK)
			return ex < 0 ? EGATE_EXIT_OK : ex;
	if (optind < sub_argc) {
		cli_err("officer", "unexpected argument '%s'", sub_argv[optind]);
		return EGATE_EXIT_USAGE;
	}
	a.co.host = envor(a.co.host, "EGATE_HOST", "localhost");
	a.co.port = envor(a.co.port, "EGATE_PORT", "4433");
	a.co.ca = envor(a.co.ca, "EGATE_CA", NULL);
	a.co.cert = envor(a.co.cert, "EGATE_OFFICER_CERT", NULL);
	a.co.key = envor(a.co.key, "EGATE_OFFICER_KEY", NULL);
	a.co.server_name = a.co.server_name ? a.co.server_name : "egate-host";
	if (strcmp(sub, "watch") == 0)
		return officer_watch_run(&a.co, a.json);
	if (strcmp(sub, "console") == 0) {
		if (a.listen == NULL) {
			cli_err("officer", "console needs --listen 127.0.0.1:PORT (loopback only)");
			return EGATE_EXIT_USAGE;
		}
		return officer_console_run(&a.co, a.listen, a.url_file);
	}
	egate__officer_request__init(&q);
	q.request_id = 1;
	if (strcmp(sub, "status") == 0) {
		q.query = EGATE__OFFICER_QUERY__OFFICER_QUERY_STATUS;
	} else if (strcmp(sub, "queue") == 0) {
		q.query = EGATE__OFFICER_QUERY__OFFICER_QUERY_QUEUE;
	} else if (strcmp(sub, "open") == 0) {
		q.action = EGATE__OFFICER_ACTION__OFFICER_OPEN;
	} else if (strcmp(sub, "hold") == 0) {
		q.action = EGATE__OFFICER_ACTION__OFFICER_HOLD;
	} else if (strcmp(sub, "release") == 0) {
		q.action = EGATE__OFFICER_ACTION__OFFICER_RELEASE;
	} else if (strcmp(sub, "override") == 0) {
		if (a.open == a.reject) {
			cli_err("officer", "override needs exactly one of --open and --reject");
			return EGATE_EXIT_USAGE;
		}
		if (a.passage == 0) {
			cli_err("officer", "override needs --passage SEQ (see 'egate officer queue')");
			return EGATE_EXIT_USAGE;
		}
		q.action = a.open ? EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN :
		    EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT;
		q.passage_seq = a.passage;
	} else {
		cli_err("officer", "unknown subcommand '%s'", sub);
		help(stderr);
		return EGATE_EXIT_USAGE;
	}
	if (q.action != EGATE__OFFICER_ACTION__OFFICER_ACTION_UNSPECIFIED) {
		if (a.kiosk == NULL || a.kiosk[0] == '\0' || a.reason == NULL) {
			cli_err("officer", "%s needs --kiosk ID and --reason TEXT", sub);
			return EGATE_EXIT_USAGE;
		}
		/* the same rule the host applies: refused here, before any
		 * connection, with the reason why */
		if (proto_reason_check(a.reason, why, sizeof(why)) != EG_OK) {
			cli_err("officer", "--reason: %s", why);
			return EGATE_EXIT_USAGE;
		}
		q.kiosk_id = (char *)(uintptr_t)a.kiosk;
		q.reason = (char *)(uintptr_t)a.reason;
	}
	if ((ex = officer_link_open(&l, &a.co, why, sizeof(why))) != EGATE_EXIT_OK) {
		cli_err("officer", "%s", why);
		return ex;
	}
	if ((rc = officer_link_request(l, &q, &rep, officer_link_now_ms() + (int64_t)a.co.timeout_s * 1000,
	    NULL, NULL, why, sizeof(why))) != EG_OK) {
		cli_err("officer", "%s", why);
		ex = rc == EG_ERR_PROTOCOL ? EGATE_EXIT_FAIL : EGATE_EXIT_ERROR;
		goto out;
	}
	ex = EGATE_EXIT_OK;
	if (q.query == EGATE__OFFICER_QUERY__OFFICER_QUERY_STATUS && rep->error == NULL)
		print_status(rep, a.json);
	else if (q.query == EGATE__OFFICER_QUERY__OFFICER_QUERY_QUEUE && rep->error == NULL)
		print_queue(rep, a.json);
	else
		print_result(sub, &a, rep);
	if (rep->error != NULL) {
		char d[256];

		cli_err("officer", "refused: %s", esc(rep->error->detail, d, sizeof(d)));
		ex = EGATE_EXIT_FAIL;
	} else if (q.query == EGATE__OFFICER_QUERY__OFFICER_QUERY_UNSPECIFIED &&
	    (rep->result == NULL || !rep->result->ok)) {
		ex = EGATE_EXIT_FAIL;
	}
out:
	officer_link_close(&l);
	return ex;
}
