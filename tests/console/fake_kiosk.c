/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake-kiosk — TEST ONLY: plays a kiosk's part of a biometric referral over
 * mutual TLS with egate-host (protocol version 2), until egate-kiosk sends
 * the pictures itself:
 *
 *   Hello -> HelloAck; Heartbeat IDLE; PassageEvent REFER (seq = the host's
 *   last durable + 1); Heartbeat REFERRED; ReferralImages (the live face and
 *   the chip portrait, two JPEGs made from test photos the way the simulated
 *   chip makes its DG2, each carrying --marker in a JPEG comment segment);
 *   then answers OfficerCommands: an override of the referral is carried out
 *   (a PassageEvent with the officer's decision, a Heartbeat IDLE); with
 *   --withdraw-after MS the referral ends at the kiosk instead (Heartbeat
 *   IDLE without a decision).
 *
 * The pictures exist only in this process's memory; it prints their SHA-256
 * so the test can compare what reaches the console, and never writes them.
 *
 *   fake-kiosk --port P --ca CA --cert K.crt --key K.key --id K02
 *              --live-photo sample6.jpg --chip-photo sample5.jpg --marker M
 *              [--reason RULE] [--withdraw-after MS] [--linger MS]
 *
 * Lines on stdout: "ready seq=N", "images live=HEX portrait=HEX",
 * "decided action=A officer=O", "withdrawn", "done".
 *
 * With --as-officer it plays a misbehaving officer client instead: Hello
 * with role officer (whatever the certificate), then, with --request-reason,
 * one HOLD of --request-kiosk with that reason, bypassing the checks of
 * `egate officer`. Lines: "session refused: DETAIL", "reply error: DETAIL",
 * "reply ok".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tls.h"
#include "frame.h"
#include "sim_portrait.h"
#include "sim_traveller.h"

struct fk {
	int fd;
	struct eg_tls *tls;
	struct frame_dec *dec;
	struct proto_msg *msg;
	uint8_t buf[16384];
	size_t have, pos;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "fake-kiosk: %s: %s\n", what, eg_strerror(rc));
	exit(1);
}

static bool
wait_io(int fd, bool wr, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = wr ? POLLOUT : POLLIN };
	int64_t left = deadline - now_ms();

	return left > 0 && poll(&p, 1, (int)left) > 0;
}

static void
send_env(struct fk *k, const Egate__Envelope *env)
{
	struct eg_wbuf w;
	size_t off = 0;
	int rc;

	eg_wbuf_init(&w, FRAME_MAX_HARD + FRAME_HDR_LEN, true);
	if ((rc = proto_msg_encode(env, 0, &w)) != EG_OK)
		die("encode", rc);
	while (off < w.len) {
		size_t put = 0;
		bool ww = false;

		rc = eg_tls_write(k->tls, w.data + off, w.len - off, &put, &ww);
		if (rc == EG_ERR_BUSY) {
			if (!wait_io(k->fd, ww, now_ms() + 10000))
				die("send", EG_ERR_TIMEOUT);
			continue;
		}
		if (rc != EG_OK)
			die("send", rc);
		off += put;
	}
	eg_wbuf_free(&w);	/* secret: wiped (it held the pictures) */
}

/* The next message, or NULL at the deadline. */
static const Egate__Envelope *
recv_env(struct fk *k, int64_t deadline)
{
	proto_msg_free(&k->msg);
	for (;;) {
		while (k->pos < k->have) {
			const uint8_t *f;
			size_t used = 0, flen = 0;
			int rc = frame_dec_feed(k->dec, k->buf + k->pos, k->have - k->pos, &used, &f, &flen);

			k->pos += used;
			if (rc == EG_ERR_TRUNCATED)
				continue;
			if (rc != EG_OK || (rc = proto_msg_decode(f, flen, &k->msg)) != EG_OK)
				die("receive", rc);
			return proto_msg_env(k->msg);
		}
		size_t got = 0;
		bool ww = false;
		int rc = eg_tls_read(k->tls, k->buf, sizeof(k->buf), &got, &ww);

		if (rc == EG_ERR_BUSY) {
			if (!wait_io(k->fd, ww, deadline))
				return NULL;
			continue;
		}
		if (rc != EG_OK)
			die("receive", rc);
		k->have = got;
		k->pos = 0;
	}
}

