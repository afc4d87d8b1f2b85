/* SPDX-License-Identifier: Apache-2.0 */
/*
 * privsep.h — the request table between egate-host's network child and its
 * monitor (docs/host.md, "Privilege separation").
 *
 * The child parses everything that comes from the network and holds the TLS
 * key; the monitor holds the audit database, the checkpoint signing key and
 * the HMAC key. They talk over a SOCK_SEQPACKET socketpair, one message per
 * packet:
 *
 *   request  = u8 type ‖ body           (child -> monitor)
 *   response = u8 type ‖ i32 rc ‖ body  (monitor -> child)
 *
 * Requests (the whole table; anything else ends the child):
 *   PS_APPEND_BATCH  u16 n ‖ n × record   ->  u16 n ‖ n × u8 audit_result
 *   PS_LAST_SEQ      str kiosk            ->  u64 seq
 *   PS_OFFICER       u8 kind ‖ u64 ts_ms ‖ str officer ‖ str action ‖
 *                    str reason ‖ str payload   ->  (rc only)
 *                    an officer action (kind 0) or a kiosk's answer to it
 *                    (kind 1), appended as a host record (kiosk "host",
 *                    type "officer" / "officer_result") BEFORE the command
 *                    is forwarded (PROTOCOL.md, OfficerCommand)
 *   PS_PAYLOAD       str kiosk ‖ u64 seq  ->  str payload (PS_STR_NULL: none)
 *                    the explanation of a stored passage, for the officer
 *                    console's queue when it lost its memory (a restart)
 *   PS_CONFIG_GET    u64 offset           ->  u64 version ‖ u64 total ‖ chunk
 *                    (the pushed configuration, confpush.h)
 *   PS_TICKET_KEYS   (empty)              ->  u8 n ‖ n × (16 name ‖ 32 key ‖
 *                    u64 created_s): the session-ticket keys, newest first
 *                    (the monitor keeps them sealed in "<db>.tickets")
 *   PS_OFFICER_CHECK str kiosk ‖ str officer ‖ u64 command_id  ->  u8 found:
 *                    whether an officer record of that officer logged the
 *                    command for that kiosk (a kiosk's event naming an
 *                    officer is attributed to the officer only then)
 * record = str kiosk ‖ u64 seq ‖ u64 ts_ms ‖ str decision ‖ str reason ‖
 *          str officer ‖ str document_number ‖ str holder_name ‖ str payload
 * str    = u32 len ‖ len bytes (no NUL inside); len PS_STR_NULL = absent.
 * Integers are big-endian. The monitor decodes requests through eg_rbuf with
 * the limits below: a request is untrusted input (the child may be
 * compromised).
 *
 * Transport: a request or an answer of up to PS_MSG_MAX bytes travels as one
 * or more packets of  u8 more ‖ up to PS_FRAG_MAX bytes  (more = 1: another
 * packet of the same message follows; 0: the last one). A SOCK_SEQPACKET
 * packet must fit the socket's send buffer (about 208 KiB with Linux's
 * default wmem), far less than a batch may be: before fragments, one kiosk's
 * batch of large events killed the child (issue 13, item 1).
 */
#ifndef EGATE_HOST_PRIVSEP_H
#define EGATE_HOST_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "egate/buf.h"

enum ps_type {
	PS_APPEND_BATCH = 1,
	PS_LAST_SEQ = 2,
	PS_OFFICER = 3,
	PS_PAYLOAD = 5,			/* the officer console, after a restart */
	PS_CONFIG_GET = 4,		/* confpush.h */
	PS_TICKET_KEYS = 6,		/* session-ticket keys for the TLS server */
	PS_OFFICER_CHECK = 7,		/* a kiosk's officer attribution */
};

enum ps_officer_kind { PS_OFFICER_ACTION = 0, PS_OFFICER_RESULT = 1 };

#define PS_STR_NULL 0xffffffffu
#define PS_BATCH_MAX 1024u		/* records per APPEND_BATCH */
/* Largest packet either way: a full batch of maximal payloads would be far
 * larger, so the child also flushes a batch when its encoding nears this. */
#define PS_MSG_MAX (8u * 1024u * 1024u)
/* Data bytes per packet: well below any Unix socket send buffer. */
#define PS_FRAG_MAX (32u * 1024u)

/*
 * ps_msg_send — send one message (type byte included) of len <= PS_MSG_MAX
 * bytes over the SOCK_SEQPACKET fd as fragments; blocks until all are
 * queued. Errors: EG_ERR_INVAL (len 0 or above PS_MSG_MAX), EG_ERR_IO.
 */
int ps_msg_send(int fd, const void *msg, size_t len);

/* Reassembly of one message from its fragments (caller storage). */
struct ps_reasm {
	uint8_t *buf;		/* caller's buffer of cap bytes */
	size_t cap, len;
	bool done;		/* buf[0..len) is a whole message */
};

/* ps_reasm_init — start with an empty message in buf (cap bytes). */
void ps_reasm_init(struct ps_reasm *r, uint8_t *buf, size_t cap);

