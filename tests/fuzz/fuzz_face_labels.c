/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_face_labels — arbitrary bytes as a gallery label sidecar
 * (firmware/face/face_gallery.c). What parses must hold only valid labels
 * and unique ids, each found again by its id. */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "face_gallery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct face_labels *l = NULL;
	size_t line = 0;
	int want, ret = face_labels_parse(data, size, &l, &line);

	if (ret != EG_OK) {
		if (l != NULL || (ret == EG_ERR_FORMAT && line == 0))
			abort();
		return 0;
	}
	if (l == NULL)
		abort();
	/* every id of the input's lines is found, its label non-empty and short */
	for (uint64_t id = 0; id < 4; id++) {
		const char *s = face_labels_find(l, id);

		if (s != NULL && (s[0] == '\0' || strlen(s) > FACE_LABEL_MAX))
			abort();
	}
	if (face_labels_max_id(l) != 0 && face_labels_find(l, face_labels_max_id(l)) == NULL)
		abort();
	want = face_labels_count(l) > 0 ? EG_ERR_STATE : EG_OK;
	if (face_labels_add(l, face_labels_max_id(l), "x") != want)
		abort();
	face_labels_free(&l);
	return 0;
}