static void
heartbeat(struct fk *k, const char *state, uint64_t referral, const char *last, const char *rule,
    int64_t last_ts)
{
	Egate__Envelope env;
	Egate__Heartbeat hb;
	Egate__DeviceStatus ds[2], *dsp[2] = { &ds[0], &ds[1] };

	egate__envelope__init(&env);
	egate__heartbeat__init(&hb);
	for (int i = 0; i < 2; i++) {
		egate__device_status__init(&ds[i]);
		ds[i].health = EGATE__DEVICE_HEALTH__DEVICE_OK;
	}
	ds[0].name = (char *)(uintptr_t)"reader";
	ds[1].name = (char *)(uintptr_t)"camera";
	hb.ts_ms = wall_ms();
	hb.uptime_s = 60;
	hb.state = (char *)(uintptr_t)state;
	hb.referral_seq = referral;
	hb.last_decision = (char *)(uintptr_t)last;
	hb.last_reason = (char *)(uintptr_t)rule;
	hb.last_ts_ms = last_ts;
	hb.n_devices = 2;
	hb.devices = dsp;
	env.body_case = EGATE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	send_env(k, &env);
}

static void
passage(struct fk *k, uint64_t seq, Egate__Decision d, const char *rule, int64_t ts,
    const Egate__OfficerCommand *cmd, uint64_t overrides)
{
	Egate__Envelope env;
	Egate__PassageEvent e;
	Egate__Check c[2], *cp[2] = { &c[0], &c[1] };
	Egate__Score s[2], *sp[2] = { &s[0], &s[1] };
	Egate__Identifiers id;

	egate__envelope__init(&env);
	egate__passage_event__init(&e);
	egate__identifiers__init(&id);
	for (int i = 0; i < 2; i++) {
		egate__check__init(&c[i]);
		egate__score__init(&s[i]);
	}
	c[0].name = (char *)(uintptr_t)"passive_auth";
	c[0].result = EGATE__CHECK_RESULT__CHECK_PASS;
	c[1].name = (char *)(uintptr_t)"match_1to1";
	c[1].result = EGATE__CHECK_RESULT__CHECK_FAIL;
	c[1].detail = (char *)(uintptr_t)"score below threshold";
	s[0].name = (char *)(uintptr_t)"face_similarity";
	s[0].value = 0.212;
	s[0].threshold = 0.5;
	s[1].name = (char *)(uintptr_t)"pad_liveness";
	s[1].value = 0.91;
	s[1].threshold = 0.3;
	s[1].passed = true;
	id.issuing_state = (char *)(uintptr_t)"UTO";
	id.document_type = (char *)(uintptr_t)"P";
	e.seq = seq;
	e.ts_ms = ts;
	e.decision = d;
	e.reason = (char *)(uintptr_t)rule;
	e.n_checks = 2;
	e.checks = cp;
	e.n_scores = 2;
	e.scores = sp;
	e.model_version = (char *)(uintptr_t)"fake-kiosk:0";
	e.identifiers = &id;
	e.duration_ms = 6100;
	if (cmd != NULL) {
		e.officer_id = cmd->officer_id;
		e.command_id = cmd->command_id;
		e.overrides_seq = overrides;
	}
	env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
	env.passage = &e;
	send_env(k, &env);
}

/* A token-frame JPEG of a test photo with a comment segment holding marker
 * right after SOI; its SHA-256 as hex in hex. */
