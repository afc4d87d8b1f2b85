/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mutual TLS between kiosks and the host: our server and client against
 * each other and against OpenSSL's s_client / s_server, with every kind of
 * client certificate the host must refuse.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tls.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "eg_netns.h"
#include "pki.h"

static char dir[128];
static bool netns;	/* the suite runs in a network namespace of its own */

static char *
F(const char *name)
{
	static char buf[8][300];
	static int slot;

	slot = (slot + 1) % 8;
	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", dir, name);
	return buf[slot];
}

static void
issue(struct pki_ca *ca, const char *name, const char *cn, enum pki_role role, int days, int back)
{
	char k[300], csr[300], crt[300];

	snprintf(k, sizeof(k), "%s/%s.key", dir, name);
	snprintf(csr, sizeof(csr), "%s/%s.csr", dir, name);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name);
	ck_assert_eg(pki_key_create(k), EG_OK);
	ck_assert_eg(pki_csr_create(k, cn, role, csr), EG_OK);
	ck_assert_eg(pki_ca_sign(ca, csr, role, days, back, crt), EG_OK);
}

/* One PKI for the whole suite (unchecked fixture: runs once). */
static void
make_pki(void)
{
	struct pki_ca *ca = NULL, *other = NULL;

	eg_scratch_mkdir(dir, sizeof(dir), "egate-tls");
	netns = eg_netns_private() == 0;	/* the tests, forked after, inherit it */
	ck_assert_eg(pki_ca_create(F("ca"), "Deployment CA", 365), EG_OK);
	ck_assert_eg(pki_ca_open(F("ca"), &ca), EG_OK);
	issue(ca, "host", "egate-host", PKI_ROLE_HOST, 30, 0);
	issue(ca, "k01", "K01", PKI_ROLE_KIOSK, 30, 0);
	issue(ca, "officer", "officer.kim", PKI_ROLE_OFFICER, 30, 0);
	issue(ca, "expired", "K02", PKI_ROLE_KIOSK, -1, 10);
	issue(ca, "revoked", "K03", PKI_ROLE_KIOSK, 30, 0);
	issue(ca, "later", "K04", PKI_ROLE_KIOSK, 30, 0);	/* revoked mid-test */
	issue(ca, "fakehost", "egate-host2", PKI_ROLE_HOST, 30, 0);
	ck_assert_eg(pki_ca_revoke(ca, F("revoked.crt")), EG_OK);
	ck_assert_eg(pki_ca_create(F("other"), "Rogue CA", 365), EG_OK);
	ck_assert_eg(pki_ca_open(F("other"), &other), EG_OK);
	issue(other, "rogue", "K01", PKI_ROLE_KIOSK, 30, 0);
	issue(other, "roguehost", "egate-host", PKI_ROLE_HOST, 30, 0);
	pki_ca_free(&other);
	pki_ca_free(&ca);
	signal(SIGPIPE, SIG_IGN);
	/* made with OpenSSL and the deployment CA's key, as an attacker with a
	 * lax RA or a hand-made request would get them (issue 13, item 4):
	 * an RSA kiosk key with the right EKU, a P-256 kiosk without any EKU */
	{
		char cmd[3000];
		snprintf(cmd, sizeof(cmd),
		    "cd '%s' && printf 'extendedKeyUsage=clientAuth\\nkeyUsage=digitalSignature\\n' > eku.ext && "
		    "openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key -subj /CN=K07/OU=kiosk -out rsa.csr && "
		    "openssl x509 -req -in rsa.csr -CA ca/ca.crt -CAkey ca/ca.key -CAcreateserial -days 30 "
		    "-extfile eku.ext -out rsa.crt && "
		    "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout noeku.key "
		    "-subj /CN=K08/OU=kiosk -out noeku.csr && "
		    "openssl x509 -req -in noeku.csr -CA ca/ca.crt -CAkey ca/ca.key -CAcreateserial -days 30 "
		    "-out noeku.crt", dir);
		ck_assert_msg(system(cmd) == 0, "openssl could not make the test certificates "
		    "(apt-get install openssl)");
	}
}

/* A CRL of the deployment CA with the given nextUpdate (OpenSSL's `ca
 * -gencrl`: pki refuses to write one that is already expired). */
