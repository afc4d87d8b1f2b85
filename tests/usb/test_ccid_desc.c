/* SPDX-License-Identifier: Apache-2.0 */
/* test_ccid_desc.c — the CCID class descriptor parser. */
#include <string.h>

#include "eg_check.h"
#include "egate/ccid.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"

/* A CCID descriptor written out field by field (CCID 1.1 table 5.1-1). */
static const uint8_t good[CCID_DESC_LEN] = {
	0x36, 0x21,			/* bLength, bDescriptorType */
	0x10, 0x01,			/* bcdCCID 1.10 */
	0x01,				/* bMaxSlotIndex: 2 slots */
	0x07,				/* bVoltageSupport */
	0x03, 0x00, 0x00, 0x00,		/* dwProtocols T=0, T=1 */
	0xC0, 0x12, 0x00, 0x00,		/* dwDefaultClock 4800 */
	0x80, 0x25, 0x00, 0x00,		/* dwMaximumClock 9600 */
	0x00,				/* bNumClockSupported */
	0x80, 0x25, 0x00, 0x00,		/* dwDataRate 9600 */
	0x00, 0x10, 0x0E, 0x00,		/* dwMaxDataRate 921600 */
	0x00,				/* bNumDataRatesSupported */
	0xFE, 0x00, 0x00, 0x00,		/* dwMaxIFSD 254 */
	0x00, 0x00, 0x00, 0x00,		/* dwSynchProtocols */
	0x00, 0x00, 0x00, 0x00,		/* dwMechanical */
	0xBE, 0x04, 0x04, 0x00,		/* dwFeatures: extended APDU */
	0x0A, 0x02, 0x00, 0x00,		/* dwMaxCCIDMessageLength 522 */
	0xFF, 0xFF,			/* bClassGetResponse, bClassEnvelope */
	0x00, 0x00,			/* wLcdLayout */
	0x00,				/* bPINSupport */
	0x01,				/* bMaxCCIDBusySlots */
};

START_TEST(test_parse_good)
{
	struct ccid_desc d;

	ck_assert_eg(ccid_desc_parse(good, sizeof(good), &d), EG_OK);
	ck_assert_uint_eq(d.bcd_ccid, 0x0110);
	ck_assert_uint_eq(d.max_slot_index, 1);
	ck_assert_uint_eq(d.voltage_support, 7);
	ck_assert_uint_eq(d.protocols, 3);
	ck_assert_uint_eq(d.default_clock, 4800);
	ck_assert_uint_eq(d.max_clock, 9600);
	ck_assert_uint_eq(d.max_data_rate, 921600);
	ck_assert_uint_eq(d.max_ifsd, 254);
	ck_assert_uint_eq(d.features, 0x000404BE);
	ck_assert_uint_eq(d.max_message, 522);
	ck_assert_uint_eq(d.class_get_response, 0xFF);
	ck_assert_uint_eq(d.max_busy_slots, 1);
	ck_assert_int_eq(ccid_desc_level(&d), CCID_EXCHANGE_EXTENDED_APDU);
}
END_TEST

START_TEST(test_levels)
{
	struct ccid_desc d;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(ccid_desc_level(&d), CCID_EXCHANGE_CHARACTER);
	d.features = CCID_FEAT_LEVEL_TPDU;
	ck_assert_int_eq(ccid_desc_level(&d), CCID_EXCHANGE_TPDU);
	d.features = CCID_FEAT_LEVEL_SHORT | 0xFE;
	ck_assert_int_eq(ccid_desc_level(&d), CCID_EXCHANGE_SHORT_APDU);
	d.features = CCID_FEAT_LEVEL_EXTENDED;
	ck_assert_int_eq(ccid_desc_level(&d), CCID_EXCHANGE_EXTENDED_APDU);
}
END_TEST

START_TEST(test_after_other_descriptors)
{
	uint8_t buf[4 + CCID_DESC_LEN];
	struct ccid_desc d;

	buf[0] = 4; buf[1] = 0x24; buf[2] = 0; buf[3] = 0;	/* some other */
	memcpy(buf + 4, good, sizeof(good));
	ck_assert_eg(ccid_desc_parse(buf, sizeof(buf), &d), EG_OK);
	ck_assert_uint_eq(d.max_message, 522);
	/* only the other one: not found */
	ck_assert_eg(ccid_desc_parse(buf, 4, &d), EG_ERR_NOT_FOUND);
	ck_assert_eg(ccid_desc_parse(NULL, 0, &d), EG_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_bad)
{
	uint8_t b[CCID_DESC_LEN + 2];
	struct ccid_desc d;
	size_t n;

	/* every truncation */
	for (n = 1; n < sizeof(good); n++)
		ck_assert_eg(ccid_desc_parse(good, n, &d), EG_ERR_FORMAT);
	/* wrong bLength for type 0x21 */
	memcpy(b, good, sizeof(good));
	b[0] = 0x34;
	ck_assert_eg(ccid_desc_parse(b, sizeof(good), &d), EG_ERR_FORMAT);
	b[0] = 0x38;
	b[54] = b[55] = 0;
	ck_assert_eg(ccid_desc_parse(b, sizeof(b), &d), EG_ERR_FORMAT);
	/* bLength below 2 */
	b[0] = 1;
	ck_assert_eg(ccid_desc_parse(b, sizeof(b), &d), EG_ERR_FORMAT);
	b[0] = 0;
	ck_assert_eg(ccid_desc_parse(b, sizeof(b), &d), EG_ERR_FORMAT);
	/* max message out of range */
	memcpy(b, good, sizeof(good));
	b[44] = 0x0E; b[45] = 0x01;	/* 270 */
	ck_assert_eg(ccid_desc_parse(b, sizeof(good), &d), EG_ERR_FORMAT);
	b[44] = 0x09; b[45] = 0x00; b[46] = 0x01;	/* 65545 */
	ck_assert_eg(ccid_desc_parse(b, sizeof(good), &d), EG_ERR_FORMAT);
	/* too many slots */
	memcpy(b, good, sizeof(good));
	b[4] = CCID_MAX_SLOTS;
	ck_assert_eg(ccid_desc_parse(b, sizeof(good), &d), EG_ERR_FORMAT);
	ck_assert_uint_eq(d.max_message, 0);	/* cleared on error */
	ck_assert_eg(ccid_desc_parse(good, sizeof(good), NULL), EG_ERR_INVAL);
	ck_assert_eg(ccid_desc_parse(NULL, 5, &d), EG_ERR_INVAL);
}
END_TEST

START_TEST(test_error_names)
{
	ck_assert_str_eq(ccid_error_str(0xFE), "ICC_MUTE");
	ck_assert_str_eq(ccid_error_str(0xFB), "HW_ERROR");
	ck_assert_str_eq(ccid_error_str(0x00), "CMD_NOT_SUPPORTED");
	ck_assert_str_eq(ccid_error_str(0x05), "BAD_SLOT");
	ck_assert_str_eq(ccid_error_str(0x07), "BAD_PARAMETER");
	ck_assert_str_eq(ccid_error_str(0xE1), "UNKNOWN");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("ccid_desc");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_after_other_descriptors);
	tcase_add_test(tc, test_bad);
	tcase_add_test(tc, test_error_names);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
