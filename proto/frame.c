/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.c — framing (4-byte big-endian length + payload) and the envelope
 * codec of the kiosk <-> host protocol. See frame.h and PROTOCOL.md.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "frame.h"

struct frame_dec {
	size_t max;		/* largest payload accepted */
	uint8_t hdr[FRAME_HDR_LEN];
	size_t hdr_have;	/* header bytes received */
	size_t need;		/* payload length once the header is complete */
	uint8_t *buf;		/* payload being assembled (capacity cap) */
	size_t cap;
	size_t have;		/* payload bytes in buf */
	int ready;		/* buf holds a frame returned by the last call */
	int err;		/* sticky error */
};

int
frame_dec_new(size_t max, struct frame_dec **out)
{
	struct frame_dec *d;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (max == 0)
		max = FRAME_MAX_HARD;
	if (max > FRAME_MAX_HARD)
		return EG_ERR_INVAL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return EG_ERR_NOMEM;
	d->max = max;
	*out = d;
	return EG_OK;
}

void
frame_dec_free(struct frame_dec **d)
{
	if (d == NULL || *d == NULL)
		return;
	eg_secret_free(&(*d)->buf, (*d)->cap);
	free(*d);
	*d = NULL;
}

/* Forget the frame just returned; the payload may hold personal data. */
static void
dec_reset(struct frame_dec *d)
{
	if (d->buf != NULL && d->have > 0)
		eg_memzero(d->buf, d->have);
	d->hdr_have = 0;
	d->need = 0;
	d->have = 0;
	d->ready = 0;
}

int
frame_dec_feed(struct frame_dec *d, const uint8_t *in, size_t len, size_t *used,
    const uint8_t **frame, size_t *frame_len)
{
	size_t i = 0, take;

	if (used != NULL)
		*used = 0;
	if (frame != NULL)
		*frame = NULL;
	if (frame_len != NULL)
		*frame_len = 0;
	if (d == NULL || used == NULL || frame == NULL || frame_len == NULL ||
	    (in == NULL && len > 0))
		return EG_ERR_INVAL;
	if (d->err != EG_OK)
		return d->err;
	if (d->ready)
		dec_reset(d);

	if (d->hdr_have < FRAME_HDR_LEN) {
		while (d->hdr_have < FRAME_HDR_LEN && i < len)
			d->hdr[d->hdr_have++] = in[i++];
		*used = i;
		if (d->hdr_have < FRAME_HDR_LEN)
			return EG_ERR_TRUNCATED;
		d->need = (size_t)d->hdr[0] << 24 | (size_t)d->hdr[1] << 16 |
		    (size_t)d->hdr[2] << 8 | (size_t)d->hdr[3];
		if (d->need == 0)
			return d->err = EG_ERR_FORMAT;
		if (d->need > d->max)
			return d->err = EG_ERR_OVERFLOW;
	}

	/* Whole payload present in the caller's buffer: hand it out in place. */
	if (d->have == 0 && len - i >= d->need) {
		*frame = in + i;
		*frame_len = d->need;
		*used = i + d->need;
		d->hdr_have = 0;
		d->need = 0;
		return EG_OK;
	}

	if (d->cap < d->need) {
		uint8_t *nb = malloc(d->need);

		if (nb == NULL)
			return EG_ERR_NOMEM;	/* not sticky: the caller may retry */
		if (d->have > 0)
			memcpy(nb, d->buf, d->have);
		eg_secret_free(&d->buf, d->cap);
		d->buf = nb;
		d->cap = d->need;
	}
	take = d->need - d->have;
	if (take > len - i)
		take = len - i;
	if (take > 0)
		memcpy(d->buf + d->have, in + i, take);
	d->have += take;
	i += take;
	*used = i;
	if (d->have < d->need)
		return EG_ERR_TRUNCATED;
	d->ready = 1;
	*frame = d->buf;
	*frame_len = d->need;
	return EG_OK;
}

size_t
frame_dec_pending(const struct frame_dec *d)
{
	if (d == NULL || d->ready)
		return 0;
	return d->hdr_have + d->have;
}

