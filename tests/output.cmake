# Output file writer, and the readers of its files (summary, info); both
# write their files through the fake model of output_fake.c.
hp_c_test(test_output ${HP_TEST_DIR}/test_output.c ${HP_TEST_DIR}/output_fake.c)
hp_c_test(test_readers ${HP_TEST_DIR}/test_readers.c ${HP_TEST_DIR}/output_fake.c)
