/* SPDX-License-Identifier: Apache-2.0 */
/*
 * country.h — ICAO country codes (Doc 9303 Part 3, 5) and their ISO 3166-1
 * alpha-2 equivalents as found in X.509 countryName, compared the way real
 * documents need: without regard to case ("GB" and "gb"), alpha-3 to
 * alpha-2 ("NZL" and "NZ"), with ICAO's own codes:
 *  - Germany is "D" ("D<<" in the MRZ);
 *  - GBD, GBN, GBO, GBP, GBS (British nationality classes) are GB;
 *  - RKS (Kosovo) is XK; EUE (European Union) is EU;
 *  - UTO (Utopia, the ICAO specimen state) is UT, as in the test PKI.
 * The table holds every ISO 3166-1 state (249 entries).
 */
#ifndef EGATE_DOCAUTH_COUNTRY_H
#define EGATE_DOCAUTH_COUNTRY_H

#include <stdbool.h>

/*
 * country_alpha2 — the alpha-2 code (static, upper case) of code: an MRZ
 * issuing state or nationality (3 characters with '<' fillers), an alpha-3
 * or alpha-2 code in any case; NULL if code names no state in the table
 * (e.g. the ICAO codes for organisations and stateless persons, UNO, XXA).
 */
const char *country_alpha2(const char *code);

/*
 * country_same — a and b name the same state: equal alpha-2 codes, or,
 * when either is not in the table, equal after upper-casing and dropping
 * '<' fillers. NULL or empty never matches.
 */
bool country_same(const char *a, const char *b);

#endif
