/* SPDX-License-Identifier: Apache-2.0 */
/* keyfile.c — see egate/keyfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/keyfile.h"
#include "egate/secure.h"

int
eg_key_stat_check(const struct stat *st, uid_t euid, const char *path,
    char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		eg_errbuf(err, errlen, "private key %s is not a regular file", path);
		return EG_ERR_FORMAT;
	}
	/* root reads every file anyway; it may use a key that belongs to the
	 * service user (egate pki csr on a kiosk's key, run by the installer) */
	if (euid != 0 && st->st_uid != euid && st->st_uid != 0) {
		eg_errbuf(err, errlen, "private key %s is owned by uid %u, not by this user "
		    "(uid %u) or root; fix: chown %u %s", path, (unsigned)st->st_uid,
		    (unsigned)euid, (unsigned)euid, path);
		return EG_ERR_PERM;
	}
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		eg_errbuf(err, errlen, "private key %s is accessible by group or others "
		    "(mode %04o); refused; fix: chmod 600 %s", path,
		    (unsigned)(st->st_mode & 07777), path);
		return EG_ERR_PERM;
	}
	return EG_OK;
}

int
eg_key_fd_check(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		eg_errbuf(err, errlen, "private key %s: %s", path, strerror(errno));
		return EG_ERR_IO;
	}
	return eg_key_stat_check(&st, geteuid(), path, err, errlen);
}

int
eg_key_file_check(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		eg_errbuf(err, errlen, "cannot read private key %s: %s", path, strerror(errno));
		return EG_ERR_IO;
	}
	return eg_key_stat_check(&st, geteuid(), path, err, errlen);
}

int
eg_key_file_read(const char *path, size_t max, char **out, size_t *len,
    char *err, size_t errlen)
{
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, ret;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		eg_errbuf(err, errlen, "cannot read private key %s: %s", path, strerror(errno));
		return EG_ERR_IO;
	}
	if ((ret = eg_key_fd_check(fd, path, err, errlen)) != EG_OK)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((buf = malloc(max + 1)) == NULL)
		goto out;
	while (n <= max && (r = read(fd, buf + n, max + 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			eg_errbuf(err, errlen, "cannot read private key %s: %s", path, strerror(errno));
			ret = EG_ERR_IO;
			goto out;
		}
		n += (size_t)r;
	}
	if (n > max) {
		eg_errbuf(err, errlen, "private key %s is larger than %zu bytes", path, max);
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	if (memchr(buf, '\0', n) != NULL) {
		eg_errbuf(err, errlen, "private key %s holds a NUL byte: not a PEM file", path);
		ret = EG_ERR_FORMAT;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	ret = EG_OK;
out:
	eg_secret_free(&buf, max + 1);
	close(fd);
	return ret;
}
