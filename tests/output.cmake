# Output file writer and summary.
hp_c_test(test_output ${HP_TEST_DIR}/test_output.c)