static void
crl_with_next_update(const char *out, const char *next_update)
{
	char cmd[2000];

	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && printf '[ca]\\ndefault_ca = d\\n[d]\\ndatabase = index.txt\\n"
	    "crlnumber = crlnumber\\ndefault_md = sha256\\n' > crl.cnf && : > index.txt && "
	    "echo 01 > crlnumber && openssl ca -batch -config crl.cnf -gencrl -keyfile ca/ca.key "
	    "-cert ca/ca.crt -crl_lastupdate 20200101000000Z -crl_nextupdate %s -out '%s' "
	    ">/dev/null 2>&1", dir, next_update, out);
	ck_assert_msg(system(cmd) == 0, "openssl ca -gencrl failed");
}

static void
remove_pki(void)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void
timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 10 };
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int
listen_any(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int
connect_to(int port, int tries)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	for (int i = 0; i < tries; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
			timeouts(fd);
			return fd;
		}
		close(fd);
		usleep(50000);
	}
	return -1;
}

/* ---- our server, one connection: handshake, then "ping" -> "pong" ---- */

struct served {
	int ret;
	char why[160];
	char cn[64], ou[32];
	bool resumed;
};

static void
serve_one(struct eg_tls_conf *c, int lfd, struct served *s)
{
	struct eg_tls *t = NULL;
	int fd = accept(lfd, NULL, NULL);
	char buf[16];
	size_t n;

	memset(s, 0, sizeof(*s));
	ck_assert_int_ge(fd, 0);
	timeouts(fd);
	ck_assert_eg(eg_tls_new(&t, c, fd, NULL), EG_OK);
	s->ret = eg_tls_handshake(t, NULL);
	snprintf(s->why, sizeof(s->why), "%s", eg_tls_error(t));
	if (s->ret == EG_OK) {
		ck_assert_eg(eg_tls_peer(t, s->cn, sizeof(s->cn), s->ou, sizeof(s->ou)), EG_OK);
		s->resumed = eg_tls_resumed(t);
		ck_assert_str_eq(eg_tls_ciphersuite(t), "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256");
		if (eg_tls_read(t, buf, sizeof(buf), &n, NULL) == EG_OK && n >= 4 &&
		    memcmp(buf, "ping", 4) == 0)
			(void)eg_tls_write(t, "pong\n", 5, &n, NULL);
		eg_tls_close(t);
	}
	eg_tls_free(&t);
	close(fd);
}

/* ---- our client, one connection ---- */

struct client_arg {
	struct eg_tls_conf *conf;
	int port;
	int ret;
	bool resumed;
	bool save;
	bool write_after_close;	/* keep writing once the server has gone */
	int late_write;		/* the result of those writes */
	char reply[16];
	char why[160];
};

static void *
client_thread(void *p)
{
	struct client_arg *a = p;
	struct eg_tls *t = NULL;
	size_t n = 0;
	int fd = connect_to(a->port, 400);	/* up to 20 s: s_server may start slowly */

	a->ret = EG_ERR_IO;
	if (fd < 0)
		return NULL;
	if (eg_tls_new(&t, a->conf, fd, "egate-host") == EG_OK) {
		a->ret = eg_tls_handshake(t, NULL);
		snprintf(a->why, sizeof(a->why), "%s", eg_tls_error(t));
		if (a->ret == EG_OK) {
			a->resumed = eg_tls_resumed(t);
			if (a->save)
				eg_tls_save_session(t);
			if (eg_tls_write(t, "ping\n", 5, &n, NULL) == EG_OK &&
			    eg_tls_read(t, a->reply, sizeof(a->reply) - 1, &n, NULL) == EG_OK)
				a->reply[n] = '\0';
			if (a->write_after_close) {
				static const char junk[4096];
				struct timespec pause = { 0, 100 * 1000 * 1000 };

				nanosleep(&pause, NULL);	/* the server has closed */
				a->late_write = EG_OK;
				for (int i = 0; i < 64 && a->late_write == EG_OK; i++)
					a->late_write = eg_tls_write(t, junk, sizeof(junk), &n, NULL);
			}
			eg_tls_close(t);
		}
		eg_tls_free(&t);
	}
	close(fd);
	return NULL;
}

