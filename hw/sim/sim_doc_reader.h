/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_doc_reader.h — the "sim:PROFILE" backend of doc_reader_open()
 * (firmware/doc/include/doc/reader.h): a simulated traveller's passport on
 * a simulated CCID reader (sim_reader.h), driven through the CCID driver.
 * TEST AND SIMULATION ONLY: `egate read`, the tests and the simulation
 * runner add it to doc_reader_opts.extra; the product never links it.
 *
 *   struct sim_doc_reader s;
 *   sim_doc_reader_init(&s);
 *   const struct doc_reader_backend *extra[] = { &s.backend, NULL };
 *   o.extra = extra;
 *   doc_reader_open("sim:genuine-td3", &o, &r, err, sizeof(err));
 *   ... doc_reader_free(&r); sim_doc_reader_clear(&s);
 */
#ifndef EGATE_SIM_DOC_READER_H
#define EGATE_SIM_DOC_READER_H

#include "doc/reader.h"
#include "sim_reader.h"
#include "sim_traveller.h"

struct sim_doc_reader {
	struct doc_reader_backend backend;	/* name "sim", self = this */
	/* settings (may be changed before an open) */
	const char *pki_write_dir;	/* write the simulated PKI's CSCA and CRL
					 * here (sim_pki_write) at the first open;
					 * NULL: do not */
	const char *testdata_dir;	/* NULL: sim_testdata_dir() */
	/* state */
	struct sim_pki *pki;		/* made at the first open, owned */
	struct sim_traveller trav;	/* the traveller of the last open */
	struct sim_reader *last;	/* the reader opened last; borrowed from
					 * the doc_reader, valid while it is */
};

/* sim_doc_reader_init — the backend, no PKI yet. Cannot fail. */
void sim_doc_reader_init(struct sim_doc_reader *s);
/* sim_doc_reader_clear — free the PKI; safe twice. Every reader opened
 * through it must be freed first. */
void sim_doc_reader_clear(struct sim_doc_reader *s);

/*
 * sim_doc_reader_wrap — a doc_reader over a simulated reader built by the
 * caller (e.g. for a traveller changed in memory): takes ownership of sr
 * (freed with the doc_reader, also on failure). Errors as
 * doc_reader_new_ccid.
 */
int sim_doc_reader_wrap(struct sim_reader *sr, const char *desc, struct doc_reader **out);

#endif
