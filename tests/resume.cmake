# Interrupt (SIGTERM, SIGINT, SIGKILL) and --resume of the serial binary.
add_test(NAME resume_serial
         COMMAND bash ${HP_TEST_DIR}/test_resume.sh $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR} ${HP_PYTHON})
# Faults: SIGKILL before every change to the file system in turn (through
# the LD_PRELOAD library fault_inject), and a full disk (a small tmpfs:
# root only, skipped otherwise).
add_library(fault_inject SHARED ${HP_TEST_DIR}/fault_inject.c)
target_link_libraries(fault_inject ${CMAKE_DL_LIBS})
add_test(NAME faults_serial
         COMMAND bash ${HP_TEST_DIR}/test_faults.sh $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR}
                 $<TARGET_FILE:fault_inject>)
set_tests_properties(faults_serial PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
# SHA-256 known answers and the record of a run's input files.
hp_c_test(test_inputs ${HP_TEST_DIR}/test_inputs.c)