static struct eg_tls_conf *
server_conf(void)
{
	struct eg_tls_conf *c = NULL;
	char err[200];

	ck_assert_eg(eg_tls_conf_new(&c, EG_TLS_SERVER, F("ca/ca.crt"), F("ca/ca.crl"),
	    F("host.crt"), F("host.key"), err, sizeof(err)), EG_OK);
	return c;
}

static struct eg_tls_conf *
client_conf(const char *name, const char *ca)
{
	struct eg_tls_conf *c = NULL;
	char crt[300], key[300], err[200];

	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, name);
	ck_assert_eg(eg_tls_conf_new(&c, EG_TLS_CLIENT, ca, NULL, crt, key, err, sizeof(err)), EG_OK);
	return c;
}

/* Our client against our server; returns the server's view. */
static void
ours_vs_ours(struct eg_tls_conf *srv, struct eg_tls_conf *cli, struct served *s,
    struct client_arg *a)
{
	pthread_t th;
	int lfd = listen_any(&a->port);

	a->conf = cli;
	ck_assert_int_eq(pthread_create(&th, NULL, client_thread, a), 0);
	serve_one(srv, lfd, s);
	pthread_join(th, NULL);
	close(lfd);
}

START_TEST(test_ours_mutual_and_resumption)
{
	struct eg_tls_conf *srv = server_conf(), *cli = client_conf("k01", F("ca/ca.crt"));
	struct served s;
	struct client_arg a = { .save = true };

	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_msg(s.ret == EG_OK, "server: %s", s.why);
	ck_assert_eg(a.ret, EG_OK);
	ck_assert_str_eq(s.cn, "K01");
	ck_assert_str_eq(s.ou, "kiosk");
	ck_assert_str_eq(a.reply, "pong\n");
	ck_assert(!s.resumed);
	ck_assert(!a.resumed);

	/* reconnect: the session ticket is accepted, both sides see a resumption,
	 * and the identity still comes from the (remembered) certificate */
	memset(&a, 0, sizeof(a));
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_msg(s.ret == EG_OK, "server: %s", s.why);
	ck_assert(s.resumed);
	ck_assert(a.resumed);
	ck_assert_str_eq(s.cn, "K01");
	ck_assert_str_eq(a.reply, "pong\n");
	eg_tls_conf_free(&cli);
	eg_tls_conf_free(&srv);
}
END_TEST

/* Writing to a peer that went away is an error for that connection, never
 * SIGPIPE for the process (this test runs with the default disposition:
 * the signal would kill it). */
START_TEST(test_write_to_closed_peer_is_an_error)
{
	struct eg_tls_conf *srv = server_conf(), *cli = client_conf("k01", F("ca/ca.crt"));
	struct served s;
	struct client_arg a = { .write_after_close = true };

	signal(SIGPIPE, SIG_DFL);
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_eg(a.ret, EG_OK);
	ck_assert_str_eq(a.reply, "pong\n");
	ck_assert_int_ne(a.late_write, EG_OK);
	eg_tls_conf_free(&cli);
	eg_tls_conf_free(&srv);
}
END_TEST

START_TEST(test_revoked_after_session_cannot_resume)
{
	struct eg_tls_conf *srv = server_conf(), *cli = client_conf("later", F("ca/ca.crt"));
	struct pki_ca *ca = NULL;
	struct served s;
	struct client_arg a = { .save = true };

	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_msg(s.ret == EG_OK, "server: %s", s.why);
	/* the CA revokes K04, the host reloads its CRL (SIGHUP) */
	ck_assert_eg(pki_ca_open(F("ca"), &ca), EG_OK);
	ck_assert_eg(pki_ca_revoke(ca, F("later.crt")), EG_OK);
	pki_ca_free(&ca);
	ck_assert_eg(eg_tls_conf_reload_crl(srv, F("ca/ca.crl"), NULL, 0), EG_OK);
	memset(&a, 0, sizeof(a));
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_eg(s.ret, EG_ERR_CERT);
	ck_assert_str_eq(s.why, "peer certificate revoked");
	ck_assert(!s.resumed);
	eg_tls_conf_free(&cli);
	eg_tls_conf_free(&srv);
}
END_TEST

