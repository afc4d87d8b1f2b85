/* SPDX-License-Identifier: Apache-2.0 */
/*
 * egate-host and the kiosk uplink, as real processes on loopback with a
 * PKI made by host/pki: TLS interop with OpenSSL, end-to-end delivery,
 * durability across kill -9 and outages, hostile input, identity, CRL reload.
 */
#include <arpa/inet.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/tls.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "frame.h"
#include "hostfx.h"
#include "audit.h"
#include "egate/secure.h"
#include "pki.h"
#include "seal.h"
#include "uplink.h"

static struct hostfx fx;

/* "well before the 10 s handshake timeout", with room for a busy machine */
#define HOST_TEST_FAST_MS 8000

static void
setup(void)
{
	const char *bin = getenv("EGATE_HOST_BIN");

	ck_assert_ptr_nonnull(bin);
	hostfx_init(&fx, bin);
}

static void
teardown(void)
{
	hostfx_cleanup(&fx);
}

/* ---- a raw kiosk: our TLS client, frames written by hand ---- */

struct raw {
	int fd;
	struct eg_tls_conf *conf;
	struct eg_tls *t;
	int hs;
	char why[160];
};

static int
tcp_to_host(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
raw_open(struct raw *r, const char *who)
{
	char err[200], crt[400], key[400];

	memset(r, 0, sizeof(*r));
	snprintf(crt, sizeof(crt), "%s/%s.crt", fx.dir, who);
	snprintf(key, sizeof(key), "%s/%s.key", fx.dir, who);
	ck_assert_eg(eg_tls_conf_new(&r->conf, EG_TLS_CLIENT, hostfx_path(&fx, "ca/ca.crt"), NULL,
	    crt, key, err, sizeof(err)), EG_OK);
	r->fd = tcp_to_host(fx.port);
	ck_assert_eg(eg_tls_new(&r->t, r->conf, r->fd, "egate-host"), EG_OK);
	r->hs = eg_tls_handshake(r->t, NULL);
	snprintf(r->why, sizeof(r->why), "%s", eg_tls_error(r->t));
}

static void
raw_close(struct raw *r)
{
	eg_tls_free(&r->t);
	eg_tls_conf_free(&r->conf);
	close(r->fd);
}

static void
raw_write(struct raw *r, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		size_t put = 0;
		ck_assert_eg(eg_tls_write(r->t, b, n, &put, NULL), EG_OK);
		b += put;
		n -= put;
	}
}

static void
raw_send(struct raw *r, const Egate__Envelope *env)
{
	struct eg_wbuf w;

	eg_wbuf_init(&w, FRAME_MAX_HARD + 8, false);
	ck_assert_eg(proto_msg_encode(env, 0, &w), EG_OK);
	raw_write(r, w.data, w.len);
	eg_wbuf_free(&w);
}

static void
raw_hello(struct raw *r, const char *claim)
{
	Egate__Envelope env;
	Egate__Hello h;
	char c[64];

	snprintf(c, sizeof(c), "%s", claim ? claim : "");
	egate__envelope__init(&env);
	egate__hello__init(&h);
	h.version_min = 1;
	h.version_max = 1;
	h.kiosk_id_claimed = c;
	env.body_case = EGATE__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	raw_send(r, &env);
}

static void
raw_event_v(struct raw *r, uint64_t seq, unsigned variant)
{
	Egate__Envelope env;
	Egate__PassageEvent e = *hostfx_event((unsigned)seq + variant);

	e.seq = seq;
	egate__envelope__init(&env);
	env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
	env.passage = &e;
	raw_send(r, &env);
}

static void
raw_event(struct raw *r, uint64_t seq)
{
	raw_event_v(r, seq, 0);
}

/* Read messages until one of body case `want` arrives or the host closes.
 * Returns the body case seen last (NOT_SET on close); error code in *code. */
static int
raw_expect(struct raw *r, int want, uint64_t *val)
{
	struct frame_dec *d = NULL;
	uint8_t buf[16384];
	int last = EGATE__ENVELOPE__BODY__NOT_SET;

	ck_assert_eg(frame_dec_new(0, &d), EG_OK);
	for (;;) {
		size_t got = 0;
		const uint8_t *p = buf;

		if (eg_tls_read(r->t, buf, sizeof(buf), &got, NULL) != EG_OK)
			break;
		while (got > 0) {
			const uint8_t *f;
			size_t used, flen;
			struct proto_msg *m = NULL;
			int rc = frame_dec_feed(d, p, got, &used, &f, &flen);

			p += used;
			got -= used;
			if (rc != EG_OK)
				break;
			ck_assert_eg(proto_msg_decode(f, flen, &m), EG_OK);
			const Egate__Envelope *env = proto_msg_env(m);
			last = (int)env->body_case;
			if (val != NULL && last == EGATE__ENVELOPE__BODY_ERROR)
				*val = (uint64_t)env->error->code;
			if (val != NULL && last == EGATE__ENVELOPE__BODY_HELLO_ACK)
				*val = env->hello_ack->last_durable_seq;
			if (val != NULL && last == EGATE__ENVELOPE__BODY_ACK)
				*val = env->ack->seq;
			proto_msg_free(&m);
			if (last == want)
				goto out;
		}
	}
	last = EGATE__ENVELOPE__BODY__NOT_SET;
out:
	frame_dec_free(&d);
	return last;
}

/* ---- an uplink in a thread ---- */

struct kiosk {
	struct uplink *u;
	pthread_t th;
	FILE *logf;
	struct eg_log lg;
};

static void *
run_uplink(void *p)
{
	uplink_run(p);
	return NULL;
}

static void
kiosk_start_at(struct kiosk *k, const char *who, const char *claim, int port, const char *spool)
{
	struct uplink_conf c = { 0 };
	char crt[400], key[400], sp[400], logp[400];

	snprintf(crt, sizeof(crt), "%s/%s.crt", fx.dir, who);
	snprintf(key, sizeof(key), "%s/%s.key", fx.dir, who);
	snprintf(sp, sizeof(sp), "%s/%s", fx.dir, spool);
	snprintf(logp, sizeof(logp), "%s/%s.log", fx.dir, spool);
	k->logf = fopen(logp, "a");
	ck_assert_ptr_nonnull(k->logf);
	setvbuf(k->logf, NULL, _IOLBF, 0);
	eg_log_init(&k->lg, "uplink");
	k->lg.out = k->logf;
	c.host = "127.0.0.1";
	c.port = (uint16_t)port;
	c.server_name = "egate-host";
	c.ca = hostfx_path(&fx, "ca/ca.crt");
	c.cert = crt;
	c.key = key;
	c.spool_path = sp;
	c.kiosk_id = claim;
	c.firmware_version = "test";
	c.backoff_base_ms = 100;
	c.backoff_cap_ms = 400;
	c.log = &k->lg;
	ck_assert_eg(uplink_new(&c, &k->u), EG_OK);
	ck_assert_int_eq(pthread_create(&k->th, NULL, run_uplink, k->u), 0);
}

static void
kiosk_start(struct kiosk *k, const char *who, const char *spool)
{
	kiosk_start_at(k, who, NULL, fx.port, spool);
}

static void
kiosk_stop(struct kiosk *k)
{
	uplink_stop(k->u);
	pthread_join(k->th, NULL);
	uplink_free(&k->u);
	fclose(k->logf);
}

static void
submit(struct kiosk *k, unsigned n, unsigned first, int gap_us)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t seq = 0;
		ck_assert_eg(uplink_submit(k->u, hostfx_event(first + i), &seq), EG_OK);
		ck_assert_uint_eq(seq, first + i);
		if (gap_us > 0)
			usleep((useconds_t)gap_us);
	}
}

