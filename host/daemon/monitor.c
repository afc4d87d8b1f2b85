/* SPDX-License-Identifier: Apache-2.0 */
/*
 * monitor.c — the privileged half of egate-host. It holds the audit store
 * and its keys, never parses network input, and answers only the requests of
 * privsep.h from the network child it started. docs/host.md.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "confpush.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "host.h"
#include "pki.h"
#include "privsep.h"
#include "tickets.h"

struct monitor {
	const char *conf_path;
	const struct eg_host_conf *conf;
	struct eg_log *lg;
	struct audit_db *db;
	int lfd;		/* listening socket, handed to each child */
	int sfd;		/* signalfd */
	int ps;			/* our end of the current child's socketpair, -1 if none */
	pid_t child;		/* 0 if none */
	bool stopping;
	int64_t deaths[HOST_CHILD_RESTART_MAX];
	size_t ndeaths;
	int64_t restart_at;	/* monotonic ms; 0: no restart pending */
	uint64_t unsealed;	/* records stored since the last checkpoint */
	int64_t last_cp;	/* monotonic ms of the last checkpoint attempt */
	int64_t last_purge;	/* monotonic ms of the last retention purge */
	uint8_t *req;		/* request buffer, PS_MSG_MAX bytes */
	uint8_t *pkt;		/* one packet, PS_FRAG_MAX + 1 bytes */
	struct ps_reasm in;	/* the request being reassembled into req */
	struct ps_batch *batch;
	char anchor_path[EG_CONF_PATH + 16];
	struct confpush_mon cfg;	/* the policy bundle served to the child */
	struct tickets tickets;	/* session-ticket keys (tickets.h) */
	int64_t tickets_checked;	/* monotonic ms of the last rotation check */
	bool child_config_error;	/* the child could not start with the TLS files */
};

void
host_log_setup(struct eg_log *lg, const char *component, const struct eg_host_conf *c)
{
	static const enum eg_log_level map[] = { EG_LOG_DEBUG, EG_LOG_INFO, EG_LOG_NOTICE,
		EG_LOG_WARN, EG_LOG_ERROR };

	eg_log_init(lg, component);
	if (c != NULL && c->log_level >= 0 && c->log_level < 5)
		lg->min_level = map[c->log_level];
}

int64_t
host_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
host_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- start-up --------------------------------------------------------------- */

static int
open_store(struct monitor *m)
{
	const struct eg_host_conf *c = m->conf;
	char *pem = NULL;
	size_t pemlen = 0, keylen = 0;
	uint8_t *key = NULL;
	struct audit_keys k;
	int rc;

	if ((rc = audit_pem_load(c->signing_key, true, &pem, &pemlen)) != EG_OK) {
		EG_LOG(m->lg, EG_LOG_ERROR, "monitor.key_failed", EG_STR("path", c->signing_key),
		    EG_ERRF(rc));
		goto out;
	}
	if ((rc = audit_hmac_key_load(c->hmac_key, &key, &keylen)) != EG_OK) {
		EG_LOG(m->lg, EG_LOG_ERROR, "monitor.key_failed", EG_STR("path", c->hmac_key),
		    EG_ERRF(rc));
		goto out;
	}
	k = (struct audit_keys){ .sign_key_pem = pem, .hmac_key = key, .hmac_key_len = keylen };
	if ((rc = audit_open(c->db, &k, &m->db)) != EG_OK) {
		EG_LOG(m->lg, EG_LOG_ERROR, "monitor.db_failed", EG_STR("path", c->db), EG_ERRF(rc));
		goto out;
	}
	snprintf(m->anchor_path, sizeof(m->anchor_path), "%s.anchor", c->db);
	EG_LOG(m->lg, EG_LOG_INFO, "monitor.db_open", EG_STR("path", c->db));
	{
		char tpath[EG_CONF_PATH + 16];
		const char *why = NULL;
		bool loaded = false;

		snprintf(tpath, sizeof(tpath), "%s.tickets", c->db);
		if ((rc = tickets_open(&m->tickets, tpath, key, keylen, &loaded, &why)) != EG_OK) {
			EG_LOG(m->lg, EG_LOG_ERROR, "monitor.tickets_failed", EG_STR("path", tpath),
			    EG_ERRF(rc));
			goto out;
		}
		EG_LOG(m->lg, why != NULL ? EG_LOG_WARN : EG_LOG_INFO, "monitor.ticket_keys",
		    EG_STR("path", tpath), EG_BOOL("loaded", loaded), EG_UINT("keys", m->tickets.n),
		    EG_STR("reason", why != NULL ? why : (loaded ? "kept across the restart" : "new")));
	}
out:
	eg_secret_free(&pem, pemlen + 1);
	eg_secret_free(&key, keylen);
	return rc;
}

