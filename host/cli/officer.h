/* SPDX-License-Identifier: Apache-2.0 */
/*
 * officer.h — the parts of `egate officer` shared by its files:
 * cmd_officer.c (status, queue, actions, the command line),
 * officer_watch.c (the live view as text) and officer_console.c (the
 * console for a browser).
 */
#ifndef EGATE_OFFICER_H
#define EGATE_OFFICER_H

#include <stdbool.h>
#include <stdio.h>

#include "egate.pb-c.h"
#include "officer_link.h"

/* The status table: its header and one kiosk's line (text from the host
 * escaped for the terminal). */
void officer_print_status_header(FILE *o);
void officer_print_status_line(FILE *o, const Egate__KioskStatus *k);

/* A referral with its readable explanation, each line starting with indent. */
void officer_print_referral(FILE *o, const Egate__Referral *f, const char *indent);

/* `egate officer watch`: subscribe and print every change until SIGINT or
 * SIGTERM (exit 0); reconnects when the host goes away. Returns an exit
 * code (OFFICER_EXIT_CERT when the certificate is refused). */
int officer_watch_run(const struct officer_link_opts *o, bool json);

/* `egate officer console`: serve the console on the loopback address
 * listen ("127.0.0.1:PORT", "[::1]:PORT", "localhost:PORT"; port 0 picks
 * one) until SIGINT or SIGTERM. url_file (may be NULL) receives the URL
 * with its secret (mode 0600). Returns an exit code. */
int officer_console_run(const struct officer_link_opts *o, const char *listen, const char *url_file);

#endif
