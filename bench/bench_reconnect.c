/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_reconnect — how long 500 kiosks take to be back (TLS up, Hello
 * answered by HelloAck) after their connections drop, in two cases
 * measured in the same run, interleaved, repeated:
 *
 *   same process  the host keeps running; every kiosk reconnects (the
 *                 reference: its ticket is resumed by the same process)
 *   after restart the host is stopped (SIGTERM) and started again; the clock
 *                 starts when the new host is ready (net.ready) and every
 *                 kiosk reconnects at that moment (the worst herd: no
 *                 jitter). With session-ticket keys kept across restarts
 *                 (host/daemon/tickets.h) the tickets still resume.
 *
 * Issue 13's target: after a restart, 500 kiosks back within 2 s (it was
 * 21.7 s: every reconnect was a full handshake, ~70/s). Printed: medians and
 * min-max of the rounds, how many sessions resumed, the restart time itself,
 * CPU model and flags, kernel, load average before and after.
 *
 *   meson test -C build-rel --benchmark bench-reconnect -v
 *   build-rel/tests/host/bench-reconnect [egate-host] [kiosks] [rounds]
 *
 * The kiosks run in one thread of this process (non-blocking eg_tls, poll),
 * each with its own certificate; a kiosk whose attempt fails (refused,
 * reset) retries after a jittered pause, as the uplink does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/tls.h"
#include "frame.h"
#include "hostfx.h"

#define KIOSKS_MAX 2000
#define ROUND_DEADLINE_MS 60000

enum kst { K_IDLE, K_WAIT, K_HS, K_HELLO, K_UP };

struct kiosk {
	int fd;
	struct eg_tls_conf *conf;
	struct eg_tls *t;
	struct frame_dec *dec;
	struct eg_wbuf out;
	size_t wpending;
	enum kst st;
	bool ww, resumed;
	int64_t retry_at;
	unsigned retries;
	uint64_t rng;
};

static struct hostfx fx;

static void
fail(const char *what)
{
	fprintf(stderr, "bench_reconnect: %s\n", what);
	exit(1);
}

static uint32_t
jitter(struct kiosk *k, uint32_t cap)
{
	k->rng ^= k->rng << 13;
	k->rng ^= k->rng >> 7;
	k->rng ^= k->rng << 17;
	return (uint32_t)(k->rng % (cap + 1));
}

static void
k_drop(struct kiosk *k)
{
	if (k->t != NULL)
		eg_tls_free(&k->t);
	frame_dec_free(&k->dec);
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	eg_wbuf_reset(&k->out);
	k->wpending = 0;
}

/* A failed attempt: try again after 0-100 ms (full jitter, as the uplink). */
static void
k_retry(struct kiosk *k)
{
	k_drop(k);
	k->retries++;
	k->st = K_WAIT;
	k->retry_at = hostfx_ms() + jitter(k, 100);
}

static void
k_connect(struct kiosk *k)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)fx.port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;

	k->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (k->fd < 0)
		fail("socket");
	setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(k->fd, (struct sockaddr *)&a, sizeof(a)) != 0 && errno != EINPROGRESS) {
		k_retry(k);
		return;
	}
	if (eg_tls_new(&k->t, k->conf, k->fd, "egate-host") != EG_OK ||
	    frame_dec_new(0, &k->dec) != EG_OK)
		fail("eg_tls_new");
	k->st = K_HS;
	k->ww = true;
}

static bool
k_flush(struct kiosk *k)
{
	while (k->out.len > 0) {
		size_t chunk = k->wpending ? k->wpending : k->out.len, put = 0;
		int rc = eg_tls_write(k->t, k->out.data, chunk, &put, &k->ww);

		if (rc == EG_ERR_BUSY) {
			k->wpending = chunk;
			return true;
		}
		if (rc != EG_OK)
			return false;
		k->wpending = 0;
		memmove(k->out.data, k->out.data + put, k->out.len - put);
		k->out.len -= put;
	}
	k->ww = false;
	return true;
}

static void
k_hello(struct kiosk *k)
{
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
	if (proto_msg_encode(&env, 0, &k->out) != EG_OK)
		fail("encode");
	k->st = K_HELLO;
}

