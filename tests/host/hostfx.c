/* SPDX-License-Identifier: Apache-2.0 */
/* hostfx.c — see hostfx.h. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>

#include "audit.h"
#include "egate/error.h"
#include "eg_netns.h"
#include "hostfx.h"
#include "pki.h"
#include "sim_tmpdir.h"

static void
die(const char *what, int rc)
{
	fprintf(stderr, "hostfx: %s failed (%d %s)\n", what, rc, eg_err_name(rc));
	abort();
}

#define OK(x) do { int rc_ = (x); if (rc_ != EG_OK) die(#x, rc_); } while (0)

int64_t
hostfx_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
hostfx_path(const struct hostfx *f, const char *name)
{
	static char buf[16][400];
	static int slot;

	slot = (slot + 1) % 16;
	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", f->dir, name);
	return buf[slot];
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	size_t n = strlen(text);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		die(path, EG_ERR_IO);
	close(fd);
	chmod(path, mode);
}

void
hostfx_issue(struct hostfx *f, const char *name, const char *cn, const char *role, int days, int back)
{
	struct pki_ca *ca = NULL;
	enum pki_role r;
	char k[400], csr[400], crt[400], n[64];

	OK(pki_role_parse(role, &r));
	snprintf(k, sizeof(k), "%s/%s.key", f->dir, name);
	snprintf(csr, sizeof(csr), "%s/%s.csr", f->dir, name);
	snprintf(crt, sizeof(crt), "%s/%s.crt", f->dir, name);
	snprintf(n, sizeof(n), "%s", strncmp(name, "rogue", 5) == 0 ? "other" : "ca");
	OK(pki_ca_open(hostfx_path(f, n), &ca));
	OK(pki_key_create(k));
	OK(pki_csr_create(k, cn, r, csr));
	OK(pki_ca_sign(ca, csr, r, days, back, crt));
	pki_ca_free(&ca);
}

void
hostfx_revoke(struct hostfx *f, const char *name)
{
	struct pki_ca *ca = NULL;
	char crt[400];

	snprintf(crt, sizeof(crt), "%s/%s.crt", f->dir, name);
	OK(pki_ca_open(hostfx_path(f, "ca"), &ca));
	OK(pki_ca_revoke(ca, crt));
	pki_ca_free(&ca);
}

int
hostfx_port2(const struct hostfx *f)
{
	return f->netns ? f->port + 1 : eg_netns_port((unsigned)f->port);
}

bool
hostfx_wait_listen(int port, int ms)
{
	int64_t end = hostfx_ms() + ms;

	for (;;) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

		if (fd >= 0)
			close(fd);
		if (ok)
			return true;
		if (hostfx_ms() >= end)
			return false;
		usleep(20000);
	}
}

static void
audit_keys(struct hostfx *f)
{
	mbedtls_pk_context pk;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	char priv[1024], pub[512], hex[65];
	uint8_t key[32];

	mbedtls_pk_init(&pk);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0 ||
	    mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
	    mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random,
	    &drbg) != 0 ||
	    mbedtls_pk_write_key_pem(&pk, (uint8_t *)priv, sizeof(priv)) != 0 ||
	    mbedtls_pk_write_pubkey_pem(&pk, (uint8_t *)pub, sizeof(pub)) != 0 ||
	    mbedtls_ctr_drbg_random(&drbg, key, sizeof(key)) != 0)
		die("audit keys", EG_ERR_CRYPTO);
	mbedtls_pk_free(&pk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	write_file(hostfx_path(f, "checkpoint.key"), priv, 0600);
	write_file(f->pub, pub, 0644);
	write_file(hostfx_path(f, "identifier.hmac"), hex, 0600);
}

/*
 * Certificates: host (CN egate-host), kiosks k01..k04 (CN K01..K04),
 * officer, expired (K05, expired), revoked (K06, revoked at creation),
 * rogue (K01 from another CA), roguehost (egate-host from another CA).
 */
