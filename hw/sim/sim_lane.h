/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_lane.h — a simulated lane for egate-kiosk's DAEMON (kiosk_daemon.h),
 * driven by commands: the devices stay (as real ones do), a test puts
 * passports on the reader, feeds the MRZ reader, unplugs and replugs
 * devices, arms faults. TEST AND SIMULATION ONLY (egate-kiosk-sim
 * --control FIFO; tests/e2e/test_daemon.sh).
 *
 * Backends, all named "lane" in [devices]:
 *   reader = lane        a simulated CCID reader, no card, through the CCID
 *                        driver (NotifySlotChange on its interrupt endpoint)
 *   mrz = lane           the simulated CDC-ACM MRZ reader through mrzdev
 *   camera = lane:DIR    the simulated camera playing the images of DIR (or
 *                        lane:SCENE), which the lane can unplug or make
 *                        send broken frames
 *   gate = lane          the simulated gate (sim_gate.h)
 *
 * Commands (one per line; sim_lane_command):
 *   insert PROFILE [chip_face=IMG] [expiry=YYMMDD] [mrz=no]
 *                        the traveller's MRZ to the MRZ reader (not with
 *                        mrz=no), then the passport on the reader
 *                        (NotifySlotChange)
 *   remove               the passport off the reader
 *   mrz TEXT             raw text to the MRZ reader ("\r\n" ends a line)
 *   unplug DEVICE / replug DEVICE     reader, mrz, camera, gate
 *   fault reader unplug|remove        at the reader's next command
 *   camera broken|ok     frames that do not decode / the images again
 *   gate stuck|ok        the door does not follow the relay / it does
 *   gate nobody|walk     nobody walks through an open gate / one does
 * Every command is logged (sim.command) with its result.
 */
#ifndef EGATE_SIM_LANE_H
#define EGATE_SIM_LANE_H

#include <stddef.h>

#include "camera.h"
#include "doc/reader.h"
#include "egate/log.h"
#include "egate/mrzsrc.h"
#include "kiosk_daemon.h"

struct sim_lane;

/* sim_lane_new — the lane's simulated devices, plugged in, no passport;
 * testdata_dir NULL: sim_testdata_dir(). Errors: EG_ERR_NOMEM,
 * EG_ERR_CONFIG (no reader profile), those of sim_pki_new. */
int sim_lane_new(const char *testdata_dir, const struct eg_log *log, struct sim_lane **out);
void sim_lane_free(struct sim_lane **l);

/* The backends (borrowed from l; valid while l is). */
const struct doc_reader_backend *sim_lane_reader_backend(struct sim_lane *l);
const struct mrz_source_backend *sim_lane_mrz_backend(struct sim_lane *l);
const struct kiosk_gate_backend *sim_lane_gate_backend(struct sim_lane *l);
/* the camera: camera_options.extra with backend_ctx = l */
extern const struct camera_ops sim_lane_camera_ops;

/* sim_lane_command — one command (above); reply (may be NULL) gets "ok" or
 * why not. Errors: EG_ERR_INVAL (unknown or malformed command), those of
 * the devices. Call it in the thread that uses the devices. */
int sim_lane_command(struct sim_lane *l, const char *line, char *reply, size_t cap);

/* sim_lane_set_control — read commands from fd (a FIFO, non-blocking) in
 * sim_lane_tick; the lane owns fd. */
void sim_lane_set_control(struct sim_lane *l, int fd);
/* sim_lane_tick — kiosk_backends.tick: run the commands waiting on the
 * control descriptor. */
void sim_lane_tick(void *ctx, struct kiosk *k);

#endif
