/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_mrz.h — a simulated MRZ (OCR) reader: a CDC-ACM-like device whose
 * bulk-in endpoint delivers the text fed to it, at most `packet` bytes per
 * transfer (so lines arrive split the way a 64-byte USB endpoint splits them).
 * Its VID:PID is 1209:0001 (pid.codes test range): no real device has it.
 */
#ifndef EGATE_SIM_MRZ_H
#define EGATE_SIM_MRZ_H

#include <stddef.h>
#include <stdint.h>

#include "egate/usb_sim.h"

#define SIM_MRZ_VID 0x1209
#define SIM_MRZ_PID 0x0001

struct sim_mrz;
extern const struct usb_sim_device_ops sim_mrz_device_ops;

/* sim_mrz_new — packet: bytes per bulk-in transfer (1..512). */
int sim_mrz_new(struct sim_mrz **out, size_t packet);
void sim_mrz_free(struct sim_mrz **m);
/* sim_mrz_feed — queue raw bytes (lines with their CR/LF) for the host.
 * EG_ERR_OVERFLOW beyond 8 KiB pending. */
int sim_mrz_feed(struct sim_mrz *m, const void *data, size_t len);
/* sim_mrz_unplug / sim_mrz_replug — the reader leaves (pending text is
 * lost, handles die) / comes back as a new device generation. */
void sim_mrz_unplug(struct sim_mrz *m);
void sim_mrz_replug(struct sim_mrz *m);

#endif