void
hostfx_init(struct hostfx *f, const char *bin)
{
	char conf[4096];
	int ret;

	memset(f, 0, sizeof(*f));
	signal(SIGPIPE, SIG_IGN);
	ret = sim_tmpdir_make(f->dir, sizeof(f->dir), "egate-host");
	if (ret != EG_OK)
		die("folder under $TMPDIR", ret);
	snprintf(f->bin, sizeof(f->bin), "%s", bin);
	snprintf(f->conf, sizeof(f->conf), "%s/host.conf", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/host.log", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/db/audit.db", f->dir);
	snprintf(f->pub, sizeof(f->pub), "%s/checkpoint.pub", f->dir);
	mkdir(hostfx_path(f, "db"), 0700);
	OK(pki_ca_create(hostfx_path(f, "ca"), "Deployment CA", 365));
	OK(pki_ca_create(hostfx_path(f, "other"), "Rogue CA", 365));
	hostfx_issue(f, "host", "egate-host", "host", 30, 0);
	hostfx_issue(f, "k01", "K01", "kiosk", 30, 0);
	hostfx_issue(f, "k02", "K02", "kiosk", 30, 0);
	hostfx_issue(f, "k03", "K03", "kiosk", 30, 0);
	hostfx_issue(f, "officer", "officer.kim", "officer", 30, 0);
	hostfx_issue(f, "expired", "K05", "kiosk", -1, 10);
	hostfx_issue(f, "revoked", "K06", "kiosk", 30, 0);
	hostfx_revoke(f, "revoked");
	hostfx_issue(f, "rogue", "K01", "kiosk", 30, 0);
	hostfx_issue(f, "roguehost", "egate-host", "host", 30, 0);
	audit_keys(f);
	/* ports: a namespace of our own, else one outside the ephemeral range
	 * (never reused by the kernel across the host's restarts) */
	f->netns = eg_netns_private() == 0;
	f->port = f->netns ? 7443 : eg_netns_port(0);
	if (f->port == 0)
		die("no port outside the ephemeral range", EG_ERR_IO);
	snprintf(conf, sizeof(conf),
	    "[host]\nlisten = 127.0.0.1\nport = %d\nlog_level = info\nmax_kiosks = 1000\n"
	    "[tls]\nca = %s/ca/ca.crt\ncert = %s/host.crt\nkey = %s/host.key\ncrl = %s/ca/ca.crl\n"
	    "[audit]\ndb = %s\nsigning_key = %s/checkpoint.key\nhmac_key = %s/identifier.hmac\n"
	    "checkpoint_interval = 2\nretention_days = 365\n",
	    f->port, f->dir, f->dir, f->dir, f->dir, f->db, f->dir, f->dir);
	write_file(f->conf, conf, 0644);
}