int
frame_dec_finish(const struct frame_dec *d)
{
	if (d == NULL)
		return EG_ERR_INVAL;
	if (d->err != EG_OK)
		return d->err;
	return frame_dec_pending(d) == 0 ? EG_OK : EG_ERR_TRUNCATED;
}

int
frame_encode(const void *payload, size_t len, size_t max, struct eg_wbuf *out)
{
	uint8_t *p;
	int rc;

	if (payload == NULL || out == NULL || len == 0)
		return EG_ERR_INVAL;
	if (max == 0 || max > FRAME_MAX_HARD)
		max = FRAME_MAX_HARD;
	if (len > max)
		return EG_ERR_OVERFLOW;
	rc = eg_wbuf_reserve(out, FRAME_HDR_LEN + len, &p);
	if (rc != EG_OK)
		return rc;
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memcpy(p + FRAME_HDR_LEN, payload, len);
	return EG_OK;
}

/* ---- envelope ------------------------------------------------------------- */

int
proto_msg_encode(const Egate__Envelope *env, size_t max, struct eg_wbuf *out)
{
	size_t len, start;
	uint8_t *p;
	int rc;

	if (env == NULL || out == NULL)
		return EG_ERR_INVAL;
	rc = proto_msg_validate(env);
	if (rc != EG_OK)
		return rc;
	if (max == 0 || max > FRAME_MAX_HARD)
		max = FRAME_MAX_HARD;
	len = egate__envelope__get_packed_size(env);
	if (len == 0)
		return EG_ERR_PROTOCOL;
	if (len > max)
		return EG_ERR_OVERFLOW;
	start = out->len;
	rc = eg_wbuf_reserve(out, FRAME_HDR_LEN + len, &p);
	if (rc != EG_OK)
		return rc;
	if (egate__envelope__pack(env, p + FRAME_HDR_LEN) != len) {
		out->len = start;
		return EG_ERR_PROTOCOL;
	}
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	return EG_OK;
}

/*
 * A protobuf-c allocator that refuses to hand out more than `limit` bytes in
 * total, so a small hostile frame (thousands of empty repeated submessages)
 * cannot make the receiver allocate without bound. Each block carries its
 * size in a header so free() can account for it.
 */
struct limit_alloc {
	size_t used;
	size_t limit;
	int hit;
};

union alloc_hdr {
	size_t size;
	max_align_t align_;
};

static void *
limit_alloc_fn(void *data, size_t size)
{
	struct limit_alloc *la = data;
	union alloc_hdr *h;

	if (size > la->limit - la->used || size > SIZE_MAX - sizeof(*h)) {
		la->hit = 1;
		return NULL;
	}
	h = malloc(sizeof(*h) + size);
	if (h == NULL)
		return NULL;
	h->size = size;
	la->used += size;
	return h + 1;
}

static void
limit_free_fn(void *data, void *ptr)
{
	struct limit_alloc *la = data;
	union alloc_hdr *h;

	if (ptr == NULL)
		return;
	h = (union alloc_hdr *)ptr - 1;
	la->used -= h->size;
	/* Wipe everything: strings may be document numbers or names. */
	eg_memzero(h, sizeof(*h) + h->size);
	free(h);
}

struct proto_msg {
	Egate__Envelope *env;
	struct limit_alloc la;
	ProtobufCAllocator alloc;
};

int
proto_msg_decode(const uint8_t *payload, size_t len, struct proto_msg **out)
{
	struct proto_msg *m = NULL;
	int ret = EG_ERR_INVAL;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (payload == NULL || len == 0 || len > FRAME_MAX_HARD)
		goto out;
	ret = EG_ERR_NOMEM;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		goto out;
	m->la.limit = 16 * len + 64 * 1024;
	m->alloc.alloc = limit_alloc_fn;
	m->alloc.free = limit_free_fn;
	m->alloc.allocator_data = &m->la;
	m->env = egate__envelope__unpack(&m->alloc, len, payload);
	if (m->env == NULL) {
		ret = m->la.hit ? EG_ERR_OVERFLOW : EG_ERR_FORMAT;
		goto out;
	}
	ret = proto_msg_validate(m->env);
	if (ret != EG_OK)
		goto out;
	*out = m;
	m = NULL;
out:
	proto_msg_free(&m);
	return ret;
}

