/* SPDX-License-Identifier: Apache-2.0 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "vec.h"

#define VEC_MAX 64

struct vec {
	char *name[VEC_MAX];
	char *val[VEC_MAX];
	size_t n;
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

struct vec *
vec_load(const char *file)
{
	char path[1024], *line = NULL, *eq;
	size_t cap = 0;
	struct vec *v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/icao/%s", VECTORS_DIR, file);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	v = calloc(1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	while (getline(&line, &cap, f) > 0) {
		char *l = trim(line);

		if (*l == '\0' || *l == '#')
			continue;
		eq = strchr(l, '=');
		ck_assert_msg(eq != NULL, "%s: bad line '%s'", path, l);
		*eq = '\0';
		ck_assert_uint_lt(v->n, VEC_MAX);
		v->name[v->n] = strdup(trim(l));
		v->val[v->n] = strdup(trim(eq + 1));
		v->n++;
	}
	free(line);
	fclose(f);
	return v;
}

void
vec_free(struct vec **v)
{
	if (v == NULL || *v == NULL)
		return;
	for (size_t i = 0; i < (*v)->n; i++) {
		free((*v)->name[i]);
		free((*v)->val[i]);
	}
	free(*v);
	*v = NULL;
}

const char *
vec_str(const struct vec *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0)
			return v->val[i];
	ck_abort_msg("vector %s missing", name);
	return NULL;
}

size_t
vec_hex(const struct vec *v, const char *name, uint8_t *out, size_t cap)
{
	size_t n = 0;

	ck_assert_msg(eg_hex_decode(vec_str(v, name), out, cap, &n) == EG_OK,
	    "vector %s is not hex", name);
	return n;
}
