/* SPDX-License-Identifier: Apache-2.0 */
/* country.c — ICAO / ISO 3166-1 country codes (see country.h). */
#include <stddef.h>
#include <string.h>

#include "docauth/country.h"

/* ISO 3166-1 alpha-3 -> alpha-2, sorted by alpha-3 (generated once from
 * the iso-codes package's iso_3166-1.json; codes are facts, not code). */
static const struct {
	char a3[4];
	char a2[3];
} iso[] = {
	{ "ABW", "AW" }, { "AFG", "AF" }, { "AGO", "AO" }, { "AIA", "AI" }, { "ALA", "AX" },
	{ "ALB", "AL" }, { "AND", "AD" }, { "ARE", "AE" }, { "ARG", "AR" }, { "ARM", "AM" },
	{ "ASM", "AS" }, { "ATA", "AQ" }, { "ATF", "TF" }, { "ATG", "AG" }, { "AUS", "AU" },
	{ "AUT", "AT" }, { "AZE", "AZ" }, { "BDI", "BI" }, { "BEL", "BE" }, { "BEN", "BJ" },
	{ "BES", "BQ" }, { "BFA", "BF" }, { "BGD", "BD" }, { "BGR", "BG" }, { "BHR", "BH" },
	{ "BHS", "BS" }, { "BIH", "BA" }, { "BLM", "BL" }, { "BLR", "BY" }, { "BLZ", "BZ" },
	{ "BMU", "BM" }, { "BOL", "BO" }, { "BRA", "BR" }, { "BRB", "BB" }, { "BRN", "BN" },
	{ "BTN", "BT" }, { "BVT", "BV" }, { "BWA", "BW" }, { "CAF", "CF" }, { "CAN", "CA" },
	{ "CCK", "CC" }, { "CHE", "CH" }, { "CHL", "CL" }, { "CHN", "CN" }, { "CIV", "CI" },
	{ "CMR", "CM" }, { "COD", "CD" }, { "COG", "CG" }, { "COK", "CK" }, { "COL", "CO" },
	{ "COM", "KM" }, { "CPV", "CV" }, { "CRI", "CR" }, { "CUB", "CU" }, { "CUW", "CW" },
	{ "CXR", "CX" }, { "CYM", "KY" }, { "CYP", "CY" }, { "CZE", "CZ" }, { "DEU", "DE" },
	{ "DJI", "DJ" }, { "DMA", "DM" }, { "DNK", "DK" }, { "DOM", "DO" }, { "DZA", "DZ" },
	{ "ECU", "EC" }, { "EGY", "EG" }, { "ERI", "ER" }, { "ESH", "EH" }, { "ESP", "ES" },
	{ "EST", "EE" }, { "ETH", "ET" }, { "FIN", "FI" }, { "FJI", "FJ" }, { "FLK", "FK" },
	{ "FRA", "FR" }, { "FRO", "FO" }, { "FSM", "FM" }, { "GAB", "GA" }, { "GBR", "GB" },
	{ "GEO", "GE" }, { "GGY", "GG" }, { "GHA", "GH" }, { "GIB", "GI" }, { "GIN", "GN" },
	{ "GLP", "GP" }, { "GMB", "GM" }, { "GNB", "GW" }, { "GNQ", "GQ" }, { "GRC", "GR" },
	{ "GRD", "GD" }, { "GRL", "GL" }, { "GTM", "GT" }, { "GUF", "GF" }, { "GUM", "GU" },
	{ "GUY", "GY" }, { "HKG", "HK" }, { "HMD", "HM" }, { "HND", "HN" }, { "HRV", "HR" },
	{ "HTI", "HT" }, { "HUN", "HU" }, { "IDN", "ID" }, { "IMN", "IM" }, { "IND", "IN" },
	{ "IOT", "IO" }, { "IRL", "IE" }, { "IRN", "IR" }, { "IRQ", "IQ" }, { "ISL", "IS" },
	{ "ISR", "IL" }, { "ITA", "IT" }, { "JAM", "JM" }, { "JEY", "JE" }, { "JOR", "JO" },
	{ "JPN", "JP" }, { "KAZ", "KZ" }, { "KEN", "KE" }, { "KGZ", "KG" }, { "KHM", "KH" },
	{ "KIR", "KI" }, { "KNA", "KN" }, { "KOR", "KR" }, { "KWT", "KW" }, { "LAO", "LA" },
	{ "LBN", "LB" }, { "LBR", "LR" }, { "LBY", "LY" }, { "LCA", "LC" }, { "LIE", "LI" },
	{ "LKA", "LK" }, { "LSO", "LS" }, { "LTU", "LT" }, { "LUX", "LU" }, { "LVA", "LV" },
	{ "MAC", "MO" }, { "MAF", "MF" }, { "MAR", "MA" }, { "MCO", "MC" }, { "MDA", "MD" },
	{ "MDG", "MG" }, { "MDV", "MV" }, { "MEX", "MX" }, { "MHL", "MH" }, { "MKD", "MK" },
	{ "MLI", "ML" }, { "MLT", "MT" }, { "MMR", "MM" }, { "MNE", "ME" }, { "MNG", "MN" },
	{ "MNP", "MP" }, { "MOZ", "MZ" }, { "MRT", "MR" }, { "MSR", "MS" }, { "MTQ", "MQ" },
	{ "MUS", "MU" }, { "MWI", "MW" }, { "MYS", "MY" }, { "MYT", "YT" }, { "NAM", "NA" },
	{ "NCL", "NC" }, { "NER", "NE" }, { "NFK", "NF" }, { "NGA", "NG" }, { "NIC", "NI" },
	{ "NIU", "NU" }, { "NLD", "NL" }, { "NOR", "NO" }, { "NPL", "NP" }, { "NRU", "NR" },
	{ "NZL", "NZ" }, { "OMN", "OM" }, { "PAK", "PK" }, { "PAN", "PA" }, { "PCN", "PN" },
	{ "PER", "PE" }, { "PHL", "PH" }, { "PLW", "PW" }, { "PNG", "PG" }, { "POL", "PL" },
	{ "PRI", "PR" }, { "PRK", "KP" }, { "PRT", "PT" }, { "PRY", "PY" }, { "PSE", "PS" },
	{ "PYF", "PF" }, { "QAT", "QA" }, { "REU", "RE" }, { "ROU", "RO" }, { "RUS", "RU" },
	{ "RWA", "RW" }, { "SAU", "SA" }, { "SDN", "SD" }, { "SEN", "SN" }, { "SGP", "SG" },
	{ "SGS", "GS" }, { "SHN", "SH" }, { "SJM", "SJ" }, { "SLB", "SB" }, { "SLE", "SL" },
	{ "SLV", "SV" }, { "SMR", "SM" }, { "SOM", "SO" }, { "SPM", "PM" }, { "SRB", "RS" },
	{ "SSD", "SS" }, { "STP", "ST" }, { "SUR", "SR" }, { "SVK", "SK" }, { "SVN", "SI" },
	{ "SWE", "SE" }, { "SWZ", "SZ" }, { "SXM", "SX" }, { "SYC", "SC" }, { "SYR", "SY" },
	{ "TCA", "TC" }, { "TCD", "TD" }, { "TGO", "TG" }, { "THA", "TH" }, { "TJK", "TJ" },
	{ "TKL", "TK" }, { "TKM", "TM" }, { "TLS", "TL" }, { "TON", "TO" }, { "TTO", "TT" },
	{ "TUN", "TN" }, { "TUR", "TR" }, { "TUV", "TV" }, { "TWN", "TW" }, { "TZA", "TZ" },
	{ "UGA", "UG" }, { "UKR", "UA" }, { "UMI", "UM" }, { "URY", "UY" }, { "USA", "US" },
	{ "UZB", "UZ" }, { "VAT", "VA" }, { "VCT", "VC" }, { "VEN", "VE" }, { "VGB", "VG" },
	{ "VIR", "VI" }, { "VNM", "VN" }, { "VUT", "VU" }, { "WLF", "WF" }, { "WSM", "WS" },
	{ "YEM", "YE" }, { "ZAF", "ZA" }, { "ZMB", "ZM" }, { "ZWE", "ZW" },
};