static int
bind_listener(struct monitor *m)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV }, *res = NULL;
	char port[8];
	int one = 1, rc = EG_ERR_IO, bound = -1;

	snprintf(port, sizeof(port), "%lld", m->conf->port);
	if (getaddrinfo(m->conf->listen, port, &hints, &res) != 0 || res == NULL) {
		EG_LOG(m->lg, EG_LOG_ERROR, "monitor.listen_failed", EG_STR("listen", m->conf->listen),
		    EG_STR("reason", "not a numeric IPv4 or IPv6 address"));
		return EG_ERR_CONFIG;
	}
	m->lfd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->lfd < 0)
		goto out;
	setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* After a kill -9 of the monitor, its network child holds the listening
	 * socket until PDEATHSIG has ended it; a restart right away (systemd,
	 * an operator) must wait for that rather than fail: retry for 10 s. */
	for (int tries = 0; (bound = bind(m->lfd, res->ai_addr, res->ai_addrlen)) != 0 &&
	    errno == EADDRINUSE && tries < 100; tries++) {
		struct timespec pause = { 0, 100 * 1000 * 1000 };

		if (tries == 0)
			EG_LOG(m->lg, EG_LOG_WARN, "monitor.listen_busy", EG_INT("port", m->conf->port),
			    EG_STR("action", "retrying for up to 10 s (a previous instance still exiting?)"));
		nanosleep(&pause, NULL);
	}
	if (bound != 0 || listen(m->lfd, 512) != 0) {
		EG_LOG(m->lg, EG_LOG_ERROR, "monitor.listen_failed", EG_STR("listen", m->conf->listen),
		    EG_INT("port", m->conf->port), EG_STR("reason", strerror(errno)));
		goto out;
	}
	EG_LOG(m->lg, EG_LOG_NOTICE, "monitor.listening", EG_STR("listen", m->conf->listen),
	    EG_INT("port", m->conf->port));
	rc = EG_OK;
out:
	freeaddrinfo(res);
	return rc;
}

/* Fork and re-exec the network child: a fresh address space that never saw
 * the keys or the database (OpenSSH's re-exec). */
static int
spawn_child(struct monitor *m)
{
	int sp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0)
		return EG_ERR_IO;
	pid = fork();
	if (pid < 0) {
		close(sp[0]);
		close(sp[1]);
		return EG_ERR_IO;
	}
	if (pid == 0) {
		char psfd[16], lfd[16], cpath[EG_CONF_PATH + 1], name[] = "egate-host",
		    arg[] = HOST_CHILD_ARG;
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fcntl(sp[1], F_SETFD, 0);
		fcntl(m->lfd, F_SETFD, 0);
		snprintf(psfd, sizeof(psfd), "%d", sp[1]);
		snprintf(lfd, sizeof(lfd), "%d", m->lfd);
		snprintf(cpath, sizeof(cpath), "%s", m->conf_path);
		char *argv[] = { name, arg, cpath, psfd, lfd, NULL };
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(sp[1]);
	m->ps = sp[0];
	ps_reasm_init(&m->in, m->req, PS_MSG_MAX);
	m->child = pid;
	EG_LOG(m->lg, EG_LOG_INFO, "monitor.child_started", EG_INT("pid", pid));
	return EG_OK;
}

/* ---- checkpoints -------------------------------------------------------------- */

static void
export_anchor(struct monitor *m)
{
	char text[AUDIT_ANCHOR_TEXT_MAX], tmp[sizeof(m->anchor_path) + 8];
	int fd, rc;
	size_t n;

	if ((rc = audit_checkpoint_latest(m->db, text, sizeof(text))) != EG_OK)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", m->anchor_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
		close(fd);
		goto fail;
	}
	close(fd);
	if (rename(tmp, m->anchor_path) != 0)
		goto fail;
	return;