START_TEST(test_client_refuses_wrong_host)
{
	struct eg_tls_conf *cli = client_conf("k01", F("ca/ca.crt"));
	struct eg_tls_conf *srv = NULL;
	struct served s;
	struct client_arg a = { 0 };
	char err[200];

	/* a server configured with a kiosk certificate (clientAuth only) is
	 * refused when it is configured: no session can ever be made */
	ck_assert_eg(eg_tls_conf_new(&srv, EG_TLS_SERVER, F("ca/ca.crt"), NULL,
	    F("k01.crt"), F("k01.key"), err, sizeof(err)), EG_ERR_CERT);
	ck_assert_ptr_nonnull(strstr(err, "extended key usage"));
	ck_assert_ptr_null(srv);
	(void)s;
	/* a host certificate for another name */
	ck_assert_eg(eg_tls_conf_new(&srv, EG_TLS_SERVER, F("ca/ca.crt"), NULL,
	    F("fakehost.crt"), F("fakehost.key"), err, sizeof(err)), EG_OK);
	memset(&a, 0, sizeof(a));
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_eg(a.ret, EG_ERR_CERT);
	ck_assert_str_eq(a.why, "peer certificate is for another host name");
	eg_tls_conf_free(&srv);
	eg_tls_conf_free(&cli);
}
END_TEST

START_TEST(test_conf_errors)
{
	struct eg_tls_conf *c = NULL;
	char err[200];

	ck_assert_eg(eg_tls_conf_new(&c, EG_TLS_SERVER, F("nope.crt"), NULL, F("host.crt"),
	    F("host.key"), err, sizeof(err)), EG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "cannot read CA certificate"));
	ck_assert_eg(eg_tls_conf_new(&c, EG_TLS_SERVER, F("ca/ca.crt"), NULL, F("host.crt"),
	    F("k01.key"), err, sizeof(err)), EG_ERR_CERT);
	ck_assert_ptr_nonnull(strstr(err, "is not the private key of the certificate"));
	ck_assert_eg(eg_tls_conf_new(&c, EG_TLS_SERVER, F("ca/ca.crt"), NULL, F("host.key"),
	    F("host.key"), err, sizeof(err)), EG_ERR_CERT);
	ck_assert_ptr_null(c);
}
END_TEST

/* ---- OpenSSL as the other side ---- */

/* Run s_client as a kiosk against our server on port; returns its stdout. */
static pid_t
spawn(char *const argv[], const char *in, const char *outfile)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int i = open(in, O_RDONLY), o = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int n = open("/dev/null", O_WRONLY);
		dup2(i, 0);
		dup2(o, 1);
		dup2(n, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static void s_client_vs_ours_conf(struct eg_tls_conf *srv, const char *who, struct served *s,
    char *out, size_t outlen);

static void
s_client_vs_ours(const char *who, struct served *s, char *out, size_t outlen)
{
	s_client_vs_ours_conf(NULL, who, s, out, outlen);
}

/* srv NULL: a fresh server_conf(), freed after */
static void
s_client_vs_ours_conf(struct eg_tls_conf *given, const char *who, struct served *s, char *out,
    size_t outlen)
{
	struct eg_tls_conf *srv = given != NULL ? given : server_conf();
	char addr[32], crt[300], key[300];
	int port, lfd = listen_any(&port), status;
	pid_t pid;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, who ? who : "k01");
	snprintf(key, sizeof(key), "%s/%s.key", dir, who ? who : "k01");
	write_file(F("ping.txt"), "ping\n");
	if (who != NULL) {
		char *argv[] = { "openssl", "s_client", "-connect", addr, "-tls1_2", "-quiet",
			"-CAfile", F("ca/ca.crt"), "-cert", crt, "-key", key, NULL };
		pid = spawn(argv, F("ping.txt"), F("s_client.out"));
	} else {
		char *argv[] = { "openssl", "s_client", "-connect", addr, "-tls1_2", "-quiet",
			"-CAfile", F("ca/ca.crt"), NULL };
		pid = spawn(argv, F("ping.txt"), F("s_client.out"));
	}
	serve_one(srv, lfd, s);
	close(lfd);
	waitpid(pid, &status, 0);
	slurp(F("s_client.out"), out, outlen);
	if (given == NULL)
		eg_tls_conf_free(&srv);
}

