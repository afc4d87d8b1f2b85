/* SPDX-License-Identifier: Apache-2.0 */
/* The kiosk's event spool and reconnect backoff. */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backoff.h"
#include "egate/error.h"
#include "eg_check.h"
#include "eg_scratch.h"
#include "spool.h"

static char path[192];

static void
setup(void)
{
	char tmpl[160];

	eg_scratch_mkdir(tmpl, sizeof(tmpl), "egate-spool");
	snprintf(path, sizeof(path), "%s/spool.db", tmpl);
}

static void
teardown(void)
{
	char cmd[224];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strrchr(path, '/') - path), path);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_order_ack_and_replay)
{
	struct spool *s = NULL;
	uint64_t seq, n, after = 0;
	uint8_t *p;
	size_t len;
	char msg[32];

	ck_assert_eg(spool_open(path, &s), EG_OK);
	for (int i = 1; i <= 5; i++) {
		snprintf(msg, sizeof(msg), "event %d", i);
		ck_assert_eg(spool_append(s, msg, strlen(msg), &seq), EG_OK);
		ck_assert_uint_eq(seq, (uint64_t)i);
	}
	ck_assert_eg(spool_pending(s, &n), EG_OK);
	ck_assert_uint_eq(n, 5);
	/* replay in order */
	for (int i = 1; i <= 5; i++) {
		ck_assert_eg(spool_next(s, after, &seq, &p, &len), EG_OK);
		ck_assert_uint_eq(seq, (uint64_t)i);
		snprintf(msg, sizeof(msg), "event %d", i);
		ck_assert_uint_eq(len, strlen(msg));
		ck_assert_mem_eq(p, msg, len);
		free(p);
		after = seq;
	}
	ck_assert_eg(spool_next(s, after, &seq, &p, &len), EG_ERR_NOT_FOUND);
	/* the host acks 3: 4 and 5 remain */
	ck_assert_eg(spool_ack(s, 3), EG_OK);
	ck_assert_eg(spool_pending(s, &n), EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_eg(spool_next(s, 0, &seq, &p, &len), EG_OK);
	ck_assert_uint_eq(seq, 4);
	free(p);
	/* an ack for a number never issued is a protocol violation */
	ck_assert_eg(spool_ack(s, 99), EG_ERR_PROTOCOL);
	ck_assert_eg(spool_pending(s, &n), EG_OK);
	ck_assert_uint_eq(n, 2);
	/* acking everything never lets a sequence number come back */
	ck_assert_eg(spool_ack(s, 5), EG_OK);
	spool_close(&s);
	ck_assert_ptr_null(s);
	ck_assert_eg(spool_open(path, &s), EG_OK);
	ck_assert_eg(spool_append(s, "x", 1, &seq), EG_OK);
	ck_assert_uint_eq(seq, 6);
	ck_assert_eg(spool_last_seq(s, &seq), EG_OK);
	ck_assert_uint_eq(seq, 6);
	spool_close(&s);
}
END_TEST

/* A payload that depends on its seq is built inside the transaction that
 * assigns it; a builder that fails uses no sequence number. */
struct built { uint64_t seen; int fail; };

static int
build_seq(void *ctx, uint64_t seq, uint8_t **payload, size_t *len)
{
	struct built *b = ctx;

	b->seen = seq;
	if (b->fail)
		return b->fail;
	if ((*payload = malloc(16)) == NULL)
		return EG_ERR_NOMEM;
	*len = (size_t)snprintf((char *)*payload, 16, "seq=%llu", (unsigned long long)seq);
	return EG_OK;
}

START_TEST(test_append_fn)
{
	struct spool *s = NULL;
	struct built b = { 0, 0 };
	uint64_t seq = 0, last = 0, got = 0;
	uint8_t *p = NULL;
	size_t n = 0;

	ck_assert_eg(spool_open(path, &s), EG_OK);
	ck_assert_eg(spool_append(s, "a", 1, &seq), EG_OK);
	ck_assert_uint_eq(seq, 1);
	ck_assert_eg(spool_append_fn(s, build_seq, &b, &seq), EG_OK);
	ck_assert_uint_eq(seq, 2);
	ck_assert_uint_eq(b.seen, 2);
	ck_assert_eg(spool_next(s, 1, &got, &p, &n), EG_OK);
	ck_assert_uint_eq(got, 2);
	ck_assert_uint_eq(n, 5);
	ck_assert(memcmp(p, "seq=2", 5) == 0);
	free(p);
	/* the builder refuses: nothing stored, seq 3 not spent */
	b.fail = EG_ERR_CRYPTO;
	ck_assert_eg(spool_append_fn(s, build_seq, &b, &seq), EG_ERR_CRYPTO);
	ck_assert_uint_eq(b.seen, 3);
	ck_assert_eg(spool_last_seq(s, &last), EG_OK);
	ck_assert_uint_eq(last, 2);
	b.fail = 0;
	ck_assert_eg(spool_append_fn(s, build_seq, &b, &seq), EG_OK);
	ck_assert_uint_eq(seq, 3);
	ck_assert_eg(spool_append_fn(NULL, build_seq, &b, &seq), EG_ERR_INVAL);
	ck_assert_eg(spool_append_fn(s, NULL, &b, &seq), EG_ERR_INVAL);
	spool_close(&s);
}
END_TEST

START_TEST(test_limits_and_schema)
{
	struct spool *s = NULL;
	uint64_t seq;
	char *big = calloc(1, SPOOL_MAX_PAYLOAD + 1);
	sqlite3 *db;

	ck_assert_eg(spool_open(path, &s), EG_OK);
	ck_assert_eg(spool_append(s, big, SPOOL_MAX_PAYLOAD + 1, &seq), EG_ERR_OVERFLOW);
	ck_assert_eg(spool_append(s, big, SPOOL_MAX_PAYLOAD, &seq), EG_OK);
	ck_assert_eg(spool_append(s, NULL, 0, &seq), EG_OK);
	spool_close(&s);
	free(big);
	/* a spool written by a newer version is not touched */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_eg(spool_open(path, &s), EG_ERR_DB);
	ck_assert_ptr_null(s);
	ck_assert_eg(spool_open("/nonexistent/dir/spool.db", &s), EG_ERR_DB);
}
END_TEST

/* Power cut: a child appends records and reports each sequence number only
 * after spool_append returned; we kill -9 it mid-stream. Every reported
 * record must be in the spool afterwards, in order, with its content. */
START_TEST(test_kill_9_loses_nothing_acknowledged)
{
	int fds[2];
	pid_t pid;
	uint64_t reported[4096];
	size_t nrep = 0;
	struct spool *s = NULL;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct spool *c = NULL;
		close(fds[0]);
		if (spool_open(path, &c) != EG_OK)
			_exit(2);
		for (int i = 0; i < 4000; i++) {
			char msg[32];
			uint64_t seq;
			snprintf(msg, sizeof(msg), "passage %d", i);
			if (spool_append(c, msg, strlen(msg), &seq) != EG_OK)
				_exit(3);
			if (write(fds[1], &seq, sizeof(seq)) != sizeof(seq))
				_exit(4);
		}
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		uint64_t v;
		if (read(fds[0], &v, sizeof(v)) != sizeof(v))
			break;
		reported[nrep++] = v;
		if (nrep == 300)
			kill(pid, SIGKILL);
	}
	close(fds[0]);
	waitpid(pid, NULL, 0);
	ck_assert_uint_ge(nrep, 300);
	ck_assert_eg(spool_open(path, &s), EG_OK);
	uint64_t after = 0;
	for (size_t i = 0; i < nrep; i++) {
		uint64_t seq;
		uint8_t *p;
		size_t len;
		char want[32];
		ck_assert_eg(spool_next(s, after, &seq, &p, &len), EG_OK);
		ck_assert_uint_eq(seq, reported[i]);
		snprintf(want, sizeof(want), "passage %zu", i);
		ck_assert_uint_eq(len, strlen(want));
		ck_assert_mem_eq(p, want, len);
		free(p);
		after = seq;
	}
	spool_close(&s);
}
END_TEST

