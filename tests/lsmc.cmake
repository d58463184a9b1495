# Least-squares Monte Carlo (issue 10): the regression core and its
# validation against published and lattice values.
hp_c_test(test_lsq ${HP_TEST_DIR}/test_lsq.c)
hp_c_test(test_lsmc_put ${HP_TEST_DIR}/test_lsmc_put.c)
set_tests_properties(test_lsq test_lsmc_put PROPERTIES LABELS lsmc)
