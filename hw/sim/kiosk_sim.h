/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk_sim.h — one simulated lane for scenario playback (docs/kiosk.md
 * "Scenarios"): the devices of struct kiosk_devices built for each
 * traveller of a scenario, so that the passage core of egate-kiosk
 * (kiosk.h) runs on them exactly as it runs on real ones. TEST AND
 * SIMULATION ONLY: the simulation runner egate-kiosk-sim, the tests and the
 * benchmark link it; egate-kiosk does not.
 *
 * Per traveller (kiosk_sim_prepare):
 *   - the document reader: the traveller's chip (hw/sim/travellers/, with
 *     the scenario's chip face and expiry) in a simulated CCID reader, driven
 *     by the CCID driver (doc_reader_new_ccid); reader_unplug and
 *     doc_removed arm the simulated reader's fault at the first chip command;
 *   - the MRZ source: the simulated CDC-ACM MRZ reader on a simulated USB
 *     bus, fed with the traveller's MRZ, driven by mrzdev (acm backend);
 *   - the camera: the simulated camera playing a scene made from the test
 *     photos (portrait, printed photo, eyes closed, nobody, the group);
 *   - the gate: the simulated gate (sim_gate.h), whose passage sensor sees
 *     the traveller walk through;
 *   - the display: the text display on the runner's stream.
 * The scenario's watchlist faces are enrolled in the kiosk's watchlist
 * (kiosk_sim_watchlist), and the simulated PKI that signs the simulated
 * passports is written where [trust] csca points (kiosk_sim_write_pki).
 */
#ifndef EGATE_KIOSK_SIM_H
#define EGATE_KIOSK_SIM_H

#include <stdio.h>

#include "kiosk.h"
#include "scenario.h"
#include "sim_gate.h"

struct kiosk_sim;

struct kiosk_sim_opts {
	const struct scenario *sc;	/* borrowed; its date and watchlist */
	const char *testdata_dir;	/* NULL: sim_testdata_dir() */
	const struct eg_log *log;	/* may be NULL */
	FILE *out;			/* the display's stream; NULL: no display */
	bool bilingual;
	enum prompt_lang lang;
};

/* kiosk_sim_new — the lane without a traveller: the simulated PKI, the
 * reader profiles, a private temporary folder for the scenes, the gate and
 * the display. *out owned by the caller (kiosk_sim_free). Errors:
 * EG_ERR_NOMEM, EG_ERR_IO (temporary folder), EG_ERR_CONFIG (no reader
 * profile), those of sim_pki_new. */
int kiosk_sim_new(const struct kiosk_sim_opts *o, struct kiosk_sim **out, char *err, size_t errlen);
void kiosk_sim_free(struct kiosk_sim **s);

/* kiosk_sim_write_pki — the simulated CSCA (DIR/csca.der) and its CRL
 * (DIR/crl/csca.crl): the trust anchors of a simulated lane's
 * configuration. Errors: EG_ERR_IO. */
int kiosk_sim_write_pki(struct kiosk_sim *s, const char *dir);

/* kiosk_sim_devices — the devices the kiosk borrows (valid while s is;
 * members change with every kiosk_sim_prepare). */
const struct kiosk_devices *kiosk_sim_devices(struct kiosk_sim *s);
/* kiosk_sim_gate — the simulated gate (borrowed; tests arm its faults). */
struct sim_gate *kiosk_sim_gate(struct kiosk_sim *s);

/* kiosk_sim_date — noon UTC of the scenario's date, or 0 when it has none
 * (kiosk_opts.today). */
time_t kiosk_sim_date(const struct scenario *sc);

/*
 * kiosk_sim_watchlist — enrol the scenario's watchlist faces (test images)
 * in a gallery for the kiosk (kiosk_swap_watchlist), embedded with the
 * kiosk's own face pipeline. Errors: EG_ERR_NO_FACE / EG_ERR_IO for an
 * image, EG_ERR_NOMEM.
 */
int kiosk_sim_watchlist(struct kiosk_sim *s, struct kiosk *k, char *err, size_t errlen);

/*
 * kiosk_sim_prepare — the devices for traveller sp (above), replacing the
 * last traveller's; face is the kiosk's face pipeline (kiosk_face), used to
 * make the scene (cropping portraits). Every device is marked OK again in k
 * (the new devices replace any lost ones). Errors: EG_ERR_CONFIG (a bad
 * traveller profile), EG_ERR_IO, EG_ERR_NO_FACE (a test image without a
 * face), those of the simulated devices; err gets one line.
 */
int kiosk_sim_prepare(struct kiosk_sim *s, struct kiosk *k, const struct scenario_passage *sp,
    char *err, size_t errlen);

/* kiosk_sim_release — close the traveller's devices (the gate and display
 * stay). */
void kiosk_sim_release(struct kiosk_sim *s);

/* kiosk_sim_set_expiry — replace the expiry date of a TD3 MRZ's second
 * line (YYMMDD) and recompute its check digits. Errors: EG_ERR_UNSUPPORTED
 * (not a TD3 line), EG_ERR_FORMAT. */
int kiosk_sim_set_expiry(char *mrz2, const char *yymmdd);

/* kiosk_sim_portrait — one person from a (group) test photo src, as the
 * scenario's "portrait:" camera shows it, written as JPEG to path; face
 * finds the faces. Errors: EG_ERR_IO, EG_ERR_NO_FACE, those of the face
 * pipeline. */
int kiosk_sim_portrait(struct face_ctx *face, const char *src, const char *path);

/* kiosk_sim_title — "'NAME' (traveller T, camera C)" for the summary. */
void kiosk_sim_title(const struct scenario_passage *sp, char *buf, size_t cap);

/* kiosk_sim_expectation_met — the report's outcome and rule against the
 * passage's expect and expect_rule. */
bool kiosk_sim_expectation_met(const struct scenario_passage *sp, const struct kiosk_report *r);

#endif