const Egate__Envelope *
proto_msg_env(const struct proto_msg *m)
{
	return m != NULL ? m->env : NULL;
}

void
proto_msg_free(struct proto_msg **m)
{
	if (m == NULL || *m == NULL)
		return;
	if ((*m)->env != NULL)
		egate__envelope__free_unpacked((*m)->env, &(*m)->alloc);
	free(*m);
	*m = NULL;
}

/* ---- validation ----------------------------------------------------------- */

static int
str_ok(const char *s)
{
	return s == NULL || strnlen(s, PROTO_STR_MAX + 1) <= PROTO_STR_MAX;
}

static int
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' && str_ok(s);
}

static int
enum_ok(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

static int
validate_passage(const Egate__PassageEvent *e)
{
	if (e->seq == 0 || e->ts_ms <= 0 ||
	    !enum_ok((int)e->decision, EGATE__DECISION__DECISION_OPEN,
		EGATE__DECISION__DECISION_FAULT) ||
	    !nonempty(e->reason) || !str_ok(e->model_version) || !str_ok(e->officer_id))
		return 0;
	if (e->n_checks > PROTO_REPEATED_MAX || e->n_scores > PROTO_REPEATED_MAX)
		return 0;
	for (size_t i = 0; i < e->n_checks; i++) {
		const Egate__Check *c = e->checks[i];

		if (c == NULL || !nonempty(c->name) || !str_ok(c->detail) ||
		    !enum_ok((int)c->result, EGATE__CHECK_RESULT__CHECK_PASS,
			EGATE__CHECK_RESULT__CHECK_ERROR))
			return 0;
	}
	for (size_t i = 0; i < e->n_scores; i++) {
		const Egate__Score *s = e->scores[i];

		if (s == NULL || !nonempty(s->name) || s->value != s->value ||
		    s->threshold != s->threshold)
			return 0;	/* NaN is not a score */
	}
	if (e->identifiers != NULL) {
		const Egate__Identifiers *id = e->identifiers;

		if (!str_ok(id->document_number) || !str_ok(id->holder_name) ||
		    !str_ok(id->issuing_state) || !str_ok(id->document_type))
			return 0;
		/* sealed identifiers replace the clear ones, never both */
		if (e->sealed_identifiers.len > 0 &&
		    ((id->document_number != NULL && id->document_number[0] != '\0') ||
			(id->holder_name != NULL && id->holder_name[0] != '\0')))
			return 0;
	}
	if (e->sealed_identifiers.len > PROTO_SEALED_MAX)
		return 0;
	return 1;
}

static int
validate_heartbeat(const Egate__Heartbeat *h)
{
	if (!str_ok(h->state) || h->n_devices > PROTO_REPEATED_MAX ||
	    !str_ok(h->last_decision) || !str_ok(h->last_reason))
		return 0;
	for (size_t i = 0; i < h->n_devices; i++) {
		const Egate__DeviceStatus *s = h->devices[i];

		if (s == NULL || !nonempty(s->name) || !str_ok(s->detail) ||
		    !enum_ok((int)s->health, EGATE__DEVICE_HEALTH__DEVICE_OK,
			EGATE__DEVICE_HEALTH__DEVICE_ABSENT))
			return 0;
	}
	return 1;
}

static int
validate_config_push(const Egate__ConfigPush *c)
{
	uint32_t parts = c->parts == 0 ? 1 : c->parts;

	if (c->version == 0 || c->part >= parts || c->n_thresholds > PROTO_REPEATED_MAX ||
	    c->n_csca_master_lists > PROTO_REPEATED_MAX || c->n_crls > PROTO_REPEATED_MAX)
		return 0;
	if (c->sha256.len != 0 && c->sha256.len != 32)
		return 0;
	for (size_t i = 0; i < c->n_thresholds; i++) {
		const Egate__Threshold *t = c->thresholds[i];

		if (t == NULL || !nonempty(t->name) || t->value != t->value)
			return 0;
	}
	if (c->n_settings > PROTO_REPEATED_MAX)
		return 0;
	for (size_t i = 0; i < c->n_settings; i++) {
		const Egate__Setting *st = c->settings[i];

		if (st == NULL || !nonempty(st->name) || !str_ok(st->value))
			return 0;
	}
	return 1;
}

static int
error_code_ok(int v)
{
	return enum_ok(v, EGATE__ERROR_CODE__ERROR_VERSION, EGATE__ERROR_CODE__ERROR_INTERNAL);
}

static int
validate_result(const Egate__CommandResult *r)
{
	return r->command_id >= 1 && str_ok(r->detail) &&
	    (r->ok ? r->error == 0 : error_code_ok((int)r->error));
}

static int
validate_error(const Egate__Error *e)
{
	return error_code_ok((int)e->code) && str_ok(e->detail);
}

static int
is_override(int action)
{
	return action == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN ||
	    action == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT;
}

static int
validate_officer_request(const Egate__OfficerRequest *q)
{
	bool has_query = q->query != EGATE__OFFICER_QUERY__OFFICER_QUERY_UNSPECIFIED;
	bool has_action = q->action != EGATE__OFFICER_ACTION__OFFICER_ACTION_UNSPECIFIED;

	if (q->request_id == 0 || has_query == has_action || !str_ok(q->kiosk_id) ||
	    !str_ok(q->reason))
		return 0;
	if (has_query)
		return enum_ok((int)q->query, EGATE__OFFICER_QUERY__OFFICER_QUERY_STATUS,
		    EGATE__OFFICER_QUERY__OFFICER_QUERY_SUBSCRIBE);
	if (!enum_ok((int)q->action, EGATE__OFFICER_ACTION__OFFICER_OPEN,
		EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT) ||
	    !nonempty(q->kiosk_id) || !nonempty(q->reason))
		return 0;
	return !is_override((int)q->action) || q->passage_seq >= 1;
}

static int
validate_kiosk_status(const Egate__KioskStatus *k)
{
	if (k == NULL || !nonempty(k->kiosk_id) || !str_ok(k->firmware_version) ||
	    (k->heartbeat != NULL && !validate_heartbeat(k->heartbeat)) ||
	    k->n_recent > PROTO_REPEATED_MAX)
		return 0;
	for (size_t i = 0; i < k->n_recent; i++) {
		const Egate__PassageSummary *p = k->recent[i];

		if (p == NULL || p->seq == 0 || !str_ok(p->reason) || !str_ok(p->officer_id) ||
		    !enum_ok((int)p->decision, EGATE__DECISION__DECISION_OPEN,
			EGATE__DECISION__DECISION_FAULT))
			return 0;
	}
	return 1;
}

static int
validate_referral(const Egate__Referral *f)
{
	return f != NULL && nonempty(f->kiosk_id) && f->seq != 0 && str_ok(f->reason) &&
	    str_ok(f->explanation);
}

/* A JPEG starts with SOI and the first marker (FF D8 FF). */
static int
jpeg_ok(const ProtobufCBinaryData *b)
{
	return b->len == 0 || (b->len >= 4 && b->len <= PROTO_IMAGE_MAX && b->data[0] == 0xFF &&
	    b->data[1] == 0xD8 && b->data[2] == 0xFF);
}

static int
validate_images(const Egate__ReferralImages *m)
{
	return m != NULL && m->referral_seq >= 1 && str_ok(m->kiosk_id) &&
	    (m->live_face.len > 0 || m->chip_portrait.len > 0) &&
	    jpeg_ok(&m->live_face) && jpeg_ok(&m->chip_portrait);
}

static int
validate_officer_event(const Egate__OfficerEvent *e)
{
	if (e->subscription_id == 0)
		return 0;
	switch (e->update_case) {
	case EGATE__OFFICER_EVENT__UPDATE_KIOSK:
		return validate_kiosk_status(e->kiosk);
	case EGATE__OFFICER_EVENT__UPDATE_REFERRAL:
		return validate_referral(e->referral);
	case EGATE__OFFICER_EVENT__UPDATE_CLOSED:
		return e->closed != NULL && nonempty(e->closed->kiosk_id) && e->closed->seq >= 1 &&
		    str_ok(e->closed->why) && str_ok(e->closed->officer_id) &&
		    enum_ok((int)e->closed->action, EGATE__OFFICER_ACTION__OFFICER_ACTION_UNSPECIFIED,
			EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT);
	case EGATE__OFFICER_EVENT__UPDATE_IMAGES:
		return validate_images(e->images) && nonempty(e->images->kiosk_id);
	default:
		return 0;
	}
}

static int
validate_officer_reply(const Egate__OfficerReply *r)
{
	if (r->request_id == 0 || r->n_kiosks > PROTO_REPEATED_MAX ||
	    r->n_referrals > PROTO_REPEATED_MAX)
		return 0;
	for (size_t i = 0; i < r->n_kiosks; i++)
		if (!validate_kiosk_status(r->kiosks[i]))
			return 0;
	for (size_t i = 0; i < r->n_referrals; i++)
		if (!validate_referral(r->referrals[i]))
			return 0;
	if (r->result != NULL && !validate_result(r->result))
		return 0;
	return r->error == NULL || validate_error(r->error);
}

/*
 * Unknown fields are skipped (forward compatibility), but field number 0 is
 * invalid protobuf: protobuf-c 1.4 accepts it when the tag is encoded in
 * more than one byte (80 00) and then re-encodes it as 00, which it rejects.
 * Found by the frame fuzzer (corpus/frame/overlong_tag_zero). Walks every
 * submessage through the descriptors.
 */
static int
unknown_ok(const ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;

	if (depth > 8)
		return 0;
	for (unsigned i = 0; i < m->n_unknown_fields; i++)
		if (m->unknown_fields[i].tag == 0)
			return 0;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0) {
			uint32_t which;

			memcpy(&which, base + f->quantifier_offset, sizeof(which));
			if (which != f->id)
				continue;	/* another member of the union */
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n;
			const ProtobufCMessage *const *arr;

			memcpy(&n, base + f->quantifier_offset, sizeof(n));
			memcpy(&arr, base + f->offset, sizeof(arr));
			for (size_t k = 0; k < n; k++)
				if (arr == NULL || arr[k] == NULL || !unknown_ok(arr[k], depth + 1))
					return 0;
		} else {
			const ProtobufCMessage *sub;

			memcpy(&sub, base + f->offset, sizeof(sub));
			if (sub != NULL && !unknown_ok(sub, depth + 1))
				return 0;
		}
	}
	return 1;
}

