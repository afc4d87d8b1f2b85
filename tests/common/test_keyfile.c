/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private-key file rule (egate/keyfile.h): regular file, owned by the
 * running user or root, nothing for group or others. The rule itself is
 * checked on made-up stat results (so the ownership cases run whoever runs
 * the tests), the file functions on real files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/keyfile.h"
#include "egate/secure.h"
#include "eg_check.h"
#include "eg_scratch.h"

static char dir[160];

static void
setup(void)
{
	eg_scratch_mkdir(dir, sizeof(dir), "egate-keyfile");
}

static void
teardown(void)
{
	char cmd[192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *
make(const char *name, const char *text, mode_t mode)
{
	static char path[8][224];
	static int slot;
	char *p = path[slot++ % 8];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(p, mode), 0);
	return p;
}

static struct stat
fake(mode_t mode, uid_t uid)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	return st;
}

START_TEST(test_rule)
{
	char err[300];
	struct stat st;

	/* owner-only modes pass, for the owner and for root-owned files */
	st = fake(S_IFREG | 0600, 1000);
	ck_assert_eg(eg_key_stat_check(&st, 1000, "k", err, sizeof(err)), EG_OK);
	st = fake(S_IFREG | 0400, 1000);
	ck_assert_eg(eg_key_stat_check(&st, 1000, "k", err, sizeof(err)), EG_OK);
	st = fake(S_IFREG | 0600, 0);
	ck_assert_eg(eg_key_stat_check(&st, 1000, "k", err, sizeof(err)), EG_OK);
	/* any bit for group or others is refused, with the mode and the fix */
	static const mode_t loose[] = { 0644, 0640, 0604, 0660, 0606, 0610, 0601, 0620, 0602, 0777 };
	for (size_t i = 0; i < sizeof(loose) / sizeof(loose[0]); i++) {
		st = fake(S_IFREG | loose[i], 1000);
		err[0] = '\0';
		ck_assert_eg(eg_key_stat_check(&st, 1000, "/etc/egate/kiosk.key", err, sizeof(err)),
		    EG_ERR_PERM);
		ck_assert_ptr_nonnull(strstr(err, "/etc/egate/kiosk.key"));
		ck_assert_ptr_nonnull(strstr(err, "chmod 600 /etc/egate/kiosk.key"));
	}
	st = fake(S_IFREG | 0644, 1000);
	ck_assert_eg(eg_key_stat_check(&st, 1000, "k", err, sizeof(err)), EG_ERR_PERM);
	ck_assert_ptr_nonnull(strstr(err, "mode 0644"));
	/* root-owned but readable by others: the mode still counts */
	st = fake(S_IFREG | 0644, 0);
	ck_assert_eg(eg_key_stat_check(&st, 0, "k", err, sizeof(err)), EG_ERR_PERM);
	/* another user's key: refused, naming both uids */
	st = fake(S_IFREG | 0600, 1001);
	ck_assert_eg(eg_key_stat_check(&st, 1000, "k", err, sizeof(err)), EG_ERR_PERM);
	ck_assert_ptr_nonnull(strstr(err, "uid 1001"));
	ck_assert_ptr_nonnull(strstr(err, "uid 1000"));
	/* ... except for root, which may use the service user's key */
	ck_assert_eg(eg_key_stat_check(&st, 0, "k", err, sizeof(err)), EG_OK);
	/* not a regular file */
	st = fake(S_IFDIR | 0700, 1000);
	ck_assert_eg(eg_key_stat_check(&st, 1000, "k", err, sizeof(err)), EG_ERR_FORMAT);
	st = fake(S_IFIFO | 0600, 1000);
	ck_assert_eg(eg_key_stat_check(&st, 1000, "k", err, sizeof(err)), EG_ERR_FORMAT);
	/* err may be NULL */
	st = fake(S_IFREG | 0644, 1000);
	ck_assert_eg(eg_key_stat_check(&st, 1000, "k", NULL, 0), EG_ERR_PERM);
}
END_TEST

START_TEST(test_files)
{
	const char *good = make("good.key", "-----BEGIN EC PRIVATE KEY-----\n", 0600);
	const char *ro = make("ro.key", "x", 0400);
	const char *open_ = make("open.key", "x", 0644);
	const char *grp = make("grp.key", "x", 0640);
	char err[300], path[224];

	ck_assert_eg(eg_key_file_check(good, err, sizeof(err)), EG_OK);
	ck_assert_eg(eg_key_file_check(ro, err, sizeof(err)), EG_OK);
	ck_assert_eg(eg_key_file_check(open_, err, sizeof(err)), EG_ERR_PERM);
	ck_assert_ptr_nonnull(strstr(err, "mode 0644"));
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	ck_assert_eg(eg_key_file_check(grp, err, sizeof(err)), EG_ERR_PERM);
	snprintf(path, sizeof(path), "%s/missing.key", dir);
	ck_assert_eg(eg_key_file_check(path, err, sizeof(err)), EG_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err, "missing.key"));
	ck_assert_eg(eg_key_file_check(dir, err, sizeof(err)), EG_ERR_FORMAT);
	/* a symbolic link is judged by the file it names */
	snprintf(path, sizeof(path), "%s/link.key", dir);
	ck_assert_int_eq(symlink(open_, path), 0);
	ck_assert_eg(eg_key_file_check(path, err, sizeof(err)), EG_ERR_PERM);
	/* fixing the mode is enough */
	ck_assert_int_eq(chmod(open_, 0600), 0);
	ck_assert_eg(eg_key_file_check(open_, err, sizeof(err)), EG_OK);
	ck_assert_eg(eg_key_file_check(path, err, sizeof(err)), EG_OK);
	{
		int fd = open(grp, O_RDONLY);
		ck_assert_int_ge(fd, 0);
		ck_assert_eg(eg_key_fd_check(fd, grp, err, sizeof(err)), EG_ERR_PERM);
		close(fd);
	}
}
END_TEST

START_TEST(test_read)
{
	const char *good = make("good.key", "PEM TEXT\n", 0600);
	const char *open_ = make("open.key", "PEM TEXT\n", 0604);
	char err[300], *buf = NULL;
	size_t len = 0;

	ck_assert_eg(eg_key_file_read(good, 1024, &buf, &len, err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(len, 9);
	ck_assert_str_eq(buf, "PEM TEXT\n");
	eg_secret_free(&buf, len + 1);
	/* refused before a byte is read */
	ck_assert_eg(eg_key_file_read(open_, 1024, &buf, &len, err, sizeof(err)), EG_ERR_PERM);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 0);
	/* size limit and NUL bytes */
	ck_assert_eg(eg_key_file_read(good, 8, &buf, &len, err, sizeof(err)), EG_ERR_OVERFLOW);
	ck_assert_ptr_null(buf);
	ck_assert_eg(eg_key_file_read(good, 9, &buf, &len, err, sizeof(err)), EG_OK);
	eg_secret_free(&buf, len + 1);
	{
		char path[224];
		FILE *f;
		snprintf(path, sizeof(path), "%s/nul.key", dir);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fwrite("ab\0cd", 1, 5, f);
		fclose(f);
		ck_assert_int_eq(chmod(path, 0600), 0);
		ck_assert_eg(eg_key_file_read(path, 1024, &buf, &len, err, sizeof(err)), EG_ERR_FORMAT);
		ck_assert_ptr_null(buf);
	}
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("keyfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, test_rule);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_read);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
