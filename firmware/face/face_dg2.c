/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face_dg2.c — the facial image in an ICAO 9303 DG2: the LDS biometric
 * template wrapping (75 → 7F61 → 7F60 → A1 header, 5F2E/7F2E data) and the
 * ISO/IEC 19794-5:2005 facial record inside it. Parsed only through
 * eg_rbuf / eg_tlv; every length is checked against what is there.
 *
 * Facial record (all big-endian):
 *   record header   "FAC\0"  "010\0"  record length (4)  number of faces (2)
 *   facial info     block length (4) feature points (2) gender eye hair (1 each)
 *                   feature mask (3) expression (2) pose y/p/r (3) uncertainty (3)
 *   feature points  8 bytes each: type, code, x (2), y (2), reserved (2)
 *   image info      face type, image data type, width (2), height (2),
 *                   colour space, source type, device type (2), quality (2)
 *   image data      JPEG or JPEG 2000 (block length - 32 - 8 x points bytes)
 */
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/tlv.h"
#include "face.h"

#define DG2_TAG 0x75u
#define BIT_GROUP_TAG 0x7F61u
#define BIT_TAG 0x7F60u
#define BHT_TAG 0xA1u
#define BDB_TAG 0x5F2Eu
#define BDB_ENC_TAG 0x7F2Eu
#define NUM_INST_TAG 0x02u

#define FAC_HDR_LEN 14u
#define FAC_INFO_LEN 20u
#define FAC_POINT_LEN 8u
#define FAC_IMG_INFO_LEN 12u

static int
parse_record(struct eg_rbuf b, struct face_dg2 *d)
{
	uint8_t magic[4], ver[4], b3[3];
	struct eg_rbuf rec, blk;
	uint32_t rest;
	int ret;

	if ((ret = eg_rbuf_copy(&b, magic, 4)) != EG_OK)
		return ret;
	if (memcmp(magic, "FAC\0", 4) != 0)
		return EG_ERR_FORMAT;
	if ((ret = eg_rbuf_copy(&b, ver, 4)) != EG_OK)
		return ret;
	if (memcmp(ver, "010\0", 4) != 0)
		return EG_ERR_UNSUPPORTED;
	if ((ret = eg_rbuf_be32(&b, &d->record_len)) != EG_OK ||
	    (ret = eg_rbuf_be16(&b, &d->n_faces)) != EG_OK)
		return ret;
	if (d->n_faces == 0 || d->record_len < FAC_HDR_LEN + FAC_INFO_LEN + FAC_IMG_INFO_LEN)
		return EG_ERR_FORMAT;
	if (d->record_len - FAC_HDR_LEN > eg_rbuf_left(&b))
		return EG_ERR_TRUNCATED;
	if ((ret = eg_rbuf_sub(&b, d->record_len - FAC_HDR_LEN, &rec)) != EG_OK)
		return ret;

	/* first facial record data block */
	if ((ret = eg_rbuf_be32(&rec, &d->block_len)) != EG_OK ||
	    (ret = eg_rbuf_be16(&rec, &d->n_points)) != EG_OK)
		return ret;
	if ((uint64_t)d->block_len < FAC_INFO_LEN + FAC_IMG_INFO_LEN +
	    (uint64_t)FAC_POINT_LEN * d->n_points)
		return EG_ERR_FORMAT;
	if (d->block_len - 6u > eg_rbuf_left(&rec))
		return EG_ERR_TRUNCATED;
	if ((ret = eg_rbuf_sub(&rec, d->block_len - 6u, &blk)) != EG_OK)
		return ret;
	if ((ret = eg_rbuf_u8(&blk, &d->gender)) != EG_OK ||
	    (ret = eg_rbuf_u8(&blk, &d->eye_colour)) != EG_OK ||
	    (ret = eg_rbuf_u8(&blk, &d->hair_colour)) != EG_OK ||
	    (ret = eg_rbuf_copy(&blk, b3, 3)) != EG_OK ||
	    (ret = eg_rbuf_be16(&blk, &d->expression)) != EG_OK ||
	    (ret = eg_rbuf_copy(&blk, d->pose, 3)) != EG_OK ||
	    (ret = eg_rbuf_copy(&blk, d->pose_unc, 3)) != EG_OK)
		return ret;
	d->feature_mask = (uint32_t)b3[0] << 16 | (uint32_t)b3[1] << 8 | b3[2];
	if ((ret = eg_rbuf_skip(&blk, (size_t)FAC_POINT_LEN * d->n_points)) != EG_OK)
		return ret;
	if ((ret = eg_rbuf_u8(&blk, &d->face_image_type)) != EG_OK ||
	    (ret = eg_rbuf_u8(&blk, &d->image_data_type)) != EG_OK ||
	    (ret = eg_rbuf_be16(&blk, &d->width)) != EG_OK ||
	    (ret = eg_rbuf_be16(&blk, &d->height)) != EG_OK ||
	    (ret = eg_rbuf_u8(&blk, &d->colour_space)) != EG_OK ||
	    (ret = eg_rbuf_u8(&blk, &d->source_type)) != EG_OK ||
	    (ret = eg_rbuf_be16(&blk, &d->device_type)) != EG_OK ||
	    (ret = eg_rbuf_be16(&blk, &d->quality)) != EG_OK)
		return ret;
	rest = (uint32_t)eg_rbuf_left(&blk);
	if (rest < 4)
		return EG_ERR_FORMAT;
	d->image = blk.p;
	d->image_len = rest;
	/* the image must say what it is; the header's data type is advisory */
	if (d->image[0] == 0xFF && d->image[1] == 0xD8)
		d->fmt = FACE_IMG_JPEG;
	else if (d->image[0] == 0xFF && d->image[1] == 0x4F && d->image[2] == 0xFF &&
	    d->image[3] == 0x51)
		d->fmt = FACE_IMG_J2K;
	else if (rest >= 12 && memcmp(d->image, "\0\0\0\x0cjP  \r\n\x87\n", 12) == 0)
		d->fmt = FACE_IMG_JP2;
	else
		return EG_ERR_FORMAT;
	return EG_OK;
}

