/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.h — framing and envelope codec of the kiosk <-> host protocol.
 * Normative description: proto/PROTOCOL.md. Shared by the kiosk uplink, the
 * host daemon, the tests and the fuzzers.
 *
 * A frame is a 4-byte big-endian payload length followed by the payload; the
 * payload is one protobuf-encoded egate.Envelope (proto/egate.proto) whose
 * oneof carries exactly one message. Lengths of 0 or above the receiver's
 * maximum are errors that end the connection.
 *
 *   struct frame_dec *d;  frame_dec_new(0, &d);
 *   while ((n = read(fd, buf, sizeof buf)) > 0) {
 *           const uint8_t *p = buf; size_t left = n;
 *           while (left > 0) {
 *                   size_t used; const uint8_t *f; size_t flen;
 *                   int rc = frame_dec_feed(d, p, left, &used, &f, &flen);
 *                   p += used; left -= used;
 *                   if (rc == EG_ERR_TRUNCATED) break;      -- need more bytes
 *                   if (rc != EG_OK) close the connection;  -- OVERFLOW / FORMAT
 *                   proto_msg_decode(f, flen, &msg) ...
 *           }
 *   }
 *   at EOF: frame_dec_finish(d) says whether a frame was cut short.
 *
 * Building messages: initialise with the generated egate__NAME__init()
 * functions; the EGATE__NAME__INIT macros cast away const and fail
 * -Wcast-qual.
 */
#ifndef EGATE_PROTO_FRAME_H
#define EGATE_PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "egate/buf.h"
#include "egate.pb-c.h"

/* Protocol versions this code speaks (HelloAck.version is chosen in range). */
#define EGATE_PROTO_VERSION_MIN 1u
#define EGATE_PROTO_VERSION_MAX 2u
/* The first version with Hello.role, SUBSCRIBE, OfficerEvent and
 * ReferralImages (PROTOCOL.md, section 3). */
#define EGATE_PROTO_VERSION_LIVE 2u

#define FRAME_HDR_LEN 4u
/* Hard maximum payload length; a receiver may configure a lower one. */
#define FRAME_MAX_HARD (1024u * 1024u)
/* Longest string field accepted by proto_msg_validate(). */
#define PROTO_STR_MAX 4096u
/* Most elements in any repeated field accepted by proto_msg_validate(). */
#define PROTO_REPEATED_MAX 4096u
/* Largest PassageEvent.sealed_identifiers accepted (PROTOCOL.md). */
#define PROTO_SEALED_MAX 1024u
/* Largest picture in ReferralImages (each of the two), PROTOCOL.md. */
#define PROTO_IMAGE_MAX (100u * 1024u)

/* ---- framing -------------------------------------------------------------- */

struct frame_dec;

/*
 * frame_dec_new — an incremental decoder accepting payloads of at most max
 * bytes (0 means FRAME_MAX_HARD; larger than FRAME_MAX_HARD is EG_ERR_INVAL).
 * On success *out is a new decoder the caller frees with frame_dec_free().
 * Errors: EG_ERR_INVAL, EG_ERR_NOMEM.
 */
int frame_dec_new(size_t max, struct frame_dec **out);

/* frame_dec_free — free the decoder and set *d to NULL; safe on NULL. */
void frame_dec_free(struct frame_dec **d);

/*
 * frame_dec_feed — give the decoder the next len bytes of the stream.
 * It consumes bytes up to the end of at most one frame and stores the count
 * in *used (always set). Returns:
 *   EG_OK             a complete frame: *frame and *frame_len give its
 *                     payload, valid until the next call on this decoder or
 *                     until the caller's input buffer changes (whichever is
 *                     first); call again with the remaining input.
 *   EG_ERR_TRUNCATED  all input consumed, no complete frame yet (not an
 *                     error: wait for more bytes).
 *   EG_ERR_OVERFLOW   the announced length is above the maximum.
 *   EG_ERR_FORMAT     the announced length is 0.
 *   EG_ERR_INVAL      NULL arguments.
 * After OVERFLOW or FORMAT the decoder stays failed (every later call
 * returns the same error): the connection must be closed.
 */
