/* SPDX-License-Identifier: Apache-2.0 */
/* card.c — doc_card adapters for CCID and vpcd (see card.h). */
#include "doc/card.h"
#include "egate/ccid_proto.h"

static int
ccid_tx(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
    size_t rcap, size_t *rlen)
{
	return ccid_transmit(ctx, capdu, clen, rapdu, rcap, rlen);
}

static int
ccid_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	return ccid_power_on(ctx, atr, cap, atr_len, NULL);
}

static const struct icao_card_ops doc_ccid_ops = { .transmit = ccid_tx };

void
doc_card_ccid(struct ccid_dev *d, struct doc_card *out)
{
	struct ccid_info info;
	size_t m;

	ccid_get_info(d, &info);
	/* one DataBlock, no chaining: its abData holds the response APDU; a
	 * reader at the short-APDU level cannot carry an extended command at
	 * all (the driver refuses it), so it reports no limit: short reads */
	m = info.max_message > CCID_HDR_LEN ? info.max_message - CCID_HDR_LEN : 0;
	if (info.level != CCID_EXCHANGE_EXTENDED_APDU)
		m = 0;
	out->ops = &doc_ccid_ops;
	out->ctx = d;
	out->power_on = ccid_on;
	out->max_rapdu = m;
}

static int
vpcd_tx(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
    size_t rcap, size_t *rlen)
{
	return vpcd_transmit(ctx, capdu, clen, rapdu, rcap, rlen);
}

static int
vpcd_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	return vpcd_power_on(ctx, atr, cap, atr_len);
}

static const struct icao_card_ops doc_vpcd_ops = { .transmit = vpcd_tx };

void
doc_card_vpcd(struct vpcd *v, struct doc_card *out)
{
	out->ops = &doc_vpcd_ops;
	out->ctx = v;
	out->power_on = vpcd_on;
	out->max_rapdu = 0;
}