int
face_dg2_parse(const uint8_t *p, size_t len, struct face_dg2 *out)
{
	struct eg_rbuf b = eg_rbuf_init(p, len);
	struct eg_tlv dg2, group, t, bit, bdb;
	struct face_dg2 d;
	int ret;

	memset(&d, 0, sizeof(d));
	if (out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = eg_tlv_expect(&b, DG2_TAG, &dg2)) != EG_OK)
		goto out;
	if ((ret = eg_tlv_expect(&dg2.value, BIT_GROUP_TAG, &group)) != EG_OK)
		goto out;
	/* 02 01 n: number of instances */
	if ((ret = eg_tlv_expect(&group.value, NUM_INST_TAG, &t)) != EG_OK)
		goto out;
	if (eg_rbuf_left(&t.value) != 1) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	d.n_instances = t.value.p[0];
	if (d.n_instances == 0) {
		ret = EG_ERR_FORMAT;
		goto out;
	}
	if ((ret = eg_tlv_expect(&group.value, BIT_TAG, &bit)) != EG_OK)
		goto out;
	/* A1 biometric header template first, then the data block */
	if ((ret = eg_tlv_expect(&bit.value, BHT_TAG, &t)) != EG_OK)
		goto out;
	ret = eg_tlv_find(&bit.value, BDB_TAG, &bdb);
	if (ret == EG_ERR_NOT_FOUND)
		ret = eg_tlv_find(&bit.value, BDB_ENC_TAG, &bdb);
	if (ret != EG_OK)
		goto out;
	if ((ret = parse_record(bdb.value, &d)) != EG_OK)
		goto out;
	*out = d;
out:
	return ret;
}

