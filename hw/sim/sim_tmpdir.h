/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_tmpdir.h — the simulation runner's scratch folders (the camera's
 * generated frames, the simulated PKI): made under $TMPDIR (else /tmp) and
 * removed whole, whatever was written into them. TEST AND SIMULATION ONLY.
 */
#ifndef EGATE_SIM_TMPDIR_H
#define EGATE_SIM_TMPDIR_H

#include <stddef.h>

/*
 * sim_tmpdir_path — writes the template "$TMPDIR/NAME.XXXXXX" (/tmp when
 * TMPDIR is unset or empty) to buf (cap bytes), for mkdtemp or mkstemp.
 * Returns EG_OK or EG_ERR_OVERFLOW (it does not fit; buf is then "").
 */
int sim_tmpdir_path(char *buf, size_t cap, const char *name);

/*
 * sim_tmpdir_make — creates a new private folder "$TMPDIR/NAME.XXXXXX"
 * (mkdtemp, mode 0700; /tmp when TMPDIR is unset or empty) and writes its
 * path to buf (cap bytes). The caller owns the folder and removes it with
 * sim_tmpdir_remove. Returns EG_OK, EG_ERR_OVERFLOW (the path does not fit;
 * nothing made) or EG_ERR_IO (errno set by mkdtemp). On error buf is "".
 */
int sim_tmpdir_make(char *buf, size_t cap, const char *name);

/*
 * sim_tmpdir_remove — removes the folder dir and everything in it, depth
 * first, without following symbolic links. Best effort: what cannot be
 * removed stays (the return says so). dir NULL or "": nothing done.
 * Returns EG_OK or EG_ERR_IO.
 */
int sim_tmpdir_remove(const char *dir);

#endif