static bool
wait_acked(struct kiosk *k, uint64_t seq, int ms)
{
	int64_t end = hostfx_ms() + ms;
	struct uplink_stats s;

	for (;;) {
		uplink_get_stats(k->u, &s);
		if (s.acked_seq >= seq && s.pending == 0)
			return true;
		if (hostfx_ms() >= end) {
			fprintf(stderr, "acked %llu of %llu, pending %llu, last error: %s\n",
			    (unsigned long long)s.acked_seq, (unsigned long long)seq,
			    (unsigned long long)s.pending, s.last_error);
			return false;
		}
		usleep(20000);
	}
}

/* ---- OpenSSL interop ---- */

static int
run_quiet(char *const argv[], const char *in, const char *outfile, int timeout_s)
{
	pid_t pid = fork();
	int status = 0;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int i = open(in, O_RDONLY), o = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(i, 0);
		dup2(o, 1);
		dup2(o, 2);
		alarm((unsigned)timeout_s);
		execvp(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return status;
}

static void
s_client(const char *who)
{
	char addr[32], crt[400], key[400];

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", fx.port);
	snprintf(crt, sizeof(crt), "%s/%s.crt", fx.dir, who ? who : "k01");
	snprintf(key, sizeof(key), "%s/%s.key", fx.dir, who ? who : "k01");
	{
		FILE *f = fopen(hostfx_path(&fx, "empty"), "w");
		fclose(f);
	}
	if (who != NULL) {
		char *argv[] = { "openssl", "s_client", "-connect", addr, "-tls1_2", "-quiet",
			"-CAfile", (char *)(uintptr_t)hostfx_path(&fx, "ca/ca.crt"), "-cert", crt,
			"-key", key, NULL };
		run_quiet(argv, hostfx_path(&fx, "empty"), hostfx_path(&fx, "s_client.out"), 10);
	} else {
		char *argv[] = { "openssl", "s_client", "-connect", addr, "-tls1_2", "-quiet",
			"-CAfile", (char *)(uintptr_t)hostfx_path(&fx, "ca/ca.crt"), NULL };
		run_quiet(argv, hostfx_path(&fx, "empty"), hostfx_path(&fx, "s_client.out"), 10);
	}
}

START_TEST(test_openssl_client_vs_host)
{
	static const struct {
		const char *who;
		const char *why;
	} refused[] = {
		{ NULL, "peer sent no certificate" },
		{ "rogue", "peer certificate not issued by the deployment CA" },
		{ "expired", "peer certificate expired" },
		{ "revoked", "peer certificate revoked" },
	};

	hostfx_start(&fx);
	s_client("k01");
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.accepted", "cn=K01", "ou=kiosk", NULL));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char reason[200];
		snprintf(reason, sizeof(reason), "reason=\"%s\"", refused[i].why);
		s_client(refused[i].who);
		ck_assert_msg(hostfx_wait_log(&fx, 1, 5000, "tls.refused", "peer=127.0.0.1:", reason, NULL),
		    "no refusal logged for %s", refused[i].who ? refused[i].who : "no cert");
	}
	ck_assert_int_eq(hostfx_log_count(&fx, "tls.accepted", NULL), 1);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
}
END_TEST

static bool
file_has(const char *path, const char *what)
{
	char buf[8192];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return strstr(buf, what) != NULL;
}

START_TEST(test_ipv6_listen)
{
	char cmd[800], addr[64], crt[400], key[400];

	snprintf(cmd, sizeof(cmd), "sed -i 's/^listen = 127.0.0.1/listen = ::1/' '%s'", fx.conf);
	ck_assert_int_eq(system(cmd), 0);
	hostfx_start(&fx);
	snprintf(addr, sizeof(addr), "[::1]:%d", fx.port);
	snprintf(crt, sizeof(crt), "%s/k01.crt", fx.dir);
	snprintf(key, sizeof(key), "%s/k01.key", fx.dir);
	{
		FILE *f = fopen(hostfx_path(&fx, "empty"), "w");
		fclose(f);
	}
	char *argv[] = { "openssl", "s_client", "-connect", addr, "-tls1_2", "-quiet",
		"-CAfile", (char *)(uintptr_t)hostfx_path(&fx, "ca/ca.crt"), "-cert", crt, "-key", key, NULL };
	run_quiet(argv, hostfx_path(&fx, "empty"), hostfx_path(&fx, "s_client.out"), 10);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.accepted", "peer=[::1]:", "cn=K01", NULL));
	ck_assert_int_eq(hostfx_stop(&fx), 0);
}
END_TEST

