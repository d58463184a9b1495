# config: parameter tables, libconfig loading and validation, write-back.
# The test writes its config files into a fresh temporary directory.
#TMP hp_c_test(test_config test_config.c)
