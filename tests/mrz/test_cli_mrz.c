/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cli_mrz — runs the built `egate` binary (path in EGATE_EXE, set by
 * meson) as `egate mrz ...` and checks exit codes, stdout and stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eg_check.h"

#define TD3_L1 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
#define TD3_L2 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
#define TD3_L2_BAD "L898902C46UTO7408122F1204159ZE184226B<<<<<10"

struct run {
	int status;		/* exit code, or -1 if killed */
	char out[8192];
	char err[8192];
};

static void
slurp(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
}

/* run egate with args (NULL-terminated, without argv[0]); feed stdin_data */
static void
run_egate(struct run *res, const char *stdin_data, const char *const *args)
{
	const char *exe = getenv("EGATE_EXE");
	int in[2], out[2], err[2], st;
	char *argv[16];
	size_t n = 0;
	pid_t pid;

	ck_assert_msg(exe != NULL, "EGATE_EXE not set (run through meson test)");
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(err), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* execv wants char *const[]: copies (the process is replaced) */
		argv[n++] = strdup(exe);
		for (; args[n - 1] != NULL && n < 15; n++)
			argv[n] = strdup(args[n - 1]);
		argv[n] = NULL;
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[0]); close(in[1]);
		close(out[0]); close(out[1]);
		close(err[0]); close(err[1]);
		execv(exe, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (stdin_data != NULL)
		ck_assert_int_eq(write(in[1], stdin_data, strlen(stdin_data)),
		    (ssize_t)strlen(stdin_data));
	close(in[1]);
	slurp(out[0], res->out, sizeof(res->out));
	slurp(err[0], res->err, sizeof(res->err));
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_valid_args)
{
	static struct run r;
	const char *args[] = { "mrz", TD3_L1, TD3_L2, NULL };

	run_egate(&r, NULL, args);
	ck_assert_msg(r.status == 0, "exit %d, stderr: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "TD3"));
	ck_assert_ptr_nonnull(strstr(r.out, "ERIKSSON"));
	ck_assert_ptr_nonnull(strstr(r.out, "ANNA MARIA"));
	ck_assert_ptr_nonnull(strstr(r.out, "1974-08-12"));
	ck_assert_ptr_nonnull(strstr(r.out, "2012-04-15"));
	ck_assert_ptr_nonnull(strstr(r.out, "valid              yes"));
	ck_assert_str_eq(r.err, "");
}
END_TEST

START_TEST(test_valid_one_arg_and_stdin)
{
	static struct run r;
	const char *one[] = { "mrz", TD3_L1 "\n" TD3_L2, NULL };
	const char *dash[] = { "mrz", "--json", "-", NULL };
	const char *none[] = { "mrz", NULL };

	run_egate(&r, NULL, one);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "L898902C3"));

	run_egate(&r, TD3_L1 "\r\n" TD3_L2 "\r\n", dash);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"valid\":true"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"document_number\":\"L898902C3\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"errors\":[]"));

	run_egate(&r, "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\n"
	    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<\n", none);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "TD1"));
}
END_TEST

START_TEST(test_invalid)
{
	static struct run r;
	const char *args[] = { "mrz", TD3_L1, TD3_L2_BAD, NULL };
	const char *json[] = { "mrz", "--json", TD3_L1, TD3_L2_BAD, NULL };
	const char *shortl[] = { "mrz", TD3_L1, "L898902C36", NULL };

	run_egate(&r, NULL, args);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err,
	    "egate mrz: document_number_check: check digit is 6, computed 7"));
	ck_assert_ptr_nonnull(strstr(r.err, "egate mrz: composite_check: check digit is 0"));
	ck_assert_ptr_nonnull(strstr(r.out, "valid              no"));

	run_egate(&r, NULL, json);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "\"valid\":false"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"result\":\"EG_ERR_CHECKSUM\""));
	ck_assert_ptr_nonnull(strstr(r.out,
	    "{\"field\":\"document_number_check\",\"problem\":\"check_digit\","
	    "\"reason\":\"check digit is 6, computed 7\"}"));

	run_egate(&r, NULL, shortl);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "line_2: length 10, expected 44"));
	ck_assert_str_eq(r.out, "");
}
END_TEST

START_TEST(test_usage)
{
	static struct run r;
	const char *bogus[] = { "mrz", "--bogus", NULL };
	const char *help[] = { "mrz", "--help", NULL };
	const char *today[] = { "mrz", "--today", "2026-13-01", TD3_L1, TD3_L2, NULL };
	const char *mixed[] = { "mrz", TD3_L1, "-", NULL };
	const char *top[] = { "help", NULL };

	run_egate(&r, NULL, bogus);
	ck_assert_int_eq(r.status, 2);
	run_egate(&r, NULL, today);
	ck_assert_int_eq(r.status, 2);
	run_egate(&r, NULL, mixed);
	ck_assert_int_eq(r.status, 2);
	run_egate(&r, NULL, help);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: egate mrz"));
	run_egate(&r, NULL, top);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "  mrz "));
}
END_TEST

/* --today drives the century rule */
START_TEST(test_today)
{
	static struct run r;
	const char *args[] = { "mrz", "--today", "1970-01-01", TD3_L1, TD3_L2, NULL };

	const char *unknown[] = { "mrz", "--json", "--today", "2026-11-29", TD3_L1,
		"L898902C36UTO7408<<7F1204159ZE184226B<<<<<10", NULL };

	run_egate(&r, NULL, args);
	ck_assert_int_eq(r.status, 0);
	/* from 1970, "74" is a birth in 1874 */
	ck_assert_ptr_nonnull(strstr(r.out, "1874-08-12"));

	/* a birth day marked unknown is reported as such */
	run_egate(&r, NULL, unknown);
	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "\"birth_date\":{\"raw\":\"7408<<\",\"year\":1974,"
	    "\"month\":8,\"day\":null,\"unknown\":[\"day\"]}"));
}
END_TEST

/* --device: the MRZ from an MRZ reader. Without one (no such device here;
 * the reader itself is tested under umockdev): exit 3, saying so. A spec no
 * backend takes, or LINE arguments with it: usage. */
START_TEST(test_device)
{
	static struct run r;
	const char *absent[] = { "mrz", "--device", "acm:1209:ffff", "--wait", "1", NULL };
	const char *bogus[] = { "mrz", "--device", "serial0", NULL };
	const char *badid[] = { "mrz", "--device", "acm:1209", NULL };
	const char *lines[] = { "mrz", "--device", "acm", TD3_L1, NULL };
	const char *badwait[] = { "mrz", "--device", "acm", "--wait", "x", NULL };

	run_egate(&r, NULL, absent);
	ck_assert_msg(r.status == 3, "exit %d: %s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "1209:FFFF") != NULL || strstr(r.err, "libusb unavailable") != NULL,
	    "%s", r.err);
	run_egate(&r, NULL, bogus);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "this build takes acm[:VID:PID], hid[:VID:PID]"));
	run_egate(&r, NULL, badid);
	ck_assert_int_eq(r.status, 2);
	run_egate(&r, NULL, lines);
	ck_assert_int_eq(r.status, 2);
	run_egate(&r, NULL, badwait);
	ck_assert_int_eq(r.status, 2);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cli-mrz");
	TCase *tc = tcase_create("egate mrz");

	tcase_add_test(tc, test_valid_args);
	tcase_add_test(tc, test_valid_one_arg_and_stdin);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_usage);
	tcase_add_test(tc, test_today);
	tcase_add_test(tc, test_device);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
