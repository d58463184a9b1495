# Interrupt (SIGTERM, SIGINT, SIGKILL) and --resume of the serial binary.
add_test(NAME resume_serial
         COMMAND bash ${HP_TEST_DIR}/test_resume.sh $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR} ${HP_PYTHON})
