/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate officer — the border officer's console: kiosk status, the queue of
 * referrals with their explanations, and the officer's actions (open, hold,
 * release, override). Talks to egate-host over mutual TLS with an officer
 * certificate (OU=officer); the host takes the officer's identity from that
 * certificate, logs every action in the audit log before it forwards it,
 * and relays the kiosk's answer. Protocol: proto/PROTOCOL.md, "OfficerRequest
 * and OfficerReply". Manual: docs/man/egate-officer.1, docs/operator-guide.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/tls.h"
#include "frame.h"

#define OFFICER_REASON_MAX 200

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
	    "(at most 200 bytes) and is in the audit log, with the kiosk's answer.\n"
	    "\n"
	    "exit: 0 done, 1 refused (by the host or the kiosk), 2 usage,\n"
	    "      3 cannot connect (TLS, network, files)\n");
}

/* ---- the session ------------------------------------------------------------------ */

struct session {
	int fd;
	struct eg_tls_conf *conf;
	struct eg_tls *tls;
	struct frame_dec *dec;
	int64_t deadline_ms;
	struct proto_msg *msg;		/* the last message read */
	uint8_t buf[16384];		/* bytes read, not yet fed to the decoder */
	size_t have, pos;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable (or writable); false on timeout. */
static bool
wait_io(struct session *s, bool write)
{
	struct pollfd p = { .fd = s->fd, .events = write ? POLLOUT : POLLIN };
	int64_t left = s->deadline_ms - now_ms();

	return left > 0 && poll(&p, 1, (int)left) > 0;
}

static int
tcp_connect(const char *host, const char *port, int *fd)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *a;
	int one = 1;