START_TEST(test_openssl_client_accepted)
{
	struct served s;
	char out[256];

	s_client_vs_ours("k01", &s, out, sizeof(out));
	ck_assert_msg(s.ret == EG_OK, "server: %s", s.why);
	ck_assert_str_eq(s.cn, "K01");
	ck_assert_str_eq(s.ou, "kiosk");
	ck_assert_ptr_nonnull(strstr(out, "pong"));
	s_client_vs_ours("officer", &s, out, sizeof(out));
	ck_assert_msg(s.ret == EG_OK, "server: %s", s.why);
	ck_assert_str_eq(s.cn, "officer.kim");
	ck_assert_str_eq(s.ou, "officer");
}
END_TEST

START_TEST(test_openssl_client_refused)
{
	static const struct {
		const char *who;
		const char *why;
	} cases[] = {
		{ NULL, "peer sent no certificate" },
		{ "rogue", "peer certificate not issued by the deployment CA" },
		{ "expired", "peer certificate expired" },
		{ "revoked", "peer certificate revoked" },
		{ "fakehost", "peer certificate has the wrong role (OU)" },
	};
	struct served s;
	char out[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s_client_vs_ours(cases[i].who, &s, out, sizeof(out));
		ck_assert_msg(s.ret == EG_ERR_CERT, "%s: got %s (%s)", cases[i].who ? cases[i].who : "no cert",
		    eg_err_name(s.ret), s.why);
		ck_assert_str_eq(s.why, cases[i].why);
		ck_assert_ptr_null(strstr(out, "pong"));
	}
}
END_TEST