int frame_dec_feed(struct frame_dec *d, const uint8_t *in, size_t len, size_t *used,
    const uint8_t **frame, size_t *frame_len);

/* frame_dec_pending — bytes of an incomplete frame held by the decoder. */
size_t frame_dec_pending(const struct frame_dec *d);

/*
 * frame_dec_finish — at end of stream: EG_OK if the stream ended on a frame
 * boundary, EG_ERR_TRUNCATED if a frame was cut short, or the decoder's
 * sticky error.
 */
int frame_dec_finish(const struct frame_dec *d);

/*
 * frame_encode — append header + len payload bytes to out. max is the
 * peer's maximum (0 = FRAME_MAX_HARD). Errors: EG_ERR_INVAL (len 0 or NULL),
 * EG_ERR_OVERFLOW (len > max, or out's own limit), EG_ERR_NOMEM. On error out
 * is unchanged.
 */
int frame_encode(const void *payload, size_t len, size_t max, struct eg_wbuf *out);

/* ---- envelope ------------------------------------------------------------- */

/*
 * proto_msg_encode — validate env (proto_msg_validate), pack it and append
 * it as one frame to out. Errors: those of proto_msg_validate and
 * frame_encode. On error out is unchanged.
 */
int proto_msg_encode(const Egate__Envelope *env, size_t max, struct eg_wbuf *out);

/* A decoded message: the envelope plus the allocator that owns its memory. */
struct proto_msg;

/*
 * proto_msg_decode — unpack one frame payload and validate it. The payload
 * is untrusted: garbage gives an error, never a crash, and the memory the
 * unpacked message may take is capped (16 x len + 64 KiB). On success *out
 * is a new message the caller frees with proto_msg_free().
 * Errors: EG_ERR_INVAL (NULL), EG_ERR_FORMAT (not a valid protobuf
 * Envelope), EG_ERR_OVERFLOW (memory cap), EG_ERR_PROTOCOL (decodes but
 * breaks a rule of PROTOCOL.md, e.g. no body), EG_ERR_NOMEM.
 */
int proto_msg_decode(const uint8_t *payload, size_t len, struct proto_msg **out);

/* proto_msg_env — the envelope of a decoded message (borrowed). */
const Egate__Envelope *proto_msg_env(const struct proto_msg *m);

/* proto_msg_free — free a decoded message and set *m to NULL; safe on NULL.
 * String fields (which may hold document numbers) are wiped first. */
void proto_msg_free(struct proto_msg **m);

/*
 * proto_msg_validate — the semantic rules of PROTOCOL.md that protobuf
 * cannot express: a body is set, enums are known values, mandatory numbers
 * are non-zero, strings are at most PROTO_STR_MAX bytes, repeated fields at
 * most PROTO_REPEATED_MAX elements, no unknown field with number 0. Returns EG_OK or EG_ERR_PROTOCOL
 * (EG_ERR_INVAL for NULL).
 */
int proto_msg_validate(const Egate__Envelope *env);

/* proto_body_name — "hello", "passage", ... for a body case; "none" for
 * NOT_SET, "unknown" otherwise. Static string. */
const char *proto_body_name(Egate__Envelope__BodyCase c);

/*
 * proto_config_digest — SHA-256 of a configuration sent as nparts ConfigPush
 * messages (given in part order), over the encoding in PROTOCOL.md
 * ("Configuration digest"); independent of protobuf's byte layout. The host
 * puts it in ConfigPush.sha256 and in the audit log; the kiosk recomputes it
 * before applying. Errors: EG_ERR_INVAL (NULL, nparts 0, versions differ),
 * EG_ERR_CRYPTO.
 */
int proto_config_digest(const Egate__ConfigPush *const *parts, size_t nparts, uint8_t out[32]);

/*
 * proto_version_choose — the version a host answers to a Hello offering
 * [min, max]: the highest version both sides speak, or 0 when the ranges do
 * not overlap (the host then sends Error{ERROR_VERSION, fatal}).
 */
uint32_t proto_version_choose(uint32_t min, uint32_t max);

#endif
