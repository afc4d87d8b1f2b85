/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls.h — the mutual-TLS link between kiosks and the host, on mbedTLS 2.28.
 *
 * Policy (fixed here, not configurable, so no deployment can weaken it):
 *   - TLS 1.2 only. Debian 12's mbedTLS 2.28 builds without its experimental
 *     TLS 1.3 (MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL is off), so 1.3 is not
 *     available; see docs/security.md.
 *   - ECDHE-ECDSA with AES-GCM (128 or 256), P-256 only, SHA-256/384.
 *   - Both sides present certificates chained to the deployment CA
 *     (egate pki); the server requires a client certificate. The CRL is
 *     checked on every full handshake AND on every resumed session (mbedTLS
 *     does not re-verify a resumed peer, so we do, against the current CRL
 *     and clock).
 *   - The peer's identity is the CN of its certificate and its role the OU
 *     (host, kiosk, officer): eg_tls_peer(). Never trust an identity from a
 *     message.
 *   - Peer certificates: ECDSA P-256 keys only, and the extended key usage
 *     of the role (clientAuth for kiosks and officers, serverAuth for the
 *     host) must be present. The CRL must be signed by the deployment CA and
 *     not expired; an expired CRL refuses every peer, full handshake or
 *     resumption alike.
 *   - Session resumption: the server issues session tickets (stateless,
 *     AES-256-GCM). By default one random key per process and a 1 h
 *     lifetime; egate-host sets keys that survive its restarts
 *     (eg_tls_conf_set_ticket_keys). Clients keep their last session and
 *     offer it when they reconnect; eg_tls_resumed() tells whether the
 *     server took it.
 *
 * The connection runs over a socket fd that may be non-blocking:
 * eg_tls_handshake/read/write then return EG_ERR_BUSY, and *want_write tells
 * whether to wait for POLLOUT (otherwise POLLIN).
 */
#ifndef EGATE_TLS_H
#define EGATE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eg_tls_side { EG_TLS_SERVER, EG_TLS_CLIENT };

struct eg_tls_conf;
struct eg_tls;

/*
 * eg_tls_conf_new — load the CA certificate, optional CRL (NULL or ""), own
 * certificate and key (PEM files). *out is owned by the caller
 * (eg_tls_conf_free). errbuf (may be NULL) receives a one-line reason.
 * Errors: EG_ERR_IO (unreadable file), EG_ERR_PERM (the key file grants
 * access to group or others, or belongs to another user: egate/keyfile.h),
 * EG_ERR_CERT (bad certificate, key not matching the certificate, not
 * P-256), EG_ERR_CRYPTO, EG_ERR_NOMEM.
 */
int eg_tls_conf_new(struct eg_tls_conf **out, enum eg_tls_side side,
    const char *ca, const char *crl, const char *cert, const char *key,
    char *errbuf, size_t errlen);

/*
 * eg_tls_conf_reload_crl — replace the CRL (SIGHUP). Connections made
 * later, and resumed sessions, are checked against the new one; sessions
 * already up are not (eg_tls_peer_check). The new CRL must pass the checks
 * of eg_tls_conf_new (issued and signed by the CA, not expired), else the
 * old one stays in force. errbuf (may be NULL) gets the reason.
 * Errors: EG_ERR_IO, EG_ERR_CERT, EG_ERR_NOMEM.
 */
int eg_tls_conf_reload_crl(struct eg_tls_conf *c, const char *crl, char *errbuf, size_t errlen);

/* eg_tls_conf_crl_days_left — whole days until the CRL's nextUpdate (-1 if
 * passed). Errors: EG_ERR_NOT_FOUND (no CRL, or one without nextUpdate),
 * EG_ERR_FORMAT (a nextUpdate out of range). */
int eg_tls_conf_crl_days_left(struct eg_tls_conf *c, int *days);

/* Session-ticket keys (server). */
#define EG_TLS_TICKET_NAME_LEN 16
#define EG_TLS_TICKET_KEYS_MAX 8
struct eg_tls_ticket_key {
	uint8_t name[EG_TLS_TICKET_NAME_LEN];	/* random; names the key in each ticket */
	uint8_t key[32];			/* AES-256-GCM */
	int64_t created_s;			/* Unix seconds */
};

