/* SPDX-License-Identifier: Apache-2.0 */
/* config_rx.c — ConfigPush reassembly, verification and persistence on the
 * kiosk (see config_rx.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_rx.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/fileio.h"

struct config_rx {
	pthread_mutex_t mu;		/* pending */
	struct config_rx_item *pending;
	/* the configuration being reassembled (uplink thread only) */
	uint64_t version;
	uint32_t parts, next;
	uint8_t *part[POLICY_PARTS_MAX];
	size_t len[POLICY_PARTS_MAX];
	size_t total;
};

int
config_rx_new(struct config_rx **out)
{
	struct config_rx *rx;

	if (out == NULL)
		return EG_ERR_INVAL;
	if ((rx = calloc(1, sizeof(*rx))) == NULL)
		return EG_ERR_NOMEM;
	pthread_mutex_init(&rx->mu, NULL);
	*out = rx;
	return EG_OK;
}

static void
assembly_reset(struct config_rx *rx)
{
	for (uint32_t i = 0; i < rx->next; i++) {
		free(rx->part[i]);
		rx->part[i] = NULL;
		rx->len[i] = 0;
	}
	rx->version = 0;
	rx->parts = rx->next = 0;
	rx->total = 0;
}

void
config_rx_item_free(struct config_rx_item **itp)
{
	struct config_rx_item *it;

	if (itp == NULL || (it = *itp) == NULL)
		return;
	policy_clear(&it->policy);
	for (size_t i = 0; i < it->n; i++)
		free(it->part[i]);
	free(it->part);
	free(it->len);
	free(it);
	*itp = NULL;
}

void
config_rx_free(struct config_rx **rxp)
{
	struct config_rx *rx;

	if (rxp == NULL || (rx = *rxp) == NULL)
		return;
	assembly_reset(rx);
	config_rx_item_free(&rx->pending);
	pthread_mutex_destroy(&rx->mu);
	free(rx);
	*rxp = NULL;
}

/* Decode packed parts into an item; the item takes the part buffers on
 * success (*parts entries set to NULL). */
static int
item_make(uint8_t **parts, const size_t *lens, size_t n, struct config_rx_item **out,
    char *err, size_t errlen)
{
	struct config_rx_item *it = NULL;
	Egate__ConfigPush **cp = NULL;
	int rc = EG_ERR_NOMEM;

	if (n == 0 || n > POLICY_PARTS_MAX) {
		eg_errbuf(err, errlen, "%zu parts", n);
		return EG_ERR_FORMAT;
	}
	if ((cp = calloc(n, sizeof(*cp))) == NULL || (it = calloc(1, sizeof(*it))) == NULL ||
	    (it->part = calloc(n, sizeof(*it->part))) == NULL ||
	    (it->len = calloc(n, sizeof(*it->len))) == NULL)
		goto out;
	policy_init(&it->policy);
	rc = EG_ERR_FORMAT;
	for (size_t i = 0; i < n; i++) {
		if ((cp[i] = egate__config_push__unpack(NULL, lens[i], parts[i])) == NULL) {
			eg_errbuf(err, errlen, "part %zu does not decode", i);
			goto out;
		}
	}
	if ((rc = policy_decode((const Egate__ConfigPush *const *)cp, n, &it->policy, it->digest,
	    err, errlen)) != EG_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		it->part[i] = parts[i];
		it->len[i] = lens[i];
		parts[i] = NULL;
	}
	it->n = n;
	*out = it;
	it = NULL;
	rc = EG_OK;
out:
	for (size_t i = 0; cp != NULL && i < n; i++)
		if (cp[i] != NULL)
			egate__config_push__free_unpacked(cp[i], NULL);
	free(cp);
	config_rx_item_free(&it);
	return rc;
}

int
config_rx_feed(struct config_rx *rx, const Egate__ConfigPush *cp, uint64_t *version,
    char *detail, size_t cap)
{
	struct config_rx_item *it = NULL;
	uint32_t parts;
	size_t len;
	int rc = EG_ERR_INVAL;

	if (rx == NULL || cp == NULL)
		return EG_ERR_INVAL;
	if (version != NULL)
		*version = cp->version;
	parts = cp->parts > 1 ? cp->parts : 1;
	if (cp->part == 0) {
		assembly_reset(rx);	/* a new configuration replaces a partial one */
		if (parts > POLICY_PARTS_MAX) {
			eg_errbuf(detail, cap, "%u parts (at most %u)", parts, POLICY_PARTS_MAX);
			rc = EG_ERR_OVERFLOW;
			goto fail;
		}
		rx->version = cp->version;
		rx->parts = parts;
	} else if (rx->parts == 0 || cp->version != rx->version || cp->part != rx->next ||
	    parts != rx->parts) {
		eg_errbuf(detail, cap, "part %u of %u of version %llu out of order (expected part "
		    "%u of version %llu)", cp->part, parts, (unsigned long long)cp->version,
		    rx->next, (unsigned long long)rx->version);
		rc = EG_ERR_FORMAT;
		goto fail;
	}
	len = egate__config_push__get_packed_size(cp);
	if (rx->total + len > CONFIG_RX_MAX) {
		eg_errbuf(detail, cap, "configuration above %u bytes", CONFIG_RX_MAX);
		rc = EG_ERR_OVERFLOW;
		goto fail;
	}
	rc = EG_ERR_NOMEM;
	if ((rx->part[rx->next] = malloc(len ? len : 1)) == NULL)
		goto fail;
	egate__config_push__pack(cp, rx->part[rx->next]);
	rx->len[rx->next++] = len;
	rx->total += len;
	if (rx->next < rx->parts)
		return EG_ERR_TRUNCATED;
	if ((rc = item_make(rx->part, rx->len, rx->next, &it, detail, cap)) != EG_OK)
		goto fail;
	assembly_reset(rx);
	pthread_mutex_lock(&rx->mu);
	config_rx_item_free(&rx->pending);
	rx->pending = it;
	pthread_mutex_unlock(&rx->mu);
	return EG_OK;
fail:
	assembly_reset(rx);
	return rc;
}

