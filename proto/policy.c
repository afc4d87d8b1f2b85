/* SPDX-License-Identifier: Apache-2.0 */
/* policy.c — the pushed decision policy: names, checks, ConfigPush encoding
 * and decoding, the host's bundle file (see policy.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "egate/config.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"
#include "frame.h"
#include "policy.h"

static const struct {
	const char *name;
	double min, max;
	bool integer;
	const char *help;
} thresholds[POLICY_T_COUNT] = {
#define X_(id, n, lo, hi, i, h) [POLICY_T_##id] = { n, lo, hi, i, h },
	POLICY_THRESHOLDS(X_)
#undef X_
};

static const char *const setting_names[POLICY_S_COUNT] = {
#define X_(id, n, d, h) [POLICY_S_##id] = n,
	POLICY_SETTINGS(X_)
#undef X_
};

static const char *const setting_defaults[POLICY_S_COUNT] = {
#define X_(id, n, d, h) [POLICY_S_##id] = d,
	POLICY_SETTINGS(X_)
#undef X_
};

static const char *const pad_cue_names[POLICY_PAD_COUNT] = {
#define X_(id, n) [POLICY_PAD_##id] = n,
	POLICY_PAD_CUES(X_)
#undef X_
};

static const char *const check_names[POLICY_C_COUNT] = {
#define X_(id, n) [POLICY_C_##id] = n,
	POLICY_DOC_CHECKS(X_)
#undef X_
};

const char *
policy_threshold_name(enum policy_threshold t)
{
	return (unsigned)t < POLICY_T_COUNT ? thresholds[t].name : "?";
}

const char *
policy_setting_name(enum policy_setting s)
{
	return (unsigned)s < POLICY_S_COUNT ? setting_names[s] : "?";
}

const char *
policy_doc_check_name(enum policy_doc_check c)
{
	return (unsigned)c < POLICY_C_COUNT ? check_names[c] : "?";
}

const char *
policy_pad_cue_name(enum policy_pad_cue c)
{
	return (unsigned)c < POLICY_PAD_COUNT ? pad_cue_names[c] : "?";
}

const char *
policy_setting_default(enum policy_setting s)
{
	return (unsigned)s < POLICY_S_COUNT ? setting_defaults[s] : NULL;
}

void
policy_threshold_range(enum policy_threshold t, double *min, double *max, bool *integer)
{
	if ((unsigned)t >= POLICY_T_COUNT)
		return;
	if (min != NULL)
		*min = thresholds[t].min;
	if (max != NULL)
		*max = thresholds[t].max;
	if (integer != NULL)
		*integer = thresholds[t].integer;
}

void
policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < POLICY_T_COUNT; i++)
		p->threshold[i] = NAN;		/* not set */
	for (size_t i = 0; i < POLICY_S_COUNT; i++)
		if (setting_defaults[i] != NULL)
			(void)policy_setting_set(p, setting_names[i], setting_defaults[i], NULL, 0);
}

static void
blob_free(struct policy_blob *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

void
policy_clear(struct policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_master_lists; i++)
		blob_free(&p->master_lists[i]);
	for (size_t i = 0; i < p->n_crls; i++)
		blob_free(&p->crls[i]);
	blob_free(&p->gallery);
	policy_init(p);
}

/* ---- names and values ----------------------------------------------------- */

static int
find_threshold(const char *name)
{
	for (int i = 0; i < POLICY_T_COUNT; i++)
		if (strcmp(thresholds[i].name, name) == 0)
			return i;
	return -1;
}

static int
find_setting(const char *name)
{
	for (int i = 0; i < POLICY_S_COUNT; i++)
		if (strcmp(setting_names[i], name) == 0)
			return i;
	return -1;
}

int
policy_threshold_set(struct policy *p, const char *name, double v, char *err, size_t errlen)
{
	int t;

	if (p == NULL || name == NULL)
		return EG_ERR_INVAL;
	if ((t = find_threshold(name)) < 0) {
		eg_errbuf(err, errlen, "unknown threshold '%.64s'", name);
		return EG_ERR_NOT_FOUND;
	}
	if (!isfinite(v) || v < thresholds[t].min || v > thresholds[t].max) {
		eg_errbuf(err, errlen, "%s: value %g is out of range (%g to %g)", name, v,
		    thresholds[t].min, thresholds[t].max);
		return EG_ERR_CONFIG;
	}
	if (thresholds[t].integer && v != floor(v)) {
		eg_errbuf(err, errlen, "%s: value %g is not a whole number", name, v);
		return EG_ERR_CONFIG;
	}
	p->threshold[t] = v;
	return EG_OK;
}

