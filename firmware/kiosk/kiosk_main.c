/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_main.c — egate-kiosk, the kiosk daemon (docs/man/egate-kiosk.8,
 * docs/kiosk.md):
 *
 *   egate-kiosk --config FILE [--foreground] [--officer-wait S]
 *               [--config-wait S] [--drain S]
 *
 * The product: the daemon loop of kiosk_daemon.h over the backends this
 * build carries (usb and vpcd readers, acm MRZ readers, uvc cameras) and no
 * simulated device, no test PKI, no chip-side code (a test runs nm on this
 * binary). Scenario playback on simulated devices is the simulation runner
 * egate-kiosk-sim (hw/sim/), which is not installed.
 */
#include "kiosk_daemon.h"

int
main(int argc, char **argv)
{
	/* the gate backends of this build: none yet (docs/kiosk.md, "The gate") */
	static const struct kiosk_backends product = { 0 };

	return kiosk_daemon_main(argc, argv, &product, "egate-kiosk");
}
