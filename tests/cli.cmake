# End-to-end tests of the hashpivot binary.
set(HP_BIN $<TARGET_FILE:hashpivot>)
add_test(NAME cli_errors COMMAND bash ${HP_TEST_DIR}/test_cli_errors.sh ${HP_BIN} ${CMAKE_SOURCE_DIR})
add_test(NAME cli_reproducible COMMAND bash ${HP_TEST_DIR}/test_reproducible.sh ${HP_BIN} ${CMAKE_SOURCE_DIR})
add_test(NAME cli_python_h5py COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_results_h5py.py ${HP_BIN} ${CMAKE_SOURCE_DIR})
