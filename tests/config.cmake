# config: parameter tables, libconfig loading and validation, write-back.
# The test writes its config files into a fresh temporary directory.
hp_c_test(test_config ${HP_TEST_DIR}/test_config.c ${HP_TEST_DIR}/config_check.c)

# docs/parameters.md is generated: `build/hashpivot params > docs/parameters.md`.
add_test(NAME docs_parameters_current
         COMMAND bash ${HP_TEST_DIR}/test_params_doc.sh $<TARGET_FILE:hashpivot>
                 ${CMAKE_SOURCE_DIR}/docs/parameters.md)

# Records keys (lists of groups such as hpc.contracts): values, defaults,
# errors naming file, line and record field, the write-back round trip.
hp_c_test(test_config_records ${HP_TEST_DIR}/test_config_records.c ${HP_TEST_DIR}/testutil.c)
