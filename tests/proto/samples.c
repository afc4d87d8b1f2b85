/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "samples.h"

const Egate__Envelope__BodyCase sample_cases[] = {
	EGATE__ENVELOPE__BODY_HELLO, EGATE__ENVELOPE__BODY_HELLO_ACK,
	EGATE__ENVELOPE__BODY_PASSAGE, EGATE__ENVELOPE__BODY_ACK,
	EGATE__ENVELOPE__BODY_HEARTBEAT, EGATE__ENVELOPE__BODY_CONFIG_PUSH,
	EGATE__ENVELOPE__BODY_CONFIG_APPLIED, EGATE__ENVELOPE__BODY_OFFICER_COMMAND,
	EGATE__ENVELOPE__BODY_COMMAND_RESULT, EGATE__ENVELOPE__BODY_ERROR,
	EGATE__ENVELOPE__BODY_OFFICER_REQUEST, EGATE__ENVELOPE__BODY_OFFICER_REPLY,
	EGATE__ENVELOPE__BODY_REFERRAL_IMAGES, EGATE__ENVELOPE__BODY_OFFICER_EVENT,
};
const size_t sample_ncases = sizeof(sample_cases) / sizeof(sample_cases[0]);

const Egate__OfficerEvent__UpdateCase sample_event_cases[] = {
	EGATE__OFFICER_EVENT__UPDATE_KIOSK, EGATE__OFFICER_EVENT__UPDATE_REFERRAL,
	EGATE__OFFICER_EVENT__UPDATE_CLOSED, EGATE__OFFICER_EVENT__UPDATE_IMAGES,
};
const size_t sample_event_ncases = sizeof(sample_event_cases) / sizeof(sample_event_cases[0]);

static void
fill_kiosk_status(struct sample *s)
{
	egate__kiosk_status__init(&s->kst[0]);
	s->kst[0].kiosk_id = (char *)(uintptr_t)"K01";
	s->kst[0].connected = 1;
	s->kst[0].last_seen_ms = 1795000003000;
	s->kst[0].config_version = 8;
	s->kst[0].events = 12;
	egate__passage_summary__init(&s->psum[0]);
	s->psum[0].seq = 41;
	s->psum[0].ts_ms = 1795000000100;
	s->psum[0].decision = EGATE__DECISION__DECISION_OPEN;
	s->psum[0].reason = (char *)(uintptr_t)"officer_override_open";
	s->psum[0].officer_id = (char *)(uintptr_t)"officer-117";
	s->psump[0] = &s->psum[0];
	s->kst[0].n_recent = 1;
	s->kst[0].recent = s->psump;
	s->kstp[0] = &s->kst[0];
}

static void
fill_referral(struct sample *s)
{
	egate__referral__init(&s->ref[0]);
	s->ref[0].kiosk_id = (char *)(uintptr_t)"K01";
	s->ref[0].seq = 42;
	s->ref[0].ts_ms = 1795000000123;
	s->ref[0].reason = (char *)(uintptr_t)"face_below_threshold";
	s->ref[0].explanation = (char *)(uintptr_t)"{\"seq\":42}";
	s->refp[0] = &s->ref[0];
}

/* Two tiny "JPEGs": SOI, a COM segment, EOI (enough for the codec's check). */
static void
fill_images(struct sample *s, const char *kiosk)
{
	egate__referral_images__init(&s->images);
	for (int i = 0; i < 2; i++) {
		static const uint8_t head[] = { 0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x12 };

		memcpy(s->jpeg[i], head, sizeof(head));
		memset(s->jpeg[i] + sizeof(head), 'a' + i, sizeof(s->jpeg[i]) - sizeof(head) - 2);
		s->jpeg[i][sizeof(s->jpeg[i]) - 2] = 0xFF;
		s->jpeg[i][sizeof(s->jpeg[i]) - 1] = 0xD9;
	}
	s->images.referral_seq = 42;
	s->images.live_face.data = s->jpeg[0];
	s->images.live_face.len = sizeof(s->jpeg[0]);
	s->images.chip_portrait.data = s->jpeg[1];
	s->images.chip_portrait.len = sizeof(s->jpeg[1]);
	s->images.kiosk_id = (char *)(uintptr_t)kiosk;
}

void
sample_fill_event(struct sample *s, Egate__OfficerEvent__UpdateCase u)
{
	memset(s, 0, sizeof(*s));
	egate__envelope__init(&s->env);
	egate__officer_event__init(&s->officer_event);
	s->officer_event.subscription_id = 1;
	s->officer_event.update_case = u;
	switch (u) {
	case EGATE__OFFICER_EVENT__UPDATE_KIOSK:
		fill_kiosk_status(s);
		s->officer_event.kiosk = &s->kst[0];
		break;
	case EGATE__OFFICER_EVENT__UPDATE_REFERRAL:
		fill_referral(s);
		s->officer_event.referral = &s->ref[0];
		break;
	case EGATE__OFFICER_EVENT__UPDATE_IMAGES:
		fill_images(s, "K01");
		s->officer_event.images = &s->images;
		break;
	case EGATE__OFFICER_EVENT__UPDATE_CLOSED:
	default:
		egate__referral_closed__init(&s->closed);
		s->closed.kiosk_id = (char *)(uintptr_t)"K01";
		s->closed.seq = 42;
		s->closed.why = (char *)(uintptr_t)"decided";
		s->closed.officer_id = (char *)(uintptr_t)"officer-117";
		s->closed.action = EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT;
		s->officer_event.update_case = EGATE__OFFICER_EVENT__UPDATE_CLOSED;
		s->officer_event.closed = &s->closed;
		break;
	}
	s->env.body_case = EGATE__ENVELOPE__BODY_OFFICER_EVENT;
	s->env.officer_event = &s->officer_event;
}