static void
uplink_vs_s_server(const char *cert, struct uplink_stats *st, bool want_up)
{
	char addr[32], crt[400], key[400];
	struct kiosk k;
	pid_t pid;
	int port;
	int64_t end;

	/* a port of its own (hostfx: private namespace, or outside the
	 * ephemeral range): s_server and the host never share one */
	port = hostfx_port2(&fx);
	ck_assert_int_gt(port, 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(crt, sizeof(crt), "%s/%s.crt", fx.dir, cert);
	snprintf(key, sizeof(key), "%s/%s.key", fx.dir, cert);
	/* s_server quits at EOF on stdin: give it a pipe we keep open */
	int in[2];
	ck_assert_int_eq(pipe(in), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int o = open(hostfx_path(&fx, "s_server.out"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		close(in[1]);
		dup2(in[0], 0);
		dup2(o, 1);
		dup2(o, 2);
		execlp("openssl", "openssl", "s_server", "-accept", addr, "-tls1_2", "-cert", crt,
		    "-key", key, "-CAfile", hostfx_path(&fx, "ca/ca.crt"), "-Verify", "1",
		    "-verify_return_error", (char *)NULL);
		_exit(127);
	}
	/* s_server is up when it accepts (not after a fixed pause); the probe
	 * connection is one s_server drops, the uplink's comes after it */
	ck_assert_msg(hostfx_wait_listen(port, 20000), "openssl s_server did not start");
	/* a deadline, not a pause: the loop ends as soon as the condition holds */
	end = hostfx_ms() + 30000;
	kiosk_start_at(&k, "k01", "K01", port, "spool-s_server");
	for (;;) {
		uplink_get_stats(k.u, st);
		/* up: the uplink logged its TLS session (s_server prints the
		 * client's certificate, CN K01, before the handshake completes:
		 * that alone ended this wait too early on a busy machine) */
		if (want_up ? file_has(hostfx_path(&fx, "spool-s_server.log"), "uplink.tls_up") &&
		    file_has(hostfx_path(&fx, "s_server.out"), "K01") : st->tls_failures > 0)
			break;
		if (hostfx_ms() >= end)
			break;
		usleep(50000);
	}
	kiosk_stop(&k);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(in[0]);
	close(in[1]);
	if (want_up && !file_has(hostfx_path(&fx, "spool-s_server.log"), "uplink.tls_up")) {
		/* say why, for a failure on a busy machine */
		char cmd[1200];
		snprintf(cmd, sizeof(cmd), "echo '--- s_server.out'; cat '%s/s_server.out'; "
		    "echo '--- uplink log'; cat '%s/spool-s_server.log'", fx.dir, fx.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot show the logs\n");
	}
}

START_TEST(test_uplink_vs_openssl_server)
{
	struct uplink_stats st;
	char logp[400], line[1024];
	FILE *f;
	int up = 0;

	/* s_server completes mTLS but does not speak the protocol: the uplink
	 * gets through TLS and then waits in vain for HelloAck */
	uplink_vs_s_server("host", &st, true);
	ck_assert_uint_eq(st.tls_failures, 0);
	snprintf(logp, sizeof(logp), "%s/spool-s_server.log", fx.dir);
	f = fopen(logp, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		up += strstr(line, "uplink.tls_up") != NULL;
	fclose(f);
	ck_assert_int_ge(up, 1);
	/* s_server printed the Hello it received over the session */
	ck_assert(file_has(hostfx_path(&fx, "s_server.out"), "K01"));
	ck_assert(file_has(hostfx_path(&fx, "s_server.out"), "ECDHE-ECDSA-AES128-GCM-SHA256"));
	/* a rogue server (another CA) is refused */
	uplink_vs_s_server("roguehost", &st, false);
	ck_assert_uint_ge(st.tls_failures, 1);
	ck_assert_ptr_nonnull(strstr(st.last_error, "not issued by the deployment CA"));
	ck_assert_uint_eq(st.sessions, 0);
}
END_TEST

/* ---- end to end ---- */

START_TEST(test_end_to_end)
{
	struct kiosk k;
	struct uplink_stats st;
	bool in_order = false;
	uint64_t unsealed = 1;
	const unsigned n = 300;

	hostfx_start(&fx);
	kiosk_start(&k, "k01", "spool-k01");
	submit(&k, n, 1, 0);
	ck_assert(wait_acked(&k, n, 20000));
	uplink_get_stats(k.u, &st);
	ck_assert_uint_eq(st.sessions, 1);
	ck_assert_uint_eq(st.sent, n);		/* nothing resent */
	kiosk_stop(&k);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert(hostfx_wait_log(&fx, 1, 0, "audit.checkpoint", NULL));
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", &in_order), n);
	ck_assert(in_order);
	ck_assert(hostfx_verify(&fx, &unsealed));
	ck_assert_uint_eq(unsealed, 0);		/* sealed by the shutdown checkpoint */
	ck_assert_int_eq(hostfx_log_count(&fx, "kiosk.online", "kiosk=K01", NULL), 1);
	/* a restart: the same kiosk reconnects; HelloAck says n is durable */
	hostfx_start(&fx);
	{
		struct raw r;
		uint64_t last = 0;
		raw_open(&r, "k01");
		ck_assert_eg(r.hs, EG_OK);
		raw_hello(&r, "K01");
		ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, &last),
		    EGATE__ENVELOPE__BODY_HELLO_ACK);
		ck_assert_uint_eq(last, n);
		/* a resend of seq 5 is a duplicate: acked, not stored twice */
		raw_event(&r, 5);
		ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ACK, &last), EGATE__ENVELOPE__BODY_ACK);
		ck_assert_uint_eq(last, 5);
		raw_close(&r);
	}
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", NULL), n);
	ck_assert(hostfx_verify(&fx, NULL));
}
END_TEST

/*
 * Sealed identifiers over the real processes: the uplink sends events whose
 * document number and name are sealed to the host certificate's key (as
 * egate-kiosk does with [host] seal_cert); the network child opens them, the
 * monitor stores their HMACs, and a query by the document's HMAC finds the
 * record. A blob sealed for another kiosk id, or garbage, is stored anyway
 * without identifiers, with the unsealable check, and logged.
 */
struct sealed_rows {
	int n, unsealable;
	int64_t seq;
};

static int
sealed_row(void *arg, const struct audit_row *row)
{
	struct sealed_rows *r = arg;

	r->n++;
	r->seq = row->seq;
	if (row->doc_hmac == NULL && row->name_hmac == NULL && row->payload != NULL &&
	    strstr(row->payload, "{\"name\":\"sealed_identifiers\",\"result\":\"error\","
	    "\"detail\":\"unsealable\"}]") != NULL)
		r->unsealable++;
	return 0;
}

static int
doc_query(struct audit_db *db, const uint8_t *key, size_t klen, const char *doc,
    struct sealed_rows *r)
{
	char h[AUDIT_HMAC_HEX_LEN + 1];
	struct audit_filter flt = { .kiosk_id = "K01", .doc_hmac = h };

	memset(r, 0, sizeof(*r));
	ck_assert_eg(audit_hmac_hex(key, klen, AUDIT_IDENT_DOCUMENT, doc, h), EG_OK);
	return audit_query(db, &flt, sealed_row, r);
}

START_TEST(test_sealed_identifiers)
{
	/* seal version 1 (older firmware) and 2 (egate-kiosk now: one epoch) */
	static const struct { const char *kiosk, *doc; bool garbage; int v; } ev[] = {
		{ "K01", "S1234567", false, 1 }, { "K01", "S7654321", false, 2 },
		{ "K02", "S5555555", false, 2 }, { "K01", NULL, true, 1 },
	};
	struct kiosk k;
	struct seal_key *hk = NULL;
	struct seal_epoch *epoch = NULL;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	struct audit_db *db = NULL;
	struct audit_filter flt = { .kiosk_id = "K01" };
	struct sealed_rows r;
	uint8_t blob[4][SEAL_BLOB_MAX], *key = NULL;
	size_t klen = 0;
	char err[256] = "", empty[] = "";

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	ck_assert_msg(seal_key_from_cert(hostfx_path(&fx, "host.crt"), hostfx_path(&fx, "ca/ca.crt"),
	    "egate-host", &hk, err, sizeof(err)) == EG_OK, "%s", err);
	ck_assert_eg(seal_epoch_new(0, 0, &epoch), EG_OK);
	hostfx_start(&fx);
	kiosk_start(&k, "k01", "spool-k01");
	for (unsigned i = 0; i < 4; i++) {
		Egate__PassageEvent e = *hostfx_event(i + 1);
		Egate__Identifiers id = *e.identifiers;
		size_t n = 0;
		uint64_t seq = 0;

		if (ev[i].garbage) {
			n = SEAL_OVERHEAD + 20;
			ck_assert_int_eq(mbedtls_ctr_drbg_random(&drbg, blob[i], n), 0);
			blob[i][0] = SEAL_VERSION;
		} else if (ev[i].v == 1) {
			ck_assert_eg(seal_identifiers(hk, mbedtls_ctr_drbg_random, &drbg, ev[i].kiosk,
			    ev[i].doc, "SEALED<<HOLDER", blob[i], sizeof(blob[i]), &n), EG_OK);
		} else {
			ck_assert_eg(seal_epoch_seal(epoch, hk, mbedtls_ctr_drbg_random, &drbg, 0,
			    ev[i].kiosk, ev[i].doc, "SEALED<<HOLDER", blob[i], sizeof(blob[i]), &n),
			    EG_OK);
			ck_assert_uint_eq(blob[i][0], SEAL_VERSION_2);
		}
		id.document_number = empty;	/* never both (PROTOCOL.md) */
		id.holder_name = empty;
		e.identifiers = &id;
		e.sealed_identifiers.data = blob[i];
		e.sealed_identifiers.len = n;
		ck_assert_eg(uplink_submit(k.u, &e, &seq), EG_OK);
		ck_assert_uint_eq(seq, i + 1);
	}
	ck_assert(wait_acked(&k, 4, 10000));
	kiosk_stop(&k);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	seal_epoch_free(&epoch);
	seal_key_free(&hk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);

	/* the log: the two unsealable ones, by kiosk and seq, no content */
	ck_assert_int_eq(hostfx_log_count(&fx, "net.unsealable", "kiosk=K01", NULL), 2);
	ck_assert_int_eq(hostfx_log_count(&fx, "net.unsealable", "seq=3", "EG_ERR_AUTH", NULL), 1);
	ck_assert_int_eq(hostfx_log_count(&fx, "net.unsealable", "seq=4", NULL), 1);
	ck_assert_int_eq(hostfx_log_count(&fx, "S1234567", NULL), 0);
	ck_assert_int_eq(hostfx_log_count(&fx, "SEALED", NULL), 0);

	ck_assert_eg(audit_hmac_key_load(hostfx_path(&fx, "identifier.hmac"), &key, &klen), EG_OK);
	ck_assert_eg(audit_open(fx.db, NULL, &db), EG_OK);
	/* the query by document number finds exactly the kiosk's record */
	ck_assert_eg(doc_query(db, key, klen, "S1234567", &r), EG_OK);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.seq, 1);
	ck_assert_eg(doc_query(db, key, klen, "s7654321", &r), EG_OK);	/* normalised */
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.seq, 2);
	ck_assert_eg(doc_query(db, key, klen, "S5555555", &r), EG_OK);	/* sealed for K02 */
	ck_assert_int_eq(r.n, 0);
	/* all four stored; the two that did not open carry the check */
	memset(&r, 0, sizeof(r));
	ck_assert_eg(audit_query(db, &flt, sealed_row, &r), EG_OK);
	ck_assert_int_eq(r.n, 4);
	ck_assert_int_eq(r.unsealable, 2);
	audit_close(&db);
	eg_secret_free(&key, klen);
	ck_assert(hostfx_verify(&fx, NULL));
}
END_TEST

