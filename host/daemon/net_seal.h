/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_seal.h — the network child's side of sealed identifiers (PROTOCOL.md,
 * "Sealed identifiers"; proto/seal.h): it opens a PassageEvent's
 * sealed_identifiers with the host's TLS key for the kiosk id of the
 * connection's certificate, so the document number and name reach the
 * monitor (which stores only their HMACs) like clear ones would. Version 2
 * blobs reuse the epoch key the key pair's cache holds for (kiosk, E), so
 * only an epoch's first blob costs an ECDH (seal.h). A blob
 * that does not open is logged (net.unsealable: kiosk and seq, no content)
 * and the record is stored anyway, without identifiers and with an extra
 * check sealed_identifiers = error "unsealable" in its payload.
 */
#ifndef EGATE_HOST_NET_SEAL_H
#define EGATE_HOST_NET_SEAL_H

#include <stdbool.h>
#include <stddef.h>

#include "egate.pb-c.h"
#include "egate/log.h"
#include "seal.h"

/* The clear identifiers of one event: wipe with net_ids_wipe after use. */
struct net_ids {
	const char *doc, *name;		/* NULL or non-empty: into the buffers
					 * below or the event's clear fields */
	bool unsealable;		/* a blob was sent and did not open */
	bool clear_refused;		/* clear identifiers sent while sealing is required */
	uint8_t unbound_version;	/* a v1/v2 blob refused while sealing is required */
	/* set by the caller after net_seal_open, for the payload: */
	bool officer_unverified;	/* officer_id names no logged command: not attributed */
	bool reason_cut;		/* the reason column holds a cut reason */
	char doc_buf[SEAL_FIELD_MAX + 1];
	char name_buf[SEAL_FIELD_MAX + 1];
};

/*
 * net_seal_open — fill ids for event e from kiosk (the certificate CN):
 * the opened sealed_identifiers if e has them (key NULL: none loaded, so
 * they cannot open; a version 3 blob opens only for e's seq and the kind
 * passage), else the clear identifiers of e if any (older firmware), else
 * nothing. strict (the host has a sealing key of its own, [seal] key):
 * clear identifiers are refused (ids->clear_refused) and so are blobs of
 * versions 1 and 2, which are not bound to their event
 * (ids->unbound_version). Cannot fail: a blob that does not open sets
 * ids->unsealable and logs net.unsealable to lg.
 */
void net_seal_open(struct seal_key *key, bool strict, const struct eg_log *lg, const char *kiosk,
    const Egate__PassageEvent *e, struct net_ids *ids);

/*
 * net_seal_payload — the audit payload of e (proto_passage_payload), with
 * host checks appended: {"sealed_identifiers", error, "unsealable"} when
 * ids->unsealable (or "clear identifiers refused" when ids->clear_refused);
 * {"officer_attribution", error, "unverified claim ..."} when
 * ids->officer_unverified (officer_id and command_id are then emptied in
 * the payload, the claim is in the detail); {"reason_column", skipped,
 * "cut to 256 bytes..."} when ids->reason_cut. Ownership and errors as
 * proto_passage_payload.
 */
int net_seal_payload(const Egate__PassageEvent *e, const struct net_ids *ids, char **json,
    size_t *len);

/* net_ids_wipe — zero the clear text. */
void net_ids_wipe(struct net_ids *ids);

#endif