/* Walk a comma-separated list: each item trimmed of spaces goes to fn.
 * Empty items (",,") are an error; an empty list is none. */
typedef int (*item_fn)(struct policy *p, const char *item, char *err, size_t errlen);

static int
each_item(struct policy *p, const char *list, item_fn fn, char *err, size_t errlen)
{
	const char *s = list;
	char item[POLICY_SETTING_MAX + 1];
	int rc;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return EG_OK;
	for (;;) {
		const char *e = strchr(s, ',');
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);

		while (n > 0 && *s == ' ') {
			s++;
			n--;
		}
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n == 0) {
			eg_errbuf(err, errlen, "empty item in the list '%.64s'", list);
			return EG_ERR_CONFIG;
		}
		memcpy(item, s, n);
		item[n] = '\0';
		if ((rc = fn(p, item, err, errlen)) != EG_OK)
			return rc;
		if (e == NULL)
			return EG_OK;
		s = e + 1;
	}
}

static int
check_item(struct policy *p, const char *item, char *err, size_t errlen)
{
	for (int i = 0; i < POLICY_C_COUNT; i++) {
		if (strcmp(check_names[i], item) == 0) {
			p->mandatory |= 1u << i;
			return EG_OK;
		}
	}
	eg_errbuf(err, errlen, "mandatory_checks: unknown check '%.48s'", item);
	return EG_ERR_CONFIG;
}

static int
pad_cue_item(struct policy *p, const char *item, char *err, size_t errlen)
{
	for (int i = 0; i < POLICY_PAD_COUNT; i++) {
		if (strcmp(pad_cue_names[i], item) == 0) {
			p->pad_cues |= 1u << i;
			return EG_OK;
		}
	}
	eg_errbuf(err, errlen, "pad_cues: unknown cue '%.48s'", item);
	return EG_ERR_CONFIG;
}

