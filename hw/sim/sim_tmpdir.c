/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_tmpdir.c — the simulation runner's scratch folders (sim_tmpdir.h).
 */
#define _XOPEN_SOURCE 700

#include "sim_tmpdir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "egate/error.h"

int
sim_tmpdir_path(char *buf, size_t cap, const char *name)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	n = snprintf(buf, cap, "%s/%s.XXXXXX", base, name);
	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0)
			buf[0] = '\0';
		return EG_ERR_OVERFLOW;
	}
	return EG_OK;
}

int
sim_tmpdir_make(char *buf, size_t cap, const char *name)
{
	int ret = sim_tmpdir_path(buf, cap, name);

	if (ret != EG_OK)
		return ret;
	if (mkdtemp(buf) == NULL) {
		buf[0] = '\0';
		return EG_ERR_IO;
	}
	return EG_OK;
}

/* every entry, the folder itself last (FTW_DEPTH); a failure does not stop
 * the walk: what can go, goes, and sim_tmpdir_remove checks the result */
static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

int
sim_tmpdir_remove(const char *dir)
{
	if (dir == NULL || dir[0] == '\0')
		return EG_OK;
	(void)nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	return access(dir, F_OK) != 0 && errno == ENOENT ? EG_OK : EG_ERR_IO;
}