/* Our client (a kiosk) against `openssl s_server -rev` (echoes reversed). */
static int
ours_vs_s_server(const char *server_cert, char *why, size_t whylen, char *reply, size_t rlen)
{
	struct eg_tls_conf *cli = client_conf("k01", F("ca/ca.crt"));
	struct client_arg a = { .conf = cli };
	char addr[32], crt[300], key[300];
	int status;
	pid_t pid;

	/* s_server's port: in our own namespace nobody else takes it; else
	 * one below the ephemeral range */
	a.port = eg_netns_test_port(netns, 1);
	ck_assert_int_gt(a.port, 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", a.port);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, server_cert);
	snprintf(key, sizeof(key), "%s/%s.key", dir, server_cert);
	write_file(F("empty.txt"), "");
	char *argv[] = { "openssl", "s_server", "-accept", addr, "-tls1_2", "-naccept", "1",
		"-cert", crt, "-key", key, "-CAfile", F("ca/ca.crt"), "-Verify", "1",
		"-verify_return_error", "-rev", NULL };
	pid = spawn(argv, F("empty.txt"), F("s_server.out"));
	client_thread(&a);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	snprintf(why, whylen, "%s", a.why);
	snprintf(reply, rlen, "%s", a.reply);
	eg_tls_conf_free(&cli);
	return a.ret;
}

START_TEST(test_ours_against_openssl_server)
{
	char why[160], reply[16];

	ck_assert_eg(ours_vs_s_server("host", why, sizeof(why), reply, sizeof(reply)), EG_OK);
	ck_assert_ptr_nonnull(strstr(reply, "gnip"));	/* "ping" reversed by -rev */
	ck_assert_eg(ours_vs_s_server("roguehost", why, sizeof(why), reply, sizeof(reply)), EG_ERR_CERT);
	ck_assert_str_eq(why, "peer certificate not issued by the deployment CA");
	/* OpenSSL will serve with a kiosk (clientAuth) certificate; we refuse it */
	ck_assert_eg(ours_vs_s_server("k01", why, sizeof(why), reply, sizeof(reply)), EG_ERR_CERT);
	ck_assert_str_eq(why, "peer certificate has the wrong role (OU)");
}
END_TEST


/* The client's eg_tls_resumed() is true only when the server took the
 * ticket: a server with other ticket keys (a restarted host without
 * persisted keys) makes a full handshake, and both sides say so (issue 13,
 * item 6: the client said "resumed" regardless). */
START_TEST(test_resumed_only_when_the_server_takes_the_ticket)
{
	struct eg_tls_conf *srv = server_conf(), *cli = client_conf("k01", F("ca/ca.crt"));
	struct served s;
	struct client_arg a = { .save = true };

	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_eg(a.ret, EG_OK);
	eg_tls_conf_free(&srv);
	srv = server_conf();		/* new random ticket keys */
	memset(&a, 0, sizeof(a));
	a.save = true;
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_msg(s.ret == EG_OK, "server: %s", s.why);
	ck_assert_eg(a.ret, EG_OK);
	ck_assert(!s.resumed);
	ck_assert(!a.resumed);
	/* and the new session resumes on the same server */
	memset(&a, 0, sizeof(a));
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert(s.resumed);
	ck_assert(a.resumed);
	eg_tls_conf_free(&cli);
	eg_tls_conf_free(&srv);
}
END_TEST

/* Ticket keys set from outside (egate-host keeps them across restarts): a
 * second server with the same keys resumes the first one's sessions; a
 * retired key does not open, the lifetime bounds a ticket. */
START_TEST(test_ticket_keys_survive_a_new_server)
{
	struct eg_tls_ticket_key k[2];
	struct eg_tls_conf *srv = server_conf(), *cli = client_conf("k01", F("ca/ca.crt"));
	struct served s;
	struct client_arg a = { .save = true };

	memset(k, 0, sizeof(k));
	for (int i = 0; i < 2; i++) {
		memset(k[i].name, 0x10 + i, sizeof(k[i].name));
		memset(k[i].key, 0x40 + i, sizeof(k[i].key));
		k[i].created_s = time(NULL) - i * 100;
	}
	ck_assert_eg(eg_tls_conf_set_ticket_keys(srv, &k[1], 1, 3600), EG_OK);
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_eg(a.ret, EG_OK);
	eg_tls_conf_free(&srv);
	/* the "restarted" host: a new key seals, the old one still opens */
	srv = server_conf();
	ck_assert_eg(eg_tls_conf_set_ticket_keys(srv, k, 2, 3600), EG_OK);
	memset(&a, 0, sizeof(a));
	a.save = true;
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_msg(s.ret == EG_OK, "server: %s", s.why);
	ck_assert(s.resumed);
	ck_assert(a.resumed);
	ck_assert_str_eq(s.cn, "K01");
	/* the old key retired: the ticket it sealed no longer opens */
	eg_tls_conf_free(&srv);
	srv = server_conf();
	ck_assert_eg(eg_tls_conf_set_ticket_keys(srv, k, 1, 3600), EG_OK);
	memset(&a, 0, sizeof(a));
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_eg(s.ret, EG_OK);
	ck_assert(!s.resumed);
	ck_assert(!a.resumed);
	ck_assert_eg(eg_tls_conf_set_ticket_keys(srv, k, 0, 3600), EG_ERR_INVAL);
	ck_assert_eg(eg_tls_conf_set_ticket_keys(cli, k, 1, 3600), EG_ERR_INVAL);
	eg_memzero(k, sizeof(k));
	eg_tls_conf_free(&cli);
	eg_tls_conf_free(&srv);
}
END_TEST

/* A CRL from another issuer would switch revocation off without a word;
 * an expired one is refused at load; a reload keeps the CRL in force when
 * the new one is bad (issue 13, item 4). */
START_TEST(test_crl_must_be_the_cas_and_fresh)
{
	struct eg_tls_conf *c = NULL;
	char err[300];
	struct served s;
	char out[256];

	ck_assert_eg(eg_tls_conf_new(&c, EG_TLS_SERVER, F("ca/ca.crt"), F("other/ca.crl"),
	    F("host.crt"), F("host.key"), err, sizeof(err)), EG_ERR_CERT);
	ck_assert_msg(strstr(err, "is not issued by the deployment CA") != NULL, "%s", err);
	crl_with_next_update(F("expired.crl"), "20200102000000Z");
	ck_assert_eg(eg_tls_conf_new(&c, EG_TLS_SERVER, F("ca/ca.crt"), F("expired.crl"),
	    F("host.crt"), F("host.key"), err, sizeof(err)), EG_ERR_CERT);
	ck_assert_msg(strstr(err, "expired") != NULL, "%s", err);
	c = server_conf();
	ck_assert_eg(eg_tls_conf_reload_crl(c, F("other/ca.crl"), err, sizeof(err)), EG_ERR_CERT);
	ck_assert_eg(eg_tls_conf_reload_crl(c, F("expired.crl"), err, sizeof(err)), EG_ERR_CERT);
	eg_tls_conf_free(&c);
	/* the CRL in force still refuses the revoked kiosk */
	s_client_vs_ours_conf(NULL, "revoked", &s, out, sizeof(out));
	ck_assert_eg(s.ret, EG_ERR_CERT);
	ck_assert_str_eq(s.why, "peer certificate revoked");
}
END_TEST

/* A CRL that expires while in force refuses full handshakes AND
 * resumptions (before: resumption still passed). */
START_TEST(test_expired_crl_refuses_resumption_too)
{
	struct eg_tls_conf *srv = NULL, *cli = client_conf("k01", F("ca/ca.crt"));
	struct served s;
	struct client_arg a = { .save = true };
	char err[300], when[32];
	time_t exp = time(NULL) + 3;
	struct tm tm;

	gmtime_r(&exp, &tm);
	strftime(when, sizeof(when), "%Y%m%d%H%M%SZ", &tm);
	crl_with_next_update(F("short.crl"), when);
	ck_assert_eg(eg_tls_conf_new(&srv, EG_TLS_SERVER, F("ca/ca.crt"), F("short.crl"),
	    F("host.crt"), F("host.key"), err, sizeof(err)), EG_OK);
	ours_vs_ours(srv, cli, &s, &a);
	ck_assert_msg(s.ret == EG_OK, "server: %s", s.why);
	while (time(NULL) <= exp + 1) {		/* the condition is the clock itself */
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	memset(&a, 0, sizeof(a));
	ours_vs_ours(srv, cli, &s, &a);		/* offers its ticket */
	ck_assert_int_ne(s.ret, EG_OK);
	ck_assert(!s.resumed);
	ck_assert_str_eq(s.why, "CRL expired");
	eg_tls_conf_free(&cli);
	eg_tls_conf_free(&srv);
}
END_TEST

/* Keys other than P-256 and certificates without their role's EKU are
 * refused, from OpenSSL clients too. */
START_TEST(test_rsa_and_missing_eku_refused)
{
	struct served s;
	char out[256];

	s_client_vs_ours("rsa", &s, out, sizeof(out));
	ck_assert_msg(s.ret == EG_ERR_CERT || s.ret == EG_ERR_TLS, "rsa: %s (%s)", eg_err_name(s.ret), s.why);
	ck_assert_int_ne(s.ret, EG_OK);
	ck_assert_ptr_null(strstr(out, "pong"));
	s_client_vs_ours("noeku", &s, out, sizeof(out));
	ck_assert_msg(s.ret == EG_ERR_CERT, "noeku: %s (%s)", eg_err_name(s.ret), s.why);
	ck_assert_str_eq(s.why, "peer certificate lacks the extended key usage of its role");
	ck_assert_ptr_null(strstr(out, "pong"));
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("mtls");

	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_unchecked_fixture(tc, make_pki, remove_pki);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ours_mutual_and_resumption);
	tcase_add_test(tc, test_write_to_closed_peer_is_an_error);
	tcase_add_test(tc, test_revoked_after_session_cannot_resume);
	tcase_add_test(tc, test_client_refuses_wrong_host);
	tcase_add_test(tc, test_conf_errors);
	tcase_add_test(tc, test_openssl_client_accepted);
	tcase_add_test(tc, test_openssl_client_refused);
	tcase_add_test(tc, test_ours_against_openssl_server);
	tcase_add_test(tc, test_resumed_only_when_the_server_takes_the_ticket);
	tcase_add_test(tc, test_ticket_keys_survive_a_new_server);
	tcase_add_test(tc, test_crl_must_be_the_cas_and_fresh);
	tcase_add_test(tc, test_expired_crl_refuses_resumption_too);
	tcase_add_test(tc, test_rsa_and_missing_eku_refused);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
