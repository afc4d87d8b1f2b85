/* SPDX-License-Identifier: Apache-2.0 */
/* hidrelay_proto.c — the parsers of what a USBRelay HID board sends (see
 * hidrelay_proto.h). Every byte through struct eg_rbuf. */
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/hidrelay_proto.h"

int
hidrelay_parse_state(const uint8_t *buf, size_t len, uint8_t *state, char id[HIDRELAY_ID_LEN + 1])
{
	struct eg_rbuf b = eg_rbuf_init(buf, len);
	uint8_t raw[HIDRELAY_REPORT_LEN];
	int ret;

	if (state == NULL || id == NULL || (buf == NULL && len > 0))
		return EG_ERR_INVAL;
	id[0] = '\0';
	if ((ret = eg_rbuf_copy(&b, raw, sizeof(raw))) != EG_OK)
		return ret;
	for (size_t i = 0; i < HIDRELAY_ID_LEN; i++)
		id[i] = raw[i] >= 0x20 && raw[i] < 0x7f ? (char)raw[i] : '?';
	id[HIDRELAY_ID_LEN] = '\0';
	*state = raw[HIDRELAY_STATE_OFFSET];
	return EG_OK;
}

int
hidrelay_parse_iproduct(const uint8_t *buf, size_t len, uint8_t *index)
{
	struct eg_rbuf b = eg_rbuf_init(buf, len);
	uint8_t blen, type;
	int ret;

	if (index == NULL || (buf == NULL && len > 0))
		return EG_ERR_INVAL;
	if ((ret = eg_rbuf_u8(&b, &blen)) != EG_OK || (ret = eg_rbuf_u8(&b, &type)) != EG_OK)
		return ret;
	if (type != HIDRELAY_DT_DEVICE || blen < HIDRELAY_DEVICE_DESC_LEN)
		return EG_ERR_FORMAT;
	if ((ret = eg_rbuf_skip(&b, HIDRELAY_DEVICE_IPRODUCT - 2)) != EG_OK ||
	    (ret = eg_rbuf_u8(&b, index)) != EG_OK)
		return ret;
	return *index == 0 ? EG_ERR_NOT_FOUND : EG_OK;
}

int
hidrelay_parse_product(const uint8_t *buf, size_t len, char *out, size_t cap, unsigned *channels)
{
	struct eg_rbuf b = eg_rbuf_init(buf, len), s;
	const size_t plen = sizeof(HIDRELAY_PRODUCT_PREFIX) - 1;
	uint8_t blen, type;
	size_t n = 0;
	int ret;

	if (out == NULL || cap == 0 || channels == NULL || (buf == NULL && len > 0))
		return EG_ERR_INVAL;
	out[0] = '\0';
	*channels = 0;
	if ((ret = eg_rbuf_u8(&b, &blen)) != EG_OK || (ret = eg_rbuf_u8(&b, &type)) != EG_OK)
		return ret;
	if (type != HIDRELAY_DT_STRING || blen < 2 || (blen & 1u) != 0)
		return EG_ERR_FORMAT;
	if ((ret = eg_rbuf_sub(&b, (size_t)blen - 2, &s)) != EG_OK)
		return ret;
	while (eg_rbuf_left(&s) >= 2) {
		uint16_t c;

		(void)eg_rbuf_le16(&s, &c);
		if (n + 1 < cap)
			out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[n] = '\0';
	/* "USBRelay" and one digit 1..8, nothing after it */
	if (n != plen + 1 || strncmp(out, HIDRELAY_PRODUCT_PREFIX, plen) != 0 ||
	    out[plen] < '1' || out[plen] > '0' + (int)HIDRELAY_MAX_CHANNELS)
		return EG_ERR_UNSUPPORTED;
	*channels = (unsigned)(out[plen] - '0');
	return EG_OK;
}