int
proto_msg_validate(const Egate__Envelope *env)
{
	int ok = 0;

	if (env == NULL)
		return EG_ERR_INVAL;
	switch (env->body_case) {
	case EGATE__ENVELOPE__BODY_HELLO: {
		const Egate__Hello *h = env->hello;

		ok = h != NULL && h->version_min >= 1 && h->version_min <= h->version_max &&
		    str_ok(h->kiosk_id_claimed) && str_ok(h->firmware_version) &&
		    enum_ok((int)h->role, EGATE__ROLE__ROLE_UNSPECIFIED, EGATE__ROLE__ROLE_OFFICER);
		break;
	}
	case EGATE__ENVELOPE__BODY_HELLO_ACK:
		ok = env->hello_ack != NULL && env->hello_ack->version >= 1 &&
		    str_ok(env->hello_ack->kiosk_id);
		break;
	case EGATE__ENVELOPE__BODY_PASSAGE:
		ok = env->passage != NULL && validate_passage(env->passage);
		break;
	case EGATE__ENVELOPE__BODY_ACK:
		ok = env->ack != NULL && env->ack->seq >= 1;
		break;
	case EGATE__ENVELOPE__BODY_HEARTBEAT:
		ok = env->heartbeat != NULL && validate_heartbeat(env->heartbeat);
		break;
	case EGATE__ENVELOPE__BODY_CONFIG_PUSH:
		ok = env->config_push != NULL && validate_config_push(env->config_push);
		break;
	case EGATE__ENVELOPE__BODY_CONFIG_APPLIED: {
		const Egate__ConfigApplied *a = env->config_applied;

		ok = a != NULL && a->version >= 1 && str_ok(a->detail) &&
		    (a->ok ? a->error == 0 : error_code_ok((int)a->error));
		break;
	}
	case EGATE__ENVELOPE__BODY_OFFICER_COMMAND: {
		const Egate__OfficerCommand *c = env->officer_command;

		ok = c != NULL && c->command_id >= 1 &&
		    enum_ok((int)c->action, EGATE__OFFICER_ACTION__OFFICER_OPEN,
			EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT) &&
		    nonempty(c->officer_id) && nonempty(c->reason);
		if (ok && is_override((int)c->action))
			ok = c->passage_seq >= 1;
		break;
	}
	case EGATE__ENVELOPE__BODY_COMMAND_RESULT:
		ok = env->command_result != NULL && validate_result(env->command_result);
		break;
	case EGATE__ENVELOPE__BODY_ERROR:
		ok = env->error != NULL && validate_error(env->error);
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_REQUEST:
		ok = env->officer_request != NULL &&
		    validate_officer_request(env->officer_request);
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_REPLY:
		ok = env->officer_reply != NULL && validate_officer_reply(env->officer_reply);
		break;
	case EGATE__ENVELOPE__BODY_REFERRAL_IMAGES:
		ok = validate_images(env->referral_images);
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_EVENT:
		ok = env->officer_event != NULL && validate_officer_event(env->officer_event);
		break;
	default:
		ok = 0;
		break;
	}
	if (ok)
		ok = unknown_ok(&env->base, 0);
	return ok ? EG_OK : EG_ERR_PROTOCOL;
}

