/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_vpcd.c — the vpcd reader over a real loopback socket, with a thread
 * playing the card the way vsmartcard's vicc does (connects to the reader,
 * answers control code 04 with the ATR and APDUs with responses). The card
 * behind it is the echo/file test card of hw/sim/.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eg_check.h"
#include "egate/error.h"
#include "egate/vpcd.h"
#include "sim_card.h"

enum card_mode {
	CARD_NORMAL,
	CARD_HANGUP_ON_APDU,	/* closes the socket instead of answering */
	CARD_EMPTY_REPLY,	/* answers an APDU with a 0-length message */
	CARD_HUGE_REPLY,	/* answers with 4000 bytes */
};

struct card_thread {
	pthread_t th;
	uint16_t port;
	enum card_mode mode;
	unsigned power_ons, power_offs, apdus;
	int fd;
};

static int
read_n(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
send_msg(int fd, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	if (send(fd, hdr, 2, MSG_NOSIGNAL) != 2)
		return -1;
	if (n > 0 && send(fd, p, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -1;
	return 0;
}

static void *
card_main(void *arg)
{
	struct card_thread *ct = arg;
	struct sim_echo_card *card = NULL;
	struct sockaddr_in sa;
	uint8_t *msg = malloc(70000), *rsp = malloc(70000);
	int fd;

	if (sim_echo_card_new(&card) != EG_OK || msg == NULL || rsp == NULL)
		goto out;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(ct->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out_fd;
	ct->fd = fd;
	for (;;) {
		uint8_t hdr[2];
		size_t n, rlen = 0;

		if (read_n(fd, hdr, 2) != 0)
			break;
		n = (size_t)hdr[0] << 8 | hdr[1];
		if (n == 0 || read_n(fd, msg, n) != 0)
			break;
		if (n == 1) {
			if (msg[0] == VPCD_CTRL_ON)
				ct->power_ons++;
			if (msg[0] == VPCD_CTRL_OFF)
				ct->power_offs++;
			if (msg[0] == VPCD_CTRL_ATR) {
				if (sim_echo_card_ops.power_on(card, rsp, 64,
				    &rlen) != EG_OK || send_msg(fd, rsp, rlen))
					break;
			}
			continue;
		}
		ct->apdus++;
		if (ct->mode == CARD_HANGUP_ON_APDU)
			break;
		if (ct->mode == CARD_EMPTY_REPLY) {
			if (send_msg(fd, NULL, 0) != 0)
				break;
			continue;
		}
		if (ct->mode == CARD_HUGE_REPLY) {
			memset(rsp, 0x55, 4000);
			if (send_msg(fd, rsp, 4000) != 0)
				break;
			continue;
		}
		if (sim_echo_card_ops.apdu(card, msg, n, rsp, 70000, &rlen) != EG_OK ||
		    send_msg(fd, rsp, rlen) != 0)
			break;
	}
out_fd:
	close(fd);
out:
	sim_echo_card_free(&card);
	free(msg);
	free(rsp);
	return NULL;
}

static void
card_start(struct card_thread *ct, struct vpcd *v, enum card_mode mode)
{
	memset(ct, 0, sizeof(*ct));
	ct->port = vpcd_port(v);
	ct->mode = mode;
	ck_assert_int_eq(pthread_create(&ct->th, NULL, card_main, ct), 0);
	ck_assert_eg(vpcd_accept(v, 5000), EG_OK);
	ck_assert_int_eq(vpcd_connected(v), 1);
}

START_TEST(test_atr_and_apdus)
{
	static const uint8_t sel_aid[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0,
	    0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
	static const uint8_t sel_com[] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01,
	    0x1E };
	static const uint8_t rb[] = { 0x00, 0xB0, 0x00, 0x00, 0x16 };
	struct vpcd *v;
	struct card_thread ct;
	uint8_t atr[64], r[4000], c[3000];
	size_t n, i;

	ck_assert_eg(vpcd_new(&v, 0, 5000), EG_OK);
	ck_assert_uint_ne(vpcd_port(v), 0);
	card_start(&ct, v, CARD_NORMAL);
	ck_assert_eg(vpcd_power_on(v, atr, sizeof(atr), &n), EG_OK);
	ck_assert_uint_eq(n, 13);
	ck_assert_uint_eq(atr[0], 0x3B);
	ck_assert_eg(vpcd_transmit(v, sel_aid, sizeof(sel_aid), r, sizeof(r), &n),
	    EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r[0], 0x90);
	ck_assert_eg(vpcd_transmit(v, sel_com, sizeof(sel_com), r, sizeof(r), &n),
	    EG_OK);
	ck_assert_eg(vpcd_transmit(v, rb, sizeof(rb), r, sizeof(r), &n), EG_OK);
	ck_assert_uint_eq(n, 24);
	ck_assert_uint_eq(r[0], 0x60);
	ck_assert_uint_eq(r[22], 0x90);
	/* a 2000-byte extended APDU both ways */
	c[0] = 0x80; c[1] = 0x10; c[2] = 0; c[3] = 0; c[4] = 0; c[5] = 0x07;
	c[6] = 0xD0;
	for (i = 0; i < 2000; i++)
		c[7 + i] = (uint8_t)i;
	c[2007] = 0; c[2008] = 0;
	ck_assert_eg(vpcd_transmit(v, c, 2009, r, sizeof(r), &n), EG_OK);
	ck_assert_uint_eq(n, 2002);
	ck_assert_mem_eq(r, c + 7, 2000);
	/* too small a buffer: overflow, and the connection is dropped */
	ck_assert_eg(vpcd_transmit(v, c, 2009, r, 100, &n), EG_ERR_OVERFLOW);
	ck_assert_int_eq(vpcd_connected(v), 0);
	ck_assert_eg(vpcd_transmit(v, sel_aid, sizeof(sel_aid), r, sizeof(r), &n),
	    EG_ERR_NO_CARD);
	pthread_join(ct.th, NULL);
	ck_assert_uint_eq(ct.power_ons, 1);
	ck_assert_uint_eq(ct.apdus, 5);
	/* the next card connects and works */
	card_start(&ct, v, CARD_NORMAL);
	ck_assert_eg(vpcd_get_atr(v, atr, sizeof(atr), &n), EG_OK);
	ck_assert_eg(vpcd_transmit(v, sel_aid, sizeof(sel_aid), r, sizeof(r), &n),
	    EG_OK);
	ck_assert_eg(vpcd_power_off(v), EG_OK);
	ck_assert_eg(vpcd_transmit(v, sel_aid, 3, r, sizeof(r), &n), EG_ERR_INVAL);
	vpcd_free(&v);
	ck_assert_ptr_null(v);
	pthread_join(ct.th, NULL);
	ck_assert_uint_eq(ct.power_offs, 1);
}
END_TEST

START_TEST(test_card_hangs_up)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x01, 0xA0 };
	struct vpcd *v;
	struct card_thread ct;
	uint8_t r[64];
	size_t n;

	ck_assert_eg(vpcd_new(&v, 0, 2000), EG_OK);
	card_start(&ct, v, CARD_HANGUP_ON_APDU);
	ck_assert_eg(vpcd_transmit(v, sel, sizeof(sel), r, sizeof(r), &n),
	    EG_ERR_CLOSED);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(vpcd_connected(v), 0);
	pthread_join(ct.th, NULL);
	card_start(&ct, v, CARD_EMPTY_REPLY);
	ck_assert_eg(vpcd_transmit(v, sel, sizeof(sel), r, sizeof(r), &n),
	    EG_ERR_PROTOCOL);
	vpcd_free(&v);
	pthread_join(ct.th, NULL);
}
END_TEST

START_TEST(test_no_card_and_timeouts)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x01, 0xA0 };
	struct vpcd *v, *v2;
	uint8_t r[64];
	size_t n;

	ck_assert_eg(vpcd_new(&v, 0, 200), EG_OK);
	ck_assert_eg(vpcd_transmit(v, sel, sizeof(sel), r, sizeof(r), &n),
	    EG_ERR_NO_CARD);
	ck_assert_eg(vpcd_power_on(v, r, sizeof(r), &n), EG_ERR_NO_CARD);
	ck_assert_eg(vpcd_accept(v, 50), EG_ERR_TIMEOUT);
	/* the port is taken: a second reader on it fails cleanly */
	ck_assert_eg(vpcd_new(&v2, vpcd_port(v), 200), EG_ERR_IO);
	ck_assert_ptr_null(v2);
	vpcd_free(&v);
	vpcd_free(&v);
}
END_TEST

