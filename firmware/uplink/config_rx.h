/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_rx.h — the kiosk's receiving side of ConfigPush (PROTOCOL.md):
 * reassembles the parts of a configuration, checks the digest and the
 * policy (proto/policy.h policy_decode), holds the complete configuration
 * until the kiosk's own thread takes it between passages, and persists an
 * applied configuration atomically next to the spool so that a restarted
 * kiosk runs it again (docs/kiosk.md "Pushed policy").
 *
 * Threads: config_rx_feed() runs in the uplink thread (on_message),
 * config_rx_take() in the kiosk's thread; they share only the pending slot,
 * under a mutex. config_rx_persist() and config_rx_load() touch only the file.
 *
 * File (`<spool>.config`): "EGCONF01" ‖ u32 n ‖ n × (u32 len ‖ packed
 * ConfigPush), big-endian, written to `<file>.tmp`, fsync'ed, renamed over
 * the file, and the folder fsync'ed. On load the parts go through the same
 * policy_decode (digest included): a corrupt or tampered file is refused.
 */
#ifndef EGATE_UPLINK_CONFIG_RX_H
#define EGATE_UPLINK_CONFIG_RX_H

#include <stddef.h>
#include <stdint.h>

#include "egate.pb-c.h"
#include "policy.h"

#define CONFIG_RX_MAGIC "EGCONF01"
/* Largest persisted file / reassembled configuration accepted. */
#define CONFIG_RX_MAX (POLICY_TOTAL_MAX + 64u * 1024u)

struct config_rx;

/* A complete, verified configuration (owned by whoever took it). */
struct config_rx_item {
	struct policy policy;		/* decoded */
	uint8_t digest[32];
	size_t n;			/* packed parts, for config_rx_persist */
	uint8_t **part;
	size_t *len;
};

/* config_rx_new — an empty receiver. Errors: EG_ERR_NOMEM, EG_ERR_INVAL. */
int config_rx_new(struct config_rx **out);
void config_rx_free(struct config_rx **rx);

/*
 * config_rx_feed — one ConfigPush part (borrowed; copied). Returns
 *   EG_ERR_TRUNCATED  more parts are expected (not an error);
 *   EG_OK             the configuration is complete and valid: it is now
 *                     pending for config_rx_take (replacing one not taken);
 *   an error          the configuration is refused (detail gets one line
 *                     for ConfigApplied.detail; *version the version
 *                     concerned): EG_ERR_FORMAT (parts out of order, a part
 *                     missing, undecodable), EG_ERR_MAC (digest),
 *                     EG_ERR_NOT_FOUND / EG_ERR_CONFIG (an unknown name or a
 *                     bad value), EG_ERR_OVERFLOW (too large), EG_ERR_NOMEM.
 * Thread-safe with config_rx_take.
 */
int config_rx_feed(struct config_rx *rx, const Egate__ConfigPush *cp, uint64_t *version,
    char *detail, size_t cap);

/* config_rx_take — the pending configuration, if any (*out then owned by
 * the caller: config_rx_item_free), else NULL. Thread-safe. */
struct config_rx_item *config_rx_take(struct config_rx *rx);

void config_rx_item_free(struct config_rx_item **it);

/*
 * config_rx_persist — write it to path atomically (temp file, fsync,
 * rename, fsync of the folder). Errors: EG_ERR_IO (errno is logged by the
 * caller), EG_ERR_INVAL.
 */
int config_rx_persist(const struct config_rx_item *it, const char *path);

/*
 * config_rx_load — read a persisted configuration. *out (owned by the
 * caller) is a verified item. Errors: EG_ERR_NOT_FOUND (no file),
 * EG_ERR_IO, EG_ERR_OVERFLOW (too large), EG_ERR_FORMAT (not such a file,
 * truncated), and those of policy_decode (err gets one line).
 */
int config_rx_load(const char *path, struct config_rx_item **out, char *err, size_t errlen);

/* config_rx_parse — config_rx_load on len bytes in memory (the fuzz target). */
int config_rx_parse(const uint8_t *buf, size_t len, struct config_rx_item **out, char *err,
    size_t errlen);

#endif
