# Protocol rules and the model's closed forms.
hp_c_test(test_network ${HP_TEST_DIR}/test_network.c)
hp_c_test(test_deterministic ${HP_TEST_DIR}/test_deterministic.c ${HP_TEST_DIR}/testutil.c)
