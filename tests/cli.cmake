# End-to-end tests of the hashpivot binary.
set(HP_BIN $<TARGET_FILE:hashpivot>)
add_test(NAME cli_errors COMMAND bash ${HP_TEST_DIR}/test_cli_errors.sh ${HP_BIN} ${CMAKE_SOURCE_DIR})
add_test(NAME cli_reproducible COMMAND bash ${HP_TEST_DIR}/test_reproducible.sh ${HP_BIN} ${CMAKE_SOURCE_DIR})
# The Sobol sampler: 32 points per scramble, so blocks of 64, 100 and 7
# paths cut scrambles in every way; a path's normals follow its index.
add_test(NAME cli_reproducible_sobol COMMAND bash ${HP_TEST_DIR}/test_reproducible.sh ${HP_BIN} ${CMAKE_SOURCE_DIR}
         --set "simulation.sampler=\"sobol\"" --set simulation.qmc_points=32)
add_test(NAME cli_python_h5py COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_results_h5py.py ${HP_BIN} ${CMAKE_SOURCE_DIR})
# The commit id stamped into results files matches the tree (dirty marked).
add_test(NAME cli_version_stamp COMMAND bash ${HP_TEST_DIR}/test_version.sh ${HP_BIN} ${CMAKE_SOURCE_DIR})
set_tests_properties(cli_version_stamp PROPERTIES SKIP_RETURN_CODE 77)
# The Sobol sampler on a smooth config: the error of a scramble's mean NPV
# below a pseudo-random mean's by more than noise explains, no bias, and
# the summary's between-scramble standard error.
add_test(NAME cli_qmc COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_qmc.py ${HP_BIN} ${CMAKE_SOURCE_DIR})
# Between-scramble intervals (Woodruff's for quantiles, Student's t for the
# mean and shares) cover a known N(0, 1) in 93-97% of 400 seeded randomised
# Sobol replications.
add_test(NAME qmc_interval_coverage
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_woodruff_coverage.py ${CMAKE_SOURCE_DIR})
