# Decision analytics (issue 9): statistics with errors, in-process path
# runs, sensitivity, break-even solving, global sensitivity, Sobol points.
hp_c_test(test_stats ${HP_TEST_DIR}/test_stats.c)
hp_c_test(test_pathrun ${HP_TEST_DIR}/test_pathrun.c ${HP_TEST_DIR}/testutil.c)
