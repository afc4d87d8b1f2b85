/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_daemon.h — egate-kiosk's daemon loop (docs/kiosk.md "The daemon",
 * egate-kiosk(8)):
 *
 *   egate-kiosk --config FILE [--foreground] [--officer-wait S]
 *               [--config-wait S] [--drain S]
 *
 * It opens the lane's devices from [devices] (every spec through its
 * backend table: doc_reader_open, mrz_source_open, camera_open, the gate
 * backends below), waits for a document (the reader's NotifySlotChange, or
 * GetSlotStatus polling), runs the passage core on it (kiosk.h), and keeps
 * the devices under watch: a device that fails or disappears takes the kiosk
 * out of service (the heartbeat says which and why) until it is back —
 * found again through libusb hotplug, or the periodic retry. SIGTERM and
 * SIGINT stop it safely (the passage in progress ends, the gate is closed,
 * the spool drained up to --drain seconds); SIGHUP reloads the
 * configuration between passages (policy of the file, log level, device
 * specs; the rest needs a restart and says so).
 *
 * Each state change is one log line (kiosk.ready, kiosk.device,
 * passage.transition, kiosk.card, kiosk.passage, kiosk.out_of_service,
 * kiosk.back_in_service, kiosk.reload, kiosk.stopping, kiosk.stopped), so a
 * test can wait on the log with a deadline instead of sleeping.
 *
 * Which backends exist is the caller's choice (struct kiosk_backends): the
 * installed egate-kiosk passes only the product's (usb/vpcd readers, acm
 * MRZ readers, uvc cameras, and the gate backends of this build); the
 * simulation runner adds the simulated ones.
 */
#ifndef EGATE_KIOSK_DAEMON_H
#define EGATE_KIOSK_DAEMON_H

#include <stddef.h>

#include "camera.h"
#include "doc/reader.h"
#include "egate/log.h"
#include "egate/mrzsrc.h"
#include "outputs.h"

/* A gate backend: open() makes the gate of the spec's ARG (after "NAME:")
 * and returns its ops and state; close() releases that state. */
struct kiosk_gate_backend {
	const char *name;
	const char *usage;
	void *self;
	int (*open)(void *self, const char *arg, const struct eg_log *log,
	    const struct gate_ops **ops, void **ctx, char *err, size_t errlen);
	void (*close)(void *self, void *ctx);
};

/* The backends a daemon may open besides the built-in ones of each layer;
 * every list NULL-terminated, every pointer may be NULL. */
struct kiosk;

struct kiosk_backends {
	const struct doc_reader_backend *const *readers;
	const struct mrz_source_backend *const *mrz;
	const struct camera_ops *const *cameras;
	void *camera_ctx;		/* camera_options.backend_ctx */
	const struct kiosk_gate_backend *const *gates;
	/* called once per turn of the loop, in the daemon's thread, between
	 * passages (the simulation runner reads its control commands there);
	 * may be NULL */
	void (*tick)(void *ctx, struct kiosk *k);
	void *tick_ctx;
};

/*
 * kiosk_daemon_main — the whole program: options, configuration, devices,
 * the loop, the safe stop. prog names the program in messages. Returns the
 * exit status: 0 stopped by a signal after a clean stop, 2 usage or
 * configuration error (no trust anchor, a device spec no backend takes),
 * 3 the kiosk could not be set up (face models, spool, uplink).
 */
int kiosk_daemon_main(int argc, char **argv, const struct kiosk_backends *b, const char *prog);

#endif
