/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vpcd.h — a virtual reader that a virtual card connects to, speaking the
 * socket protocol of vsmartcard's vpcd (so `vicc -t ePass` can be the card).
 *
 * The reader side LISTENS on 127.0.0.1:port (default VPCD_DEFAULT_PORT); the
 * card connects. Every message either way is a 2-byte big-endian length and
 * that many bytes. A 1-byte message from the reader is a control code
 * (VPCD_CTRL_*); only VPCD_CTRL_ATR is answered (by the ATR). A longer
 * message is a command APDU, answered by one response APDU.
 *
 * Errors: EG_ERR_IO (socket failure), EG_ERR_TIMEOUT, EG_ERR_CLOSED (the card
 * hung up: vpcd_accept() waits for it again), EG_ERR_NO_CARD (no card
 * connected), EG_ERR_PROTOCOL (a reply of length 0), EG_ERR_OVERFLOW (reply
 * larger than the caller's buffer; the connection is dropped).
 */
#ifndef EGATE_VPCD_H
#define EGATE_VPCD_H

#include <stddef.h>
#include <stdint.h>

#define VPCD_DEFAULT_PORT 35963
#define VPCD_CTRL_OFF     0x00
#define VPCD_CTRL_ON      0x01
#define VPCD_CTRL_RESET   0x02
#define VPCD_CTRL_ATR     0x04
#define VPCD_MAX_MSG      0xFFFF

struct vpcd;

/*
 * vpcd_new — listen on 127.0.0.1:port (0 = any free port, see vpcd_port()).
 * timeout_ms bounds every later socket wait (0 = 5000). *out owned by the
 * caller (vpcd_free). EG_OK, EG_ERR_IO (bind/listen failed), EG_ERR_NOMEM.
 */
int vpcd_new(struct vpcd **out, uint16_t port, unsigned timeout_ms);
/*
 * vpcd_attach_fd — a reader over an already connected stream socket (tests,
 * fuzzing, a socket handed over by a supervisor). Takes ownership of fd
 * (closed by vpcd_free, or at once on failure). There is no listening socket:
 * vpcd_accept() fails with EG_ERR_STATE and vpcd_port() returns 0.
 */
int vpcd_attach_fd(struct vpcd **out, int fd, unsigned timeout_ms);
/* vpcd_free — close both sockets; sets *v to NULL. NULL allowed. */
void vpcd_free(struct vpcd **v);
/* vpcd_port — the port actually listened on. */
uint16_t vpcd_port(const struct vpcd *v);
/* vpcd_accept — wait up to timeout_ms for a card to connect (replacing a
 * previous connection). EG_OK, EG_ERR_TIMEOUT, EG_ERR_IO. */
int vpcd_accept(struct vpcd *v, unsigned timeout_ms);
/* vpcd_connected — 1 while a card is connected. */
int vpcd_connected(const struct vpcd *v);

/* vpcd_power_on — power on (reset) the card and fetch its ATR. */
int vpcd_power_on(struct vpcd *v, uint8_t *atr, size_t cap, size_t *atr_len);
int vpcd_power_off(struct vpcd *v);
/* vpcd_get_atr — the ATR without a power cycle. */
int vpcd_get_atr(struct vpcd *v, uint8_t *atr, size_t cap, size_t *atr_len);
/* vpcd_transmit — a command APDU out, its response APDU back (card-transport
 * shape: transmit(ctx, capdu, clen, rapdu, cap, &rlen)). */
int vpcd_transmit(struct vpcd *v, const uint8_t *capdu, size_t clen,
    uint8_t *rapdu, size_t cap, size_t *rlen);

#endif
