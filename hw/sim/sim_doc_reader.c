/* SPDX-License-Identifier: Apache-2.0 */
/* sim_doc_reader.c — the "sim:PROFILE" document reader (see sim_doc_reader.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "sim_doc_reader.h"

/* The reader profiles when the caller gives none (one table per reader:
 * freed with it). */
struct sim_owned {
	struct sim_reader *sr;
	struct usb_profile_table *pt;
};

static void
release(void *owner)
{
	struct sim_owned *o = owner;

	if (o == NULL)
		return;
	sim_reader_free(&o->sr);
	free(o->pt);
	free(o);
}

int
sim_doc_reader_wrap(struct sim_reader *sr, const char *desc, struct doc_reader **out)
{
	struct sim_owned *o = calloc(1, sizeof(*o));

	if (o == NULL) {
		sim_reader_free(&sr);
		return EG_ERR_NOMEM;
	}
	o->sr = sr;
	return doc_reader_new_ccid(sim_reader_ccid(sr), release, o, desc, out);
}

static const char *
readers_path(void)
{
	return access(EGATE_READERS_INSTALLED, R_OK) == 0 ? EGATE_READERS_INSTALLED :
	    EGATE_READERS_SRC;
}

static int
sim_open(void *self, const char *arg, const struct doc_reader_opts *opts,
    struct doc_reader **out, char *err, size_t errlen)
{
	struct sim_doc_reader *s = self;
	const struct usb_profile_table *pt = opts->profiles;
	struct sim_owned *o = NULL;
	struct eg_cfg_error cerr;
	char path[4096], td[4096], eb[512], desc[160];
	int ret;

	if (*arg == '\0') {
		eg_errbuf(err, errlen, "%s", "reader 'sim' needs a traveller: sim:PROFILE");
		return EG_ERR_INVAL;
	}
	if (strchr(arg, '/') != NULL)
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "%s/%s.ini", sim_traveller_dir(), arg);
	if ((ret = sim_traveller_load_file(path, &s->trav, &cerr)) != EG_OK) {
		if (ret == EG_ERR_IO)
			eg_errbuf(err, errlen, "no simulated traveller '%s' (%s); see egate read "
			    "--list-readers", arg, path);
		else
			eg_errbuf(err, errlen, "%s", eg_cfg_error_str(&cerr, eb, sizeof(eb)));
		return EG_ERR_INVAL;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return EG_ERR_NOMEM;
	if (pt == NULL) {
		ret = EG_ERR_NOMEM;
		if ((o->pt = calloc(1, sizeof(*o->pt))) == NULL)
			goto fail;
		(void)usb_profile_load_file(readers_path(), o->pt, NULL);
		pt = o->pt;
	}
	if (pt->n == 0) {
		eg_errbuf(err, errlen, "%s", "no reader profiles loaded: a simulated reader needs one");
		ret = EG_ERR_CONFIG;
		goto fail;
	}
	if (s->pki == NULL) {
		if ((ret = sim_pki_new(&s->pki)) != EG_OK) {
			eg_errbuf(err, errlen, "simulated PKI: %s", eg_strerror(ret));
			goto fail;
		}
		if (s->pki_write_dir != NULL && (ret = sim_pki_write(s->pki, s->pki_write_dir)) != EG_OK) {
			eg_errbuf(err, errlen, "cannot write the simulated PKI to %s: %s",
			    s->pki_write_dir, eg_strerror(ret));
			goto fail;
		}
	}
	if (s->testdata_dir != NULL)
		snprintf(td, sizeof(td), "%s", s->testdata_dir);
	else
		sim_testdata_dir(td, sizeof(td));
	if ((ret = sim_reader_open(&s->trav, s->pki, td, pt, &pt->p[0], &o->sr)) != EG_OK) {
		eg_errbuf(err, errlen, "simulated reader for '%s': %s (face image %s/%s)", arg,
		    eg_strerror(ret), td, s->trav.face);
		goto fail;
	}
	snprintf(desc, sizeof(desc), "sim:%s on simulated %s (%04X:%04X)", s->trav.name,
	    pt->p[0].name, pt->p[0].vid, pt->p[0].pid);
	s->last = o->sr;
	return doc_reader_new_ccid(sim_reader_ccid(o->sr), release, o, desc, out);
fail:
	release(o);
	return ret;
}

void
sim_doc_reader_init(struct sim_doc_reader *s)
{
	memset(s, 0, sizeof(*s));
	s->backend.name = "sim";
	s->backend.usage = "sim:PROFILE";
	s->backend.self = s;
	s->backend.open = sim_open;
}

void
sim_doc_reader_clear(struct sim_doc_reader *s)
{
	sim_pki_free(&s->pki);
	eg_memzero(&s->trav, sizeof(s->trav));
	s->last = NULL;
}
