/* SPDX-License-Identifier: Apache-2.0 */
/* prompts.c — traveller-facing texts, English and Korean. */
#include <string.h>

#include "egate/error.h"
#include "outputs.h"

static const char *const texts[PROMPT_COUNT][LANG_COUNT] = {
	[PROMPT_PLACE_DOC] = {
		"Please place your passport on the reader, photo page down.",
		"여권 사진면을 아래로 하여 판독기에 올려 주십시오.",
	},
	[PROMPT_NOTICE] = {
		"This gate uses automated face comparison to confirm that you are the "
		"passport holder. Every refusal is reviewed by a border officer, and your "
		"images are deleted when you have passed.",
		"이 게이트는 여권 소지자 본인 확인을 위해 자동 얼굴 비교를 사용합니다. "
		"거절된 경우는 모두 출입국 심사관이 검토하며, 촬영된 영상은 통과 후 삭제됩니다.",
	},
	[PROMPT_LOOK] = {
		"Please look at the camera.",
		"카메라를 바라봐 주십시오.",
	},
	[PROMPT_RETAKE] = {
		"Please look straight at the camera with your eyes open.",
		"눈을 뜨고 카메라를 정면으로 바라봐 주십시오.",
	},
	[PROMPT_PROCEED] = {
		"Thank you. Please proceed through the gate.",
		"감사합니다. 게이트를 통과해 주십시오.",
	},
	[PROMPT_SEE_OFFICER] = {
		"Please see a border officer.",
		"출입국 심사관에게 가 주십시오.",
	},
	[PROMPT_ONE_PERSON] = {
		"One person at a time, please.",
		"한 번에 한 분씩 이용해 주십시오.",
	},
	[PROMPT_OUT_OF_SERVICE] = {
		"This gate is closed. Please use another lane.",
		"이 게이트는 운영하지 않습니다. 다른 심사대를 이용해 주십시오.",
	},
};

const char *
prompt_text(enum prompt_id id, enum prompt_lang lang)
{
	if ((unsigned)id >= PROMPT_COUNT || (unsigned)lang >= LANG_COUNT)
		return NULL;
	return texts[id][lang];
}

int
prompt_lang_parse(const char *s, enum prompt_lang *out)
{
	if (strcmp(s, "en") == 0)
		*out = LANG_EN;
	else if (strcmp(s, "ko") == 0)
		*out = LANG_KO;
	else
		return EG_ERR_INVAL;
	return EG_OK;
}
