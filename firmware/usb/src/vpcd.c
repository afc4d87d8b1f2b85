/* SPDX-License-Identifier: Apache-2.0 */
/* vpcd.c — the reader side of the vsmartcard vpcd protocol (see vpcd.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/vpcd.h"

struct vpcd {
	int lfd;		/* listening socket */
	int cfd;		/* the card's connection, -1 when none */
	uint16_t port;
	unsigned timeout_ms;
};

int
vpcd_new(struct vpcd **out, uint16_t port, unsigned timeout_ms)
{
	struct sockaddr_in sa;
	socklen_t slen = sizeof(sa);
	struct vpcd *v = NULL;
	int one = 1;
	int ret = EG_ERR_INVAL;

	if (out == NULL)
		goto out;
	*out = NULL;
	ret = EG_ERR_NOMEM;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		goto out;
	v->cfd = -1;
	v->lfd = -1;
	v->timeout_ms = timeout_ms != 0 ? timeout_ms : 5000;
	ret = EG_ERR_IO;
	v->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (v->lfd < 0)
		goto out;
	(void)setsockopt(v->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(v->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(v->lfd, 1) != 0 ||
	    getsockname(v->lfd, (struct sockaddr *)&sa, &slen) != 0)
		goto out;
	v->port = ntohs(sa.sin_port);
	*out = v;
	v = NULL;
	ret = EG_OK;
out:
	vpcd_free(&v);
	return ret;
}

int
vpcd_attach_fd(struct vpcd **out, int fd, unsigned timeout_ms)
{
	struct vpcd *v;

	if (out == NULL || fd < 0) {
		if (fd >= 0)
			close(fd);
		return EG_ERR_INVAL;
	}
	*out = NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		close(fd);
		return EG_ERR_NOMEM;
	}
	v->lfd = -1;
	v->cfd = fd;
	v->timeout_ms = timeout_ms != 0 ? timeout_ms : 5000;
	*out = v;
	return EG_OK;
}

static void
vpcd_hangup(struct vpcd *v)
{
	if (v->cfd >= 0)
		close(v->cfd);
	v->cfd = -1;
}

void
vpcd_free(struct vpcd **pv)
{
	struct vpcd *v;

	if (pv == NULL || *pv == NULL)
		return;
	v = *pv;
	vpcd_hangup(v);
	if (v->lfd >= 0)
		close(v->lfd);
	free(v);
	*pv = NULL;
}

uint16_t
vpcd_port(const struct vpcd *v)
{
	return v->port;
}

int
vpcd_connected(const struct vpcd *v)
{
	return v != NULL && v->cfd >= 0;
}

static int
vpcd_wait(int fd, short events, unsigned timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, (int)timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return EG_ERR_IO;
	if (r == 0)
		return EG_ERR_TIMEOUT;
	return EG_OK;
}