int
face_dg2_build(const uint8_t *img, size_t len, uint16_t w, uint16_t h, struct eg_wbuf *out)
{
	struct eg_wbuf rec, bit, grp;
	uint8_t jp2 = 0;
	size_t block_len, rec_len;
	int ret;
	/* A1: 80 version 0101, 81 type face (0x02), 87 owner 0101, 88 format 0008 */
	static const uint8_t bht[] = {
		0x80, 0x02, 0x01, 0x01, 0x81, 0x01, 0x02,
		0x87, 0x02, 0x01, 0x01, 0x88, 0x02, 0x00, 0x08,
	};

	eg_wbuf_init(&rec, EG_TLV_MAX_LEN, true);
	eg_wbuf_init(&bit, EG_TLV_MAX_LEN, true);
	eg_wbuf_init(&grp, EG_TLV_MAX_LEN, true);
	if (img == NULL || len < 4 || out == NULL || len > EG_TLV_MAX_LEN - 1024) {
		ret = EG_ERR_INVAL;
		goto out;
	}
	jp2 = !(img[0] == 0xFF && img[1] == 0xD8);
	block_len = FAC_INFO_LEN + FAC_IMG_INFO_LEN + len;
	rec_len = FAC_HDR_LEN + block_len;
	if ((ret = eg_wbuf_put(&rec, "FAC\0" "010\0", 8)) != EG_OK ||
	    (ret = eg_wbuf_be32(&rec, (uint32_t)rec_len)) != EG_OK ||
	    (ret = eg_wbuf_be16(&rec, 1)) != EG_OK ||
	    (ret = eg_wbuf_be32(&rec, (uint32_t)block_len)) != EG_OK ||
	    (ret = eg_wbuf_be16(&rec, 0)) != EG_OK ||	/* feature points */
	    (ret = eg_wbuf_put(&rec, "\0\0\0", 3)) != EG_OK ||	/* gender, eyes, hair */
	    (ret = eg_wbuf_put(&rec, "\0\0\0", 3)) != EG_OK ||	/* feature mask */
	    (ret = eg_wbuf_be16(&rec, 0)) != EG_OK ||	/* expression */
	    (ret = eg_wbuf_put(&rec, "\0\0\0\0\0\0", 6)) != EG_OK ||	/* pose */
	    (ret = eg_wbuf_u8(&rec, 1)) != EG_OK ||	/* full frontal */
	    (ret = eg_wbuf_u8(&rec, jp2)) != EG_OK ||
	    (ret = eg_wbuf_be16(&rec, w)) != EG_OK || (ret = eg_wbuf_be16(&rec, h)) != EG_OK ||
	    (ret = eg_wbuf_u8(&rec, 1)) != EG_OK ||	/* 24-bit RGB */
	    (ret = eg_wbuf_u8(&rec, 2)) != EG_OK ||	/* static photo, digital camera */
	    (ret = eg_wbuf_be16(&rec, 0)) != EG_OK || (ret = eg_wbuf_be16(&rec, 0)) != EG_OK ||
	    (ret = eg_wbuf_put(&rec, img, len)) != EG_OK)
		goto out;
	if ((ret = eg_tlv_put(&bit, BHT_TAG, bht, sizeof(bht))) != EG_OK ||
	    (ret = eg_tlv_put(&bit, BDB_TAG, rec.data, rec.len)) != EG_OK)
		goto out;
	if ((ret = eg_tlv_put(&grp, NUM_INST_TAG, "\x01", 1)) != EG_OK ||
	    (ret = eg_tlv_put(&grp, BIT_TAG, bit.data, bit.len)) != EG_OK)
		goto out;
	eg_wbuf_free(&rec);
	if ((ret = eg_tlv_put(&rec, BIT_GROUP_TAG, grp.data, grp.len)) != EG_OK)
		goto out;
	ret = eg_tlv_put(out, DG2_TAG, rec.data, rec.len);
out:
	eg_wbuf_free(&rec);
	eg_wbuf_free(&bit);
	eg_wbuf_free(&grp);
	return ret;
}