fail:
	EG_LOG(m->lg, EG_LOG_WARN, "monitor.anchor_failed", EG_STR("path", m->anchor_path),
	    EG_STR("reason", strerror(errno)));
}

static void
checkpoint(struct monitor *m, const char *why)
{
	bool made = false;
	int rc = audit_checkpoint(m->db, &made);

	m->last_cp = host_now_ms();
	if (rc != EG_OK) {
		EG_LOG(m->lg, EG_LOG_ERROR, "audit.checkpoint_failed", EG_ERRF(rc));
		return;
	}
	if (made) {
		EG_LOG(m->lg, EG_LOG_INFO, "audit.checkpoint", EG_STR("why", why),
		    EG_UINT("new_records", m->unsealed));
		export_anchor(m);
	}
	m->unsealed = 0;
}

/* Retention: purge payloads and identifier HMACs of records older than
 * retention_days (audit_purge keeps the chain verifiable), then seal. */
static void
purge(struct monitor *m)
{
	uint64_t n = 0;
	int64_t before = host_wall_ms() - m->conf->retention_days * 86400000LL;
	int rc = audit_purge(m->db, before, &n);

	m->last_purge = host_now_ms();
	if (rc != EG_OK) {
		EG_LOG(m->lg, EG_LOG_ERROR, "audit.purge_failed", EG_ERRF(rc));
		return;
	}
	if (n > 0) {
		EG_LOG(m->lg, EG_LOG_NOTICE, "audit.purged", EG_UINT("records", n),
		    EG_INT("retention_days", m->conf->retention_days));
		m->unsealed++;
		checkpoint(m, "purge");
	}
}

/* ---- requests ------------------------------------------------------------------ */

static int
answer(struct monitor *m, const struct eg_wbuf *w)
{
	return ps_msg_send(m->ps, w->data, w->len) == EG_OK ? EG_OK : EG_ERR_IO;
}

static void
resp_head(struct eg_wbuf *w, uint8_t type, int rc)
{
	eg_wbuf_u8(w, type);
	eg_wbuf_be32(w, (uint32_t)rc);
}

static int
do_append(struct monitor *m, const uint8_t *body, size_t len)
{
	enum audit_result res[PS_BATCH_MAX];
	uint8_t store[16 + PS_BATCH_MAX];
	struct eg_wbuf w;
	int rc;

	eg_wbuf_init_fixed(&w, store, sizeof(store), false);
	if ((rc = ps_batch_decode(body, len, m->batch)) != EG_OK)
		return rc;
	rc = audit_append_batch(m->db, m->batch->recs, m->batch->n, res);
	resp_head(&w, PS_APPEND_BATCH, rc);
	eg_wbuf_be16(&w, (uint16_t)m->batch->n);
	for (size_t i = 0; i < m->batch->n; i++) {
		eg_wbuf_u8(&w, rc == EG_OK ? (uint8_t)res[i] : (uint8_t)AUDIT_INVALID);
		if (rc == EG_OK && res[i] == AUDIT_STORED)
			m->unsealed++;
	}
	if (rc != EG_OK)
		EG_LOG(m->lg, EG_LOG_ERROR, "audit.append_failed", EG_UINT("records", m->batch->n),
		    EG_ERRF(rc));
	ps_batch_clear(m->batch);
	return answer(m, &w);
}

struct payload_found {
	struct eg_wbuf *w;
	bool found;
};

static int
payload_row(void *arg, const struct audit_row *row)
{
	struct payload_found *pf = arg;

	if (pf->found || row->payload == NULL || row->purged)
		return 0;
	pf->found = true;
	return ps_put_str(pf->w, row->payload) == EG_OK ? 0 : EG_ERR_OVERFLOW;
}

/* The explanation of one stored passage (the console's queue after a
 * restart); a passage not stored, or purged, has none. */