/* A reader over a socket it did not open itself. */
START_TEST(test_attach_fd)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x01, 0xA0 };
	static const uint8_t card[] = { 0x00, 0x02, 0x3B, 0x00,	/* ATR */
	    0x00, 0x02, 0x90, 0x00 };				/* 9000 */
	struct vpcd *v;
	uint8_t atr[8], r[8], sent[32];
	size_t n;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write(sv[1], card, sizeof(card)), (int)sizeof(card));
	ck_assert_eg(vpcd_attach_fd(&v, sv[0], 500), EG_OK);
	ck_assert_uint_eq(vpcd_port(v), 0);
	ck_assert_eg(vpcd_accept(v, 10), EG_ERR_STATE);
	ck_assert_eg(vpcd_power_on(v, atr, sizeof(atr), &n), EG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_eg(vpcd_transmit(v, sel, sizeof(sel), r, sizeof(r), &n), EG_OK);
	ck_assert_uint_eq(r[0], 0x90);
	/* what the card received: ON, ATR request, the APDU, each framed */
	ck_assert_int_eq(read(sv[1], sent, sizeof(sent)), 3 + 3 + 2 + 6);
	ck_assert_mem_eq(sent, "\x00\x01\x01\x00\x01\x04\x00\x06", 8);
	ck_assert_mem_eq(sent + 8, sel, sizeof(sel));
	/* the card closes: next call sees it */
	close(sv[1]);
	ck_assert_eg(vpcd_transmit(v, sel, sizeof(sel), r, sizeof(r), &n),
	    EG_ERR_CLOSED);
	vpcd_free(&v);
	ck_assert_eg(vpcd_attach_fd(&v, -1, 0), EG_ERR_INVAL);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("vpcd");
	TCase *tc = tcase_create("loopback");

	tcase_add_test(tc, test_atr_and_apdus);
	tcase_add_test(tc, test_card_hangs_up);
	tcase_add_test(tc, test_no_card_and_timeouts);
	tcase_add_test(tc, test_attach_fd);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