struct config_rx_item *
config_rx_take(struct config_rx *rx)
{
	struct config_rx_item *it;

	if (rx == NULL)
		return NULL;
	pthread_mutex_lock(&rx->mu);
	it = rx->pending;
	rx->pending = NULL;
	pthread_mutex_unlock(&rx->mu);
	return it;
}

/* ---- the file ----------------------------------------------------------------- */

static int
put_be32(int fd, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return eg_write_all(fd, b, 4);
}

int
config_rx_persist(const struct config_rx_item *it, const char *path)
{
	char tmp[4096], dir[4096];
	char *slash;
	int fd = -1, dfd, rc = EG_ERR_INVAL;

	if (it == NULL || path == NULL || (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp))
		return EG_ERR_INVAL;
	rc = EG_ERR_IO;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return EG_ERR_IO;
	if (eg_write_all(fd, CONFIG_RX_MAGIC, 8) != EG_OK || put_be32(fd, (uint32_t)it->n) != EG_OK)
		goto out;
	for (size_t i = 0; i < it->n; i++)
		if (put_be32(fd, (uint32_t)it->len[i]) != EG_OK ||
		    eg_write_all(fd, it->part[i], it->len[i]) != EG_OK)
			goto out;
	if (fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return EG_OK;
out:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	return rc;
}

int
config_rx_parse(const uint8_t *buf, size_t len, struct config_rx_item **out, char *err,
    size_t errlen)
{
	struct eg_rbuf r = eg_rbuf_init(buf, len);
	uint8_t magic[8];
	uint8_t **parts = NULL;
	size_t *lens = NULL;
	uint32_t n = 0, i;
	int rc = EG_ERR_FORMAT;

	if (out == NULL || (buf == NULL && len > 0))
		return EG_ERR_INVAL;
	*out = NULL;
	if (len > CONFIG_RX_MAX) {
		eg_errbuf(err, errlen, "%s", "configuration file too large");
		return EG_ERR_OVERFLOW;
	}
	if (eg_rbuf_copy(&r, magic, 8) != EG_OK || memcmp(magic, CONFIG_RX_MAGIC, 8) != 0 ||
	    eg_rbuf_be32(&r, &n) != EG_OK || n == 0 || n > POLICY_PARTS_MAX) {
		eg_errbuf(err, errlen, "%s", "not a kiosk configuration file");
		return EG_ERR_FORMAT;
	}
	if ((parts = calloc(n, sizeof(*parts))) == NULL || (lens = calloc(n, sizeof(*lens))) == NULL) {
		rc = EG_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint32_t pl = 0;
		const uint8_t *p = NULL;

		if (eg_rbuf_be32(&r, &pl) != EG_OK || eg_rbuf_ptr(&r, pl, &p) != EG_OK) {
			eg_errbuf(err, errlen, "truncated at part %u", i);
			goto out;
		}
		if ((parts[i] = malloc(pl ? pl : 1)) == NULL) {
			rc = EG_ERR_NOMEM;
			goto out;
		}
		memcpy(parts[i], p, pl);
		lens[i] = pl;
	}
	if (eg_rbuf_left(&r) != 0) {
		eg_errbuf(err, errlen, "%s", "bytes after the last part");
		goto out;
	}
	rc = item_make(parts, lens, n, out, err, errlen);
out:
	for (i = 0; parts != NULL && i < n; i++)
		free(parts[i]);
	free(parts);
	free(lens);
	return rc;
}

int
config_rx_load(const char *path, struct config_rx_item **out, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, rc = EG_ERR_IO;

	if (path == NULL || out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		eg_errbuf(err, errlen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? EG_ERR_NOT_FOUND : EG_ERR_IO;
	}
	if (fstat(fd, &st) != 0)
		goto out;
	if ((uint64_t)st.st_size > CONFIG_RX_MAX) {
		eg_errbuf(err, errlen, "%s: too large", path);
		rc = EG_ERR_OVERFLOW;
		goto out;
	}
	rc = EG_ERR_NOMEM;
	if ((buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL)
		goto out;
	rc = EG_ERR_IO;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	rc = config_rx_parse(buf, got, out, err, errlen);
out:
	free(buf);
	close(fd);
	return rc;
}
