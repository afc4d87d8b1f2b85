/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spool.h — the kiosk's store-and-forward queue of events for the host.
 *
 * Every passage record is appended here (durably: the call returns after
 * SQLite's commit with synchronous=FULL) before the kiosk tries to send it,
 * so records survive host outages, network loss and power cuts. Each record
 * gets the kiosk's next sequence number, strictly increasing and never
 * reused, even after records are deleted (the counter lives in its own
 * table). The host acknowledges by sequence number; acknowledged records are
 * deleted. On reconnect the uplink replays every unacknowledged record in
 * sequence order.
 *
 * Payloads are opaque bytes (an encoded protocol message); the spool never
 * looks inside. Biometric data must never be put in a payload.
 */
#ifndef EGATE_SPOOL_H
#define EGATE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool;

/* The largest payload accepted (a passage record is about 1 KiB). */
#define SPOOL_MAX_PAYLOAD (256 * 1024)

/*
 * spool_open — open or create the spool at path (SQLite, WAL). *out is owned
 * by the caller (spool_close). Errors: EG_ERR_DB (cannot open, corrupt, or
 * a schema from a newer version), EG_ERR_NOMEM.
 */
int spool_open(const char *path, struct spool **out);

/* spool_close — close; safe on NULL; sets *s to NULL. */
void spool_close(struct spool **s);

/*
 * spool_append — store a payload durably and return its sequence number in
 * *seq. Errors: EG_ERR_OVERFLOW (payload too large), EG_ERR_DB.
 */
int spool_append(struct spool *s, const void *payload, size_t len, uint64_t *seq);

/*
 * spool_build_fn — makes the payload of the record that gets sequence
 * number seq (a payload that depends on its seq, e.g. identifiers sealed
 * to the event): *payload is a malloc()ed buffer the spool takes and
 * frees, *len its length. A negative enum eg_err aborts the append.
 */
typedef int (*spool_build_fn)(void *ctx, uint64_t seq, uint8_t **payload, size_t *len);

/*
 * spool_append_fn — as spool_append, the payload made by build(ctx, seq)
 * inside the same transaction that assigns seq: if build fails, or the
 * insert does, the sequence number is not used (nothing is stored, the
 * counter is unchanged). Errors: build's error, EG_ERR_OVERFLOW (payload
 * too large), EG_ERR_DB, EG_ERR_INVAL (NULL).
 */
int spool_append_fn(struct spool *s, spool_build_fn build, void *ctx, uint64_t *seq);

/*
 * spool_next — the first unacknowledged record with a sequence number
 * greater than after (0: from the start). The payload is copied into a new
 * buffer owned by the caller (free()). Errors: EG_ERR_NOT_FOUND (none),
 * EG_ERR_DB, EG_ERR_NOMEM.
 */
int spool_next(struct spool *s, uint64_t after, uint64_t *seq, uint8_t **payload, size_t *len);

/*
 * spool_ack — the host has stored every record up to and including seq
 * durably: delete them. Acknowledging a sequence number the kiosk never
 * issued is a protocol violation: EG_ERR_PROTOCOL, nothing deleted.
 */
int spool_ack(struct spool *s, uint64_t seq);

/* spool_pending — how many records wait for acknowledgement. */
int spool_pending(struct spool *s, uint64_t *count);

/* spool_last_seq — the last sequence number issued (0 if none). */
int spool_last_seq(struct spool *s, uint64_t *seq);

#endif