START_TEST(test_backoff)
{
	struct backoff a, b;
	uint32_t max_seen = 0;
	int differ = 0;

	backoff_init(&a, 100, 30000, 1);
	backoff_init(&b, 100, 30000, 2);
	for (int i = 0; i < 40; i++) {
		uint32_t ceiling = 100u << (i < 9 ? i : 9);
		uint32_t da = backoff_next(&a), db = backoff_next(&b);
		if (ceiling > 30000)
			ceiling = 30000;
		ck_assert_uint_le(da, ceiling);
		ck_assert_uint_le(db, ceiling);
		differ += da != db;
		if (da > max_seen)
			max_seen = da;
	}
	ck_assert_uint_le(max_seen, 30000);
	ck_assert_uint_gt(max_seen, 10000);	/* it does grow towards the cap */
	ck_assert_int_gt(differ, 30);		/* different kiosks spread out */
	backoff_reset(&a);
	ck_assert_uint_le(backoff_next(&a), 100);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("uplink");
	TCase *tc = tcase_create("spool");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_order_ack_and_replay);
	tcase_add_test(tc, test_append_fn);
	tcase_add_test(tc, test_limits_and_schema);
	tcase_add_test(tc, test_kill_9_loses_nothing_acknowledged);
	tcase_add_test(tc, test_backoff);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