/* Retention: records older than retention_days lose payload and
 * identifier HMACs at the next start; the chain still verifies. */
static int
purged_row(void *arg, const struct audit_row *row)
{
	int *n = arg;

	if (row->purged && row->payload == NULL && row->doc_hmac == NULL)
		(*n)++;
	return 0;
}

START_TEST(test_retention_purge)
{
	struct kiosk k;
	struct audit_db *db = NULL;
	struct audit_filter flt = { .kiosk_id = "K01" };
	char cmd[800];
	int purged = 0;

	hostfx_start(&fx);
	kiosk_start(&k, "k01", "spool-k01");
	submit(&k, 10, 1, 0);		/* event times: ten days ago (hostfx_event) */
	ck_assert(wait_acked(&k, 10, 10000));
	kiosk_stop(&k);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_int_eq(hostfx_log_count(&fx, "audit.purged", NULL), 0);	/* 365 days */
	snprintf(cmd, sizeof(cmd), "sed -i 's/^retention_days = 365/retention_days = 1/' '%s'", fx.conf);
	ck_assert_int_eq(system(cmd), 0);
	hostfx_start(&fx);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "audit.purged", "records=10", NULL));
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_eg(audit_open(fx.db, NULL, &db), EG_OK);
	ck_assert_eg(audit_query(db, &flt, purged_row, &purged), EG_OK);
	audit_close(&db);
	ck_assert_int_eq(purged, 10);
	ck_assert(hostfx_verify(&fx, NULL));
}
END_TEST

/* ---- durability ---- */

struct producer {
	struct kiosk *k;
	unsigned n;
};

static void *
produce(void *p)
{
	struct producer *pr = p;

	for (unsigned i = 1; i <= pr->n; i++) {
		if (uplink_submit(pr->k->u, hostfx_event(i), NULL) != EG_OK)
			abort();
		usleep(2000);
	}
	return NULL;
}

START_TEST(test_kill9_during_stream)
{
	struct kiosk k;
	struct producer pr = { &k, 400 };
	struct uplink_stats st;
	pthread_t th;
	bool in_order = false;

	hostfx_start(&fx);
	kiosk_start(&k, "k01", "spool-k01");
	ck_assert_int_eq(pthread_create(&th, NULL, produce, &pr), 0);
	/* let part of the stream through, then kill the whole host */
	for (;;) {
		uplink_get_stats(k.u, &st);
		if (st.acked_seq >= 100)
			break;
		usleep(5000);
	}
	hostfx_kill9(&fx);
	uplink_get_stats(k.u, &st);
	uint64_t acked = st.acked_seq;
	/* every event acked before the kill is in the database, once */
	ck_assert_uint_ge(hostfx_db_count(&fx, "K01", &in_order), acked);
	ck_assert(in_order);
	usleep(300000);		/* the kiosk keeps spooling while the host is down */
	hostfx_start(&fx);
	pthread_join(th, NULL);
	ck_assert(wait_acked(&k, pr.n, 30000));
	kiosk_stop(&k);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", &in_order), pr.n);
	ck_assert(in_order);
	ck_assert(hostfx_verify(&fx, NULL));
}
END_TEST

/* SIGTERM in the middle of a stream: exit 0, the final checkpoint seals
 * everything stored, every acked event is there; after a restart the kiosk
 * delivers the rest. */
START_TEST(test_sigterm_during_stream)
{
	struct kiosk k;
	struct producer pr = { &k, 300 };
	struct uplink_stats st;
	pthread_t th;
	uint64_t unsealed = 1, acked;
	bool in_order = false;

	hostfx_start(&fx);
	kiosk_start(&k, "k01", "spool-k01");
	ck_assert_int_eq(pthread_create(&th, NULL, produce, &pr), 0);
	for (;;) {
		uplink_get_stats(k.u, &st);
		if (st.acked_seq >= 80)
			break;
		usleep(5000);
	}
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	uplink_get_stats(k.u, &st);
	acked = st.acked_seq;
	ck_assert_uint_ge(hostfx_db_count(&fx, "K01", &in_order), acked);
	ck_assert(in_order);
	ck_assert(hostfx_verify(&fx, &unsealed));
	ck_assert_uint_eq(unsealed, 0);
	hostfx_start(&fx);
	pthread_join(th, NULL);
	ck_assert(wait_acked(&k, pr.n, 30000));
	kiosk_stop(&k);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", &in_order), pr.n);
	ck_assert(in_order);
}
END_TEST

/* The network child dies: the monitor logs it and starts a new one; the
 * kiosk reconnects and nothing is lost. */
START_TEST(test_child_restart)
{
	struct kiosk k;
	char line[1024];
	long child = 0;
	FILE *f;
	bool in_order = false;

	hostfx_start(&fx);
	kiosk_start(&k, "k01", "spool-k01");
	submit(&k, 50, 1, 0);
	ck_assert(wait_acked(&k, 50, 10000));
	f = fopen(fx.log, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = strstr(line, "event=net.ready pid=");
		if (p != NULL)
			child = strtol(p + strlen("event=net.ready pid="), NULL, 10);
	}
	fclose(f);
	ck_assert_int_gt(child, 1);
	ck_assert_int_eq(kill((pid_t)child, SIGKILL), 0);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "monitor.child_died", "signal=9", NULL));
	ck_assert(hostfx_wait_log(&fx, 2, 10000, "net.ready", NULL));
	submit(&k, 50, 51, 0);
	ck_assert(wait_acked(&k, 100, 20000));
	kiosk_stop(&k);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", &in_order), 100);
	ck_assert(in_order);
}
END_TEST

START_TEST(test_outage_spools_then_delivers)
{
	struct kiosk k;
	struct uplink_stats st;
	bool in_order = false;

	hostfx_start(&fx);
	kiosk_start(&k, "k01", "spool-k01");
	submit(&k, 20, 1, 0);
	ck_assert(wait_acked(&k, 20, 10000));
	ck_assert_int_eq(hostfx_stop(&fx), 0);	/* host down */
	submit(&k, 50, 21, 1000);
	{
		int64_t end = hostfx_ms() + 5000;	/* a condition with a deadline */
		do
			uplink_get_stats(k.u, &st);
		while ((st.connected || st.pending < 50) && hostfx_ms() < end && usleep(20000) == 0);
	}
	ck_assert(!st.connected);
	ck_assert_uint_eq(st.pending, 50);
	ck_assert_uint_eq(st.acked_seq, 20);
	hostfx_start(&fx);
	ck_assert(wait_acked(&k, 70, 20000));
	uplink_get_stats(k.u, &st);
	ck_assert_uint_ge(st.sessions, 2);
	kiosk_stop(&k);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", &in_order), 70);
	ck_assert(in_order);
}
END_TEST

/* ---- hostile input ---- */