/*
 * eg_tls_conf_set_ticket_keys — (server) replace the session-ticket keys:
 * keys[0] seals new tickets, every key opens them; a ticket is accepted up
 * to lifetime_s seconds after it was issued while its key is present. The
 * keys are copied (the caller wipes its copy). Errors: EG_ERR_INVAL (a
 * client conf, n = 0 or above EG_TLS_TICKET_KEYS_MAX, lifetime 0),
 * EG_ERR_CRYPTO.
 */
int eg_tls_conf_set_ticket_keys(struct eg_tls_conf *c, const struct eg_tls_ticket_key *keys,
    size_t n, uint32_t lifetime_s);

/* eg_tls_conf_free — free; safe on NULL; sets *c to NULL. Connections made
 * from it must be freed first. */
void eg_tls_conf_free(struct eg_tls_conf **c);

/*
 * eg_tls_new — a connection over the connected socket fd (not closed by
 * eg_tls_free). For a client, server_name is the expected CN of the host's
 * certificate (NULL: any host certificate of the deployment CA).
 */
int eg_tls_new(struct eg_tls **out, struct eg_tls_conf *c, int fd, const char *server_name);

/*
 * eg_tls_handshake — drive the handshake. EG_OK when done; EG_ERR_BUSY to be
 * called again when the socket is ready (see want_write); EG_ERR_CERT when
 * the peer's certificate is refused (untrusted, expired, revoked, wrong
 * role); EG_ERR_TLS for other failures; EG_ERR_CLOSED if the peer hung up.
 * eg_tls_error() tells why in words.
 */
int eg_tls_handshake(struct eg_tls *t, bool *want_write);

/* eg_tls_read — up to len bytes into buf; *got > 0 on EG_OK. EG_ERR_BUSY,
 * EG_ERR_CLOSED (close_notify or EOF), EG_ERR_TLS. */
int eg_tls_read(struct eg_tls *t, void *buf, size_t len, size_t *got, bool *want_write);

/* eg_tls_write — write up to len bytes; *put > 0 on EG_OK. If EG_ERR_BUSY,
 * call again with the SAME buffer and length (mbedTLS requirement). */
int eg_tls_write(struct eg_tls *t, const void *buf, size_t len, size_t *put, bool *want_write);

/* eg_tls_close — send close_notify (best effort). */
void eg_tls_close(struct eg_tls *t);

/*
 * eg_tls_peer — CN and OU of the verified peer certificate. Valid after a
 * successful handshake. Errors: EG_ERR_STATE (no verified peer),
 * EG_ERR_OVERFLOW (buffer too small).
 */
int eg_tls_peer(const struct eg_tls *t, char *cn, size_t cnlen, char *ou, size_t oulen);

/*
 * eg_tls_peer_not_after — the end of the verified peer certificate's
 * validity (notAfter, UTC) in Unix seconds. Valid after a successful
 * handshake, also a resumed one. Errors: EG_ERR_STATE (no verified peer),
 * EG_ERR_FORMAT (a date out of range).
 */
int eg_tls_peer_not_after(const struct eg_tls *t, int64_t *unix_s);

/*
 * eg_tls_peer_check — (after the handshake) check the peer's certificate
 * again against the current CRL and clock: for sessions that were up when
 * the CRL was reloaded. Errors: EG_ERR_STATE (no verified peer),
 * EG_ERR_CERT (revoked, expired, or the CRL expired; eg_tls_error says).
 */
int eg_tls_peer_check(struct eg_tls *t);

/* eg_tls_resumed — whether the handshake resumed an earlier session (on a
 * client: whether the server accepted the session it offered). */
bool eg_tls_resumed(const struct eg_tls *t);

/* eg_tls_save_session — (client) keep this connection's session in the conf
 * so the next eg_tls_new() offers it. */
int eg_tls_save_session(struct eg_tls *t);

/* eg_tls_alert — the fatal alert the peer sent during the handshake (RFC
 * 5246 7.2: 44 certificate_revoked, 45 certificate_expired, 48 unknown_ca,
 * ...), or -1 if none was received. It lets a client say why it was
 * refused. */
int eg_tls_alert(const struct eg_tls *t);

/* eg_tls_error — the reason for the last failure, as a phrase; never NULL. */
const char *eg_tls_error(const struct eg_tls *t);

/* eg_tls_ciphersuite — the negotiated suite's name, or "" before the handshake. */
const char *eg_tls_ciphersuite(const struct eg_tls *t);

/* eg_tls_free — wipe and free; safe on NULL; sets *t to NULL. */
void eg_tls_free(struct eg_tls **t);

#endif