static int
do_payload(struct monitor *m, const uint8_t *body, size_t len)
{
	char kiosk[AUDIT_KIOSK_ID_MAX + 1];
	struct audit_filter f;
	struct payload_found pf;
	struct eg_wbuf w;
	uint64_t seq;
	int rc;

	if ((rc = ps_payload_decode(body, len, kiosk, &seq)) != EG_OK)
		return rc;
	memset(&f, 0, sizeof(f));
	f.kiosk_id = kiosk;
	f.seq = seq;
	f.type = "passage";
	f.limit = 1;
	eg_wbuf_init(&w, 64 + AUDIT_PAYLOAD_MAX, false);
	resp_head(&w, PS_PAYLOAD, EG_OK);
	pf.w = &w;
	pf.found = false;
	rc = audit_query(m->db, &f, payload_row, &pf);
	if (rc == EG_OK && !pf.found)
		rc = ps_put_str(&w, NULL);
	if (rc != EG_OK) {	/* answer the failure, keep the child */
		eg_wbuf_reset(&w);
		resp_head(&w, PS_PAYLOAD, rc);
		ps_put_str(&w, NULL);
	}
	rc = answer(m, &w);
	eg_wbuf_free(&w);
	return rc;
}

static int
do_last_seq(struct monitor *m, const uint8_t *body, size_t len)
{
	char kiosk[AUDIT_KIOSK_ID_MAX + 1];
	uint8_t store[32];
	struct eg_wbuf w;
	uint64_t seq = 0;
	int rc;

	eg_wbuf_init_fixed(&w, store, sizeof(store), false);
	if ((rc = ps_kiosk_decode(body, len, kiosk)) != EG_OK)
		return rc;
	rc = audit_last_seq(m->db, kiosk, &seq);
	resp_head(&w, PS_LAST_SEQ, rc);
	ps_put_u64(&w, seq);
	return answer(m, &w);
}

static int
do_officer(struct monitor *m, const uint8_t *body, size_t len)
{
	struct audit_record rec;
	enum audit_result res = AUDIT_INVALID;
	uint8_t store[16];
	struct eg_wbuf w;
	char *arena;
	int rc;

	if ((arena = malloc(len + 8)) == NULL)
		return EG_ERR_NOMEM;
	eg_wbuf_init_fixed(&w, store, sizeof(store), false);
	if ((rc = ps_officer_decode(body, len, arena, len + 8, &rec)) != EG_OK)
		goto out;
	rc = audit_append_batch(m->db, &rec, 1, &res);
	if (rc == EG_OK && res != AUDIT_STORED)
		rc = EG_ERR_DB;
	if (rc == EG_OK)
		m->unsealed++;
	EG_LOG(m->lg, rc == EG_OK ? EG_LOG_NOTICE : EG_LOG_ERROR, "audit.officer",
	    EG_STR("type", rec.type), EG_STR("officer", rec.officer), EG_STR("action", rec.decision),
	    EG_ERRF(rc));
	resp_head(&w, PS_OFFICER, rc);
	rc = answer(m, &w);
out:
	free(arena);
	return rc;
}

static int
do_config_get(struct monitor *m, const uint8_t *body, size_t len)
{
	struct eg_wbuf w;
	int rc;

	eg_wbuf_init(&w, PS_CONFIG_CHUNK + 64, false);
	resp_head(&w, PS_CONFIG_GET, EG_OK);
	if ((rc = confpush_mon_answer(&m->cfg, body, len, &w)) == EG_OK)
		rc = answer(m, &w);
	eg_wbuf_free(&w);
	return rc;
}

/* Rotate the session-ticket keys when due (the child fetches them). */
static void
tickets_tick(struct monitor *m)
{
	bool changed = false;
	int rc;

	m->tickets_checked = host_now_ms();
	rc = tickets_rotate(&m->tickets, host_wall_ms() / 1000, &changed);
	if (rc != EG_OK)
		EG_LOG(m->lg, EG_LOG_ERROR, "monitor.ticket_keys_not_saved", EG_STR("path", m->tickets.path),
		    EG_ERRF(rc), EG_STR("effect", "tickets issued now will not resume after a restart"));
	else if (changed)
		EG_LOG(m->lg, EG_LOG_NOTICE, "monitor.ticket_keys_rotated", EG_UINT("keys", m->tickets.n));
}