START_TEST(test_garbage_closes_only_that_connection)
{
	struct kiosk k;
	struct raw r;
	uint64_t code = 0;
	static const uint8_t oversize[4] = { 0x00, 0x20, 0x00, 0x00 };	/* 2 MiB */
	static const uint8_t junk[] = { 0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	hostfx_start(&fx);
	kiosk_start(&k, "k01", "spool-k01");
	submit(&k, 100, 1, 0);

	raw_open(&r, "k02");
	ck_assert_eg(r.hs, EG_OK);
	raw_hello(&r, NULL);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, NULL), EGATE__ENVELOPE__BODY_HELLO_ACK);
	raw_write(&r, oversize, sizeof(oversize));
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ERROR, &code), EGATE__ENVELOPE__BODY_ERROR);
	ck_assert_uint_eq(code, EGATE__ERROR_CODE__ERROR_TOO_LARGE);
	ck_assert_int_eq(raw_expect(&r, -1, NULL), EGATE__ENVELOPE__BODY__NOT_SET);	/* closed */
	raw_close(&r);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "conn.refused", "kiosk=K02", "frame above the maximum", NULL));

	raw_open(&r, "k03");
	ck_assert_eg(r.hs, EG_OK);
	raw_hello(&r, NULL);
	raw_write(&r, junk, sizeof(junk));
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ERROR, &code), EGATE__ENVELOPE__BODY_ERROR);
	ck_assert_uint_eq(code, EGATE__ERROR_CODE__ERROR_BAD_MESSAGE);
	raw_close(&r);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "conn.refused", "kiosk=K03", "undecodable message", NULL));

	/* a message that is not Hello first, and garbage before TLS */
	raw_open(&r, "k02");
	raw_event(&r, 1);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ERROR, &code), EGATE__ENVELOPE__BODY_ERROR);
	ck_assert_uint_eq(code, EGATE__ERROR_CODE__ERROR_UNEXPECTED);
	raw_close(&r);
	{
		int fd = tcp_to_host(fx.port);
		ck_assert_int_eq(write(fd, "GET / HTTP/1.0\r\n\r\n", 18), 18);
		char b[16];
		ck_assert_int_le(read(fd, b, sizeof(b)), 0 + (int)sizeof(b));
		close(fd);
	}
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.refused", NULL));

	/* K01's stream went on, untouched */
	submit(&k, 100, 101, 0);
	ck_assert(wait_acked(&k, 200, 20000));
	kiosk_stop(&k);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", NULL), 200);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K02", NULL), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K03", NULL), 0);
}
END_TEST

START_TEST(test_identity_from_certificate_only)
{
	struct raw r;
	uint64_t code = 0;

	hostfx_start(&fx);
	/* K02's certificate, claiming to be K01, with an event right behind */
	raw_open(&r, "k02");
	ck_assert_eg(r.hs, EG_OK);
	raw_hello(&r, "K01");
	raw_event(&r, 1);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ERROR, &code), EGATE__ENVELOPE__BODY_ERROR);
	ck_assert_uint_eq(code, EGATE__ERROR_CODE__ERROR_IDENTITY);
	raw_close(&r);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "alarm.identity_mismatch", "certificate=K02",
	    "claimed=K01", NULL));
	/* an officer certificate opens a console session but cannot send
	 * passage events */
	raw_open(&r, "officer");
	ck_assert_eg(r.hs, EG_OK);
	raw_hello(&r, NULL);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, NULL), EGATE__ENVELOPE__BODY_HELLO_ACK);
	raw_event(&r, 1);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ERROR, &code), EGATE__ENVELOPE__BODY_ERROR);
	ck_assert_uint_eq(code, EGATE__ERROR_CODE__ERROR_UNEXPECTED);
	raw_close(&r);
	/* with no claim, K02's event lands under K02 */
	raw_open(&r, "k02");
	raw_hello(&r, "");
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, NULL), EGATE__ENVELOPE__BODY_HELLO_ACK);
	raw_event(&r, 1);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ACK, &code), EGATE__ENVELOPE__BODY_ACK);
	raw_close(&r);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", NULL), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K02", NULL), 1);
}
END_TEST

/* A seq reused with other content is refused, raises an alarm, and the
 * connection stays up but acks nothing after it. */
START_TEST(test_sequence_conflict)
{
	struct raw r;
	uint64_t v = 0;

	hostfx_start(&fx);
	raw_open(&r, "k02");
	raw_hello(&r, NULL);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, &v), EGATE__ENVELOPE__BODY_HELLO_ACK);
	/* one at a time: raw_expect drops what follows the awaited message */
	raw_event(&r, 1);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ACK, &v), EGATE__ENVELOPE__BODY_ACK);
	ck_assert_uint_eq(v, 1);
	raw_event(&r, 2);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ACK, &v), EGATE__ENVELOPE__BODY_ACK);
	ck_assert_uint_eq(v, 2);
	raw_close(&r);
	raw_open(&r, "k02");
	raw_hello(&r, NULL);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, &v), EGATE__ENVELOPE__BODY_HELLO_ACK);
	ck_assert_uint_eq(v, 2);
	raw_event_v(&r, 2, 1000);	/* seq 2, different content */
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ERROR, &v), EGATE__ENVELOPE__BODY_ERROR);
	ck_assert_uint_eq(v, EGATE__ERROR_CODE__ERROR_SEQUENCE);
	raw_event(&r, 3);		/* stored, but not acked: order is broken */
	raw_close(&r);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "alarm.sequence_conflict", "kiosk=K02", "seq=2", NULL));
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_int_eq(hostfx_log_count(&fx, "conn.refused", "kiosk=K02", NULL), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K02", NULL), 3);
}
END_TEST

START_TEST(test_sighup_reloads_crl)
{
	struct raw r;

	hostfx_start(&fx);
	/* the network child is confined by Landlock when the kernel has it: it
	 * cannot open the audit keys or the database (it checks and logs), yet
	 * it can still read the CRL below */
	if (syscall(SYS_landlock_create_ruleset, NULL, 0, 1U) >= 1)
		ck_assert(hostfx_wait_log(&fx, 1, 0, "net.sandbox", "fs=landlock", "keys_readable=false", NULL));
	else
		ck_assert(hostfx_wait_log(&fx, 1, 0, "net.sandbox", "fs=none", NULL));
	raw_open(&r, "k03");
	ck_assert_msg(r.hs == EG_OK, "%s", r.why);
	raw_close(&r);
	hostfx_revoke(&fx, "k03");
	/* not reloaded yet: still accepted */
	raw_open(&r, "k03");
	ck_assert_eg(r.hs, EG_OK);
	raw_close(&r);
	kill(fx.pid, SIGHUP);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.crl_reloaded", "err=EG_OK", NULL));
	raw_open(&r, "k03");
	ck_assert_int_ne(r.hs, EG_OK);
	raw_close(&r);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.refused", "peer certificate revoked", NULL));
	/* others still get in */
	raw_open(&r, "k01");
	ck_assert_eg(r.hs, EG_OK);
	raw_close(&r);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
}
END_TEST

START_TEST(test_check_config_and_usage)
{
	char cmd[1500];

	snprintf(cmd, sizeof(cmd), "'%s' --config '%s' --check-config >/dev/null", fx.bin, fx.conf);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "'%s' --config /nonexistent --check-config 2>/dev/null", fx.bin);
	ck_assert_int_ne(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "'%s' 2>/dev/null", fx.bin);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 2);
}
END_TEST


/* ---- issue 13: attacks on the running daemon -------------------------------- */

/* A row of kiosk/seq as stored: officer, reason and payload copied out. */
struct row_copy {
	bool found, has_doc;
	char officer[300], reason[300];
	char payload[16384];
};

static int
copy_row(void *arg, const struct audit_row *row)
{
	struct row_copy *rc = arg;

	rc->found = true;
	rc->has_doc = row->doc_hmac != NULL;
	snprintf(rc->officer, sizeof(rc->officer), "%s", row->officer ? row->officer : "");
	snprintf(rc->reason, sizeof(rc->reason), "%s", row->reason ? row->reason : "");
	snprintf(rc->payload, sizeof(rc->payload), "%s", row->payload ? row->payload : "");
	return 0;
}

