/* SPDX-License-Identifier: Apache-2.0 */
/*
 * card.h — struct doc_card over the real transports: a CCID reader slot
 * (ccid.h) or a vpcd virtual reader (vpcd.h). The adapters borrow the
 * device, which must outlive the doc_card; they add no state.
 */
#ifndef EGATE_DOC_CARD_H
#define EGATE_DOC_CARD_H

#include "doc/read.h"
#include "egate/ccid.h"
#include "egate/vpcd.h"

/* doc_card_ccid — transmit = ccid_transmit, power_on = ccid_power_on on
 * the selected slot; max_rapdu = what fits one CCID message
 * (dwMaxCCIDMessageLength - 10) at the extended-APDU level, 0 (short APDUs
 * only) at the short-APDU level, where the driver refuses extended ones. */
void doc_card_ccid(struct ccid_dev *d, struct doc_card *out);
/* doc_card_vpcd — transmit = vpcd_transmit, power_on = vpcd_power_on;
 * max_rapdu 0 (unknown: short APDUs). */
void doc_card_vpcd(struct vpcd *v, struct doc_card *out);

#endif