static int
do_ticket_keys(struct monitor *m, size_t len)
{
	uint8_t store[64 + EG_TLS_TICKET_KEYS_MAX * (EG_TLS_TICKET_NAME_LEN + 40)];
	struct eg_wbuf w;
	int rc;

	if (len != 0)
		return EG_ERR_FORMAT;
	if (m->tickets.n == 0)
		tickets_tick(m);
	eg_wbuf_init_fixed(&w, store, sizeof(store), false);
	resp_head(&w, PS_TICKET_KEYS, m->tickets.n > 0 ? EG_OK : EG_ERR_CRYPTO);
	if ((rc = tickets_put(&m->tickets, &w)) == EG_OK)
		rc = answer(m, &w);
	eg_memzero(store, sizeof(store));
	return rc;
}

struct officer_find {
	char prefix[96 + AUDIT_KIOSK_ID_MAX];
	bool found;
};

static int
officer_row(void *arg, const struct audit_row *row)
{
	struct officer_find *of = arg;

	/* console.c writes {"command_id":N,"kiosk":"K",...}; ids are plain */
	if (row->payload != NULL && strncmp(row->payload, of->prefix, strlen(of->prefix)) == 0)
		of->found = true;
	return 0;
}

/* Was this officer's command N to this kiosk logged? (PS_OFFICER_CHECK) */
static int
do_officer_check(struct monitor *m, const uint8_t *body, size_t len)
{
	char kiosk[AUDIT_KIOSK_ID_MAX + 1], officer[AUDIT_SHORT_MAX + 1];
	struct officer_find of = { .found = false };
	struct audit_filter f;
	uint8_t store[16];
	struct eg_wbuf w;
	uint64_t id;
	int rc;

	if ((rc = ps_officer_check_decode(body, len, kiosk, officer, &id)) != EG_OK)
		return rc;
	snprintf(of.prefix, sizeof(of.prefix), "{\"command_id\":%llu,\"kiosk\":\"%s\",",
	    (unsigned long long)id, kiosk);
	memset(&f, 0, sizeof(f));
	f.kiosk_id = AUDIT_HOST_ID;
	f.type = "officer";
	f.officer = officer;
	rc = audit_query(m->db, &f, officer_row, &of);
	eg_wbuf_init_fixed(&w, store, sizeof(store), false);
	resp_head(&w, PS_OFFICER_CHECK, rc);
	eg_wbuf_u8(&w, rc == EG_OK && of.found ? 1 : 0);
	return answer(m, &w);
}

/* One packet from the child; a request is handled once all its fragments
 * are in (privsep.h, "Transport"). A malformed or unknown request means the
 * child is broken or compromised: it is killed (and restarted). */
static void
handle_request(struct monitor *m)
{
	size_t n = 0;
	int rc = EG_ERR_PROTOCOL;

	while (!m->in.done) {
		ssize_t got = recv(m->ps, m->pkt, PS_FRAG_MAX + 1, MSG_TRUNC | MSG_DONTWAIT);

		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			return;		/* the rest comes later */
		if (got <= 0) {
			close(m->ps);	/* child gone; SIGCHLD tells how */
			m->ps = -1;
			return;
		}
		if ((size_t)got > PS_FRAG_MAX + 1) {
			rc = EG_ERR_OVERFLOW;
			goto bad;
		}
		if ((rc = ps_reasm_feed(&m->in, m->pkt, (size_t)got)) != EG_OK)
			goto bad;
	}
	n = m->in.len;
	m->in.done = false;
	m->in.len = 0;
	switch (m->req[0]) {
	case PS_APPEND_BATCH:
		rc = do_append(m, m->req + 1, (size_t)n - 1);
		break;
	case PS_LAST_SEQ:
		rc = do_last_seq(m, m->req + 1, (size_t)n - 1);
		break;
	case PS_OFFICER:
		rc = do_officer(m, m->req + 1, (size_t)n - 1);
		break;
	case PS_PAYLOAD:
		rc = do_payload(m, m->req + 1, (size_t)n - 1);
		break;
	case PS_CONFIG_GET:
		rc = do_config_get(m, m->req + 1, (size_t)n - 1);
		break;
	case PS_TICKET_KEYS:
		rc = do_ticket_keys(m, (size_t)n - 1);
		break;
	case PS_OFFICER_CHECK:
		rc = do_officer_check(m, m->req + 1, (size_t)n - 1);
		break;
	default:
		rc = EG_ERR_PROTOCOL;
		break;
	}
	eg_memzero(m->req, n);	/* identifiers travel in clear */
	eg_memzero(m->pkt, PS_FRAG_MAX + 1);
	if (rc == EG_OK)
		return;
bad:
	EG_LOG(m->lg, EG_LOG_ERROR, "monitor.bad_request", EG_INT("type", n > 0 ? m->req[0] : -1),
	    EG_UINT("len", n), EG_ERRF(rc), EG_STR("action", "killing the network child"));
	ps_reasm_init(&m->in, m->req, PS_MSG_MAX);
	if (m->child > 0)
		kill(m->child, SIGKILL);
	close(m->ps);
	m->ps = -1;
}