static void
db_row(const char *kiosk, uint64_t seq, struct row_copy *out)
{
	struct audit_db *db = NULL;
	struct audit_filter f = { .kiosk_id = kiosk, .seq = seq, .type = "passage" };

	memset(out, 0, sizeof(*out));
	ck_assert_eg(audit_open(fx.db, NULL, &db), EG_OK);
	ck_assert_eg(audit_query(db, &f, copy_row, out), EG_OK);
	audit_close(&db);
}

static void
raw_online(struct raw *r, const char *who)
{
	uint64_t v = 0;

	raw_open(r, who);
	ck_assert_msg(r->hs == EG_OK, "%s: %s", who, r->why);
	raw_hello(r, NULL);
	ck_assert_int_eq(raw_expect(r, EGATE__ENVELOPE__BODY_HELLO_ACK, &v), EGATE__ENVELOPE__BODY_HELLO_ACK);
}

/* Read until seq `last` is acked (Acks are cumulative); false if the host
 * sends an Error or closes first. Decodes every message of each read. */
static bool
raw_acked_upto(struct raw *r, uint64_t last)
{
	struct frame_dec *d = NULL;
	uint8_t buf[16384];
	uint64_t max = 0;
	bool bad = false;

	ck_assert_eg(frame_dec_new(0, &d), EG_OK);
	while (max < last && !bad) {
		size_t got = 0;
		const uint8_t *p = buf;

		if (eg_tls_read(r->t, buf, sizeof(buf), &got, NULL) != EG_OK)
			break;
		while (got > 0) {
			const uint8_t *f;
			size_t used, flen;
			struct proto_msg *m = NULL;

			if (frame_dec_feed(d, p, got, &used, &f, &flen) != EG_OK) {
				p += used;
				got -= used;
				break;
			}
			p += used;
			got -= used;
			ck_assert_eg(proto_msg_decode(f, flen, &m), EG_OK);
			const Egate__Envelope *env = proto_msg_env(m);
			if (env->body_case == EGATE__ENVELOPE__BODY_ACK && env->ack->seq > max)
				max = env->ack->seq;
			if (env->body_case == EGATE__ENVELOPE__BODY_ERROR)
				bad = true;
			proto_msg_free(&m);
		}
	}
	frame_dec_free(&d);
	return max >= last;
}

/* Item 1: realistic events with long check details make one batch far
 * above the ~208 KiB a SOCK_SEQPACKET packet can carry; the network child
 * died on it (and five such kiosks in a minute stopped the daemon). */
START_TEST(test_large_batch_does_not_kill_the_child)
{
	static char detail[3000];
	struct raw r;
	const unsigned n = 256;
	struct eg_wbuf w;

	memset(detail, 'x', sizeof(detail) - 1);
	hostfx_start(&fx);
	raw_online(&r, "k01");
	/* all events in one write: they reach the child together and form one
	 * batch of ~800 KiB */
	eg_wbuf_init(&w, 4u * 1024u * 1024u, false);
	for (unsigned i = 1; i <= n; i++) {
		Egate__Envelope env;
		Egate__PassageEvent e = *hostfx_event(i);
		Egate__Check ck[3], *ckp[3];

		for (int k = 0; k < 3; k++) {
			ck[k] = *e.checks[k];
			ck[k].detail = detail;
			ckp[k] = &ck[k];
		}
		e.checks = ckp;
		e.seq = i;
		egate__envelope__init(&env);
		env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
		env.passage = &e;
		ck_assert_eg(proto_msg_encode(&env, 0, &w), EG_OK);
	}
	ck_assert_uint_gt(w.len, 600u * 1024u);
	raw_write(&r, w.data, w.len);
	eg_wbuf_free(&w);
	ck_assert(raw_acked_upto(&r, n));
	raw_close(&r);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.child_died", NULL), 0);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.bad_request", NULL), 0);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", NULL), n);
	ck_assert(hostfx_verify(&fx, NULL));
}
END_TEST

static int
idle_tcp(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Item 3: 1,000 idle TCP connections used to lock every kiosk out for the
 * handshake timeout (they counted toward max_kiosks). Now handshakes have
 * their own slots (1024) and an idle one gives way: 1,500 here. */
START_TEST(test_idle_connections_do_not_lock_kiosks_out)
{
	enum { IDLE = 1500 };
	static int fds[IDLE];
	struct raw r;
	int64_t t0;

	hostfx_start(&fx);
	for (int i = 0; i < IDLE; i++)
		fds[i] = idle_tcp(fx.port);
	t0 = hostfx_ms();
	/* as a kiosk does: a refused attempt is retried after a short pause */
	for (;;) {
		raw_open(&r, "k01");
		if (r.hs == EG_OK)
			break;
		raw_close(&r);
		ck_assert_msg(hostfx_ms() - t0 < HOST_TEST_FAST_MS, "locked out: %s", r.why);
		usleep(100000);
	}
	raw_hello(&r, NULL);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, NULL), EGATE__ENVELOPE__BODY_HELLO_ACK);
	/* well before the 10 s handshake timeout */
	ck_assert_int_lt(hostfx_ms() - t0, HOST_TEST_FAST_MS);
	ck_assert_int_ge(hostfx_log_count(&fx, "conn.handshake_evicted", NULL), 1);
	raw_event(&r, 1);
	ck_assert(raw_acked_upto(&r, 1));
	raw_close(&r);
	for (int i = 0; i < IDLE; i++)
		close(fds[i]);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
}
END_TEST

/* Item 3: at the descriptor limit the accept loop spun silently. With 64
 * descriptors the host says what fits, keeps its budget, and a kiosk still
 * gets in past 300 idle connections. */
START_TEST(test_fd_limit_is_budgeted_and_logged)
{
	enum { IDLE = 300 };
	static int fds[IDLE];
	struct raw r;

	fx.nofile = 64;
	hostfx_start(&fx);
	ck_assert(hostfx_wait_log(&fx, 1, 0, "net.fd_limit", "nofile=64", "raise LimitNOFILE", NULL));
	for (int i = 0; i < IDLE; i++)
		fds[i] = idle_tcp(fx.port);
	{
		int64_t t0 = hostfx_ms();
		for (;;) {
			raw_open(&r, "k01");
			if (r.hs == EG_OK)
				break;
			raw_close(&r);
			ck_assert_msg(hostfx_ms() - t0 < HOST_TEST_FAST_MS, "locked out: %s", r.why);
			usleep(100000);
		}
	}
	raw_hello(&r, NULL);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, NULL), EGATE__ENVELOPE__BODY_HELLO_ACK);
	raw_event(&r, 1);
	ck_assert(raw_acked_upto(&r, 1));
	raw_close(&r);
	for (int i = 0; i < IDLE; i++)
		close(fds[i]);
	/* no spinning: accept failures (if any) are logged at most once a second */
	ck_assert_int_le(hostfx_log_count(&fx, "conn.accept_failed", NULL), 20);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.child_died", NULL), 0);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
}
END_TEST

/* Item 4: a kiosk revoked and the CRL reloaded (SIGHUP) kept storing events
 * on the session it had open. */
START_TEST(test_revoked_session_is_closed_on_reload)
{
	struct raw r;

	hostfx_start(&fx);
	raw_online(&r, "k03");
	raw_event(&r, 1);
	ck_assert(raw_acked_upto(&r, 1));
	hostfx_revoke(&fx, "k03");
	kill(fx.pid, SIGHUP);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.session_revoked", "kiosk=K03", NULL));
	raw_event(&r, 2);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ACK, NULL), EGATE__ENVELOPE__BODY__NOT_SET);
	raw_close(&r);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K03", NULL), 1);
}
END_TEST