static void
picture(struct sim_portraits *sp, const char *photo, const char *marker, struct eg_wbuf *out,
    char hex[65])
{
	struct eg_wbuf w;
	char dir[4096], path[4200];
	uint8_t d[32];
	uint16_t pw, ph;
	size_t ml = strlen(marker);
	int rc;

	eg_wbuf_init(&w, 256 * 1024, true);
	snprintf(path, sizeof(path), "%s/%s", sim_testdata_dir(dir, sizeof(dir)), photo);
	if ((rc = sim_portraits_get(sp, path, SIM_DG2_JPEG, 40 * 1024, &w, &pw, &ph)) != EG_OK)
		die(path, rc);
	if (w.len < 2 || w.data[0] != 0xFF || w.data[1] != 0xD8)
		die("not a JPEG", EG_ERR_FORMAT);
	eg_wbuf_init(out, PROTO_IMAGE_MAX, true);
	if (eg_wbuf_put(out, w.data, 2) != EG_OK || eg_wbuf_u8(out, 0xFF) != EG_OK ||
	    eg_wbuf_u8(out, 0xFE) != EG_OK || eg_wbuf_be16(out, (uint16_t)(ml + 2)) != EG_OK ||
	    eg_wbuf_put(out, marker, ml) != EG_OK || eg_wbuf_put(out, w.data + 2, w.len - 2) != EG_OK)
		die("picture too large", EG_ERR_OVERFLOW);
	eg_wbuf_free(&w);
	mbedtls_sha256_ret(out->data, out->len, d, 0);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void
fk_close(struct fk *k)
{
	proto_msg_free(&k->msg);
	eg_tls_close(k->tls);
	eg_tls_free(&k->tls);
	frame_dec_free(&k->dec);
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

/* --as-officer: what `egate officer` would refuse to send, sent. */
static int
officer_part(struct fk *k, const char *kiosk, const char *reason)
{
	const Egate__Envelope *in;
	Egate__Envelope env;
	Egate__Hello h;
	Egate__OfficerRequest q;

	egate__envelope__init(&env);
	egate__hello__init(&h);
	h.version_min = 1;
	h.version_max = EGATE_PROTO_VERSION_MAX;
	h.role = EGATE__ROLE__ROLE_OFFICER;
	env.body_case = EGATE__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	send_env(k, &env);
	if ((in = recv_env(k, now_ms() + 10000)) == NULL)
		die("hello", EG_ERR_TIMEOUT);
	if (in->body_case == EGATE__ENVELOPE__BODY_ERROR) {
		printf("session refused: code=%d detail=%s\n", in->error->code, in->error->detail);
		return 0;
	}
	if (in->body_case != EGATE__ENVELOPE__BODY_HELLO_ACK)
		die("hello", EG_ERR_PROTOCOL);
	printf("session accepted\n");
	if (reason == NULL)
		return 0;
	egate__officer_request__init(&q);
	q.request_id = 7;
	q.action = EGATE__OFFICER_ACTION__OFFICER_HOLD;
	q.kiosk_id = (char *)(uintptr_t)kiosk;
	q.reason = (char *)(uintptr_t)reason;
	egate__envelope__init(&env);
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REQUEST;
	env.officer_request = &q;
	send_env(k, &env);
	while ((in = recv_env(k, now_ms() + 20000)) != NULL) {
		if (in->body_case != EGATE__ENVELOPE__BODY_OFFICER_REPLY)
			continue;
		if (in->officer_reply->error != NULL)
			printf("reply error: %s\n", in->officer_reply->error->detail);
		else
			printf("reply ok\n");
		return 0;
	}
	die("no reply", EG_ERR_TIMEOUT);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' }, { "port", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, 'a' }, { "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' }, { "id", required_argument, NULL, 'i' },
		{ "live-photo", required_argument, NULL, 'l' },
		{ "chip-photo", required_argument, NULL, 'P' },
		{ "marker", required_argument, NULL, 'm' }, { "reason", required_argument, NULL, 'r' },
		{ "withdraw-after", required_argument, NULL, 'w' },
		{ "linger", required_argument, NULL, 'L' },
		{ "no-images", no_argument, NULL, 'n' },
		{ "as-officer", no_argument, NULL, 'O' },
		{ "request-reason", required_argument, NULL, 'R' },
		{ "request-kiosk", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	const char *host = "127.0.0.1", *ca = NULL, *cert = NULL, *key = NULL, *id = "K02";
	const char *live_photo = "sample6.jpg", *chip_photo = "sample5.jpg", *marker = "";
	const char *rule = "biometric_mismatch";
	int port = 0, c, one = 1;
	long withdraw = 0, linger = 1000;
	bool images = true, as_officer = false;
	const char *req_reason = NULL, *req_kiosk = "K01";
	struct eg_tls_conf *conf = NULL;
	struct sim_portraits *sp = NULL;
	struct eg_wbuf live, portrait;
	struct fk k = { .fd = -1 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	const Egate__Envelope *in;
	Egate__Envelope env;
	Egate__Hello h;
	char err[256], lh[65] = "", ph[65] = "";
	uint64_t seq;
	int64_t ts, deadline;
	int rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'H': host = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'a': ca = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'i': id = optarg; break;
		case 'l': live_photo = optarg; break;
		case 'P': chip_photo = optarg; break;
		case 'm': marker = optarg; break;
		case 'r': rule = optarg; break;
		case 'w': withdraw = atol(optarg); break;
		case 'L': linger = atol(optarg); break;
		case 'n': images = false; break;
		case 'O': as_officer = true; images = false; break;
		case 'R': req_reason = optarg; break;
		case 'K': req_kiosk = optarg; break;
		default: return 2;
		}
	}
	if (ca == NULL || cert == NULL || key == NULL || port <= 0) {
		fprintf(stderr, "usage: fake-kiosk --port P --ca CA --cert CRT --key KEY [...]\n");
		return 2;
	}
	memset(&live, 0, sizeof(live));
	memset(&portrait, 0, sizeof(portrait));
	if (images) {
		if ((rc = sim_portraits_new(&sp)) != EG_OK)
			die("portraits", rc);
		picture(sp, live_photo, marker, &live, lh);
		picture(sp, chip_photo, marker, &portrait, ph);
		sim_portraits_free(&sp);
	}
	if ((rc = eg_tls_conf_new(&conf, EG_TLS_CLIENT, ca, NULL, cert, key, err, sizeof(err))) != EG_OK) {
		fprintf(stderr, "fake-kiosk: %s\n", err);
		return 1;
	}
	a.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
	    (k.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(k.fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect", EG_ERR_IO);
	setsockopt(k.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(k.fd, F_SETFL, fcntl(k.fd, F_GETFL) | O_NONBLOCK);	/* reads wait with a deadline */
	if (eg_tls_new(&k.tls, conf, k.fd, "egate-host") != EG_OK || frame_dec_new(0, &k.dec) != EG_OK)
		die("tls", EG_ERR_NOMEM);
	for (;;) {
		bool ww = false;

		if ((rc = eg_tls_handshake(k.tls, &ww)) != EG_ERR_BUSY)
			break;
		if (!wait_io(k.fd, ww, now_ms() + 10000))
			die("handshake", EG_ERR_TIMEOUT);
	}
	if (rc != EG_OK) {
		fprintf(stderr, "fake-kiosk: handshake: %s\n", eg_tls_error(k.tls));
		return 1;
	}
	if (as_officer) {
		rc = officer_part(&k, req_kiosk, req_reason);
		fk_close(&k);
		eg_tls_conf_free(&conf);
		return rc;
	}
	egate__envelope__init(&env);
	egate__hello__init(&h);
	h.version_min = 1;
	h.version_max = EGATE_PROTO_VERSION_MAX;
	h.kiosk_id_claimed = (char *)(uintptr_t)id;
	h.firmware_version = (char *)(uintptr_t)"fake-kiosk";
	h.role = EGATE__ROLE__ROLE_KIOSK;
	env.body_case = EGATE__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	send_env(&k, &env);
	if ((in = recv_env(&k, now_ms() + 10000)) == NULL ||
	    in->body_case != EGATE__ENVELOPE__BODY_HELLO_ACK || in->hello_ack->version < 2)
		die("hello", EG_ERR_PROTOCOL);
	seq = in->hello_ack->last_durable_seq + 1;
	heartbeat(&k, "IDLE", 0, "", "", 0);
	ts = wall_ms();
	passage(&k, seq, EGATE__DECISION__DECISION_REFER, rule, ts, NULL, 0);
	heartbeat(&k, "REFERRED", seq, "REFER", rule, ts);
	printf("ready seq=%llu\n", (unsigned long long)seq);
	fflush(stdout);
	if (images) {
		Egate__ReferralImages im;

		egate__referral_images__init(&im);
		im.referral_seq = seq;
		im.live_face.data = live.data;
		im.live_face.len = live.len;
		im.chip_portrait.data = portrait.data;
		im.chip_portrait.len = portrait.len;
		egate__envelope__init(&env);
		env.body_case = EGATE__ENVELOPE__BODY_REFERRAL_IMAGES;
		env.referral_images = &im;
		send_env(&k, &env);
		printf("images live=%s portrait=%s live_bytes=%zu portrait_bytes=%zu\n", lh, ph, live.len,
		    portrait.len);
		fflush(stdout);
		/* sent: the kiosk keeps no copy */
		eg_wbuf_free(&live);
		eg_wbuf_free(&portrait);
	}
	deadline = withdraw > 0 ? now_ms() + withdraw : now_ms() + 600000;
	for (;;) {
		int64_t hb = now_ms() + 5000;

		in = recv_env(&k, hb < deadline ? hb : deadline);
		if (in == NULL) {
			if (now_ms() >= deadline) {
				if (withdraw > 0) {
					heartbeat(&k, "IDLE", 0, "REFER", rule, ts);
					printf("withdrawn\n");
					break;
				}
				die("no decision", EG_ERR_TIMEOUT);
			}
			heartbeat(&k, "REFERRED", seq, "REFER", rule, ts);
			continue;
		}
		if (in->body_case == EGATE__ENVELOPE__BODY_CONFIG_PUSH) {
			Egate__ConfigApplied ap;
			Egate__Envelope e2;

			egate__config_applied__init(&ap);
			ap.version = in->config_push->version;
			ap.ok = true;
			egate__envelope__init(&e2);
			e2.body_case = EGATE__ENVELOPE__BODY_CONFIG_APPLIED;
			e2.config_applied = &ap;
			send_env(&k, &e2);
			continue;
		}
		if (in->body_case != EGATE__ENVELOPE__BODY_OFFICER_COMMAND)
			continue;
		{
			const Egate__OfficerCommand *cmd = in->officer_command;
			Egate__CommandResult res;
			bool over = cmd->action == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN ||
			    cmd->action == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT;
			bool ok = over && cmd->passage_seq == seq;
			bool open = cmd->action == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN;
			char officer[80];

			snprintf(officer, sizeof(officer), "%s", cmd->officer_id);
			if (ok)
				passage(&k, seq + 1, open ? EGATE__DECISION__DECISION_OPEN :
				    EGATE__DECISION__DECISION_REJECT, open ? "officer_override_open" :
				    "officer_override_reject", wall_ms(), cmd, seq);
			egate__command_result__init(&res);
			res.command_id = cmd->command_id;
			res.ok = ok;
			res.error = ok ? 0 : EGATE__ERROR_CODE__ERROR_COMMAND_REJECTED;
			res.detail = (char *)(uintptr_t)(ok ? "" : "no_such_referral");
			egate__envelope__init(&env);
			env.body_case = EGATE__ENVELOPE__BODY_COMMAND_RESULT;
			env.command_result = &res;
			send_env(&k, &env);
			if (!ok)
				continue;
			heartbeat(&k, "IDLE", 0, open ? "OPEN" : "REJECT", open ? "officer_override_open" :
			    "officer_override_reject", wall_ms());
			printf("decided action=%s officer=%s\n", open ? "open" : "reject", officer);
			break;
		}
	}
	fflush(stdout);
	/* stay a moment so that the host reads everything before we go */
	deadline = now_ms() + linger;
	while (now_ms() < deadline && recv_env(&k, deadline) != NULL)
		;
	printf("done\n");
	fk_close(&k);
	eg_tls_conf_free(&conf);
	return 0;
}
