/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trace.h — an APDU trace for integrators' bug reports (docs/reading.md,
 * "APDU trace"; `egate read --trace FILE`).
 *
 * The channel (chan.h, icao_chan_set_trace) reports every command it sends
 * as one struct icao_trace_ev: the PLAIN command (before secure messaging
 * wraps it), whether it went protected, the byte counts on the wire, the
 * status word and the plain response data (after unwrapping). The reading
 * flow adds the ATR and one note per step. struct icao_tracer turns the
 * events into text lines, and the redaction rules live there, in one place:
 *
 *   always written   CLA INS P1 P2, Lc, Le, protected or not, wire lengths,
 *                    GET RESPONSE rounds, status word, error name, time;
 *                    the data of SELECT (a file identifier or AID) and of
 *                    READ BINARY B1 (DO'54', an offset); the ATR; the
 *                    contents of EF.CardAccess and EF.ATR/INFO (public
 *                    chip parameters, no personal data)
 *   never written    any protected (wire) payload; the data of MSE, GENERAL
 *                    AUTHENTICATE, GET CHALLENGE, EXTERNAL/MUTUAL and
 *                    INTERNAL AUTHENTICATE, in either direction (nonces,
 *                    public keys, tokens, cryptograms: a recorded BAC or
 *                    PACE exchange allows an offline search for the MRZ or
 *                    CAN); nothing key-bearing is in an event's command data
 *                    otherwise
 *   only with ICAO_TRACE_FILE_DATA
 *                    the contents of every other file read (DG1, DG2, ...,
 *                    EF.SOD: personal data)
 */
#ifndef ICAO_TRACE_H
#define ICAO_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "icao/apdu.h"

enum icao_trace_kind {
	ICAO_TRACE_APDU = 0,	/* one command and its response */
	ICAO_TRACE_ATR,		/* data = the ATR */
	ICAO_TRACE_NOTE,	/* note = a step of the reading flow */
};

struct icao_trace_ev {
	enum icao_trace_kind kind;
	const struct icao_apdu *cmd;	/* APDU: the plain command (borrowed) */
	bool protected;			/* APDU: wrapped in secure messaging */
	size_t wire_clen;		/* APDU: command bytes sent */
	size_t wire_rlen;		/* APDU: response bytes received (all
					 * GET RESPONSE rounds together) */
	unsigned get_responses;		/* APDU: GET RESPONSE rounds */
	const uint8_t *data;		/* APDU: plain response data; ATR */
	size_t dlen;
	uint16_t sw;			/* APDU: status word, 0 if none */
	int err;			/* APDU, NOTE: eg_err */
	double ms;			/* APDU, NOTE: duration */
	const char *note;		/* NOTE: text (no personal data) */
};

/* A trace sink: called synchronously; ev and everything it points to are
 * borrowed for the call. */
typedef void (*icao_trace_fn)(void *ctx, const struct icao_trace_ev *ev);

/* Flags of struct icao_tracer. */
#define ICAO_TRACE_FILE_DATA	0x1u	/* also write file contents (personal
					 * data: DG1, DG2, EF.SOD, ...) */

/* The formatter's state: which file is current (for the rule on file
 * contents). Zero-initialise, then set flags. */
struct icao_tracer {
	unsigned flags;
	uint16_t cur_fid;	/* last SELECTed file identifier, 0: none */
	uint8_t cur_sfi;	/* last SFI read, 0: none */
	bool in_app;		/* an application is SELECTed (not the MF) */
	unsigned n;		/* events formatted */
};

/*
 * icao_tracer_line — format ev as one line (no newline) into out (cap
 * bytes, NUL-terminated; a line that does not fit is cut short with "...").
 * Updates the tracer's idea of the current file. Returns the line length.
 */
size_t icao_tracer_line(struct icao_tracer *t, const struct icao_trace_ev *ev,
    char *out, size_t cap);

/* Longest line icao_tracer_line writes with file contents (a READ BINARY of
 * up to 65536 bytes in hex) plus headroom. */
#define ICAO_TRACE_LINE_MAX	(2u * 65536u + 256u)

#endif