static bool
icao_code(const char *s, size_t n)
{
	if (n == 0 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '<' || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static int
issuer_item(struct policy *p, const char *item, char *err, size_t errlen)
{
	const char *colon = strchr(item, ':');
	size_t sl = colon != NULL ? (size_t)(colon - item) : strlen(item);

	(void)p;
	if (!icao_code(item, sl) || (colon != NULL && (strlen(colon + 1) > 2 ||
	    !icao_code(colon + 1, strlen(colon + 1))))) {
		eg_errbuf(err, errlen, "accepted_issuers: '%.32s' is not STATE or STATE:TYPE "
		    "(ICAO codes, upper case)", item);
		return EG_ERR_CONFIG;
	}
	return EG_OK;
}

int
policy_setting_set(struct policy *p, const char *name, const char *value, char *err,
    size_t errlen)
{
	uint32_t saved;
	int s, rc = EG_OK;

	if (p == NULL || name == NULL || value == NULL)
		return EG_ERR_INVAL;
	if ((s = find_setting(name)) < 0) {
		eg_errbuf(err, errlen, "unknown setting '%.64s'", name);
		return EG_ERR_NOT_FOUND;
	}
	if (strlen(value) > POLICY_SETTING_MAX) {
		eg_errbuf(err, errlen, "%s: value longer than %u bytes", name, POLICY_SETTING_MAX);
		return EG_ERR_OVERFLOW;
	}
	switch ((enum policy_setting)s) {
	case POLICY_S_MANDATORY_CHECKS:
		saved = p->mandatory;
		p->mandatory = 0;
		if ((rc = each_item(p, value, check_item, err, errlen)) != EG_OK)
			p->mandatory = saved;
		break;
	case POLICY_S_ACCEPTED_ISSUERS:
		rc = each_item(p, value, issuer_item, err, errlen);
		break;
	case POLICY_S_NO_CHIP_AUTH:
		if (strcmp(value, "refer") == 0)
			p->no_chip_auth = POLICY_NCA_REFER;
		else if (strcmp(value, "accept") == 0)
			p->no_chip_auth = POLICY_NCA_ACCEPT;
		else
			rc = EG_ERR_CONFIG;
		if (rc != EG_OK)
			eg_errbuf(err, errlen, "no_chip_auth: '%.32s' is neither refer nor accept", value);
		break;
	case POLICY_S_WATCHLIST_ACTION:
		if (strcmp(value, "refer") == 0)
			p->watchlist_action = POLICY_WL_REFER;
		else if (strcmp(value, "refer_silent") == 0)
			p->watchlist_action = POLICY_WL_REFER_SILENT;
		else
			rc = EG_ERR_CONFIG;
		if (rc != EG_OK)
			eg_errbuf(err, errlen, "watchlist_action: '%.32s' is neither refer nor "
			    "refer_silent", value);
		break;
	case POLICY_S_PAD_CUES:
		saved = p->pad_cues;
		p->pad_cues = 0;
		if (strcmp(value, "all") == 0)
			p->pad_cues = (1u << POLICY_PAD_COUNT) - 1u;
		else if ((rc = each_item(p, value, pad_cue_item, err, errlen)) == EG_OK &&
		    p->pad_cues == 0) {
			eg_errbuf(err, errlen, "%s", "pad_cues: empty (all, or cue names)");
			rc = EG_ERR_CONFIG;
		}
		if (rc != EG_OK)
			p->pad_cues = saved;
		break;
	case POLICY_S_PAD_LIVE_SIGN:
		if (strcmp(value, "optional") == 0)
			p->pad_live_sign = POLICY_PAD_SIGN_OPTIONAL;
		else if (strcmp(value, "required") == 0)
			p->pad_live_sign = POLICY_PAD_SIGN_REQUIRED;
		else
			rc = EG_ERR_CONFIG;
		if (rc != EG_OK)
			eg_errbuf(err, errlen, "pad_live_sign: '%.32s' is neither optional nor "
			    "required", value);
		break;
	default:
		rc = EG_ERR_NOT_FOUND;
		break;
	}
	if (rc == EG_OK)
		snprintf(p->setting[s], sizeof(p->setting[s]), "%s", value);
	return rc;
}

bool
policy_complete(const struct policy *p, char *err, size_t errlen)
{
	if (p->version == 0) {
		eg_errbuf(err, errlen, "%s", "version missing (must be >= 1)");
		return false;
	}
	for (size_t i = 0; i < POLICY_T_COUNT; i++) {
		if (isnan(p->threshold[i])) {
			eg_errbuf(err, errlen, "threshold %s missing", thresholds[i].name);
			return false;
		}
	}
	/* a setting's text is empty only for an empty list, which is set
	 * explicitly; the enums have non-empty texts */
	for (size_t i = 0; i < POLICY_S_COUNT; i++) {
		if (p->setting[i][0] == '\0' && i != POLICY_S_MANDATORY_CHECKS &&
		    i != POLICY_S_ACCEPTED_ISSUERS) {
			eg_errbuf(err, errlen, "setting %s missing", setting_names[i]);
			return false;
		}
	}
	return true;
}

/* ---- parameters for the audit log ------------------------------------------------ */

static void
json_digests(struct eg_json *j, const char *key, const struct policy_blob *b, size_t n)
{
	uint8_t d[32];
	char hex[2 * sizeof(d) + 1];

	eg_json_key(j, key);
	eg_json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		if (mbedtls_sha256_ret(b[i].data, b[i].len, d, 0) != 0 && j->err == EG_OK)
			j->err = EG_ERR_CRYPTO;	/* not with mbedTLS's software SHA-256 */
		/* lower case, as the audit log writes digests */
		for (size_t k = 0; k < sizeof(d); k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		eg_json_str(j, hex);
	}
	eg_json_arr_end(j);
}

int
policy_params_json(const struct policy *p, char **json, size_t *len)
{
	struct eg_json j;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int ret;

	if (json != NULL)
		*json = NULL;
	if (len != NULL)
		*len = 0;
	if (p == NULL || json == NULL || len == NULL || !policy_complete(p, NULL, 0))
		return EG_ERR_INVAL;
	if ((f = open_memstream(&buf, &n)) == NULL)
		return EG_ERR_NOMEM;
	eg_json_init(&j, f);
	eg_json_obj_begin(&j);
	eg_json_key(&j, "version");
	eg_json_uint(&j, p->version);
	eg_json_key(&j, "thresholds");
	eg_json_obj_begin(&j);
	for (size_t i = 0; i < POLICY_T_COUNT; i++)
		eg_json_key_double(&j, thresholds[i].name, p->threshold[i]);
	eg_json_obj_end(&j);
	eg_json_key(&j, "settings");
	eg_json_obj_begin(&j);
	for (size_t i = 0; i < POLICY_S_COUNT; i++)
		eg_json_key_str(&j, setting_names[i], p->setting[i]);
	eg_json_obj_end(&j);
	json_digests(&j, "master_lists_sha256", p->master_lists, p->n_master_lists);
	json_digests(&j, "crls_sha256", p->crls, p->n_crls);
	/* no gallery: biometric (policy.h) */
	eg_json_obj_end(&j);
	ret = eg_json_finish(&j);
	if (fclose(f) != 0 && ret == EG_OK)
		ret = EG_ERR_NOMEM;
	if (ret != EG_OK) {
		free(buf);
		return ret == EG_ERR_STATE ? EG_ERR_IO : ret;
	}
	/* eg_json_finish ends the document with a newline: not part of it */
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	*json = buf;
	*len = n;
	return EG_OK;
}

/* ---- encoding ------------------------------------------------------------------ */

/* The parts being built: protobuf-c structs pointing into p (nothing copied). */
struct enc {
	Egate__ConfigPush cp[POLICY_PARTS_MAX];
	ProtobufCBinaryData ml[POLICY_BLOBS_MAX], crl[POLICY_BLOBS_MAX];
	Egate__Threshold th[POLICY_T_COUNT];
	Egate__Threshold *thp[POLICY_T_COUNT];
	Egate__Setting st[POLICY_S_COUNT];
	Egate__Setting *stp[POLICY_S_COUNT];
	size_t n;
};

static int
enc_new_part(struct enc *e, uint64_t version)
{
	if (e->n >= POLICY_PARTS_MAX)
		return EG_ERR_OVERFLOW;
	egate__config_push__init(&e->cp[e->n]);
	e->cp[e->n].version = version;
	e->n++;
	return EG_OK;
}

/* Packed size a part will have once version/part/parts/sha256 are set. */
static size_t
part_size(const Egate__ConfigPush *cp)
{
	/* part, parts: at most 1 + 5 bytes each; sha256: 2 + 32 */
	return egate__config_push__get_packed_size(cp) + 12 + 34;
}

/* Add blob b to repeated field (arr, count) of the current part, opening a
 * new part when it does not fit. arr is the slice of e->ml / e->crl the
 * current part uses. */
static int
enc_blob(struct enc *e, uint64_t version, size_t part_max, ProtobufCBinaryData *slot,
    const struct policy_blob *b, bool crl)
{
	Egate__ConfigPush *cp = &e->cp[e->n - 1];
	size_t *cnt = crl ? &cp->n_crls : &cp->n_csca_master_lists;
	ProtobufCBinaryData **arr = crl ? &cp->crls : &cp->csca_master_lists;
	int rc;

	slot->data = b->data;
	slot->len = b->len;
	if (*cnt == 0)
		*arr = slot;
	(*cnt)++;
	if (part_size(cp) <= part_max)
		return EG_OK;
	(*cnt)--;
	if (*cnt == 0)
		*arr = NULL;
	if (cp->n_csca_master_lists == 0 && cp->n_crls == 0 && cp->n_thresholds == 0 &&
	    cp->gallery.len == 0)
		return EG_ERR_OVERFLOW;		/* alone in a part and still too big */
	if ((rc = enc_new_part(e, version)) != EG_OK)
		return rc;
	return enc_blob(e, version, part_max, slot, b, crl);
}

int
policy_encode(const struct policy *p, size_t part_max, struct policy_push *out)
{
	struct enc *e = NULL;
	const Egate__ConfigPush *ptrs[POLICY_PARTS_MAX];
	size_t off, ns = 0;
	int rc = EG_ERR_INVAL;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (p == NULL || out == NULL || part_max < POLICY_PART_MIN || part_max > FRAME_MAX_HARD ||
	    !policy_complete(p, NULL, 0))
		return EG_ERR_INVAL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return EG_ERR_NOMEM;
	if ((rc = enc_new_part(e, p->version)) != EG_OK)
		goto out;
	for (size_t i = 0; i < POLICY_T_COUNT; i++) {
		egate__threshold__init(&e->th[i]);
		e->th[i].name = (char *)(uintptr_t)thresholds[i].name;
		e->th[i].value = p->threshold[i];
		e->thp[i] = &e->th[i];
	}
	for (size_t i = 0; i < POLICY_S_COUNT; i++) {
		/* an optional setting at its default is left out: kiosks that
		 * predate it accept the push, newer ones apply the default */
		if (setting_defaults[i] != NULL && strcmp(p->setting[i], setting_defaults[i]) == 0)
			continue;
		egate__setting__init(&e->st[ns]);
		e->st[ns].name = (char *)(uintptr_t)setting_names[i];
		e->st[ns].value = (char *)(uintptr_t)p->setting[i];
		e->stp[ns] = &e->st[ns];
		ns++;
	}
	e->cp[0].n_thresholds = POLICY_T_COUNT;
	e->cp[0].thresholds = e->thp;
	e->cp[0].n_settings = ns;
	e->cp[0].settings = e->stp;
	for (size_t i = 0; i < p->n_master_lists; i++)
		if ((rc = enc_blob(e, p->version, part_max, &e->ml[i], &p->master_lists[i],
		    false)) != EG_OK)
			goto out;
	for (size_t i = 0; i < p->n_crls; i++)
		if ((rc = enc_blob(e, p->version, part_max, &e->crl[i], &p->crls[i], true)) != EG_OK)
			goto out;
	/* the gallery fills the room left in each part */
	for (off = 0; off < p->gallery.len;) {
		Egate__ConfigPush *cp = &e->cp[e->n - 1];
		size_t used = part_size(cp) + 8, room, take;	/* 8: tag + length */

		room = used < part_max ? part_max - used : 0;
		if (room < 256) {
			if ((rc = enc_new_part(e, p->version)) != EG_OK)
				goto out;
			continue;
		}
		take = p->gallery.len - off < room ? p->gallery.len - off : room;
		cp->gallery.data = p->gallery.data + off;
		cp->gallery.len = take;
		off += take;
		if (off < p->gallery.len && (rc = enc_new_part(e, p->version)) != EG_OK)
			goto out;
	}
	for (size_t i = 0; i < e->n; i++) {
		e->cp[i].part = (uint32_t)i;
		e->cp[i].parts = (uint32_t)e->n;
		ptrs[i] = &e->cp[i];
	}
	if ((rc = proto_config_digest(ptrs, e->n, out->digest)) != EG_OK)
		goto out;
	out->version = p->version;
	for (size_t i = 0; i < e->n; i++) {
		Egate__Envelope env;

		e->cp[i].sha256.data = out->digest;
		e->cp[i].sha256.len = sizeof(out->digest);
		egate__envelope__init(&env);
		env.body_case = EGATE__ENVELOPE__BODY_CONFIG_PUSH;
		env.config_push = &e->cp[i];
		rc = EG_ERR_OVERFLOW;
		out->len[i] = egate__config_push__get_packed_size(&e->cp[i]);
		if (out->len[i] > part_max)
			goto out;
		if ((rc = proto_msg_validate(&env)) != EG_OK)
			goto out;
		rc = EG_ERR_NOMEM;
		if ((out->part[i] = malloc(out->len[i])) == NULL)
			goto out;
		out->n = i + 1;
		egate__config_push__pack(&e->cp[i], out->part[i]);
	}
	rc = EG_OK;
out:
	free(e);
	if (rc != EG_OK)
		policy_push_clear(out);
	return rc;
}

void
policy_push_clear(struct policy_push *pp)
{
	if (pp == NULL)
		return;
	for (size_t i = 0; i < pp->n; i++)
		free(pp->part[i]);
	memset(pp, 0, sizeof(*pp));
}

/* ---- decoding ------------------------------------------------------------------ */

static int
blob_copy(struct policy_blob *b, const uint8_t *data, size_t len)
{
	if ((b->data = malloc(len ? len : 1)) == NULL)
		return EG_ERR_NOMEM;
	if (len > 0)
		memcpy(b->data, data, len);
	b->len = len;
	return EG_OK;
}

static int
decode_split(const Egate__ConfigPush *const *parts, size_t n, uint8_t digest[32], char *err,
    size_t errlen)
{
	const ProtobufCBinaryData *sha = NULL;
	uint8_t want[32];
	int rc;

	for (size_t i = 0; i < n; i++) {
		const Egate__ConfigPush *cp = parts[i];

		if (cp == NULL)
			return EG_ERR_INVAL;
		if (cp->version == 0 || cp->version != parts[0]->version) {
			eg_errbuf(err, errlen, "part %zu: version %llu differs from part 0 (%llu)", i,
			    (unsigned long long)cp->version, (unsigned long long)parts[0]->version);
			return EG_ERR_FORMAT;
		}
		if (cp->part != i || (n > 1 ? cp->parts != n : cp->parts > 1)) {
			eg_errbuf(err, errlen, "part %zu: says part %u of %u", i, cp->part, cp->parts);
			return EG_ERR_FORMAT;
		}
		if (cp->sha256.len != 0 && cp->sha256.len != 32) {
			eg_errbuf(err, errlen, "part %zu: sha256 of %zu bytes", i, cp->sha256.len);
			return EG_ERR_FORMAT;
		}
		if (cp->sha256.len == 32) {
			if (sha != NULL && memcmp(sha->data, cp->sha256.data, 32) != 0) {
				eg_errbuf(err, errlen, "part %zu: sha256 differs from an earlier part", i);
				return EG_ERR_MAC;
			}
			sha = &cp->sha256;
		}
	}
	if (sha == NULL) {
		eg_errbuf(err, errlen, "%s", "no sha256: the digest is mandatory");
		return EG_ERR_MAC;
	}
	if ((rc = proto_config_digest(parts, n, want)) != EG_OK) {
		eg_errbuf(err, errlen, "digest: %s", eg_strerror(rc));
		return rc;
	}
	if (!eg_ct_equal(want, sha->data, 32)) {
		eg_errbuf(err, errlen, "%s", "digest mismatch: the configuration is not what the "
		    "host signed off");
		return EG_ERR_MAC;
	}
	if (digest != NULL)
		memcpy(digest, want, 32);
	return EG_OK;
}

int
policy_decode(const Egate__ConfigPush *const *parts, size_t n, struct policy *out,
    uint8_t digest[32], char *err, size_t errlen)
{
	bool seen_t[POLICY_T_COUNT] = { false }, seen_s[POLICY_S_COUNT] = { false };
	size_t total = 0, gallery = 0;
	int rc = EG_ERR_INVAL;

	if (out == NULL)
		return EG_ERR_INVAL;
	policy_clear(out);
	if (parts == NULL || n == 0 || n > POLICY_PARTS_MAX) {
		eg_errbuf(err, errlen, "%zu parts", n);
		goto out;
	}
	if ((rc = decode_split(parts, n, digest, err, errlen)) != EG_OK)
		goto out;
	out->version = parts[0]->version;
	for (size_t i = 0; i < n; i++) {
		const Egate__ConfigPush *cp = parts[i];

		for (size_t t = 0; t < cp->n_thresholds; t++) {
			const char *name = cp->thresholds[t]->name ? cp->thresholds[t]->name : "";
			int k = find_threshold(name);

			if (k >= 0 && seen_t[k]) {
				eg_errbuf(err, errlen, "threshold %s given twice", name);
				rc = EG_ERR_FORMAT;
				goto out;
			}
			if ((rc = policy_threshold_set(out, name, cp->thresholds[t]->value, err,
			    errlen)) != EG_OK)
				goto out;
			seen_t[k] = true;
		}
		for (size_t s = 0; s < cp->n_settings; s++) {
			const char *name = cp->settings[s]->name ? cp->settings[s]->name : "";
			const char *val = cp->settings[s]->value ? cp->settings[s]->value : "";
			int k = find_setting(name);

			if (k >= 0 && seen_s[k]) {
				eg_errbuf(err, errlen, "setting %s given twice", name);
				rc = EG_ERR_FORMAT;
				goto out;
			}
			if ((rc = policy_setting_set(out, name, val, err, errlen)) != EG_OK)
				goto out;
			seen_s[k] = true;
		}
		total += cp->gallery.len;
		gallery += cp->gallery.len;
		for (size_t m = 0; m < cp->n_csca_master_lists; m++)
			total += cp->csca_master_lists[m].len;
		for (size_t m = 0; m < cp->n_crls; m++)
			total += cp->crls[m].len;
		if (out->n_master_lists + cp->n_csca_master_lists > POLICY_BLOBS_MAX ||
		    out->n_crls + cp->n_crls > POLICY_BLOBS_MAX || total > POLICY_TOTAL_MAX) {
			eg_errbuf(err, errlen, "more than %u master lists or CRLs, or more than %u "
			    "bytes", POLICY_BLOBS_MAX, POLICY_TOTAL_MAX);
			rc = EG_ERR_OVERFLOW;
			goto out;
		}
		for (size_t m = 0; m < cp->n_csca_master_lists; m++)
			if ((rc = blob_copy(&out->master_lists[out->n_master_lists++],
			    cp->csca_master_lists[m].data, cp->csca_master_lists[m].len)) != EG_OK)
				goto out;
		for (size_t m = 0; m < cp->n_crls; m++)
			if ((rc = blob_copy(&out->crls[out->n_crls++], cp->crls[m].data,
			    cp->crls[m].len)) != EG_OK)
				goto out;
	}
	for (size_t t = 0; t < POLICY_T_COUNT; t++) {
		if (!seen_t[t]) {
			eg_errbuf(err, errlen, "threshold %s missing", thresholds[t].name);
			rc = EG_ERR_FORMAT;
			goto out;
		}
	}
	for (size_t s = 0; s < POLICY_S_COUNT; s++) {
		if (!seen_s[s] && setting_defaults[s] == NULL) {
			eg_errbuf(err, errlen, "setting %s missing", setting_names[s]);
			rc = EG_ERR_FORMAT;
			goto out;
		}
	}
	if (gallery > 0) {
		rc = EG_ERR_NOMEM;
		if ((out->gallery.data = malloc(gallery)) == NULL)
			goto out;
		for (size_t i = 0; i < n; i++) {
			if (parts[i]->gallery.len == 0)
				continue;
			memcpy(out->gallery.data + out->gallery.len, parts[i]->gallery.data,
			    parts[i]->gallery.len);
			out->gallery.len += parts[i]->gallery.len;
		}
	}
	rc = EG_OK;
out:
	if (rc != EG_OK)
		policy_clear(out);
	return rc;
}

/* ---- the host's bundle file ---------------------------------------------------------- */

#define BUNDLE_PATHS 192

struct bundle_raw {
	long long version;
	double t[POLICY_T_COUNT];
	char s[POLICY_S_COUNT][POLICY_SETTING_MAX + 1];
	char master_lists[BUNDLE_PATHS], crls[BUNDLE_PATHS], gallery[BUNDLE_PATHS];
};

#define B_ struct bundle_raw
static const struct eg_cfg_key bundle_schema[] = {
	{ "policy", "version", EG_CFG_INT, offsetof(B_, version), 0, 1, 9007199254740992.0, NULL,
	  true, "policy version: a whole number, strictly increasing from one push to the next" },
#define X_(id, n, lo, hi, i, h) \
	{ "thresholds", n, EG_CFG_DOUBLE, offsetof(B_, t) + POLICY_T_##id * sizeof(double), 0, \
	  lo, hi, NULL, true, h },
	POLICY_THRESHOLDS(X_)
#undef X_
#define X_(id, n, d, h) \
	{ "settings", n, EG_CFG_STR, offsetof(B_, s) + POLICY_S_##id * (POLICY_SETTING_MAX + 1), \
	  POLICY_SETTING_MAX + 1, 0, 0, NULL, (d) == NULL, h },
	POLICY_SETTINGS(X_)
#undef X_
	{ "files", "master_lists", EG_CFG_STR, offsetof(B_, master_lists), BUNDLE_PATHS, 0, 0,
	  NULL, false, "ICAO CSCA master lists (DER), comma-separated; relative to the bundle" },
	{ "files", "crls", EG_CFG_STR, offsetof(B_, crls), BUNDLE_PATHS, 0, 0, NULL, false,
	  "CSCA CRLs (DER), comma-separated; relative to the bundle" },
	{ "files", "watchlist_gallery", EG_CFG_STR, offsetof(B_, gallery), BUNDLE_PATHS, 0, 0,
	  NULL, false, "watchlist gallery (firmware/match format, `egate match` writes it)" },
};
#undef B_

static int
read_whole(const char *path, struct policy_blob *b, size_t budget)
{
	FILE *f = fopen(path, "rb");
	long sz;
	int rc = EG_ERR_IO;

	if (f == NULL)
		return EG_ERR_IO;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	rc = EG_ERR_OVERFLOW;
	if ((size_t)sz > budget)
		goto out;
	rc = EG_ERR_NOMEM;
	if ((b->data = malloc(sz > 0 ? (size_t)sz : 1)) == NULL)
		goto out;
	b->len = (size_t)sz;
	rc = fread(b->data, 1, b->len, f) == b->len ? EG_OK : EG_ERR_IO;
	if (rc != EG_OK)
		blob_free(b);
out:
	fclose(f);
	return rc;
}

/* Resolve name against dir unless absolute. */
static void
resolve(char *out, size_t cap, const char *dir, const char *name)
{
	int n;

	if (name[0] == '/')
		n = snprintf(out, cap, "%s", name);
	else
		n = snprintf(out, cap, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= cap)
		out[0] = '\0';		/* too long: fails as "cannot open" */
}

struct load_ctx {
	const char *dir;
	bool crl;
	size_t budget;
	char *err;
	size_t errlen;
};

static int
load_list(struct policy *p, const char *list, struct load_ctx *lc)
{
	char buf[BUNDLE_PATHS];
	char *save = NULL, *tok;
	int rc = EG_OK;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char path[1024];
		size_t *n = lc->crl ? &p->n_crls : &p->n_master_lists;
		struct policy_blob *arr = lc->crl ? p->crls : p->master_lists;

		while (*tok == ' ')
			tok++;
		for (size_t l = strlen(tok); l > 0 && tok[l - 1] == ' '; l--)
			tok[l - 1] = '\0';
		if (*tok == '\0')
			continue;
		if (*n >= POLICY_BLOBS_MAX) {
			eg_errbuf(lc->err, lc->errlen, "more than %u files in one list", POLICY_BLOBS_MAX);
			return EG_ERR_OVERFLOW;
		}
		resolve(path, sizeof(path), lc->dir, tok);
		if ((rc = read_whole(path, &arr[*n], lc->budget)) != EG_OK) {
			eg_errbuf(lc->err, lc->errlen, "%s: %s", path, eg_strerror(rc));
			return rc;
		}
		lc->budget -= arr[*n].len;
		(*n)++;
	}
	return rc;
}

int
policy_bundle_load(const char *path, struct policy *out, char *err, size_t errlen)
{
	struct bundle_raw *raw = NULL;
	struct eg_cfg_error ce;
	struct load_ctx lc = { .budget = POLICY_TOTAL_MAX, .err = err, .errlen = errlen };
	char dir[1024], buf[512], gpath[1024];
	char *slash;
	int rc = EG_ERR_INVAL;

	if (path == NULL || out == NULL)
		return EG_ERR_INVAL;
	policy_init(out);
	if ((raw = calloc(1, sizeof(*raw))) == NULL)
		return EG_ERR_NOMEM;
	memset(&ce, 0, sizeof(ce));
	if ((rc = eg_cfg_load_file(path, bundle_schema, sizeof(bundle_schema) /
	    sizeof(bundle_schema[0]), raw, &ce)) != EG_OK) {
		eg_errbuf(err, errlen, "%s", eg_cfg_error_str(&ce, buf, sizeof(buf)));
		goto out;
	}
	out->version = (uint64_t)raw->version;
	for (size_t i = 0; i < POLICY_T_COUNT; i++) {
		if ((rc = policy_threshold_set(out, thresholds[i].name, raw->t[i], buf,
		    sizeof(buf))) != EG_OK) {
			eg_errbuf(err, errlen, "%s: [thresholds] %s", path, buf);
			rc = EG_ERR_CONFIG;
			goto out;
		}
	}
	for (size_t i = 0; i < POLICY_S_COUNT; i++) {
		if (setting_defaults[i] != NULL && raw->s[i][0] == '\0')
			continue;	/* left out: its default (policy_init) */
		if ((rc = policy_setting_set(out, setting_names[i], raw->s[i], buf,
		    sizeof(buf))) != EG_OK) {
			eg_errbuf(err, errlen, "%s: [settings] %s", path, buf);
			rc = EG_ERR_CONFIG;
			goto out;
		}
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	lc.dir = dir;
	if ((rc = load_list(out, raw->master_lists, &lc)) != EG_OK)
		goto out;
	lc.crl = true;
	if ((rc = load_list(out, raw->crls, &lc)) != EG_OK)
		goto out;
	if (raw->gallery[0] != '\0') {
		resolve(gpath, sizeof(gpath), dir, raw->gallery);
		if ((rc = read_whole(gpath, &out->gallery, lc.budget)) != EG_OK) {
			eg_errbuf(err, errlen, "%s: %s", gpath, eg_strerror(rc));
			goto out;
		}
	}
	rc = EG_OK;
out:
	if (rc != EG_OK)
		policy_clear(out);
	free(raw);
	return rc;
}
