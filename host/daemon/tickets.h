/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tickets.h — egate-host's session-ticket keys, kept across restarts
 * (docs/host.md, "Restarts and session tickets").
 *
 * The monitor holds them and hands them to the network child
 * (PS_TICKET_KEYS), so that a kiosk's ticket issued before a restart still
 * resumes after it: a full handshake costs ~70 per second on the host's
 * CPU, a resumption ~100 times less. At rest they live in "<db>.tickets"
 * (mode 0600, beside the database, which the child's Landlock sandbox cannot
 * read), sealed with AES-256-GCM under a key derived from the audit HMAC key
 * (HKDF-SHA-256, label "egate-host session-ticket keys v1"), so a copy of the
 * file alone (a backup) reveals nothing:
 *
 *   file = "EGTK" ‖ u8 version (1) ‖ iv (12) ‖ u16 len ‖ ciphertext ‖ tag (16)
 *          (associated data: the 19 bytes before the ciphertext)
 *   plaintext = u8 n ‖ n × (16 name ‖ 32 key ‖ u64 created_s), newest first
 *
 * Rotation: a new key every HOST_TICKET_ROTATE_S; the newest seals new
 * tickets, the older ones still open theirs until HOST_TICKET_LIFETIME_S
 * after they stopped sealing, then they are dropped. A file that does not
 * open (another HMAC key, damage) is replaced by fresh keys: the only loss
 * is that kiosks do one full handshake.
 */
#ifndef EGATE_HOST_TICKETS_H
#define EGATE_HOST_TICKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/buf.h"
#include "egate/tls.h"

#define TICKETS_FILE_VERSION 1

struct tickets {
	struct eg_tls_ticket_key keys[EG_TLS_TICKET_KEYS_MAX];	/* newest first */
	size_t n;
	uint8_t seal_key[32];
	char path[512];
};

/*
 * tickets_open — derive the sealing key from hmac_key, read path if it
 * exists. *loaded tells whether keys came from the file; *why (may be NULL)
 * gets why not when the file existed but did not open. t is caller storage;
 * wipe with tickets_clear. Errors: EG_ERR_INVAL, EG_ERR_CRYPTO.
 */
int tickets_open(struct tickets *t, const char *path, const uint8_t *hmac_key, size_t hmac_len,
    bool *loaded, const char **why);

/*
 * tickets_rotate — add a key if the newest is HOST_TICKET_ROTATE_S old (or
 * there is none), drop expired ones, and write the file when anything
 * changed (*changed). now_s is Unix time. Errors: EG_ERR_IO (file not
 * written: the keys in memory are still good), EG_ERR_CRYPTO.
 */
int tickets_rotate(struct tickets *t, int64_t now_s, bool *changed);

/* tickets_put — the PS_TICKET_KEYS answer body (u8 n ‖ keys) into w. */
int tickets_put(const struct tickets *t, struct eg_wbuf *w);

/* tickets_seal / tickets_unseal — the file format above, exposed for tests.
 * tickets_unseal errors: EG_ERR_FORMAT (not this format or version),
 * EG_ERR_MAC (does not open with this key). */
int tickets_seal(const struct tickets *t, struct eg_wbuf *out);
int tickets_unseal(struct tickets *t, const uint8_t *blob, size_t len);

/* tickets_clear — wipe. */
void tickets_clear(struct tickets *t);

#endif