static void
fill_passage(struct sample *s)
{
	static const char *const names[3] = { "sod_signature", "csca_chain", "dg1_mrz_match" };

	egate__passage_event__init(&s->passage);
	for (int i = 0; i < 3; i++) {
		egate__check__init(&s->checks[i]);
		s->checks[i].name = (char *)(uintptr_t)names[i];
		s->checks[i].result = EGATE__CHECK_RESULT__CHECK_PASS;
		s->checkp[i] = &s->checks[i];
	}
	s->checks[2].detail = (char *)(uintptr_t)"chip_equals_printed";
	egate__score__init(&s->scores[0]);
	s->scores[0].name = (char *)(uintptr_t)"face_similarity";
	s->scores[0].value = 0.812;
	s->scores[0].threshold = 0.55;
	s->scores[0].passed = 1;
	egate__score__init(&s->scores[1]);
	s->scores[1].name = (char *)(uintptr_t)"pad_liveness";
	s->scores[1].value = 0.97;
	s->scores[1].threshold = 0.5;
	s->scores[1].passed = 1;
	s->scorep[0] = &s->scores[0];
	s->scorep[1] = &s->scores[1];
	egate__identifiers__init(&s->ids);
	s->ids.document_number = (char *)(uintptr_t)"L898902C3";
	s->ids.holder_name = (char *)(uintptr_t)"ERIKSSON<<ANNA<MARIA";
	s->ids.issuing_state = (char *)(uintptr_t)"UTO";
	s->ids.document_type = (char *)(uintptr_t)"P";
	s->passage.seq = 42;
	s->passage.ts_ms = 1795000000123;
	s->passage.decision = EGATE__DECISION__DECISION_OPEN;
	s->passage.reason = (char *)(uintptr_t)"all_checks_pass";
	s->passage.n_checks = 3;
	s->passage.checks = s->checkp;
	s->passage.n_scores = 2;
	s->passage.scores = s->scorep;
	s->passage.model_version = (char *)(uintptr_t)"arcface-r100:1a2b3c4d";
	s->passage.config_version = 7;
	s->passage.identifiers = &s->ids;
	s->passage.duration_ms = 7400;
	s->env.passage = &s->passage;
}

