# Fuzz targets (tests/fuzz/): the config loader and the results-file
# readers. In every build, fuzz_replay_* run each target over its seed
# corpus and the kept crash cases (tests/fuzz/<target>/), so a fixed crash
# stays fixed; with -DHP_FUZZ=ON (clang, libFuzzer: scripts/fuzz.sh) the
# targets themselves are built for a bounded fuzzing run.
foreach(target config results)
  add_executable(fuzz_replay_${target} ${HP_TEST_DIR}/fuzz/fuzz_${target}.c
                 ${HP_TEST_DIR}/fuzz/fuzz_replay.c)
  target_link_libraries(fuzz_replay_${target} hpmodels hpsim)
  add_test(NAME fuzz_regress_${target}
           COMMAND fuzz_replay_${target} ${HP_TEST_DIR}/fuzz/${target})
  # libconfig's and HDF5's own leaks on bad input are not ours (lsan.supp).
  set_tests_properties(fuzz_regress_${target} PROPERTIES LABELS fuzz TIMEOUT 300
                       ENVIRONMENT "LSAN_OPTIONS=suppressions=${HP_TEST_DIR}/fuzz/lsan.supp")
  if(HP_FUZZ)
    add_executable(fuzz_${target} ${HP_TEST_DIR}/fuzz/fuzz_${target}.c)
    target_link_libraries(fuzz_${target} hpmodels hpsim)
    target_link_options(fuzz_${target} PRIVATE -fsanitize=fuzzer)
  endif()
endforeach()
# The shipped configs are seeds too.
set_property(TEST fuzz_regress_config APPEND PROPERTY COMMAND ${CMAKE_SOURCE_DIR}/configs)
