/* SPDX-License-Identifier: Apache-2.0 */
/*
 * officer_link.h — an officer's session with egate-host: mutual TLS with the
 * officer certificate, Hello (role officer) / HelloAck, then OfficerRequests
 * and what the host sends back (OfficerReply, OfficerEvent). Shared by
 * `egate officer` (status, queue, actions), `egate officer watch` and
 * `egate officer console`. Protocol: proto/PROTOCOL.md.
 *
 * Failures are told in words for an officer at a desk, not as TLS jargon:
 * the officer's own certificate is checked before connecting (readable,
 * issued by the deployment CA, not expired or not yet valid, OU=officer),
 * and a refusal by the host is named from its TLS alert (revoked, expired by
 * the host's clock, unknown CA, ...) or from its Error (wrong role).
 */
#ifndef EGATE_OFFICER_LINK_H
#define EGATE_OFFICER_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate.pb-c.h"

/* `egate officer` exit code for a certificate that cannot be used: expired,
 * not yet valid, revoked, wrong role, not from this deployment (ours, or
 * refused by the host). Codes 0-3 are those of cli.h. */
#define OFFICER_EXIT_CERT 4

struct officer_link_opts {
	const char *host, *port;	/* egate-host's address and port */
	const char *ca, *cert, *key;	/* deployment CA, officer certificate and key (PEM) */
	const char *server_name;	/* CN of the host's certificate */
	int timeout_s;			/* connect + handshake + Hello */
};

struct officer_link;

/*
 * officer_link_open — connect and say Hello. On success *out is a new link
 * (officer_link_close) and the return is 0. Otherwise *out is NULL, why
 * holds one sentence for people, and the return is the exit code:
 * EGATE_EXIT_USAGE (options missing), OFFICER_EXIT_CERT (the certificate:
 * ours or refused by the host), EGATE_EXIT_FAIL (the host refused the
 * session for another reason), EGATE_EXIT_ERROR (files, network, TLS).
 */
int officer_link_open(struct officer_link **out, const struct officer_link_opts *o, char *why,
    size_t whylen);

/* officer_link_close — close_notify, free, set *l to NULL; safe on NULL. */
void officer_link_close(struct officer_link **l);

/* The protocol version the host chose (2 or more: SUBSCRIBE works). */
uint32_t officer_link_version(const struct officer_link *l);

/* The socket, for poll(2) (readable: call officer_link_recv). */
int officer_link_fd(const struct officer_link *l);

/*
 * officer_link_send — send one message; waits for the socket until
 * deadline_ms (CLOCK_MONOTONIC ms, officer_link_now_ms). Errors: those of
 * proto_msg_encode, EG_ERR_TIMEOUT, EG_ERR_CLOSED, EG_ERR_TLS.
 */
int officer_link_send(struct officer_link *l, const Egate__Envelope *env, int64_t deadline_ms);

/*
 * officer_link_recv — the next message, valid until the next call or
 * close. Waits until deadline_ms (a deadline in the past: only what has
 * already arrived). Errors: EG_ERR_TIMEOUT (nothing complete yet),
 * EG_ERR_CLOSED (the host closed), EG_ERR_TLS, EG_ERR_FORMAT /
 * EG_ERR_OVERFLOW / EG_ERR_PROTOCOL (an invalid message: close the link).
 */
int officer_link_recv(struct officer_link *l, const Egate__Envelope **env, int64_t deadline_ms);

/*
 * officer_link_request — send q and wait for the OfficerReply with its
 * request_id until deadline_ms; messages in between (OfficerEvents) are
 * passed to on_other (may be NULL: dropped). An Error from the host is
 * EG_ERR_PROTOCOL with its detail in why.
 */
int officer_link_request(struct officer_link *l, Egate__OfficerRequest *q,
    const Egate__OfficerReply **out, int64_t deadline_ms,
    void (*on_other)(const Egate__Envelope *env, void *arg), void *arg, char *why, size_t whylen);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t officer_link_now_ms(void);

/*
 * officer_cert_check — the checks made before connecting, alone: cert is
 * readable, issued by ca, valid now, OU=officer, with clientAuth. EG_OK with
 * the certificate's CN in cn (may be NULL; non-printable bytes as '?'), or
 * an error with a sentence in why (EG_ERR_IO unreadable, EG_ERR_CERT the
 * rest).
 */
int officer_cert_check(const char *ca, const char *cert, char *cn, size_t cnlen, char *why,
    size_t whylen);

/*
 * officer_signals_fd — SIGINT and SIGTERM as a signalfd for the calling
 * (main) thread, SIGPIPE ignored. The signals are blocked in this thread
 * and in threads it creates later; threads that libraries started before
 * (the `egate` binary links OpenCV, whose pool starts at load time) have
 * them unblocked, so a handler there passes them on to this thread instead
 * of letting the default action kill the process. Returns the fd or -1.
 */
int officer_signals_fd(void);

/* officer_alert_text — what a TLS alert from the host means for an officer
 * ("your certificate is revoked", ...). Static string. */
const char *officer_alert_text(int alert);

#endif