const char *
proto_body_name(Egate__Envelope__BodyCase c)
{
	switch (c) {
	case EGATE__ENVELOPE__BODY__NOT_SET: return "none";
	case EGATE__ENVELOPE__BODY_HELLO: return "hello";
	case EGATE__ENVELOPE__BODY_HELLO_ACK: return "hello_ack";
	case EGATE__ENVELOPE__BODY_PASSAGE: return "passage";
	case EGATE__ENVELOPE__BODY_ACK: return "ack";
	case EGATE__ENVELOPE__BODY_HEARTBEAT: return "heartbeat";
	case EGATE__ENVELOPE__BODY_CONFIG_PUSH: return "config_push";
	case EGATE__ENVELOPE__BODY_CONFIG_APPLIED: return "config_applied";
	case EGATE__ENVELOPE__BODY_OFFICER_COMMAND: return "officer_command";
	case EGATE__ENVELOPE__BODY_COMMAND_RESULT: return "command_result";
	case EGATE__ENVELOPE__BODY_ERROR: return "error";
	case EGATE__ENVELOPE__BODY_OFFICER_REQUEST: return "officer_request";
	case EGATE__ENVELOPE__BODY_OFFICER_REPLY: return "officer_reply";
	case EGATE__ENVELOPE__BODY_REFERRAL_IMAGES: return "referral_images";
	case EGATE__ENVELOPE__BODY_OFFICER_EVENT: return "officer_event";
	default: break;
	}
	return "unknown";
}

