# Validation against history and against the VanEck thesis (issue 3).
# History tests read the shared data set, which the repository never holds;
# they skip (exit 77, with the reason printed) when it is absent.
# HP_SHARED_DATA may name the data directory or the CSV itself (tests/price.cmake
# declares it as the CSV).
if(NOT DEFINED HP_SHARED_DATA)
  set(HP_SHARED_DATA ${CMAKE_SOURCE_DIR}/../shared/data CACHE PATH
      "directory of btc_daily_2013_2023.csv (not part of the repository)")
endif()
if(HP_SHARED_DATA MATCHES "\\.csv$")
  set(HP_HISTORY_CSV ${HP_SHARED_DATA})
else()
  set(HP_HISTORY_CSV ${HP_SHARED_DATA}/btc_daily_2013_2023.csv)
endif()

# hp_c_data_test(NAME SRCS...): a C test given the history CSV as argv[1].
function(hp_c_data_test name)
  add_executable(${name} ${ARGN})
  target_include_directories(${name} PRIVATE ${HP_TEST_DIR})
  target_link_libraries(${name} hpmodels hpsim)
  add_test(NAME ${name} COMMAND ${name} ${HP_HISTORY_CSV}
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS validation)
endfunction()

# 6b: protocol replay 2016-2023 (revenue within 2% a year, difficulty within 5%).
hp_c_data_test(test_replay ${HP_TEST_DIR}/test_replay.c ${HP_TEST_DIR}/testutil.c)

# 6c: out-of-sample back-test of the hashrate models; prints the coverage.
hp_c_data_test(test_backtest ${HP_TEST_DIR}/test_backtest.c ${HP_TEST_DIR}/testutil.c)

# 6a: the thesis. configs/vaneck_2024.cfg gives $13.9B a year and $37.6B NPV (1%).
add_executable(test_thesis ${HP_TEST_DIR}/test_thesis.c ${HP_TEST_DIR}/testutil.c)
target_include_directories(test_thesis PRIVATE ${HP_TEST_DIR})
target_link_libraries(test_thesis hpmodels hpsim)
add_test(NAME test_thesis COMMAND test_thesis ${CMAKE_SOURCE_DIR}/configs/vaneck_2024.cfg)
set_tests_properties(test_thesis PROPERTIES LABELS validation)

# Every shipped config validates and runs briefly.
add_test(NAME shipped_configs COMMAND bash ${HP_TEST_DIR}/test_configs.sh
         $<TARGET_FILE:hashpivot> ${CMAKE_SOURCE_DIR})
set_tests_properties(shipped_configs PROPERTIES LABELS validation)