/*
 * ps_reasm_feed — one received packet. After a complete message (r->done)
 * the next packet starts a new one. Errors: EG_ERR_FORMAT (empty packet, a
 * flag byte other than 0 or 1, a fragment above PS_FRAG_MAX, an empty
 * message), EG_ERR_OVERFLOW (the message outgrows cap). On error the state
 * is reset (the sender is broken: the caller drops the channel).
 */
int ps_reasm_feed(struct ps_reasm *r, const uint8_t *pkt, size_t n);

/*
 * ps_msg_recv — blocking: read packets from fd until one whole message is
 * in buf (cap bytes); *len gets its length. Errors: EG_ERR_IO (peer gone or
 * read error), EG_ERR_FORMAT / EG_ERR_OVERFLOW (as ps_reasm_feed).
 */
int ps_msg_recv(int fd, uint8_t *buf, size_t cap, size_t *len);

/* A decoded APPEND_BATCH: records point into one owned arena. */
struct ps_batch {
	size_t n;
	struct audit_record recs[PS_BATCH_MAX];
	char *arena;			/* all strings, NUL-terminated */
	size_t arena_len;
};

/*
 * ps_record_put — append one record of an APPEND_BATCH body to w (the
 * caller first writes the type byte and the u16 count, patched later with
 * ps_batch_set_count). Errors: EG_ERR_OVERFLOW / EG_ERR_NOMEM from w
 * (w is then left partly written: discard it).
 */
int ps_record_put(struct eg_wbuf *w, const struct audit_record *r);

/* ps_batch_begin — type byte and a zero count; ps_batch_set_count patches it. */
int ps_batch_begin(struct eg_wbuf *w);
void ps_batch_set_count(struct eg_wbuf *w, uint16_t n);

/*
 * ps_batch_decode — decode the body of an APPEND_BATCH (after the type
 * byte) into b (caller storage; free with ps_batch_clear). Every record gets
 * type "passage". Errors: EG_ERR_TRUNCATED (short), EG_ERR_FORMAT (n = 0 or
 * above PS_BATCH_MAX, a NUL inside a string, bytes left over, kiosk id
 * missing, empty, longer than AUDIT_KIOSK_ID_MAX or equal to AUDIT_HOST_ID),
 * EG_ERR_NOMEM. On error b holds nothing.
 */
int ps_batch_decode(const uint8_t *body, size_t len, struct ps_batch *b);

/* ps_batch_clear — wipe (identifiers travel in clear) and free the arena. */
void ps_batch_clear(struct ps_batch *b);

/*
 * ps_kiosk_decode — the body of a LAST_SEQ request: one non-empty kiosk id
 * of at most AUDIT_KIOSK_ID_MAX bytes into out (AUDIT_KIOSK_ID_MAX + 1).
 * Errors: EG_ERR_TRUNCATED, EG_ERR_FORMAT.
 */
int ps_kiosk_decode(const uint8_t *body, size_t len, char out[AUDIT_KIOSK_ID_MAX + 1]);

/*
 * ps_officer_put — a whole PS_OFFICER request (type byte included) into w.
 * officer, action and reason are mandatory, payload may be NULL.
 * Errors: EG_ERR_INVAL, EG_ERR_OVERFLOW / EG_ERR_NOMEM from w.
 */
int ps_officer_put(struct eg_wbuf *w, enum ps_officer_kind kind, int64_t ts_ms,
    const char *officer, const char *action, const char *reason, const char *payload);

/*
 * ps_officer_decode — the body of a PS_OFFICER request (after the type byte)
 * into *out: a host record (kiosk AUDIT_HOST_ID, seq 0 = assigned by the
 * store) whose strings live in arena (cap bytes; at least len + 8).
 * Errors: EG_ERR_TRUNCATED, EG_ERR_FORMAT (unknown kind, a mandatory string
 * missing or empty, officer/action/reason above AUDIT_SHORT_MAX, bytes left
 * over, arena too small).
 */
int ps_officer_decode(const uint8_t *body, size_t len, char *arena, size_t cap,
    struct audit_record *out);

/*
 * ps_payload_decode — the body of a PS_PAYLOAD request: kiosk id (as
 * ps_kiosk_decode) and seq >= 1. Errors: EG_ERR_TRUNCATED, EG_ERR_FORMAT.
 */
int ps_payload_decode(const uint8_t *body, size_t len, char kiosk[AUDIT_KIOSK_ID_MAX + 1],
    uint64_t *seq);

/*
 * ps_officer_check_decode — the body of a PS_OFFICER_CHECK request: kiosk id
 * (as ps_kiosk_decode), officer (1..AUDIT_SHORT_MAX bytes, into officer of
 * AUDIT_SHORT_MAX + 1) and command id >= 1. Errors: EG_ERR_TRUNCATED,
 * EG_ERR_FORMAT.
 */
int ps_officer_check_decode(const uint8_t *body, size_t len, char kiosk[AUDIT_KIOSK_ID_MAX + 1],
    char officer[AUDIT_SHORT_MAX + 1], uint64_t *command_id);

/* Big-endian 64-bit helpers over eg_rbuf / eg_wbuf. */
int ps_get_u64(struct eg_rbuf *r, uint64_t *v);
int ps_put_u64(struct eg_wbuf *w, uint64_t v);
int ps_put_str(struct eg_wbuf *w, const char *s);

#endif