void
hostfx_cleanup(struct hostfx *f)
{
	char cmd[300];

	if (f->pid > 0)
		hostfx_kill9(f);
	if (getenv("EGATE_KEEP_TMP") != NULL) {
		fprintf(stderr, "kept %s\n", f->dir);
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
}

void
hostfx_start_nowait(struct hostfx *f)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork", EG_ERR_IO);
	if (pid == 0) {
		int fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		int nul = open("/dev/null", O_RDWR);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* a failed test leaves no daemon behind */
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(fd, 2);
		if (f->nofile > 0) {
			struct rlimit rl = { (rlim_t)f->nofile, (rlim_t)f->nofile };
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		execl(f->bin, "egate-host", "--config", f->conf, "--foreground", (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	f->pid = pid;
}

void
hostfx_start(struct hostfx *f)
{
	int ready = hostfx_log_count(f, "net.ready", NULL);

	hostfx_start_nowait(f);
	if (!hostfx_wait_log(f, ready + 1, 20000, "net.ready", NULL)) {
		fprintf(stderr, "egate-host did not start; log %s\n", f->log);
		abort();
	}
}

int
hostfx_wait_exit(struct hostfx *f, int ms)
{
	int64_t end = hostfx_ms() + ms;
	int status = 0;

	for (;;) {
		pid_t r = waitpid(f->pid, &status, WNOHANG);

		if (r == f->pid) {
			f->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		if (hostfx_ms() >= end)
			return -2;
		usleep(20000);
	}
}

int
hostfx_stop(struct hostfx *f)
{
	int status = 0;

	kill(f->pid, SIGTERM);
	waitpid(f->pid, &status, 0);
	f->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void
hostfx_kill9(struct hostfx *f)
{
	kill(-f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	f->pid = 0;
	usleep(100000);	/* the child dies with its group */
}

static int
vcount(const struct hostfx *f, va_list ap)
{
	const char *want[8];
	size_t nw = 0;
	char line[4096];
	int n = 0;
	FILE *fp;

	for (const char *s; nw < 8 && (s = va_arg(ap, const char *)) != NULL;)
		want[nw++] = s;
	if ((fp = fopen(f->log, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t i = 0;
		while (i < nw && strstr(line, want[i]) != NULL)
			i++;
		n += i == nw;
	}
	fclose(fp);
	return n;
}

int
hostfx_log_count(const struct hostfx *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vcount(f, ap);
	va_end(ap);
	return n;
}

bool
hostfx_wait_log(const struct hostfx *f, int n, int ms, ...)
{
	int64_t end = hostfx_ms() + ms;

	for (;;) {
		va_list ap;
		int got;

		va_start(ap, ms);
		got = vcount(f, ap);
		va_end(ap);
		if (got >= n)
			return true;
		if (hostfx_ms() >= end)
			return false;
		usleep(20000);
	}
}

/* Event times: ten days before the first call in this process (fixed from
 * then on, so a resend has the same content), for the retention test. */
static int64_t
event_base_ms(void)
{
	static int64_t base;

	if (base == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		base = ((int64_t)ts.tv_sec - 10 * 86400) * 1000;
	}
	return base;
}

const Egate__PassageEvent *
hostfx_event(unsigned i)
{
	static Egate__PassageEvent e;
	static Egate__Check ck[3], *ckp[3];
	static Egate__Score sc, *scp[1];
	static Egate__Identifiers id;
	static char doc[16], name[] = "ERIKSSON<<ANNA<MARIA", reason[] = "all_checks_pass",
	    model[] = "arcface-r100:1a2b3c4d", state[] = "UTO", type[] = "P", empty[] = "",
	    n0[] = "sod_signature", n1[] = "csca_chain", n2[] = "dg1_mrz_match", sn[] = "face_similarity";
	char *names[3] = { n0, n1, n2 };

	egate__passage_event__init(&e);
	for (int k = 0; k < 3; k++) {
		egate__check__init(&ck[k]);
		ck[k].name = names[k];
		ck[k].result = EGATE__CHECK_RESULT__CHECK_PASS;
		ck[k].detail = empty;
		ckp[k] = &ck[k];
	}
	egate__score__init(&sc);
	sc.name = sn;
	sc.value = 0.812;
	sc.threshold = 0.55;
	sc.passed = true;
	scp[0] = &sc;
	egate__identifiers__init(&id);
	snprintf(doc, sizeof(doc), "L%08u", i);
	id.document_number = doc;
	id.holder_name = name;
	id.issuing_state = state;
	id.document_type = type;
	e.ts_ms = event_base_ms() + i;
	e.decision = EGATE__DECISION__DECISION_OPEN;
	e.reason = reason;
	e.n_checks = 3;
	e.checks = ckp;
	e.n_scores = 1;
	e.scores = scp;
	e.model_version = model;
	e.config_version = 7;
	e.identifiers = &id;
	e.duration_ms = 7400;
	e.officer_id = empty;
	return &e;
}

struct count_arg {
	uint64_t n;
	bool in_order;
};

static int
count_row(void *arg, const struct audit_row *row)
{
	struct count_arg *c = arg;

	c->n++;
	if ((uint64_t)row->seq != c->n)
		c->in_order = false;
	return 0;
}

uint64_t
hostfx_db_count(const struct hostfx *f, const char *kiosk, bool *in_order)
{
	struct audit_db *db = NULL;
	struct audit_filter flt = { .kiosk_id = kiosk, .type = "passage" };
	struct count_arg c = { 0, true };

	OK(audit_open(f->db, NULL, &db));
	OK(audit_query(db, &flt, count_row, &c));
	audit_close(&db);
	if (in_order != NULL)
		*in_order = c.in_order;
	return c.n;
}

bool
hostfx_verify(const struct hostfx *f, uint64_t *unsealed)
{
	struct audit_db *db = NULL;
	struct audit_report rep;
	struct audit_anchor anchor, *ap = NULL;
	char pub[1024] = "", text[AUDIT_ANCHOR_TEXT_MAX], path[420];
	FILE *fp;
	size_t n;

	if ((fp = fopen(f->pub, "r")) != NULL) {
		n = fread(pub, 1, sizeof(pub) - 1, fp);
		pub[n] = '\0';
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s.anchor", f->db);
	if ((fp = fopen(path, "r")) != NULL) {
		n = fread(text, 1, sizeof(text), fp);
		fclose(fp);
		if (audit_anchor_parse(text, n, &anchor) == EG_OK)
			ap = &anchor;
	}
	OK(audit_open(f->db, NULL, &db));
	OK(audit_verify(db, pub, ap, &rep));
	audit_close(&db);
	if (unsealed != NULL)
		*unsealed = rep.unsealed;
	if (!rep.ok)
		fprintf(stderr, "verify: %s\n", rep.detail);
	return rep.ok && ap != NULL && rep.anchored;
}
