/* SPDX-License-Identifier: Apache-2.0 */
/* samples.h — one valid example of every protocol message, for the codec
 * tests and the fuzz seed generator. All storage lives in struct sample. */
#ifndef EGATE_TEST_PROTO_SAMPLES_H
#define EGATE_TEST_PROTO_SAMPLES_H

#include "frame.h"

struct sample {
	Egate__Envelope env;
	Egate__Hello hello;
	Egate__HelloAck hello_ack;
	Egate__PassageEvent passage;
	Egate__Check checks[3];
	Egate__Check *checkp[3];
	Egate__Score scores[2];
	Egate__Score *scorep[2];
	Egate__Identifiers ids;
	Egate__Ack ack;
	Egate__Heartbeat heartbeat;
	Egate__DeviceStatus devs[2];
	Egate__DeviceStatus *devp[2];
	Egate__ConfigPush config_push;
	Egate__Threshold thr[2];
	Egate__Threshold *thrp[2];
	ProtobufCBinaryData blobs[2];
	uint8_t digest[32];
	uint8_t blob[64];
	Egate__ConfigApplied config_applied;
	Egate__OfficerCommand officer_command;
	Egate__CommandResult command_result;
	Egate__Error error;
	Egate__Setting set[1];
	Egate__Setting *setp[1];
	Egate__OfficerRequest officer_request;
	Egate__OfficerReply officer_reply;
	Egate__KioskStatus kst[1];
	Egate__KioskStatus *kstp[1];
	Egate__Referral ref[1];
	Egate__Referral *refp[1];
	Egate__PassageSummary psum[1];
	Egate__PassageSummary *psump[1];
	Egate__ReferralImages images;
	uint8_t jpeg[2][24];
	Egate__ReferralClosed closed;
	Egate__OfficerEvent officer_event;
};

/* Every body case, in order. */
extern const Egate__Envelope__BodyCase sample_cases[];
extern const size_t sample_ncases;

/* sample_fill — make s->env a valid envelope carrying body c. */
void sample_fill(struct sample *s, Egate__Envelope__BodyCase c);

/* Every update case of an OfficerEvent, in order. */
extern const Egate__OfficerEvent__UpdateCase sample_event_cases[];
extern const size_t sample_event_ncases;

/* sample_fill_event — make s->env a valid OfficerEvent carrying update u. */
void sample_fill_event(struct sample *s, Egate__OfficerEvent__UpdateCase u);

#endif
