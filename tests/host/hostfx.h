/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostfx.h — fixtures shared by the egate-host tests and bench_ingest: a
 * deployment PKI made with host/pki, audit keys, a config file, and the
 * real egate-host process (own process group) with its log in a file.
 * Failures abort with a message (usable outside Check).
 */
#ifndef EGATE_TESTS_HOSTFX_H
#define EGATE_TESTS_HOSTFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "egate.pb-c.h"

struct hostfx {
	char dir[128];
	int port;
	bool netns;		/* the test runs in a network namespace of its own */
	long nofile;		/* > 0: RLIMIT_NOFILE of the egate-host started next */
	pid_t pid;		/* egate-host monitor (leader of its process group) */
	char bin[512];
	char conf[300], log[300], db[300], pub[300];
};

/* hostfx_path — dir/name in one of 16 rotating static buffers. */
const char *hostfx_path(const struct hostfx *f, const char *name);

/* hostfx_init — a private network namespace when possible (eg_netns.h;
 * call before any thread starts), a folder "$TMPDIR/egate-host.XXXXXX"
 * (/tmp when TMPDIR is unset), PKI (see hostfx.c for the
 * certificates), audit keys, config. */
void hostfx_init(struct hostfx *f, const char *bin);
/* hostfx_issue — one more certificate from the deployment CA (name.crt/.key). */
void hostfx_issue(struct hostfx *f, const char *name, const char *cn, const char *role, int days, int back);
/* hostfx_revoke — revoke name.crt and re-publish ca/ca.crl (the host's crl). */
void hostfx_revoke(struct hostfx *f, const char *name);
void hostfx_cleanup(struct hostfx *f);

/* hostfx_start — run egate-host --foreground, wait until it is ready
 * ("net.ready" in the log, n-th occurrence). */
void hostfx_start(struct hostfx *f);
/* hostfx_start_nowait — start it and return at once (for hosts that must
 * fail to start). */
void hostfx_start_nowait(struct hostfx *f);
/* hostfx_wait_exit — wait up to ms for the host to exit; its status, or -2
 * if it is still running (then it is left running). */
int hostfx_wait_exit(struct hostfx *f, int ms);
/* hostfx_port2 — a second port for the same test (a stand-in server). */
int hostfx_port2(const struct hostfx *f);
/* hostfx_wait_listen — wait up to ms until 127.0.0.1:port accepts. */
bool hostfx_wait_listen(int port, int ms);
/* hostfx_stop — SIGTERM, wait; returns the exit status (-1 if signalled). */
int hostfx_stop(struct hostfx *f);
/* hostfx_kill9 — SIGKILL to the whole process group, reap. */
void hostfx_kill9(struct hostfx *f);
/* hostfx_log_count — how many log lines contain all of the given strings
 * (NULL-terminated list). */
int hostfx_log_count(const struct hostfx *f, ...);
/* hostfx_wait_log — wait up to ms until hostfx_log_count(...) >= n. */
bool hostfx_wait_log(const struct hostfx *f, int n, int ms, ...);

/* hostfx_event — a realistic PassageEvent (static storage, seq 0); the
 * document number and the time differ per i; times are ten days ago. */
const Egate__PassageEvent *hostfx_event(unsigned i);

/* hostfx_db_count — rows of kiosk in the audit DB (reader mode), and
 * whether their seqs are exactly 1..count in row order. */
uint64_t hostfx_db_count(const struct hostfx *f, const char *kiosk, bool *in_order);

/* hostfx_verify — audit_verify with the checkpoint public key and the
 * anchor file the host exports; returns rep.ok, *unsealed gets rep.unsealed. */
bool hostfx_verify(const struct hostfx *f, uint64_t *unsealed);

int64_t hostfx_ms(void);

#endif
