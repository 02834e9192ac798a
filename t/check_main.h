/* check_main.h -- the main() every check program shares: run one suite. */
#ifndef MCOLL_CHECK_MAIN_H
#define MCOLL_CHECK_MAIN_H
#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(suite_fn)                                   \
	int main(void)                                         \
	{                                                      \
		SRunner *sr = srunner_create(suite_fn());      \
		int failed;                                    \
		srunner_run_all(sr, CK_NORMAL);                \
		failed = srunner_ntests_failed(sr);            \
		srunner_free(sr);                              \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;   \
	}

#endif