/* Read; true when the HelloAck arrived. */
static bool
k_read(struct kiosk *k, bool *broken)
{
	uint8_t buf[4096];

	for (;;) {
		size_t got = 0;
		const uint8_t *p = buf;
		int rc = eg_tls_read(k->t, buf, sizeof(buf), &got, &k->ww);

		if (rc == EG_ERR_BUSY)
			return false;
		if (rc != EG_OK) {
			*broken = true;
			return false;
		}
		while (got > 0) {
			const uint8_t *f;
			size_t used, flen;
			struct proto_msg *m = NULL;
			bool ack;

			rc = frame_dec_feed(k->dec, p, got, &used, &f, &flen);
			p += used;
			got -= used;
			if (rc == EG_ERR_TRUNCATED)
				break;
			if (rc != EG_OK || proto_msg_decode(f, flen, &m) != EG_OK)
				fail("bad frame from host");
			ack = proto_msg_env(m)->body_case == EGATE__ENVELOPE__BODY_HELLO_ACK;
			proto_msg_free(&m);
			if (ack)
				return true;
		}
	}
}

/* Reconnect every kiosk (at most `wave` connecting at once; 0: all at
 * once); returns ms until the last one is up. */
static int64_t
reconnect_all(struct kiosk *ks, int n, int wave, int64_t deadline_ms, int *resumed,
    unsigned *retries)
{
	static struct pollfd pf[KIOSKS_MAX];
	int64_t t0 = hostfx_ms();
	int up = 0, started = 0;

	*resumed = 0;
	*retries = 0;
	for (int i = 0; i < n; i++) {
		ks[i].retries = 0;
		ks[i].st = K_IDLE;
	}
	while (up < n) {
		int64_t now = hostfx_ms();
		int wait = 50;

		if (now - t0 > deadline_ms)
			fail("kiosks not back before the deadline");
		while (started < n && (wave == 0 || started - up < wave))
			k_connect(&ks[started++]);
		for (int i = 0; i < n; i++) {
			struct kiosk *k = &ks[i];

			pf[i].fd = -1;
			if (k->st == K_WAIT && now >= k->retry_at)
				k_connect(k);
			if (k->st == K_HS) {
				int rc = eg_tls_handshake(k->t, &k->ww);
				if (rc == EG_OK) {
					k->resumed = eg_tls_resumed(k->t);
					eg_tls_save_session(k->t);
					k_hello(k);
				} else if (rc != EG_ERR_BUSY) {
					k_retry(k);
					continue;
				}
			}
			if (k->st == K_HELLO && k->out.len > 0 && !k_flush(k)) {
				k_retry(k);
				continue;
			}
			if (k->st == K_HS || k->st == K_HELLO) {
				pf[i].fd = k->fd;
				pf[i].events = (short)(k->ww ? POLLOUT : POLLIN);
			}
		}
		if (poll(pf, (nfds_t)n, wait) < 0)
			fail("poll");
		for (int i = 0; i < n; i++) {
			struct kiosk *k = &ks[i];
			bool broken = false;

			if (pf[i].fd < 0 || pf[i].revents == 0 || k->st != K_HELLO)
				continue;
			if (k_read(k, &broken)) {
				k->st = K_UP;
				up++;
				*resumed += k->resumed;
				*retries += k->retries;
			} else if (broken) {
				k_retry(k);
			}
		}
	}
	return hostfx_ms() - t0;
}