/* Item 4: a CRL from a foreign issuer loaded silently and turned revocation
 * off. On SIGHUP it is refused and the CRL in force stays; at start the
 * host refuses to run (and says why) instead of restarting its child. */
START_TEST(test_foreign_crl_is_refused)
{
	char cmd[1200];
	struct raw r;

	hostfx_start(&fx);
	snprintf(cmd, sizeof(cmd), "cp '%s/ca/ca.crl' '%s/ca.crl.good' && cp '%s/other/ca.crl' '%s/ca/ca.crl'",
	    fx.dir, fx.dir, fx.dir, fx.dir);
	ck_assert_int_eq(system(cmd), 0);
	kill(fx.pid, SIGHUP);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.crl_reloaded", "not issued by the deployment CA",
	    "previous CRL stays in force", NULL));
	raw_open(&r, "revoked");		/* K06, revoked in the CRL in force */
	ck_assert_int_ne(r.hs, EG_OK);
	raw_close(&r);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.refused", "peer certificate revoked", NULL));
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	/* start with it: exit 1 at once, one try, the reason logged */
	hostfx_start_nowait(&fx);
	ck_assert_int_eq(hostfx_wait_exit(&fx, 20000), 1);
	ck_assert_int_eq(hostfx_log_count(&fx, "net.tls_conf_failed", "not issued by the deployment CA", NULL), 1);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.child_config_error", NULL), 1);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.child_died", NULL), 0);
}
END_TEST

/* Item 6: bad TLS files restarted the network child every second until the
 * monitor gave up; now the host exits 1 with the reason at once. */
START_TEST(test_bad_tls_files_stop_the_host)
{
	char cmd[1200];
	int64_t t0;

	snprintf(cmd, sizeof(cmd), "sed -i 's|^key = .*host.key|key = %s/k01.key|' '%s'", fx.dir, fx.conf);
	ck_assert_int_eq(system(cmd), 0);
	t0 = hostfx_ms();
	hostfx_start_nowait(&fx);
	ck_assert_int_eq(hostfx_wait_exit(&fx, 20000), 1);
	ck_assert_int_lt(hostfx_ms() - t0, 15000);
	ck_assert_int_eq(hostfx_log_count(&fx, "net.tls_conf_failed", "not the private key", NULL), 1);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.child_started", NULL), 1);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.giving_up", NULL), 0);
}
END_TEST

/* Item 4: a certificate whose CN is "host" (the audit store's own id)
 * killed the network child; now that connection alone is refused. */
START_TEST(test_cn_host_is_refused_without_harm)
{
	struct raw r;

	hostfx_issue(&fx, "hostcn", "host", "kiosk", 30, 0);
	hostfx_start(&fx);
	raw_open(&r, "hostcn");
	raw_hello(&r, NULL);
	ck_assert_int_ne(raw_expect(&r, EGATE__ENVELOPE__BODY_HELLO_ACK, NULL), EGATE__ENVELOPE__BODY_HELLO_ACK);
	raw_close(&r);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "tls.refused", "CN is not a usable id", NULL));
	raw_online(&r, "k01");
	raw_event(&r, 1);
	ck_assert(raw_acked_upto(&r, 1));
	raw_close(&r);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.child_died", NULL), 0);
	ck_assert_int_eq(hostfx_log_count(&fx, "monitor.bad_request", NULL), 0);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	ck_assert_uint_eq(hostfx_db_count(&fx, "host", NULL), 0);
}
END_TEST

/* Item 5: a kiosk's event naming an officer was stored as that officer's
 * decision without any officer command; a 300-byte reason (the protocol
 * allows it) was refused by the store and resent for ever; seqs could go
 * backwards. */
START_TEST(test_kiosk_cannot_forge_officer_long_reason_or_go_backwards)
{
	static char officer[] = "officer.kim", reason[301];
	Egate__Envelope env;
	Egate__PassageEvent e;
	struct row_copy row;
	struct raw r;
	uint64_t v = 0;

	hostfx_start(&fx);
	raw_online(&r, "k01");
	/* seq 1: "decided by officer.kim", command 42 that nobody issued */
	e = *hostfx_event(1);
	e.seq = 1;
	e.officer_id = officer;
	e.command_id = 42;
	egate__envelope__init(&env);
	env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
	env.passage = &e;
	raw_send(&r, &env);
	ck_assert(raw_acked_upto(&r, 1));
	/* seq 2: a reason of 300 bytes */
	memset(reason, 'r', 300);
	e = *hostfx_event(2);
	e.seq = 2;
	e.reason = reason;
	raw_send(&r, &env);
	ck_assert(raw_acked_upto(&r, 2));
	/* seqs 5, 6 then 3: 3 was never stored and is below what was sent */
	raw_event(&r, 5);
	raw_event(&r, 6);
	ck_assert(raw_acked_upto(&r, 6));
	raw_event(&r, 3);
	ck_assert_int_eq(raw_expect(&r, EGATE__ENVELOPE__BODY_ERROR, &v), EGATE__ENVELOPE__BODY_ERROR);
	ck_assert_uint_eq(v, EGATE__ERROR_CODE__ERROR_SEQUENCE);
	raw_close(&r);
	ck_assert(hostfx_wait_log(&fx, 1, 5000, "alarm.sequence_backwards", "kiosk=K01", "seq=3", NULL));
	ck_assert(hostfx_wait_log(&fx, 1, 0, "alarm.officer_unverified", "officer=officer.kim", NULL));
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	db_row("K01", 1, &row);
	ck_assert(row.found);
	ck_assert_str_eq(row.officer, "");
	ck_assert_ptr_nonnull(strstr(row.payload, "officer_attribution"));
	ck_assert_ptr_nonnull(strstr(row.payload, "unverified claim: officer officer.kim"));
	db_row("K01", 2, &row);
	ck_assert(row.found);
	ck_assert_uint_eq(strlen(row.reason), 256);
	ck_assert_ptr_nonnull(strstr(row.payload, reason));	/* the whole reason */
	db_row("K01", 3, &row);
	ck_assert(!row.found);
	ck_assert_uint_eq(hostfx_db_count(&fx, "K01", NULL), 4);
	ck_assert(hostfx_verify(&fx, NULL));
}
END_TEST

/* Item 6 / reconnect: session-ticket keys survive a host restart, so a
 * kiosk's ticket from before the restart resumes after it; the key file is
 * private and sealed. */
START_TEST(test_ticket_survives_restart)
{
	struct eg_tls_conf *conf = NULL;
	struct eg_tls *t = NULL;
	char err[200], crt[400], key[400], tfile[400];
	struct stat stt;
	int fd;

	snprintf(crt, sizeof(crt), "%s/k01.crt", fx.dir);
	snprintf(key, sizeof(key), "%s/k01.key", fx.dir);
	snprintf(tfile, sizeof(tfile), "%s.tickets", fx.db);
	ck_assert_eg(eg_tls_conf_new(&conf, EG_TLS_CLIENT, hostfx_path(&fx, "ca/ca.crt"), NULL, crt, key,
	    err, sizeof(err)), EG_OK);
	hostfx_start(&fx);
	for (int round = 0; round < 3; round++) {
		fd = tcp_to_host(fx.port);
		ck_assert_eg(eg_tls_new(&t, conf, fd, "egate-host"), EG_OK);
		ck_assert_eg(eg_tls_handshake(t, NULL), EG_OK);
		/* round 0: full; 1: same process; 2: after the restart */
		ck_assert_msg(eg_tls_resumed(t) == (round > 0), "round %d resumed=%d", round,
		    eg_tls_resumed(t));
		ck_assert_eg(eg_tls_save_session(t), EG_OK);
		eg_tls_close(t);
		eg_tls_free(&t);
		close(fd);
		if (round == 1) {
			ck_assert_int_eq(hostfx_stop(&fx), 0);
			hostfx_start(&fx);
			ck_assert(hostfx_wait_log(&fx, 1, 0, "monitor.ticket_keys", "loaded=true", NULL));
		}
	}
	ck_assert_int_eq(stat(tfile, &stt), 0);
	ck_assert_int_eq(stt.st_mode & 077, 0);
	ck_assert(hostfx_wait_log(&fx, 2, 5000, "tls.accepted", "cn=K01", "resumed=true", NULL));
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	/* another HMAC key: the file does not open and is replaced, no harm */
	{
		char cmd[800];
		snprintf(cmd, sizeof(cmd), "printf '%%064d' 7 > '%s/identifier.hmac'", fx.dir);
		ck_assert_int_eq(system(cmd), 0);
	}
	hostfx_start(&fx);
	ck_assert(hostfx_wait_log(&fx, 1, 0, "monitor.ticket_keys", "loaded=false", "replaced", NULL));
	fd = tcp_to_host(fx.port);
	ck_assert_eg(eg_tls_new(&t, conf, fd, "egate-host"), EG_OK);
	ck_assert_eg(eg_tls_handshake(t, NULL), EG_OK);
	ck_assert(!eg_tls_resumed(t));		/* honest: the host refused the ticket */
	eg_tls_free(&t);
	close(fd);
	eg_tls_conf_free(&conf);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
}
END_TEST


