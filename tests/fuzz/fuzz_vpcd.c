/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_vpcd.c — arbitrary bytes from a virtual card on the vpcd socket:
 * the input is what the card "sends" (length-prefixed frames or garbage),
 * read by the vpcd reader over a socketpair while it powers the card on,
 * asks for the ATR and transmits APDUs.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/vpcd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00,
	    0x00, 0x02, 0x47, 0x10, 0x01 };
	static uint8_t r[70000];
	struct vpcd *v = NULL;
	uint8_t atr[64];
	size_t n;
	int sv[2], i;

	if (size > 65536)
		return 0;	/* stays below the socket buffer: no blocking */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	if (size > 0 && write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	shutdown(sv[1], SHUT_WR);
	if (vpcd_attach_fd(&v, sv[0], 1) != EG_OK) {
		close(sv[1]);
		return 0;
	}
	(void)vpcd_power_on(v, atr, sizeof(atr), &n);
	for (i = 0; i < 64 && vpcd_connected(v); i++) {
		if (i % 4 == 3)
			(void)vpcd_get_atr(v, atr, sizeof(atr), &n);
		else
			(void)vpcd_transmit(v, sel, sizeof(sel), r,
			    i % 2 ? sizeof(r) : 16, &n);
	}
	vpcd_free(&v);
	close(sv[1]);
	return 0;
}