	if (getaddrinfo(host, port, &hints, &res) != 0)
		return EG_ERR_IO;
	*fd = -1;
	for (a = res; a != NULL; a = a->ai_next) {
		*fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (*fd < 0)
			continue;
		if (connect(*fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			struct pollfd p = { .fd = *fd, .events = POLLOUT };
			int err = 0;
			socklen_t el = sizeof(err);

			if (poll(&p, 1, 5000) == 1 &&
			    getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
				break;
		}
		close(*fd);
		*fd = -1;
	}
	freeaddrinfo(res);
	if (*fd < 0)
		return EG_ERR_IO;
	setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return EG_OK;
}

static int
send_env(struct session *s, const Egate__Envelope *env)
{
	struct eg_wbuf w;
	size_t off = 0;
	int rc;

	eg_wbuf_init(&w, FRAME_MAX_HARD + FRAME_HDR_LEN, false);
	if ((rc = proto_msg_encode(env, 0, &w)) != EG_OK)
		goto out;
	while (off < w.len) {
		size_t put = 0;
		bool ww = false;

		rc = eg_tls_write(s->tls, w.data + off, w.len - off, &put, &ww);
		if (rc == EG_ERR_BUSY) {
			if (!wait_io(s, ww)) {
				rc = EG_ERR_TIMEOUT;
				goto out;
			}
			continue;
		}
		if (rc != EG_OK)
			goto out;
		off += put;
	}
out:
	eg_wbuf_free(&w);
	return rc;
}

/* Read the next message into s->msg (freed on the next call). */
static int
recv_env(struct session *s, const Egate__Envelope **env)
{
	proto_msg_free(&s->msg);
	for (;;) {
		while (s->pos < s->have) {
			const uint8_t *f;
			size_t used = 0, flen = 0;
			int rc = frame_dec_feed(s->dec, s->buf + s->pos, s->have - s->pos, &used, &f,
			    &flen);

			s->pos += used;
			if (rc == EG_ERR_TRUNCATED)
				continue;
			if (rc != EG_OK)
				return rc;
			if ((rc = proto_msg_decode(f, flen, &s->msg)) != EG_OK)
				return rc;
			*env = proto_msg_env(s->msg);
			return EG_OK;
		}
		size_t got = 0;
		bool ww = false;
		int rc = eg_tls_read(s->tls, s->buf, sizeof(s->buf), &got, &ww);

		if (rc == EG_ERR_BUSY) {
			if (!wait_io(s, ww))
				return EG_ERR_TIMEOUT;
			continue;
		}
		if (rc != EG_OK)
			return rc;
		s->have = got;
		s->pos = 0;
	}
}

static void
session_close(struct session *s)
{
	proto_msg_free(&s->msg);
	if (s->tls != NULL)
		eg_tls_close(s->tls);
	eg_tls_free(&s->tls);
	eg_tls_conf_free(&s->conf);
	frame_dec_free(&s->dec);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

struct conn_opts {
	const char *host, *port, *ca, *cert, *key, *server_name;
	int timeout_s;
};

/* Connect, handshake, Hello / HelloAck. Returns an exit code. */
static int
session_open(struct session *s, const struct conn_opts *o)
{
	Egate__Envelope env;
	Egate__Hello h;
	const Egate__Envelope *in = NULL;
	char err[200] = "";
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->deadline_ms = now_ms() + (int64_t)o->timeout_s * 1000;
	if (o->ca == NULL || o->cert == NULL || o->key == NULL) {
		cli_err("officer", "--ca, --cert and --key (or EGATE_CA, EGATE_OFFICER_CERT, "
		    "EGATE_OFFICER_KEY) are required");
		return EGATE_EXIT_USAGE;
	}
	if ((rc = eg_tls_conf_new(&s->conf, EG_TLS_CLIENT, o->ca, NULL, o->cert, o->key, err,
	    sizeof(err))) != EG_OK) {
		cli_err("officer", "%s", err[0] ? err : eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	if (tcp_connect(o->host, o->port, &s->fd) != EG_OK) {
		cli_err("officer", "cannot connect to %s port %s", o->host, o->port);
		return EGATE_EXIT_ERROR;
	}
	if (eg_tls_new(&s->tls, s->conf, s->fd, o->server_name) != EG_OK ||
	    frame_dec_new(0, &s->dec) != EG_OK)
		return EGATE_EXIT_ERROR;
	for (;;) {
		bool ww = false;

		rc = eg_tls_handshake(s->tls, &ww);
		if (rc != EG_ERR_BUSY)
			break;
		if (!wait_io(s, ww)) {
			cli_err("officer", "TLS handshake timed out");
			return EGATE_EXIT_ERROR;
		}
	}
	if (rc != EG_OK) {
		cli_err("officer", "TLS: %s", eg_tls_error(s->tls));
		return EGATE_EXIT_ERROR;
	}
	egate__envelope__init(&env);
	egate__hello__init(&h);
	h.version_min = EGATE_PROTO_VERSION_MIN;
	h.version_max = EGATE_PROTO_VERSION_MAX;
	env.body_case = EGATE__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	if ((rc = send_env(s, &env)) != EG_OK || (rc = recv_env(s, &in)) != EG_OK) {
		cli_err("officer", "no answer to Hello: %s", eg_strerror(rc));
		return EGATE_EXIT_ERROR;
	}
	if (in->body_case == EGATE__ENVELOPE__BODY_ERROR) {
		cli_err("officer", "host refused the session: %s",
		    in->error->detail ? in->error->detail : "");
		return EGATE_EXIT_FAIL;
	}
	if (in->body_case != EGATE__ENVELOPE__BODY_HELLO_ACK) {
		cli_err("officer", "unexpected answer to Hello");
		return EGATE_EXIT_ERROR;
	}
	return EGATE_EXIT_OK;
}

/* Send q and wait for the OfficerReply with its request_id. */
static int
request(struct session *s, Egate__OfficerRequest *q, const Egate__OfficerReply **out)
{
	Egate__Envelope env;
	const Egate__Envelope *in = NULL;
	int rc;

	egate__envelope__init(&env);
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REQUEST;
	env.officer_request = q;
	if ((rc = send_env(s, &env)) != EG_OK)
		return rc;
	for (;;) {
		if ((rc = recv_env(s, &in)) != EG_OK)
			return rc;
		if (in->body_case == EGATE__ENVELOPE__BODY_ERROR) {
			cli_err("officer", "host: %s", in->error->detail ? in->error->detail : "");
			return EG_ERR_PROTOCOL;
		}
		if (in->body_case == EGATE__ENVELOPE__BODY_OFFICER_REPLY &&
		    in->officer_reply->request_id == q->request_id) {
			*out = in->officer_reply;
			return EG_OK;
		}
	}
}

/* ---- output --------------------------------------------------------------------- */

static const char *
health_name(Egate__DeviceHealth h)
{
	switch (h) {
	case EGATE__DEVICE_HEALTH__DEVICE_OK: return "ok";
	case EGATE__DEVICE_HEALTH__DEVICE_DEGRADED: return "degraded";
	case EGATE__DEVICE_HEALTH__DEVICE_FAILED: return "FAILED";
	case EGATE__DEVICE_HEALTH__DEVICE_ABSENT: return "absent";
	default: return "?";
	}
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

static void
print_status(const Egate__OfficerReply *r, bool json)
{
	if (json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_arr_begin(&j);
		for (size_t i = 0; i < r->n_kiosks; i++) {
			const Egate__KioskStatus *k = r->kiosks[i];
			const Egate__Heartbeat *h = k->heartbeat;

			eg_json_obj_begin(&j);
			eg_json_key_str(&j, "kiosk", k->kiosk_id);
			eg_json_key_bool(&j, "connected", k->connected);
			eg_json_key_int(&j, "last_seen_ms", k->last_seen_ms);
			eg_json_key_str(&j, "firmware", k->firmware_version);
			eg_json_key_int(&j, "config_version", (long long)k->config_version);
			eg_json_key_int(&j, "events", (long long)k->events);
			eg_json_key_str(&j, "state", h ? h->state : "");
			eg_json_key_bool(&j, "held", h ? h->held : false);
			eg_json_key_int(&j, "referral_seq", h ? (long long)h->referral_seq : 0);
			eg_json_key_str(&j, "last_decision", h ? h->last_decision : "");
			eg_json_key_str(&j, "last_reason", h ? h->last_reason : "");
			eg_json_key_int(&j, "last_ts_ms", h ? h->last_ts_ms : 0);
			eg_json_key_int(&j, "pending_events", h ? h->pending_events : 0);
			eg_json_key(&j, "devices");
			eg_json_obj_begin(&j);
			for (size_t d = 0; h != NULL && d < h->n_devices; d++)
				eg_json_key_str(&j, h->devices[d]->name, health_name(h->devices[d]->health));
			eg_json_obj_end(&j);
			eg_json_obj_end(&j);
		}
		eg_json_arr_end(&j);
		(void)eg_json_finish(&j);
		putchar('\n');
		return;
	}
	printf("%-10s %-8s %-14s %-5s %-8s %-36s %-6s %s\n", "KIOSK", "LINK", "STATE", "HELD",
	    "REFERRAL", "LAST DECISION", "CONFIG", "DEVICES");
	for (size_t i = 0; i < r->n_kiosks; i++) {
		const Egate__KioskStatus *k = r->kiosks[i];
		const Egate__Heartbeat *h = k->heartbeat;
		char last[64], ref[24];

		snprintf(last, sizeof(last), "%s%s%s", h && h->last_decision[0] ? h->last_decision : "-",
		    h && h->last_reason[0] ? " " : "", h ? h->last_reason : "");
		snprintf(ref, sizeof(ref), "%" PRIu64, h ? h->referral_seq : 0);
		printf("%-10s %-8s %-14s %-5s %-8s %-36s %-6" PRIu64 " ", k->kiosk_id,
		    k->connected ? "online" : "offline", h ? h->state : "-",
		    h && h->held ? "yes" : "no", h && h->referral_seq ? ref : "-", last,
		    k->config_version);
		for (size_t d = 0; h != NULL && d < h->n_devices; d++)
			printf("%s%s=%s", d ? "," : "", h->devices[d]->name,
			    health_name(h->devices[d]->health));
		printf("%s\n", h == NULL || h->n_devices == 0 ? "-" : "");
	}
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
		for (size_t i = 0; i < r->n_referrals; i++) {
			const Egate__Referral *f = r->referrals[i];

			eg_json_obj_begin(&j);
			eg_json_key_str(&j, "kiosk", f->kiosk_id);
			eg_json_key_int(&j, "seq", (long long)f->seq);
			eg_json_key_int(&j, "ts_ms", f->ts_ms);
			eg_json_key_str(&j, "reason", f->reason);
			/* the explanation is the audit payload: already JSON */
			eg_json_key_str(&j, "explanation", f->explanation);
			eg_json_obj_end(&j);
		}
		eg_json_arr_end(&j);
		(void)eg_json_finish(&j);
		putchar('\n');
		return;
	}
	if (r->n_referrals == 0) {
		printf("no referral waiting\n");
		return;
	}
	for (size_t i = 0; i < r->n_referrals; i++) {
		const Egate__Referral *f = r->referrals[i];
		char t[40];

		fmt_time(f->ts_ms, t, sizeof(t));
		printf("kiosk %s  passage %" PRIu64 "  %s  rule %s\n", f->kiosk_id, f->seq, t,
		    f->reason[0] ? f->reason : "-");
		printf("  explanation: %s\n", f->explanation[0] ? f->explanation :
		    "(record not received yet)");
	}
}

/* ---- main -------------------------------------------------------------------------- */

enum { O_HOST = 256, O_PORT, O_CA, O_CERT, O_KEY, O_SNI, O_TIMEOUT, O_KIOSK, O_REASON,
	O_PASSAGE, O_OPEN, O_REJECT, O_JSON };

static const char *
envor(const char *v, const char *name, const char *dflt)
{
	const char *e = getenv(name);

	return v != NULL ? v : (e != NULL && e[0] != '\0' ? e : dflt);
}

struct officer_args {
	struct conn_opts co;
	const char *kiosk, *reason;
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

	if (a->json) {
		struct eg_json j;

		eg_json_init(&j, stdout);
		eg_json_obj_begin(&j);
		eg_json_key_bool(&j, "ok", ok);
		eg_json_key_int(&j, "command_id", (long long)rep->command_id);
		eg_json_key_str(&j, "detail", detail != NULL ? detail : "");
		eg_json_obj_end(&j);
		(void)eg_json_finish(&j);
		putchar('\n');
	} else if (rep->error == NULL) {
		printf("%s %s: %s (command %" PRIu64 "%s%s)\n", sub, a->kiosk,
		    ok ? "done" : "REFUSED by the kiosk", rep->command_id,
		    detail[0] ? ": " : "", detail);
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct officer_args a = { .co = { .timeout_s = 15 } };
	Egate__OfficerRequest q;
	const Egate__OfficerReply *rep = NULL;
	struct session s = { .fd = -1 };
	const char *sub;
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
		if (a.kiosk == NULL || a.kiosk[0] == '\0' || a.reason == NULL || a.reason[0] == '\0') {
			cli_err("officer", "%s needs --kiosk ID and --reason TEXT", sub);
			return EGATE_EXIT_USAGE;
		}
		if (strlen(a.reason) > OFFICER_REASON_MAX) {
			cli_err("officer", "--reason: at most %d bytes", OFFICER_REASON_MAX);
			return EGATE_EXIT_USAGE;
		}
		q.kiosk_id = (char *)(uintptr_t)a.kiosk;
		q.reason = (char *)(uintptr_t)a.reason;
	}
	a.co.host = envor(a.co.host, "EGATE_HOST", "localhost");
	a.co.port = envor(a.co.port, "EGATE_PORT", "4433");
	a.co.ca = envor(a.co.ca, "EGATE_CA", NULL);
	a.co.cert = envor(a.co.cert, "EGATE_OFFICER_CERT", NULL);
	a.co.key = envor(a.co.key, "EGATE_OFFICER_KEY", NULL);
	a.co.server_name = a.co.server_name ? a.co.server_name : "egate-host";
	if ((ex = session_open(&s, &a.co)) != EGATE_EXIT_OK)
		goto out;
	if ((rc = request(&s, &q, &rep)) != EG_OK) {
		cli_err("officer", "no answer: %s", eg_strerror(rc));
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
		cli_err("officer", "refused: %s", rep->error->detail ? rep->error->detail : "");
		ex = EGATE_EXIT_FAIL;
	} else if (q.query == EGATE__OFFICER_QUERY__OFFICER_QUERY_UNSPECIFIED &&
	    (rep->result == NULL || !rep->result->ok)) {
		ex = EGATE_EXIT_FAIL;
	}
out:
	session_close(&s);
	return ex;
}
