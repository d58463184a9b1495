# Least-squares Monte Carlo (issue 10): the regression core and its
# validation against published and lattice values.
hp_c_test(test_lsq ${HP_TEST_DIR}/test_lsq.c)
hp_c_test(test_lsmc_put ${HP_TEST_DIR}/test_lsmc_put.c)
set_tests_properties(test_lsq test_lsmc_put PROPERTIES LABELS lsmc)

# The one-factor conversion: LSMC (lsmc_convert) against a lattice solution
# of the same problem (lsmc_convert_ref.py, scipy), within 0.5%.
add_executable(lsmc_convert ${HP_TEST_DIR}/lsmc_convert.c)
target_link_libraries(lsmc_convert hpsim)
add_test(NAME test_lsmc_convert
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_lsmc_convert.py $<TARGET_FILE:lsmc_convert>)
set_tests_properties(test_lsmc_convert PROPERTIES LABELS lsmc TIMEOUT 600)

# The policy mode of the scenario: reproducible, static results unchanged,
# the paired criterion on the default, bad input.
add_test(NAME policy_scenario COMMAND bash ${HP_TEST_DIR}/test_policy.sh ${HP_BIN} ${CMAKE_SOURCE_DIR})
set_tests_properties(policy_scenario PROPERTIES LABELS lsmc TIMEOUT 900)
