/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_seeds — write one framed example of every protocol message to DIR, as
 * seeds for the `frame` fuzz target (tests/fuzz/corpus/frame/). Run by hand
 * after changing egate.proto:  build/tests/proto/proto-gen-seeds tests/fuzz/corpus/frame
 */
#include <stdio.h>

#include "egate/error.h"
#include "frame.h"
#include "samples.h"

int
main(int argc, char **argv)
{
	struct eg_wbuf all;
	int ret = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: proto-gen-seeds DIR\n");
		return 2;
	}
	eg_wbuf_init(&all, FRAME_MAX_HARD, false);
	for (size_t i = 0; i < sample_ncases; i++) {
		struct sample s;
		struct eg_wbuf w;
		char path[4096];
		FILE *f;

		sample_fill(&s, sample_cases[i]);
		eg_wbuf_init(&w, FRAME_MAX_HARD, false);
		if (proto_msg_encode(&s.env, 0, &w) != EG_OK ||
		    eg_wbuf_put(&all, w.data, w.len) != EG_OK)
			goto out;
		snprintf(path, sizeof(path), "%s/msg_%s", argv[1], proto_body_name(sample_cases[i]));
		f = fopen(path, "wb");
		if (f == NULL || fwrite(w.data, 1, w.len, f) != w.len) {
			perror(path);
			goto out;
		}
		fclose(f);
		eg_wbuf_free(&w);
	}
	for (size_t i = 0; i < sample_event_ncases; i++) {
		static const char *const names[] = { "kiosk", "referral", "closed", "images" };
		struct sample s;
		struct eg_wbuf w;
		char path[4096];
		FILE *f;

		sample_fill_event(&s, sample_event_cases[i]);
		eg_wbuf_init(&w, FRAME_MAX_HARD, false);
		if (proto_msg_encode(&s.env, 0, &w) != EG_OK)
			goto out;
		snprintf(path, sizeof(path), "%s/msg_officer_event_%s", argv[1], names[i]);
		f = fopen(path, "wb");
		if (f == NULL || fwrite(w.data, 1, w.len, f) != w.len) {
			perror(path);
			goto out;
		}
		fclose(f);
		eg_wbuf_free(&w);
	}
	{
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/stream_all", argv[1]);
		f = fopen(path, "wb");
		if (f == NULL || fwrite(all.data, 1, all.len, f) != all.len)
			goto out;
		fclose(f);
	}
	ret = 0;
out:
	eg_wbuf_free(&all);
	return ret;
}