/* ---- signals and the child's life ------------------------------------------------ */

static void
reap(struct monitor *m)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != m->child)
			continue;
		m->child = 0;
		if (m->ps >= 0) {
			/* answer what is still queued? no: the child is gone */
			close(m->ps);
			m->ps = -1;
		}
		if (m->stopping) {
			EG_LOG(m->lg, EG_LOG_INFO, "monitor.child_stopped",
			    EG_INT("status", WIFEXITED(status) ? WEXITSTATUS(status) : -1));
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == HOST_CHILD_EXIT_CONFIG) {
			/* it logged why (net.tls_conf_failed); a restart would fail alike */
			EG_LOG(m->lg, EG_LOG_ERROR, "monitor.child_config_error", EG_INT("pid", pid),
			    EG_STR("effect", "stopping: fix the [tls] files named in net.tls_conf_failed"));
			m->child_config_error = true;
			m->stopping = true;
			continue;
		}
		EG_LOG(m->lg, EG_LOG_ERROR, "monitor.child_died", EG_INT("pid", pid),
		    EG_INT("exit", WIFEXITED(status) ? WEXITSTATUS(status) : -1),
		    EG_INT("signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0));
		int64_t now = host_now_ms();
		if (m->ndeaths == HOST_CHILD_RESTART_MAX) {
			memmove(m->deaths, m->deaths + 1, sizeof(m->deaths[0]) * (HOST_CHILD_RESTART_MAX - 1));
			m->ndeaths--;
		}
		m->deaths[m->ndeaths++] = now;
		m->restart_at = now + 1000;
	}
}

/* Warn before the CA certificate, the host certificate or the CRL runs out
 * (host/pki: pki.expiring / pki.expired). At start and on SIGHUP. */
static void
log_expiry(const struct monitor *m)
{
	const char *const files[] = { m->conf->ca, m->conf->cert, m->conf->crl };

	(void)pki_log_expiry(m->lg, files, 3, PKI_WARN_DAYS, PKI_CRL_WARN_DAYS, time(NULL));
}

static bool
too_many_deaths(const struct monitor *m)
{
	return m->ndeaths == HOST_CHILD_RESTART_MAX &&
	    m->deaths[HOST_CHILD_RESTART_MAX - 1] - m->deaths[0] < HOST_CHILD_RESTART_WINDOW_S * 1000;
}

static void
on_signal(struct monitor *m)
{
	struct signalfd_siginfo si;

	while (read(m->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (!m->stopping)
				EG_LOG(m->lg, EG_LOG_NOTICE, "monitor.stopping",
				    EG_STR("signal", si.ssi_signo == SIGTERM ? "TERM" : "INT"));
			m->stopping = true;
			if (m->child > 0)
				kill(m->child, SIGTERM);
			break;
		case SIGHUP:
			EG_LOG(m->lg, EG_LOG_INFO, "monitor.reload", EG_STR("what",
			    m->conf->policy_file[0] ? "crl, policy bundle" : "crl"));
			/* logged in the audit store before the child (told
			 * next) can push it to any kiosk */
			if (m->conf->policy_file[0] != '\0')
				(void)confpush_mon_load(&m->cfg, m->conf->policy_file, m->db, m->lg);
			log_expiry(m);
			if (m->child > 0)
				kill(m->child, SIGHUP);
			break;
		case SIGCHLD:
			reap(m);
			break;
		default:
			break;
		}
	}
}

