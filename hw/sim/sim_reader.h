/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_reader.h — a simulated traveller's passport on a simulated CCID reader,
 * opened through the production stack: usb_sim bus (usb_transport) ->
 * simulated reader at the USB message level (sim_ccid) hosting the
 * simulated chip (sim_epassport) -> the CCID driver (ccid_open). Reading
 * then goes through ccid_transmit exactly as with a real reader. TEST AND
 * SIMULATION ONLY.
 */
#ifndef EGATE_SIM_READER_H
#define EGATE_SIM_READER_H

#include "egate/ccid.h"
#include "egate/usb_profile.h"
#include "sim_epassport.h"
#include "sim_traveller.h"

struct sim_reader;

/*
 * sim_reader_open — build the chip of traveller t (see sim_traveller_build),
 * put it in a simulated reader that looks like reader profile rp (table
 * `profiles`, borrowed, must outlive the reader; rp points into it), plug
 * the reader into a fresh simulated bus and open it with the CCID driver.
 * The card is inserted (NotifySlotChange consumed) but not powered.
 * Errors: those of sim_traveller_build, sim_ccid_new, ccid_open.
 */
int sim_reader_open(const struct sim_traveller *t, struct sim_pki *pki,
    const char *testdata_dir, const struct usb_profile_table *profiles,
    const struct usb_profile *rp, struct sim_reader **out);
void sim_reader_free(struct sim_reader **r);

/* The parts (borrowed from r). */
struct ccid_dev *sim_reader_ccid(struct sim_reader *r);
struct sim_epassport *sim_reader_chip(struct sim_reader *r);
struct sim_ccid *sim_reader_sim_ccid(struct sim_reader *r);

#endif
