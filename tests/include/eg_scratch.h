/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eg_scratch.h — one scratch folder for a Check suite's test case, made and
 * removed in the runner's own process, whatever its tests do.
 *
 * Check forks per test: a test that fails an assertion, times out or aborts
 * (by design, as the libusb 1.0.26 unplug-close case does) ends its process
 * before its own clean-up. Add the pair as an unchecked fixture:
 *
 *	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
 *
 * eg_scratch_setup makes "$TMPDIR/<program>.XXXXXX" (/tmp when TMPDIR is
 * unset; <program> the test executable's name) and points TMPDIR into it,
 * so every folder the tests make under $TMPDIR (with sim_tmpdir_make, or
 * umockdev's testbed) lands there; eg_scratch_teardown puts TMPDIR back and
 * removes the folder with everything in it. Check calls fixtures without
 * arguments, so the state is this header's (one per test executable; the
 * fixture is not reentrant). Needs hw/sim/sim_tmpdir.c and the hw/sim
 * include folder: tests/meson.build's eg_scratch_dep.
 *
 * A test makes its own folders and files in there with eg_scratch_mkdir and
 * eg_scratch_mkstemp (under $TMPDIR, whichever it is).
 */
#ifndef EG_SCRATCH_H
#define EG_SCRATCH_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "sim_tmpdir.h"

static struct {
	char dir[256];
	char *tmpdir_was;	/* owned copy; NULL: TMPDIR was unset */
} eg_scratch;

static void
eg_scratch_setup(void)
{
	const char *was = getenv("TMPDIR");
	int ret;

	ret = sim_tmpdir_make(eg_scratch.dir, sizeof(eg_scratch.dir),
	    program_invocation_short_name);
	ck_assert_msg(ret == EG_OK, "scratch folder under $TMPDIR: %s", eg_err_name(ret));
	if (was != NULL) {
		eg_scratch.tmpdir_was = strdup(was);
		ck_assert_ptr_nonnull(eg_scratch.tmpdir_was);
	}
	ck_assert_int_eq(setenv("TMPDIR", eg_scratch.dir, 1), 0);
}

static void
eg_scratch_teardown(void)
{
	int ret;

	if (eg_scratch.tmpdir_was != NULL)
		ck_assert_int_eq(setenv("TMPDIR", eg_scratch.tmpdir_was, 1), 0);
	else
		ck_assert_int_eq(unsetenv("TMPDIR"), 0);
	free(eg_scratch.tmpdir_was);
	eg_scratch.tmpdir_was = NULL;
	ret = sim_tmpdir_remove(eg_scratch.dir);
	ck_assert_msg(ret == EG_OK, "%s not removed", eg_scratch.dir);
}

/*
 * eg_scratch_mkdir — a new folder "$TMPDIR/NAME.XXXXXX" (sim_tmpdir_make),
 * its path in buf (cap bytes); the test fails when it cannot be made. The
 * caller removes it (the fixture's teardown removes what is left).
 */
static inline void
eg_scratch_mkdir(char *buf, size_t cap, const char *name)
{
	int ret = sim_tmpdir_make(buf, cap, name);

	ck_assert_msg(ret == EG_OK, "%s under $TMPDIR: %s", name, eg_err_name(ret));
}

/*
 * eg_scratch_mkstemp — a new file "$TMPDIR/NAME.XXXXXX" (mkstemp, mode 0600),
 * its path in buf (cap bytes); returns the open descriptor, which the caller
 * closes. The test fails when it cannot be made.
 */
static inline int
eg_scratch_mkstemp(char *buf, size_t cap, const char *name)
{
	int fd;

	ck_assert_msg(sim_tmpdir_path(buf, cap, name) == EG_OK, "%s under $TMPDIR: path too long",
	    name);
	fd = mkstemp(buf);
	ck_assert_msg(fd >= 0, "%s: %s", buf, strerror(errno));
	return fd;
}

#endif