int
monitor_run(const char *conf_path, const struct eg_host_conf *c, struct eg_log *lg)
{
	struct monitor m = { .conf_path = conf_path, .conf = c, .lg = lg, .lfd = -1, .sfd = -1,
		.ps = -1 };
	sigset_t set;
	int status = 1;
	int64_t kill_at = 0;

	prctl(PR_SET_DUMPABLE, 0);	/* the child (same uid) cannot ptrace us */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	m.sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	m.req = malloc(PS_MSG_MAX);
	m.pkt = malloc(PS_FRAG_MAX + 1);
	m.batch = malloc(sizeof(*m.batch));
	if (m.sfd < 0 || m.req == NULL || m.pkt == NULL || m.batch == NULL)
		goto out;
	m.batch->arena = NULL;
	if (open_store(&m) != EG_OK)
		goto out;
	log_expiry(&m);
	if (c->policy_file[0] != '\0' &&
	    confpush_mon_load(&m.cfg, c->policy_file, m.db, lg) != EG_OK)
		goto out;	/* a bad bundle at start: refuse to run (logged) */
	tickets_tick(&m);	/* before the child asks for them */
	if (bind_listener(&m) != EG_OK || spawn_child(&m) != EG_OK)
		goto out;
	checkpoint(&m, "startup");	/* seal what a crash left unsealed */
	purge(&m);

	for (;;) {
		struct pollfd pf[2] = { { .fd = m.sfd, .events = POLLIN }, { .fd = m.ps, .events = POLLIN } };
		int64_t now = host_now_ms(), wait = 1000;

		if (m.stopping && m.child == 0) {
			if (m.child_config_error) {
				status = 1;
				goto out_cp;
			}
			break;
		}
		if (m.stopping && m.child > 0) {
			if (kill_at == 0)
				kill_at = now + 30000;
			else if (now >= kill_at) {
				EG_LOG(lg, EG_LOG_ERROR, "monitor.child_kill", EG_STR("reason", "did not stop in 30 s"));
				kill(m.child, SIGKILL);
				kill_at = now + 60000;
			}
		}
		if (!m.stopping && m.child == 0 && m.restart_at != 0 && now >= m.restart_at) {
			if (too_many_deaths(&m)) {
				EG_LOG(lg, EG_LOG_ERROR, "monitor.giving_up", EG_INT("deaths", HOST_CHILD_RESTART_MAX),
				    EG_INT("window_s", HOST_CHILD_RESTART_WINDOW_S));
				status = 1;
				goto out_cp;
			}
			m.restart_at = 0;
			if (spawn_child(&m) != EG_OK)
				m.restart_at = now + 1000;
		}
		if (m.unsealed > 0 && now - m.last_cp >= c->checkpoint_interval * 1000)
			checkpoint(&m, "interval");
		if (now - m.last_purge >= HOST_PURGE_INTERVAL_S * 1000)
			purge(&m);
		if (now - m.tickets_checked >= 60000)
			tickets_tick(&m);
		if (poll(pf, m.ps >= 0 ? 2 : 1, (int)wait) < 0 && errno != EINTR)
			goto out;
		if (pf[0].revents & POLLIN)
			on_signal(&m);
		if (m.ps >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)))
			handle_request(&m);
	}
	status = 0;
out_cp:
	checkpoint(&m, "shutdown");
	EG_LOG(lg, EG_LOG_NOTICE, "monitor.stopped", EG_INT("status", status));
out:
	if (m.child > 0) {
		kill(m.child, SIGKILL);
		waitpid(m.child, NULL, 0);
	}
	audit_close(&m.db);
	if (m.ps >= 0)
		close(m.ps);
	if (m.lfd >= 0)
		close(m.lfd);
	if (m.sfd >= 0)
		close(m.sfd);
	free(m.req);
	free(m.pkt);
	free(m.batch);
	confpush_mon_clear(&m.cfg);
	tickets_clear(&m.tickets);
	return status;
}