int
vpcd_accept(struct vpcd *v, unsigned timeout_ms)
{
	int fd, one = 1, ret;

	if (v == NULL)
		return EG_ERR_INVAL;
	if (v->lfd < 0)
		return EG_ERR_STATE;
	if ((ret = vpcd_wait(v->lfd, POLLIN, timeout_ms)) != EG_OK)
		return ret;
	fd = accept4(v->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return EG_ERR_IO;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	vpcd_hangup(v);
	v->cfd = fd;
	return EG_OK;
}

/* Exactly n bytes, each wait bounded by the timeout. */
static int
vpcd_read_n(struct vpcd *v, uint8_t *p, size_t n)
{
	int ret;

	while (n > 0) {
		ssize_t r;

		if ((ret = vpcd_wait(v->cfd, POLLIN, v->timeout_ms)) != EG_OK)
			return ret;
		r = recv(v->cfd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return EG_ERR_IO;
		if (r == 0)
			return EG_ERR_CLOSED;
		p += r;
		n -= (size_t)r;
	}
	return EG_OK;
}

static int
vpcd_write_n(struct vpcd *v, const uint8_t *p, size_t n)
{
	int ret;

	while (n > 0) {
		ssize_t r;

		if ((ret = vpcd_wait(v->cfd, POLLOUT, v->timeout_ms)) != EG_OK)
			return ret;
		r = send(v->cfd, p, n, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EPIPE || errno == ECONNRESET ?
			    EG_ERR_CLOSED : EG_ERR_IO;
		p += r;
		n -= (size_t)r;
	}
	return EG_OK;
}

/* A connection that failed mid-message cannot be resynchronised: drop it. */
static int
vpcd_fail(struct vpcd *v, int err)
{
	vpcd_hangup(v);
	return err;
}

static int
vpcd_send(struct vpcd *v, const uint8_t *msg, size_t len)
{
	uint8_t hdr[2];
	int ret;

	if (v->cfd < 0)
		return EG_ERR_NO_CARD;
	if (len == 0 || len > VPCD_MAX_MSG)
		return EG_ERR_INVAL;
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
	if ((ret = vpcd_write_n(v, hdr, 2)) != EG_OK ||
	    (ret = vpcd_write_n(v, msg, len)) != EG_OK)
		return vpcd_fail(v, ret);
	return EG_OK;
}

static int
vpcd_recv(struct vpcd *v, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t hdr[2];
	size_t n;
	int ret;

	*len = 0;
	if ((ret = vpcd_read_n(v, hdr, 2)) != EG_OK)
		return vpcd_fail(v, ret);
	n = (size_t)hdr[0] << 8 | hdr[1];
	if (n == 0)
		return vpcd_fail(v, EG_ERR_PROTOCOL);
	if (n > cap)
		return vpcd_fail(v, EG_ERR_OVERFLOW);
	if ((ret = vpcd_read_n(v, buf, n)) != EG_OK)
		return vpcd_fail(v, ret);
	*len = n;
	return EG_OK;
}

static int
vpcd_ctrl(struct vpcd *v, uint8_t code)
{
	return vpcd_send(v, &code, 1);
}

int
vpcd_get_atr(struct vpcd *v, uint8_t *atr, size_t cap, size_t *atr_len)
{
	int ret;

	if (v == NULL || atr == NULL || atr_len == NULL)
		return EG_ERR_INVAL;
	*atr_len = 0;
	if ((ret = vpcd_ctrl(v, VPCD_CTRL_ATR)) != EG_OK)
		return ret;
	return vpcd_recv(v, atr, cap, atr_len);
}

int
vpcd_power_on(struct vpcd *v, uint8_t *atr, size_t cap, size_t *atr_len)
{
	int ret;

	if (v == NULL || atr == NULL || atr_len == NULL)
		return EG_ERR_INVAL;
	*atr_len = 0;
	if ((ret = vpcd_ctrl(v, VPCD_CTRL_ON)) != EG_OK)
		return ret;
	return vpcd_get_atr(v, atr, cap, atr_len);
}

int
vpcd_power_off(struct vpcd *v)
{
	if (v == NULL)
		return EG_ERR_INVAL;
	return vpcd_ctrl(v, VPCD_CTRL_OFF);
}

int
vpcd_transmit(struct vpcd *v, const uint8_t *capdu, size_t clen,
    uint8_t *rapdu, size_t cap, size_t *rlen)
{
	int ret;

	if (v == NULL || capdu == NULL || rapdu == NULL || rlen == NULL)
		return EG_ERR_INVAL;
	*rlen = 0;
	/* A 1-byte message would be read as a control code. */
	if (clen < 4)
		return EG_ERR_INVAL;
	if ((ret = vpcd_send(v, capdu, clen)) != EG_OK)
		return ret;
	ret = vpcd_recv(v, rapdu, cap, rlen);
	if (ret == EG_OK && *rlen < 2) {
		*rlen = 0;
		ret = vpcd_fail(v, EG_ERR_PROTOCOL);
	}
	return ret;
}
