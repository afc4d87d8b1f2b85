/* SPDX-License-Identifier: Apache-2.0 */
/* audit_keys.c — reading the audit store's key files (see audit.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "egate/error.h"
#include "egate/hex.h"
#include "egate/keyfile.h"
#include "egate/secure.h"

#define KEYFILE_MAX (64 * 1024)
#define HMAC_KEY_MAX 256

/* Read a whole small file into a wiped-on-free, NUL-terminated buffer. */
static int
read_small(const char *path, bool private_key, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, ret = EG_ERR_IO, saved = 0;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return EG_ERR_IO;
	if (fstat(fd, &st) != 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	/* the rule every private key follows (egate/keyfile.h): EG_ERR_PERM */
	if (private_key && (ret = eg_key_fd_check(fd, path, NULL, 0)) != EG_OK)
		goto out;
	ret = EG_ERR_IO;
	if (st.st_size > KEYFILE_MAX) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	buf = malloc(KEYFILE_MAX + 1);
	if (buf == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	while (n <= KEYFILE_MAX && (r = read(fd, buf + n, KEYFILE_MAX + 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		n += (size_t)r;
	}
	if (n > KEYFILE_MAX) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	if (memchr(buf, '\0', n) != NULL) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	ret = EG_OK;
out:
	saved = errno;
	eg_secret_free(&buf, KEYFILE_MAX + 1);
	close(fd);
	errno = saved;
	return ret;
}

int
audit_pem_load(const char *path, bool private_key, char **pem, size_t *len)
{
	if (pem != NULL)
		*pem = NULL;
	if (path == NULL || pem == NULL || len == NULL)
		return EG_ERR_INVAL;
	return read_small(path, private_key, pem, len);
}

int
audit_hmac_key_load(const char *path, uint8_t **key, size_t *len)
{
	uint8_t tmp[HMAC_KEY_MAX];
	char *text = NULL;
	size_t tlen = 0, klen = 0;
	int ret;

	if (key != NULL)
		*key = NULL;
	if (path == NULL || key == NULL || len == NULL)
		return EG_ERR_INVAL;
	*len = 0;
	ret = read_small(path, true, &text, &tlen);
	if (ret != EG_OK)
		return ret;
	ret = EG_ERR_FORMAT;
	if (eg_hex_decode(text, tmp, sizeof(tmp), &klen) != EG_OK || klen < AUDIT_HMAC_KEY_MIN)
		goto out;
	ret = EG_ERR_NOMEM;
	*key = malloc(klen);
	if (*key == NULL)
		goto out;
	memcpy(*key, tmp, klen);
	*len = klen;
	ret = EG_OK;
out:
	eg_memzero(tmp, sizeof(tmp));
	eg_secret_free(&text, tlen + 1);
	return ret;
}