uint32_t
proto_version_choose(uint32_t min, uint32_t max)
{
	uint32_t hi = max < EGATE_PROTO_VERSION_MAX ? max : EGATE_PROTO_VERSION_MAX;
	uint32_t lo = min > EGATE_PROTO_VERSION_MIN ? min : EGATE_PROTO_VERSION_MIN;

	if (min == 0 || min > max || lo > hi)
		return 0;
	return hi;
}

/* ---- configuration digest -------------------------------------------------- */

static int
sha_put(mbedtls_sha256_context *c, const void *p, size_t n)
{
	return mbedtls_sha256_update_ret(c, p, n) == 0 ? EG_OK : EG_ERR_CRYPTO;
}

static int
sha_u64(mbedtls_sha256_context *c, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	return sha_put(c, b, 8);
}

/* 0x01 ‖ u64be(len) ‖ bytes */
static int
sha_item(mbedtls_sha256_context *c, const void *p, size_t n)
{
	uint8_t one = 0x01;

	if (sha_put(c, &one, 1) != EG_OK || sha_u64(c, n) != EG_OK)
		return EG_ERR_CRYPTO;
	return n > 0 ? sha_put(c, p, n) : EG_OK;
}

int
proto_config_digest(const Egate__ConfigPush *const *parts, size_t nparts, uint8_t out[32])
{
	static const char label[] = "egate-config/v1";
	const uint8_t end = 0x00;
	mbedtls_sha256_context c;
	uint64_t gallery = 0;
	int ret = EG_ERR_INVAL;

	mbedtls_sha256_init(&c);
	if (parts == NULL || nparts == 0 || out == NULL)
		goto out;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i] == NULL || parts[i]->version != parts[0]->version)
			goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_sha256_starts_ret(&c, 0) != 0 || sha_put(&c, label, sizeof(label)) != EG_OK ||
	    sha_u64(&c, parts[0]->version) != EG_OK)
		goto out;
	/* thresholds: item(name) ‖ u64be(IEEE 754 bits of value) each, then 0x00 */
	for (size_t i = 0; i < nparts; i++) {
		for (size_t t = 0; t < parts[i]->n_thresholds; t++) {
			const Egate__Threshold *th = parts[i]->thresholds[t];
			const char *name = th->name != NULL ? th->name : "";
			uint64_t bits;

			memcpy(&bits, &th->value, sizeof(bits));
			if (sha_item(&c, name, strlen(name)) != EG_OK || sha_u64(&c, bits) != EG_OK)
				goto out;
		}
	}
	if (sha_put(&c, &end, 1) != EG_OK)
		goto out;
	/* settings: item(name) ‖ item(value) each, then 0x00 */
	for (size_t i = 0; i < nparts; i++) {
		for (size_t t = 0; t < parts[i]->n_settings; t++) {
			const Egate__Setting *st = parts[i]->settings[t];
			const char *name = st->name != NULL ? st->name : "";
			const char *val = st->value != NULL ? st->value : "";

			if (sha_item(&c, name, strlen(name)) != EG_OK ||
			    sha_item(&c, val, strlen(val)) != EG_OK)
				goto out;
		}
	}
	if (sha_put(&c, &end, 1) != EG_OK)
		goto out;
	/* master lists, then CRLs: item(blob) each, then 0x00 */
	for (size_t i = 0; i < nparts; i++)
		for (size_t m = 0; m < parts[i]->n_csca_master_lists; m++)
			if (sha_item(&c, parts[i]->csca_master_lists[m].data,
				parts[i]->csca_master_lists[m].len) != EG_OK)
				goto out;
	if (sha_put(&c, &end, 1) != EG_OK)
		goto out;
	for (size_t i = 0; i < nparts; i++)
		for (size_t m = 0; m < parts[i]->n_crls; m++)
			if (sha_item(&c, parts[i]->crls[m].data, parts[i]->crls[m].len) != EG_OK)
				goto out;
	if (sha_put(&c, &end, 1) != EG_OK)
		goto out;
	/* gallery: u64be(total length) ‖ the parts' bytes in order */
	for (size_t i = 0; i < nparts; i++)
		gallery += parts[i]->gallery.len;
	if (sha_u64(&c, gallery) != EG_OK)
		goto out;
	for (size_t i = 0; i < nparts; i++)
		if (parts[i]->gallery.len > 0 &&
		    sha_put(&c, parts[i]->gallery.data, parts[i]->gallery.len) != EG_OK)
			goto out;
	ret = mbedtls_sha256_finish_ret(&c, out) == 0 ? EG_OK : EG_ERR_CRYPTO;
out:
	mbedtls_sha256_free(&c);
	return ret;
}