static void
drop_all(struct kiosk *ks, int n)
{
	for (int i = 0; i < n; i++) {
		eg_tls_close(ks[i].t);
		k_drop(&ks[i]);
		ks[i].st = K_IDLE;
	}
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
print_machine(const char *when)
{
	char line[4096];
	double la[3] = { 0, 0, 0 };
	FILE *f;

	if (getloadavg(la, 3) < 0)
		la[0] = la[1] = la[2] = -1;
	printf("  load average (%s): %.2f %.2f %.2f\n", when, la[0], la[1], la[2]);
	if (strcmp(when, "before") != 0)
		return;
	if ((f = fopen("/proc/cpuinfo", "r")) != NULL) {
		bool model = false, flags = false;
		while (fgets(line, sizeof(line), f) != NULL && !(model && flags)) {
			if (!model && strncmp(line, "model name", 10) == 0) {
				printf("  cpu: %s", strchr(line, ':') + 2);
				model = true;
			} else if (!flags && strncmp(line, "flags", 5) == 0) {
				printf("  cpu flags: %.400s%s", strchr(line, ':') + 2,
				    strlen(line) > 400 ? "...\n" : "");
				flags = true;
			}
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

int
main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : getenv("EGATE_HOST_BIN");
	int n = argc > 2 ? atoi(argv[2]) : 500, rounds = argc > 3 ? atoi(argv[3]) : 5;
	static struct kiosk ks[KIOSKS_MAX];
	int64_t same[32], after[32], restart[32], first;
	int res_same[32], res_after[32];
	unsigned rt_same[32], rt_after[32];
	struct rlimit rl;
	int res0;
	unsigned rt0;
	bool met;

	if (bin == NULL || n < 1 || n > KIOSKS_MAX || rounds < 1 || rounds > 32)
		fail("usage: bench-reconnect EGATE_HOST_BINARY [kiosks <= 2000] [rounds <= 32]");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	printf("bench_reconnect: %d kiosks, %d rounds (mTLS on loopback)\n", n, rounds);
	print_machine("before");
	fflush(stdout);
	hostfx_init(&fx, bin);
	{
		char cmd[800];
		snprintf(cmd, sizeof(cmd), "sed -i 's/^log_level = info/log_level = notice/; "
		    "s/^max_kiosks = .*/max_kiosks = %d/' '%s'", n + 100, fx.conf);
		if (system(cmd) != 0)
			fail("sed");
	}
	for (int i = 0; i < n; i++) {
		char name[16], cn[16], err[200], crt[400], key[400];

		snprintf(name, sizeof(name), "r%04d", i + 1);
		snprintf(cn, sizeof(cn), "K%04d", i + 1);
		hostfx_issue(&fx, name, cn, "kiosk", 30, 0);
		snprintf(crt, sizeof(crt), "%s/%s.crt", fx.dir, name);
		snprintf(key, sizeof(key), "%s/%s.key", fx.dir, name);
		if (eg_tls_conf_new(&ks[i].conf, EG_TLS_CLIENT, hostfx_path(&fx, "ca/ca.crt"), NULL,
		    crt, key, err, sizeof(err)) != EG_OK)
			fail(err);
		eg_wbuf_init(&ks[i].out, 1u << 16, false);
		ks[i].fd = -1;
		ks[i].rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1);
	}
	hostfx_start(&fx);
	/* full handshakes in waves of 32 (not measured: it only saves sessions) */
	first = reconnect_all(ks, n, 32, 30 * 60000, &res0, &rt0);
	printf("  first connect (full handshakes, 32 at a time): %lld ms, %d resumed, %u retries\n",
	    (long long)first, res0, rt0);
	for (int r = 0; r < rounds; r++) {
		int64_t t;

		drop_all(ks, n);
		same[r] = reconnect_all(ks, n, 0, ROUND_DEADLINE_MS, &res_same[r], &rt_same[r]);
		drop_all(ks, n);
		t = hostfx_ms();
		if (hostfx_stop(&fx) != 0)
			fail("egate-host did not stop cleanly");
		hostfx_start(&fx);
		restart[r] = hostfx_ms() - t;
		after[r] = reconnect_all(ks, n, 0, ROUND_DEADLINE_MS, &res_after[r], &rt_after[r]);
		printf("  round %d: same process %5lld ms (%d resumed, %u retries) | after restart "
		    "%5lld ms (%d resumed, %u retries; the restart itself %lld ms)\n", r + 1,
		    (long long)same[r], res_same[r], rt_same[r], (long long)after[r], res_after[r],
		    rt_after[r], (long long)restart[r]);
		fflush(stdout);
	}
	drop_all(ks, n);
	if (hostfx_stop(&fx) != 0)
		fail("egate-host did not stop cleanly");
	{
		int64_t s[32], a[32], rs[32];
		memcpy(s, same, sizeof(s));
		memcpy(a, after, sizeof(a));
		memcpy(rs, restart, sizeof(rs));
		qsort(s, (size_t)rounds, sizeof(s[0]), cmp_i64);
		qsort(a, (size_t)rounds, sizeof(a[0]), cmp_i64);
		qsort(rs, (size_t)rounds, sizeof(rs[0]), cmp_i64);
		printf("  same process:  median %lld ms (min %lld, max %lld)\n", (long long)s[rounds / 2],
		    (long long)s[0], (long long)s[rounds - 1]);
		printf("  after restart: median %lld ms (min %lld, max %lld); restart itself median %lld ms\n",
		    (long long)a[rounds / 2], (long long)a[0], (long long)a[rounds - 1],
		    (long long)rs[rounds / 2]);
		printf("  ratio after restart / same process (medians): %.2f\n",
		    (double)a[rounds / 2] / (double)(s[rounds / 2] > 0 ? s[rounds / 2] : 1));
		met = a[rounds / 2] <= 2000;
		printf("  target (500 kiosks back within 2 s of a restart): %s\n", met ? "met" : "MISSED");
	}
	print_machine("after");
	for (int i = 0; i < n; i++) {
		k_drop(&ks[i]);
		eg_tls_conf_free(&ks[i].conf);
		eg_wbuf_free(&ks[i].out);
	}
	hostfx_cleanup(&fx);
	return 0;
}