/* Item 8: with a sealing key of its own ([seal] key) the host opens only
 * blobs bound to their event (version 3: kiosk id, seq, kind), refuses
 * clear identifiers and unbound (v2) blobs, and the TLS key no longer opens
 * anything. */
START_TEST(test_seal_key_of_its_own_and_bound_seals)
{
	static const char *doc = "L898902C3", *name = "ERIKSSON<<ANNA";
	struct seal_key *sk = NULL, *tk = NULL;
	struct seal_epoch *ep = NULL;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	uint8_t b1[SEAL_BLOB_MAX], b2[SEAL_BLOB_MAX], b3[SEAL_BLOB_MAX];
	size_t n1 = 0, n2 = 0, n3 = 0;
	char err[200], cmd[1200];
	struct row_copy row;
	struct raw r;

	ck_assert_eg(pki_key_create(hostfx_path(&fx, "seal.key")), EG_OK);
	snprintf(cmd, sizeof(cmd), "chmod 600 '%s/seal.key' && printf '[seal]\\nkey = %s/seal.key\\n' >> '%s'",
	    fx.dir, fx.dir, fx.conf);
	ck_assert_int_eq(system(cmd), 0);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	ck_assert_int_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	ck_assert_eg(seal_key_from_private(hostfx_path(&fx, "seal.key"), &sk, err, sizeof(err)), EG_OK);
	ck_assert_eg(seal_key_from_private(hostfx_path(&fx, "host.key"), &tk, err, sizeof(err)), EG_OK);
	ck_assert_eg(seal_epoch_new(0, 0, &ep), EG_OK);
	ck_assert_eg(seal_epoch_seal_bound(ep, sk, mbedtls_ctr_drbg_random, &drbg, 0, "K01", 1,
	    SEAL_KIND_PASSAGE, doc, name, b1, sizeof(b1), &n1), EG_OK);
	ck_assert_eg(seal_epoch_seal(ep, sk, mbedtls_ctr_drbg_random, &drbg, 0, "K01", doc, name, b2,
	    sizeof(b2), &n2), EG_OK);
	seal_epoch_free(&ep);
	ck_assert_eg(seal_epoch_new(0, 0, &ep), EG_OK);
	ck_assert_eg(seal_epoch_seal_bound(ep, tk, mbedtls_ctr_drbg_random, &drbg, 0, "K01", 5,
	    SEAL_KIND_PASSAGE, doc, name, b3, sizeof(b3), &n3), EG_OK);
	hostfx_start(&fx);
	ck_assert(hostfx_wait_log(&fx, 1, 0, "net.seal_key", "source=\"[seal] key\"", NULL));
	raw_online(&r, "k01");
	for (uint64_t seq = 1; seq <= 5; seq++) {
		Egate__Envelope env;
		Egate__PassageEvent e = *hostfx_event((unsigned)seq);
		Egate__Identifiers id = *e.identifiers;
		char empty[1] = "";

		e.seq = seq;
		if (seq != 3) {		/* 3 keeps its clear identifiers */
			id.document_number = empty;
			id.holder_name = empty;
			e.identifiers = &id;
		}
		/* 1: bound to seq 1; 2: the same blob moved to seq 2; 4: v2 (unbound);
		 * 5: bound, but sealed to the TLS key */
		e.sealed_identifiers.data = seq == 1 || seq == 2 ? b1 : seq == 4 ? b2 : seq == 5 ? b3 : NULL;
		e.sealed_identifiers.len = seq == 1 || seq == 2 ? n1 : seq == 4 ? n2 : seq == 5 ? n3 : 0;
		egate__envelope__init(&env);
		env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
		env.passage = &e;
		raw_send(&r, &env);
	}
	ck_assert(raw_acked_upto(&r, 5));
	raw_close(&r);
	ck_assert_int_eq(hostfx_stop(&fx), 0);
	db_row("K01", 1, &row);
	ck_assert(row.found && row.has_doc);
	for (uint64_t seq = 2; seq <= 5; seq++) {
		db_row("K01", seq, &row);
		ck_assert_msg(row.found && !row.has_doc, "seq %llu stored with identifiers",
		    (unsigned long long)seq);
		ck_assert_ptr_nonnull(strstr(row.payload, "sealed_identifiers"));
	}
	db_row("K01", 3, &row);
	ck_assert_ptr_nonnull(strstr(row.payload, "clear identifiers refused"));
	db_row("K01", 4, &row);
	ck_assert_ptr_nonnull(strstr(row.payload, "seal version 2 refused"));
	ck_assert_int_eq(hostfx_log_count(&fx, "net.unsealable", "kiosk=K01", NULL), 2);	/* 2 and 5 */
	seal_epoch_free(&ep);
	seal_key_free(&sk);
	seal_key_free(&tk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("host");
	TCase *tc = tcase_create("daemon");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_check_config_and_usage);
	tcase_add_test(tc, test_openssl_client_vs_host);
	tcase_add_test(tc, test_uplink_vs_openssl_server);
	tcase_add_test(tc, test_ipv6_listen);
	tcase_add_test(tc, test_end_to_end);
	tcase_add_test(tc, test_sealed_identifiers);
	tcase_add_test(tc, test_kill9_during_stream);
	tcase_add_test(tc, test_outage_spools_then_delivers);
	tcase_add_test(tc, test_child_restart);
	tcase_add_test(tc, test_sigterm_during_stream);
	tcase_add_test(tc, test_garbage_closes_only_that_connection);
	tcase_add_test(tc, test_identity_from_certificate_only);
	tcase_add_test(tc, test_sequence_conflict);
	tcase_add_test(tc, test_retention_purge);
	tcase_add_test(tc, test_sighup_reloads_crl);
	suite_add_tcase(s, tc);
	tc = tcase_create("issue13");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_large_batch_does_not_kill_the_child);
	tcase_add_test(tc, test_idle_connections_do_not_lock_kiosks_out);
	tcase_add_test(tc, test_fd_limit_is_budgeted_and_logged);
	tcase_add_test(tc, test_revoked_session_is_closed_on_reload);
	tcase_add_test(tc, test_foreign_crl_is_refused);
	tcase_add_test(tc, test_bad_tls_files_stop_the_host);
	tcase_add_test(tc, test_cn_host_is_refused_without_harm);
	tcase_add_test(tc, test_kiosk_cannot_forge_officer_long_reason_or_go_backwards);
	tcase_add_test(tc, test_ticket_survives_restart);
	tcase_add_test(tc, test_seal_key_of_its_own_and_bound_seals);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
