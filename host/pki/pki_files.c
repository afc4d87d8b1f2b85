/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pki_files.c — writing the CA's and the devices' files so that a failure
 * leaves nothing behind: every file goes to a temporary name beside its
 * final one and is put in place only when everything it depends on is
 * ready (pki_internal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/fileio.h"
#include "pki_internal.h"

void
pki_tmp_init(struct pki_tmp *t)
{
	t->tmp[0] = '\0';
	t->final[0] = '\0';
	t->made = false;
	t->placed = false;
}

/* the folder part of path, for messages ("." for a bare name) */
static void
parent_of(const char *path, char *out, size_t outsz)
{
	char buf[PKI_PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	snprintf(out, outsz, "%s", dirname(buf));
}

int
pki_tmp_write(struct pki_tmp *t, const char *final, const void *data, size_t len,
    mode_t mode, char *err, size_t errlen)
{
	char dir[PKI_PATH_MAX];
	int fd, e;

	pki_tmp_init(t);
	if (final == NULL || *final == '\0' || strlen(final) >= sizeof(t->final)) {
		eg_errbuf(err, errlen, "path is empty or too long");
		return EG_ERR_INVAL;
	}
	snprintf(t->final, sizeof(t->final), "%s", final);
	snprintf(t->tmp, sizeof(t->tmp), "%s.tmp-XXXXXX", final);
	if ((fd = mkstemp(t->tmp)) < 0) {
		e = errno;
		parent_of(final, dir, sizeof(dir));
		eg_errbuf(err, errlen, "cannot write %s: folder %s: %s", final, dir, strerror(e));
		return EG_ERR_IO;
	}
	t->made = true;
	if (fchmod(fd, mode) != 0 || eg_write_all(fd, data, len) != EG_OK || fsync(fd) != 0) {
		e = errno;
		close(fd);
		pki_tmp_discard(t);
		eg_errbuf(err, errlen, "cannot write %s: %s", final, strerror(e));
		return EG_ERR_IO;
	}
	if (close(fd) != 0) {
		e = errno;
		pki_tmp_discard(t);
		eg_errbuf(err, errlen, "cannot write %s: %s", final, strerror(e));
		return EG_ERR_IO;
	}
	return EG_OK;
}

int
pki_tmp_place_replace(struct pki_tmp *t, char *err, size_t errlen)
{
	if (!t->made)
		return EG_ERR_STATE;
	if (rename(t->tmp, t->final) != 0) {
		eg_errbuf(err, errlen, "cannot write %s: %s", t->final, strerror(errno));
		return EG_ERR_IO;
	}
	t->made = false;
	t->placed = true;
	pki_fsync_parent(t->final);
	return EG_OK;
}

int
pki_tmp_place_new(struct pki_tmp *t, char *err, size_t errlen)
{
	if (!t->made)
		return EG_ERR_STATE;
	/* never replace: the final name is claimed or we fail. rename with
	 * RENAME_NOREPLACE where the file system has it, else link() (which
	 * file systems without hard links, such as FAT on a USB stick, lack:
	 * there a check and a rename, which only a concurrent writer of the
	 * same name could race) */
	if (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->final, RENAME_NOREPLACE) == 0) {
		t->made = false;
	} else if (errno == EEXIST) {
		goto exists;
	} else if (link(t->tmp, t->final) == 0) {
		pki_tmp_discard(t);
	} else if (errno == EEXIST) {
		goto exists;
	} else if (errno != EPERM && errno != EOPNOTSUPP) {
		eg_errbuf(err, errlen, "cannot write %s: %s", t->final, strerror(errno));
		return EG_ERR_IO;
	} else if (pki_exists(t->final)) {
		goto exists;
	} else if (rename(t->tmp, t->final) == 0) {
		t->made = false;
	} else {
		eg_errbuf(err, errlen, "cannot write %s: %s", t->final, strerror(errno));
		return EG_ERR_IO;
	}
	t->placed = true;
	pki_fsync_parent(t->final);
	return EG_OK;
exists:
	eg_errbuf(err, errlen, "%s already exists; refusing to overwrite", t->final);
	return EG_ERR_STATE;
}

void
pki_tmp_discard(struct pki_tmp *t)
{
	if (t->made) {
		(void)unlink(t->tmp);
		t->made = false;
	}
}

void
pki_tmp_unplace(struct pki_tmp *t)
{
	if (t->placed) {
		(void)unlink(t->final);
		t->placed = false;
		pki_fsync_parent(t->final);
	}
}

void
pki_fsync_parent(const char *path)
{
	char dir[PKI_PATH_MAX];
	int fd;

	parent_of(path, dir, sizeof(dir));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
pki_write_new(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	struct pki_tmp t;
	int ret;

	if (pki_exists(path)) {
		eg_errbuf(err, errlen, "%s already exists; refusing to overwrite", path);
		return EG_ERR_STATE;
	}
	if ((ret = pki_tmp_write(&t, path, data, len, mode, err, errlen)) != EG_OK)
		return ret;
	ret = pki_tmp_place_new(&t, err, errlen);
	pki_tmp_discard(&t);
	return ret;
}

int
pki_write_replace(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	struct pki_tmp t;
	int ret;

	if ((ret = pki_tmp_write(&t, path, data, len, mode, err, errlen)) != EG_OK)
		return ret;
	ret = pki_tmp_place_replace(&t, err, errlen);
	pki_tmp_discard(&t);
	return ret;
}

bool
pki_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}
