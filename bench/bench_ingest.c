/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_ingest — events/s that egate-host ingests from 100 concurrent
 * simulated kiosks over mutual TLS on loopback, against the reference of
 * raw SQLite inserts of the same rows with the same durability (WAL,
 * synchronous=FULL, the host's average batch size) measured in the same
 * run; also full and resumed TLS handshakes per second, and a loss check
 * (rows in the audit DB == events sent).
 *
 *   meson test -C build-rel --benchmark bench-ingest -v
 *   build-rel/tests/host/bench-ingest [egate-host binary] [events per kiosk]
 *
 * The kiosks run in one thread of this process (non-blocking eg_tls, poll),
 * each with its own certificate (CN K001..K100) and a window of 64 events
 * in flight, as the uplink does.
 *
 * A second ingest phase sends the same events with the identifiers sealed
 * to the host's key (PROTOCOL.md, "Sealed identifiers"), as egate-kiosk
 * does (version 2: one epoch key per kiosk, since 300 events fit in one
 * epoch of SEAL_EPOCH_MAX_SEALS seals): the host's network child opens every
 * event, with one P-256 ECDH per kiosk epoch and HKDF, then AES-GCM per
 * event from its key cache. Its rate is printed as a ratio against the
 * clear phase of the same run. The blobs are sealed before the clock starts
 * (a kiosk seals once per traveller, not the host's cost).
 *
 * The raw reference binds one constant stand-in for every row's identifier
 * HMACs, so its records_doc index only grows at its end; the host's HMACs of
 * the clear phase's distinct document numbers are random and spread over
 * that index (each batch dirties up to one index page per event, all
 * written to the WAL at commit). A second reference, interleaved with the
 * first, binds a distinct pseudo-random stand-in per row (splitmix64, no
 * hashing); both are printed, the headline ratio stays the first. (The
 * sealed phase carries one document number per kiosk, so its HMACs repeat.)
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <sqlite3.h>

#include "audit.h"
#include "eg_stand_in.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/tls.h"
#include "explain.h"
#include "frame.h"
#include "hostfx.h"
#include "seal.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#define KIOSKS 100
#define WINDOW 64

enum kst { K_CONNECT, K_HS, K_HELLO, K_RUN, K_DONE };

struct kiosk {
	int fd;
	struct eg_tls_conf *conf;
	struct eg_tls *t;
	struct frame_dec *dec;
	struct eg_wbuf out;
	size_t wpending;
	enum kst st;
	uint64_t sent, acked, want;
	bool ww, resumed;
	uint8_t blob[SEAL_BLOB_MAX];	/* sealed identifiers, when sealing */
	size_t blob_len;
};

static struct hostfx fx;

static void
fail(const char *what)
{
	fprintf(stderr, "bench_ingest: %s\n", what);
	exit(1);
}

static int
tcp_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		fail("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void
k_connect(struct kiosk *k)
{
	k->fd = tcp_connect(fx.port);
	if (fcntl(k->fd, F_SETFL, fcntl(k->fd, F_GETFL) | O_NONBLOCK) != 0)
		fail("O_NONBLOCK");
	if (eg_tls_new(&k->t, k->conf, k->fd, "egate-host") != EG_OK ||
	    frame_dec_new(0, &k->dec) != EG_OK)
		fail("eg_tls_new");
	eg_wbuf_reset(&k->out);
	k->wpending = 0;
	k->st = K_HS;
	k->ww = false;
}

static void
k_close(struct kiosk *k)
{
	eg_tls_close(k->t);
	eg_tls_free(&k->t);
	frame_dec_free(&k->dec);
	close(k->fd);
	k->fd = -1;
}

static void
k_send(struct kiosk *k, const Egate__Envelope *env)
{
	if (proto_msg_encode(env, 0, &k->out) != EG_OK)
		fail("encode");
}

static void
k_flush(struct kiosk *k)
{
	while (k->out.len > 0) {
		size_t chunk = k->wpending ? k->wpending : (k->out.len < 16384 ? k->out.len : 16384), put = 0;
		int rc = eg_tls_write(k->t, k->out.data, chunk, &put, &k->ww);

		if (rc == EG_ERR_BUSY) {
			k->wpending = chunk;
			return;
		}
		if (rc != EG_OK)
			fail(eg_tls_error(k->t));
		k->wpending = 0;
		memmove(k->out.data, k->out.data + put, k->out.len - put);
		k->out.len -= put;
	}
	k->ww = false;
}

static void
k_fill(struct kiosk *k)
{
	while (k->sent < k->want && k->sent - k->acked < WINDOW) {
		Egate__Envelope env;
		Egate__PassageEvent e = *hostfx_event((unsigned)k->sent);
		Egate__Identifiers id;
		char empty[1] = "";

		if (k->blob_len > 0) {	/* as egate-kiosk sends them */
			id = *e.identifiers;
			id.document_number = empty;
			id.holder_name = empty;
			e.identifiers = &id;
			e.sealed_identifiers.data = k->blob;
			e.sealed_identifiers.len = k->blob_len;
		}
		e.seq = ++k->sent;
		egate__envelope__init(&env);
		env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
		env.passage = &e;
		k_send(k, &env);
	}
}

static void
k_read(struct kiosk *k)
{
	uint8_t buf[16384];

	for (;;) {
		size_t got = 0;
		const uint8_t *p = buf;
		int rc = eg_tls_read(k->t, buf, sizeof(buf), &got, &k->ww);

		if (rc == EG_ERR_BUSY)
			return;
		if (rc != EG_OK)
			fail("host closed a kiosk connection");
		while (got > 0) {
			const uint8_t *f;
			size_t used, flen;
			struct proto_msg *m = NULL;

			rc = frame_dec_feed(k->dec, p, got, &used, &f, &flen);
			p += used;
			got -= used;
			if (rc == EG_ERR_TRUNCATED)
				break;
			if (rc != EG_OK || proto_msg_decode(f, flen, &m) != EG_OK)
				fail("bad frame from host");
			const Egate__Envelope *env = proto_msg_env(m);
			if (env->body_case == EGATE__ENVELOPE__BODY_HELLO_ACK && k->st == K_HELLO)
				k->st = K_RUN;
			else if (env->body_case == EGATE__ENVELOPE__BODY_ACK)
				k->acked = env->ack->seq;
			else
				fail("unexpected message from host");
			proto_msg_free(&m);
		}
	}
}

/* Drive all kiosks until each reaches `until`. */
static void
drive(struct kiosk *ks, enum kst until)
{
	struct pollfd pf[KIOSKS];

	for (;;) {
		size_t done = 0;

		for (size_t i = 0; i < KIOSKS; i++) {
			struct kiosk *k = &ks[i];

			if (k->st == K_HS) {
				int rc = eg_tls_handshake(k->t, &k->ww);
				if (rc == EG_OK) {
					k->resumed = eg_tls_resumed(k->t);
					eg_tls_save_session(k->t);
					if (until == K_HELLO) {
						k->st = K_HELLO;
					} else {
						Egate__Envelope env;
						Egate__Hello h;
						char empty[1] = "";
						egate__envelope__init(&env);
						egate__hello__init(&h);
						h.version_min = h.version_max = 1;
						h.kiosk_id_claimed = empty;
						h.firmware_version = empty;
						env.body_case = EGATE__ENVELOPE__BODY_HELLO;
						env.hello = &h;
						k_send(k, &env);
						k->st = K_HELLO;
					}
				} else if (rc != EG_ERR_BUSY) {
					fail(eg_tls_error(k->t));
				}
			}
			if (k->st == K_RUN) {
				k_fill(k);
				if (k->acked >= k->want)
					k->st = K_DONE;
			}
			if (k->st >= K_HELLO && k->out.len > 0)
				k_flush(k);
			done += k->st >= until;
			pf[i].fd = k->fd;
			pf[i].events = (short)(k->ww ? POLLOUT : POLLIN);
			if (k->st >= until)
				pf[i].fd = -1;
		}
		if (done == KIOSKS)
			return;
		if (poll(pf, KIOSKS, 5000) <= 0)
			fail("stalled");
		for (size_t i = 0; i < KIOSKS; i++)
			if (pf[i].fd >= 0 && (pf[i].revents & POLLIN) && ks[i].st >= K_HELLO)
				k_read(&ks[i]);
	}
}

/* ---- the reference: raw SQLite, same rows, same durability and batching ---- */

/* distinct: a distinct identifier stand-in per row (see the top comment) */
static double
raw_sqlite(const char *path, uint64_t n, uint64_t batch, bool distinct)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t hash[32] = { 1 };
	int64_t t0;

	char **payload = calloc(n, sizeof(*payload));
	size_t *plen = calloc(n, sizeof(*plen));

	if (payload == NULL || plen == NULL)
		fail("nomem");
	/* the rows are built before the clock starts: only SQLite is timed */
	for (uint64_t i = 0; i < n; i++)
		if (proto_passage_payload(hostfx_event((unsigned)i), &payload[i], &plen[i]) != EG_OK)
			fail("payload");
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE records (id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL,"
	    " ts INTEGER NOT NULL, type TEXT NOT NULL, decision TEXT, reason TEXT, officer TEXT,"
	    " doc_hmac TEXT, name_hmac TEXT, payload TEXT, payload_hash BLOB NOT NULL,"
	    " purged INTEGER NOT NULL DEFAULT 0, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,"
	    " UNIQUE (kiosk_id, seq));"
	    "CREATE INDEX records_kiosk_ts ON records(kiosk_id, ts);"
	    "CREATE INDEX records_ts ON records(ts);"
	    "CREATE INDEX records_doc ON records(doc_hmac);"
	    "CREATE INDEX records_decision_ts ON records(decision, ts);"
	    "CREATE INDEX records_officer ON records(officer);", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO records (kiosk_id, seq, ts, type, decision, reason,"
	    " doc_hmac, name_hmac, payload, payload_hash, prev_hash, hash)"
	    " VALUES (?,?,?,'passage','OPEN','all_checks_pass',?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		fail("raw sqlite setup");
	t0 = hostfx_ms();
	for (uint64_t i = 0; i < n;) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		for (uint64_t j = 0; j < batch && i < n; j++, i++) {
			char kiosk[8], hx[65];
			const Egate__PassageEvent *e = hostfx_event((unsigned)i);
			snprintf(kiosk, sizeof(kiosk), "K%03u", (unsigned)(i % KIOSKS) + 1);
			sqlite3_bind_text(st, 1, kiosk, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)(i / KIOSKS + 1));
			sqlite3_bind_int64(st, 3, e->ts_ms);
			if (distinct) {
				eg_stand_in(i, hx);
				sqlite3_bind_text(st, 4, hx, 64, SQLITE_TRANSIENT);
			} else {
				sqlite3_bind_text(st, 4, "4c3d2e1f4c3d2e1f4c3d2e1f4c3d2e1f"
				    "4c3d2e1f4c3d2e1f4c3d2e1f4c3d2e1f", -1, SQLITE_STATIC);
			}
			sqlite3_bind_text(st, 5, "9a8b7c6d9a8b7c6d9a8b7c6d9a8b7c6d9a8b7c6d9a8b7c6d9a8b7c6d9a8b7c6d", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, payload[i], (int)plen[i], SQLITE_STATIC);
			sqlite3_bind_blob(st, 7, hash, 32, SQLITE_STATIC);
			sqlite3_bind_blob(st, 8, hash, 32, SQLITE_STATIC);
			sqlite3_bind_blob(st, 9, hash, 32, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				fail("raw insert");
			sqlite3_reset(st);
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			fail("raw commit");
	}
	double s = (double)(hostfx_ms() - t0) / 1000.0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	for (uint64_t i = 0; i < n; i++)
		free(payload[i]);
	free(payload);
	free(plen);
	return (double)n / s;
}

/* CPU model, kernel and load average: figures on a shared machine mean
 * little without them. */
static void
print_machine(const char *when)
{
	char line[512];
	double la[3] = { -1, -1, -1 };
	FILE *f;

	(void)getloadavg(la, 3);
	printf("  load average (%s): %.2f %.2f %.2f\n", when, la[0], la[1], la[2]);
	if (strcmp(when, "before") != 0)
		return;
	if ((f = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, "model name", 10) == 0) {
				printf("  cpu: %s", strchr(line, ':') + 2);
				break;
			}
		fclose(f);
	}
	{
		struct utsname u;
		if (uname(&u) == 0)
			printf("  kernel: %s %s %s, %ld cpus online\n", u.sysname, u.release, u.machine,
			    sysconf(_SC_NPROCESSORS_ONLN));
	}
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
log_value(const char *key)
{
	char line[2048], pat[64];
	uint64_t v = 0;
	FILE *f = fopen(fx.log, "r");

	snprintf(pat, sizeof(pat), " %s=", key);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *p;
		if (strstr(line, "event=net.stopped") != NULL && (p = strstr(line, pat)) != NULL)
			v = strtoull(p + strlen(pat), NULL, 10);
	}
	if (f != NULL)
		fclose(f);
	return v;
}

int
main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : getenv("EGATE_HOST_BIN");
	uint64_t per = argc > 2 ? strtoull(argv[2], NULL, 10) : 300;
	static struct kiosk ks[KIOSKS];
	int64_t t0;
	double full_hs, resumed_hs, ingest, sealed, raw[5], rawd[5];
	uint64_t total = per * KIOSKS, indb, batches, stored, avg;
	size_t nres = 0;

	if (bin == NULL)
		fail("usage: bench-ingest EGATE_HOST_BINARY [events-per-kiosk]");
	printf("bench_ingest: machine\n");
	print_machine("before");
	hostfx_init(&fx, bin);
	/* warn-level logging: one line per connection would dominate */
	{
		char cmd[800];
		snprintf(cmd, sizeof(cmd), "sed -i 's/^log_level = info/log_level = notice/' '%s'", fx.conf);
		if (system(cmd) != 0)
			fail("sed");
	}
	for (int i = 0; i < KIOSKS; i++) {
		char name[16], cn[16], err[200];
		snprintf(name, sizeof(name), "b%03d", i + 1);
		snprintf(cn, sizeof(cn), "K%03d", i + 1);
		hostfx_issue(&fx, name, cn, "kiosk", 30, 0);
		char crt[400], key[400];
		snprintf(crt, sizeof(crt), "%s/%s.crt", fx.dir, name);
		snprintf(key, sizeof(key), "%s/%s.key", fx.dir, name);
		if (eg_tls_conf_new(&ks[i].conf, EG_TLS_CLIENT, hostfx_path(&fx, "ca/ca.crt"), NULL,
		    crt, key, err, sizeof(err)) != EG_OK)
			fail(err);
		eg_wbuf_init(&ks[i].out, 4u << 20, false);
		ks[i].want = per;
		ks[i].fd = -1;
	}
	hostfx_start(&fx);

	/* full handshakes, all kiosks at once */
	t0 = hostfx_ms();
	for (int i = 0; i < KIOSKS; i++)
		k_connect(&ks[i]);
	drive(ks, K_HELLO);
	full_hs = KIOSKS / ((double)(hostfx_ms() - t0) / 1000.0);
	for (int i = 0; i < KIOSKS; i++) {
		k_close(&ks[i]);
		ks[i].st = K_CONNECT;
	}
	/* resumed handshakes (session tickets) */
	t0 = hostfx_ms();
	for (int i = 0; i < KIOSKS; i++)
		k_connect(&ks[i]);
	drive(ks, K_HELLO);
	resumed_hs = KIOSKS / ((double)(hostfx_ms() - t0) / 1000.0);
	for (int i = 0; i < KIOSKS; i++) {
		nres += ks[i].resumed;
		k_close(&ks[i]);
	}
	/* ingest: connect, Hello, stream, until every event is acked */
	for (int i = 0; i < KIOSKS; i++)
		k_connect(&ks[i]);
	drive(ks, K_RUN);
	t0 = hostfx_ms();
	drive(ks, K_DONE);
	ingest = (double)total / ((double)(hostfx_ms() - t0) / 1000.0);
	for (int i = 0; i < KIOSKS; i++) {
		k_close(&ks[i]);
		ks[i].st = K_CONNECT;
	}
	/* the same again with sealed identifiers: the host opens every one */
	{
		struct seal_key *hk = NULL;
		mbedtls_entropy_context ent;
		mbedtls_ctr_drbg_context drbg;
		char err[200];

		mbedtls_entropy_init(&ent);
		mbedtls_ctr_drbg_init(&drbg);
		if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0 ||
		    seal_key_from_cert(hostfx_path(&fx, "host.crt"), hostfx_path(&fx, "ca/ca.crt"),
		    "egate-host", &hk, err, sizeof(err)) != EG_OK)
			fail("host sealing key");
		for (int i = 0; i < KIOSKS; i++) {
			char cn[16];

			struct seal_epoch *ep = NULL;

			snprintf(cn, sizeof(cn), "K%03d", i + 1);
			if (seal_epoch_new(0, 0, &ep) != EG_OK ||
			    seal_epoch_seal(ep, hk, mbedtls_ctr_drbg_random, &drbg, 0, cn,
			    "L898902C3", "ERIKSSON<<ANNA<MARIA", ks[i].blob, sizeof(ks[i].blob),
			    &ks[i].blob_len) != EG_OK)
				fail("seal");
			seal_epoch_free(&ep);
			ks[i].want = 2 * per;
		}
		seal_key_free(&hk);
		mbedtls_ctr_drbg_free(&drbg);
		mbedtls_entropy_free(&ent);
	}
	for (int i = 0; i < KIOSKS; i++)
		k_connect(&ks[i]);
	drive(ks, K_RUN);
	t0 = hostfx_ms();
	drive(ks, K_DONE);
	sealed = (double)total / ((double)(hostfx_ms() - t0) / 1000.0);
	for (int i = 0; i < KIOSKS; i++) {
		k_close(&ks[i]);
		eg_tls_conf_free(&ks[i].conf);
		eg_wbuf_free(&ks[i].out);
	}
	if (hostfx_stop(&fx) != 0)
		fail("egate-host did not stop cleanly");
	indb = hostfx_db_count(&fx, NULL, NULL);
	batches = log_value("batches");
	stored = log_value("stored");
	avg = batches ? (stored + batches - 1) / batches : 1;
	if (avg == 0)
		avg = 1;
	for (int r = 0; r < 5; r++) {
		raw[r] = raw_sqlite(hostfx_path(&fx, "raw.db"), total, avg, false);
		rawd[r] = raw_sqlite(hostfx_path(&fx, "raw.db"), total, avg, true);
	}
	qsort(raw, 5, sizeof(raw[0]), cmp_d);
	qsort(rawd, 5, sizeof(rawd[0]), cmp_d);

	printf("bench_ingest: %d kiosks x %llu events = %llu events over mTLS (loopback)\n", KIOSKS,
	    (unsigned long long)per, (unsigned long long)total);
	printf("  full handshakes:      %8.1f /s (%d concurrent)\n", full_hs, KIOSKS);
	printf("  resumed handshakes:   %8.1f /s (%zu of %d resumed)\n", resumed_hs, nres, KIOSKS);
	printf("  egate-host ingest:    %8.0f events/s (%llu batches, average %llu events)\n", ingest,
	    (unsigned long long)batches, (unsigned long long)avg);
	printf("  raw SQLite reference: %8.0f rows/s (WAL, synchronous=FULL, batches of %llu; median of 5)\n",
	    raw[2], (unsigned long long)avg);
	printf("  ratio host / raw:     %8.2f\n", ingest / raw[2]);
	printf("  raw, distinct ids:    %8.0f rows/s (a different identifier stand-in per row; median "
	    "of 5, interleaved)\n", rawd[2]);
	printf("  ratio host / distinct:%8.2f\n", ingest / rawd[2]);
	printf("  ingest, sealed ids:   %8.0f events/s (the host opens each: ratio %.2f of clear)\n",
	    sealed, sealed / ingest);
	printf("  rows in audit DB:     %llu of %llu sent: %s\n", (unsigned long long)indb,
	    (unsigned long long)(2 * total), indb == 2 * total ? "zero loss" : "LOSS");
	printf("  audit verify:         %s\n", hostfx_verify(&fx, NULL) ? "ok" : "FAILED");
	print_machine("after");
	hostfx_cleanup(&fx);
	return indb == 2 * total ? 0 : 1;
}
