/* SPDX-License-Identifier: Apache-2.0 */
/* ccid_desc.c — the CCID class descriptor parser (see ccid.h). */
#include <string.h>

#include "egate/buf.h"
#include "egate/ccid.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"

static int
desc_fields(struct eg_rbuf *b, struct ccid_desc *d)
{
	int ret = EG_OK;

	/* First failure wins: every read is bounds-checked by eg_rbuf. */
	ret = ret ? ret : eg_rbuf_le16(b, &d->bcd_ccid);
	ret = ret ? ret : eg_rbuf_u8(b, &d->max_slot_index);
	ret = ret ? ret : eg_rbuf_u8(b, &d->voltage_support);
	ret = ret ? ret : eg_rbuf_le32(b, &d->protocols);
	ret = ret ? ret : eg_rbuf_le32(b, &d->default_clock);
	ret = ret ? ret : eg_rbuf_le32(b, &d->max_clock);
	ret = ret ? ret : eg_rbuf_u8(b, &d->num_clocks);
	ret = ret ? ret : eg_rbuf_le32(b, &d->data_rate);
	ret = ret ? ret : eg_rbuf_le32(b, &d->max_data_rate);
	ret = ret ? ret : eg_rbuf_u8(b, &d->num_data_rates);
	ret = ret ? ret : eg_rbuf_le32(b, &d->max_ifsd);
	ret = ret ? ret : eg_rbuf_le32(b, &d->sync_protocols);
	ret = ret ? ret : eg_rbuf_le32(b, &d->mechanical);
	ret = ret ? ret : eg_rbuf_le32(b, &d->features);
	ret = ret ? ret : eg_rbuf_le32(b, &d->max_message);
	ret = ret ? ret : eg_rbuf_u8(b, &d->class_get_response);
	ret = ret ? ret : eg_rbuf_u8(b, &d->class_envelope);
	ret = ret ? ret : eg_rbuf_le16(b, &d->lcd_layout);
	ret = ret ? ret : eg_rbuf_u8(b, &d->pin_support);
	ret = ret ? ret : eg_rbuf_u8(b, &d->max_busy_slots);
	return ret;
}

int
ccid_desc_parse(const uint8_t *extra, size_t len, struct ccid_desc *d)
{
	struct eg_rbuf b = eg_rbuf_init(extra, len);
	int ret = EG_ERR_INVAL;

	if (d == NULL || (extra == NULL && len > 0))
		goto out;
	memset(d, 0, sizeof(*d));
	ret = EG_ERR_NOT_FOUND;
	while (eg_rbuf_left(&b) > 0) {
		struct eg_rbuf one;
		uint8_t blen, type;

		if (eg_rbuf_u8(&b, &blen) != EG_OK ||
		    eg_rbuf_u8(&b, &type) != EG_OK || blen < 2 ||
		    eg_rbuf_sub(&b, (size_t)blen - 2, &one) != EG_OK) {
			ret = EG_ERR_FORMAT;
			goto out;
		}
		if (type != CCID_DESC_TYPE)
			continue;
		if (blen != CCID_DESC_LEN || desc_fields(&one, d) != EG_OK ||
		    eg_rbuf_left(&one) != 0) {
			ret = EG_ERR_FORMAT;
			goto out;
		}
		if (d->max_slot_index >= CCID_MAX_SLOTS ||
		    d->max_message < CCID_MIN_MSG_LEN ||
		    d->max_message > CCID_MAX_MSG_LEN) {
			ret = EG_ERR_FORMAT;
			goto out;
		}
		ret = EG_OK;
		goto out;
	}
out:
	if (ret != EG_OK && d != NULL)
		memset(d, 0, sizeof(*d));
	return ret;
}

enum ccid_level
ccid_desc_level(const struct ccid_desc *d)
{
	uint32_t f = d->features & CCID_FEAT_LEVEL_MASK;

	if (f & CCID_FEAT_LEVEL_EXTENDED)
		return CCID_EXCHANGE_EXTENDED_APDU;
	if (f & CCID_FEAT_LEVEL_SHORT)
		return CCID_EXCHANGE_SHORT_APDU;
	if (f & CCID_FEAT_LEVEL_TPDU)
		return CCID_EXCHANGE_TPDU;
	return CCID_EXCHANGE_CHARACTER;
}

const char *
ccid_error_str(uint8_t e)
{
	switch (e) {
	case CCID_ERR_CMD_ABORTED: return "CMD_ABORTED";
	case CCID_ERR_ICC_MUTE: return "ICC_MUTE";
	case CCID_ERR_XFR_PARITY: return "XFR_PARITY_ERROR";
	case CCID_ERR_XFR_OVERRUN: return "XFR_OVERRUN";
	case CCID_ERR_HW_ERROR: return "HW_ERROR";
	case CCID_ERR_BAD_ATR_TS: return "BAD_ATR_TS";
	case CCID_ERR_BAD_ATR_TCK: return "BAD_ATR_TCK";
	case CCID_ERR_PROTO_NOT_SUPP: return "ICC_PROTOCOL_NOT_SUPPORTED";
	case CCID_ERR_CLASS_NOT_SUPP: return "ICC_CLASS_NOT_SUPPORTED";
	case CCID_ERR_PROC_BYTE_CONFL: return "PROCEDURE_BYTE_CONFLICT";
	case CCID_ERR_DEACTIVATED: return "DEACTIVATED_PROTOCOL";
	case CCID_ERR_BUSY_AUTO_SEQ: return "BUSY_WITH_AUTO_SEQUENCE";
	case CCID_ERR_PIN_TIMEOUT: return "PIN_TIMEOUT";
	case CCID_ERR_PIN_CANCELLED: return "PIN_CANCELLED";
	case CCID_ERR_CMD_SLOT_BUSY: return "CMD_SLOT_BUSY";
	case CCID_ERR_CMD_NOT_SUPP: return "CMD_NOT_SUPPORTED";
	case CCID_ERR_BAD_SLOT: return "BAD_SLOT";
	default:
		return e < 0x80 ? "BAD_PARAMETER" : "UNKNOWN";
	}
}
