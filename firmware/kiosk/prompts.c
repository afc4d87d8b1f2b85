/* SPDX-License-Identifier: Apache-2.0 */
/* prompts.c — traveller-facing texts: English, Korean, Japanese, Chinese
 * (simplified), and the language a document's nationality asks for. */
#include <string.h>

#include "egate/error.h"
#include "outputs.h"

static const char *const texts[PROMPT_COUNT][LANG_COUNT] = {
	[PROMPT_PLACE_DOC] = {
		"Please place your passport on the reader, photo page down.",
		"여권 사진면을 아래로 하여 판독기에 올려 주십시오.",
		"パスポートの写真のページを下にして、読み取り機に置いてください。",
		"请将护照照片页朝下放在读取器上。",
	},
	[PROMPT_NOTICE] = {
		"This gate uses automated face comparison to confirm that you are the "
		"passport holder. Every refusal is reviewed by a border officer, and your "
		"images are deleted when you have passed.",
		"이 게이트는 여권 소지자 본인 확인을 위해 자동 얼굴 비교를 사용합니다. "
		"거절된 경우는 모두 출입국 심사관이 검토하며, 촬영된 영상은 통과 후 삭제됩니다.",
		"このゲートは、旅券の所持人ご本人であることを確認するため、自動顔照合を使用します。"
		"通過できなかった場合はすべて入国審査官が確認し、撮影した画像は通過後に削除されます。",
		"本通道使用自动人脸比对来确认您是护照持有人本人。"
		"所有未通过的情况均由边检人员复核，您的图像在通过后即被删除。",
	},
	[PROMPT_LOOK] = {
		"Please look at the camera.",
		"카메라를 바라봐 주십시오.",
		"カメラを見てください。",
		"请看摄像头。",
	},
	[PROMPT_RETAKE] = {
		"Please look straight at the camera with your eyes open.",
		"눈을 뜨고 카메라를 정면으로 바라봐 주십시오.",
		"目を開けて、カメラを正面から見てください。",
		"请睁开眼睛，正视摄像头。",
	},
	[PROMPT_PROCEED] = {
		"Thank you. Please proceed through the gate.",
		"감사합니다. 게이트를 통과해 주십시오.",
		"ありがとうございました。ゲートをお通りください。",
		"谢谢。请通过闸门。",
	},
	[PROMPT_SEE_OFFICER] = {
		"Please see a border officer.",
		"출입국 심사관에게 가 주십시오.",
		"入国審査官のところへお進みください。",
		"请前往边检人员处办理。",
	},
	[PROMPT_ONE_PERSON] = {
		"One person at a time, please.",
		"한 번에 한 분씩 이용해 주십시오.",
		"お一人ずつご利用ください。",
		"请一次一人通过。",
	},
	[PROMPT_OUT_OF_SERVICE] = {
		"This gate is closed. Please use another lane.",
		"이 게이트는 운영하지 않습니다. 다른 심사대를 이용해 주십시오.",
		"このゲートは閉鎖中です。他のレーンをご利用ください。",
		"本通道已关闭，请使用其他通道。",
	},
};

/* BCP 47 tags, as the page's lang attribute and prompt_lang_parse take them */
static const char *const tags[LANG_COUNT] = { "en", "ko", "ja", "zh" };

const char *
prompt_text(enum prompt_id id, enum prompt_lang lang)
{
	if ((unsigned)id >= PROMPT_COUNT || (unsigned)lang >= LANG_COUNT)
		return NULL;
	return texts[id][lang];
}

const char *
prompt_lang_tag(enum prompt_lang lang)
{
	return (unsigned)lang < LANG_COUNT ? tags[lang] : NULL;
}

int
prompt_lang_parse(const char *s, enum prompt_lang *out)
{
	for (int l = 0; s != NULL && l < LANG_COUNT; l++)
		if (strcmp(s, tags[l]) == 0) {
			*out = (enum prompt_lang)l;
			return EG_OK;
		}
	return EG_ERR_INVAL;
}

enum prompt_lang
prompt_lang_for_nationality(const char *nat, enum prompt_lang dflt)
{
	static const struct { const char code[4]; enum prompt_lang lang; } map[] = {
		{ "KOR", LANG_KO }, { "JPN", LANG_JA }, { "CHN", LANG_ZH },
	};

	for (size_t i = 0; nat != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(nat, map[i].code) == 0)
			return map[i].lang;
	return dflt;
}
