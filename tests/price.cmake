# Price models, the history CSV reader and the calibration script.
hp_c_test(test_history ${HP_TEST_DIR}/test_history.c ${HP_TEST_DIR}/testutil.c)
hp_c_test(test_price ${HP_TEST_DIR}/test_price.c ${HP_TEST_DIR}/testutil.c)

# The real history lives outside the repository (non-commercial licence):
# the test skips (exit 77) when the file is absent.
set(HP_SHARED_DATA ${CMAKE_SOURCE_DIR}/../shared/data/btc_daily_2013_2023.csv
    CACHE FILEPATH "shared/data history CSV for the tests that use real data")
add_executable(test_price_data ${HP_TEST_DIR}/test_price_data.c ${HP_TEST_DIR}/testutil.c)
target_include_directories(test_price_data PRIVATE ${HP_TEST_DIR})
target_link_libraries(test_price_data hpmodels hpsim)
add_test(NAME test_price_data COMMAND test_price_data ${HP_SHARED_DATA})
set_tests_properties(test_price_data PROPERTIES SKIP_RETURN_CODE 77)

# The fleet fit's likelihood (scripts/hp_fleet.py) recovers the error scale
# and tails of synthetic forecast errors.
add_test(NAME test_fleet_fit
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_fleet_fit.py ${CMAKE_SOURCE_DIR}/scripts)

# scripts/calibrate.py recovers known parameters from synthetic data, and
# its fragment passes `hashpivot validate`.
add_test(NAME test_calibrate
         COMMAND ${HP_PYTHON} ${HP_TEST_DIR}/test_calibrate.py
                 ${CMAKE_SOURCE_DIR}/scripts/calibrate.py $<TARGET_FILE:hashpivot>
                 ${CMAKE_SOURCE_DIR}/configs/default.cfg)