/* ICAO codes that are not ISO alpha-3 codes of the same state */
static const struct {
	char code[4];
	char a2[3];
} icao[] = {
	{ "D", "DE" }, { "GBD", "GB" }, { "GBN", "GB" }, { "GBO", "GB" }, { "GBP", "GB" },
	{ "GBS", "GB" }, { "RKS", "XK" }, { "EUE", "EU" }, { "UTO", "UT" },
};

/* upper-cased code without '<' fillers and blanks; false if malformed */
static bool
clean(const char *in, char out[4])
{
	size_t k = 0;

	if (in == NULL)
		return false;
	for (size_t i = 0; in[i] != '\0' && i < 8; i++) {
		char c = in[i];

		if (c == '<' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c < 'A' || c > 'Z' || k == 3)
			return false;
		out[k++] = c;
	}
	out[k] = '\0';
	return k > 0 && strlen(in) <= 8;
}

const char *
country_alpha2(const char *code)
{
	char c[4];
	size_t lo = 0, hi = sizeof(iso) / sizeof(iso[0]);

	if (!clean(code, c))
		return NULL;
	for (size_t i = 0; i < sizeof(icao) / sizeof(icao[0]); i++)
		if (strcmp(icao[i].code, c) == 0)
			return icao[i].a2;
	if (strlen(c) == 2) {
		for (size_t i = 0; i < sizeof(iso) / sizeof(iso[0]); i++)
			if (strcmp(iso[i].a2, c) == 0)
				return iso[i].a2;
		if (strcmp(c, "UT") == 0 || strcmp(c, "XK") == 0 || strcmp(c, "EU") == 0)
			for (size_t i = 0; i < sizeof(icao) / sizeof(icao[0]); i++)
				if (strcmp(icao[i].a2, c) == 0)
					return icao[i].a2;
		return NULL;
	}
	if (strlen(c) != 3)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(iso[mid].a3, c);

		if (d == 0)
			return iso[mid].a2;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool
country_same(const char *a, const char *b)
{
	const char *x = country_alpha2(a), *y = country_alpha2(b);
	char ca[4], cb[4];

	if (x != NULL && y != NULL)
		return strcmp(x, y) == 0;
	return clean(a, ca) && clean(b, cb) && strcmp(ca, cb) == 0;
}
