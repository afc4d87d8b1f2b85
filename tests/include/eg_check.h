/* SPDX-License-Identifier: Apache-2.0 */
/* eg_check.h — the one main() every Check suite uses. */
#ifndef EG_CHECK_H
#define EG_CHECK_H

#include <check.h>
#include <stdlib.h>

/* Define `static Suite *make_suite(void)` and put EG_CHECK_MAIN() after it. */
#define EG_CHECK_MAIN()                                                   \
	int main(void)                                                    \
	{                                                                 \
		SRunner *sr = srunner_create(make_suite());               \
		int failed;                                               \
		srunner_run_all(sr, CK_NORMAL);                           \
		failed = srunner_ntests_failed(sr);                       \
		srunner_free(sr);                                         \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;         \
	}

/* ck_assert for eg_err results, printing the error name on failure. */
#define ck_assert_eg(expr, want)                                          \
	do {                                                              \
		int eg_got_ = (expr);                                     \
		ck_assert_msg(eg_got_ == (want), "%s: got %s, want %s",   \
		    #expr, eg_err_name(eg_got_), eg_err_name(want));      \
	} while (0)

#endif