void
sample_fill(struct sample *s, Egate__Envelope__BodyCase c)
{
	memset(s, 0, sizeof(*s));
	egate__envelope__init(&s->env);
	s->env.body_case = c;
	switch (c) {
	case EGATE__ENVELOPE__BODY_HELLO:
		egate__hello__init(&s->hello);
		s->hello.version_min = 1;
		s->hello.version_max = 2;
		s->hello.role = EGATE__ROLE__ROLE_KIOSK;
		s->hello.kiosk_id_claimed = (char *)(uintptr_t)"K01";
		s->hello.firmware_version = (char *)(uintptr_t)"0.1.0";
		s->hello.config_version = 7;
		s->hello.last_seq = 41;
		s->env.hello = &s->hello;
		break;
	case EGATE__ENVELOPE__BODY_HELLO_ACK:
		egate__hello_ack__init(&s->hello_ack);
		s->hello_ack.version = 1;
		s->hello_ack.host_time_ms = 1795000000000;
		s->hello_ack.config_version = 8;
		s->hello_ack.last_durable_seq = 40;
		s->hello_ack.kiosk_id = (char *)(uintptr_t)"K01";
		s->env.hello_ack = &s->hello_ack;
		break;
	case EGATE__ENVELOPE__BODY_PASSAGE:
		fill_passage(s);
		break;
	case EGATE__ENVELOPE__BODY_ACK:
		egate__ack__init(&s->ack);
		s->ack.seq = 42;
		s->ack.durable = 1;
		s->env.ack = &s->ack;
		break;
	case EGATE__ENVELOPE__BODY_HEARTBEAT:
		egate__heartbeat__init(&s->heartbeat);
		for (int i = 0; i < 2; i++) {
			egate__device_status__init(&s->devs[i]);
			s->devs[i].health = EGATE__DEVICE_HEALTH__DEVICE_OK;
			s->devp[i] = &s->devs[i];
		}
		s->devs[0].name = (char *)(uintptr_t)"reader";
		s->devs[1].name = (char *)(uintptr_t)"camera";
		s->devs[1].health = EGATE__DEVICE_HEALTH__DEVICE_DEGRADED;
		s->devs[1].detail = (char *)(uintptr_t)"low_light";
		s->heartbeat.ts_ms = 1795000001000;
		s->heartbeat.uptime_s = 3600;
		s->heartbeat.state = (char *)(uintptr_t)"idle";
		s->heartbeat.n_devices = 2;
		s->heartbeat.devices = s->devp;
		s->heartbeat.pending_events = 1;
		s->env.heartbeat = &s->heartbeat;
		break;
	case EGATE__ENVELOPE__BODY_CONFIG_PUSH:
		egate__config_push__init(&s->config_push);
		egate__threshold__init(&s->thr[0]);
		s->thr[0].name = (char *)(uintptr_t)"face_similarity_min";
		s->thr[0].value = 0.55;
		egate__threshold__init(&s->thr[1]);
		s->thr[1].name = (char *)(uintptr_t)"pad_liveness_min";
		s->thr[1].value = 0.5;
		s->thrp[0] = &s->thr[0];
		s->thrp[1] = &s->thr[1];
		for (size_t i = 0; i < sizeof(s->blob); i++)
			s->blob[i] = (uint8_t)(i * 7);
		for (size_t i = 0; i < sizeof(s->digest); i++)
			s->digest[i] = (uint8_t)(0xA0 + i);
		s->blobs[0].data = s->blob;
		s->blobs[0].len = 32;
		s->blobs[1].data = s->blob + 32;
		s->blobs[1].len = 32;
		s->config_push.version = 8;
		s->config_push.n_thresholds = 2;
		s->config_push.thresholds = s->thrp;
		s->config_push.n_csca_master_lists = 1;
		s->config_push.csca_master_lists = &s->blobs[0];
		s->config_push.n_crls = 1;
		s->config_push.crls = &s->blobs[1];
		s->config_push.gallery.data = s->blob;
		s->config_push.gallery.len = 16;
		s->config_push.sha256.data = s->digest;
		s->config_push.sha256.len = 32;
		s->config_push.parts = 1;
		egate__setting__init(&s->set[0]);
		s->set[0].name = (char *)(uintptr_t)"accepted_states";
		s->set[0].value = (char *)(uintptr_t)"UTO,D,KOR";
		s->setp[0] = &s->set[0];
		s->config_push.n_settings = 1;
		s->config_push.settings = s->setp;
		s->env.config_push = &s->config_push;
		break;
	case EGATE__ENVELOPE__BODY_CONFIG_APPLIED:
		egate__config_applied__init(&s->config_applied);
		s->config_applied.version = 8;
		s->config_applied.ok = 1;
		s->env.config_applied = &s->config_applied;
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_COMMAND:
		egate__officer_command__init(&s->officer_command);
		s->officer_command.command_id = 5;
		s->officer_command.action = EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN;
		s->officer_command.officer_id = (char *)(uintptr_t)"officer-117";
		s->officer_command.reason = (char *)(uintptr_t)"manual document inspection passed";
		s->officer_command.passage_seq = 42;
		s->officer_command.ts_ms = 1795000002000;
		s->env.officer_command = &s->officer_command;
		break;
	case EGATE__ENVELOPE__BODY_COMMAND_RESULT:
		egate__command_result__init(&s->command_result);
		s->command_result.command_id = 5;
		s->command_result.ok = 0;
		s->command_result.error = EGATE__ERROR_CODE__ERROR_COMMAND_REJECTED;
		s->command_result.detail = (char *)(uintptr_t)"gate_busy";
		s->env.command_result = &s->command_result;
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_REQUEST:
		egate__officer_request__init(&s->officer_request);
		s->officer_request.request_id = 3;
		s->officer_request.action = EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT;
		s->officer_request.kiosk_id = (char *)(uintptr_t)"K01";
		s->officer_request.reason = (char *)(uintptr_t)"visa missing";
		s->officer_request.passage_seq = 42;
		s->env.officer_request = &s->officer_request;
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_REPLY:
		egate__officer_reply__init(&s->officer_reply);
		fill_kiosk_status(s);
		fill_referral(s);
		s->officer_reply.request_id = 3;
		s->officer_reply.n_kiosks = 1;
		s->officer_reply.kiosks = s->kstp;
		s->officer_reply.n_referrals = 1;
		s->officer_reply.referrals = s->refp;
		s->officer_reply.command_id = 9;
		s->env.officer_reply = &s->officer_reply;
		break;
	case EGATE__ENVELOPE__BODY_REFERRAL_IMAGES:
		fill_images(s, "");
		s->env.referral_images = &s->images;
		break;
	case EGATE__ENVELOPE__BODY_OFFICER_EVENT:
		sample_fill_event(s, EGATE__OFFICER_EVENT__UPDATE_REFERRAL);
		break;
	case EGATE__ENVELOPE__BODY_ERROR:
	default:
		egate__error__init(&s->error);
		s->error.code = EGATE__ERROR_CODE__ERROR_VERSION;
		s->error.detail = (char *)(uintptr_t)"no common version";
		s->error.fatal = 1;
		s->env.body_case = EGATE__ENVELOPE__BODY_ERROR;
		s->env.error = &s->error;
		break;
	}
}
